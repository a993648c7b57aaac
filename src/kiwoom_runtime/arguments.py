"""Checks of request arguments, run before anything is sent.

Why: Kiwoom answers a bad request with a vague ``return_msg`` (or, for a missing field the manual
marks optional, with 1511) after a round trip and a rate-limit slot. Generated request models
call these checks on construction, so a wrong call fails at once with an :class:`ArgumentError`
naming the Python argument, the TR and the wire key.

The values of credential keys (``appkey``, ``secretkey``, ``token``) are never echoed in the
messages: the token TRs take them as ordinary request fields.

Request fields of value kind date / time / datetime also take ``datetime`` objects: the
converters below (``date_arg`` ...) turn them into the wire string when the model is built, and
:func:`check_argument` then checks the wire string against the kind.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from kiwoom_runtime._redact import SENSITIVE_KEYS
from kiwoom_runtime.errors import ArgumentError
from kiwoom_runtime.values import KST

__all__ = [
    "check_argument",
    "check_arguments",
    "date_arg",
    "datetime_arg",
    "optional_date_arg",
    "optional_datetime_arg",
    "optional_time_arg",
    "request_from_wire",
    "time_arg",
]


def _shown(key: str, value: object) -> str:
    return "***" if key.lower() in SENSITIVE_KEYS else repr(value)


# -- datetime objects -> wire strings (attrs converters of generated request models) ------------
#
# Anything that is not the expected object is returned unchanged: the model's check then names
# the argument in its ArgumentError, which a converter could not.


def date_arg(value: str | _dt.date) -> str:
    """A ``date`` (or a ``datetime``: its date in Korea time when aware) -> ``YYYYMMDD``."""
    if isinstance(value, _dt.datetime):
        value = (value.astimezone(KST) if value.tzinfo is not None else value).date()
    if isinstance(value, _dt.date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    return value


def time_arg(value: str | _dt.time) -> str:
    """A ``time`` -> ``HHMMSS`` (Korea time by convention; microseconds and tzinfo dropped)."""
    if isinstance(value, _dt.time):
        return f"{value.hour:02d}{value.minute:02d}{value.second:02d}"
    return value


def datetime_arg(value: str | _dt.datetime) -> str:
    """A ``datetime`` -> ``YYYYMMDDHHMMSS`` in Korea time (an aware one is converted first)."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(KST)
        return date_arg(value.date()) + time_arg(value.time())
    return value


def optional_date_arg(value: str | _dt.date | None) -> str | None:
    """:func:`date_arg` for an optional argument (None stays None)."""
    return None if value is None else date_arg(value)


def optional_time_arg(value: str | _dt.time | None) -> str | None:
    """:func:`time_arg` for an optional argument (None stays None)."""
    return None if value is None else time_arg(value)


def optional_datetime_arg(value: str | _dt.datetime | None) -> str | None:
    """:func:`datetime_arg` for an optional argument (None stays None)."""
    return None if value is None else datetime_arg(value)


# kind -> (wire format for the message, strptime format, the object the argument may also be)
_TIME_KINDS: dict[str, tuple[str, str, str]] = {
    "date": ("YYYYMMDD", "%Y%m%d", "datetime.date"),
    "time": ("HHMMSS", "%H%M%S", "datetime.time"),
    "datetime": ("YYYYMMDDHHMMSS", "%Y%m%d%H%M%S", "datetime.datetime"),
}
_DIGITS = re.compile(r"[0-9]+")


def _fits_kind(value: str, kind: str) -> bool:
    layout, fmt, _ = _TIME_KINDS[kind]
    if len(value) != len(layout) or not _DIGITS.fullmatch(value):
        return False
    try:
        _dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


_EXCHANGE_SUFFIXES = ("_NX", "_AL")


def _measured(value: str, kind: str | None) -> int:
    """A value's length against the documented Length: a stock code's exchange suffix
    (``005930_NX``) is not counted, because the tables give the code's own length and the
    service takes and echoes the suffixed form."""
    if kind == "code" and value.endswith(_EXCHANGE_SUFFIXES):
        return len(value) - 3
    return len(value)


def check_argument(
    api_id: str,
    name: str,
    key: str,
    value: object,
    *,
    required: bool,
    length: int | None,
    values: Mapping[str, str] | None = None,
    kind: str | None = None,
) -> None:
    """Check one request value: present if ``required``, a ``str``, at most ``length``
    characters, one of ``values`` (allowed value -> meaning) when given, and for ``kind`` date /
    time / datetime a valid ``YYYYMMDD`` / ``HHMMSS`` / ``YYYYMMDDHHMMSS``.

    ``name`` is the Python argument, ``key`` the wire key; None passes when not required, and
    so does ``""`` (no value, as the manual's examples send it) for the values and kind checks.
    """
    where = f"{api_id} {key!r}" if key == name else f"{api_id} wire key {key!r}"
    if value is None or (required and value == ""):
        # Kiwoom reads "" in a required field as missing (1511), after a round trip.
        if required:
            raise ArgumentError(
                name,
                f"required ({where})"
                if value is None
                else f"required, got an empty string ({where})",
            )
        return
    time_kind = _TIME_KINDS.get(kind) if kind is not None else None
    if not isinstance(value, str):
        shown = _shown(key, value)
        expected = f"str or {time_kind[2]}" if time_kind else "str"
        raise ArgumentError(
            name, f"expected {expected}, got {type(value).__name__} {shown} ({where})"
        )
    if time_kind is not None and kind is not None and value and not _fits_kind(value, kind):
        raise ArgumentError(
            name, f"{_shown(key, value)} is not a valid {kind} ({time_kind[0]}) ({where})"
        )
    if length is not None and _measured(value, kind) > length:
        shown = _shown(key, value)
        raise ArgumentError(
            name, f"{shown} is {len(value)} characters; at most {length} allowed ({where})"
        )
    if values is not None and value not in values and (required or value):  # "": no value
        allowed = ", ".join(f"{v!r} ({m})" for v, m in values.items())
        raise ArgumentError(name, f"{_shown(key, value)} is not one of {allowed} ({where})")


def check_arguments(
    api_id: str, arguments: Mapping[str, Any], names: Collection[str], required: Sequence[str]
) -> None:
    """Refuse unknown and missing arguments of a generic call (``call(api_id, **arguments)``).

    ``names`` are the TR's Python argument names, ``required`` the ones that must be given.
    """
    for name in arguments:
        if name not in names:
            known = ", ".join(names) or "none"
            raise ArgumentError(name, f"{api_id} has no argument {name!r} (arguments: {known})")
    for name in required:
        if arguments.get(name) is None:
            raise ArgumentError(name, f"required by {api_id}")


def request_from_wire(
    api_id: str, data: Mapping[str, Any], wire_names: Mapping[str, str]
) -> dict[str, Any]:
    """Rename a request body's wire keys to Python argument names (``wire_names``: key -> name).

    A key the TR does not document raises :class:`ArgumentError`: a request is sent as built,
    so an unknown key would be a typo, not news from the server.
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = wire_names.get(key)
        if name is None:
            raise ArgumentError(key, f"{api_id} has no request field {key!r}")
        out[name] = value
    return out
