"""Checks of request arguments, run before anything is sent.

Why: Kiwoom answers a bad request with a vague ``return_msg`` (or, for a missing field the manual
marks optional, with 1511) after a round trip and a rate-limit slot. Generated request models
call these checks on construction, so a wrong call fails at once with an :class:`ArgumentError`
naming the Python argument, the TR and the wire key.

The values of credential keys (``appkey``, ``secretkey``, ``token``) are never echoed in the
messages: the token TRs take them as ordinary request fields.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from kiwoom_runtime._redact import SENSITIVE_KEYS
from kiwoom_runtime.errors import ArgumentError

__all__ = ["check_argument", "check_arguments", "request_from_wire"]


def _shown(key: str, value: object) -> str:
    return "***" if key.lower() in SENSITIVE_KEYS else repr(value)


def check_argument(
    api_id: str,
    name: str,
    key: str,
    value: object,
    *,
    required: bool,
    length: int | None,
    values: Mapping[str, str] | None = None,
) -> None:
    """Check one request value: present if ``required``, a ``str``, at most ``length``
    characters, one of ``values`` (allowed value -> meaning) when given.

    ``name`` is the Python argument, ``key`` the wire key; None passes when not required.
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
    if not isinstance(value, str):
        shown = _shown(key, value)
        raise ArgumentError(name, f"expected str, got {type(value).__name__} {shown} ({where})")
    if length is not None and len(value) > length:
        shown = _shown(key, value)
        raise ArgumentError(
            name, f"{shown} is {len(value)} characters; at most {length} allowed ({where})"
        )
    if values is not None and value not in values:
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
