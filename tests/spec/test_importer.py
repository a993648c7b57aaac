"""The text-extract importer: the seed extract imports every row it prints; re-imports report
each change precisely and keep hand annotations.

The committed specs come from Kiwoom's newest catalogue (see test_sources.py); the seed extract
is its own oracle here: a regex cut of the extract that shares no code with the importer.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import attrs
import pytest

from codegen.dump import dump_spec
from codegen.errors import SpecError
from codegen.importer import import_extract, merge_annotations, parse_extract
from codegen.loader import load_common, load_spec_text, load_specs, read_text
from codegen.spec import Field
from tests.conftest import SEED, SPECS

if not SEED.is_file():
    pytest.skip(f"the seed extract is not at {SEED}", allow_module_level=True)
SEED_TEXT = SEED.read_text("utf-8")


def _tr_segments() -> dict[str, str]:
    """The seed cut at each 'API ID' line: an oracle that shares no code with the importer."""
    parts = re.split(r"\n(?=API 정보\n)", SEED_TEXT)
    out = {}
    for part in parts:
        match = re.search(r"\nAPI ID\n(\w+)\n", part)
        if match:
            out[match.group(1)] = part
    return out


SEED_IDS = sorted(_tr_segments())


def _count_fields(fields: tuple[Field, ...]) -> int:
    return sum(1 + _count_fields(f.items) for f in fields)


@pytest.fixture(scope="module")
def seed_specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed imported into an empty folder."""
    out = tmp_path_factory.mktemp("seed") / "specs"
    import_extract(SEED, out)
    return out


@pytest.fixture
def annotated(tmp_path: Path, seed_specs: Path) -> Path:
    """The seed's documentation with the committed specs' hand annotations, as on disk."""
    out = tmp_path / "specs"
    shutil.copytree(seed_specs, out)
    common = load_common(out)
    for api_id in SEED_IDS:
        path = out / f"{api_id}.yaml"
        committed = SPECS / f"{api_id}.yaml"
        seed = load_spec_text(read_text(path, str(path)), str(path), common)
        mine = load_spec_text(read_text(committed, str(committed)), str(committed))
        merged = merge_annotations(seed, mine)
        if api_id == "ka10001":  # field annotations to follow through re-imports
            body = tuple(
                attrs.evolve(f, note=f"hand-written note on {f.element}")
                if f.element in ("crd_rt", "stk_nm", "250hgst")
                else f
                for f in merged.response.body
            )
            merged = attrs.evolve(merged, response=attrs.evolve(merged.response, body=body))
        path.write_text(dump_spec(merged), encoding="utf-8")
    return out


def test_the_seed_documents_the_trs_it_imports(seed_specs: Path) -> None:
    assert sorted(load_specs(seed_specs).specs) == SEED_IDS


@pytest.mark.parametrize("api_id", SEED_IDS)
def test_spec_holds_every_documented_row(api_id: str, seed_specs: Path) -> None:
    segment = _tr_segments()[api_id]
    spec = load_specs(seed_specs).specs[api_id]
    body_rows = segment.count("\nBody\n")
    header_rows = segment.count("\nHeader\n")
    assert _count_fields(spec.request.body) + _count_fields(spec.response.body) == body_rows
    assert len(spec.request.headers) + len(spec.response.headers) == header_rows
    # every element name printed in the extract is in the spec, LIST members included
    elements = re.findall(r"\nBody\n(?:- )?(\S+)\n", segment)
    names = set()
    stack = [*spec.request.body, *spec.response.body]
    while stack:
        field = stack.pop()
        names.add(field.element)
        stack.extend(field.items)
    assert set(elements) == names


def test_descriptions_are_verbatim(seed_specs: Path) -> None:
    specs = load_specs(seed_specs)
    spec = specs.specs["ka10001"]
    per = next(f for f in spec.response.body if f.element == "per")
    roe = next(f for f in spec.response.body if f.element == "roe")
    assert per.description == (
        "[ 주의 ] PER, ROE 값들은 외부벤더사에서 제공되는\n"
        "데이터이며 일주일에 한번 또는 실적발표 시즌에 업데이트\n됨"
    )
    assert roe.description.startswith("[ 주의 ]  PER")  # the manual's double space is kept
    auth = specs.common.request_header("authorization")
    assert auth is not None
    assert auth.description == '토큰 지정시 토큰타입("Bearer") 붙혀서 호출 \n 예) Bearer Egicyx...'


def test_examples_are_joined_across_page_breaks(seed_specs: Path) -> None:
    specs = load_specs(seed_specs).specs
    assert specs["au10001"].examples.response is not None
    assert "528" not in specs["au10001"].examples.response
    assert specs["ka10005"].examples.response is not None
    assert specs["ka10005"].examples.response.count('"date"') == 3
    assert specs["ka10006"].examples.request is None


def test_import_into_an_empty_folder_is_deterministic(tmp_path: Path, seed_specs: Path) -> None:
    results = import_extract(SEED, tmp_path)
    assert [r.status for r in results] == ["new"] * len(SEED_IDS)
    for path in seed_specs.glob("*.yaml"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_reimport_keeps_hand_annotations_byte_for_byte(annotated: Path) -> None:
    before = {p.name: p.read_bytes() for p in annotated.glob("*.yaml")}
    results = import_extract(SEED, annotated)
    assert {r.status for r in results} == {"unchanged"}
    for name, text in before.items():
        assert (annotated / name).read_bytes() == text, name


def _edited_seed(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = SEED_TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    doc = tmp_path / "manual.txt"
    doc.write_text(text, "utf-8")
    return doc


def test_changed_documentation_is_reported_precisely(tmp_path: Path, annotated: Path) -> None:
    doc = _edited_seed(
        tmp_path,
        ("Body\nstk_nm\n종목명\nString\nN\n40\n", "Body\nstk_nm\n종목명\nString\nN\n80\n"),
        ("Body\ncrd_rt\n신용비율\nString\nN\n20\n", ""),
        (
            "Body\ndstr_rt\n유통비율\nString\nN\n20\n",
            "Body\ndstr_rt\n유통비율\nString\nN\n20\nBody\nnxt_flag\nNXT여부\nString\nN\n1\nY/N\n",
        ),
        ("Body\n- prm\n프로그램\nString\nN\n20\n", "Body\n- prm\n프로그램순매수\nString\nN\n20\n"),
    )
    before = load_specs(annotated).raw["ka10001"]
    results = {r.api_id: r for r in import_extract(doc, annotated)}
    assert results["ka10001"].status == "updated"
    assert results["ka10001"].changes == (
        "response.body.nxt_flag: field added (String, length 1)",
        "response.body.crd_rt: field removed",
        "response.body.stk_nm: length changed 40 -> 80",
        "response.body.crd_rt: hand annotations dropped with the field",
    )
    assert results["ka10005"].changes == (
        "response.body.stk_ddwkmm.items.prm: korean changed '프로그램' -> '프로그램순매수'",
    )
    assert results["ka10006"].status == "unchanged"
    updated = load_specs(annotated).raw["ka10001"]
    assert updated.annotations == before.annotations
    stk_nm = next(f for f in updated.response.body if f.element == "stk_nm")
    assert stk_nm.note == "hand-written note on stk_nm"  # survived the re-import


def test_dropping_an_annotated_field_is_said(tmp_path: Path, annotated: Path) -> None:
    doc = _edited_seed(tmp_path, ("Body\n250hgst\n250최고\nString\nN\n20\n", ""))
    result = {r.api_id: r for r in import_extract(doc, annotated)}["ka10001"]
    assert "response.body.250hgst: field removed" in result.changes
    assert "response.body.250hgst: hand annotations dropped with the field" in result.changes


NEW_PAGE = """키움 REST API
API 정보
메뉴 위치
국내주식 > 계좌 > 가상잔고요청(kt99901)
API 명
가상잔고요청
API ID
kt99901
기본정보
Method
POST
운영 도메인
https://api.kiwoom.com
모의투자 도메인
https://mockapi.kiwoom.com
URL
/api/dostk/acnt
Format
JSON
Content-Type
application/json;charset=UTF-8
개요
가상의 TR: 파서가 다른 페이지에도 동작하는지 본다
Request
구분
Element
한글명
Type
Required
Length
Description
Header
api-id
TR명
String
Y
10
Body
qry_tp
조회구분
String
Y
1
1:전체
2:일부
Response
구분
Element
한글명
Type
Require
d
Length
Description
Body
acnt
LIST
N
Body
- rows
행
LIST
N
Body
- - amt
금액
String
N
15
101 / 528
Response
구분
Element
한글명
Type
Require
d
Length
Description
Body
- - qty
수량
String
N
10
Request Example
{"qry_tp": "1"}
Response Example
{"acnt": [{"rows": [{"amt": "1", "qty": "2"}]}]}
102 / 528
"""


def test_other_pages_of_the_manual_import_too() -> None:
    (tr,) = parse_extract(NEW_PAGE, "manual.txt")
    spec = tr.spec
    assert spec.api_id == "kt99901"
    assert spec.overview == "가상의 TR: 파서가 다른 페이지에도 동작하는지 본다"
    assert spec.hosts.mock == "https://mockapi.kiwoom.com" and spec.hosts.mock_note is None
    assert spec.request.body[0].description == "1:전체\n2:일부"
    acnt = spec.response.body[0]
    assert acnt.korean == "" and acnt.is_list  # an empty 한글명 cell
    rows = acnt.items[0]
    assert [f.element for f in rows.items] == ["amt", "qty"]
    assert spec.source.pages == (101, 102)
    assert spec.examples.response == '{"acnt": [{"rows": [{"amt": "1", "qty": "2"}]}]}'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "Body\nstk_nm\n종목명\nString\nN\n",
            "Body\nstk_nm\n종목명\nString\nQ\n",
            r"stk_nm\.required: expected Y or N, got 'Q'",
        ),
        ("Body\nstk_nm\n종목명\nString\n", "Body\nstk_nm\n종목명\nBlob\n", r"unknown type 'Blob'"),
        (
            "URL\n/api/dostk/stkinfo\n",
            "Endpoint\n/api/dostk/stkinfo\n",
            r"unexpected line 'Endpoint' in the API 정보 section",
        ),
        (
            "Body\n- date\n날짜\n",
            "Body\n- - date\n날짜\n",
            r"list item 'date' does not follow a LIST row",
        ),
    ],
)
def test_unreadable_extracts_fail_with_the_line(old: str, new: str, message: str) -> None:
    text = SEED_TEXT.replace(old, new, 1)
    with pytest.raises(SpecError) as info:
        parse_extract(text, "manual.txt")
    assert re.search(r"^manual\.txt:\d+: ", str(info.value)), str(info.value)
    assert re.search(message, str(info.value)), str(info.value)
    line = info.value.line
    assert line is not None
    assert (
        new.split("\n")[-2] in text.splitlines()[line - 1]
        or new.split("\n")[0] in text.splitlines()[line - 1]
    )


def test_a_tr_documented_twice_is_refused() -> None:
    with pytest.raises(SpecError) as info:
        parse_extract(NEW_PAGE + NEW_PAGE, "manual.txt")
    assert "documented twice" in str(info.value)
