"""Parsers for the value kinds Kiwoom sends as strings; used by generated typed accessors.

Why: Kiwoom encodes numbers, dates and prices as strings such as ``"+181400"``, ``"-0"``,
``"+26.69"``, ``"20241107083713"`` or ``""``. A price's sign is the *direction against the
previous close*, not a negative price, so it needs its own type (:class:`SignedPrice`) rather
than an ``int`` that would make ``"-239500"`` look like a negative price.

Every parser returns ``None`` for an empty (or all-blank) string, and raises
:class:`ValueKindError` naming the value and the kind for anything malformed; the generated
accessor adds the field name. The module knows no TR.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

import attrs

from kiwoom_runtime.errors import ArgumentError, KiwoomError

__all__ = [
    "KST",
    "Direction",
    "Exchange",
    "SignedPrice",
    "ValueKindError",
    "parse_date",
    "parse_datetime_kst",
    "parse_decimal",
    "parse_int",
    "parse_sign_code",
    "parse_signed_int",
    "parse_signed_price",
    "parse_time",
    "split_stock_code",
    "stock_code",
    "typed_value",
]

T = TypeVar("T")

#: Korea Standard Time. Fixed offset (no DST since 1988), so no tzdata dependency.
KST = _dt.timezone(_dt.timedelta(hours=9), "KST")

_INT_RE = re.compile(r"[+-]?\d+")
_DEC_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class ValueKindError(KiwoomError, ValueError):
    """A wire value does not match its declared kind."""

    def __init__(self, value: object, kind: str, field: str | None = None) -> None:
        self.value = value
        self.kind = kind
        self.field = field
        where = f"{field}: " if field else ""
        super().__init__(f"{where}{value!r} is not a valid {kind}")

    def with_field(self, field: str) -> ValueKindError:
        """Copy with the field name, for generated accessors."""
        return ValueKindError(self.value, self.kind, field)


class Direction(enum.Enum):
    """Direction of a price against the previous close, from the wire sign."""

    UP = "+"
    DOWN = "-"
    FLAT = ""


@attrs.frozen
class SignedPrice:
    """A price with its direction: ``"-239500"`` is a price of 239500 that went down.

    ``price`` is always the (non-negative) magnitude; ``signed`` gives the wire-signed int.
    """

    price: int
    direction: Direction

    @property
    def signed(self) -> int:
        return -self.price if self.direction is Direction.DOWN else self.price

    def __str__(self) -> str:
        return f"{self.direction.value}{self.price}"


def _clean(s: str | None, kind: str) -> str | None:
    if s is None:
        return None
    if not isinstance(s, str):
        raise ValueKindError(s, kind)
    s = s.strip()
    return s or None


def parse_signed_price(s: str | None) -> SignedPrice | None:
    """``"+181400"`` → ``SignedPrice(181400, UP)``; ``"-0"``/``"0"`` → ``SignedPrice(0, FLAT)``."""
    t = _clean(s, "signed price")
    if t is None:
        return None
    if not _INT_RE.fullmatch(t):
        raise ValueKindError(s, "signed price")
    magnitude = int(t.lstrip("+-"))
    if magnitude == 0:
        direction = Direction.FLAT
    elif t[0] == "+":
        direction = Direction.UP
    elif t[0] == "-":
        direction = Direction.DOWN
    else:
        direction = Direction.FLAT
    return SignedPrice(magnitude, direction)


def parse_signed_int(s: str | None) -> int | None:
    """A truly signed integer (e.g. change vs previous day): ``"-91200"`` → ``-91200``."""
    t = _clean(s, "signed integer")
    if t is None:
        return None
    if not _INT_RE.fullmatch(t):
        raise ValueKindError(s, "signed integer")
    return int(t)


def parse_int(s: str | None) -> int | None:
    """An integer quantity; tolerates a ``+`` sign and zero padding (``"000123"`` → 123).

    A ``-`` sign is kept (amounts such as P&L can be negative).
    """
    t = _clean(s, "integer")
    if t is None:
        return None
    if not _INT_RE.fullmatch(t):
        raise ValueKindError(s, "integer")
    return int(t)


def parse_decimal(s: str | None) -> Decimal | None:
    """A rate / ratio keeping its sign: ``"+26.69"`` → ``Decimal("26.69")``, ``"-0.50"``."""
    t = _clean(s, "decimal")
    if t is None:
        return None
    if not _DEC_RE.fullmatch(t):
        raise ValueKindError(s, "decimal")
    try:
        return Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise ValueKindError(s, "decimal") from exc


def parse_date(s: str | None) -> _dt.date | None:
    """``"20241107"`` → ``date(2024, 11, 7)``."""
    t = _clean(s, "date (YYYYMMDD)")
    if t is None:
        return None
    if len(t) != 8 or not t.isdigit():
        raise ValueKindError(s, "date (YYYYMMDD)")
    try:
        return _dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
    except ValueError as exc:
        raise ValueKindError(s, "date (YYYYMMDD)") from exc


def parse_time(s: str | None) -> _dt.time | None:
    """``"083713"`` → ``time(8, 37, 13)`` (naive; Korea time by convention)."""
    t = _clean(s, "time (HHMMSS)")
    if t is None:
        return None
    if len(t) != 6 or not t.isdigit():
        raise ValueKindError(s, "time (HHMMSS)")
    try:
        return _dt.time(int(t[:2]), int(t[2:4]), int(t[4:]))
    except ValueError as exc:
        raise ValueKindError(s, "time (HHMMSS)") from exc


def parse_datetime_kst(s: str | None) -> _dt.datetime | None:
    """``"20241107083713"`` → aware ``datetime`` in Korea time (+09:00)."""
    t = _clean(s, "datetime (YYYYMMDDHHMMSS)")
    if t is None:
        return None
    if len(t) != 14 or not t.isdigit():
        raise ValueKindError(s, "datetime (YYYYMMDDHHMMSS)")
    try:
        return _dt.datetime(
            int(t[:4]),
            int(t[4:6]),
            int(t[6:8]),
            int(t[8:10]),
            int(t[10:12]),
            int(t[12:]),
            tzinfo=KST,
        )
    except ValueError as exc:
        raise ValueKindError(s, "datetime (YYYYMMDDHHMMSS)") from exc


_SIGN_CODES: dict[str, Direction] = {
    "1": Direction.UP,  # 상한
    "2": Direction.UP,  # 상승
    "3": Direction.FLAT,  # 보합
    "4": Direction.DOWN,  # 하한
    "5": Direction.DOWN,  # 하락
}


def parse_sign_code(s: str | None) -> Direction | None:
    """대비기호 → direction: ``"1"`` 상한 / ``"2"`` 상승 UP, ``"3"`` 보합 FLAT, ``"4"`` 하한 /
    ``"5"`` 하락 DOWN.

    Kiwoom sends the direction of a price against the previous close as a one-digit code in
    fields such as ``pre_sig``; the limit codes (1, 4) fold into UP / DOWN.
    """
    t = _clean(s, "sign code (1-5)")
    if t is None:
        return None
    direction = _SIGN_CODES.get(t)
    if direction is None:
        raise ValueKindError(s, "sign code (1-5)")
    return direction


def typed_value(parse: Callable[[Any], T | None], value: Any, api_id: str, key: str) -> T | None:
    """``parse(value)``; a malformed value raises :class:`ValueKindError` naming the TR and key.

    Generated typed accessors and DataFrame columns call the parsers through this so that the
    error says where the value came from: ``ka10001 cur_prc: '0.00' is not a valid signed price``.
    """
    try:
        return parse(value)
    except ValueKindError as exc:
        raise exc.with_field(f"{api_id} {key}") from None


Exchange = Literal["KRX", "NXT", "SOR"]
_SUFFIX: dict[str, str] = {"KRX": "", "NXT": "_NX", "SOR": "_AL"}
_EXCHANGE_OF: dict[str, Exchange] = {"_NX": "NXT", "_AL": "SOR"}
_CODE_RE = re.compile(r"[0-9A-Za-z]+")


def stock_code(code: str, exchange: Exchange = "KRX") -> str:
    """Build the wire code: ``("005930", "NXT")`` → ``"005930_NX"``; SOR → ``_AL``."""
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        raise ArgumentError("code", f"{code!r} is not a bare stock code (e.g. '005930')")
    if exchange not in _SUFFIX:
        raise ArgumentError("exchange", f"{exchange!r} is not one of 'KRX', 'NXT', 'SOR'")
    return code + _SUFFIX[exchange]


def split_stock_code(wire: str) -> tuple[str, Exchange]:
    """Inverse of :func:`stock_code`: ``"005930_AL"`` → ``("005930", "SOR")``."""
    if not isinstance(wire, str):
        raise ArgumentError("code", f"{wire!r} is not a string")
    base, sep, suffix = wire.partition("_")
    if not _CODE_RE.fullmatch(base):
        raise ArgumentError("code", f"{wire!r} is not a stock code")
    if not sep:
        return base, "KRX"
    exchange = _EXCHANGE_OF.get("_" + suffix)
    if exchange is None:
        raise ArgumentError("code", f"{wire!r} has an unknown exchange suffix")
    return base, exchange
