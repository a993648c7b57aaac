"""Kiwoom's documentation in every form it is published: the workbook, the JSON catalogue (and
the kwcli wheel that carries it), the text extract. They import into the same specs, errors are
located in each source's own terms, and a damaged source is refused.

Tests that read Kiwoom's own documents skip when ``../shared/kiwoom-docs`` is not beside the
checkout; the synthetic documents below run everywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from codegen.diff import changes
from codegen.errors import SpecError
from codegen.importer import import_trs
from codegen.loader import load_specs
from codegen.sources import (
    WHEEL_MEMBER,
    build_all,
    build_tr,
    detect_form,
    read_json_catalog,
    read_source,
    select,
)
from tests.conftest import ROOT, SEED, SPECS

DOCS = ROOT.parent / "shared" / "kiwoom-docs"
CATALOGUE = DOCS / "kiwoom_api_spec-kwcli-1.0.3.json"
WORKBOOK = DOCS / "kiwoom-rest-api-2026-05-07.xlsx"
needs_docs = pytest.mark.skipif(
    not CATALOGUE.is_file() or not WORKBOOK.is_file() or not SEED.is_file(),
    reason="Kiwoom's documents are not at ../shared (they are never copied here)",
)

_space = re.compile(r"\s+")


def _norm(text: str | None) -> str:
    return _space.sub(" ", text or "").strip()


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return read_source(CATALOGUE)


@pytest.fixture(scope="module")
def workbook() -> Any:
    return read_source(WORKBOOK)


# --- the published documents ------------------------------------------------------------------


@needs_docs
def test_the_catalogue_documents_306_rest_apis(catalogue: Any) -> None:
    ids = [tr.spec.api_id for tr in catalogue.trs]
    assert len(ids) == 306 == len(set(ids))
    urls = [tr.spec.url for tr in catalogue.trs]
    assert sum(u.startswith("/oauth2/") for u in urls) == 2
    assert sum(u.startswith("/api/dostk/") for u in urls) == 183
    assert sum(u.startswith("/api/us/") for u in urls) == 121
    assert len(catalogue.skipped) == 31  # WebSocket: 19 + 4 real-time types, 4 + 4 searches


@needs_docs
def test_the_workbook_documents_184_rest_apis(workbook: Any) -> None:
    assert workbook.form == "workbook"
    assert len(workbook.trs) == 184
    assert len(workbook.skipped) == 23
    source = workbook.trs[0].spec.source
    assert source.document == "키움 REST API 문서.xlsx (2026-05-07)"
    assert source.entry == "접근토큰 발급(au10001)"


@needs_docs
@pytest.mark.slow
def test_committed_specs_are_the_newest_catalogue_plus_annotations(tmp_path: Path) -> None:
    """Importing the catalogue over the committed specs changes nothing, byte for byte."""
    out = tmp_path / "specs"
    shutil.copytree(SPECS, out)
    report = import_trs(read_source(CATALOGUE).trs, out, update_common=True)
    assert report.common_changes == []
    assert {r.status for r in report.results} == {"unchanged"}
    for path in SPECS.glob("*.yaml"):
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


@needs_docs
@pytest.mark.slow
@pytest.mark.parametrize("source", ["seed", "workbook", "catalogue", "wheel"])
def test_each_source_imports_into_an_empty_folder(source: str, tmp_path: Path) -> None:
    doc = {"seed": SEED, "workbook": WORKBOOK, "catalogue": CATALOGUE}.get(source)
    if doc is None:
        doc = tmp_path / "kwcli-1.0.3-py3-none-any.whl"
        with zipfile.ZipFile(doc, "w") as wheel:
            wheel.write(CATALOGUE, WHEEL_MEMBER)
    read = read_source(doc)
    report = import_trs(read.trs, tmp_path / "specs", update_common=read.form != "extract")
    assert {r.status for r in report.results} == {"new"}
    loaded = load_specs(tmp_path / "specs")
    assert len(loaded.specs) == len(read.trs)
    # rules resolve every spec: a method name, and a kind for every scalar field
    for spec in loaded.specs.values():
        assert spec.facts.python_name.isidentifier()


@needs_docs
def test_the_extract_and_the_workbook_agree_on_the_seed_pages(workbook: Any) -> None:
    """Same text in both forms (pages aside); the PDF wraps long descriptions over lines and
    its extract ends at ka10006's example headings."""
    seed = {tr.spec.api_id: tr for tr in read_source(SEED).trs}
    book = {tr.spec.api_id: tr for tr in workbook.trs}
    for api_id, tr in seed.items():
        other = book[api_id]
        for change in changes(tr.spec, other.spec):
            if change.where in ("source", "source.pages"):
                continue
            if change.attribute == "description":
                assert _norm(str(change.before)) == _norm(str(change.after)), change.render()
                continue
            assert api_id == "ka10006" and change.what == "added", change.render()
            assert change.where.startswith("examples.")
        for mine, theirs in (
            (tr.request_headers, other.request_headers),
            (tr.response_headers, other.response_headers),
        ):
            assert [(f.element, f.korean, f.type, f.required, f.length) for f in mine] == [
                (f.element, f.korean, f.type, f.required, f.length) for f in theirs
            ]
            assert [_norm(f.description) for f in mine] == [_norm(f.description) for f in theirs]


def _rows(raw: Any, *, descriptions: bool = True) -> list[tuple[object, ...]]:
    return [
        (r.element, r.depth, r.korean, r.type, r.required, r.length)
        + ((r.description,) if descriptions else ())
        for r in (*raw.request, *raw.response)
        if r.section == "Body"
    ]


def _blank_descriptions(fields: Any) -> Any:
    import attrs

    return tuple(
        attrs.evolve(f, description="", items=_blank_descriptions(f.items)) for f in fields
    )


@needs_docs
def test_the_workbook_and_the_catalogue_yield_identical_specs_for_identical_tables() -> None:
    """Where both print the same rows, both readers build the same fields.

    7 APIs print identical body tables in both editions; 170 differ only in descriptions
    (the catalogue adds unit notes), and their fields are equal once descriptions are set aside.
    """
    from codegen.sources import read_workbook

    book, _ = read_workbook(WORKBOOK, "kiwoom.xlsx")
    cat, _ = read_json_catalog(CATALOGUE.read_bytes(), "kiwoom_api_spec.json")
    by_id = {raw.info["api_id"]: raw for raw in cat}
    identical = same_structure = 0
    for raw in book:
        other = by_id.get(raw.info["api_id"])
        if other is None:
            continue
        a, b = build_tr(raw).spec, build_tr(other).spec
        if _rows(raw) == _rows(other):
            identical += 1
            assert (a.request.body, a.response.body) == (b.request.body, b.response.body)
        if _rows(raw, descriptions=False) == _rows(other, descriptions=False):
            same_structure += 1
            for side in ("request", "response"):
                mine = _blank_descriptions(getattr(a, side).body)
                theirs = _blank_descriptions(getattr(b, side).body)
                assert mine == theirs, (raw.key, side)
    assert identical >= 5 and same_structure >= 150, (identical, same_structure)


# --- located errors and damaged sources (synthetic documents, always run) --------------------


def _catalogue_entry(**overrides: Any) -> dict[str, Any]:
    def row(element: str, korean: str, type_: str = "String", depth: int = 0) -> dict[str, Any]:
        return {
            "element": element,
            "depth": depth,
            "is_section": False,
            "한글명": korean,
            "type": type_,
            "required": "N",
            "length": "" if type_ == "LIST" else "20",
            "description": "",
        }

    entry: dict[str, Any] = {
        "meta": {
            "메뉴 위치": "국내주식 > 계좌 > 가상요청(kt99901)",
            "API 명": "가상요청",
            "API ID": "kt99901",
            "Method": "POST",
            "운영 도메인": "https://api.kiwoom.com",
            "모의투자 도메인": "https://mockapi.kiwoom.com",
            "URL": "/api/dostk/acnt",
            "Format": "JSON",
            "Content-Type": "application/json;charset=UTF-8",
            "개요": "",
            "가상의 API입니다.": "",
        },
        "request": {"header": [row("api-id", "TR명")], "body": [row("qry_tp", "조회구분")]},
        "response": {
            "header": [],
            "body": [row("rows", "행", "LIST"), row("amt", "금액", depth=1)],
        },
        "request_example": '{"qry_tp": "1"}',
        "response_example": '{"rows": [{"amt": "1"}]}',
    }
    entry.update(overrides)
    return entry


def _catalogue(tmp_path: Path, entry: dict[str, Any]) -> Path:
    path = tmp_path / "kiwoom_api_spec.json"
    path.write_text(json.dumps({"apis": {"가상요청(kt99901)": entry}}, ensure_ascii=False), "utf-8")
    return path


def test_a_synthetic_catalogue_entry_imports(tmp_path: Path) -> None:
    (tr,) = read_source(_catalogue(tmp_path, _catalogue_entry())).trs
    spec = tr.spec
    assert spec.overview == "가상의 API입니다."
    assert spec.source.entry == "가상요청(kt99901)"
    rows = spec.response.body[0]
    assert rows.is_list and [f.element for f in rows.items] == ["amt"]


def test_a_blank_type_in_the_catalogue_is_located(tmp_path: Path) -> None:
    entry = _catalogue_entry()
    entry["response"]["body"][0]["type"] = ""
    with pytest.raises(SpecError) as info:
        read_source(_catalogue(tmp_path, entry))
    assert (
        str(info.value)
        .removeprefix(f"{tmp_path}/")
        .startswith(
            'kiwoom_api_spec.json: apis["가상요청(kt99901)"].response.body[0].type: '
            "the Type of rows is blank"
        )
    ), str(info.value)


def test_a_member_without_its_list_is_refused(tmp_path: Path) -> None:
    entry = _catalogue_entry()
    entry["response"]["body"][0]["type"] = "String"  # the LIST row lost its type
    with pytest.raises(SpecError, match=r"body\[1\]\.element: amt is a LIST member"):
        read_source(_catalogue(tmp_path, entry))


def _workbook(tmp_path: Path, *, type_column: bool = True) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "API 리스트"
    sheet = book.create_sheet("가상요청(kt99901)")
    info = [
        ("◀ API 리스트 이동",),
        ("키움 REST API",),
        ("API 정보",),
        ("메뉴 위치", None, "국내주식 > 계좌 > 가상요청(kt99901)"),
        ("API 명", None, "가상요청"),
        ("API ID", None, "kt99901"),
        ("기본정보",),
        ("Method", None, "POST"),
        ("운영 도메인", None, "https://api.kiwoom.com"),
        ("모의투자 도메인", None, "https://mockapi.kiwoom.com(KRX만 지원가능)"),
        ("URL", None, "/api/dostk/acnt"),
        ("Format", None, "JSON"),
        ("Content-Type", None, "application/json;charset=UTF-8"),
        ("개요",),
        ("",),
    ]
    header = ("구분", "Element", "한글명", "Type", "Required", "Length", "Description")
    rows = [
        *info,
        ("Request",),
        header,
        ("Header", "api-id", "TR명", "String", "Y", "10"),
        ("Body", "qry_tp", "조회구분", "String", "Y", "1", "1:전체\n2:일부"),
        ("Response",),
        header,
        ("Body", "rows", "행", "LIST", "N", ""),
        (None, "- sub", "하위", "LIST", "N", ""),
        (None, "- - amt", "금액", "String", "N", "15"),
        ("Request Example",),
        ('{"qry_tp": "1"}',),
        ("Response Example",),
        ('{"rows": [{"sub": [{"amt": "1"}]}]}',),
    ]
    for row in rows:
        values = list(row)
        if not type_column and len(values) > 3 and values[0] != "구분":
            values[3] = None
        sheet.append(values)
    path = tmp_path / "kiwoom.xlsx"
    book.save(path)
    return path


def test_a_synthetic_workbook_sheet_imports(tmp_path: Path) -> None:
    read = read_source(_workbook(tmp_path))
    assert read.form == "workbook"
    (tr,) = read.trs
    spec = tr.spec
    assert spec.hosts.mock_note == "KRX만 지원가능"
    assert spec.request.body[0].description == "1:전체\n2:일부"
    rows = spec.response.body[0]
    assert rows.items[0].items[0].element == "amt"  # - - members nest two deep
    assert [f.element for f in tr.request_headers] == ["api-id"]


def test_a_resaved_workbook_without_its_type_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        read_source(_workbook(tmp_path, type_column=False))
    assert (
        str(info.value)
        .removeprefix(f"{tmp_path}/")
        .startswith(
            "kiwoom.xlsx[가상요청(kt99901)]!D18: request.header.api-id.type: the Type of api-id "
            "is blank"
        )
    ), str(info.value)


def test_a_wheel_without_the_catalogue_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "kwcli-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("kiwoom/__init__.py", "")
    with pytest.raises(SpecError, match=r"no kiwoom/_data/kiwoom_api_spec\.json in this wheel"):
        read_source(wheel)


@pytest.mark.parametrize(
    ("name", "content", "form"),
    [
        ("manual.txt", b"API \xec\xa0\x95\xeb\xb3\xb4\n", "extract"),
        ("doc", b'{"apis": {}}', "catalogue"),
        ("doc", b"API", "extract"),
    ],
)
def test_the_form_is_detected(tmp_path: Path, name: str, content: bytes, form: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert detect_form(path) == form


def test_only_selects_and_refuses_unknown_ids(tmp_path: Path) -> None:
    trs = read_source(_catalogue(tmp_path, _catalogue_entry())).trs
    assert [t.spec.api_id for t in select(trs, ["kt99901"], "doc")] == ["kt99901"]
    with pytest.raises(SpecError, match="--only: not documented here: ka99999"):
        select(trs, ["ka99999"], "doc")


def test_a_catalogue_that_is_not_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"error_codes": []}', "utf-8")
    with pytest.raises(SpecError, match="expected an object of APIs"):
        read_source(path)
    with pytest.raises(SpecError, match="documented twice"):
        raws, _ = read_json_catalog(
            json.dumps(
                {"apis": {"a(kt99901)": _catalogue_entry(), "b(kt99901)": _catalogue_entry()}}
            ).encode(),
            "x.json",
        )
        build_all(raws)
