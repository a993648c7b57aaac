"""Shared setup of the order tests: one paper account, driven without sockets or over HTTP.

``Paper`` posts requests straight into the sandbox's ``App`` (the code behind the HTTP server)
with a valid token, so engine tests run in milliseconds; the clock is the sandbox's, set and
advanced by the tests (never a sleep). The app is built once per module and reset before every
test: base configuration, a fresh account, the clock at 10:00 of the market date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from kiwoom_sandbox import SandboxConfig
from kiwoom_sandbox.app import App
from kiwoom_sandbox.market import DEFAULT_MARKET_DATE, Market
from kiwoom_sandbox.orders import TradingConfig
from tests.conftest import FIXTURES, SPECS

DAY = DEFAULT_MARKET_DATE  # a Friday
CODE = "005930"


def config(**changes: Any) -> SandboxConfig:
    return SandboxConfig(specs_dir=SPECS, fixtures_dir=FIXTURES, **changes)


class Paper:
    """Requests into an ``App`` as a client would send them, answers as dicts."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.token = app.tokens.issue("paper-appkey", 86400.0, invalidate_previous=False).value

    @property
    def clock(self) -> Any:
        return self.app.orders.clock

    @property
    def market(self) -> Market:
        return Market(self.app.config.seed, self.app.config.universe)

    def configure(self, **trading: Any) -> None:
        self.app.configure(trading=attrs.evolve(self.app.config.trading, **trading))

    def post(self, api_id: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
        route = self.app.routes.by_api_id[api_id]
        sent = {"api-id": api_id, "authorization": f"Bearer {self.token}", **headers}
        reply = self.app.handle("POST", route.spec.url, sent, json.dumps(body or {}).encode())
        return json.loads(reply.body)

    def buy(self, qty: int, price: int | None = None, kind: str = "0", **extra: str) -> Any:
        return self.order("kt10000", qty, price, kind, **extra)

    def sell(self, qty: int, price: int | None = None, kind: str = "0", **extra: str) -> Any:
        return self.order("kt10001", qty, price, kind, **extra)

    def order(self, api_id: str, qty: int, price: int | None, kind: str, **extra: str) -> Any:
        body = {
            "dmst_stex_tp": "KRX",
            "stk_cd": CODE,
            "ord_qty": str(qty),
            "ord_uv": "" if price is None else str(price),
            "trde_tp": kind,
            "cond_uv": "",
            **extra,
        }
        return self.post(api_id, body)

    def modify(self, orig: str, qty: int, price: int, **extra: str) -> Any:
        body = {
            "dmst_stex_tp": "KRX",
            "orig_ord_no": orig,
            "stk_cd": CODE,
            "mdfy_qty": str(qty),
            "mdfy_uv": str(price),
            "mdfy_cond_uv": "",
            **extra,
        }
        return self.post("kt10002", body)

    def cancel(self, orig: str, qty: int = 0, **extra: str) -> Any:
        body = {"dmst_stex_tp": "KRX", "orig_ord_no": orig, "stk_cd": CODE, "cncl_qty": str(qty)}
        return self.post("kt10003", {**body, **extra})

    def open_orders(self) -> list[dict[str, str]]:
        body = {"all_stk_tp": "0", "trde_tp": "0", "stk_cd": "", "stex_tp": "0"}
        rows: list[dict[str, str]] = self.post("ka10075", body)["oso"]
        return rows

    def fills(self) -> list[dict[str, str]]:
        body = {"stk_cd": "", "qry_tp": "0", "sell_tp": "0", "ord_no": "", "stex_tp": "0"}
        rows: list[dict[str, str]] = self.post("ka10076", body)["cntr"]
        return rows

    def balance(self) -> Any:
        return self.post("kt00018", {"qry_tp": "2", "dmst_stex_tp": "KRX"})

    def deposit(self) -> Any:
        return self.post("kt00001", {"qry_tp": "3"})

    def history(self, qry_tp: str = "1") -> list[dict[str, str]]:
        body = {
            "ord_dt": "",
            "qry_tp": qry_tp,
            "stk_bond_tp": "0",
            "sell_tp": "0",
            "stk_cd": "",
            "fr_ord_no": "",
            "dmst_stex_tp": "%",
        }
        rows: list[dict[str, str]] = self.post("kt00007", body)["acnt_ord_cntr_prps_dtl"]
        return rows

    def price(self, code: str = CODE) -> int:
        return self.app.orders.price(code, "stock")


@pytest.fixture(scope="module")
def _app() -> App:
    return App(config())


@pytest.fixture
def paper(_app: App) -> Iterator[Paper]:
    base = config()
    _app.configure(**{a.name: getattr(base, a.name) for a in SandboxConfig.__attrs_attrs__})
    _app.orders.reset()
    _app.clear_requests()
    yield Paper(_app)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def qty(text: str) -> int:
    """A zero-padded, possibly signed amount as an int."""
    return int(text)


__all__ = ["CODE", "DAY", "Paper", "TradingConfig", "at", "config", "qty"]
