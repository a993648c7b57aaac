"""Read the text extract of Kiwoom's REST API manual and turn each documented TR into a spec.

The extract is what a PDF-to-text tool makes of the manual: one table cell per line, page
footers (``7 / 528``) in the middle of tables and JSON examples, a table's title and header row
printed again after each page break, the ``Required`` header broken over two lines, empty cells
simply missing, and several TRs in one block. The parser below is a small state machine over
those lines; nothing in it is keyed on a particular TR.

Re-importing merges with the specs already on disk: documented keys are replaced, hand
annotations kept, and every change is reported (see ``diff_specs``).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from codegen.diff import diff_specs
from codegen.dump import dump_common, dump_spec, field_to_data
from codegen.errors import SpecError
from codegen.loader import COMMON_FILE, load_common, load_spec_text, read_text
from codegen.spec import CommonSpec, Examples, Field, Hosts, Message, Source, TrSpec

FOOTER_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
BLOCK_MARKER_RE = re.compile(r"^===.*===\s*$")
MOCK_HOST_RE = re.compile(r"^(?P<host>[^\s(]+)\s*(?:\((?P<note>.*)\))?\s*$")
TYPE_RE = re.compile(r"^(String|LIST|Number|Integer|Long|Double|Float|Object|Array|Boolean)$", re.I)
LIST_PREFIX_RE = re.compile(r"^((?:-\s*)+)")
DOCUMENT_TITLE = "키움 REST API"  # the running page header of the manual

ROW_STARTS = {"Header", "Body"}
TABLE_HEADER = "구분Element한글명TypeRequiredLengthDescription"
EXAMPLE_HEADINGS = {"Request Example": "request", "Response Example": "response"}
TABLE_HEADINGS = {"Request": "request", "Response": "response"}
INFO_LABELS = {
    "메뉴 위치": "menu",
    "API 명": "name",
    "API ID": "api_id",
    "Method": "method",
    "운영 도메인": "prod",
    "모의투자 도메인": "mock",
    "URL": "url",
    "Format": "format",
    "Content-Type": "content_type",
}
INFO_SECTION_LABELS = {"기본정보"}
OVERVIEW_LABEL = "개요"
TR_START = "API 정보"

# The envelope is not in any table of the manual, but every response example carries it.
DEFAULT_ENVELOPE = (
    Field(
        element="return_code",
        korean="처리코드",
        type="Integer",
        required=True,
        description="0: 정상. Not in the manual's tables; seen in every response example.",
    ),
    Field(
        element="return_msg",
        korean="처리메시지",
        type="String",
        required=True,
        description="Not in the manual's tables; seen in every response example.",
    ),
)


@attrs.frozen
class Line:
    number: int  # 1-based line in the extract
    text: str  # verbatim, without the newline
    page: int | None

    @property
    def cell(self) -> str:
        return self.text.strip()


@attrs.frozen
class ImportedTr:
    spec: TrSpec
    request_headers: tuple[Field, ...]
    response_headers: tuple[Field, ...]
    first_line: int


class _Cursor:
    """Walks the lines of one TR; errors name the extract's file and line."""

    def __init__(self, file: str, lines: list[Line]) -> None:
        self.file = file
        self.lines = lines
        self.pos = 0

    def peek(self) -> Line | None:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def next(self, what: str, path: str) -> Line:
        line = self.peek()
        if line is None:
            last = self.lines[-1].number if self.lines else None
            raise SpecError(self.file, last, path, f"extract ends where {what} was expected")
        self.pos += 1
        return line

    def error(self, line: Line | None, path: str, message: str) -> SpecError:
        number = (
            line.number if line is not None else (self.lines[-1].number if self.lines else None)
        )
        return SpecError(self.file, number, path, message)


def _prepare(text: str) -> list[Line]:
    """Number lines, drop footers, page headers and block markers, and note each line's page."""
    raw = text.splitlines()
    pages: list[int | None] = [None] * len(raw)
    current: int | None = None
    for i in range(len(raw) - 1, -1, -1):  # a footer closes the page above it
        match = FOOTER_RE.match(raw[i])
        if match:
            current = int(match.group(1))
        pages[i] = current
    out: list[Line] = []
    for i, text_line in enumerate(raw):
        stripped = text_line.strip()
        if (
            FOOTER_RE.match(text_line)
            or BLOCK_MARKER_RE.match(stripped)
            or stripped == DOCUMENT_TITLE
        ):
            continue
        out.append(Line(i + 1, text_line, pages[i]))
    return out


def _split_trs(lines: list[Line]) -> Iterator[list[Line]]:
    current: list[Line] | None = None
    for line in lines:
        if line.cell == TR_START:
            if current is not None:
                yield current
            current = []
            continue
        if current is not None:
            current.append(line)
    if current is not None:
        yield current


def _is_boundary(cell: str) -> bool:
    return cell in TABLE_HEADINGS or cell in EXAMPLE_HEADINGS or cell == TR_START


def _parse_info(cur: _Cursor) -> tuple[dict[str, str], str]:
    info: dict[str, str] = {}
    overview: list[str] = []
    while True:
        line = cur.peek()
        if line is None:
            raise cur.error(None, "", "the TR has no Request table")
        cell = line.cell
        if cell in TABLE_HEADINGS:
            break
        cur.pos += 1
        if not cell or cell in INFO_SECTION_LABELS:
            continue
        if cell == OVERVIEW_LABEL:
            while (nxt := cur.peek()) is not None and nxt.cell not in TABLE_HEADINGS:
                overview.append(nxt.text)
                cur.pos += 1
            continue
        key = INFO_LABELS.get(cell)
        if key is None:
            raise cur.error(line, "", f"unexpected line {cell!r} in the API 정보 section")
        value = cur.next(f"the value of {cell!r}", key)
        if value.cell in INFO_LABELS or _is_boundary(value.cell):
            raise cur.error(value, key, f"{cell!r} has no value")
        if key in info:
            raise cur.error(line, key, f"{cell!r} given twice")
        info[key] = value.cell
    for label, key in INFO_LABELS.items():
        if key not in info and key != "mock":
            raise cur.error(cur.peek(), key, f"the API 정보 section lacks {label!r}")
    return info, "\n".join(overview).strip("\n")


def _consume_table_header(cur: _Cursor, path: str) -> None:
    seen = ""
    first = cur.peek()
    while (line := cur.peek()) is not None and line.cell not in ROW_STARTS:
        if _is_boundary(line.cell):
            break
        seen += line.cell.replace(" ", "")
        cur.pos += 1
        if len(seen) > len(TABLE_HEADER):
            break
    if seen != TABLE_HEADER:
        raise cur.error(first, path, f"unexpected table header {seen!r}")


def _parse_row(cur: _Cursor, start: Line, path: str) -> tuple[str, int, Field]:
    """One table row; returns its 구분 (Header/Body), its LIST depth and the field."""
    element_line = cur.next("an element name", path)
    element = element_line.cell
    depth = 0
    prefix = LIST_PREFIX_RE.match(element)
    if prefix:
        depth = prefix.group(1).count("-")
        element = element[prefix.end() :].strip()
    if not element or element in ROW_STARTS or _is_boundary(element):
        raise cur.error(element_line, path, "a table row has no element name")
    korean_line = cur.next("the Korean name", f"{path}.{element}")
    korean = korean_line.cell
    if TYPE_RE.match(korean) and (after := cur.peek()) is not None and after.cell in ("Y", "N"):
        type_cell, korean = korean, ""  # the 한글명 cell is empty
    else:
        type_cell = cur.next("the type", f"{path}.{element}").cell
    if not TYPE_RE.match(type_cell):
        raise cur.error(
            cur.lines[cur.pos - 1], f"{path}.{element}.type", f"unknown type {type_cell!r}"
        )
    required_line = cur.next("Required (Y/N)", f"{path}.{element}")
    if required_line.cell not in ("Y", "N"):
        raise cur.error(
            required_line,
            f"{path}.{element}.required",
            f"expected Y or N, got {required_line.cell!r}",
        )
    length: int | None = None
    nxt = cur.peek()
    if nxt is not None and nxt.cell.isdigit() and nxt.cell.isascii():
        length = int(nxt.cell)
        if length <= 0:
            raise cur.error(
                nxt, f"{path}.{element}.length", f"expected a positive length, got {length}"
            )
        cur.pos += 1
    description: list[str] = []
    while (
        (nxt := cur.peek()) is not None
        and nxt.cell not in ROW_STARTS
        and not _is_boundary(nxt.cell)
    ):
        description.append(nxt.text)
        cur.pos += 1
    return (
        start.cell,
        depth,
        Field(
            element=element,
            korean=korean,
            type=type_cell,
            required=required_line.cell == "Y",
            length=length,
            description="\n".join(description).strip("\n"),
        ),
    )


@attrs.define
class _Table:
    headers: list[Field] = attrs.Factory(list)
    body: list[Field] = attrs.Factory(list)


def _attach(
    body: list[Field], depth: int, field: Field, cur: _Cursor, line: Line, path: str
) -> None:
    """Put a ``- item`` row under the LIST row above it (at any nesting depth)."""
    if depth == 0:
        body.append(field)
        return
    if not body or not body[-1].is_list:
        raise cur.error(line, path, f"list item {field.element!r} does not follow a LIST row")
    parent = body[-1]
    items = list(parent.items)
    _attach(items, depth - 1, field, cur, line, path)
    body[-1] = attrs.evolve(parent, items=tuple(items))


def _parse_table_rows(cur: _Cursor, table: _Table, side: str) -> None:
    while (line := cur.peek()) is not None and line.cell in ROW_STARTS:
        cur.pos += 1
        kind, depth, field = _parse_row(cur, line, f"{side}.{line.cell.lower()}")
        if kind == "Header":
            if depth:
                raise cur.error(line, f"{side}.headers", "a header row cannot be a list item")
            table.headers.append(field)
        else:
            _attach(table.body, depth, field, cur, line, f"{side}.body")


def _parse_example(cur: _Cursor, side: str) -> str | None:
    lines: list[str] = []
    while (line := cur.peek()) is not None:
        heading = EXAMPLE_HEADINGS.get(line.cell)
        if heading == side:  # printed again after a page break
            cur.pos += 1
            continue
        if heading is not None or line.cell in TABLE_HEADINGS or line.cell == TR_START:
            break
        lines.append(line.text)
        cur.pos += 1
    text = "\n".join(lines).strip("\n")
    return text or None


def _parse_tr(file: str, lines: list[Line]) -> ImportedTr:
    cur = _Cursor(file, lines)
    info, overview = _parse_info(cur)
    tables = {"request": _Table(), "response": _Table()}
    examples: dict[str, str | None] = {"request": None, "response": None}
    side_order: list[str] = []
    while (line := cur.peek()) is not None:
        cur.pos += 1
        cell = line.cell
        if not cell:
            continue
        if cell in TABLE_HEADINGS:
            side = TABLE_HEADINGS[cell]
            if side_order and side_order[-1] != side and side in side_order:
                raise cur.error(line, side, f"a second {cell} table")
            if not side_order or side_order[-1] != side:
                side_order.append(side)
            _consume_table_header(cur, side)
            _parse_table_rows(cur, tables[side], side)
        elif cell in EXAMPLE_HEADINGS:
            side = EXAMPLE_HEADINGS[cell]
            if examples[side] is not None:
                raise cur.error(line, f"examples.{side}", f"a second {cell}")
            examples[side] = _parse_example(cur, side)
        else:
            raise cur.error(line, info["api_id"], f"unexpected line {cell!r}")
    mock_host: str | None = None
    mock_note: str | None = None
    if "mock" in info:
        match = MOCK_HOST_RE.match(info["mock"])
        if match is None:
            raise cur.error(None, "hosts.mock", f"cannot read the mock host {info['mock']!r}")
        mock_host, mock_note = match.group("host"), match.group("note")
    pages = sorted({line.page for line in lines if line.page is not None})
    spec = TrSpec(
        api_id=info["api_id"],
        name=info["name"],
        menu=info["menu"],
        method=info["method"],
        url=info["url"],
        hosts=Hosts(prod=info["prod"], mock=mock_host, mock_note=mock_note),
        format=info["format"],
        content_type=info["content_type"],
        overview=overview,
        request=Message(body=tuple(tables["request"].body)),
        response=Message(body=tuple(tables["response"].body)),
        examples=Examples(request=examples["request"], response=examples["response"]),
        source=Source(document=DOCUMENT_TITLE, pages=tuple(pages)),
    )
    return ImportedTr(
        spec, tuple(tables["request"].headers), tuple(tables["response"].headers), lines[0].number
    )


def _is_websocket_page(lines: Sequence[Line]) -> bool:
    """A page whose URL (the line after ``URL``) ends ``/websocket``: not a REST API."""
    for before, after in itertools.pairwise(lines):
        if before.cell == "URL":
            return after.cell.endswith("/websocket")
        if before.cell in TABLE_HEADINGS:
            break
    return False


def parse_extract(
    text: str, file: str, *, websocket: list[list[Line]] | None = None
) -> list[ImportedTr]:
    """Every REST TR documented in ``text``, in order; a located SpecError where it can't read.

    Pages of WebSocket APIs (real-time types, condition search) are not REST TRs: their lines
    go to ``websocket`` when given (:mod:`codegen.realtime.build` reads them), else are left out.
    """
    trs: list[ImportedTr] = []
    seen: dict[str, int] = {}
    for tr_lines in _split_trs(_prepare(text)):
        if not tr_lines:
            continue
        if _is_websocket_page(tr_lines):
            if websocket is not None:
                websocket.append(tr_lines)
            continue
        tr = _parse_tr(file, tr_lines)
        if tr.spec.api_id in seen:
            raise SpecError(
                file,
                tr.first_line,
                tr.spec.api_id,
                f"documented twice (first at line {seen[tr.spec.api_id]})",
            )
        seen[tr.spec.api_id] = tr.first_line
        trs.append(tr)
    return trs


# --- writing specs: shared headers, merging hand annotations, reporting changes ---------------


def derive_common(trs: Sequence[ImportedTr], envelope: tuple[Field, ...]) -> CommonSpec:
    """Shared header rows: for each header, the variant most TRs print (first seen on a tie)."""

    def pick(rows_per_tr: list[tuple[Field, ...]]) -> tuple[Field, ...]:
        order: list[str] = []
        counts: dict[str, Counter[Field]] = {}
        for rows in rows_per_tr:
            for row in rows:
                if row.element not in counts:
                    order.append(row.element)
                    counts[row.element] = Counter()
                counts[row.element][row] += 1
        return tuple(counts[name].most_common(1)[0][0] for name in order)

    return CommonSpec(
        request_headers=pick([tr.request_headers for tr in trs]),
        response_headers=pick([tr.response_headers for tr in trs]),
        envelope=envelope,
    )


def _refer_headers(rows: tuple[Field, ...], shared: tuple[Field, ...]) -> tuple[str | Field, ...]:
    by_name = {f.element: f for f in shared}
    return tuple(row.element if by_name.get(row.element) == row else row for row in rows)


def _merge_field_annotations(new: Sequence[Field], old: Sequence[Field]) -> tuple[Field, ...]:
    old_by = {f.element: f for f in old}
    merged = []
    for field in new:
        before = old_by.get(field.element)
        if before is not None:
            field = attrs.evolve(
                field,
                python_name=before.python_name,
                kind=before.kind,
                values=before.values,
                note=before.note,
                items=_merge_field_annotations(field.items, before.items),
            )
        merged.append(field)
    return tuple(merged)


def merge_annotations(new: TrSpec, old: TrSpec) -> TrSpec:
    """``new``'s documentation with ``old``'s hand annotations (matched by element name)."""
    return attrs.evolve(
        new,
        annotations=old.annotations,
        request=attrs.evolve(
            new.request, body=_merge_field_annotations(new.request.body, old.request.body)
        ),
        response=attrs.evolve(
            new.response, body=_merge_field_annotations(new.response.body, old.response.body)
        ),
    )


def _lost_annotations(old: Sequence[Field], new: Sequence[Field], path: str) -> list[str]:
    new_by = {f.element: f for f in new}
    lost = []
    for field in old:
        annotated = any(
            v is not None for v in (field.python_name, field.kind, field.values, field.note)
        )
        if field.element not in new_by:
            if annotated:
                lost.append(f"{path}.{field.element}: hand annotations dropped with the field")
        else:
            lost += _lost_annotations(
                field.items, new_by[field.element].items, f"{path}.{field.element}.items"
            )
    return lost


@attrs.frozen
class ImportResult:
    api_id: str
    name: str
    status: str  # "new", "updated", "unchanged"
    changes: tuple[str, ...]
    path: Path


@attrs.frozen
class ImportReport:
    """What an import did: one result per TR, changes to the shared rows, what it left out."""

    results: list[ImportResult]
    common_changes: list[str]
    skipped: list[str]


def _diff_common(old: CommonSpec, new: CommonSpec) -> list[str]:
    out: list[str] = []
    for side in ("request_headers", "response_headers"):
        before = {f.element: f for f in getattr(old, side)}
        after = {f.element: f for f in getattr(new, side)}
        for name in after.keys() - before.keys():
            out.append(f"{COMMON_FILE} {side}.{name}: row added")
        for name in before.keys() - after.keys():
            out.append(f"{COMMON_FILE} {side}.{name}: row removed")
        for name in sorted(after.keys() & before.keys()):
            if after[name] != before[name]:
                out.append(f"{COMMON_FILE} {side}.{name}: row text changed")
    return sorted(out)


def import_trs(
    trs: Sequence[ImportedTr],
    out: Path,
    *,
    write: bool = True,
    update_common: bool = True,
    skipped: Sequence[str] = (),
) -> ImportReport:
    """Write ``trs`` as specs under ``out``, keeping hand annotations; report every change.

    The shared header rows (``_common.yaml``) are derived from the TRs the document prints them
    for; with ``update_common`` (a whole document, not a subset) they follow the document and
    each change is reported, otherwise the rows on disk are kept and a TR that prints another
    variant carries its full row.
    """
    if write:
        out.mkdir(parents=True, exist_ok=True)
    common_path = out / COMMON_FILE
    derived = derive_common(trs, DEFAULT_ENVELOPE)
    common_changes: list[str] = []
    if common_path.exists():
        common = load_common(out)
        if update_common:
            derived = attrs.evolve(derived, envelope=common.envelope)
            common_changes = _diff_common(common, derived)
            common = derived
    else:
        common = derived
        common_changes = [f"{COMMON_FILE}: new"]
    if write and common_changes:
        common_path.write_text(dump_common(common), encoding="utf-8")
    results: list[ImportResult] = []
    for tr in trs:
        spec = attrs.evolve(
            tr.spec,
            request=attrs.evolve(
                tr.spec.request, headers=_refer_headers(tr.request_headers, common.request_headers)
            ),
            response=attrs.evolve(
                tr.spec.response,
                headers=_refer_headers(tr.response_headers, common.response_headers),
            ),
        )
        path = out / f"{spec.api_id}.yaml"
        changes: list[str] = []
        status = "new"
        if path.exists():
            old = load_spec_text(read_text(path, str(path)), str(path), common)
            changes = diff_specs(old, spec)
            changes += _lost_annotations(old.request.body, spec.request.body, "request.body")
            changes += _lost_annotations(old.response.body, spec.response.body, "response.body")
            spec = merge_annotations(spec, old)
            status = "updated" if changes else "unchanged"
        text = dump_spec(spec)
        if write and (not path.exists() or path.read_text(encoding="utf-8") != text):
            path.write_text(text, encoding="utf-8")
        results.append(ImportResult(spec.api_id, spec.name, status, tuple(changes), path))
    return ImportReport(results, common_changes, list(skipped))


def import_extract(doc: Path, out: Path, *, write: bool = True) -> list[ImportResult]:
    """Import every TR of the text extract ``doc`` into ``out``; what happened to each spec.

    An extract holds a few pages of the manual, so the shared rows on disk are kept.
    """
    display = str(doc)
    trs = parse_extract(read_text(doc, display), display)
    if not trs:
        raise SpecError(display, None, "", "no TR found (no 'API 정보' section)")
    return import_trs(trs, out, write=write, update_common=False).results


__all__ = [
    "ImportReport",
    "ImportResult",
    "ImportedTr",
    "Line",
    "derive_common",
    "field_to_data",
    "import_extract",
    "import_trs",
    "merge_annotations",
    "parse_extract",
]
