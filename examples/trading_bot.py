"""A small trading bot: places, partially fills, modifies and cancels orders, survives a timeout
by reconciling, and checks that the account says what it expects.

    python examples/trading_bot.py

It runs against the paper-trading sandbox (no credentials, nothing leaves this machine): the
sandbox fills at most 4 shares per order and minute, so the bot sees partial fills, and one of
its orders is answered too late (a delay injected at the sandbox), so it gets an
``OrderStateUnknownError`` and must find out whether that order landed. The bot itself only
uses the typed client and ``kiwoom_orders``, so the same ``run`` works against the mock host
with ``Client(env="mock")`` and a ``wait`` that sleeps.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from kiwoom_orders import Orders, PlacedOrder, ReconcileResult, krx_tick_size
from kiwoom_runtime import OrderStateUnknownError
from kiwoom_typed import Client

CODE = "005930"


@attrs.define
class Report:
    """What the bot did and what the account says at the end."""

    log: list[str] = attrs.field(factory=list)
    reconciled: ReconcileResult | None = None
    held: int = 0
    open_orders: int = 0
    orders_sent: int = 0
    filled_value: int = 0
    fees: int = 0
    start_cash: int = 0
    end_cash: int = 0
    """예수금 D+2 (d2_entra): cash once every trade of the day has settled."""

    def say(self, line: str) -> None:
        self.log.append(line)


def _placed(result: Any) -> PlacedOrder:
    assert isinstance(result, PlacedOrder)  # dry_run=False always places
    return result


def _open(client: Client) -> dict[str, Any]:
    """Open orders by number (미체결, ka10075)."""
    rows = client.get_open_orders_pages(all_stk_tp="0", trde_tp="0", stex_tp="0").items()
    return {row.ord_no: row for row in rows}


def run(
    client: Client,
    *,
    wait: Callable[[int], None],
    ledger: Path,
    before: Callable[[str], None] = lambda step: None,
) -> Report:
    """Trade one day's worth; ``wait(minutes)`` lets the market move, ``before(step)`` is
    called before each order (the demo injects a fault there)."""
    report = Report()
    orders = Orders(client, ledger=ledger, etf=False)
    deposit = client.get_deposit_detail_status(qry_tp="3").typed
    report.start_cash = int(deposit.d2_entra or 0)
    quote = client.get_stock_info(stk_cd=CODE).typed
    assert quote.lst_pric is not None and quote.upl_pric is not None
    lower, upper = quote.lst_pric.price, quote.upl_pric.price
    report.say(f"{CODE}: limits {lower}-{upper}, cash {report.start_cash:,} won")

    # 1. a market buy of 10: the market gives 4 shares a minute
    before("market buy")
    first = _placed(orders.buy(CODE, 10, client_order_id="bot-1", limits=(lower, upper)))
    left = _open(client)[first.order_no].oso_qty
    report.say(f"bought 10 at market as {first.order_no}: {left} still open")
    wait(1)
    left = _open(client)[first.order_no].oso_qty
    report.say(f"a minute later {left} still open")

    # 2. a patient bid far below the market, then moved up to the market: it fills
    before("patient bid")
    bid = lower + 10 * krx_tick_size(lower)
    patient = _placed(orders.buy(CODE, 5, price=bid, client_order_id="bot-2"))
    report.say(f"bid 5 at {bid} as {patient.order_no}: resting")
    (holding,) = client.get_account_evaluation_balance(
        qry_tp="1", dmst_stex_tp="KRX"
    ).acnt_evlt_remn_indv_tot
    last = int(holding.cur_prc or 0)
    moved = _placed(orders.modify(patient.order_no, price=last + krx_tick_size(last)))
    report.say(f"moved {patient.order_no} to {last + krx_tick_size(last)} as {moved.order_no}")

    # 3. an offer at the upper limit that nobody takes, cancelled
    before("offer")
    offer = _placed(orders.sell(CODE, 4, price=upper, client_order_id="bot-3"))
    cancelled = _placed(orders.cancel(offer.order_no))
    report.say(f"offered 4 at {upper} as {offer.order_no}, cancelled as {cancelled.order_no}")

    # 4. a top-up whose answer never comes: never resend, ask the status APIs instead
    before("top-up")
    try:
        _placed(orders.buy(CODE, 2, client_order_id="bot-4"))
        report.say("topped up 2 at market")
    except OrderStateUnknownError as error:
        report.say(f"top-up: no answer ({type(error.cause).__name__}); reconciling")
        report.reconciled = error.reconcile()
        report.say(f"top-up: {report.reconciled}")
        if report.reconciled.not_found:  # safe to send again, under a new id
            _placed(orders.buy(CODE, 2, client_order_id="bot-4b"))

    # 5. let the market fill the rest, then read the account
    wait(5)
    report.open_orders = len(_open(client))
    balance = client.get_account_evaluation_balance(qry_tp="1", dmst_stex_tp="KRX")
    report.held = sum(int(row.rmnd_qty or 0) for row in balance.acnt_evlt_remn_indv_tot)
    fills = client.get_execution_pages(qry_tp="0", sell_tp="0", stex_tp="0")  # ka10076 체결
    for row in fills.items():
        report.filled_value += int(row.cntr_pric or 0) * int(row.cntr_qty or 0)
        report.fees += int(row.tdy_trde_cmsn or 0) + int(row.tdy_trde_tax or 0)
    report.orders_sent = len(orders.ledger.entries()) if orders.ledger else 0
    report.end_cash = int(client.get_deposit_detail_status(qry_tp="3").typed.d2_entra or 0)
    report.say(
        f"end: {report.held} shares, {report.open_orders} open orders, cash {report.end_cash:,} won"
    )
    return report


def demo() -> Report:
    """The bot against a fresh sandbox, with the timeout injected at the top-up."""
    from kiwoom_sandbox import Sandbox, SandboxConfig
    from kiwoom_sandbox.orders import TradingConfig

    config = SandboxConfig(trading=TradingConfig(max_fill_per_minute=4))
    with tempfile.TemporaryDirectory() as tmp, Sandbox(config) as sb:

        def before(step: str) -> None:
            if step == "top-up":  # the answer comes after the client gave up waiting
                sb.inject("kt10000", "delay", delay=1.0)

        def wait(minutes: int) -> None:
            sb.clock.advance(minutes=minutes)  # the sandbox's market moves on at once

        # No client-side throttling against a local sandbox; keep the default against Kiwoom.
        with Client(env="sandbox", base_url=sb.base_url, timeout=0.5, rate_limit=None) as client:
            report = run(client, wait=wait, ledger=Path(tmp) / "ledger.sqlite", before=before)
        sb.wait_idle()
    return report


def main() -> None:
    for line in demo().log:
        print(" ", line)


if __name__ == "__main__":
    main()
