"""Order events as the real-time feed sends them: types 00 주문체결 / 04 잔고 for domestic
orders, F4 미국주식 실시간 주문 확인 / F5 미국주식 실시간 체결 for US ones.

The live host sends type 00 for the token's account on every order event, whatever was
registered (shared/kiwoom-live-service.md), and 04 when a fill changes a holding. Field ids are
Kiwoom's (주문체결: 9203 주문번호, 913 주문상태, 910 체결가, 911 체결량, ...; 잔고: 930 보유수량,
931 매입단가, ...), the ids the WebSocket sandbox's field table lists for 00 and 04
(``realtime_fields.DEFAULT_FIELD_TABLE``); every value is a string, prices signed by their
direction against the previous close.

A US order sends F4 when it is taken and when a modify or cancel takes effect, F5 on each fill
(specs/websocket/F4.yaml, F5.yaml: every documented id, "0" or "" where the paper account has
no value). Prices are dollars with four decimals as ust21510 and the specs' examples print them
(``views.usd``); 905 주문구분 is 10 원주문 / 11 정정 / 12 취소, 907 매도수구분 01 / 02. The item is
the symbol (``NVDA``), and F4 carries the record's documented ``stexTp`` (the order's exchange).

``connect(rest, ws)`` is the only wiring: it subscribes to the REST sandbox's order events and
pushes the frames to the logged-in clients of a ``RealtimeSandbox`` (``RealtimeSandbox.push``)
on the path that documents the type (00 / 04 domestic, F4 / F5 ``/api/us/websocket``), so the
WebSocket side needs no knowledge of orders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from kiwoom_sandbox.orders.engine import OrderEvent
from kiwoom_sandbox.orders.views import percent, signed, usd

if TYPE_CHECKING:
    from kiwoom_sandbox.server import Sandbox

ORDER_TYPE = ("00", "주문체결")
BALANCE_TYPE = ("04", "잔고")
US_ORDER_TYPE = ("F4", "해외주식주문")
US_FILL_TYPE = ("F5", "해외주식체결")
_STATUS = {"order": "접수", "fill": "체결", "confirm": "확인"}
_EXCHANGE = {"KRX": ("1", "KRX", "N"), "NXT": ("2", "NXT", "N"), "SOR": ("0", "통합", "Y")}
_US_ACTION = {"new": "10", "modify": "11", "cancel": "12"}
# 8046 거래소코드 and 55190 국가코드: the values the F4 / F5 examples show (ust21070's example
# has the same 000030); nothing documents a code per exchange, so every US order gets these.
_US_EXCHANGE_CODE = "000030"
_US_COUNTRY_CODE = "001"


class Pushes(Protocol):
    """What ``connect`` needs of the WebSocket side (``RealtimeSandbox.push``)."""

    def push(self, frame: Mapping[str, Any], *, market: str | None = None) -> int: ...


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


def _us_values(event: OrderEvent) -> dict[str, str]:
    """The values F4 and F5 share: the order as it was taken."""
    order = event.order
    return {
        "9201": event.account_no,
        "9203": order.ord_no,
        "9001": order.code,
        "905": _US_ACTION[order.action],
        "907": "01" if order.side == "sell" else "02",
        "904": order.orig_ord_no,
        "900": str(order.qty),
        "901": usd(order.price),
        "913": _STATUS[event.kind],
        "908": order.placed_at.strftime("%H%M%S"),
        "50810": usd(order.cond_price),
        "8043": "USD",
        "50841": "0",  # not a reservation order (예약구분)
        "55190": _US_COUNTRY_CODE,
        "1091": "미국",
        "50072": "매도" if order.side == "sell" else "매수",
        "302": event.name,
        "50073": order.kind_name,
    }


def us_order_values(event: OrderEvent) -> dict[str, str]:
    """The F4 미국주식 실시간 주문 확인 values of a US order taken, modified or cancelled."""
    return {**_us_values(event), "906": event.order.kind}


def us_fill_values(event: OrderEvent) -> dict[str, str] | None:
    """The F5 미국주식 실시간 체결 values of one US fill (None for events that fill nothing)."""
    order, fill, holding = event.order, event.fill, event.holding
    if fill is None or holding is None:
        return None
    pnl = event.price * holding.qty - holding.cost  # as 04 values the holding: at the price now
    return {
        **_us_values(event),
        # F5 documents these status texts (주문전송, 부분체결, 체결완료, ...)
        "913": "부분체결" if order.remaining else "체결완료",
        "908": fill.at.strftime("%H%M%S"),
        "8046": _US_EXCHANGE_CODE,
        "902": str(order.remaining),
        "909": fill.no,
        "910": usd(fill.price),
        "911": str(fill.qty),
        "930": str(holding.qty),
        "931": usd(holding.average_price),
        "934": str(order.filled if order.side == "sell" else 0),
        "936": str(order.filled if order.side == "buy" else 0),
        "8004": "0",
        "8005": "0",
        "8018": usd(pnl),
        "8019": f"{percent(pnl, holding.cost):.2f}",
        "8075": usd(order.tax),
        "13006": usd(order.commission),
        "50724": "0",
        "50725": "0",
        "50844": "0",
    }


def frames(event: OrderEvent) -> list[dict[str, Any]]:
    """The REAL frames one event produces: a 00, and a 04 after a fill; for a US order an F4
    (taken, modified, cancelled) or an F5 (a fill)."""
    code = event.order.code
    if event.order.product == "us":
        fill = us_fill_values(event)
        if fill is not None:
            return [_frame(US_FILL_TYPE, code, fill)]
        # F4's record documents stexTp (거래소구분); F5's does not
        return [_frame(US_ORDER_TYPE, code, us_order_values(event), stexTp=event.order.exchange)]
    out = [_frame(ORDER_TYPE, code, order_values(event))]
    balance = balance_values(event)
    if balance is not None:
        out.append(_frame(BALANCE_TYPE, code, balance))
    return out


def market(event: OrderEvent) -> str:
    """The path an event's frames go out on: ``"us"`` (F4 / F5) or ``"dom"`` (00 / 04)."""
    return "us" if event.order.product == "us" else "dom"


def _frame(
    kind: tuple[str, str], item: str, values: dict[str, str], **record: str
) -> dict[str, Any]:
    data = {"type": kind[0], "name": kind[1], "item": item, **record, "values": values}
    return {"trnm": "REAL", "data": [data]}


def connect(rest: Sandbox, ws: Pushes) -> Callable[[], None]:
    """Push the REST sandbox's order events to the WebSocket sandbox; returns a disconnect."""

    def forward(event: OrderEvent) -> None:
        for frame in frames(event):
            ws.push(frame, market=market(event))

    return rest.on_order_event(forward)
