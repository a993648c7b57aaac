"""Valid request arguments for any spec, synthesized from each field's kind, values and length.

Tests build requests with these instead of assuming a TR's fields (``stk_cd="005930"`` fits only
some TRs): a value is one of the field's allowed values, else a well-formed value of its kind,
cut to its documented length.
"""

from __future__ import annotations

from codegen.spec import Field, TrSpec, ValueKind

#: A well-formed wire value of each kind (text when the field declares none).
SAMPLES: dict[ValueKind | None, str] = {
    None: "1",
    ValueKind.TEXT: "1",
    ValueKind.CODE: "005930",
    ValueKind.SIGNED_PRICE: "+1000",
    ValueKind.SIGNED_NUMBER: "-1",
    ValueKind.NUMBER: "1",
    ValueKind.DECIMAL: "1.5",
    ValueKind.DATE: "20250102",
    ValueKind.DATETIME: "20250102090000",
    ValueKind.TIME: "090000",
    ValueKind.SIGN_CODE: "2",
    ValueKind.SECRET: "secret-0123456789",
    ValueKind.DECIMAL_PRICE: "+201.53",
    ValueKind.SCALED: "2658",
    ValueKind.MONTH: "202601",
    ValueKind.SESSION_TIME: "273500",
    ValueKind.ACCOUNT: "5012345610",
    ValueKind.PERSONAL: "홍길동",
}

#: Kinds whose typed value is the string as sent (no parser).
AS_SENT: frozenset[ValueKind | None] = frozenset(
    {None, ValueKind.TEXT, ValueKind.CODE, ValueKind.SECRET, ValueKind.ACCOUNT, ValueKind.PERSONAL}
)


def python_name(field: Field) -> str:
    return field.python_name or field.element


def _fits(field: Field, value: str) -> bool:
    return field.length is None or len(value) <= field.length


def valid_value(field: Field) -> str:
    """A value the request model accepts for ``field`` (see :func:`contradictions`)."""
    if field.values:
        return min(sorted(field.values), key=lambda v: not _fits(field, v))
    value = SAMPLES.get(field.kind, "1")
    return value if field.length is None else value[: field.length]


def contradictions(spec: TrSpec) -> list[str]:
    """Request fields no value can pass (flaws of the manual the model faithfully enforces):
    every allowed value longer than the documented length, or a date / time / datetime kind
    whose layout is longer than the length."""
    out = [
        f"{spec.api_id} {f.element}: allowed values {sorted(f.values)} vs length {f.length}"
        for f in spec.request.body
        if f.values and not any(_fits(f, v) for v in f.values)
    ]
    out += [
        f"{spec.api_id} {f.element}: kind {f.kind.value} vs length {f.length}"
        for f in spec.request.body
        if f.kind is not None
        and not f.values
        and not _fits(f, SAMPLES[f.kind])
        and f.kind in (ValueKind.DATE, ValueKind.TIME, ValueKind.DATETIME)
    ]
    return out


def sendable(spec: TrSpec) -> bool:
    """Whether :func:`valid_arguments` gives a request the model accepts."""
    return not contradictions(spec)


def valid_arguments(spec: TrSpec, *, optional: bool = False) -> dict[str, str]:
    """Python-named arguments for ``spec``'s request: the required fields (all with
    ``optional``), each with :func:`valid_value`."""
    return {
        python_name(f): valid_value(f)
        for f in spec.request.body
        if (f.required or optional) and not f.is_list
    }
