"""Downloads over real HTTP against a sandbox: every bar once, resumable, incremental, and a
1700 storm slows a run without failing it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from kiwoom_cli.main import main
from kiwoom_history import DownloadStats, HistoryStore, download, read_history
from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.market import Market
from tests.history.conftest import (
    MARKET_DATE,
    YOUNG,
    business_days,
    client_options,
    fingerprint,
    history_config,
)

# Real downloads (a sandbox each, seconds): make test, not the quick gate.
pytestmark = pytest.mark.slow

CODES = ["005930", "000660", "035720"]
START = dt.date(2024, 1, 1)
INVALID = "입력값 오류[1511:필수입력값에 값이 존재하지 않습니다]"
RATE_LIMITED = (
    "허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID=ka10081]"
)


def test_every_business_day_is_stored_once_with_the_path_prices(sandbox: Sandbox, db: Path) -> None:
    report = download(codes=CODES, start=START, end=MARKET_DATE, db=db, **client_options(sandbox))
    assert report.ok and report.completed == 3 and report.requests == report.pages
    days = business_days(START, MARKET_DATE)
    assert report.pages == 3 * -(-days // 100)  # 100-row pages
    frame = read_history(db, codes=CODES)
    assert frame.groupby("code").size().to_dict() == dict.fromkeys(CODES, days)
    market = Market(0, sandbox.config.universe)
    for row in frame.sample(20, random_state=1).itertuples():
        assert row.cur_prc == market.close(row.code, row.dt.date())
    with HistoryStore(db, read_only=True) as store:
        progress = store.all_progress("stock_daily")
    assert {(p.oldest, p.newest, p.through, p.back_to) for p in progress} == {
        (START, MARKET_DATE, MARKET_DATE, START)
    }
    again = download(codes=CODES, start=START, end=MARKET_DATE, db=db, **client_options(sandbox))
    assert again.requests == 0  # complete: nothing is asked again


def test_a_young_symbol_stops_at_its_listing(sandbox: Sandbox, db: Path) -> None:
    report = download(
        codes=[YOUNG.code],
        start=dt.date(2020, 1, 1),
        end=MARKET_DATE,
        db=db,
        **client_options(sandbox),
    )
    assert report.ok
    with HistoryStore(db, read_only=True) as store:
        (progress,) = store.all_progress()
    assert progress.listing_reached and progress.oldest == YOUNG.listed_on
    assert progress.newest == MARKET_DATE
    again = download(
        codes=[YOUNG.code],
        start=dt.date(2010, 1, 1),
        end=MARKET_DATE,
        db=db,
        **client_options(sandbox),
    )
    assert again.requests == 0  # nothing older exists


def test_an_incremental_update_adds_exactly_the_new_days(sandbox: Sandbox, db: Path) -> None:
    download(
        codes=CODES, start=START, db=db, **client_options(sandbox)
    )  # end: today -> the market date
    before = read_history(db, codes=CODES)
    later = MARKET_DATE + dt.timedelta(days=10)  # two weeks later, a Monday
    sandbox.configure(market_date=later)
    report = download(codes=CODES, start=START, db=db, **client_options(sandbox))
    assert report.ok and report.pages == 3  # one page per symbol: the new days
    after = read_history(db, codes=CODES)
    new_days = business_days(MARKET_DATE + dt.timedelta(days=1), later)
    assert len(after) == len(before) + 3 * new_days
    old = after[after["dt"] <= before["dt"].max()].drop(columns="fetched_at")
    assert old.reset_index(drop=True).equals(before.drop(columns="fetched_at"))  # unchanged


def test_extending_the_range_back_fetches_only_the_older_pages(sandbox: Sandbox, db: Path) -> None:
    download(codes=["005930"], start=START, end=MARKET_DATE, db=db, **client_options(sandbox))
    report = download(
        codes=["005930"],
        start=dt.date(2023, 1, 2),
        end=MARKET_DATE,
        db=db,
        **client_options(sandbox),
    )
    # From base_dt = the oldest day stored: 2023 is 260 days, one overlapping row.
    assert report.pages == -(-(business_days(dt.date(2023, 1, 2), START) + 1) // 100)
    frame = read_history(db, codes=["005930"])
    assert len(frame) == business_days(dt.date(2023, 1, 2), MARKET_DATE) == frame["dt"].nunique()


def test_an_older_window_keeps_the_stored_days_contiguous(sandbox: Sandbox, db: Path) -> None:
    download(codes=["005930"], start=START, end=MARKET_DATE, db=db, **client_options(sandbox))
    older = dt.date(2022, 1, 3), dt.date(2022, 6, 30)
    download(codes=["005930"], start=older[0], end=older[1], db=db, **client_options(sandbox))
    frame = read_history(db, codes=["005930"])
    assert len(frame) == frame["dt"].nunique() == business_days(older[0], MARKET_DATE)
    with HistoryStore(db, read_only=True) as store:
        (progress,) = store.all_progress()
    assert (progress.oldest, progress.back_to) == (older[0], older[0])


def test_a_1700_storm_slows_the_run_without_failing_it(
    sandbox: Sandbox, db: Path, tmp_path: Path
) -> None:
    clean = tmp_path / "clean.duckdb"
    download(codes=CODES, start=START, end=MARKET_DATE, db=clean, **client_options(sandbox))
    sandbox.inject("*", "error", count=6, return_code=5, return_msg=RATE_LIMITED)
    report = download(
        codes=CODES, start=START, end=MARKET_DATE, db=db, concurrency=3, **client_options(sandbox)
    )
    assert report.ok and report.rate_limited == 6
    assert report.requests == report.pages + 6  # each refused page asked again, none lost
    assert fingerprint(db) == fingerprint(clean)


def test_a_symbol_that_fails_is_recorded_and_resumed(
    sandbox: Sandbox, db: Path, tmp_path: Path
) -> None:
    clean = tmp_path / "clean.duckdb"
    args = {"chart": "minute", "codes": ["005930"], "start": dt.date(2025, 1, 27)}
    download(db=clean, end=MARKET_DATE, **args, **client_options(sandbox))  # type: ignore[arg-type]

    injected: list[bool] = []

    def refuse_after_the_first_page(stats: DownloadStats) -> None:
        if stats.pages == 1 and not injected:  # the next page: an error no retry can fix
            injected.append(True)
            sandbox.inject("ka10080", "error", return_code=1, return_msg=INVALID)

    first = download(
        db=db,
        end=MARKET_DATE,
        on_progress=refuse_after_the_first_page,
        **args,  # type: ignore[arg-type]
        **client_options(sandbox),
    )
    assert not first.ok and "1511" in first.failed["005930"]
    with HistoryStore(db, read_only=True) as store:
        (progress,) = store.all_progress()
    assert progress.error is not None and progress.pages == 1 and progress.back_to is None
    second = download(db=db, end=MARKET_DATE, **args, **client_options(sandbox))  # type: ignore[arg-type]
    assert second.ok
    assert fingerprint(db, "stock_minute") == fingerprint(clean, "stock_minute")


def test_other_charts_and_assets(sandbox: Sandbox, db: Path) -> None:
    common = {
        "start": dt.date(2025, 1, 30),
        "end": MARKET_DATE,
        "db": db,
        **client_options(sandbox),
    }
    assert download(chart="tick", codes=["005930"], scope=10, **common).ok  # type: ignore[arg-type]
    assert download(chart="daily", asset="sector", codes=["001"], **common).ok  # type: ignore[arg-type]
    weekly = {**common, "start": dt.date(2025, 1, 20)}  # a week's row is dated by its Monday
    assert download(chart="weekly", asset="us", market="us", **weekly).ok  # type: ignore[arg-type]
    ticks = read_history(db, chart="tick", codes=["005930"])
    assert len(ticks) == 2 * 234 and ticks["cntr_tm"].dt.tz is not None  # 2340 trades / 10
    sector = read_history(db, chart="daily", asset="sector")
    assert str(sector["cur_prc"].dtype) == "float64" and len(sector) == 2
    us = read_history(db, chart="weekly", asset="us")
    assert set(us["code"]) == {
        "AAPL",
        "MSFT",
        "NVDA",
        "TSLA",
        "AMZN",
        "GOOGL",
        "META",
        "QQQ",
        "SPY",
    }


def test_the_command_line_downloads_and_exports_parquet(
    sandbox: Sandbox, db: Path, tmp_path: Path, capsys: object
) -> None:
    argv = [
        "download",
        "daily",
        "--codes",
        "005930,000660",
        "--from",
        "20241201",
        "--to",
        "20250131",
        "--db",
        str(db),
        "--parquet",
        str(tmp_path / "out"),
        "--base-url",
        sandbox.base_url,
        "--rate",
        "100",
    ]
    assert main(argv) == 0
    path = tmp_path / "out" / "stock_daily.parquet"
    count = duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()
    assert count == [(2 * business_days(dt.date(2024, 12, 1), MARKET_DATE),)]
    assert main([*argv[:2], "--market", "nowhere", "--db", str(db)]) == 2


def test_a_day_fetched_while_it_traded_is_fetched_again(sandbox: Sandbox, db: Path) -> None:
    """Downloaded at 10:00 on the market date, the last day is not final: the next run
    replaces it (one page); once it is final, nothing is asked again."""
    import asyncio

    from kiwoom_history import Downloader, chart_for
    from kiwoom_runtime.values import KST
    from kiwoom_typed import AsyncClient

    async def run(now: dt.datetime) -> int:
        async with AsyncClient(**client_options(sandbox)) as client:
            with HistoryStore(db) as store:
                downloader = Downloader(client, store, now=lambda: now)
                chart = chart_for("stock", "daily")
                report = await downloader.run(chart, ["005930"], start=START, end=MARKET_DATE)
                return report.requests

    def through() -> dt.date | None:
        with HistoryStore(db, read_only=True) as store:
            (progress,) = store.all_progress()
        return progress.through

    during = dt.datetime.combine(MARKET_DATE, dt.time(10), KST)
    after = dt.datetime.combine(MARKET_DATE + dt.timedelta(days=1), dt.time(9), KST)
    asyncio.run(run(during))
    assert through() == MARKET_DATE - dt.timedelta(days=1)
    assert asyncio.run(run(during)) == 1 and through() == MARKET_DATE - dt.timedelta(days=1)
    assert asyncio.run(run(after)) == 1 and through() == MARKET_DATE
    assert asyncio.run(run(after)) == 0
    frame = read_history(db, codes=["005930"])
    assert len(frame) == frame["dt"].nunique() == business_days(START, MARKET_DATE)


def test_two_hundred_symbols_times_two_years_with_the_limit_raised(db: Path) -> None:
    """The scale the sandbox is for: 200 listed symbols, two years of daily bars each."""
    with Sandbox(history_config(chart_page_rows=600)) as sb:
        codes = [s.code for s in list(sb.config.universe)[:200]]
        start = dt.date(MARKET_DATE.year - 2, MARKET_DATE.month, MARKET_DATE.day)
        report = download(codes=codes, start=start, end=MARKET_DATE, db=db, **client_options(sb))
        listed = {s.code: s.listed_on for s in sb.config.universe if s.code in codes}
    assert report.ok and report.completed == 200
    sizes = read_history(db, codes=codes).groupby("code").size().to_dict()
    expected = {c: business_days(max(start, listed[c]), MARKET_DATE) for c in codes}
    assert sizes == {c: n for c, n in expected.items() if n > 0}
    assert sum(sizes.values()) > 150 * business_days(start, MARKET_DATE)  # mostly full histories
