"""The validator's wire grammar (codegen.kinds) and the runtime's parsers must agree.

Whatever ``validate`` accepts, the generated accessors must be able to parse; whatever is
clearly malformed, both must refuse. The runtime may be more lenient (it strips blanks), never
stricter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from codegen.kinds import kind_problem
from codegen.spec import Field, ValueKind
from kiwoom_runtime import values

PARSERS: dict[ValueKind, Callable[[str], Any]] = {
    ValueKind.SIGNED_PRICE: values.parse_signed_price,
    ValueKind.SIGNED_NUMBER: values.parse_signed_int,
    ValueKind.NUMBER: values.parse_int,
    ValueKind.DECIMAL: values.parse_decimal,
    ValueKind.DATE: values.parse_date,
    ValueKind.DATETIME: values.parse_datetime_kst,
    ValueKind.TIME: values.parse_time,
}

VALID = [
    "",
    "0",
    "-0",
    "+181400",
    "-91200",
    "0.00",
    "+26.69",
    "20241107",
    "20241107083713",
    "083713",
    "5000",
    "000123",
    "-47.41",
    "20240229",
]
INVALID = ["abc", "1,000", "12.5x", "++1", "1 2", "+", "-", "0x10"]
INVALID_FOR = {
    ValueKind.DATE: ["20241340", "20230229", "2024117"],
    ValueKind.DATETIME: ["20241107253713", "2024110708371"],
    ValueKind.TIME: ["246060", "0837"],
}

SAMPLES = sorted({*VALID, *INVALID, *(v for vs in INVALID_FOR.values() for v in vs)})


def _field(kind: ValueKind) -> Field:
    return Field(element="x", korean="x", type="String", required=False, kind=kind)


@pytest.mark.parametrize("kind", list(PARSERS), ids=lambda k: k.value)
@pytest.mark.parametrize("value", SAMPLES)
def test_validator_accepts_only_what_the_runtime_parses(kind: ValueKind, value: str) -> None:
    accepted = kind_problem(_field(kind), value) is None
    try:
        PARSERS[kind](value)
        parsed = True
    except values.ValueKindError:
        parsed = False
    if accepted:
        assert parsed, f"validate accepts {value!r} as {kind.value} but the runtime cannot parse it"
    if value in INVALID or value in INVALID_FOR.get(kind, []):
        assert not accepted and not parsed, f"{value!r} must be refused as {kind.value}"
