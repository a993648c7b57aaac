"""From the documentation's WebSocket pages to specs.

The readers of :mod:`codegen.sources` hand over the WebSocket pages of the JSON catalogue and
the workbook as :class:`~codegen.sources.RawTr` (cells as printed, each with its place);
:func:`extract_raws` turns the text extract's pages into the same records. :func:`build_ws`
reads one page into a :class:`~codegen.realtime.spec.WsSpec`, every problem located in the
source's own terms, as the REST builder does. What differs from a REST page:

* section rows split the response: rows under a title with ``실시간`` (``실시간 데이터``) go to
  ``push``, the others (``조회 데이터``) stay the answer;
* container rows (``LIST``, ``List<Map>``, ``Object``) take the deeper rows after them, even
  when a plain row of their own depth comes in between (ka10173 prints ``data``, ``trnm``,
  then ``- type``, ``- name``, ``- values``: the members of ``data``);
* a blank Required cell (the ``data`` rows) reads as not required.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from codegen.errors import SpecError, SpecErrors
from codegen.importer import (
    LIST_PREFIX_RE,
    ROW_STARTS,
    TABLE_HEADINGS,
    TYPE_RE,
    Line,
    _consume_table_header,
    _Cursor,
    _is_boundary,
    _parse_example,
    _parse_info,
)
from codegen.realtime.spec import PUSH_SECTION, TYPE_CODE_RE, WsMessage, WsSpec
from codegen.sources import (
    INFO_LABELS,
    Located,
    RawRow,
    RawTr,
    _clean_description,
    _example,
    read_hosts,
    require_info,
)
from codegen.spec import API_ID_RE, Examples, Field, Source

__all__ = ["ImportedWs", "build_ws", "build_ws_all", "extract_raws"]

#: Types a WebSocket row may print, beyond the REST ones: ``List<Map>`` (ka10173's push).
_WS_TYPE_EXTRA = frozenset({"list<map>"})


@attrs.frozen
class ImportedWs:
    """One page read: the spec (without header references yet) and its header rows."""

    spec: WsSpec
    request_headers: tuple[Field, ...]
    response_headers: tuple[Field, ...]


@attrs.define
class _Node:
    row: RawRow
    path: str
    children: list[_Node] = attrs.Factory(list)


def _field(row: RawRow, path: str, items: tuple[Field, ...]) -> Field:
    element = row.element.strip()
    if not element:
        raise row.place("element").error(path, "a table row has no element name")
    type_ = row.type.strip()
    if not (TYPE_RE.match(type_) or type_.lower() in _WS_TYPE_EXTRA):
        what = "blank" if not type_ else repr(row.type)
        raise row.place("type").error(
            f"{path}.type",
            f"the Type of {element} is {what}: expected String, LIST, List<Map> or Object (a "
            "damaged copy loses the structure; import the document as Kiwoom publishes it)",
        )
    required = row.required.strip()
    if required not in ("Y", "N", ""):
        raise row.place("required").error(
            f"{path}.required", f"Required of {element}: expected Y, N or blank, got {required!r}"
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
        element=element,
        korean=row.korean.strip(),
        type=type_,
        required=required == "Y",
        length=length,
        description=_clean_description(row.description),
        items=items,
    )


def _is_container_row(row: RawRow) -> bool:
    return row.type.strip().lower() in ("list", "list<map>", "object")


def _nest(rows: Sequence[RawRow], path: str) -> tuple[Field, ...]:
    """Body rows as fields, members under the last container of the depth above."""
    top: list[_Node] = []
    open_containers: dict[int, _Node] = {}
    for row in rows:
        here = f"{path}.{row.element.strip() or '?'}"
        node = _Node(row, here)
        depth = row.depth
        for deeper in [d for d in open_containers if d >= depth]:
            if deeper > depth or _is_container_row(row):
                del open_containers[deeper]
        if depth == 0:
            top.append(node)
        else:
            parent = open_containers.get(depth - 1)
            if parent is None:
                raise row.place("element").error(
                    here,
                    f"{row.element.strip()} is a member (depth {depth}) that follows no "
                    "LIST / Object row",
                )
            parent.children.append(node)
        if _is_container_row(row):
            open_containers[depth] = node

    def build(node: _Node) -> Field:
        items = tuple(build(child) for child in node.children)
        return _field(node.row, node.path, items)

    return tuple(build(node) for node in top)


def _split(rows: Sequence[RawRow], side: str) -> tuple[list[Field], WsMessage, WsMessage | None]:
    """(header fields, the message, the push) of one table."""
    headers: list[Field] = []
    parts: dict[str, list[RawRow]] = {"main": [], "push": []}
    titles: dict[str, str | None] = {"main": None, "push": None}
    target = "main"
    for row in rows:
        if row.is_section:
            title = row.element.strip()
            target = "push" if PUSH_SECTION.search(title) else "main"
            if titles[target] is not None:
                raise row.place("element").error(
                    side, f"a second section {title!r} (after {titles[target]!r})"
                )
            if side == "request":
                raise row.place("element").error(side, f"a section row {title!r} in a request")
            titles[target] = title
            continue
        if row.section == "Header":
            path = f"{side}.header.{row.element.strip() or '?'}"
            if row.depth:
                raise row.place("element").error(path, "a header row cannot be a LIST member")
            headers.append(_field(row, path, ()))
            continue
        parts[target].append(row)
    main = WsMessage(title=titles["main"], body=_nest(parts["main"], f"{side}.body"))
    push = None
    if titles["push"] is not None:
        push = WsMessage(title=titles["push"], body=_nest(parts["push"], "push.body"))
    return headers, main, push


def build_ws(raw: RawTr) -> ImportedWs:
    """The spec of one WebSocket page; a located SpecError where the page cannot be read."""
    require_info(raw)
    api_id = raw.info["api_id"].strip()
    if not (TYPE_CODE_RE.match(api_id) or API_ID_RE.match(api_id)):
        raise raw.place("API ID").error(
            "api_id", f"{api_id!r} is neither a real-time type (0B) nor an API ID (ka10171)"
        )
    request_headers, request, request_push = _split(raw.request, "request")
    response_headers, response, push = _split(raw.response, "response")
    assert request_push is None  # _split refuses sections in requests
    spec = WsSpec(
        api_id=api_id,
        name=raw.info["name"].strip(),
        menu=raw.info["menu"].strip(),
        method=raw.info["method"].strip(),
        url=raw.info["url"].strip(),
        hosts=read_hosts(raw),
        format=raw.info["format"].strip(),
        content_type=raw.info["content_type"].strip(),
        overview=raw.overview,
        request=request,
        response=response,
        push=push,
        examples=Examples(
            request=_example(raw.request_example), response=_example(raw.response_example)
        ),
        source=Source(document=raw.document, entry=raw.key),
    )
    return ImportedWs(spec, tuple(request_headers), tuple(response_headers))


def build_ws_all(raws: Iterable[RawTr]) -> list[ImportedWs]:
    """Every WebSocket page; all problems at once, duplicates located."""
    out: list[ImportedWs] = []
    errors: list[SpecError] = []
    seen: dict[str, str] = {}
    for raw in raws:
        try:
            page = build_ws(raw)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        except SpecError as exc:
            errors.append(exc)
            continue
        api_id = page.spec.api_id
        if api_id in seen:
            errors.append(
                raw.place("API ID").error(
                    "api_id", f"{api_id} documented twice (first in {seen[api_id]})"
                )
            )
            continue
        seen[api_id] = raw.key
        out.append(page)
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)
    return out


# --- the text extract ----------------------------------------------------------------------------


def _extract_rows(cur: _Cursor, side: str) -> list[RawRow]:
    """The rows of one table of a WebSocket page, leniently: empty cells are simply missing
    in an extract, and a WebSocket page leaves Required blank on container rows and prints
    section rows with nothing but a title."""
    rows: list[RawRow] = []
    while (line := cur.peek()) is not None and line.cell in ROW_STARTS:
        cur.pos += 1
        cells: list[Line] = []
        while (nxt := cur.peek()) is not None and nxt.cell not in ROW_STARTS:
            if _is_boundary(nxt.cell):
                break
            cells.append(nxt)
            cur.pos += 1
        if not cells:
            raise cur.error(line, side, "a table row has no element name")
        first = cells[0]
        element = first.cell
        depth = 0
        prefix = LIST_PREFIX_RE.match(element)
        if prefix:
            depth = prefix.group(1).count("-")
            element = element[prefix.end() :].strip()
        place = _extract_place(cur.file, cells)
        if len(cells) == 1 and not prefix:
            rows.append(_section_row(line.cell, element, place))
            continue
        rest = [c.cell for c in cells[1:]]
        korean = ""
        if rest and not _is_type(rest[0]):
            korean = rest.pop(0)
        type_ = rest.pop(0) if rest and _is_type(rest[0]) else ""
        required = rest.pop(0) if rest and rest[0] in ("Y", "N") else ""
        length = rest.pop(0) if rest and rest[0].isdigit() and rest[0].isascii() else ""
        lines = [c.text for c in cells[1:]][len(cells) - 1 - len(rest) :]
        rows.append(
            RawRow(
                section=line.cell,
                element=element,
                depth=depth,
                korean=korean,
                type=type_,
                required=required,
                length=length,
                description="\n".join(lines),
                place=place,
            )
        )
    return rows


def _is_type(cell: str) -> bool:
    return bool(TYPE_RE.match(cell)) or cell.lower() in _WS_TYPE_EXTRA


def _section_row(section: str, title: str, place: _PlaceAt) -> RawRow:
    return RawRow(
        section=section,
        element=title,
        depth=0,
        korean="",
        type="",
        required="",
        length="",
        description="",
        place=place,
        is_section=True,
    )


class _PlaceAt:
    """``manual.txt:LINE`` of a row's cells (the extract has no columns)."""

    def __init__(self, file: str, line: int) -> None:
        self.file = file
        self.line = line

    def __call__(self, column: str) -> Located:
        return Located(self.file, f":{self.line}")


def _extract_place(file: str, cells: Sequence[Line]) -> _PlaceAt:
    return _PlaceAt(file, cells[0].number)


def _extract_raw(file: str, lines: list[Line]) -> RawTr:
    cur = _Cursor(file, lines)
    info, overview = _parse_info(cur)
    sides: dict[str, list[RawRow]] = {"request": [], "response": []}
    examples: dict[str, str | None] = {"request": None, "response": None}
    while (line := cur.peek()) is not None:
        cur.pos += 1
        cell = line.cell
        if not cell:
            continue
        if cell in TABLE_HEADINGS:
            side = TABLE_HEADINGS[cell]
            _consume_table_header(cur, side)
            sides[side] += _extract_rows(cur, side)
        elif cell in ("Request Example", "Response Example"):
            side = cell.split()[0].lower()
            examples[side] = _parse_example(cur, side)
        else:
            raise cur.error(line, info["api_id"], f"unexpected line {cell!r}")
    first = lines[0].number

    def place(label: str) -> Located:
        return Located(file, f":{first}")

    labels = {v: k for k, v in INFO_LABELS.items()}
    name = info.get("name", "")
    return RawTr(
        key=f"{name}({info.get('api_id', '')})",
        info={key: info[key] for key in labels if key in info},
        overview=overview,
        request=tuple(sides["request"]),
        response=tuple(sides["response"]),
        request_example=examples["request"],
        response_example=examples["response"],
        document="키움 REST API",
        place=place,
    )


def extract_raws(file: str, pages: Sequence[list[Line]]) -> list[RawTr]:
    """The WebSocket pages of a text extract (as :func:`codegen.importer.parse_extract` set
    them aside) as raw pages, like the other forms give them."""
    return [_extract_raw(file, lines) for lines in pages]
