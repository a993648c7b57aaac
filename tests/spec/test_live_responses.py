"""Answers of the real service that other people recorded and published
(``../shared/live-responses``): the specs agree with them except where a finding records the
evidence, and every recorded value parses by its kind.

The recordings are read where they are, never copied: their licences are those of the
repositories they came from. Skipped when the folder is not beside the checkout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from codegen.loader import load_specs
from codegen.spec import Field, ValueKind
from codegen.validate import validate
from kiwoom_runtime import values
from tests.conftest import ROOT, SPECS

LIVE = ROOT.parent / "shared" / "live-responses"
pytestmark = pytest.mark.skipif(
    not LIVE.is_dir(), reason="no ../shared/live-responses beside the checkout"
)

PARSERS: dict[ValueKind, Callable[[str], Any]] = {
    ValueKind.SIGNED_PRICE: values.parse_signed_price,
    ValueKind.DECIMAL_PRICE: values.parse_decimal_price,
    ValueKind.SIGNED_NUMBER: values.parse_signed_int,
    ValueKind.NUMBER: values.parse_int,
    ValueKind.DECIMAL: values.parse_decimal,
    ValueKind.SCALED: values.parse_scaled,
    ValueKind.DATE: values.parse_date,
    ValueKind.DATETIME: values.parse_datetime_kst,
    ValueKind.MONTH: values.parse_month,
    ValueKind.TIME: values.parse_time,
    ValueKind.SESSION_TIME: values.parse_session_time,
    ValueKind.SIGN_CODE: values.parse_sign_code,
}


@pytest.fixture(scope="module")
def specs() -> dict[str, Any]:
    return load_specs(SPECS).specs


def _recordings() -> list[Path]:
    return sorted(LIVE.glob("*/*.json")) if LIVE.is_dir() else []


def test_the_specs_agree_with_the_recordings_or_record_why() -> None:
    report = validate(load_specs(SPECS), LIVE)
    open_findings = [f.render() for f in report.open if f.check != "fixture-unknown-tr"]
    assert open_findings == []
    # condition search (ka10173) runs over WebSocket: checked against specs/websocket/ka10173
    assert {f.api_id for f in report.open} <= {"ka10173"}
    assert ("ka10173", "value-type") in {(f.api_id, f.check) for f in report.recorded}
    recorded = {(f.api_id, f.check) for f in report.recorded if f.where.startswith("fixture:")}
    assert ("ka10080", "key-not-in-table") in recorded  # acc_trde_qty, in no table


def _pairs(fields: tuple[Field, ...], body: Mapping[str, Any]) -> Iterator[tuple[Field, Any]]:
    for field in fields:
        if field.element not in body:
            continue
        value = body[field.element]
        if field.is_list and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    yield from _pairs(field.items, row)
        else:
            yield field, value


@pytest.mark.parametrize("path", _recordings(), ids=lambda p: f"{p.parent.name}/{p.stem[:40]}")
def test_every_recorded_value_parses_by_its_kind(path: Path, specs: dict[str, Any]) -> None:
    """Zero-padded signed numbers, ``A``-prefixed codes, unsigned chart prices, ``-0``: the
    value kinds read what the service sends, so other APIs' answers parse too."""
    data = json.loads(path.read_text("utf-8"))
    spec = specs.get(data["api_id"])
    if spec is None:
        pytest.skip(f"{data['api_id']} is not a REST API")
    for field, value in _pairs(spec.response.body, data["body"]):
        parse = PARSERS.get(field.kind) if field.kind is not None else None
        if parse is not None and isinstance(value, str):
            parse(value)  # raises ValueKindError naming the value if a kind is wrong
