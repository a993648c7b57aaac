"""After an ambiguous failure an order is never resent; ``error.reconcile()`` asks the status
APIs whether it landed. Real HTTP against the sandbox, whose faults decide the truth: a reset or
a late answer comes after the order was taken (it landed), an HTTP 500 comes instead of taking
it (it did not)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from kiwoom_orders import AsyncOrders, Orders, ReconcileOutcome
from kiwoom_runtime import APITimeoutError, KiwoomError, OrderStateUnknownError, RetryPolicy
from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.market import price_limits
from kiwoom_typed import AsyncClient, Client
from tests.orders.conftest import CODE, config

FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02, jitter=0.0)
LATE = {"delay": 1.0}  # the sandbox answers a second after taking the order


@pytest.fixture(scope="module")
def _sandbox() -> Iterator[Sandbox]:
    with Sandbox(config()) as sb:
        yield sb


@pytest.fixture
def sb(_sandbox: Sandbox) -> Sandbox:
    _sandbox.wait_idle()
    _sandbox.clear_faults()
    _sandbox.orders.reset()
    _sandbox.clear_requests()
    return _sandbox


def client(sb: Sandbox, timeout: float = 2.0) -> Client:
    return Client(env="sandbox", base_url=sb.base_url, timeout=timeout, retry=FAST, rate_limit=None)


def far_bid(sb: Sandbox) -> int:
    bar = sb.app._market(sb.config).bar(CODE, sb.config.market_date)
    return price_limits(bar.previous_close)[0]


def fails(call: Any) -> OrderStateUnknownError:
    with pytest.raises(OrderStateUnknownError) as caught:
        call()
    return caught.value


def test_an_order_taken_then_cut_off_is_found(sb: Sandbox) -> None:
    with client(sb) as c:
        sb.inject("kt10000", "reset")  # the answer is cut mid-body, after the order was taken
        error = fails(
            lambda: c.place_stock_buy_order(
                dmst_stex_tp="KRX", stk_cd=CODE, ord_qty="3", ord_uv=str(far_bid(sb)), trde_tp="0"
            )
        )
        assert len(sb.requests_for("kt10000")) == 1  # never resent
        assert error.request == {
            "dmst_stex_tp": "KRX",
            "stk_cd": CODE,
            "ord_qty": "3",
            "ord_uv": str(far_bid(sb)),
            "trde_tp": "0",
        }
        assert error.intent.side == "buy" and error.intent.qty == "3"
        result = error.reconcile()
    assert (result.outcome, result.order_no, result.source) == (
        ReconcileOutcome.LANDED,
        "0000001",
        "kt00007",
    )


def test_an_order_refused_by_a_proxy_is_not_found(sb: Sandbox) -> None:
    with client(sb) as c:
        sb.inject("kt10000", "http_error", status=500)  # a proxy answered: nothing was taken
        error = fails(lambda: Orders(c).buy(CODE, 3, price=far_bid(sb)))
        result = error.reconcile()
    assert result.not_found and result.order_no is None
    assert "none matches" in result.reason


def test_modifies_and_cancels_are_reconciled_by_their_original(sb: Sandbox) -> None:
    with client(sb) as c:
        orders = Orders(c)
        placed = orders.buy(CODE, 5, price=far_bid(sb))
        sb.inject("kt10002", "reset")
        error = fails(lambda: orders.modify(placed.order_no, price=far_bid(sb) + 50, code=CODE))
        modified = error.reconcile()
        assert modified.landed and modified.order_no == "0000002"
        sb.inject("kt10003", "reset")
        error = fails(lambda: orders.cancel(modified.order_no, code=CODE))
        cancelled = error.reconcile()
        assert cancelled.landed and cancelled.order_no == "0000003"
        sb.inject("kt10003", "http_error", status=502)
        error = fails(lambda: orders.cancel(placed.order_no, code=CODE))
        assert error.reconcile().not_found  # no second cancel of that order exists


def test_identical_orders_sent_elsewhere_are_ambiguous_without_a_baseline(sb: Sandbox) -> None:
    with client(sb) as other:  # another program on the same account
        known = [Orders(other).buy(CODE, 1, kind="3").order_no for _ in range(2)]
    with client(sb) as c:
        sb.inject("kt10000", "reset")
        error = fails(lambda: Orders(c).buy(CODE, 1, kind="3"))
        ambiguous = error.reconcile()
        assert ambiguous.unknown and "3 orders match" in ambiguous.reason
        assert error.reconcile(exclude=known).order_no == "0000003"
        assert error.reconcile(after=known[-1]).order_no == "0000003"
        # the client's own earlier orders are left out by themselves
        mine = Orders(c).buy(CODE, 1, kind="3").order_no
        sb.inject("kt10000", "reset")
        error = fails(lambda: Orders(c).buy(CODE, 1, kind="3"))
        assert error.reconcile(exclude=[*known, "0000003"]).order_no == "0000005"
        assert mine == "0000004"
        # a baseline taken before sending tells the order from every earlier one
        sb.inject("kt10000", "reset")
        error = fails(lambda: Orders(c, baseline=True).buy(CODE, 1, kind="3"))
        found = error.reconcile()
        assert found.order_no == "0000006" and "no baseline" not in found.reason


def test_a_failing_status_query_never_claims_absence(sb: Sandbox) -> None:
    with client(sb) as c:
        orders = Orders(c)
        sb.inject("kt10000", "reset")
        error = fails(lambda: orders.buy(CODE, 2, price=far_bid(sb)))
        sb.inject("kt00007", "http_error", count=3, status=503)
        found = error.reconcile()  # kt00007 failed; 미체결 (ka10075) confirms the order
        assert (found.outcome, found.source) == (ReconcileOutcome.LANDED, "ka10075")
        sb.inject("kt10000", "http_error", status=500)
        error = fails(lambda: orders.buy(CODE, 7, price=far_bid(sb)))
        sb.inject("kt00007", "http_error", count=3, status=503)
        unknown = error.reconcile()  # 미체결 / 체결 cannot prove an order is not there
        assert unknown.unknown and unknown.order_no is None


@pytest.mark.slow  # waits out a client timeout
def test_a_timeout_is_reconciled(sb: Sandbox) -> None:
    with client(sb, timeout=0.3) as c:
        sb.inject("kt10000", "delay", **LATE)
        error = fails(lambda: Orders(c).buy(CODE, 3, kind="3"))
        assert isinstance(error.cause, APITimeoutError)
        assert error.reconcile().order_no == "0000001"
        with pytest.raises(KiwoomError, match=r"use error\.reconcile"):
            asyncio.run(error.areconcile())


@pytest.mark.slow  # waits out a client timeout
def test_the_async_client_reconciles_too(sb: Sandbox) -> None:
    async def scenario() -> Any:
        async with AsyncClient(
            env="sandbox", base_url=sb.base_url, timeout=0.3, retry=FAST, rate_limit=None
        ) as c:
            sb.inject("kt10000", "delay", **LATE)
            with pytest.raises(OrderStateUnknownError) as caught:
                await AsyncOrders(c).buy(CODE, 3, kind="3")
            with pytest.raises(KiwoomError, match=r"await error\.areconcile"):
                caught.value.reconcile()
            return await caught.value.areconcile()

    result = asyncio.run(scenario())
    assert result.landed and result.order_no == "0000001"
    assert len(sb.requests_for("kt10000")) == 1
