"""The fault matrix again, on the real order TRs: kt10000 매수, kt10001 매도, kt10002 정정,
kt10003 취소, through the typed client's generated methods, against the paper-trading sandbox.

Every fault of ``test_fault_matrix.FAULTS`` hits the order call; the expected outcome is the
matrix's ``unsafe`` column (a TR that must never be resent), and the sandbox counts the sends:
an order is sent at most once, except after an answer that proves it was not processed (1700
rate limits, 8005 token errors). Beyond the original matrix, each cell asks the engine what
really happened, and every ambiguous failure is reconciled: a fault that comes after the
sandbox took the order (a late answer, a reset, a cut body) must reconcile as LANDED, one that
comes instead of it (an HTTP error page, a proxy's HTML) as NOT_FOUND.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from kiwoom_orders import ReconcileOutcome
from kiwoom_runtime import KiwoomError, OrderStateUnknownError
from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.market import price_limits
from kiwoom_typed import AsyncClient, Client
from tests.reliability.conftest import APPKEY, FAST_RETRY, SECRETKEY, sends
from tests.reliability.test_fault_matrix import (
    DEFAULT_TIMEOUT,
    DELAY_TIMEOUT,
    FAULTS,
    MATRIX,
    Err,
    Ok,
)

ORDER_TRS = ("kt10000", "kt10001", "kt10002", "kt10003")
CODE = "005930"
LANDED, NOT_FOUND = ReconcileOutcome.LANDED, ReconcileOutcome.NOT_FOUND

#: What reconciling an ambiguous failure finds: did the fault come after the order was taken?
RECONCILED: dict[str, ReconcileOutcome] = {
    "http_500": NOT_FOUND,
    "http_502": NOT_FOUND,
    "http_503": NOT_FOUND,
    "http_503_x3": NOT_FOUND,
    "timeout": LANDED,
    "reset_mid_body": LANDED,
    "html_page": NOT_FOUND,
    "truncated_json": LANDED,
}


@attrs.define
class Seen:
    error: BaseException | None = None
    placed: int = 0
    """Order records the target call left in the paper account (0 or 1)."""
    reconciled: ReconcileOutcome | None = None
    issues: int = 0


def _kwargs(sb: Sandbox, fault: str) -> dict[str, Any]:
    timeout = DELAY_TIMEOUT if FAULTS[fault].kind == "delay" else DEFAULT_TIMEOUT
    return {
        "appkey": APPKEY,
        "secretkey": SECRETKEY,
        "base_url": sb.base_url,
        "timeout": timeout,
        "retry": FAST_RETRY,
        "rate_limit": None,
    }


def _inject(sb: Sandbox, api_id: str, fault: str) -> None:
    spec = FAULTS[fault]
    params = dict(spec.params)
    if "return_msg" in params:
        params["return_msg"] = params["return_msg"].format(api=api_id)
    sb.inject(api_id, spec.kind, count=spec.count, **params)


def _far_bid(sb: Sandbox) -> str:
    bar = sb.app._market(sb.config).bar(CODE, sb.config.market_date)
    return str(price_limits(bar.previous_close)[0])


def _requests(sb: Sandbox, target: str, setup: str | None) -> dict[str, dict[str, str]]:
    """The target call's arguments; ``setup`` is the order number it modifies or cancels."""
    base = {"dmst_stex_tp": "KRX", "stk_cd": CODE}
    far = _far_bid(sb)
    return (
        {
            "kt10000": {**base, "ord_qty": "3", "ord_uv": far, "trde_tp": "0"},
            "kt10001": {**base, "ord_qty": "2", "trde_tp": "3"},
            "kt10002": {
                **base,
                "orig_ord_no": setup or "",
                "mdfy_qty": "0",
                "mdfy_uv": str(int(far) + 50),
            },
            "kt10003": {**base, "orig_ord_no": setup or "", "cncl_qty": "0"},
        }[target]
        if target in ORDER_TRS
        else {}
    )


METHODS = {
    "kt10000": "place_stock_buy_order",
    "kt10001": "place_stock_sell_order",
    "kt10002": "modify_stock_order",
    "kt10003": "cancel_stock_order",
}


def _setup_body(sb: Sandbox, target: str) -> tuple[str, dict[str, str]] | None:
    """What the account needs first: shares to sell, or a resting order to change."""
    if target == "kt10001":
        return "place_stock_buy_order", {
            "dmst_stex_tp": "KRX",
            "stk_cd": CODE,
            "ord_qty": "5",
            "trde_tp": "3",
        }
    if target in ("kt10002", "kt10003"):
        return "place_stock_buy_order", {
            "dmst_stex_tp": "KRX",
            "stk_cd": CODE,
            "ord_qty": "4",
            "ord_uv": _far_bid(sb),
            "trde_tp": "0",
        }
    return None


def _placed(sb: Sandbox, api_id: str) -> int:
    return sum(1 for o in sb.orders.state.orders if o.api_id == api_id)


def run_sync(sb: Sandbox, fault: str, target: str) -> Seen:
    seen = Seen()
    with Client(**_kwargs(sb, fault)) as client:
        setup = _setup_body(sb, target)
        number = getattr(client, setup[0])(**setup[1]).ord_no if setup else None
        before = _placed(sb, target)
        _inject(sb, target, fault)
        try:
            answer = getattr(client, METHODS[target])(**_requests(sb, target, number))
            assert answer.ord_no
        except KiwoomError as exc:
            seen.error = exc
        sb.wait_idle()
        seen.placed = _placed(sb, target) - before
        if isinstance(seen.error, OrderStateUnknownError):
            seen.reconciled = seen.error.reconcile().outcome
        seen.issues = client.tokens.issue_count
    return seen


async def run_async(sb: Sandbox, fault: str, target: str) -> Seen:
    seen = Seen()
    async with AsyncClient(**_kwargs(sb, fault)) as client:
        setup = _setup_body(sb, target)
        number = (await getattr(client, setup[0])(**setup[1])).ord_no if setup else None
        before = _placed(sb, target)
        _inject(sb, target, fault)
        try:
            answer = await getattr(client, METHODS[target])(**_requests(sb, target, number))
            assert answer.ord_no
        except KiwoomError as exc:
            seen.error = exc
        await asyncio.to_thread(sb.wait_idle)
        seen.placed = _placed(sb, target) - before
        if isinstance(seen.error, OrderStateUnknownError):
            seen.reconciled = (await seen.error.areconcile()).outcome
        seen.issues = client.tokens.issue_count
    return seen


def _cells() -> list[Any]:
    return [
        pytest.param(fault, target, row[2], id=f"{fault}-{target}")
        for fault, row in MATRIX.items()
        for target in ORDER_TRS
    ]


@pytest.fixture
def paper(sb: Sandbox) -> Sandbox:
    sb.wait_idle()
    sb.orders.reset()
    sb.clear_requests()
    return sb


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("fault", "target", "expected"), _cells())
def test_order_fault_cell(
    paper: Sandbox, mode: str, fault: str, target: str, expected: Ok | Err
) -> None:
    run: Callable[[Sandbox, str, str], Seen] = (
        run_sync if mode == "sync" else lambda *a: asyncio.run(run_async(*a))
    )
    seen = run(paper, fault, target)
    spec = FAULTS[fault]
    sent = sends(paper, target)

    if isinstance(expected, Ok):
        assert seen.error is None, f"expected transparent recovery, got {seen.error!r}"
        assert seen.placed == 1
    else:
        assert type(seen.error) is expected.type, repr(seen.error)
        if expected.cause is not None:
            assert isinstance(seen.error, OrderStateUnknownError)
            assert type(seen.error.cause) is expected.cause, repr(seen.error.cause)
            assert "NOT resent" in str(seen.error)
            truth = LANDED if seen.placed else NOT_FOUND
            assert seen.reconciled is truth is RECONCILED[fault]
        else:
            assert seen.placed == 0  # refused or never processed
    assert sent == expected.sends, f"the sandbox saw {sent} sends of {target}"
    # an order is sent at most once, unless an answer proved it was not processed
    if not spec.proves_unprocessed:
        assert sent == 1
    assert seen.placed <= 1, "one call never leaves two orders"
    assert seen.issues == (2 if spec.refreshes_token else 1)
