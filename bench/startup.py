"""Start-up in fresh interpreters, each ours beside a reference in the same round:

* first call (import + construct + token + ka10001, ``bench/first_call.py``): kiwoom_typed vs
  kiwoom-client against one running sandbox;
* import: ``from kiwoom_typed import Client`` vs ``import kiwoom_client``;
* the CLI: ``kiwoom-typed --help`` and ``kiwoom-typed call ka10001 ...`` (against the same
  sandbox) vs ``python -c pass``, as whole processes.

Why rounds of pairs: on a shared, noisy machine a fresh interpreter takes 150-400 ms depending
on what else runs, so each round runs every contender once, in a shuffled order, and the ratio
is taken within the round; the median over rounds and its range are reported. The bytecode
caches are written by a warm-up run first (as pip does at install time).

``python bench/startup.py BASE_URL`` prints the results for a sandbox already running there.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from _stats import ratio_summary, summary  # noqa: E402

PY = sys.executable
CLI = str(Path(PY).parent / "kiwoom-typed")
# Time what an installed package costs: compiled bytecode kept, whatever the shell says.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_IMPORT = "import time; t = time.perf_counter(); {stmt}; print((time.perf_counter() - t) * 1000)"


def _run(args: list[str]) -> tuple[float, str]:
    """Wall milliseconds of a process, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True, env=ENV, cwd=ROOT)
    return (time.perf_counter() - start) * 1000, done.stdout


def _rounds(jobs: dict[str, Callable[[], dict[str, float]]], rounds: int) -> dict[str, Any]:
    """Every job once per round, shuffled; per job the samples of each measure."""
    for job in jobs.values():  # warm-up: bytecode caches, page cache
        job()
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in jobs}
    names = list(jobs)
    for _ in range(rounds):
        random.shuffle(names)
        for name in names:
            samples[name].append(jobs[name]())
    return samples


def _ratio(samples: dict[str, list[dict[str, float]]], a: str, b: str, key: str) -> dict[str, Any]:
    per_round = [x[key] / y[key] for x, y in zip(samples[a], samples[b], strict=True)]
    med = statistics.median(s[key] for s in samples[a]) / statistics.median(
        s[key] for s in samples[b]
    )
    return {"ratio": med, "per_round": ratio_summary(per_round)}


def first_call(base_url: str, rounds: int = 11) -> dict[str, Any]:
    """ours vs kiwoom-client: import, construct, first call, total and the whole process."""

    def job(which: str) -> Callable[[], dict[str, float]]:
        def run() -> dict[str, float]:
            wall, out = _run([PY, str(BENCH / "first_call.py"), base_url, which])
            row: dict[str, float] = json.loads(out)
            row["process_wall_ms"] = wall
            return row

        return run

    samples = _rounds(
        {"kiwoom_typed": job("kiwoom_typed"), "kiwoom_client": job("kiwoom_client")}, rounds
    )
    keys = list(samples["kiwoom_typed"][0])
    return {
        "rounds": rounds,
        "ms": {w: {k: summary([s[k] for s in rows]) for k in keys} for w, rows in samples.items()},
        "ours_vs_kiwoom_client": {
            k: _ratio(samples, "kiwoom_typed", "kiwoom_client", k) for k in keys
        },
    }


def imports(rounds: int = 11) -> dict[str, Any]:
    """``from kiwoom_typed import Client`` vs ``import kiwoom_client``, timed inside."""

    def job(stmt: str) -> Callable[[], dict[str, float]]:
        def run() -> dict[str, float]:
            _, out = _run([PY, "-c", _IMPORT.format(stmt=stmt)])
            return {"import_ms": float(out.strip())}

        return run

    samples = _rounds(
        {
            "kiwoom_typed": job("from kiwoom_typed import Client"),
            "kiwoom_client": job("import kiwoom_client"),
        },
        rounds,
    )
    return {
        "rounds": rounds,
        "ms": {w: summary([s["import_ms"] for s in rows]) for w, rows in samples.items()},
        "ours_vs_kiwoom_client": _ratio(samples, "kiwoom_typed", "kiwoom_client", "import_ms"),
    }


def cli(base_url: str, rounds: int = 11) -> dict[str, Any]:
    """Whole-process wall time of the CLI beside ``python -c pass`` (the interpreter alone)."""

    def job(args: list[str]) -> Callable[[], dict[str, float]]:
        return lambda: {"wall_ms": _run(args)[0]}

    call = [CLI, "call", "ka10001", "stk_cd=005930", "--base-url", base_url]
    samples = _rounds(
        {
            "python_pass": job([PY, "-c", "pass"]),
            "help": job([CLI, "--help"]),
            "call_ka10001": job(call),
        },
        rounds,
    )
    base = [s["wall_ms"] for s in samples["python_pass"]]
    out: dict[str, Any] = {
        "rounds": rounds,
        "ms": {w: summary([s["wall_ms"] for s in rows]) for w, rows in samples.items()},
    }
    for name in ("help", "call_ka10001"):
        mine = [s["wall_ms"] for s in samples[name]]
        out[f"{name}_vs_python"] = _ratio(samples, name, "python_pass", "wall_ms")
        out[f"{name}_extra_ms"] = summary([m - b for m, b in zip(mine, base, strict=True)])
    return out


def modules_loaded() -> dict[str, Any]:
    """What a fresh interpreter has imported after each step (the lazy-import promises)."""
    probe = (
        "import sys, json\n"
        "from kiwoom_typed import Client\n"
        "c = Client(appkey='a', secretkey='b', base_url='http://127.0.0.1:9')\n"
        "mods = sys.modules\n"
        "print(json.dumps({'modules': len(mods), 'tr_modules': sum(m.startswith("
        "'kiwoom_typed.tr.') for m in mods), 'pandas': 'pandas' in mods, 'kiwoom_sandbox': "
        "'kiwoom_sandbox' in mods, 'asyncio': 'asyncio' in mods}))"
    )
    _, out = _run([PY, "-c", probe])
    return json.loads(out)


def run(base_url: str, rounds: int = 11) -> dict[str, Any]:
    return {
        "first_call": first_call(base_url, rounds),
        "imports": imports(rounds),
        "cli": cli(base_url, rounds),
        "after_construct": modules_loaded(),
    }


def markdown(result: dict[str, Any]) -> list[str]:
    fc, imp, c = result["first_call"], result["imports"], result["cli"]

    def rng(x: dict[str, Any]) -> str:
        pr = x["per_round"]
        return f"{x['ratio']:.2f}x (rounds {pr['min']:.2f}-{pr['max']:.2f})"

    def ms(x: dict[str, Any]) -> str:
        return f"{x['median']:.0f} ms"

    ours, theirs = fc["ms"]["kiwoom_typed"], fc["ms"]["kiwoom_client"]
    lines = [
        "## Start-up (fresh interpreters, ours beside the reference in each round)",
        "",
        f"{fc['rounds']} rounds; each round runs every contender once in a shuffled order and "
        "the ratio is taken within the round (median, and the lowest and highest round).",
        "",
        "| measure | kiwoom_typed | reference | ours / reference |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("import_ms", "import"),
        ("construct_ms", "construct the client"),
        ("first_call_ms", "first call (token + ka10001)"),
        ("total_ms", "**first call in a fresh interpreter** (import + construct + call)"),
        ("process_wall_ms", "the whole process (interpreter start included)"),
    ):
        lines.append(
            f"| {label} | {ms(ours[key])} | kiwoom-client {ms(theirs[key])} | "
            f"{rng(fc['ours_vs_kiwoom_client'][key])} |"
        )
    lines += [
        f"| `from kiwoom_typed import Client` vs `import kiwoom_client` | "
        f"{ms(imp['ms']['kiwoom_typed'])} | {ms(imp['ms']['kiwoom_client'])} | "
        f"{rng(imp['ours_vs_kiwoom_client'])} |",
        f"| `kiwoom-typed --help` vs `python -c pass` | {ms(c['ms']['help'])} | "
        f"{ms(c['ms']['python_pass'])} | {rng(c['help_vs_python'])}, "
        f"+{c['help_extra_ms']['median']:.0f} ms |",
        f"| `kiwoom-typed call ka10001 stk_cd=005930 --base-url <sandbox>` vs `python -c pass` | "
        f"{ms(c['ms']['call_ka10001'])} | {ms(c['ms']['python_pass'])} | "
        f"{rng(c['call_ka10001_vs_python'])}, +{c['call_ka10001_extra_ms']['median']:.0f} ms |",
        "",
    ]
    after = result.get("after_construct")
    if after:
        lines += [
            "After `from kiwoom_typed import Client` and constructing a client: "
            f"{after['modules']} modules loaded, {after['tr_modules']} TR modules of 306, pandas "
            f"{'loaded' if after['pandas'] else 'not loaded'}, kiwoom_sandbox "
            f"{'loaded' if after['kiwoom_sandbox'] else 'not loaded'}, asyncio "
            f"{'loaded' if after['asyncio'] else 'not loaded'}.",
            "",
        ]
    return lines


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5), indent=2))
