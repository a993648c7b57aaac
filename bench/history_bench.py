"""Section 9 of ``make bench``: market-history downloads (``kiwoom_history``).

* **Storage**: the same typed pages (600-row daily pages the sandbox serves, parsed by the
  history schema) written page by page into DuckDB (each page with its progress row in one
  transaction, primary keys checked: what a resumable download does) against
  ``pandas.DataFrame.to_parquet`` (pyarrow) one file per page; and both in one bulk write.
* **Utilization**: ``kiwoom_history`` downloading daily bars of many symbols (one 600-row page
  each) from the sandbox (in a child process) under the published global limit (5/s; server
  burst 5, as in section 4) with the client's default limiter (5/s, burst 1): the accepted
  rate over the allowed rate after the first request, and 1700 answers, judged by the server's
  own decisions. (A server bucket of burst 1 refuses an arrival that a busy Python server
  stamps a few ms late: the sandbox, not the client, would be measured.)
* **Resume**: a ``kiwoom-typed download`` killed with SIGKILL mid-run, then started again:
  the time from starting the process to its first chart request (interpreter, imports, opening
  the DuckDB file and replaying its log, reading the progress, a token), and the pages fetched
  again.

Run alone with ``.venv/bin/python bench/history_bench.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from _remote import RemoteSandbox  # noqa: E402

END = dt.date(2025, 1, 31)
START = dt.date(2023, 2, 1)  # two years: one 600-row page per symbol
STRICT = 5.0  # requests per second, all TRs together


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _pages(count: int) -> list[list[dict[str, Any]]]:
    """``count`` 600-row daily pages as the sandbox serves them (wire rows)."""
    from kiwoom_sandbox import SandboxConfig
    from kiwoom_sandbox.app import App
    from kiwoom_sandbox.history import chart_page, chart_plan
    from kiwoom_sandbox.symbols import Universe

    app = App(SandboxConfig(universe=Universe.of_size(max(400, count)), fixtures_dir=None))
    route = app.routes.by_api_id["ka10081"]
    plan = chart_plan(route)
    assert plan is not None
    market = app._market(app.config)
    out = []
    for symbol in list(market.universe)[:count]:
        request = {"stk_cd": symbol.code, "base_dt": "20250131", "upd_stkpc_tp": "1"}
        page = chart_page(app.config, market, route, plan, request, END, None)
        assert page is not None
        rows = page.body["stk_dt_pole_chart_qry"]
        if len(rows) == 600:
            out.append(rows)
    return out


def bench_storage(pages: int = 60, rounds: int = 5) -> dict[str, Any]:
    """Rows per second into DuckDB (per page, transactional) vs to_parquet (per page)."""
    import pandas as pd

    from kiwoom_history import HistoryStore, Progress, chart_for, schema_for

    chart = chart_for("stock", "daily")
    schema = schema_for(chart)
    wire = _pages(pages)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    frames = [
        schema.frame(rows, code=rows and f"{i:06d}", adjusted=True, scope=None, fetched_at=now)
        for i, rows in enumerate(wire)
    ]
    parse_s = time.perf_counter() - started
    total = sum(len(f) for f in frames)
    timings: dict[str, list[float]] = {
        k: [] for k in ("duckdb", "parquet", "duckdb_bulk", "parquet_bulk")
    }
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        work = Path(tempfile.mkdtemp(prefix="kiwoom-bench-"))
        try:
            with HistoryStore(work / "h.duckdb") as store:
                store.ensure(chart)
                t = time.perf_counter()
                for i, frame in enumerate(frames):
                    progress = Progress(
                        chart.table,
                        f"{i:06d}",
                        True,
                        0,
                        chart.api_id,
                        rows=len(frame),
                        updated_at=now,
                    )
                    store.write_page(schema, frame, progress)
                timings["duckdb"].append(time.perf_counter() - t)
            sizes["duckdb"] = (work / "h.duckdb").stat().st_size
            out = work / "pq"
            out.mkdir()
            t = time.perf_counter()
            for i, frame in enumerate(frames):
                frame.to_parquet(out / f"page{i}.parquet", index=False)
            timings["parquet"].append(time.perf_counter() - t)
            sizes["parquet"] = sum(p.stat().st_size for p in out.iterdir())
            whole = pd.concat(frames, ignore_index=True)
            with HistoryStore(work / "bulk.duckdb") as store:
                store.ensure(chart)
                t = time.perf_counter()
                store.write_page(
                    schema, whole, Progress(chart.table, "x", True, 0, chart.api_id, updated_at=now)
                )
                timings["duckdb_bulk"].append(time.perf_counter() - t)
            t = time.perf_counter()
            whole.to_parquet(work / "bulk.parquet", index=False)
            timings["parquet_bulk"].append(time.perf_counter() - t)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {
        "pages": len(frames),
        "rows": total,
        "rounds": rounds,
        "parse_rows_per_s": total / parse_s,
        "bytes": sizes,
    }
    for name, values in timings.items():
        median = statistics.median(values)
        result[name] = {
            "median_s": median,
            "rows_per_s": total / median,
            "range_rows_per_s": [total / max(values), total / min(values)],
        }
    result["duckdb_vs_parquet"] = result["duckdb"]["rows_per_s"] / result["parquet"]["rows_per_s"]
    return result


def bench_utilization(seconds: float = 30.0, concurrency: int = 4) -> dict[str, Any]:
    """A download at 5/s: the server's accepted rate over 5/s, and its refusals."""
    import asyncio

    from kiwoom_history import HistoryStore
    from kiwoom_history.api import download_async
    from kiwoom_sandbox import RateLimit as ServerRateLimit
    from kiwoom_sandbox.symbols import Universe
    from kiwoom_typed import AsyncClient

    symbols = int(seconds * STRICT)
    universe = Universe.of_size(max(400, symbols))
    codes = [s.code for s in list(universe)[:symbols]]
    work = Path(tempfile.mkdtemp(prefix="kiwoom-bench-"))
    try:
        with RemoteSandbox(
            fixtures_dir=None, universe=universe, global_limit=ServerRateLimit(STRICT, 5)
        ) as sb:

            async def run() -> Any:
                async with AsyncClient(base_url=sb.base_url, env="sandbox", max_retries=0) as c:
                    await c.tokens.get()  # issued before the clock starts
                    sb.reset()
                    with HistoryStore(work / "u.duckdb") as store:
                        return await download_async(
                            c, codes=codes, start=START, end=END, db=store, concurrency=concurrency
                        )

            report = asyncio.run(run())
            decisions = [(t, ok) for t, api, ok in sb.decisions() if api == "ka10081"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    accepted = sorted(t for t, ok in decisions if ok)
    span = accepted[-1] - accepted[0]
    return {
        "symbols": symbols,
        "concurrency": concurrency,
        "pages": report.pages,
        "rows": report.rows,
        "elapsed_s": report.elapsed,
        "rows_per_s": report.rows / report.elapsed,
        "accepted": len(accepted),
        "rejections": sum(1 for _, ok in decisions if not ok),
        "utilization": (len(accepted) - 1) / (span * STRICT),
        "allowed_rate": STRICT,
        "failed": len(report.failed),
    }


def _download_command(base_url: str, db: Path, codes: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kiwoom_cli",
        "download",
        "daily",
        "--codes",
        ",".join(codes),
        "--from",
        "20150102",
        "--to",
        "20250131",
        "--db",
        str(db),
        "--base-url",
        base_url,
        "--rate",
        "20",
        "--quiet",
    ]


def bench_resume(rounds: int = 3, kill_after: int = 20) -> dict[str, Any]:
    """Kill a download after ``kill_after`` pages, start it again: time to its first request."""
    from kiwoom_history import HistoryStore
    from kiwoom_sandbox.symbols import Universe

    universe = Universe.of_size(400)
    codes = [s.code for s in list(universe)[:8]]  # ten years each: 5 pages of 600 rows
    first_request: list[float] = []
    refetched: list[int] = []
    rerun_s: list[float] = []
    with RemoteSandbox(fixtures_dir=None, universe=universe) as sb:
        work = Path(tempfile.mkdtemp(prefix="kiwoom-bench-"))
        try:
            sb.reset()
            subprocess.run(_download_command(sb.base_url, work / "c.duckdb", codes), check=True)
            total = sb.request_count("ka10081")  # pages of an uninterrupted run
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for _ in range(rounds):
            work = Path(tempfile.mkdtemp(prefix="kiwoom-bench-"))
            db = work / "r.duckdb"
            try:
                sb.reset()
                child = subprocess.Popen(
                    _download_command(sb.base_url, db, codes),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                while sb.request_count("ka10081") < kill_after:
                    time.sleep(0.005)
                os.kill(child.pid, signal.SIGKILL)
                child.wait()
                with HistoryStore(db, read_only=True) as store:
                    stored = sum(p.pages for p in store.all_progress())
                sb.reset()
                start = time.monotonic()
                done = subprocess.run(
                    _download_command(sb.base_url, db, codes), capture_output=True, check=True
                )
                rerun_s.append(time.monotonic() - start)
                assert done.returncode == 0
                stamps = [t for t, api, _ in sb.decisions() if api == "ka10081"]
                first_request.append(min(stamps) - start)
                refetched.append(sb.request_count("ka10081") - (total - stored))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return {
        "rounds": rounds,
        "pages_uninterrupted": total,
        "kill_after_pages": kill_after,
        "time_to_first_request_s": statistics.median(first_request),
        "time_to_first_request_range_s": [min(first_request), max(first_request)],
        "rerun_s": statistics.median(rerun_s),
        "pages_fetched_again": statistics.median(refetched),
    }


def bench_history() -> dict[str, Any]:
    log("9a. history storage: DuckDB vs to_parquet")
    storage = bench_storage()
    log("9b. history download at 5/s")
    utilization = bench_utilization(float(os.environ.get("BENCH_HISTORY_SECONDS", "30")))
    log("9c. history resume after SIGKILL")
    resume = bench_resume()
    return {"storage": storage, "utilization": utilization, "resume": resume}


if __name__ == "__main__":
    import json

    print(json.dumps(bench_history(), indent=2))
