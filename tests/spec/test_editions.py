"""Kiwoom's editions disagree in documented ways only: importing the 2026-05-07 workbook over
the committed specs (taken from the newest catalogue) reports exactly the differences listed in
``data/editions-2026-05-07.yaml`` and those every page shows, and keeps every hand annotation.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.diff import Change, changes
from codegen.importer import import_trs
from codegen.loader import load_specs
from codegen.sources import read_source
from tests.conftest import SPECS
from tests.spec.test_sources import WORKBOOK, needs_docs

pytestmark = pytest.mark.slow  # reads the whole workbook and rewrites 300 specs

EXPECTED = yaml.safe_load((Path(__file__).parent / "data" / "editions-2026-05-07.yaml").read_text())
_space = re.compile(r"\s+")


def _norm(value: object) -> str:
    return _space.sub(" ", str(value or "")).strip()


def _every_page(change: Change) -> bool:
    """Differences every page shows between the editions (README of kiwoom-docs)."""
    if change.where == "source":
        return True
    if change.where == "hosts.mock_note":  # the catalogue drops the mock host's note
        return change.before is None and change.after == "KRX만 지원가능"
    if change.where == "overview" or change.attribute == "description":
        # the catalogue adds 개요 sentences and unit notes ("단위: 원, 부호가 포함된 숫자")
        return not change.after or _norm(change.after) in _norm(change.before)
    return False


def _what(change: Change) -> str:
    return change.attribute or change.what


@pytest.fixture(scope="module")
def reimport(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("editions") / "specs"
    shutil.copytree(SPECS, out)
    before = load_specs(out).raw
    report = import_trs(read_source(WORKBOOK).trs, out, update_common=True)
    return {"before": before, "after": load_specs(out).raw, "report": report}


@needs_docs
def test_reimporting_the_older_workbook_shows_only_documented_differences(
    reimport: dict[str, Any],
) -> None:
    before, after = reimport["before"], reimport["after"]
    unexplained: list[str] = []
    used: set[int] = set()
    for api_id, spec in sorted(after.items()):
        old = before.get(api_id)
        found = [Change("", "new")] if old is None else changes(old, spec)
        for change in found:
            if _every_page(change):
                continue
            matches = [
                i
                for i, entry in enumerate(EXPECTED)
                if fnmatch.fnmatch(api_id, entry["api"])
                and entry["what"] == _what(change)
                and fnmatch.fnmatch(change.where, entry["where"])
            ]
            if not matches:
                unexplained.append(f"{api_id} {change.render()}")
            used.update(matches)
    assert unexplained == []
    assert [EXPECTED[i] for i in range(len(EXPECTED)) if i not in used] == []
    # the shared rows: the catalogue describes the api-id header ("7자리 TR코드, ex) ka00001")
    assert reimport["report"].common_changes == [
        "_common.yaml request_headers.api-id: row text changed",
        "_common.yaml response_headers.api-id: row text changed",
    ]


@needs_docs
def test_reimporting_keeps_every_hand_annotation(reimport: dict[str, Any]) -> None:
    before, after = reimport["before"], reimport["after"]
    for api_id, old in before.items():
        assert after[api_id].annotations == old.annotations, api_id


@needs_docs
def test_the_change_report_says_what_changed(reimport: dict[str, Any]) -> None:
    results = {r.api_id: r for r in reimport["report"].results}
    assert results["ka10009"].status == "new"
    assert "name changed '지정종목 정보요청' -> '관심종목정보요청'" in results["ka10095"].changes
    assert (
        "response.body.list.items.marketCode: type changed 'String' -> 'LIST'"
        in results["ka10101"].changes
    )
