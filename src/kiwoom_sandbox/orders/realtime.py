"""Order events as the real-time feed sends them: type 00 주문체결 and type 04 잔고.

The live host sends type 00 for the token's account on every order event, whatever was
registered (shared/kiwoom-live-service.md), and 04 when a fill changes a holding. Field ids are
Kiwoom's (주문체결: 9203 주문번호, 913 주문상태, 910 체결가, 911 체결량, ...; 잔고: 930 보유수량,
931 매입단가, ...), the ids the WebSocket sandbox's field table lists for 00 and 04
(``realtime_fields.DEFAULT_FIELD_TABLE``); every value is a string, prices signed by their
direction against the previous close.

``connect(rest, ws)`` is the only wiring: it subscribes to the REST sandbox's order events and
pushes the frames to every logged-in client of a ``RealtimeSandbox`` (``RealtimeSandbox.push``),
so the WebSocket side needs no knowledge of orders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from kiwoom_sandbox.orders.engine import OrderEvent
from kiwoom_sandbox.orders.views import signed

if TYPE_CHECKING:
    from kiwoom_sandbox.server import Sandbox

ORDER_TYPE = ("00", "주문체결")
BALANCE_TYPE = ("04", "잔고")
_STATUS = {"order": "접수", "fill": "체결", "confirm": "확인"}
_EXCHANGE = {"KRX": ("1", "KRX", "N"), "NXT": ("2", "NXT", "N"), "SOR": ("0", "통합", "Y")}


class Pushes(Protocol):
    """What ``connect`` needs of the WebSocket side (``RealtimeSandbox.push``)."""

    def push(self, frame: Mapping[str, Any]) -> int: ...


def _io(event: OrderEvent) -> str:
    order = event.order
    side = "매수" if order.side == "buy" else "매도"
    if order.action == "cancel":
        return f"{side}취소"
    sign = "+" if order.side == "buy" else "-"
    return f"{sign}{side}{'정정' if order.action == 'modify' else ''}"


def order_values(event: OrderEvent) -> dict[str, str]:
    """The 00 주문체결 values of one event."""
    order, fill = event.order, event.fill
    price = signed(event.price, event.previous_close)
    when = fill.at if fill is not None else order.placed_at
    stex, stex_name, sor = _EXCHANGE.get(order.exchange, ("1", order.exchange, "N"))
    return {
        "9201": event.account_no,
        "9203": order.ord_no,
        "9205": "",
        "9001": order.code,
        "912": "JJ",
        "913": _STATUS[event.kind],
        "302": event.name,
        "900": str(order.qty),
        "901": str(order.price),
        "902": str(order.remaining),
        "903": str(order.filled_value),
        "904": order.orig_ord_no,
        "905": _io(event),
        "906": order.kind_name,
        "907": "1" if order.side == "sell" else "2",
        "908": when.strftime("%H%M%S"),
        "909": fill.no if fill is not None else "",
        "910": str(fill.price) if fill is not None else "",
        "911": str(fill.qty) if fill is not None else "",
        "10": price,
        "27": price,
        "28": price,
        "914": str(fill.price) if fill is not None else "",
        "915": str(fill.qty) if fill is not None else "",
        "938": str(order.commission),
        "939": str(order.tax),
        "919": "",
        "920": "",
        "921": "",
        "922": "03" if order.product == "credit" else "00",
        "923": order.loan_day.strftime("%Y%m%d") if order.loan_day else "",
        "10010": "",
        "2134": stex,
        "2135": stex_name,
        "2136": sor,
    }


def balance_values(event: OrderEvent) -> dict[str, str] | None:
    """The 04 잔고 values after a fill (None for events that move no shares)."""
    holding = event.holding
    if event.fill is None or holding is None:
        return None
    price = signed(event.price, event.previous_close)
    value = event.price * holding.qty
    pnl = value - holding.cost
    rate = Decimal(pnl) * 100 / Decimal(holding.cost) if holding.cost else Decimal(0)
    today = event.order.fills
    net = sum(f.qty for f in today) * (1 if event.order.side == "buy" else -1)
    return {
        "9201": event.account_no,
        "9001": holding.code,
        "917": "03" if holding.product == "credit" else "00",
        "916": holding.loan_day.strftime("%Y%m%d") if holding.loan_day else "",
        "302": event.name,
        "10": price,
        "930": str(holding.qty),
        "931": str(holding.average_price),
        "932": str(holding.cost),
        "933": str(holding.qty),
        "945": str(net),
        "946": "1" if event.order.side == "sell" else "2",
        "950": "0",
        "951": str(event.cash),
        "27": price,
        "28": price,
        "307": str(event.previous_close),
        "8019": f"{rate:.2f}",
        "957": str(holding.loan),
        "958": "0",
        "918": "",
        "990": "0",
        "991": "0.00",
        "992": "0",
        "993": "0.00",
        "959": "0",
        "924": "0",
    }


def frames(event: OrderEvent) -> list[dict[str, Any]]:
    """The REAL frames one event produces: always a 00, and a 04 after a fill."""
    if event.order.product == "us":
        return []  # the US feed's order types are not modelled
    code = event.order.code
    out = [_frame(ORDER_TYPE, code, order_values(event))]
    balance = balance_values(event)
    if balance is not None:
        out.append(_frame(BALANCE_TYPE, code, balance))
    return out


def _frame(kind: tuple[str, str], item: str, values: dict[str, str]) -> dict[str, Any]:
    record = {"type": kind[0], "name": kind[1], "item": item, "values": values}
    return {"trnm": "REAL", "data": [record]}


def connect(rest: Sandbox, ws: Pushes) -> Callable[[], None]:
    """Push the REST sandbox's order events to the WebSocket sandbox; returns a disconnect."""

    def forward(event: OrderEvent) -> None:
        for frame in frames(event):
            ws.push(frame)

    return rest.on_order_event(forward)
