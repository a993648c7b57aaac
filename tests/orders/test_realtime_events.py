"""Order events on the WebSocket: the REST sandbox's orders reach a logged-in client as type 00
주문체결 (taken, filled) and 04 잔고 frames, with no registration (the live host sends 00 for the
token's account whatever was registered)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import connect as ws_connect

from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.orders.realtime import connect
from kiwoom_sandbox.realtime import RealtimeSandbox
from tests.orders.conftest import config

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
