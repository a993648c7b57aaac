"""The generator and the generated package at catalogue size (all 306 REST APIs), each measured
beside a reference in the same run:

* generating the whole catalogue (a fresh ``python -m codegen generate``) beside
  openapi-python-client on an OpenAPI document of the same 306 operations (bench/openapi_export.py);
* ``import kiwoom_typed`` / ``from kiwoom_typed import Client`` in a fresh interpreter beside
  ``import kiwoom_client`` (a hand-written peer on PyPI);
* ``mypy --strict`` over the generated package (cold and warm cache) beside mypy over
  openapi-python-client's output for the same document;
* the wheel's size beside kiwoom-client's wheel.

``python bench/catalogue_bench.py`` prints and returns the results; ``bench/run.py`` (make bench)
runs it and writes them to results.json and BENCHMARKS.md. Medians of several runs; the spread
is kept. A reference that is not installed is reported as skipped, never guessed.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from openapi_export import export  # noqa: E402

SPECS = ROOT / "specs"
PY = sys.executable
# Time what an installed package costs: compiled bytecode kept (pip compiles at install time),
# whatever the calling shell says.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(args: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - start


def _timed(args: list[str], runs: int, cwd: Path = ROOT) -> dict[str, Any]:
    times = [_run(args, cwd) for _ in range(runs)]
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def _tool(name: str) -> str | None:
    found = Path(PY).parent / name
    return str(found) if found.exists() else shutil.which(name)


def generate(tmp: Path, runs: int = 3) -> dict[str, Any]:
    """Seconds to generate the catalogue, ours vs openapi-python-client, fresh processes."""
    ours = _timed(
        [
            PY,
            "-m",
            "codegen",
            "generate",
            "--specs",
            str(SPECS),
            "--out",
            str(tmp / "ours"),
            "--no-docs",
        ],
        runs,
    )
    document = tmp / "kiwoom-openapi.json"
    operations = export(SPECS, document)
    result: dict[str, Any] = {"ours_s": ours, "operations": operations}
    oapc = _tool("openapi-python-client")
    if oapc is None:
        result["openapi_python_client"] = "skipped: not installed (pip install '.[bench]')"
        return result
    theirs = _timed(
        [
            oapc,
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(tmp / "oapc"),
            "--overwrite",
            "--meta",
            "none",
        ],
        runs,
    )
    result["openapi_python_client_s"] = theirs
    result["ours_vs_openapi_python_client"] = ours["median"] / theirs["median"]
    return result


_IMPORT = "import time; t = time.perf_counter(); {stmt}; print((time.perf_counter() - t) * 1000)"


def _import_ms(stmt: str, runs: int) -> dict[str, Any] | str:
    times = []
    for i in range(runs + 1):  # the first run compiles and caches bytecode: not counted
        done = subprocess.run(
            [PY, "-c", _IMPORT.format(stmt=stmt)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=ENV,
        )
        if done.returncode != 0:
            return f"skipped: {done.stderr.strip().splitlines()[-1]}"
        if i:
            times.append(float(done.stdout.strip()))
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def imports(runs: int = 9) -> dict[str, Any]:
    """Import time in a fresh interpreter (interpreter start excluded), ours vs kiwoom-client."""
    return {
        "kiwoom_typed_ms": _import_ms("import kiwoom_typed", runs),
        "kiwoom_typed_client_ms": _import_ms("from kiwoom_typed import Client", runs),
        "kiwoom_client_ms": _import_ms("import kiwoom_client", runs),
    }


def _mypy(package: Path, cache: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            PY,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            package.name,
        ],
        cwd=package.parent,
        capture_output=True,
        env=ENV,
    )
    return time.perf_counter() - start


def mypy(tmp: Path) -> dict[str, Any]:
    """``mypy --strict`` over the generated package (cold, then warm cache) and over
    openapi-python-client's output for the same operations (cold)."""
    ours = ROOT / "generated" / "kiwoom_typed"
    cache = tmp / "mypy-ours"
    result: dict[str, Any] = {"ours_cold_s": _mypy(ours, cache), "ours_warm_s": _mypy(ours, cache)}
    theirs = tmp / "oapc"  # with --meta none the output folder is the package itself
    if (theirs / "__init__.py").is_file():
        result["openapi_python_client_cold_s"] = _mypy(theirs, tmp / "mypy-theirs")
    return result


def wheels(tmp: Path) -> dict[str, Any]:
    """Wheel sizes: ours (built here) and kiwoom-client's (downloaded)."""
    out: dict[str, Any] = {}
    subprocess.run(
        [PY, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp / "w"), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    ours = next((tmp / "w").glob("kiwoom_typed-*.whl"))
    with zipfile.ZipFile(ours) as wheel:
        generated = sum(i.file_size for i in wheel.infolist() if "kiwoom_typed/" in i.filename)
    out["ours_kb"] = ours.stat().st_size / 1024
    out["ours_generated_unpacked_kb"] = generated / 1024
    done = subprocess.run(
        [
            PY,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--dest",
            str(tmp / "peer"),
            "kiwoom-client==0.4.0",
        ],
        capture_output=True,
    )
    peer = list((tmp / "peer").glob("*.whl")) if done.returncode == 0 else []
    out["kiwoom_client_kb"] = peer[0].stat().st_size / 1024 if peer else "skipped: no download"
    return out


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        result = {
            "generate": generate(tmp),
            "imports": imports(),
            "mypy": mypy(tmp),
            "wheel": wheels(tmp),
        }
    print(json.dumps(result, indent=2))
    return result


def markdown(result: dict[str, Any]) -> list[str]:
    """The BENCHMARKS.md section (bench/_report.py appends it)."""

    def ms(x: Any) -> str:
        return f"{x['median']:.0f} ms ({x['min']:.0f}-{x['max']:.0f})" if isinstance(x, dict) else x

    def s(x: Any) -> str:
        return f"{x['median']:.1f} s ({x['min']:.1f}-{x['max']:.1f})" if isinstance(x, dict) else x

    gen, imp, my, wh = result["generate"], result["imports"], result["mypy"], result["wheel"]
    ratio = gen.get("ours_vs_openapi_python_client")
    return [
        "## At catalogue size (306 REST APIs)",
        "",
        "| measure | ours | reference (same run) |",
        "|---|---|---|",
        f"| generate everything, fresh process | {s(gen['ours_s'])} | openapi-python-client on "
        f"the same {gen['operations']} operations: "
        f"{s(gen.get('openapi_python_client_s', gen.get('openapi_python_client')))}"
        + (f" (ours {ratio:.2f}x)" if ratio else "")
        + " |",
        f"| `import kiwoom_typed` | {ms(imp['kiwoom_typed_ms'])} | `import kiwoom_client`: "
        f"{ms(imp['kiwoom_client_ms'])} |",
        f"| `from kiwoom_typed import Client` | {ms(imp['kiwoom_typed_client_ms'])} | |",
        f"| `mypy --strict` on the generated package | cold {my['ours_cold_s']:.1f} s, warm "
        f"{my['ours_warm_s']:.1f} s | openapi-python-client's output, cold: "
        + (
            f"{my['openapi_python_client_cold_s']:.1f} s"
            if "openapi_python_client_cold_s" in my
            else "skipped"
        )
        + " |",
        f"| wheel | {wh['ours_kb']:.0f} KiB (generated code unpacked "
        f"{wh['ours_generated_unpacked_kb']:.0f} KiB) | kiwoom-client 0.4.0: "
        + (
            f"{wh['kiwoom_client_kb']:.0f} KiB"
            if isinstance(wh["kiwoom_client_kb"], float)
            else str(wh["kiwoom_client_kb"])
        )
        + " |",
        "",
        "openapi-python-client gets an OpenAPI document of the same operations and schemas "
        "(bench/openapi_export.py; one path per API, because OpenAPI cannot tell APIs apart by a "
        "header as Kiwoom does); its time includes its own formatting hooks. Imports are timed "
        "inside a fresh interpreter, its start excluded; the first call is in the table above.",
        "",
    ]


if __name__ == "__main__":
    run()
