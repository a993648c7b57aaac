"""Benchmarks of the generator and the generated package.

* ``generate_200_seconds()``: load + render + write 200 synthetic TR specs (median of runs);
  also prints the split between loading the specs (YAML) and rendering + writing.
* ``import_ms()``: ``from kiwoom_typed import Client`` of a 200-TR package in a fresh
  interpreter, timed inside that interpreter (median of runs; interpreter start excluded).
* ``decode_ratio()``: decoding 10,000 LIST rows into models vs ``json.loads`` of the same bytes.

Each function prints its result and returns it; ``python bench/codegen_bench.py`` runs all.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from codegen.generate import render, write_files  # noqa: E402
from codegen.loader import load_specs  # noqa: E402
from tests.generator.synth import make_synthetic_specs  # noqa: E402

_IMPORT_SNIPPET = (
    "import time; t = time.perf_counter(); from kiwoom_typed import Client; "
    "print((time.perf_counter() - t) * 1000)"
)


def generate_200_seconds(runs: int = 3) -> float:
    """Seconds to load, render and write 200 TR specs (median of ``runs``)."""
    times: list[float] = []
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        specs = make_synthetic_specs(Path(tmp) / "specs", 200)
        for i in range(runs):
            out = Path(tmp) / f"out{i}"
            start = time.perf_counter()
            # what ``codegen.generate.generate`` does, timed in its two phases
            spec_set = load_specs(specs)
            loaded = time.perf_counter()
            write_files(render(spec_set, specs.name), out)
            end = time.perf_counter()
            times.append(end - start)
            loads.append(loaded - start)
    result = statistics.median(times)
    load = statistics.median(loads)
    print(
        f"generate 200 TRs: {result:.2f} s "
        f"(load specs {load:.2f} s, model + render + write {result - load:.2f} s)"
    )
    return result


def import_ms(runs: int = 7) -> float:
    """Milliseconds for ``from kiwoom_typed import Client`` with 200 TRs (fresh interpreter)."""
    with tempfile.TemporaryDirectory() as tmp:
        specs = make_synthetic_specs(Path(tmp) / "specs", 200)
        out = Path(tmp) / "out"
        write_files(render(load_specs(specs), specs.name), out)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(out), str(ROOT / "src")]))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        samples: list[float] = []
        for _ in range(runs + 1):  # the first run also writes the bytecode caches
            done = subprocess.run(
                [sys.executable, "-c", _IMPORT_SNIPPET],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            samples.append(float(done.stdout.strip()))
    result = statistics.median(samples[1:])
    print(f"import kiwoom_typed.Client (200 TRs): {result:.1f} ms")
    return result


def decode_ratio(rows: int = 10_000, runs: int = 7) -> float:
    """Time to decode ``rows`` ka10005 rows into models / time of ``json.loads`` (best of runs)."""
    from kiwoom_typed.tr.ka10005 import Ka10005Response

    row = {
        "date": "20241028",
        "open_pric": "+95400",
        "high_pric": "95400",
        "low_pric": "-94300",
        "close_pric": "95400",
        "pre": "-300",
        "flu_rt": "+0.32",
        "trde_qty": "1234567",
        "trde_prica": "987654321",
        "cntr_str": "101.12",
        "for_poss": "+26.07",
        "for_wght": "+26.07",
        "for_netprps": "-1000",
        "orgn_netprps": "200",
        "ind_netprps": "800",
        "frgn": "",
        "crd_remn_rt": "0.12",
        "prm": "-5",
    }
    data = json.dumps(
        {"stk_ddwkmm": [dict(row, date=f"2024{i:04d}") for i in range(rows)], "return_code": 0}
    ).encode()

    def best(fn: object) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            samples.append(time.perf_counter() - start)
        return min(samples)

    loads = best(lambda: json.loads(data))
    body = json.loads(data)
    decode = best(lambda: Ka10005Response.from_dict(body))
    ratio = decode / loads
    print(
        f"decode {rows} LIST rows: {decode * 1000:.1f} ms vs json.loads {loads * 1000:.1f} ms "
        f"(ratio {ratio:.2f})"
    )
    return ratio


if __name__ == "__main__":
    generate_200_seconds()
    import_ms()
    decode_ratio()
