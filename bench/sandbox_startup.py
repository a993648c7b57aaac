"""How fast the sandbox starts and answers, with the shipped specs and a 300-spec catalogue.

    .venv/bin/python bench/sandbox_startup.py [--repeat 5]

Prints medians (the machine may be shared: run it twice and compare). The 300 specs are copies
of the shipped query specs under new API IDs (``tests.sandbox._helpers.make_catalogue``), a
stand-in for the ~306 TRs of the full catalogue.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from kiwoom_sandbox import Sandbox, SandboxConfig  # noqa: E402
from kiwoom_sandbox.routes import RouteTable  # noqa: E402
from kiwoom_sandbox.synth import generate_body  # noqa: E402
from tests.sandbox._helpers import make_catalogue  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def start_stop(specs: Path) -> None:
    Sandbox(SandboxConfig(specs_dir=specs, fixtures_dir=None)).start().stop()


def process_first_line(specs: Path) -> None:
    """``python -m kiwoom_sandbox``: from exec to the 'listening on' line (imports included)."""
    command = [sys.executable, "-m", "kiwoom_sandbox", "--port", "0", "--specs", str(specs)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    process.terminate()
    process.wait(timeout=10)
    assert "listening on" in line, line


def first_and_repeat_request(specs: Path) -> tuple[float, float]:
    """Median latency of the first request of a route (plan compiled) and of a repeat."""
    with Sandbox(SandboxConfig(specs_dir=specs, fixtures_dir=None)) as sb:
        token = sb.issue_token()
        first, again = [], []
        with httpx.Client(base_url=sb.base_url, timeout=10) as client:
            for api_id, route in sorted(sb.app.routes.by_api_id.items()):
                if route.role is not None:
                    continue
                body = {f.element: "000660" for f in route.symbol_fields}
                headers = {"api-id": api_id, "authorization": f"Bearer {token}"}
                for bucket in (first, again):
                    started = time.perf_counter()
                    client.post(route.spec.url, json=body, headers=headers).raise_for_status()
                    bucket.append(time.perf_counter() - started)
    return statistics.median(first) * 1000, statistics.median(again) * 1000


def rows_10000(specs: Path) -> float:
    route = next(r for r in RouteTable.from_specs(specs).by_api_id.values() if r.list_fields)
    return median_ms(
        lambda: generate_body(
            route.spec.response.body,
            api_id=route.api_id,
            request={"stk_cd": "000660"},
            codes=["000660"],
            rows_per_page=10_000,
            plan=route.plan,
        ),
        3,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    shipped = ROOT / "specs"
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = make_catalogue(Path(tmp) / "specs", count=300)
        rows = []
        for label, specs in (("shipped specs", shipped), ("300-spec catalogue", catalogue)):
            count = len(RouteTable.from_specs(specs).by_api_id)
            load = median_ms(lambda s=specs: RouteTable.from_specs(s), args.repeat)
            start = median_ms(lambda s=specs: start_stop(s), args.repeat)
            process = median_ms(lambda s=specs: process_first_line(s), max(3, args.repeat // 2))
            first, again = first_and_repeat_request(specs)
            rows.append((label, count, load, start, process, first, again))
        print(
            "| specs | TRs | load specs | Sandbox start+stop | process to first line "
            "| first request / route | repeat |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, count, load, start, process, first, again in rows:
            print(
                f"| {label} | {count} | {load:.0f} ms | {start:.0f} ms | {process:.0f} ms "
                f"| {first:.1f} ms | {again:.1f} ms |"
            )
        print(f"\n10,000 synthetic LIST rows: {rows_10000(shipped):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
