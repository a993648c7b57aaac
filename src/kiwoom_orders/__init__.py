"""Orders you can trust, over the typed client: checks before sending, a dry run, a client
order id ledger, and reconciliation after an ambiguous failure.

    from kiwoom_typed import Client
    from kiwoom_orders import Orders

    with Client(env="mock") as client:
        orders = Orders(client, ledger="orders.sqlite")
        placed = orders.buy("005930", 10, price=70_000, client_order_id="bot-0001")
        placed.order_no                       # '0012345'
        orders.modify(placed.order_no, price=69_900)
        orders.cancel(placed.order_no)

What each call does: build the typed request (the generated model checks required fields,
lengths and allowed values), :func:`kiwoom_runtime.orders.check_order` (quantity, KRX tick
size, daily limits when known, exchange), claim the client order id in the ledger (never sent
twice), send through the client (its tokens, rate limits, retries, logging: an order is never
resent after an ambiguous failure), record the outcome. ``dry_run=True`` stops before sending
and returns the exact request, the token masked. An ``OrderStateUnknownError`` keeps the ledger
and the id: ``error.reconcile()`` asks the order-status APIs and records what they say.
"""

from kiwoom_orders.desk import ORDER_TRS, AsyncOrders, Orders, PlacedOrder
from kiwoom_runtime.orders import (
    DryRun,
    DuplicateClientOrderIdError,
    OrderLedger,
    ReconcileOutcome,
    ReconcileResult,
    krx_price_limits,
    krx_tick_size,
)

__all__ = [
    "ORDER_TRS",
    "AsyncOrders",
    "DryRun",
    "DuplicateClientOrderIdError",
    "OrderLedger",
    "Orders",
    "PlacedOrder",
    "ReconcileOutcome",
    "ReconcileResult",
    "krx_price_limits",
    "krx_tick_size",
]
