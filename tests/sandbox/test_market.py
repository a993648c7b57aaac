"""The price path: KRX tick grid and limits, determinism, bars and the intraday path agree."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kiwoom_sandbox.market import (
    DEFAULT_MARKET_DATE,
    SESSION_MINUTES,
    Market,
    business_day,
    business_day_index,
    business_days_back,
    ceil_to_tick,
    floor_to_tick,
    minute_time,
    price_limits,
    round_to_tick,
    tick_size,
)
from kiwoom_sandbox.symbols import DEFAULT_UNIVERSE, Symbol, Universe, split_code, well_formed

# Listed, made up, an ETF, a cheap made-up one, and a code outside the universe.
CODES = ["005930", "000660", "069500", DEFAULT_UNIVERSE.symbols[100].code, "999990"]


@pytest.mark.parametrize(
    ("price", "tick"),
    [
        (1_999, 1),
        (2_000, 5),
        (4_995, 5),
        (5_000, 10),
        (19_990, 10),
        (20_000, 50),
        (49_950, 50),
        (50_000, 100),
        (199_900, 100),
        (200_000, 500),
        (499_500, 500),
        (500_000, 1_000),
    ],
)
def test_tick_size_bands(price: int, tick: int) -> None:
    assert tick_size(price) == tick


def test_etf_ticks() -> None:
    assert tick_size(1_999, etf=True) == 1 and tick_size(150_000, etf=True) == 5


def test_rounding_lands_on_the_grid() -> None:
    assert floor_to_tick(54_449) == 54_400 and ceil_to_tick(54_401) == 54_500
    assert round_to_tick(1_999.6) == 2_000 and round_to_tick(2_003) == 2_005
    assert floor_to_tick(0.2) == 1


def test_price_limits_match_krx() -> None:
    # 54,400 * 1.3 = 70,720 -> 70,700; 54,400 * 0.7 = 38,080 -> 38,100 (as Kiwoom shows them)
    assert price_limits(54_400) == (38_100, 70_700)


def test_business_days() -> None:
    friday = dt.date(2025, 1, 31)
    assert business_day(business_day_index(friday)) == friday
    assert business_day(business_day_index(dt.date(2025, 2, 2))) == friday  # Sunday -> Friday
    assert business_days_back(dt.date(2025, 2, 3), 1) == friday
    assert business_days_back(friday, 5) == dt.date(2025, 1, 24)
    assert minute_time(0) == dt.time(9, 0) and minute_time(SESSION_MINUTES) == dt.time(15, 30)


@pytest.mark.parametrize("code", CODES)
def test_bars_obey_the_krx_rules(code: str) -> None:
    market = Market(seed=3)
    etf = market.symbol(code).is_etf
    bars = market.bars(code, DEFAULT_MARKET_DATE + dt.timedelta(days=400), 1_500)
    for newer, older in itertools.pairwise(bars):
        assert newer.previous_close == older.close
        assert newer.day > older.day and newer.day.weekday() < 5
    for bar in bars:
        assert bar.lower_limit <= bar.low <= min(bar.open, bar.close)
        assert max(bar.open, bar.close) <= bar.high <= bar.upper_limit
        assert (bar.lower_limit, bar.upper_limit) == price_limits(bar.previous_close, etf=etf)
        for price in (bar.open, bar.high, bar.low, bar.close):
            assert price >= 1 and price % tick_size(price, etf=etf) == 0
        assert bar.volume > 0 and bar.value > 0
        at_limit = bar.close in (bar.lower_limit, bar.upper_limit)
        expected = "2" if bar.change > 0 else "3" if bar.change == 0 else "5"
        assert bar.sign_code == expected or (at_limit and bar.sign_code in ("1", "4"))


def test_deterministic_per_seed_symbol_and_day() -> None:
    day = DEFAULT_MARKET_DATE
    first, second = Market(seed=1), Market(seed=1)
    second.bar("000660", day - dt.timedelta(days=900))  # walk far back first: no effect
    second.bar("000660", day + dt.timedelta(days=300))
    assert first.bar("000660", day) == second.bar("000660", day)
    assert Market(seed=2).bar("000660", day) != first.bar("000660", day)
    assert first.bar("005930", day) != first.bar("000660", day)


def test_a_known_symbol_trades_near_its_level() -> None:
    market = Market()
    closes = [b.close for b in market.bars("005930", DEFAULT_MARKET_DATE, 250)]
    assert 54_400 / 3 < min(closes) and max(closes) < 54_400 * 3


@pytest.mark.parametrize("code", CODES)
def test_intraday_path_spans_the_bar(code: str) -> None:
    market = Market()
    day = DEFAULT_MARKET_DATE
    bar = market.bar(code, day)
    path = [market.price_at(code, day, m) for m in range(SESSION_MINUTES + 1)]
    assert path[0] == bar.open and path[-1] == bar.close
    assert max(path) == bar.high and min(path) == bar.low
    etf = market.symbol(code).is_etf
    assert all(p % tick_size(p, etf=etf) == 0 for p in path)
    minutes = [market.minute_bar(code, day, m) for m in range(1, SESSION_MINUTES + 1)]
    assert minutes[-1].close == bar.close and minutes[0].open == bar.open
    assert sum(m.volume for m in minutes) <= bar.volume


def test_extremes_cover_the_window() -> None:
    market = Market()
    bars = market.bars("000660", DEFAULT_MARKET_DATE, 250)
    found = market.extremes("000660", DEFAULT_MARKET_DATE, 250)
    assert found.high == max(b.high for b in bars) and found.low == min(b.low for b in bars)
    assert market.bar("000660", found.high_day).high == found.high


def test_universe() -> None:
    universe = Universe.default()
    assert len(universe) >= 300
    assert universe.get("005930") == Symbol("005930", "삼성전자", "KOSPI", 54_400)
    assert universe.get("000660_NX") is not None and universe.get("000660_AL") is not None
    assert universe.get("000660") == Symbol("000660", "SK하이닉스", "KOSPI", 173_900)
    codes = [s.code for s in universe]
    assert len(set(codes)) == len(codes) and all(well_formed(c) for c in codes)
    assert len({s.name for s in universe}) == len(codes)
    assert "999990" not in universe
    bigger = universe.with_symbols({"999990": "샌드박스전자"})
    assert bigger.get("999990_NX") == Symbol("999990", "샌드박스전자")
    with pytest.raises(ValueError, match="KRX code"):
        universe.with_symbols({"12345": "짧은코드"})


def test_codes() -> None:
    assert split_code("005930_NX") == ("005930", "_NX") and split_code("005930") == ("005930", "")
    assert well_formed("00088K") and not well_formed("5930") and not well_formed("005930_XX")
