"""A sandbox with history for the download tests, and helpers to count and fingerprint tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiwoom_history import HistoryStore
from kiwoom_runtime import RateLimit
from kiwoom_sandbox import Sandbox, Symbol
from kiwoom_sandbox.market import DEFAULT_MARKET_DATE
from kiwoom_sandbox.orders import TradingConfig
from kiwoom_sandbox.symbols import Universe
from tests.sandbox._helpers import make_config

#: Listed on 2024-11-04: a download from earlier stops at its listing (cont-yn N).
YOUNG = Symbol("123450", "샌드박스신규", "KOSDAQ", 10_000, listed=dt.date(2024, 11, 4))
MARKET_DATE = DEFAULT_MARKET_DATE  # 2025-01-31, a Friday
FAST = RateLimit(200, 20)  # the limiter still paces, far above what the tests need


def history_config(**changes: Any) -> Any:
    """Small pages, so a year of daily bars spans several of them."""
    universe = Universe.of_size(400).with_symbols([YOUNG])
    settings: dict[str, Any] = {
        "universe": universe,
        "chart_page_rows": 100,
        "intraday_page_rows": 300,
        # Downloads of final days: the paper clock's day so far is the sandbox's own test.
        "trading": TradingConfig(quotes_follow_clock=False),
        **changes,
    }
    return make_config(**settings)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(history_config()) as sb:
        yield sb


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.duckdb"


def client_options(sandbox: Sandbox, **extra: Any) -> dict[str, Any]:
    return {"base_url": sandbox.base_url, "env": "sandbox", "rate_limit": FAST, **extra}


def fingerprint(db: Path, table: str = "stock_daily") -> tuple[int, str]:
    """(rows, a hash of every value but the download time), to compare two files."""
    with HistoryStore(db, read_only=True) as store:
        found = store.con.execute(
            f"SELECT count(*), md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) "
            f"FROM (SELECT * EXCLUDE (fetched_at) FROM {table}) t"
        ).fetchone()
    assert found is not None
    return int(found[0]), str(found[1])


def business_days(start: dt.date, end: dt.date) -> int:
    """Weekdays from start to end (the sandbox models no holidays)."""
    return sum(
        1 for n in range((end - start).days + 1) if (start + dt.timedelta(days=n)).weekday() < 5
    )
