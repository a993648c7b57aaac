"""The paper account: orders, fills, holdings and cash, and how it is saved to a file.

Everything is plain attrs data so the whole state goes to JSON (``save`` / ``load``) and comes
back equal; the engine (``engine.py``) is the only writer. Money is in won (int) for KRX, in
US cents (int) for US listings, so no float ever carries money.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs

Side = Literal["buy", "sell"]
STATE_VERSION = 1


@attrs.define
class Fill:
    no: str
    """체결번호."""
    qty: int
    price: int
    at: dt.datetime
    commission: int
    tax: int


@attrs.define
class Order:
    """One order record as Kiwoom numbers them: a new order, a modify or a cancel.

    A modify gets its own number and carries the moved quantity at the new price (the original
    keeps what was not moved); a cancel gets its own number too and fills nothing.
    """

    ord_no: str
    api_id: str
    product: str
    """"stock", "credit" or "us"."""
    action: str
    """"new", "modify" or "cancel"."""
    side: Side
    code: str
    """The base code (``005930``, ``AAPL``)."""
    exchange: str
    """KRX / NXT / SOR, or the US exchange code (ND, NY, NA)."""
    qty: int
    price: int
    """The limit (won or cents); 0 for a market order."""
    kind: str
    """trde_tp code."""
    kind_name: str
    pricing: str
    duration: str
    placed_at: dt.datetime
    day: dt.date
    """The trading day the order lives on (New York date for US orders)."""
    orig_ord_no: str = ""
    root_ord_no: str = ""
    cond_price: int = 0
    triggered: bool = False
    credit_deal: str = ""
    loan_day: dt.date | None = None
    filled: int = 0
    filled_value: int = 0
    closed: int = 0
    """Quantity no longer open: cancelled, moved by a modify, expired, or refused by IOC/FOK."""
    commission: int = 0
    tax: int = 0
    fills: list[Fill] = attrs.field(factory=list)
    matched_minute: int = -2
    """The last session minute matched (-2: none yet, -1: before the open)."""

    @property
    def remaining(self) -> int:
        if self.action == "cancel":
            return 0
        return max(0, self.qty - self.filled - self.closed)

    @property
    def status(self) -> str:
        """주문상태: 접수 (taken), 체결 (filled, wholly or partly), 확인 (a modify / cancel)."""
        if self.action == "cancel":
            return "확인"
        return "체결" if self.filled else "접수"

    @property
    def average_price(self) -> int:
        return self.filled_value // self.filled if self.filled else 0


@attrs.define
class Holding:
    code: str
    product: str
    """"stock" (cash), "credit" or "us"."""
    qty: int = 0
    cost: int = 0
    """Purchase amount of the shares held (average price x qty)."""
    purchase_commission: int = 0
    loan: int = 0
    """Credit: the loan still owed on these shares."""
    loan_day: dt.date | None = None

    @property
    def key(self) -> str:
        return holding_key(self.code, self.product, self.loan_day)

    @property
    def average_price(self) -> int:
        return round(self.cost / self.qty) if self.qty else 0


def holding_key(code: str, product: str, loan_day: dt.date | None) -> str:
    return f"{product}:{code}:{loan_day.isoformat() if loan_day else ''}"


@attrs.define
class Movement:
    """Cash that moves when a trade settles (KRX: two business days after the trade)."""

    amount: int
    settles: dt.date


@attrs.define
class AccountState:
    """The whole account, saved as one JSON document."""

    cash: int
    """Won deposited before any movement below."""
    usd_cash: int
    """US cents (US trades settle at once here)."""
    next_order_no: int = 1
    next_fill_no: int = 1
    clock: dt.datetime | None = None
    matched_until: dt.datetime | None = None
    orders: list[Order] = attrs.field(factory=list)
    holdings: dict[str, Holding] = attrs.field(factory=dict)
    movements: list[Movement] = attrs.field(factory=list)
    realized: int = 0
    """Realised profit and loss in won, fees and tax deducted."""
    us_realized: int = 0
    version: int = STATE_VERSION

    def order(self, ord_no: str) -> Order | None:
        wanted = ord_no.strip().lstrip("0")
        return next((o for o in self.orders if o.ord_no.lstrip("0") == wanted), None)


_converter = cattrs.Converter()
_converter.register_unstructure_hook(dt.datetime, lambda v: v.isoformat())
_converter.register_structure_hook(dt.datetime, lambda v, _: dt.datetime.fromisoformat(v))
_converter.register_unstructure_hook(dt.date, lambda v: v.isoformat())
_converter.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
_converter.register_unstructure_hook(Decimal, str)
_converter.register_structure_hook(Decimal, lambda v, _: Decimal(v))


def dump_state(state: AccountState) -> dict[str, Any]:
    data: dict[str, Any] = _converter.unstructure(state)
    return data


def load_state(data: dict[str, Any]) -> AccountState:
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unsupported sandbox state version {data.get('version')!r}")
    return _converter.structure(data, AccountState)


def save(state: AccountState, path: Path) -> None:
    """Write atomically (a temporary file, then a rename): a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dump_state(state), ensure_ascii=False, indent=1)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> AccountState | None:
    if not path.exists():
        return None
    return load_state(json.loads(path.read_text(encoding="utf-8")))
