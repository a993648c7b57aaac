"""The wire grammar of each value kind: what a valid string looks like on the wire.

The validator uses this to judge documentation examples and fixtures. The runtime has its own
parsers (``kiwoom_runtime.values``) because it must not depend on the tooling; a test checks
that both agree on a shared corpus of samples.
"""

from __future__ import annotations

import datetime
import re

from codegen.spec import Field, ValueKind

_INT = re.compile(r"^\d+$")
_SIGNED_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_CODE = re.compile(r"^[0-9A-Za-z]+(_(NX|AL))?$")


def _date_ok(text: str, fmt: str, digits: int) -> bool:
    if len(text) != digits or not text.isdigit():
        return False
    try:
        datetime.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def kind_problem(field: Field, value: str) -> str | None:
    """Why ``value`` is not a valid ``field.kind`` value, or None. ``""`` means no value: fine."""
    kind = field.kind
    if value == "" or kind is None or kind in (ValueKind.TEXT, ValueKind.SECRET):
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
        ok = _date_ok(value, "%Y%m%d", 8)
    elif kind is ValueKind.DATETIME:
        ok = _date_ok(value, "%Y%m%d%H%M%S", 14)
    elif kind is ValueKind.TIME:
        ok = _date_ok(value, "%H%M%S", 6)
    elif kind is ValueKind.SIGN_CODE:
        ok = value in field.values if field.values else value in {"1", "2", "3", "4", "5"}
    else:  # pragma: no cover - every kind is handled above
        ok = True
    return None if ok else f"{value!r} is not a valid {kind.value}"
