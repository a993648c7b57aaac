"""Checks before sending, against the KRX rules as published, and the dry run.

The tick table below is copied from KRX's 호가가격단위 (since 2023-01-25, 유가증권시장 and
코스닥시장 업무규정 시행세칙): the band a price falls in decides its tick. The client's
``krx_tick_size`` and the sandbox's ``tick_size`` are two implementations; both must give the
published table, and the daily limits (기준가 ±30 %, rounded inwards to the tick) must agree.
"""

from __future__ import annotations

import pytest

from kiwoom_orders import DryRun, Orders, krx_price_limits, krx_tick_size
from kiwoom_runtime import ArgumentError, Endpoint
from kiwoom_runtime.orders import OrderIntent, check_order, order_intent
from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.market import price_limits, tick_size
from kiwoom_typed import REGISTRY, Client
from tests.orders.conftest import config

#: (lowest price of the band, tick) for stocks, KOSPI and KOSDAQ alike (KRX, 2023-01-25).
KRX_STOCK_TABLE = [
    (1, 1),  # 2,000원 미만: 1원
    (2_000, 5),  # 2,000원 이상 5,000원 미만: 5원
    (5_000, 10),  # 5,000원 이상 20,000원 미만: 10원
    (20_000, 50),  # 20,000원 이상 50,000원 미만: 50원
    (50_000, 100),  # 50,000원 이상 200,000원 미만: 100원
    (200_000, 500),  # 200,000원 이상 500,000원 미만: 500원
    (500_000, 1_000),  # 500,000원 이상: 1,000원
]
#: ETF / ETN: 2,000원 미만 1원, 이상 5원.
KRX_ETF_TABLE = [(1, 1), (2_000, 5)]


def _bands(table: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every band edge and the price just below it, with the tick the table gives."""
    cases = []
    for i, (low, tick) in enumerate(table):
        cases.append((low, tick))
        if i:
            cases.append((low - 1, table[i - 1][1]))
    return cases


@pytest.mark.parametrize(("price", "tick"), _bands(KRX_STOCK_TABLE))
def test_stock_ticks_follow_the_published_table(price: int, tick: int) -> None:
    assert krx_tick_size(price) == tick
    assert tick_size(price) == tick  # the sandbox's engine refuses by the same table


@pytest.mark.parametrize(("price", "tick"), _bands(KRX_ETF_TABLE))
def test_etf_ticks_follow_the_published_table(price: int, tick: int) -> None:
    assert krx_tick_size(price, etf=True) == tick
    assert tick_size(price, etf=True) == tick


@pytest.mark.parametrize(
    "reference", [1_000, 1_995, 4_990, 19_990, 54_400, 62_600, 199_900, 345_500, 956_000, 2_000_000]
)
def test_daily_limits_agree_with_the_sandbox(reference: int) -> None:
    lower, upper = krx_price_limits(reference)
    assert (lower, upper) == price_limits(reference)
    assert upper <= reference * 1.3 and lower >= reference * 0.7
    assert upper % krx_tick_size(upper) == 0 and lower % krx_tick_size(lower) == 0


def intent(**changes: str) -> OrderIntent:
    base = {
        "api_id": "kt10000",
        "action": "new",
        "side": "buy",
        "market": "domestic",
        "code": "005930",
        "qty": "10",
        "price": "62000",
        "orig_ord_no": "",
        "exchange": "KRX",
    }
    return OrderIntent(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"qty": "0"}, "ord_qty"),
        ({"qty": "1.5"}, "ord_qty"),
        ({"qty": "-1"}, "ord_qty"),
        ({"qty": ""}, "ord_qty"),
        ({"price": "62050"}, None),  # fine on the ETF grid: not known to be a stock
        ({"price": "62003"}, "price"),
        ({"price": "62000.5"}, "price"),
        ({"exchange": "NYSE"}, "dmst_stex_tp"),
    ],
)
def test_check_order(changes: dict[str, str], argument: str | None) -> None:
    if argument is None:
        check_order(intent(**changes))
        return
    with pytest.raises(ArgumentError) as caught:
        check_order(intent(**changes))
    assert caught.value.argument == argument


def test_a_stock_is_held_to_the_stock_grid_and_to_known_limits() -> None:
    with pytest.raises(ArgumentError, match="62000 or 62100"):
        check_order(intent(price="62050"), etf=False)
    check_order(intent(price="62050"), etf=True)
    with pytest.raises(ArgumentError, match="limits 43850-81300"):
        check_order(intent(price="81400"), limits=(43_850, 81_300))
    check_order(intent(price="81300"), limits=(43_850, 81_300))


def test_the_mock_host_takes_krx_orders_only() -> None:
    check_order(intent(exchange="NXT"))
    with pytest.raises(ArgumentError, match="RC9000"):
        check_order(intent(exchange="NXT"), env="mock")


def test_us_prices_are_dollars_and_cents() -> None:
    us = {"market": "us", "code": "AAPL", "exchange": "ND", "price": "213.04", "api_id": "u"}
    check_order(intent(**us))
    with pytest.raises(ArgumentError, match="cents"):
        check_order(intent(**{**us, "price": "213.045"}))


def test_modify_and_cancel_take_zero_for_every_share_left() -> None:
    check_order(intent(action="modify", qty="0", orig_ord_no="0000001"))
    check_order(intent(action="cancel", qty="0", price="", orig_ord_no="0000001"))


def test_the_intent_comes_from_the_documented_names_and_keys() -> None:
    endpoint = REGISTRY["kt10002"].endpoint
    body = {
        "dmst_stex_tp": "KRX",
        "orig_ord_no": "0000139",
        "stk_cd": "005930",
        "mdfy_qty": "1",
        "mdfy_uv": "199700",
    }
    assert order_intent(endpoint, body) == intent(
        api_id="kt10002",
        action="modify",
        side=None,
        qty="1",
        price="199700",
        orig_ord_no="0000139",
    )
    us = order_intent(
        REGISTRY["ust20001"].endpoint,
        {"stk_cd": "NVDA", "ord_qty": "3", "ord_uv": "213.04", "stex_tp": "ND"},
    )
    assert (us.market, us.side, us.price) == ("us", "sell", "213.04")
    assert order_intent(Endpoint("x", "주식 취소주문", "/p"), {}).action == "cancel"


def test_a_dry_run_shows_the_exact_request_and_sends_nothing() -> None:
    with Sandbox(config()) as sb, Client(env="sandbox", base_url=sb.base_url) as client:
        shown = Orders(client).buy("005930", 10, price=62000, dry_run=True)
        assert isinstance(shown, DryRun)
        assert shown.url == f"{sb.base_url}/api/dostk/ordr"
        assert shown.headers["authorization"] == "Bearer ***"
        assert shown.headers["api-id"] == "kt10000"
        assert shown.body == {
            "dmst_stex_tp": "KRX",
            "stk_cd": "005930",
            "ord_qty": "10",
            "ord_uv": "62000",
            "trde_tp": "0",
        }
        assert "Bearer ***" in str(shown) and '"ord_uv": "62000"' in str(shown)
        with pytest.raises(ArgumentError):  # the checks run on a dry run too
            Orders(client).buy("005930", 0, dry_run=True)
        assert sb.requests == []  # not even a token was asked for


def test_the_order_table_agrees_with_the_method_names_the_rules_gave() -> None:
    from kiwoom_orders import ORDER_TRS

    for (product, action), api_id in ORDER_TRS.items():
        info = REGISTRY[api_id]
        expected = (
            f"place_{product}_{action}_order"
            if action in ("buy", "sell")
            else f"{action}_{product}_order"
        )
        assert info.method_name == expected, api_id
        assert info.endpoint.retry_safe is False, api_id
