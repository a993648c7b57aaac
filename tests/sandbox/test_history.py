"""Chart history and symbol lists over real HTTP: rows end at base_dt and page back along the
price path to the listing date; weekly/monthly rows aggregate days; intraday rows are bars of
tic_scope minutes; ka10099 lists a whole market with listing dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from kiwoom_runtime import ArgumentError, KiwoomError
from kiwoom_sandbox import Sandbox, Symbol
from kiwoom_sandbox.history import Interval, chart_interval
from kiwoom_sandbox.market import Market, business_day_index, business_days_back
from kiwoom_sandbox.orders import TradingConfig
from kiwoom_sandbox.symbols import DEFAULT_UNIVERSE, Universe
from kiwoom_typed import Client
from tests.sandbox._helpers import make_config

YOUNG = Symbol("123450", "샌드박스신규", "KOSDAQ", 10_000, listed=dt.date(2024, 11, 4))
DAY = dt.date(2025, 1, 31)
WHOLE_DAYS = TradingConfig(quotes_follow_clock=False)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    universe = Universe.of_size(600).with_symbols([YOUNG])
    config = make_config(
        universe=universe,
        chart_page_rows=100,
        intraday_page_rows=500,
        trading=WHOLE_DAYS,  # history of final days; the clock's day so far is tested apart
    )
    with Sandbox(config) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[Client]:
    with Client(base_url=sandbox.base_url, env="sandbox", rate_limit=None) as c:
        yield c


def rows(client: Client, api_id: str, **arguments: Any) -> tuple[list[dict[str, Any]], int]:
    """Every row of every page (as sent), and the number of pages."""
    pager = client.paginate(api_id, **arguments)
    out: list[dict[str, Any]] = []
    for page in pager:
        out += [dict(r) for r in page.to_dict()[pager.endpoint.list_key]]
    return out, pager.pages_fetched


def test_interval_from_name_and_menu() -> None:
    menu = "국내주식 > 차트 > {}"
    assert chart_interval("주식일봉차트조회요청", menu) is Interval.DAY
    assert chart_interval("주식주봉차트조회요청", menu) is Interval.WEEK
    assert chart_interval("업종분봉조회요청", menu) is Interval.MINUTE
    assert chart_interval("미국주식 분기 차트", "미국주식 > 차트 > x") is Interval.QUARTER
    assert chart_interval("주식틱차트조회요청", menu) is Interval.TICK
    assert chart_interval("주식일봉차트조회요청", "국내주식 > 시세 > x") is None


def test_daily_rows_page_back_to_the_listing_date(client: Client) -> None:
    got, pages = rows(client, "ka10081", stk_cd=YOUNG.code, base_dt="20250130", upd_stkpc_tp="1")
    days = [dt.datetime.strptime(r["dt"], "%Y%m%d").date() for r in got]
    assert days[0] == dt.date(2025, 1, 30) and days[-1] == YOUNG.listed_on
    expected = business_day_index(days[0]) - business_day_index(days[-1]) + 1
    assert len(days) == len(set(days)) == expected  # every business day once, newest first
    assert days == sorted(days, reverse=True)
    assert pages == -(-expected // 100)  # 100-row pages, the last one short
    market = Market(0, DEFAULT_UNIVERSE.with_symbols([YOUNG]))
    for row, day in zip(got, days, strict=True):
        assert int(row["cur_prc"].lstrip("+-")) == market.close(YOUNG.code, day)


def test_base_dt_picks_the_newest_row_and_pages_continue(sandbox: Sandbox) -> None:
    with Client(base_url=sandbox.base_url, env="sandbox", rate_limit=None) as client:
        first = client.get_stock_daily_chart(stk_cd="005930", base_dt="20240614", upd_stkpc_tp="0")
        assert first.raw.cont_yn and first.raw.next_key is not None
        assert first.raw.next_key.startswith("A005930")
        page_rows = first.stk_dt_pole_chart_qry
        assert page_rows[0].dt == "20240614" and len(page_rows) == 100
        second = client.get_stock_daily_chart(
            stk_cd="005930",
            base_dt="20240614",
            upd_stkpc_tp="0",
            cont_yn=True,
            next_key=first.raw.next_key,
        )
        oldest = dt.datetime.strptime(page_rows[-1].dt or "", "%Y%m%d").date()
        assert second.stk_dt_pole_chart_qry[0].dt == f"{business_days_back(oldest, 1):%Y%m%d}"


def test_weekly_and_monthly_rows_aggregate_their_days(client: Client) -> None:
    market = Market()
    weekly, _ = rows(client, "ka10082", stk_cd="000660", base_dt="20250131", upd_stkpc_tp="1")
    assert weekly[0]["dt"] == "20250127"  # the week's Monday
    assert int(weekly[0]["cur_prc"].lstrip("+-")) == market.close("000660", DAY)
    week = market.bars("000660", DAY, 5)
    assert int(weekly[0]["high_pric"].lstrip("+-")) == max(b.high for b in week)
    assert int(weekly[0]["trde_qty"]) == sum(b.volume for b in week)
    assert int(weekly[1]["cur_prc"].lstrip("+-")) == market.close("000660", dt.date(2025, 1, 24))
    monthly, _ = rows(client, "ka10083", stk_cd="000660", base_dt="20250131", upd_stkpc_tp="1")
    assert [r["dt"] for r in monthly[:2]] == ["20250101", "20241202"]
    assert monthly[-1]["dt"] == "20000104"  # history_start


def test_minute_bars_follow_tic_scope(client: Client) -> None:
    first = client.get_stock_minute_chart(
        stk_cd="005930", tic_scope="5", upd_stkpc_tp="1", base_dt="20250131"
    )
    stamps = [r.cntr_tm for r in first.stk_min_pole_chart_qry]
    assert stamps[:3] == ["20250131153000", "20250131152500", "20250131152000"]
    assert len(stamps) == 500 and "20250131090500" in stamps and "20250131090000" not in stamps
    assert stamps[78] == "20250130153000"  # 78 five-minute bars a day
    market = Market()
    assert int(first.stk_min_pole_chart_qry[0].cur_prc.lstrip("+-")) == market.close("005930", DAY)  # type: ignore[union-attr]


def test_a_foreign_next_key_is_refused(client: Client) -> None:
    with pytest.raises(KiwoomError):
        client.get_stock_daily_chart(
            stk_cd="005930", base_dt="20250131", upd_stkpc_tp="1", cont_yn=True, next_key="XYZ"
        )


def test_symbol_list_names_a_whole_market(client: Client, sandbox: Sandbox) -> None:
    universe = sandbox.config.universe
    kospi = client.list_stock_info(mrkt_tp="0").list_
    assert {r.code for r in kospi} == {s.code for s in universe if s.market in ("KOSPI", "ETF")}
    kosdaq = client.list_stock_info(mrkt_tp="10").list_
    assert {r.code for r in kosdaq} == {s.code for s in universe if s.market == "KOSDAQ"}
    young = next(r for r in kosdaq if r.code == YOUNG.code)
    assert young.reg_day == "20241104"
    assert client.list_stock_info(mrkt_tp="3").list_ == ()  # ELW: none listed
    with pytest.raises(ArgumentError):
        client.list_stock_info(mrkt_tp="99")  # type: ignore[arg-type]


def test_universe_of_size_extends_the_default() -> None:
    big = Universe.of_size(2500)
    assert len(big) == 2500 and big.symbols[: len(DEFAULT_UNIVERSE)] == DEFAULT_UNIVERSE.symbols
    assert len({s.code for s in big}) == 2500 and len({s.name for s in big}) == 2500
    assert Universe.of_size(2500) == big  # deterministic


def test_on_the_paper_clock_charts_end_at_its_minute() -> None:
    """At 10:00 the day's daily row is the day so far and the minute chart ends at 10:00:
    the same price ka10001 shows and a market order fills at."""
    with (
        Sandbox(make_config()) as sb,
        Client(appkey="app", secretkey="secret", base_url=sb.base_url) as client,
    ):
        sb.clock.set(dt.time(10, 0))
        market = Market(sb.config.seed, sb.config.universe)
        at_ten = market.price_at("000660", DAY, 60)
        daily = client.get_stock_daily_chart(stk_cd="000660", base_dt="20250131", upd_stkpc_tp="1")
        today = daily.stk_dt_pole_chart_qry[0]
        assert (today.dt, int(today.cur_prc.lstrip("+-"))) == ("20250131", at_ten)  # type: ignore[union-attr]
        assert int(today.trde_qty or 0) < market.bar("000660", DAY).volume
        minute = client.get_stock_minute_chart(
            stk_cd="000660", tic_scope="1", upd_stkpc_tp="1", base_dt="20250131"
        )
        newest = minute.stk_min_pole_chart_qry[0]
        assert newest.cntr_tm == "20250131100000"
        assert int(newest.cur_prc.lstrip("+-")) == at_ten  # type: ignore[union-attr]
        quote = client.get_stock_info(stk_cd="000660").typed.cur_prc
        assert quote is not None and quote.price == at_ten
        sb.clock.set(dt.time(8, 30))  # before the open: the day has no bar yet
        daily = client.get_stock_daily_chart(stk_cd="000660", base_dt="20250131", upd_stkpc_tp="1")
        assert daily.stk_dt_pole_chart_qry[0].dt == "20250130"
