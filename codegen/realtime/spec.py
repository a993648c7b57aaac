"""The spec format of the WebSocket APIs (``specs/websocket/*.yaml``) and their file names.

A WebSocket spec transcribes one page of Kiwoom's documentation like a REST spec does (the same
:class:`~codegen.spec.Field` rows, the same hand annotations on fields: ``python_name``,
``kind``, ``values``, ``note``), with what the WebSocket pages add:

* a page's response table can be cut by section rows (``조회 데이터`` / ``실시간 데이터`` on the
  real-time condition search): the rows under ``실시간 데이터`` describe the REAL frames the
  request starts, and go to ``push``; ``response.title`` / ``push.title`` keep the titles;
* container rows are printed ``LIST``, ``List<Map>`` or ``Object``, and a blank Required cell
  (the ``data`` rows) reads as ``required: false``;
* API IDs are real-time type codes (``0B``, ``0g``, ``1h``, ``FE``) or condition-search IDs
  (``ka10171``, ``usa20290``).

File names must not differ only in letter case (``0G`` ETF NAV and ``0g`` 주식종목정보 would be
one file on macOS and Windows): a real-time type's file is its code with ``_`` after each
lowercase letter (``0G.yaml``, ``0g_.yaml``, ``1h_.yaml``); a condition search's is its API ID
(``ka10171.yaml``), like a REST spec.
"""

from __future__ import annotations

import re
from typing import Annotated

import attrs

from codegen.spec import (
    API_ID_RE,
    Check,
    Examples,
    Field,
    Hosts,
    Identifier,
    KnownFinding,
    NonEmpty,
    Source,
)

#: A real-time type code: two characters, digits and letters of either case.
TYPE_CODE_RE = re.compile(r"^[0-9A-Za-z]{2}$")
CLASS_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
#: Types printed for rows that hold other rows (``values`` is ``Object`` on ka10173).
CONTAINER_TYPES = frozenset({"list", "list<map>", "object"})
#: The section title whose rows describe REAL frames (the others describe the answer).
PUSH_SECTION = re.compile(r"실시간")


def _ws_id_problem(value: str) -> str | None:
    if TYPE_CODE_RE.match(value) or API_ID_RE.match(value):
        return None
    return f"{value!r} is neither a real-time type (0B) nor an API ID (ka10171)"


def _class_name_problem(value: str) -> str | None:
    if CLASS_NAME_RE.match(value):
        return None
    return f"{value!r} is not a CamelCase class name"


WsApiId = Annotated[str, Check("a real-time type or API ID", _ws_id_problem)]
ClassName = Annotated[str, Check("a class name", _class_name_problem)]


def is_type_code(api_id: str) -> bool:
    """``0B`` / ``1h`` / ``FE``: the page documents a real-time type (not a condition search)."""
    return bool(TYPE_CODE_RE.match(api_id))


def file_stem(api_id: str) -> str:
    """The spec's file name without ``.yaml``: unique even where letter case is not.

    ``0G`` -> ``0G``, ``0g`` -> ``0g_``, ``1h`` -> ``1h_``; API IDs stay as they are
    (``ka10171``). Only real-time types mark lowercase letters: their codes are the only IDs
    that differ by case alone.
    """
    if not is_type_code(api_id):
        return api_id
    return "".join(c + "_" if c.islower() else c for c in api_id)


def is_container(field: Field) -> bool:
    """A row that holds member rows: ``LIST``, ``List<Map>``, ``Object`` (or any with items)."""
    return bool(field.items) or field.type.strip().lower() in CONTAINER_TYPES


@attrs.frozen(kw_only=True)
class WsMessage:
    """The request, the answer, or the REAL push: header names (or full rows) and body rows.

    ``title`` is the section row the rows follow on the page (``조회 데이터``), if any.
    """

    title: str | None = None
    headers: tuple[str | Field, ...] = ()
    body: tuple[Field, ...] = ()


@attrs.frozen(kw_only=True)
class WsAnnotations:
    """Facts the documentation does not state, written by hand where a rule is wrong."""

    python_name: Identifier | None = None
    """The helper / module stem: ``trades`` gives ``subscribe_trades``."""
    class_name: ClassName | None = None
    """The model class of the REAL records (real-time types): ``StockTrade``."""
    english_name: NonEmpty | None = None
    known_findings: tuple[KnownFinding, ...] = ()


@attrs.frozen(kw_only=True)
class WsFacts:
    """What the rules decided for a WebSocket spec (hand annotations win); see ``source``."""

    python_name: str
    class_name: str
    english_name: str
    market: str  # "domestic" | "us"
    role: str  # "realtime" (a real-time type) | "condition" (a condition search)
    push_type: str | None
    """The ``type`` of the REAL records this page describes: the code of a real-time type, the
    type of a condition search's push (``02``, read from its example), else None."""
    record_name: str
    """The ``name`` REAL records carry: as the example shows it (FE sends 미국체결), else the
    API 명."""
    account_wide: bool
    """Records come for the token's account whatever item is registered (00, 04: the 개요 says
    종목코드(item) 등록과 상관 없이); the item registered is ``""``."""
    source: dict[str, str] = attrs.field(factory=dict, eq=False)


@attrs.frozen(kw_only=True)
class WsSpec:
    """One documented WebSocket API: a real-time type (``0B``) or a condition search."""

    api_id: WsApiId
    name: str
    menu: str
    method: str
    url: str
    hosts: Hosts
    format: str
    content_type: str
    overview: str = ""
    request: WsMessage
    response: WsMessage
    push: WsMessage | None = None
    examples: Examples = attrs.field(factory=Examples)
    source: Source = attrs.field(factory=Source)
    annotations: WsAnnotations | None = None
    resolved: WsFacts | None = attrs.field(default=None, eq=False)

    @property
    def facts(self) -> WsFacts:
        if self.resolved is None:
            raise RuntimeError(f"{self.api_id}: not resolved; load specs with codegen.loader")
        return self.resolved

    @property
    def known_findings(self) -> tuple[KnownFinding, ...]:
        return self.annotations.known_findings if self.annotations is not None else ()

    @property
    def is_type(self) -> bool:
        return is_type_code(self.api_id)

    def values_path(self) -> tuple[str, tuple[int, ...]] | None:
        """Where the REAL record's ``values`` row is: (``push`` or ``response``, row indexes).

        The push section when there is one, else the response table: the ``values`` container
        under the ``data`` container.
        """
        for side in ("push", "response"):
            message = getattr(self, side)
            if message is None:
                continue
            for i, data in enumerate(message.body):
                if data.element != "data":
                    continue
                for j, member in enumerate(data.items):
                    if member.element == "values" and member.items:
                        return side, (i, j)
        return None

    def value_fields(self) -> tuple[Field, ...]:
        """The field rows of a REAL record's ``values`` (id, 한글명, ...), in printed order."""
        where = self.values_path()
        if where is None:
            return ()
        side, (i, j) = where
        message: WsMessage = getattr(self, side)
        return message.body[i].items[j].items

    def record_fields(self) -> tuple[Field, ...]:
        """The rows of a REAL record itself (type, name, item, values, ...)."""
        where = self.values_path()
        if where is None:
            return ()
        side, (i, _) = where
        message: WsMessage = getattr(self, side)
        return message.body[i].items
