"""The WebSocket specs (``specs/websocket``): imported from every documentation form, named and
typed by the rules, validated, re-imported without losing hand annotations.

Tests that read Kiwoom's own documents skip when ``../shared/kiwoom-docs`` is not beside the
checkout; the rest run on the committed specs and synthetic pages.
"""

from __future__ import annotations

import functools
import itertools
import json
import shutil
import string
from pathlib import Path
from typing import Any

import attrs
import pytest

from codegen.errors import SpecError
from codegen.importer import parse_extract
from codegen.loader import WEBSOCKET_DIR, load_common, load_specs
from codegen.realtime.build import build_ws, build_ws_all, extract_raws
from codegen.realtime.importer import dump_ws_spec, import_ws
from codegen.realtime.spec import WsSpec, file_stem, is_type_code
from codegen.rules.realtime import example_frames
from codegen.sources import read_json_catalog, read_source
from codegen.spec import ValueKind
from codegen.validate import validate
from tests.conftest import ROOT, SPECS, per_tr

DOCS = ROOT.parent / "shared" / "kiwoom-docs"
CATALOGUE = DOCS / "kiwoom_api_spec-kwcli-1.0.3.json"
WORKBOOK = DOCS / "kiwoom-rest-api-2026-05-07.xlsx"
needs_docs = pytest.mark.skipif(
    not CATALOGUE.is_file() or not WORKBOOK.is_file(),
    reason="Kiwoom's documents are not at ../shared/kiwoom-docs (they are never copied here)",
)
WS_DIR = SPECS / WEBSOCKET_DIR


def _ws_ids() -> list[str]:
    websocket = load_specs(SPECS).websocket
    return sorted(websocket.specs) if websocket is not None else []


WS_IDS = _ws_ids()


@pytest.fixture(scope="module")
def ws() -> Any:
    websocket = load_specs(SPECS).websocket
    assert websocket is not None
    return websocket


# --- the committed specs ---------------------------------------------------------------------


def test_all_31_websocket_apis_are_specs(ws: Any) -> None:
    types = [a for a in ws.specs if is_type_code(a)]
    searches = [a for a in ws.specs if not is_type_code(a)]
    assert (len(types), len(searches)) == (23, 8)  # 19 + 4 real-time types, 4 + 4 searches
    assert {"00", "04", "0B", "0D", "0g", "0G", "1h", "F4", "F5", "FE", "FT"} <= set(types)
    assert set(searches) == {
        "ka10171", "ka10172", "ka10173", "ka10174",
        "usa20280", "usa20281", "usa20290", "usa20291",
    }  # fmt: skip


def test_no_two_spec_files_differ_only_in_letter_case() -> None:
    """0G (ETF NAV) and 0g (주식종목정보) must be two files on macOS and Windows too."""
    names = [p.relative_to(SPECS).as_posix() for p in SPECS.rglob("*.yaml")]
    folded = [n.casefold() for n in names]
    assert len(set(folded)) == len(folded)
    assert (WS_DIR / "0G.yaml").is_file() and (WS_DIR / "0g_.yaml").is_file()


def test_file_stems_are_unique_whatever_the_case_of_any_two_codes() -> None:
    alphabet = string.digits + string.ascii_letters
    stems = {file_stem(a + b).casefold() for a, b in itertools.product(alphabet, repeat=2)}
    assert len(stems) == len(alphabet) ** 2
    assert [file_stem(c) for c in ("0G", "0g", "1h", "FE", "ka10171")] == [
        "0G", "0g_", "1h_", "FE", "ka10171",
    ]  # fmt: skip


@pytest.mark.parametrize("api_id", per_tr(WS_IDS))
def test_each_spec_is_named_typed_and_documented(ws: Any, api_id: str) -> None:
    spec: WsSpec = ws.specs[api_id]
    assert Path(ws.files[api_id]).name == f"{file_stem(api_id)}.yaml"
    facts = spec.facts
    assert facts.python_name.isidentifier() and facts.class_name.isidentifier()
    assert facts.market == ("us" if "/api/us/" in spec.url else "domestic")
    fields = spec.value_fields()
    if spec.is_type:
        assert fields, f"{api_id}: a real-time type without value fields"
        assert facts.push_type == api_id
    names = [f.python_name for f in fields]
    assert len(set(names)) == len(names)  # unique within the type
    for field in fields:
        assert field.element.isdigit(), field.element
        assert field.kind is not None and field.python_name is not None
        assert len(field.python_name) <= 32


def test_the_condition_search_page_models_the_answer_and_the_real_push(ws: Any) -> None:
    spec: WsSpec = ws.specs["ka10173"]
    assert spec.response.title == "조회 데이터" and spec.push is not None
    assert spec.push.title == "실시간 데이터"
    assert [f.element for f in spec.value_fields()] == ["841", "9001", "843", "20", "907"]
    assert spec.facts.push_type == "02"  # read from the example's REAL frame
    assert [f.element for f in spec.response.body[-1].items] == ["jmcode"]


def test_field_names_come_from_the_rest_specs_then_the_glossary_then_the_id(ws: Any) -> None:
    def named(api_id: str, field_id: str) -> tuple[str | None, str]:
        spec = ws.specs[api_id]
        field = next(f for f in spec.value_fields() if f.element == field_id)
        rule = next(r for k, r in ws.field_rules[api_id].items() if k.endswith(f".{field_id}"))
        return field.python_name, rule

    assert named("0B", "10") == ("cur_prc", "rest")  # 현재가
    assert named("0B", "11") == ("pred_pre", "rest")  # 전일대비
    assert named("0B", "13") == ("acc_trde_qty", "rest")  # 누적거래량
    assert named("0D", "41") == ("sel_bid_1", "glossary")  # 매도호가1
    assert named("0D", "6044") == ("krx_sel_bid_remaining_1", "glossary")
    assert named("0D", "291") == ("exp_cntr_pric_291", "rest")  # 예상체결가 again: id added
    assert named("0B", "851")[1] == "fallback"  # 전일 동시간 거래량 비율
    counts = {"rest": 0, "glossary": 0, "fallback": 0}
    for rules in ws.field_rules.values():
        for path, rule in rules.items():
            if ".values." in path and rule in counts:
                counts[rule] += 1
    assert counts["rest"] > counts["glossary"] > counts["fallback"] > 0


def test_kinds_follow_the_rest_rules_and_hand_annotations_win(ws: Any) -> None:
    def kind(api_id: str, field_id: str) -> ValueKind | None:
        spec = ws.specs[api_id]
        return next(f.kind for f in spec.value_fields() if f.element == field_id)

    assert kind("0B", "10") is ValueKind.SIGNED_PRICE  # 단위: 원, 부호가 포함된 숫자
    assert kind("0B", "12") is ValueKind.DECIMAL
    assert kind("0B", "20") is ValueKind.TIME  # HHmmss
    assert kind("0B", "25") is ValueKind.SIGN_CODE
    assert kind("FE", "10") is ValueKind.DECIMAL_PRICE  # a US price
    assert kind("FE", "25") is ValueKind.SIGN_CODE  # hand-annotated: no description
    assert kind("0J", "10") is ValueKind.DECIMAL_PRICE  # hand-annotated: an index level
    assert ws.specs["0B"].facts.python_name == "trades"  # annotations win
    assert ws.specs["0B"].facts.class_name == "StockTrade"
    assert ws.specs["0B"].facts.source["python_name"] == "spec"
    assert ws.specs["0A"].facts.python_name == "stock_indicative_price"  # by rule


def test_every_finding_of_the_websocket_specs_is_recorded() -> None:
    report = validate(load_specs(SPECS), None)
    ws_ids = set(WS_IDS)
    assert [f.render() for f in report.open if f.api_id in ws_ids] == []
    recorded = {f.check for f in report.recorded if f.api_id in ws_ids}
    assert {"example-invalid-json", "value-type", "key-not-in-table"} <= recorded


def test_examples_are_read_leniently_across_comments_and_single_quotes() -> None:
    text = "#요청\n{\n  'trnm': 'REG',\n  'return_code': 0\n}\n\n#실시간 수신\n{'trnm': 'REAL'}"
    assert example_frames(text) == [{"trnm": "REG", "return_code": 0}, {"trnm": "REAL"}]
    assert example_frames('{"a": 1}') == [{"a": 1}]
    assert example_frames("not ( a frame") == []


# --- importing -------------------------------------------------------------------------------


def _copy_specs(tmp_path: Path) -> Path:
    out = tmp_path / "specs"
    shutil.copytree(SPECS, out, ignore=shutil.ignore_patterns("__pycache__"))
    return out


@needs_docs
@pytest.mark.slow  # reads a whole document (make test runs it)
def test_reimporting_the_catalogue_changes_nothing_and_keeps_annotations(tmp_path: Path) -> None:
    out = _copy_specs(tmp_path)
    document = read_source(CATALOGUE)
    assert len(document.websocket) == 31 and len(document.skipped) == 31
    results = import_ws(build_ws_all(document.websocket), out / WEBSOCKET_DIR, load_common(out))
    assert {r.status for r in results} == {"unchanged"}
    for path in sorted((out / WEBSOCKET_DIR).glob("*.yaml")):
        assert path.read_bytes() == (WS_DIR / path.name).read_bytes(), path.name


@needs_docs
@pytest.mark.slow  # reads a whole document (make test runs it)
def test_a_documentation_change_is_reported_and_annotations_survive(tmp_path: Path) -> None:
    out = _copy_specs(tmp_path)
    doc = json.loads(CATALOGUE.read_text("utf-8"))
    page = doc["apis"]["주식체결(0B)"]
    rows = page["response"]["body"]
    row = next(r for r in rows if r["element"] == "10" and r["depth"] == 2)
    row["description"] = "단위: 원"
    rows.append({**row, "element": "77777", "한글명": "새필드", "description": ""})
    document = tmp_path / "kiwoom_api_spec.json"
    document.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    _, pages = read_json_catalog(document.read_bytes(), str(document))
    built = [p for p in build_ws_all(pages) if p.spec.api_id == "0B"]
    (result,) = import_ws(built, out / WEBSOCKET_DIR, load_common(out))
    assert result.status == "updated"
    assert any("items.10: description changed" in c for c in result.changes)
    assert any("items.77777: field added" in c for c in result.changes)
    reloaded = load_specs(out).websocket
    assert reloaded is not None
    assert reloaded.specs["0B"].facts.python_name == "trades"  # the hand annotation is kept
    assert reloaded.raw["0B"].known_findings  # and the recorded findings


@needs_docs
@pytest.mark.slow  # reads a whole document (make test runs it)
def test_the_workbook_gives_the_19_domestic_types_and_4_condition_searches() -> None:
    document = read_source(WORKBOOK)
    pages = {p.spec.api_id: p.spec for p in build_ws_all(document.websocket)}
    assert len([a for a in pages if is_type_code(a)]) == 19
    assert sorted(a for a in pages if not is_type_code(a)) == [
        "ka10171", "ka10172", "ka10173", "ka10174",
    ]  # fmt: skip
    push = pages["ka10173"].push
    assert push is not None and push.title == "실시간 데이터"
    assert [f.element for f in pages["ka10173"].value_fields()] == [
        "841",
        "9001",
        "843",
        "20",
        "907",
    ]
    assert len(pages["0D"].value_fields()) == 163


def _extract_page(entry: dict[str, Any], key: str) -> str:
    """One JSON catalogue page printed the way the PDF extract prints a page: a cell per line,
    empty cells missing, a footer in the middle of the table."""
    meta = entry["meta"]
    lines = ["API 정보"]
    for label in ("메뉴 위치", "API 명", "API ID", "Method", "운영 도메인", "모의투자 도메인"):
        lines += [label, meta[label]]
    for label in ("URL", "Format", "Content-Type"):
        lines += [label, meta[label]]
    lines.append("개요")
    keys = list(meta)
    lines += [k for k in keys[keys.index("개요") + 1 :] if k.strip()]  # the 개요 sentences
    for side, heading in (("request", "Request"), ("response", "Response")):
        lines += [heading, "구분", "Element", "한글명", "Type", "Require", "d", "Length"]
        lines.append("Description")
        for section, name in (("Header", "header"), ("Body", "body")):
            for i, row in enumerate(entry[side][name]):
                lines.append(section)
                prefix = "- " * row["depth"]
                lines.append(prefix + row["element"])
                cells = [row["한글명"], row["type"], row["required"], row["length"]]
                lines += [c for c in cells if c]
                lines += [d for d in row["description"].split("\n") if d]
                if i == 2:
                    lines.append("9 / 528")
    for heading in ("Request Example", "Response Example"):
        example = entry.get(heading.lower().replace(" ", "_"))
        if example:
            lines += [heading, *example.split("\n")]
    return "\n".join(lines) + "\n"


@functools.cache
def _catalogue_pages() -> dict[str, Any]:
    _, pages = read_json_catalog(CATALOGUE.read_bytes(), "kiwoom_api_spec.json")
    return {p.key: p for p in pages}


@needs_docs
@pytest.mark.parametrize(
    "key",
    [
        "주식체결(0B)",
        pytest.param("조건검색 요청 실시간(ka10173)", marks=pytest.mark.slow),
        pytest.param("미국주식 10호가(FT)", marks=pytest.mark.slow),
    ],
)
def test_the_text_extract_form_reads_websocket_pages_like_the_catalogue(key: str) -> None:
    doc = json.loads(CATALOGUE.read_text("utf-8"))
    text = _extract_page(doc["apis"][key], key)
    pages: list[Any] = []
    assert parse_extract(text, "manual.txt", websocket=pages) == []  # not a REST TR
    (raw,) = extract_raws("manual.txt", pages)
    from_extract = build_ws(raw).spec
    from_json = build_ws(_catalogue_pages()[key]).spec
    assert from_extract.api_id == from_json.api_id
    for side in ("request", "response", "push"):
        assert _plain(getattr(from_extract, side)) == _plain(getattr(from_json, side)), side


def _plain(message: Any) -> Any:
    """A message with blank description lines dropped (a PDF extract does not keep them)."""
    if message is None:
        return None

    def field(f: Any) -> Any:
        text = "\n".join(line for line in f.description.split("\n") if line.strip())
        return attrs.evolve(f, description=text, items=tuple(field(i) for i in f.items))

    return attrs.evolve(message, body=tuple(field(f) for f in message.body))


def _page(rows: list[dict[str, Any]]) -> dict[str, Any]:
    meta = {
        "메뉴 위치": "국내주식 > 실시간시세 > 테스트(0Z)",
        "API 명": "테스트",
        "API ID": "0Z",
        "Method": "POST",
        "운영 도메인": "wss://api.kiwoom.com:10000",
        "URL": "/api/dostk/websocket",
        "Format": "JSON",
        "Content-Type": "application/json;charset=UTF-8",
    }
    row = {"depth": 0, "is_section": False, "required": "N", "length": "", "description": ""}
    body = [{**row, **r} for r in rows]
    empty: dict[str, list[Any]] = {"header": [], "body": []}
    return {"meta": meta, "request": empty, "response": {"header": [], "body": body}}


def test_a_member_row_without_its_container_is_a_located_error() -> None:
    page = _page([{"element": "10", "한글명": "현재가", "type": "String", "depth": 2}])
    data = json.dumps({"apis": {"테스트(0Z)": page}}, ensure_ascii=False).encode()
    _, pages = read_json_catalog(data, "kiwoom_api_spec.json")
    with pytest.raises(SpecError) as info:
        build_ws(pages[0])
    assert 'apis["테스트(0Z)"].response.body[0]' in str(info.value)


def test_a_second_answer_section_is_refused() -> None:
    rows = [
        {"element": "조회 데이터", "is_section": True, "type": "", "required": ""},
        {"element": "trnm", "한글명": "서비스명", "type": "String"},
        {"element": "다른 데이터", "is_section": True, "type": "", "required": ""},
    ]
    data = json.dumps({"apis": {"테스트(0Z)": _page(rows)}}, ensure_ascii=False).encode()
    _, pages = read_json_catalog(data, "kiwoom_api_spec.json")
    with pytest.raises(SpecError, match="a second section"):
        build_ws(pages[0])


def test_a_ws_spec_round_trips_through_its_yaml(ws: Any) -> None:
    from codegen.realtime.loader import load_ws_spec_text

    for api_id in ("0B", "ka10173"):
        raw = ws.raw[api_id]
        text = dump_ws_spec(raw)
        assert load_ws_spec_text(text, f"{file_stem(api_id)}.yaml") == raw
