"""The real-time field table and the synthetic values the WebSocket sandbox sends.

The field table is the seam between the specs and the sandbox: ``type code -> RealtimeType(name,
[(field id, value kind), ...])``. The kinds are the specs' value kinds (``text``, ``code``,
``signed_price``, ``signed_number``, ``number``, ``decimal``, ``date``, ``time``,
``datetime``, ``sign_code``), so a table generated from ``specs/`` plugs in as it is; an
unknown kind is sent as text. :data:`DEFAULT_FIELD_TABLE` is a small hand-made table for the
types the tests use (00 주문체결, 04 잔고, 0B 주식체결, 0D 주식호가잔량, 02 조건검색); it lists
field ids and kinds only, and is meant to be replaced by the generated one.

Values are a pure function of (seed, item, type, frame number), apart from ``date`` / ``time``
kinds, which say the current Korea time: signed prices move around a per-item base price and
carry the direction against it as their sign, like the live feed.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Mapping, Sequence
from typing import NamedTuple

__all__ = [
    "DEFAULT_FIELD_TABLE",
    "FieldTable",
    "RealtimeType",
    "ValueSource",
    "base_price",
]

KST = _dt.timezone(_dt.timedelta(hours=9), "KST")


class RealtimeType(NamedTuple):
    """One real-time type: its name as sent in REAL frames (``주식체결``) and its fields."""

    name: str
    fields: Sequence[tuple[str, str]]


FieldTable = Mapping[str, RealtimeType]
"""``type code -> RealtimeType``; plain ``(name, [(id, kind), ...])`` tuples fit too."""


def _fields(kind: str, ids: Sequence[int | str]) -> list[tuple[str, str]]:
    return [(str(i), kind) for i in ids]


_ORDER_BOOK: list[tuple[str, str]] = [("21", "time")]
for _level in range(10):
    _ORDER_BOOK += [
        (str(41 + _level), "signed_price"),  # sell price, level 1..10
        (str(61 + _level), "number"),  # sell quantity
        (str(81 + _level), "signed_number"),  # sell quantity change
        (str(51 + _level), "signed_price"),  # buy price
        (str(71 + _level), "number"),  # buy quantity
        (str(91 + _level), "signed_number"),  # buy quantity change
    ]
_ORDER_BOOK += [
    ("121", "number"),
    ("122", "signed_number"),
    ("125", "number"),
    ("126", "signed_number"),
    ("23", "signed_price"),
    ("24", "number"),
    ("128", "signed_number"),
    ("129", "decimal"),
    ("138", "signed_number"),
    ("139", "decimal"),
    ("200", "signed_number"),
    ("201", "decimal"),
    ("238", "sign_code"),
    ("291", "signed_price"),
    ("292", "number"),
    ("293", "sign_code"),
    ("294", "signed_number"),
    ("295", "decimal"),
    ("13", "number"),
    ("299", "decimal"),
    ("215", "text"),
    ("216", "text"),
]

DEFAULT_FIELD_TABLE: dict[str, RealtimeType] = {
    "00": RealtimeType(
        "주문체결",
        [
            ("9201", "text"),
            ("9203", "text"),
            ("9205", "text"),
            ("9001", "code"),
            ("912", "text"),
            ("913", "text"),
            ("302", "text"),
            *_fields("number", [900, 901, 902, 903]),
            ("904", "text"),
            ("905", "text"),
            ("906", "text"),
            ("907", "text"),
            ("908", "time"),
            ("909", "text"),
            *_fields("number", [910, 911]),
            *_fields("signed_price", [10, 27, 28]),
            *_fields("number", [914, 915, 938, 939]),
            *_fields("text", [919, 920, 921, 922]),
            ("923", "date"),
            ("10010", "signed_price"),
            *_fields("text", [2134, 2135, 2136]),
        ],
    ),
    "04": RealtimeType(
        "잔고",
        [
            ("9201", "text"),
            ("9001", "code"),
            ("917", "text"),
            ("916", "date"),
            ("302", "text"),
            ("10", "signed_price"),
            *_fields("number", [930, 931, 932, 933, 945]),
            ("946", "text"),
            *_fields("number", [950, 951]),
            *_fields("signed_price", [27, 28]),
            ("307", "number"),
            ("8019", "decimal"),
            *_fields("number", [957, 958]),
            ("918", "date"),
            ("990", "number"),
            ("991", "decimal"),
            ("992", "number"),
            ("993", "decimal"),
            *_fields("number", [959, 924]),
        ],
    ),
    "0B": RealtimeType(
        "주식체결",
        [
            ("20", "time"),
            ("10", "signed_price"),
            ("11", "signed_number"),
            ("12", "decimal"),
            *_fields("signed_price", [27, 28]),
            ("15", "signed_number"),
            *_fields("number", [13, 14]),
            *_fields("signed_price", [16, 17, 18]),
            ("25", "sign_code"),
            *_fields("signed_number", [26, 29]),
            *_fields("decimal", [30, 31, 32, 228]),
            ("311", "number"),
            ("290", "text"),
            ("691", "number"),
            *_fields("time", [567, 568]),
            ("851", "decimal"),
            *_fields("time", [1890, 1891, 1892]),
            *_fields("number", [1030, 1031]),
            ("1032", "decimal"),
            *_fields("number", [1071, 1072, 1313, 1315, 1316]),
            ("1314", "signed_number"),
            *_fields("decimal", [1497, 1498]),
            ("620", "number"),
            *_fields("decimal", [732, 852]),
            ("9081", "text"),
        ],
    ),
    "0D": RealtimeType("주식호가잔량", _ORDER_BOOK),
    "02": RealtimeType(
        "조건검색",
        [("841", "text"), ("9001", "code"), ("843", "text"), ("20", "time"), ("907", "text")],
    ),
}


def base_price(seed: int, item: str) -> int:
    """The price an item's synthetic prices move around (deterministic per seed and item)."""
    rng = random.Random(f"{seed}|base|{item}")
    return rng.randrange(20, 4000) * 50


class ValueSource:
    """Synthetic values for one (item, type) stream: ``next_values()`` per frame."""

    def __init__(self, seed: int, item: str, type_code: str, fields: Sequence[tuple[str, str]]):
        self.item = item
        self.code = item.split("_")[0] if item else "005930"
        self.fields = list(fields)
        self.base = base_price(seed, self.code)
        self.price = self.base
        self._rng = random.Random(f"{seed}|{item}|{type_code}")

    def _sign(self, price: int) -> str:
        return "+" if price > self.base else "-" if price < self.base else ""

    def next_values(self) -> dict[str, str]:
        rng = self._rng
        tick = 50 if self.base < 50_000 else 100
        self.price = max(tick, self.price + tick * rng.choice((-2, -1, 0, 0, 1, 2)))
        now = _dt.datetime.now(KST)
        out: dict[str, str] = {}
        for field_id, kind in self.fields:
            out[field_id] = self._value(kind, rng, tick, now)
        return out

    def _value(self, kind: str, rng: random.Random, tick: int, now: _dt.datetime) -> str:
        if kind == "signed_price":
            price = max(tick, self.price + tick * rng.randint(-3, 3))
            return f"{self._sign(price)}{price}"
        if kind == "signed_number":
            n = rng.randint(-5000, 5000)
            return f"{'+' if n > 0 else '-' if n < 0 else ''}{abs(n)}"
        if kind == "number":
            return str(rng.randrange(0, 1_000_000))
        if kind == "decimal":
            x = rng.uniform(-30, 30)
            return f"{'+' if x > 0 else '-' if x < 0 else ''}{abs(x):.2f}"
        if kind == "sign_code":
            return {"+": "2", "-": "5", "": "3"}[self._sign(self.price)]
        if kind == "code":
            return self.code
        if kind == "time":
            return now.strftime("%H%M%S")
        if kind == "date":
            return now.strftime("%Y%m%d")
        if kind == "datetime":
            return now.strftime("%Y%m%d%H%M%S")
        return f"T{rng.randrange(100)}"
