"""Read Kiwoom's documentation in the forms Kiwoom publishes it and turn each REST API into a spec.

Three forms carry the same tables:

* the text extract of the PDF manual (``.txt``, parsed by :mod:`codegen.importer`);
* the workbook "키움 REST API 문서.xlsx" (``.xlsx``): one sheet per API, laid out like the PDF
  pages, the 구분 (Header/Body) cell merged down its rows, LIST members marked ``- `` / ``- - ``;
* the JSON catalogue shipped in Kiwoom's ``kwcli`` wheel (``kiwoom/_data/kiwoom_api_spec.json``,
  or the ``.whl`` itself): ``apis`` keyed by ``"<API 명>(<api id>)"``, rows with an explicit
  ``depth``.

The workbook and JSON readers produce :class:`RawTr` records (cells as printed, each with the
place it came from); :func:`build_tr` turns one into a spec with every problem located in the
source's own terms: ``kiwoom.xlsx[주식일봉차트조회요청(ka10081)]!D23: ...`` or
``kiwoom_api_spec.json: apis["주식일봉차트조회요청(ka10081)"].response.body[7].type: ...``.
A damaged source (a blank or unknown Type, a member row without its LIST) is refused, never
imported into specs that silently lose fields.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from codegen.errors import SpecError, SpecErrors
from codegen.importer import (
    LIST_PREFIX_RE,
    MOCK_HOST_RE,
    TYPE_RE,
    ImportedTr,
    Line,
    parse_extract,
)
from codegen.loader import read_text
from codegen.spec import API_ID_RE, Examples, Field, Hosts, Message, Source, TrSpec

#: URL paths of the APIs served over WebSocket (real-time types and condition search). The REST
#: importers leave them to :mod:`codegen.realtime`: their tables describe frames, not bodies.
WEBSOCKET_PATH_RE = re.compile(r"/websocket$")
#: The JSON catalogue's place inside Kiwoom's ``kwcli`` wheel.
WHEEL_MEMBER = "kiwoom/_data/kiwoom_api_spec.json"
_KWCLI_VERSION_RE = re.compile(r"kwcli[-_](\d+(?:\.\d+)*)")

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
#: Cells of the info block that are labels without a value (navigation, section titles).
INFO_DECORATION = {"◀ API 리스트 이동", "키움 REST API", "API 정보", "기본정보"}
OVERVIEW_LABEL = "개요"


@attrs.frozen
class Located:
    """Where a cell came from, rendered the way the source names its places.

    A workbook cell reads ``kiwoom.xlsx[sheet]!D23: response.body.cur_prc: message`` (the
    cell, then where it lands in the spec); a JSON value reads
    ``kiwoom_api_spec.json: apis["…"].response.body[7].type: message`` (its own path says it).
    """

    file: str
    where: str  # "[sheet]!D23" for a workbook cell, 'apis["..."].request.body[3]' for JSON
    json: bool = False

    def error(self, path: str, message: str) -> SpecError:
        if self.json:
            return SpecError(self.file, None, self.where, message)
        return SpecError(f"{self.file}{self.where}", None, path, message)


@attrs.frozen
class RawRow:
    """One table row as printed; ``cells`` maps a column name to its place for errors."""

    section: str  # "Header" or "Body"
    element: str
    depth: int
    korean: str
    type: str
    required: str
    length: str
    description: str
    place: Callable[[str], Located]  # column name -> where that cell is
    #: A section title inside a table (``조회 데이터`` / ``실시간 데이터`` on condition-search
    #: pages): ``element`` holds the title, the other cells are empty.
    is_section: bool = False


@attrs.frozen
class RawTr:
    """One API's page as a source prints it, before any interpretation."""

    key: str  # sheet name or JSON key: "주식일봉차트조회요청(ka10081)"
    info: dict[str, str]  # label -> value, for the labels of INFO_LABELS
    overview: str
    request: tuple[RawRow, ...]
    response: tuple[RawRow, ...]
    request_example: str | None
    response_example: str | None
    document: str  # what the spec's source.document says
    place: Callable[[str], Located]  # info label -> where it is


# --- from raw rows to a spec -----------------------------------------------------------------


def _field(row: RawRow, path: str) -> Field:
    element = row.element.strip()
    if not element:
        raise row.place("element").error(path, "a table row has no element name")
    if not TYPE_RE.match(row.type.strip()):
        what = "blank" if not row.type.strip() else repr(row.type)
        raise row.place("type").error(
            f"{path}.type",
            f"the Type of {element} is {what}: expected String or LIST (a damaged copy loses "
            "the LIST structure; import the document as Kiwoom publishes it)",
        )
    if row.required.strip() not in ("Y", "N"):
        raise row.place("required").error(
            f"{path}.required", f"Required of {element}: expected Y or N, got {row.required!r}"
        )
    length: int | None = None
    text = row.length.strip()
    if text:
        if not (text.isdigit() and text.isascii()) or int(text) <= 0:
            raise row.place("length").error(
                f"{path}.length",
                f"Length of {element}: expected a positive integer, got {row.length!r}",
            )
        length = int(text)
    return Field(
        element=row.element.strip(),
        korean=row.korean.strip(),
        type=row.type.strip(),
        required=row.required.strip() == "Y",
        length=length,
        description=_clean_description(row.description),
    )


def _clean_description(text: str) -> str:
    """Verbatim apart from line ends: CRLF -> LF and blank edges dropped (as the extract does)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _nest(rows: Sequence[RawRow], side: str) -> tuple[list[Field], list[Field]]:
    """(header fields, body fields) with LIST members put under their LIST at any depth."""
    headers: list[Field] = []
    body_rows: list[RawRow] = []
    for row in rows:
        if row.is_section:
            continue  # section titles appear on WebSocket pages only (codegen.realtime)
        if row.section == "Header":
            path = f"{side}.header.{row.element.strip() or '?'}"
            if row.depth:
                raise row.place("element").error(path, "a header row cannot be a LIST member")
            headers.append(_field(row, path))
        else:
            body_rows.append(row)
    pos = 0

    def build(depth: int) -> list[Field]:
        nonlocal pos
        out: list[Field] = []
        while pos < len(body_rows):
            row = body_rows[pos]
            if row.depth < depth:
                break
            path = f"{side}.body.{row.element.strip() or '?'}"
            if row.depth > depth:
                raise row.place("element").error(
                    path,
                    f"{row.element.strip()} is a LIST member (depth {row.depth}) that does not "
                    "follow a LIST row",
                )
            pos += 1
            field = _field(row, path)
            if field.is_list:
                # A LIST without member rows is a documentation flaw (ka10101's marketCode in the
                # 2026-05-07 workbook): kept as printed, reported by validate (list-without-items).
                field = attrs.evolve(field, items=tuple(build(depth + 1)))
            out.append(field)
        return out

    return headers, build(0)


def require_info(raw: RawTr) -> None:
    """Every label of the API 정보 block but the mock host must be filled in."""
    for label, key in INFO_LABELS.items():
        if key != "mock" and not raw.info.get(key, "").strip():
            raise raw.place(label).error(key, f"the API 정보 block lacks {label!r}")


def read_hosts(raw: RawTr) -> Hosts:
    """The 운영/모의투자 도메인 of a page's info block (the mock's note kept apart)."""
    mock = raw.info.get("mock", "").strip()
    if not mock:
        return Hosts(prod=raw.info["prod"].strip())
    match = MOCK_HOST_RE.match(mock)
    if match is None:
        raise raw.place("모의투자 도메인").error(
            "hosts.mock", f"cannot read the mock host {mock!r}"
        )
    return Hosts(prod=raw.info["prod"].strip(), mock=match.group("host"), mock_note=match["note"])


def build_tr(raw: RawTr) -> ImportedTr:
    """The spec of one API page; a located SpecError where the page cannot be read."""
    require_info(raw)
    api_id = raw.info["api_id"].strip()
    if not API_ID_RE.match(api_id):
        raise raw.place("API ID").error("api_id", f"{api_id!r} does not look like an API ID")
    request_headers, request_body = _nest(raw.request, "request")
    response_headers, response_body = _nest(raw.response, "response")
    spec = TrSpec(
        api_id=api_id,
        name=raw.info["name"].strip(),
        menu=raw.info["menu"].strip(),
        method=raw.info["method"].strip(),
        url=raw.info["url"].strip(),
        hosts=read_hosts(raw),
        format=raw.info["format"].strip(),
        content_type=raw.info["content_type"].strip(),
        overview=raw.overview,
        request=Message(body=tuple(request_body)),
        response=Message(body=tuple(response_body)),
        examples=Examples(
            request=_example(raw.request_example), response=_example(raw.response_example)
        ),
        source=Source(document=raw.document, entry=raw.key),
    )
    return ImportedTr(spec, tuple(request_headers), tuple(response_headers), 0)


def _example(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("\r\n", "\n").strip("\n")
    return text if text.strip() else None


def build_all(raws: Iterable[RawTr]) -> list[ImportedTr]:
    """Every REST API of a source; all problems at once, duplicates located."""
    out: list[ImportedTr] = []
    errors: list[SpecError] = []
    seen: dict[str, str] = {}
    for raw in raws:
        try:
            tr = build_tr(raw)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        except SpecError as exc:
            errors.append(exc)
            continue
        if tr.spec.api_id in seen:
            errors.append(
                raw.place("API ID").error(
                    "api_id", f"{tr.spec.api_id} documented twice (first in {seen[tr.spec.api_id]})"
                )
            )
            continue
        seen[tr.spec.api_id] = raw.key
        out.append(tr)
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)
    return out


# --- the JSON catalogue ------------------------------------------------------------------------


def _json_document(display: str) -> str:
    version = _KWCLI_VERSION_RE.search(Path(display).name)
    edition = f" (kwcli {version.group(1)})" if version else ""
    return f"kiwoom_api_spec.json{edition}"


def _json_rows(
    file: str, key: str, side: str, part: Any, error: Callable[[str, str], SpecError]
) -> tuple[RawRow, ...]:
    if not isinstance(part, dict):
        raise error(side, "expected an object with header and body")
    rows: list[RawRow] = []
    for section, name in (("Header", "header"), ("Body", "body")):
        entries = part.get(name, [])
        if not isinstance(entries, list):
            raise error(f"{side}.{name}", "expected a list of rows")
        for i, entry in enumerate(entries):
            here = f'apis["{key}"].{side}.{name}[{i}]'
            if not isinstance(entry, dict):
                raise SpecError(file, None, here, "expected an object (a table row)")
            depth = entry.get("depth", 0)
            if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
                raise SpecError(file, None, f"{here}.depth", f"expected 0, 1, 2, got {depth!r}")

            def place(column: str, _here: str = here) -> Located:
                return Located(file, f"{_here}.{_JSON_COLUMNS.get(column, column)}", json=True)

            rows.append(
                RawRow(
                    section=section,
                    element=_text(entry.get("element")),
                    depth=depth,
                    korean=_text(entry.get("한글명")),
                    type=_text(entry.get("type")),
                    required=_text(entry.get("required")),
                    length=_text(entry.get("length")),
                    description=_text(entry.get("description")),
                    place=place,
                    is_section=bool(entry.get("is_section")),
                )
            )
    return tuple(rows)


_JSON_COLUMNS = {"korean": "한글명"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _json_raw(file: str, key: str, entry: Any, document: str) -> RawTr:
    def error(path: str, message: str) -> SpecError:
        return SpecError(file, None, f'apis["{key}"].{path}', message)

    if not isinstance(entry, dict) or not isinstance(entry.get("meta"), dict):
        raise error("meta", "expected an object with meta, request, response")
    meta: dict[str, Any] = entry["meta"]
    info: dict[str, str] = {}
    overview: list[str] = []
    after_overview = False
    for label, value in meta.items():
        if label == OVERVIEW_LABEL:
            after_overview = True
            if _text(value).strip():
                overview.append(_text(value))
            continue
        if label in INFO_LABELS:
            info[INFO_LABELS[label]] = _text(value)
        elif label in INFO_DECORATION:
            continue
        elif after_overview:
            # The catalogue stores each 개요 sentence as a key with an empty value.
            overview.append(label + (_text(value) if value else ""))
        else:
            raise error(f"meta[{label!r}]", "unexpected label in the API 정보 block")

    def place(label: str) -> Located:
        return Located(file, f'apis["{key}"].meta["{label}"]', json=True)

    examples = []
    for name in ("request_example", "response_example"):
        value = entry.get(name)
        if value is not None and not isinstance(value, str):
            raise error(name, "expected the example as text")
        examples.append(value)
    return RawTr(
        key=key,
        info=info,
        overview="\n".join(overview).strip("\n"),
        request=_json_rows(file, key, "request", entry.get("request"), error),
        response=_json_rows(file, key, "response", entry.get("response"), error),
        request_example=examples[0],
        response_example=examples[1],
        document=document,
        place=place,
    )


def read_json_catalog(data: bytes, display: str) -> tuple[list[RawTr], list[RawTr]]:
    """(REST pages, WebSocket pages) of Kiwoom's JSON catalogue."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SpecError(display, None, "", f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise SpecError(display, exc.lineno, "", f"not valid JSON: {exc.msg}") from None
    apis = doc.get("apis") if isinstance(doc, dict) else None
    if not isinstance(apis, dict) or not apis:
        raise SpecError(display, None, "apis", "expected an object of APIs (Kiwoom's catalogue)")
    document = _json_document(display)
    raws: list[RawTr] = []
    websocket: list[RawTr] = []
    for key, entry in apis.items():
        raw = _json_raw(display, key, entry, document)
        (websocket if is_websocket(raw) else raws).append(raw)
    return raws, websocket


def read_wheel(path: Path, display: str) -> tuple[list[RawTr], list[RawTr]]:
    """The JSON catalogue inside a ``kwcli`` wheel."""
    try:
        with zipfile.ZipFile(path) as wheel:
            data = wheel.read(WHEEL_MEMBER)
    except KeyError:
        raise SpecError(display, None, "", f"no {WHEEL_MEMBER} in this wheel") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise SpecError(display, None, "", f"cannot read the wheel: {exc}") from None
    return read_json_catalog(data, display)


# --- the workbook ------------------------------------------------------------------------------

_TABLE_COLUMNS = ("구분", "Element", "한글명", "Type", "Required", "Length", "Description")
_COLUMN_LETTERS = {
    "section": "A",
    "element": "B",
    "korean": "C",
    "type": "D",
    "required": "E",
    "length": "F",
    "description": "G",
}
_SKIP_SHEETS = {"API 리스트", "오류코드"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell_place(at: Callable[[int, str], Located], row: int) -> Callable[[str], Located]:
    def place(column: str) -> Located:
        return at(row, _COLUMN_LETTERS[column])

    return place


def _sheet_raw(file: str, sheet: str, rows: list[tuple[Any, ...]], document: str) -> RawTr | None:
    """One API sheet; None for a sheet that is not an API page."""

    def at(row: int, column: str) -> Located:
        return Located(file, f"[{sheet}]!{column}{row}")

    cells = [tuple(_cell(v) for v in row) + ("",) * (7 - len(row)) for row in rows]
    info: dict[str, str] = {}
    info_rows: dict[str, int] = {}
    i = 0
    while i < len(cells) and cells[i][0].strip() not in ("Request", OVERVIEW_LABEL):
        label = cells[i][0].strip()
        if label in INFO_LABELS:
            info[INFO_LABELS[label]] = cells[i][2]
            info_rows[label] = i + 1
        elif label and label not in INFO_DECORATION:
            raise at(i + 1, "A").error("", f"unexpected label {label!r} in the API 정보 block")
        i += 1
    if "api_id" not in info:
        return None
    websocket = bool(WEBSOCKET_PATH_RE.search(info.get("url", "")))
    overview: list[str] = []
    if i < len(cells) and cells[i][0].strip() == OVERVIEW_LABEL:
        i += 1
        while i < len(cells) and cells[i][0].strip() != "Request":
            if cells[i][0].strip():
                overview.append(cells[i][0])
            i += 1
    sides: dict[str, list[RawRow]] = {"request": [], "response": []}
    examples: dict[str, str | None] = {"request": None, "response": None}
    side: str | None = None
    section = ""
    while i < len(cells):
        first = cells[i][0].strip()
        number = i + 1
        if first in ("Request", "Response"):
            side = first.lower()
            i += 1
            header = tuple(c.strip() for c in cells[i][:7]) if i < len(cells) else ()
            if header != _TABLE_COLUMNS:
                raise at(i + 1, "A").error(
                    side, f"expected the table header {', '.join(_TABLE_COLUMNS)}, got {header}"
                )
            section = ""
            i += 1
            continue
        if first in ("Request Example", "Response Example"):
            which = first.split()[0].lower()
            text = cells[i + 1][0] if i + 1 < len(cells) else ""
            examples[which] = text or None
            side = None
            i += 2
            continue
        if side is None:
            if any(c.strip() for c in cells[i]):
                raise at(number, "A").error("", f"unexpected row {cells[i][:3]}")
            i += 1
            continue
        row = cells[i]
        if not any(c.strip() for c in row):
            i += 1
            continue
        if (
            websocket
            and first in ("Header", "Body")
            and row[1].strip()
            and not any(c.strip() for c in row[2:7])
        ):
            # A section title (조회 데이터 / 실시간 데이터): only WebSocket pages have them; on a
            # REST page a row with blank cells is a damaged copy and refused below.
            section = first
            sides[side].append(
                RawRow(
                    section=first,
                    element=row[1].strip(),
                    depth=0,
                    korean="",
                    type="",
                    required="",
                    length="",
                    description="",
                    place=_cell_place(at, number),
                    is_section=True,
                )
            )
            i += 1
            continue
        if first:
            if first not in ("Header", "Body"):
                raise at(number, "A").error(side, f"구분 must be Header or Body, got {first!r}")
            section = first
        if not section:
            raise at(number, "A").error(side, "a row before any Header/Body 구분 cell")
        element = row[1]
        depth = 0
        prefix = LIST_PREFIX_RE.match(element.strip())
        if prefix:
            depth = prefix.group(1).count("-")
            element = element.strip()[prefix.end() :]

        def place(column: str, _n: int = number) -> Located:
            return at(_n, _COLUMN_LETTERS[column])

        sides[side].append(
            RawRow(
                section=section,
                element=element.strip(),
                depth=depth,
                korean=row[2],
                type=row[3],
                required=row[4],
                length=row[5],
                description=row[6],
                place=place,
            )
        )
        i += 1

    def info_place(label: str) -> Located:
        return at(info_rows.get(label, 1), "C" if label in info_rows else "A")

    return RawTr(
        key=sheet,
        info=info,
        overview="\n".join(overview).strip("\n"),
        request=tuple(sides["request"]),
        response=tuple(sides["response"]),
        request_example=examples["request"],
        response_example=examples["response"],
        document=document,
        place=info_place,
    )


def read_workbook(path: Path, display: str) -> tuple[list[RawTr], list[RawTr]]:
    """(REST pages, WebSocket pages) of Kiwoom's workbook."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dev dependency
        raise SpecError(
            display, None, "", "reading a workbook needs openpyxl: pip install 'kiwoom-typed[docs]'"
        ) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise SpecError(display, None, "", f"cannot read the workbook: {exc}") from None
    created = book.properties.created
    edition = f" ({created:%Y-%m-%d})" if created is not None else ""
    document = f"키움 REST API 문서.xlsx{edition}"
    raws: list[RawTr] = []
    websocket: list[RawTr] = []
    try:
        for sheet in book.sheetnames:
            if sheet in _SKIP_SHEETS:
                continue
            rows = list(book[sheet].iter_rows(max_col=7, values_only=True))
            raw = _sheet_raw(display, sheet, rows, document)
            if raw is None:
                continue
            (websocket if is_websocket(raw) else raws).append(raw)
    finally:
        book.close()
    return raws, websocket


# --- every form --------------------------------------------------------------------------------


@attrs.frozen
class SourceDocument:
    """What an import read: the REST pages as specs, and the WebSocket pages as printed."""

    form: str  # "extract", "workbook", "catalogue"
    trs: list[ImportedTr]
    skipped: list[str]  # keys of the WebSocket pages: not REST specs (see ``websocket``)
    #: The WebSocket pages (real-time types, condition search), for :mod:`codegen.realtime`.
    websocket: list[RawTr] = attrs.field(factory=list)


def is_websocket(raw: RawTr) -> bool:
    """A page of an API served over the WebSocket (its URL ends ``/websocket``)."""
    return bool(WEBSOCKET_PATH_RE.search(raw.info.get("url", "")))


def detect_form(path: Path) -> str:
    """``extract`` / ``workbook`` / ``catalogue`` / ``wheel`` from the name, else the bytes."""
    suffix = path.suffix.lower()
    by_suffix = {".txt": "extract", ".xlsx": "workbook", ".json": "catalogue", ".whl": "wheel"}
    if suffix in by_suffix:
        return by_suffix[suffix]
    head = path.read_bytes()[:4]
    if head.startswith(b"PK"):
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        return "wheel" if WHEEL_MEMBER in names else "workbook"
    return "catalogue" if head.lstrip()[:1] == b"{" else "extract"


def read_source(path: Path, display: str | None = None) -> SourceDocument:
    """Read any documentation form into specs (documented keys only)."""
    shown = display or str(path)
    if not path.is_file():
        raise SpecError(shown, None, "", "no such file")
    form = detect_form(path)
    if form == "extract":
        from codegen.realtime.build import extract_raws

        pages: list[list[Line]] = []
        trs = parse_extract(read_text(path, shown), shown, websocket=pages)
        websocket = extract_raws(shown, pages)
        return SourceDocument("extract", trs, [w.key for w in websocket], websocket)
    if form == "workbook":
        raws, websocket = read_workbook(path, shown)
    elif form == "wheel":
        raws, websocket = read_wheel(path, shown)
    else:
        raws, websocket = read_json_catalog(path.read_bytes(), shown)
    trs = build_all(raws)
    if not trs and not websocket:
        raise SpecError(shown, None, "", "no API found in this document")
    form = "catalogue" if form == "wheel" else form
    return SourceDocument(form, trs, [w.key for w in websocket], websocket)


def select(trs: Sequence[ImportedTr], only: Iterable[str] | None, display: str) -> list[ImportedTr]:
    """The TRs named by ``--only`` (every one when None); an unknown ID is an error."""
    if only is None:
        return list(trs)
    wanted = [i.strip() for i in only if i.strip()]
    known = {tr.spec.api_id for tr in trs}
    missing = [i for i in wanted if i not in known]
    if missing:
        raise SpecError(display, None, "--only", f"not documented here: {', '.join(missing)}")
    return [tr for tr in trs if tr.spec.api_id in set(wanted)]


def iter_ids(trs: Iterable[ImportedTr]) -> Iterator[str]:
    return (tr.spec.api_id for tr in trs)
