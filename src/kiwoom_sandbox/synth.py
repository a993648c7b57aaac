"""Synthetic response bodies generated from a spec's field kinds.

When no fixture and no valid documentation example exist (or a benchmark asks for 20 pages of
10,000 rows), the sandbox still has to answer with values that *look* like Kiwoom's: strings,
prices carrying a direction sign, dates in ``YYYYMMDD``. The value kinds annotated in the spec
(``codegen.spec.ValueKind``) say what each field means, so generation needs no per-TR code.

Determinism matters more than realism: the same (seed, api_id, request, page) always gives the
same body, so a failing test is reproducible and benchmarks compare like with like. Rows carry a
global index (page * rows_per_page + row), which makes dates descend across pages the way a
paged daily-price query does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Mapping, Sequence
from typing import Any

from codegen.spec import Field, ValueKind

# A Friday, so stepping back in business days is plain arithmetic.
BASE_DATE = dt.date(2025, 1, 31)
_MARKET_CLOSE = 15 * 3600 + 30 * 60


def business_day(index: int) -> dt.date:
    """The ``index``-th business day before ``BASE_DATE`` (0 is ``BASE_DATE`` itself)."""
    weeks, rest = divmod(index, 5)
    ordinal = BASE_DATE.toordinal() - weeks * 7 - rest
    return dt.date.fromordinal(max(ordinal, 1))


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _sign(sign_code: str) -> str:
    return "+" if sign_code in ("1", "2") else "-" if sign_code in ("4", "5") else ""


class _Row:
    """Values for one row: one direction (sign code) shared by every signed field of the row."""

    def __init__(self, rng: random.Random, index: int, echo: Mapping[str, Any]) -> None:
        self.rng = rng
        self.index = index
        self.echo = echo
        self.sign_code = rng.choice("1222233455555")  # limits (1, 4) are rare
        self.base = rng.randrange(1_000, 200_000) // 100 * 100

    def value(self, field: Field) -> Any:
        rng, kind = self.rng, field.kind
        if field.element in self.echo and kind in (ValueKind.CODE, None):
            return self.echo[field.element]
        sign = _sign(self.sign_code)
        if kind is ValueKind.SIGNED_PRICE:
            spread = rng.randrange(0, 21) * 100
            name = field.element
            if "high" in name or "hgst" in name:
                return f"{sign}{self.base + spread}"
            if "low" in name or "lwst" in name:
                return f"{sign}{max(100, self.base - spread)}"
            return f"{sign}{self.base + rng.randrange(-10, 11) * 100}"
        if kind is ValueKind.SIGNED_NUMBER:
            magnitude = rng.randrange(0, 5_000_000)
            return "0" if magnitude == 0 else f"{rng.choice('+-')}{magnitude}"
        if kind is ValueKind.NUMBER:
            return str(rng.randrange(0, 100_000_000))
        if kind is ValueKind.DECIMAL:
            return f"{sign}{rng.randrange(0, 3000) / 100:.2f}"
        if kind is ValueKind.DATE:
            return business_day(self.index).strftime("%Y%m%d")
        if kind is ValueKind.TIME:
            return _hhmmss(self.index)
        if kind is ValueKind.DATETIME:
            return business_day(self.index // 390).strftime("%Y%m%d") + _hhmmss(self.index % 390)
        if kind is ValueKind.CODE:
            return f"{rng.randrange(0, 1_000_000):06d}"
        if kind is ValueKind.SIGN_CODE:
            return self.sign_code
        if field.type.lower() in ("integer", "int", "number"):
            return rng.randrange(0, 1000)
        return f"{field.element}{self.index}"


def _hhmmss(index: int) -> str:
    """A time that goes back one minute per row from the 15:30:00 close, wrapping at midnight."""
    seconds = (_MARKET_CLOSE - 60 * index) % 86400
    return f"{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}"


def _row(fields: Sequence[Field], row: _Row) -> dict[str, Any]:
    return {f.element: row.value(f) for f in fields if not f.is_list}


def generate_body(
    fields: Sequence[Field],
    *,
    api_id: str,
    request: Mapping[str, Any],
    page: int = 0,
    rows_per_page: int = 3,
    seed: int = 0,
) -> dict[str, Any]:
    """The body (without ``return_code``/``return_msg``) for one page of a TR.

    Scalar fields come from row 0 of the page; each LIST field gets ``rows_per_page`` rows whose
    global index starts at ``page * rows_per_page``. Request values are echoed into response
    fields of the same name (``stk_cd``: live echoes ``005930_NX`` back as sent).
    """
    request_key = repr(sorted((str(k), str(v)) for k, v in request.items()))
    echo = {str(k): v for k, v in request.items() if isinstance(v, str)}
    rng = _rng(seed, api_id, request_key, page)
    scalars = _Row(rng, page, echo)
    start = page * rows_per_page
    body: dict[str, Any] = {}
    for field in fields:  # spec order, like the live answers
        if field.is_list:
            body[field.element] = [
                _row(field.items, _Row(rng, start + i, echo)) for i in range(rows_per_page)
            ]
        else:
            body[field.element] = scalars.value(field)
    return body
