"""The wire grammar of each value kind: what a valid string looks like on the wire.

The validator uses this to judge documentation examples and fixtures. The runtime has its own
parsers (``kiwoom_runtime.values``) because it must not depend on the tooling; a test checks
that both agree on a shared corpus of samples. The grammar is the documented format; the
parsers also read a few forms the documentation does not promise but the service sends
(``"20%"``, ``"1,507.70"``, ``"2026-06-28"``), so such a value is a finding here and still
parses at run time.
"""

from __future__ import annotations

import datetime
import re

from codegen.spec import Field, ValueKind

# A doubled sign ("--714") is how Kiwoom prints a negative value with a direction; it is read
# as one sign everywhere (documented examples of ka10061, ka10086 and others carry it).
_INT = re.compile(r"^([+-])?\1?\d+$")
_SIGNED_INT = _INT
_DECIMAL = re.compile(r"^([+-])?\1?\d+(\.\d+)?$")
_CODE = re.compile(r"^[0-9A-Za-z]+(_(NX|AL))?$")
_TIME = re.compile(r"^(\d{2})(:?)(\d{2})(?:\2(\d{2}))?$")


_FREE_TEXT = (ValueKind.TEXT, ValueKind.SECRET, ValueKind.ACCOUNT, ValueKind.PERSONAL)


def _date_ok(text: str, digits: int) -> bool:
    """YYYYMMDD (8 digits) or YYYYMMDDHHMMSS (14) naming a real moment. By hand rather than
    with strptime, which costs ~30 us: the sandbox checks every date of 600-row chart pages."""
    if len(text) != digits or not text.isdigit():
        return False
    hour, minute, second = (
        (int(text[i : i + 2]) for i in (8, 10, 12)) if digits == 14 else (0, 0, 0)
    )
    try:
        datetime.datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), hour, minute, second)
    except ValueError:
        return False
    return True


def _time_ok(text: str, *, max_hour: int) -> bool:
    """HHMMSS, HH:MM:SS or HH:MM; a trading-session time may pass 24:00 (US hours in KST)."""
    match = _TIME.match(text)
    if match is None or (match.group(2) == "" and match.group(4) is None):
        return False
    hour, minute, second = int(match.group(1)), int(match.group(3)), int(match.group(4) or 0)
    return hour <= max_hour and minute < 60 and second < 60


def kind_problem(field: Field, value: str) -> str | None:
    """Why ``value`` is not a valid ``field.kind`` value, or None. ``""`` means no value: fine."""
    kind = field.kind
    if value == "" or kind is None or kind in _FREE_TEXT:
        return None
    ok: bool
    if kind is ValueKind.CODE:
        ok = bool(_CODE.match(value))
    elif kind in (ValueKind.SIGNED_PRICE, ValueKind.SIGNED_NUMBER):
        ok = bool(_SIGNED_INT.match(value))
    elif kind is ValueKind.NUMBER:
        ok = bool(_INT.match(value))
    elif kind is ValueKind.DECIMAL:
        ok = bool(_DECIMAL.match(value))
    elif kind is ValueKind.DATE:
        ok = value == "00000000" or _date_ok(value, 8)  # all zeros: no date
    elif kind is ValueKind.DATETIME:
        ok = _date_ok(value, 14)
    elif kind is ValueKind.TIME:
        ok = _time_ok(value, max_hour=23)
    elif kind is ValueKind.SESSION_TIME:
        ok = _time_ok(value, max_hour=47)
    elif kind is ValueKind.DECIMAL_PRICE:
        ok = bool(_DECIMAL.match(value))
    elif kind is ValueKind.SCALED:
        ok = bool(_INT.match(value))
    elif kind is ValueKind.MONTH:
        ok = _date_ok(value + "01", 8)
    elif kind is ValueKind.SIGN_CODE:
        ok = value in field.values if field.values else value in {"1", "2", "3", "4", "5"}
    else:  # pragma: no cover - every kind is handled above
        ok = True
    return None if ok else f"{value!r} is not a valid {kind.value}"


_EXCHANGE_SUFFIXES = ("_NX", "_AL")


def measured_length(field: Field, value: str) -> int:
    """``value``'s length against the field's documented Length: a code's exchange suffix
    (``005930_NX``) is not counted; the tables give the code's own length, and the service
    takes and echoes the suffixed form (kiwoom_runtime.arguments measures the same way)."""
    if field.kind is ValueKind.CODE and value.endswith(_EXCHANGE_SUFFIXES):
        return len(value) - 3
    return len(value)
