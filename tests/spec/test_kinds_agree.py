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
    ValueKind.DECIMAL_PRICE: values.parse_decimal_price,
    ValueKind.SCALED: values.parse_scaled,
    ValueKind.DATE: values.parse_date,
    ValueKind.DATETIME: values.parse_datetime_kst,
    ValueKind.MONTH: values.parse_month,
    ValueKind.TIME: values.parse_time,
    ValueKind.SESSION_TIME: values.parse_session_time,
}

VALID = [
    "",
    "0",
    "-0",
    "+181400",
    "-91200",
    "--714",  # a doubled sign: one sign
    "++1",
    "0.00",
    "+26.69",
    "20241107",
    "20241107083713",
    "083713",
    "08:37:13",
    "08:37",
    "5000",
    "000123",
    "-00000002438684",
    "-47.41",
    "20240229",
    "202605",
]
#: Forms the documentation does not promise but the service sends: the runtime reads them,
#: validate reports them (a finding), so only "runtime parses" is required.
TOLERATED = ["1,000", "1,507.70", "20%", "2026-06-28", "2026-06-03 00:00:00.0"]
INVALID = ["abc", "12.5x", "1 2", "+", "-", "0x10", "+-121"]
INVALID_FOR = {
    ValueKind.DATE: ["20241340", "20230229", "2024117"],
    ValueKind.DATETIME: ["20241107253713", "2024110708371"],
    ValueKind.TIME: ["246060", "0837", "27:35"],
    ValueKind.SESSION_TIME: ["486000", "0837"],
    ValueKind.MONTH: ["202613", "20260"],
}

SAMPLES = sorted({*VALID, *TOLERATED, *INVALID, *(v for vs in INVALID_FOR.values() for v in vs)})


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


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ValueKind.NUMBER, "1,000"),
        (ValueKind.DECIMAL, "1,507.70"),
        (ValueKind.DECIMAL, "20%"),
        (ValueKind.DATE, "2026-06-28"),
        (ValueKind.DATE, "2026-06-03 00:00:00.0"),
    ],
)
def test_the_runtime_reads_forms_the_documentation_does_not_promise(
    kind: ValueKind, value: str
) -> None:
    assert kind_problem(_field(kind), value) is not None  # validate reports it
    assert PARSERS[kind](value) is not None  # and a live answer still parses


def test_session_times_pass_midnight() -> None:
    import datetime as dt

    assert values.parse_session_time("273500") == dt.timedelta(hours=27, minutes=35)
    assert values.parse_scaled("2658") == __import__("decimal").Decimal("26.58")
    price = values.parse_decimal_price("-164.2700")
    assert price is not None and price.direction is values.Direction.DOWN
    assert values.parse_signed_int("--714") == -714
    assert values.parse_date("00000000") is None
