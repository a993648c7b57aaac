"""``kiwoom-typed download``: chart history into a DuckDB file, resumable and incremental.

    kiwoom-typed download daily --codes 005930,000660 --from 20240101
    kiwoom-typed download daily --market kosdaq --from 20230101 --db krx.duckdb --parquet out/
    kiwoom-typed download minute --codes 005930 --scope 5 --from 20250101 --raw
    kiwoom-typed download daily --asset us --market us --from 20240101
    kiwoom-typed download daily --asset sector --codes 001,101

Rerun the same command after an interruption to resume, or later to fetch what is new. The
target is chosen as for ``call`` (``--env`` defaults to an embedded sandbox). Exit codes: 0 ok,
1 some symbols failed or the server refused, 2 bad input, 130 interrupted (rerun to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from typing import Any

from kiwoom_history.names import ASSETS, INTERVALS

__all__ = ["add_arguments", "run"]


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.replace("-", ""), "%Y%m%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYYMMDD, got {text!r}") from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("chart", choices=INTERVALS, help="bar interval")
    what = parser.add_argument_group("what")
    what.add_argument("--asset", choices=ASSETS, default="stock", help="default: %(default)s")
    pick = what.add_mutually_exclusive_group(required=True)
    pick.add_argument("--codes", help="comma-separated codes (stk_cd, inds_cd or US tickers)")
    pick.add_argument(
        "--market",
        help="a whole market: kospi, kosdaq, etf, all (ka10099); us (usa10099)",
    )
    what.add_argument("--from", dest="start", type=_date, help="YYYYMMDD (default: all history)")
    what.add_argument("--to", dest="end", type=_date, help="YYYYMMDD (default: today, KST)")
    what.add_argument("--raw", action="store_true", help="raw prices (default: adjusted, 수정주가)")
    what.add_argument("--scope", type=int, default=1, help="minutes (ticks) per intraday bar")
    where = parser.add_argument_group("where")
    where.add_argument("--db", default="history.duckdb", help="DuckDB file (default: %(default)s)")
    where.add_argument("--parquet", metavar="DIR", help="also export each table as Parquet")
    how = parser.add_argument_group("how")
    how.add_argument("--concurrency", type=int, default=4, help="symbols in flight (default: 4)")
    how.add_argument(
        "--rate", type=_positive, default=5.0, help="requests per second in all (default: 5)"
    )
    how.add_argument("--rate-per-api", type=_positive, help="requests per second per TR")
    how.add_argument("--burst", type=int, default=2, help="burst of --rate-per-api (default: 2)")
    how.add_argument("--quiet", action="store_true", help="no progress bar")
    target = parser.add_argument_group("target")
    target.add_argument("--env", choices=("prod", "mock", "sandbox"), default=None)
    target.add_argument("--base-url", help="any base URL; a loopback one is taken for a sandbox")
    target.add_argument("--timeout", type=_positive, default=10.0, help="seconds per request")
    return parser


def _client_options(args: argparse.Namespace) -> dict[str, Any]:
    from kiwoom_cli.main import _is_loopback
    from kiwoom_runtime import RateLimit, RateLimiter

    per_api = RateLimit(args.rate_per_api, max(1, args.burst)) if args.rate_per_api else None
    options: dict[str, Any] = {
        "timeout": args.timeout,
        "max_retries": 0,  # every 1700 reaches the downloader, which pauses all workers
        "rate_limit": RateLimiter(RateLimit(args.rate), default_per_api=per_api),
    }
    env = args.env
    if args.base_url is None:
        env = env or "sandbox"
    elif env is None and _is_loopback(args.base_url):
        env = "sandbox"
    if args.base_url is not None:
        options["base_url"] = args.base_url
    if env is not None:
        options["env"] = env
    return options


def run(args: argparse.Namespace) -> int:
    """The download the options describe; the exit code."""
    from kiwoom_history.api import download_async
    from kiwoom_history.progress import ProgressBar
    from kiwoom_history.store import HistoryStore
    from kiwoom_typed import AsyncClient

    if args.concurrency < 1 or args.scope < 1:
        print("error: --concurrency and --scope must be at least 1", file=sys.stderr)
        return 2
    codes = [c.strip() for c in args.codes.split(",") if c.strip()] if args.codes else None
    bar = ProgressBar(sys.stderr, force=False)
    if args.quiet:
        bar.enabled = False

    async def main() -> int:
        async with AsyncClient(**_client_options(args)) as client:
            with HistoryStore(args.db) as store:
                report = await download_async(
                    client,
                    chart=args.chart,
                    asset=args.asset,
                    codes=codes,
                    market=args.market,
                    start=args.start,
                    end=args.end,
                    adjusted=not args.raw,
                    scope=args.scope,
                    db=store,
                    concurrency=args.concurrency,
                    on_progress=bar.update,
                )
                bar.close()
                if args.parquet:
                    for path in store.export_parquet(args.parquet):
                        print(f"wrote {path}", file=sys.stderr)
        print(report.summary())
        for code, why in sorted(report.failed.items()):
            print(f"failed {code}: {why}", file=sys.stderr)
        return 0 if report.ok else 1

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        bar.close()
        print("interrupted: every page stored so far is kept; rerun to resume", file=sys.stderr)
        return 130
