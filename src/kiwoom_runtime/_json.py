"""JSON on the wire: orjson when it is installed, else the standard library, same results.

Why orjson: parsing the answer is the largest part of a call's CPU on LIST TRs (a 100-row
ka10005 page: ~190 us with ``json.loads``, about a third of that with ``orjson.loads``) and a
fixed part of every other call. It is a dependency on CPython (wheels for every platform the
client supports); elsewhere, or when it is missing, the standard library does the same job.

Where the two could differ, the standard library decides: a body orjson refuses (NaN,
Infinity, a lone surrogate, ...) is parsed again by ``json.loads``, and a request orjson cannot
encode is encoded by ``json.dumps``; so errors and edge cases are the stdlib's. One difference
stays: orjson reads a bare integer beyond 64 bits as a float. Kiwoom sends its figures as
strings (its only bare numbers are ``return_code`` values), so no answer has one.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the tests hide it to run the fallback
    _orjson = None  # type: ignore[assignment]

__all__ = ["BACKEND", "dumps", "loads"]

BACKEND = "orjson" if _orjson is not None else "json"
"""The parser this process uses: ``"orjson"`` or ``"json"`` (the standard library)."""


def loads(data: bytes | str) -> Any:
    """Parse a JSON document: what ``json.loads`` gives, errors included."""
    if _orjson is not None:
        try:
            return _orjson.loads(data)
        except _orjson.JSONDecodeError:
            pass  # the stdlib's answer, or the stdlib's error
    return json.loads(data)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(obj, ensure_ascii=False, separators=(",", ":"))``.

    With orjson a float may be spelled differently (``1e16`` for ``1e+16``, the same number)
    and NaN / Infinity, which JSON has not, become null; request bodies carry strings.
    """
    if _orjson is not None:
        try:
            return _orjson.dumps(obj)
        except TypeError:
            pass  # e.g. a non-str key or an int beyond 64 bits: the stdlib decides
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
