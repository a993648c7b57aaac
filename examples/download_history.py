"""Market history into DuckDB, offline: ``python examples/download_history.py`` (``make demo``).

Starts the local sandbox (with history for every listed symbol), downloads a year of daily bars
of a few symbols into a DuckDB file with ``kiwoom_history.download`` (paced by the client's
rate limiter, resumable), runs it again to show that nothing is fetched twice, then reads the
result back with SQL and as a pandas DataFrame. The same as the command line::

    kiwoom-typed download daily --codes 005930,000660,035420,035720,005380 --from 20240201
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiwoom_history import HistoryStore, download, read_history
from kiwoom_runtime import RateLimit
from kiwoom_sandbox import Sandbox

CODES = ["005930", "000660", "035420", "035720", "005380"]
START, END = dt.date(2024, 2, 1), dt.date(2025, 1, 31)  # the sandbox's market date

QUERY = """
SELECT code,
       count(*)                                         AS days,
       arg_min(cur_prc, dt)                             AS first_close,
       arg_max(cur_prc, dt)                             AS last_close,
       round(100.0 * arg_max(cur_prc, dt) / arg_min(cur_prc, dt) - 100, 1) AS return_pct,
       max(high_pric)                                   AS year_high,
       count(*) FILTER (WHERE cur_prc_direction = 'up') AS up_days
FROM stock_daily
GROUP BY code
ORDER BY return_pct DESC
"""


def main(directory: Path) -> None:
    db = directory / "history.duckdb"
    with Sandbox() as sandbox:
        # After the close, so the market date's bar is final (at the sandbox's default 10:00
        # it would be the day so far, as on the live service during the session).
        sandbox.clock.set(dt.time(16, 0))
        # A fast limit for the demo; against Kiwoom keep the client's default (5/s).
        options: dict[str, Any] = {
            "base_url": sandbox.base_url,
            "env": "sandbox",
            "rate_limit": RateLimit(50),
        }
        report = download(chart="daily", codes=CODES, start=START, end=END, db=db, **options)
        print(report.summary())
        again = download(chart="daily", codes=CODES, start=START, end=END, db=db, **options)
        print(f"again: {again.requests} requests (everything is stored already)")
    with HistoryStore(db, read_only=True) as store:
        print(store.sql(QUERY).to_string(index=False))
    frame = read_history(db, codes=["005930"])
    print(frame[["dt", "cur_prc", "cur_prc_direction", "trde_qty"]].tail(3).to_string(index=False))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="kiwoom-history-") as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp))
