"""Row shapes decided from the roles of a LIST's items: symbols, minutes, days (no TR code)."""

from __future__ import annotations

import datetime as dt

from codegen.spec import Field, ValueKind
from kiwoom_runtime.values import parse_signed_price
from kiwoom_sandbox.market import DEFAULT_MARKET_DATE, Market, business_days_back
from kiwoom_sandbox.synth import Series, compile_plan, generate_body


def _f(element: str, korean: str, kind: str | None, *items: Field) -> Field:
    return Field(
        element=element,
        korean=korean,
        type="LIST" if items else "String",
        required=False,
        length=None if items else 20,
        kind=None if kind is None else ValueKind(kind),
        items=items,
    )


QUOTE = (
    _f("stk_cd", "종목코드", "code"),
    _f("stk_nm", "종목명", "text"),
    _f("cur_prc", "현재가", "signed_price"),
    _f("pred_pre", "전일대비", "signed_number"),
    _f("flu_rt", "등락률", "decimal"),
)
RANKING = (_f("rank_list", "순위", None, *QUOTE),)
MINUTES = (
    _f("stk_cd", "종목코드", "code"),
    _f("ticks", "체결", None, _f("cntr_tm", "체결시간", "time"), _f("cur_prc", "현재가", None)),
)
DAILY = (_f("rows", "일별", None, _f("dt", "일자", "date"), _f("close_pric", "종가", None)),)


def test_series_follow_the_item_roles() -> None:
    assert compile_plan(RANKING).slots[0].series is Series.SYMBOLS
    assert compile_plan(MINUTES).slots[1].series is Series.MINUTES
    assert compile_plan(DAILY).slots[0].series is Series.DAYS


def test_rows_naming_symbols_walk_the_universe_across_pages() -> None:
    market = Market()
    seen: list[str] = []
    for page in range(3):
        body = generate_body(RANKING, api_id="zz00001", request={}, page=page, market=market)
        for row in body["rank_list"]:
            symbol = market.symbol(row["stk_cd"])
            assert row["stk_nm"] == symbol.name
            price = parse_signed_price(row["cur_prc"])
            assert price is not None
            assert price.price == market.close(row["stk_cd"], DEFAULT_MARKET_DATE)
            seen.append(row["stk_cd"])
    assert len(set(seen)) == len(seen) == 9


def test_rows_naming_symbols_follow_the_requested_codes() -> None:
    body = generate_body(
        (_f("stk_cd", "종목코드", "code"), *RANKING),
        api_id="zz00002",
        request={"stk_cd": "005930|000660_NX"},
        codes=["005930", "000660_NX"],
    )
    assert body["stk_cd"] == "005930"  # a list is no code: the field shows the first one
    assert [r["stk_cd"] for r in body["rank_list"]] == ["005930", "000660_NX"]
    assert [r["stk_nm"] for r in body["rank_list"]] == ["삼성전자", "SK하이닉스"]


def test_minute_rows_go_back_from_the_close_along_the_intraday_path() -> None:
    market = Market()
    body = generate_body(
        MINUTES, api_id="zz00003", request={"stk_cd": "000660"}, codes=["000660"], market=market
    )
    rows = body["ticks"]
    assert [r["cntr_tm"] for r in rows] == ["153000", "152900", "152800"]
    for row, minute in zip(rows, (390, 389, 388), strict=True):
        price = parse_signed_price(row["cur_prc"])
        assert price is not None
        assert price.price == market.price_at("000660", DEFAULT_MARKET_DATE, minute)


def test_daily_rows_start_at_the_requested_day() -> None:
    fields = DAILY
    asked = dt.date(2025, 1, 15)
    body = generate_body(
        fields, api_id="zz00004", request={}, codes=["005930"], day=asked, rows_per_page=4
    )
    days = [r["dt"] for r in body["rows"]]
    assert days == [business_days_back(asked, i).strftime("%Y%m%d") for i in range(4)]


def test_a_list_nested_in_rows_is_filled() -> None:
    fields = (_f("outer", "목록", None, _f("stk_cd", "종목코드", "code"), *DAILY),)
    body = generate_body(fields, api_id="zz00005", request={}, rows_per_page=2)
    for row in body["outer"]:
        assert len(row["rows"]) == 2
        assert row["rows"][0]["dt"] == DEFAULT_MARKET_DATE.strftime("%Y%m%d")
