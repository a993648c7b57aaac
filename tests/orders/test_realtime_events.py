"""Order events on the WebSocket: the REST sandbox's orders reach a logged-in client as type 00
주문체결 (taken, filled) and 04 잔고 frames, with no registration (the live host sends 00 for the
token's account whatever was registered); US orders as F4 미국주식 실시간 주문 확인 (taken,
modified, cancelled) and F5 미국주식 실시간 체결 (filled) on the US path."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect

from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.orders import OrderEvent
from kiwoom_sandbox.orders.realtime import connect, frames
from kiwoom_sandbox.orders.views import usd
from kiwoom_sandbox.realtime import RealtimeSandbox
from kiwoom_typed.realtime import MODELS
from tests.orders.conftest import DAY, Paper, config

SAFETY = 20.0


def test_orders_and_fills_arrive_as_00_and_04_frames() -> None:
    with Sandbox(config()) as rest:
        ws = RealtimeSandbox(token_validator=rest.app.tokens.valid, rate=0, ping_interval=None)
        with ws:
            disconnect = connect(rest, ws)
            token = rest.issue_token()
            headers = {"api-id": "kt10000", "authorization": f"Bearer {token}"}
            body = {"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "3", "trde_tp": "3"}

            async def scenario() -> list[dict[str, Any]]:
                async with ws_connect(ws.url) as socket:
                    await socket.send(json.dumps({"trnm": "LOGIN", "token": token}))
                    while json.loads(await socket.recv()).get("trnm") != "LOGIN":
                        pass
                    # the order is taken and filled at once (a market order)
                    reply = rest.app.handle(
                        "POST", "/api/dostk/ordr", headers, json.dumps(body).encode()
                    )
                    assert json.loads(reply.body)["return_code"] == 0
                    real: list[dict[str, Any]] = []
                    while len(real) < 3:  # 00 taken, 00 filled, 04 balance
                        frame = json.loads(await socket.recv())
                        if frame.get("trnm") == "REAL":
                            real += frame["data"]
                    return real

            records = asyncio.run(asyncio.wait_for(scenario(), SAFETY))
            disconnect()
    taken, filled, balance = records
    assert [r["type"] for r in records] == ["00", "00", "04"]
    assert taken["name"] == "주문체결" and taken["item"] == "005930"
    assert (taken["values"]["9203"], taken["values"]["913"]) == ("0000001", "접수")
    assert (filled["values"]["913"], filled["values"]["911"], filled["values"]["902"]) == (
        "체결",
        "3",
        "0",
    )
    assert filled["values"]["905"] == "+매수" and filled["values"]["907"] == "2"
    assert balance["name"] == "잔고" and balance["values"]["930"] == "3"


# --- US orders: F4 / F5 ---------------------------------------------------------------------

# 10:00 in New York on the market date is midnight after it in Seoul (EST, UTC-5).
US_OPEN = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(0, 0))
US = {"stex_tp": "ND", "stk_cd": "AAPL"}


def _typed(record: Mapping[str, Any]) -> Any:
    """The record as its generated model, after checking it carries exactly the documented ids
    and every value parses by its kind (``typed`` raises ValueKindError otherwise)."""
    model = MODELS[record["type"]].from_record(record)
    assert set(model.values) == set(model.FIELDS) and model.extra == {}
    assert record["name"] == model.NAME and all(isinstance(v, str) for v in model.values.values())
    for name in model.FIELDS.values():
        getattr(model.typed, name)
    return model


class UsFeed:
    """A paper-trading REST sandbox wired to a WebSocket sandbox, its clock in New York hours."""

    def __init__(self, rest: Sandbox, ws: RealtimeSandbox) -> None:
        self.rest, self.ws = rest, ws
        self.token = rest.issue_token()

    def post(self, api_id: str, body: Mapping[str, Any]) -> Any:
        route = self.rest.app.routes.by_api_id[api_id]
        headers = {"api-id": api_id, "authorization": f"Bearer {self.token}"}
        reply = self.rest.app.handle("POST", route.spec.url, headers, json.dumps(body).encode())
        return json.loads(reply.body)

    def records(self, steps: Callable[[], None], count: int) -> list[dict[str, Any]]:
        """Log in on the US path and on the domestic one, run ``steps``, and return the first
        ``count`` REAL records the US socket gets."""

        async def scenario() -> list[dict[str, Any]]:
            async with ws_connect(self.ws.us_url) as us, ws_connect(self.ws.url) as domestic:
                for socket in (us, domestic):
                    await socket.send(json.dumps({"trnm": "LOGIN", "token": self.token}))
                    while json.loads(await socket.recv()).get("trnm") != "LOGIN":
                        pass
                steps()
                real: list[dict[str, Any]] = []
                while len(real) < count:
                    frame = json.loads(await us.recv())
                    if frame.get("trnm") == "REAL":
                        real += frame["data"]
                return real

        return asyncio.run(asyncio.wait_for(scenario(), SAFETY))


@pytest.fixture
def us_feed() -> Iterator[UsFeed]:
    with Sandbox(config()) as rest:
        ws = RealtimeSandbox(token_validator=rest.app.tokens.valid, rate=0, ping_interval=None)
        with ws:
            disconnect = connect(rest, ws)
            rest.clock.set(US_OPEN)
            yield UsFeed(rest, ws)
            disconnect()


def test_a_us_buy_arrives_as_f4_then_f5_with_the_fill_ust21510_reports(us_feed: UsFeed) -> None:
    placed: dict[str, Any] = {}

    def buy() -> None:  # a market order: taken, then filled at once
        placed.update(us_feed.post("ust20000", {**US, "ord_qty": "2", "trde_tp": "03"}))
        assert placed["return_code"] == 0, placed

    taken, filled = us_feed.records(buy, 2)
    assert [r["type"] for r in (taken, filled)] == ["F4", "F5"]
    assert taken["item"] == filled["item"] == "AAPL" and taken["stexTp"] == "ND"
    check, fill = _typed(taken), _typed(filled)
    assert (check.ord_no, check.io_tp_nm, check.sell_tp, check.ord_stt) == (
        placed["ord_no"],
        "10",  # 원주문
        "02",  # 매수
        "접수",
    )
    assert check.typed.ord_qty == 2 and check.orig_ord_no == "000000000"
    assert (fill.ord_no, fill.ord_stt, fill.typed.oso_qty, fill.typed.rmnd_qty) == (
        placed["ord_no"],
        "체결완료",
        0,
        2,
    )
    answer = us_feed.post("ust21510", {"slby_tp": "0", "stex_tp": "", "stk_cd": ""})
    (row,) = answer["result_list"]
    assert fill.typed.cntr_qty == int(row["cntr_qty"]) == 2
    assert fill.typed.cntr_pric.price == Decimal(row["cntr_uv"])
    assert fill.typed.buy_uv.price == Decimal(row["cntr_uv"])


def test_a_us_cancel_arrives_as_f4_with_the_original_order_number(us_feed: UsFeed) -> None:
    price = us_feed.rest.orders.price("AAPL", "us")
    numbers: list[str] = []

    def order_and_cancel() -> None:  # a buy at half the price rests until it is cancelled
        body = {**US, "ord_qty": "3", "ord_uv": usd(price // 2, 2), "trde_tp": "00"}
        numbers.append(us_feed.post("ust20000", body)["ord_no"])
        cancel = us_feed.post("ust20003", {**US, "orig_ord_no": numbers[0]})
        assert cancel["return_code"] == 0, cancel
        numbers.append(cancel["ord_no"])

    taken, cancelled = (_typed(r) for r in us_feed.records(order_and_cancel, 2))
    assert (taken.type, cancelled.type) == ("F4", "F4")
    assert (cancelled.ord_no, cancelled.orig_ord_no, cancelled.io_tp_nm) == (
        numbers[1],
        numbers[0],
        "12",  # 취소주문
    )
    assert cancelled.ord_stt == "확인" and cancelled.typed.ord_qty == 3
    assert cancelled.typed.ord_pric.price == Decimal(price // 2) / 100


def test_each_order_event_goes_out_on_the_path_that_documents_its_type(us_feed: UsFeed) -> None:
    """F4 / F5 reach the clients of /api/us/websocket only, 00 / 04 the domestic ones."""
    pushed: list[tuple[str, str | None]] = []

    class Recorder:
        def push(self, frame: Mapping[str, Any], *, market: str | None = None) -> int:
            pushed.append((frame["data"][0]["type"], market))
            return 0

    stop = connect(us_feed.rest, Recorder())
    try:
        us_feed.post("ust20000", {**US, "ord_qty": "1", "trde_tp": "03"})
        us_feed.rest.clock.set(dt.datetime.combine(DAY, dt.time(10, 0)))
        body = {"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"}
        us_feed.post("kt10000", body)
    finally:
        stop()
    assert pushed == [("F4", "us"), ("F5", "us"), ("00", "dom"), ("00", "dom"), ("04", "dom")]
    # and the WebSocket sandbox sends a frame to the clients of that path alone
    counts: list[int] = []

    def push() -> None:
        empty = {"trnm": "REAL", "data": []}
        counts.extend(us_feed.ws.push(empty, market=m) for m in ("us", "dom", None))
        last = {"type": "F5", "name": "해외주식체결", "item": "AAPL", "values": {}}
        us_feed.ws.push({"trnm": "REAL", "data": [last]}, market="us")  # ends the wait

    us_feed.records(push, 1)
    assert counts == [1, 1, 2]  # one US client, one domestic


def test_frames_of_us_events_are_f4_on_orders_and_confirmations_f5_on_fills(
    paper: Paper,
) -> None:
    seen: list[OrderEvent] = []
    stop = paper.app.orders.subscribe(seen.append)
    try:
        paper.clock.set(US_OPEN)
        paper.configure(max_fill_per_minute=1)
        bought = paper.post("ust20000", {**US, "ord_qty": "2", "trde_tp": "03"})["ord_no"]
        paper.clock.advance(minutes=1)  # the second share fills in the next minute
        half = usd(paper.app.orders.price("AAPL", "us") // 2, 2)
        resting = paper.post("ust20000", {**US, "ord_qty": "1", "ord_uv": half, "trde_tp": "00"})
        lower = usd(paper.app.orders.price("AAPL", "us") // 3, 2)
        modified = paper.post(
            "ust20002", {**US, "orig_ord_no": resting["ord_no"], "mdfy_uv": lower}
        )
        assert modified["return_code"] == 0, modified
        cancelled = paper.post("ust20003", {**US, "orig_ord_no": modified["ord_no"]})
    finally:
        stop()
    records = [f["data"][0] for e in seen for f in frames(e)]
    assert [r["type"] for r in records] == ["F4", "F5", "F5", "F4", "F4", "F4"]
    models = [_typed(r) for r in records]
    first, second = models[1], models[2]
    assert (first.ord_no, second.ord_no) == (bought, bought)
    assert (first.ord_stt, first.typed.oso_qty, first.typed.rmnd_qty) == ("부분체결", 1, 1)
    assert (second.ord_stt, second.typed.oso_qty, second.typed.rmnd_qty) == ("체결완료", 0, 2)
    assert [m.tdy_buy_qty_used for m in (first, second)] == ["1", "2"]
    fills = paper.app.orders.state.orders[0].fills
    assert [(m.cntr_no, m.typed.cntr_qty) for m in (first, second)] == [(f.no, 1) for f in fills]
    assert [m.typed.cntr_pric.price for m in (first, second)] == [
        Decimal(f.price) / 100 for f in fills
    ]
    modify, cancel = models[4], models[5]
    assert (modify.io_tp_nm, modify.orig_ord_no, modify.ord_no) == (
        "11",
        resting["ord_no"],
        modified["ord_no"],
    )
    assert modify.typed.ord_pric.price == Decimal(lower)
    assert (cancel.io_tp_nm, cancel.orig_ord_no, cancel.ord_no) == (
        "12",
        modified["ord_no"],
        cancelled["ord_no"],
    )
