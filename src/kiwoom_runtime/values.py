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
    "DecimalPrice",
    "Direction",
    "Exchange",
    "SignedPrice",
    "ValueKindError",
    "parse_date",
    "parse_datetime_kst",
    "parse_decimal",
    "parse_decimal_price",
    "parse_int",
    "parse_month",
    "parse_scaled",
    "parse_session_time",
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
# Wire forms seen in Kiwoom's documented examples and in recorded live answers, read by rule:
# a doubled sign ("--714", "++0.34") is one sign; thousands separators ("1,507.70") and a
# trailing percent sign ("20%") are dropped; an all-zero date ("00000000") means no date.
_DOUBLE_SIGN = re.compile(r"^([+-])\1")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_TIME_RE = re.compile(r"(\d{2})(:?)(\d{2})(?:\2(\d{2}))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00(?:\.0+)?)?")


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


def _number_text(t: str) -> str:
    """A numeric wire string in plain form: one sign, no grouping commas, no ``%``."""
    t = _DOUBLE_SIGN.sub(r"\1", t)
    if t.endswith("%"):
        t = t[:-1].rstrip()
    if _GROUPED.match(t):
        t = t.replace(",", "")
    return t


def parse_signed_price(s: str | None) -> SignedPrice | None:
    """``"+181400"`` → ``SignedPrice(181400, UP)``; ``"-0"``/``"0"`` → ``SignedPrice(0, FLAT)``."""
    t = _clean(s, "signed price")
    if t is None:
        return None
    t = _number_text(t)
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
    t = _number_text(t)
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
    t = _number_text(t)
    if not _INT_RE.fullmatch(t):
        raise ValueKindError(s, "integer")
    return int(t)


def parse_decimal(s: str | None) -> Decimal | None:
    """A rate / ratio keeping its sign: ``"+26.69"`` → ``Decimal("26.69")``, ``"-0.50"``."""
    t = _clean(s, "decimal")
    if t is None:
        return None
    t = _number_text(t)
    if not _DEC_RE.fullmatch(t):
        raise ValueKindError(s, "decimal")
    try:
        return Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise ValueKindError(s, "decimal") from exc


def parse_date(s: str | None) -> _dt.date | None:
    """``"20241107"`` → ``date(2024, 11, 7)``."""
    t = _clean(s, "date (YYYYMMDD)")
    if t is None or t == "00000000":
        return None
    iso = _ISO_DATE.fullmatch(t)
    if iso:
        t = "".join(iso.groups())
    if len(t) != 8 or not t.isdigit():
        raise ValueKindError(s, "date (YYYYMMDD)")
    try:
        return _dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
    except ValueError as exc:
        raise ValueKindError(s, "date (YYYYMMDD)") from exc


def _time_parts(s: str | None, kind: str, max_hour: int) -> tuple[int, int, int] | None:
    t = _clean(s, kind)
    if t is None:
        return None
    match = _TIME_RE.fullmatch(t)
    if match is None or (not match.group(2) and match.group(4) is None):
        raise ValueKindError(s, kind)
    hour, minute, second = int(match.group(1)), int(match.group(3)), int(match.group(4) or 0)
    if hour > max_hour or minute > 59 or second > 59:
        raise ValueKindError(s, kind)
    return hour, minute, second


def parse_time(s: str | None) -> _dt.time | None:
    """``"083713"``, ``"08:37:13"`` or ``"08:37"`` → ``time(8, 37, 13)`` (naive; Korea time)."""
    parts = _time_parts(s, "time (HHMMSS)", 23)
    return None if parts is None else _dt.time(*parts)


def parse_session_time(s: str | None) -> _dt.timedelta | None:
    """A time of a trading session since its day's midnight, Korea time: ``"273500"`` →
    ``timedelta(hours=27, minutes=35)``.

    US sessions run past midnight in Korea and Kiwoom prints their times on the trading day's
    clock (27:35 is 03:35 the next morning), which ``datetime.time`` cannot hold.
    """
    parts = _time_parts(s, "session time (HHMMSS, may pass 24:00)", 47)
    if parts is None:
        return None
    hour, minute, second = parts
    return _dt.timedelta(hours=hour, minutes=minute, seconds=second)


def parse_month(s: str | None) -> _dt.date | None:
    """``"202605"`` → ``date(2026, 5, 1)`` (the first day of the month)."""
    t = _clean(s, "month (YYYYMM)")
    if t is None or t == "000000":
        return None
    if len(t) != 6 or not t.isdigit():
        raise ValueKindError(s, "month (YYYYMM)")
    try:
        return _dt.date(int(t[:4]), int(t[4:]), 1)
    except ValueError as exc:
        raise ValueKindError(s, "month (YYYYMM)") from exc


@attrs.frozen
class DecimalPrice:
    """A price with decimals and its direction: ``"-164.27"`` is a price of 164.27 that went
    down (US prices in USD, index values). ``price`` is the magnitude."""

    price: Decimal
    direction: Direction

    @property
    def signed(self) -> Decimal:
        return -self.price if self.direction is Direction.DOWN else self.price

    def __str__(self) -> str:
        return f"{self.direction.value}{self.price}"


def parse_decimal_price(s: str | None) -> DecimalPrice | None:
    """``"+201.5300"`` → ``DecimalPrice(Decimal("201.5300"), UP)``; no sign or zero is FLAT."""
    value = parse_decimal(s)
    if value is None:
        return None
    text = _number_text(str(s).strip())
    magnitude = abs(value)
    if magnitude == 0 or text[0] not in "+-":
        return DecimalPrice(magnitude, Direction.FLAT)
    return DecimalPrice(magnitude, Direction.UP if text[0] == "+" else Direction.DOWN)


def parse_scaled(s: str | None) -> Decimal | None:
    """A value sent times 100 without its decimal point: ``"2658"`` → ``Decimal("26.58")``."""
    t = _clean(s, "scaled decimal (x100)")
    if t is None:
        return None
    t = _number_text(t)
    if not _INT_RE.fullmatch(t):
        raise ValueKindError(s, "scaled decimal (x100)")
    return Decimal(t).scaleb(-2)


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
    "0": Direction.FLAT,  # not in the tables, yet in 7 documented examples: nothing moved
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
