"""Answers of the real service that other people recorded and published: the specs agree
with them except where a finding records the evidence, and every recorded value parses by its
kind.

Two sets: the copies kept in ``tests/live_responses`` (those whose repository's licence allows
it; always there) and the full collection in ``../shared/live-responses`` (skipped when it is
not beside the checkout). The same checks run over both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from codegen.loader import load_specs
from codegen.spec import Field, ValueKind
from codegen.validate import validate
from kiwoom_runtime import values
from tests.conftest import ROOT, SPECS

KEPT = ROOT / "tests" / "live_responses"
SHARED = ROOT.parent / "shared" / "live-responses"
NO_SHARED = pytest.mark.skipif(
    not SHARED.is_dir(), reason="no ../shared/live-responses beside the checkout"
)
SETS = [pytest.param(KEPT, id="kept"), pytest.param(SHARED, id="shared", marks=NO_SHARED)]
# licences that allow keeping a copy with attribution (this project is MIT: no copyleft data)
PERMISSIVE = {
    "MIT",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "Apache-2.0",
    "ISC",
    "CC0-1.0",
    "Unlicense",
    "CC-BY-4.0",
}

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


def _recordings(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.json")) if folder.is_dir() else []


def _all_recordings() -> list[Path]:
    """The kept copies, then the shared ones not kept (each recording once)."""
    kept = _recordings(KEPT)
    names = {p.relative_to(KEPT) for p in kept}
    return kept + [p for p in _recordings(SHARED) if p.relative_to(SHARED) not in names]


@pytest.mark.parametrize("folder", SETS)
def test_the_specs_agree_with_the_recordings_or_record_why(folder: Path) -> None:
    report = validate(load_specs(SPECS), folder)
    open_findings = [f.render() for f in report.open if f.check != "fixture-unknown-tr"]
    assert open_findings == []
    # condition search (ka10173) runs over WebSocket: no REST spec to check it against
    assert {f.api_id for f in report.open} <= {"ka10173"}
    recorded = {(f.api_id, f.check) for f in report.recorded if f.where.startswith("fixture:")}
    if _recordings(folder / "ka10080"):
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


@pytest.mark.parametrize(
    "path",
    _all_recordings(),
    ids=lambda p: f"{'kept' if p.is_relative_to(KEPT) else 'shared'}/{p.parent.name}/{p.stem[:40]}",
)
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


def _kept_rows() -> dict[str, str]:
    """The README's table of kept files: file (``<api_id>/<name>.json``) -> its row."""
    text = (KEPT / "README.md").read_text("utf-8")
    section = text.split("\n## Kept\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+\.json)` \|", line)
        if match:
            rows[match.group(1)] = line
    return rows


def test_the_readme_lists_exactly_the_kept_files() -> None:
    assert set(_kept_rows()) == {p.relative_to(KEPT).as_posix() for p in _recordings(KEPT)}


@pytest.mark.parametrize("path", _recordings(KEPT), ids=lambda p: f"{p.parent.name}/{p.stem[:40]}")
def test_every_kept_file_names_its_source_and_licence(path: Path) -> None:
    """A kept copy says where it came from and under which permissive licence, and the
    licence's notice is kept beside it (MIT asks for the copyright and permission notice)."""
    data = json.loads(path.read_text("utf-8"))
    assert data["api_id"] == path.parent.name
    row = _kept_rows().get(path.relative_to(KEPT).as_posix())
    assert row is not None, f"{path.name} is not in {KEPT / 'README.md'}"
    cells = [c.strip() for c in row.strip("|").split("|")]
    _, source, licence, notice = cells
    assert source == data["source"]
    assert licence in PERMISSIVE
    repo = data["source"].split()[0]
    assert path.name.startswith(repo.replace("/", "__") + "__")
    notice_file = KEPT / "LICENSES" / f"{repo.replace('/', '__')}.txt"
    assert f"]({notice_file.relative_to(KEPT).as_posix()})" in notice
    text = notice_file.read_text("utf-8")
    assert "Copyright" in text
    if licence == "MIT":
        assert "The above copyright notice and this permission notice shall be included" in text
