"""The spec model: one TR of Kiwoom's documentation, as attrs classes.

A spec holds two kinds of data, kept apart on purpose:

* what the documentation says (element, korean, type, required, length, description, examples,
  hosts, ...). The importer owns these keys and rewrites them when the manual changes.
* hand annotations the documentation lacks (``python_name``, ``kind``, ``values``, ``note`` on a
  field; the ``annotations`` block of a TR). The importer never touches them.

Loading goes through cattrs with strict scalar hooks, so the format is checked declaratively;
``codegen.loader`` turns cattrs' error paths into ``file:line: path: message``.
"""

from __future__ import annotations

import enum
import keyword
import re
from collections.abc import Callable
from typing import Annotated, Any

import attrs

API_ID_RE = re.compile(r"^[a-z]{2}[0-9A-Za-z]{3,8}$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ValueKind(enum.Enum):
    """What a documented ``String`` value means, so the generator can offer a typed accessor."""

    TEXT = "text"  # free text, kept as is
    CODE = "code"  # an identifier such as a stock code; never a number
    SIGNED_PRICE = "signed_price"  # "+181400": price 181400, sign = direction vs previous close
    SIGNED_NUMBER = "signed_number"  # "-300": a true signed integer (a change)
    NUMBER = "number"  # unsigned integer: quantities, amounts, counts
    DECIMAL = "decimal"  # "+26.69", "0.08": rates and ratios, sign kept
    DATE = "date"  # YYYYMMDD
    DATETIME = "datetime"  # YYYYMMDDHHMMSS, Korea time
    TIME = "time"  # HHMMSS
    SIGN_CODE = "sign_code"  # 대비기호: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락
    SECRET = "secret"  # a credential (appkey, secretkey, token): text never shown in a repr
    DECIMAL_PRICE = "decimal_price"  # "+201.5300": a USD or index price + direction
    SCALED = "scaled"  # "2658" means 26.58: sent without its decimal point, times 100
    MONTH = "month"  # YYYYMM
    SESSION_TIME = "session_time"  # HHMMSS / HH:MM[:SS] of a trading day; may pass 24:00
    ACCOUNT = "account"  # an account number: text, masked in recordings
    PERSONAL = "personal"  # a person's name or staff number: text, masked in recordings


class Role(enum.Enum):
    """The part a TR plays for the runtime (token plumbing) beyond being a plain call."""

    TOKEN_ISSUE = "token_issue"
    TOKEN_REVOKE = "token_revoke"


class Check:
    """A constraint carried in ``Annotated[...]``; the loader runs it while structuring.

    Keeping constraints in the types (not in ``__init__`` validators) lets cattrs report the
    exact path of the bad value.
    """

    def __init__(self, describe: str, test: Callable[[Any], str | None]) -> None:
        self.describe = describe
        self.test = test  # returns an error message, or None when the value is fine


def _identifier_problem(value: str) -> str | None:
    if not IDENT_RE.match(value) or keyword.iskeyword(value):
        return f"{value!r} is not a valid Python identifier"
    return None


def _api_id_problem(value: str) -> str | None:
    if not API_ID_RE.match(value):
        return f"{value!r} does not look like a Kiwoom API ID (e.g. ka10001)"
    return None


Identifier = Annotated[str, Check("a Python identifier", _identifier_problem)]
ApiId = Annotated[str, Check("an API ID", _api_id_problem)]
NonEmpty = Annotated[str, Check("text", lambda v: None if v.strip() else "must not be empty")]
PositiveInt = Annotated[
    int, Check("a positive integer", lambda v: None if v > 0 else f"expected > 0, got {v}")
]


@attrs.frozen(kw_only=True)
class Field:
    """One row of a request or response table (a LIST row carries its member rows in items)."""

    # --- from the documentation ---
    element: NonEmpty
    korean: str
    type: NonEmpty  # as printed: String, LIST, ...
    required: bool
    length: PositiveInt | None = None
    description: str = ""
    items: tuple[Field, ...] = ()
    # --- hand annotations ---
    python_name: Identifier | None = None
    kind: ValueKind | None = None
    values: dict[str, str] | None = None  # allowed values: value -> meaning
    note: str | None = None

    @property
    def is_list(self) -> bool:
        return self.type.upper() == "LIST"


@attrs.frozen(kw_only=True)
class Message:
    """Request or response: its headers (names from ``_common.yaml`` or full rows) and body."""

    headers: tuple[str | Field, ...] = ()
    body: tuple[Field, ...] = ()


@attrs.frozen(kw_only=True)
class Hosts:
    prod: str
    mock: str | None = None
    mock_note: str | None = None  # e.g. "KRX만 지원가능"


@attrs.frozen(kw_only=True)
class Examples:
    """The examples exactly as printed (page footers removed); None when the page has none."""

    request: str | None = None
    response: str | None = None


@attrs.frozen(kw_only=True)
class Source:
    """Where a spec was transcribed from: the document (and its edition), its place in it."""

    document: str = ""
    pages: tuple[int, ...] = ()  # page numbers of the PDF extract
    entry: str = ""  # sheet name of the workbook / key of the JSON catalogue


@attrs.frozen(kw_only=True)
class KnownFinding:
    """A flaw of the documentation that has been looked at; ``validate`` then accepts it."""

    check: str
    where: str
    reason: NonEmpty


@attrs.frozen(kw_only=True)
class Annotations:
    """TR-level facts the documentation does not state, written by hand where a rule is wrong.

    Every key is optional: ``codegen.rules`` derives what is left out (see specs/README.md);
    a key written here overrides its rule.
    """

    python_name: Identifier | None = None  # method name, e.g. get_stock_info
    english_name: NonEmpty | None = None  # e.g. "Stock basic information"
    paged: bool | None = None  # follows cont-yn / next-key
    retry_safe: bool | None = None  # queries yes, orders never
    mock_supported: bool | None = None
    role: Role | None = None
    known_findings: tuple[KnownFinding, ...] = ()


@attrs.frozen(kw_only=True)
class Facts:
    """The resolved TR-level annotations: hand annotations over the rules' answers.

    ``codegen.rules.resolve`` builds them when specs are loaded; ``source`` says, per key,
    whether the value was written in the spec (``"spec"``) or which rule gave it.
    """

    python_name: str
    english_name: str
    paged: bool
    retry_safe: bool
    mock_supported: bool
    role: Role | None
    market: str  # "domestic" | "us" | "oauth"
    source: dict[str, str] = attrs.field(factory=dict, eq=False)


@attrs.frozen(kw_only=True)
class TrSpec:
    """One documented TR (API ID), e.g. ka10001 주식기본정보요청."""

    api_id: ApiId
    name: str  # API 명
    menu: str  # 메뉴 위치
    method: str
    url: str
    hosts: Hosts
    format: str
    content_type: str
    overview: str = ""  # 개요
    request: Message
    response: Message
    examples: Examples = Examples()
    source: Source = Source()
    annotations: Annotations | None = None
    #: Set by the rules when specs are loaded (never read from YAML); see :attr:`facts`.
    resolved: Facts | None = attrs.field(default=None, eq=False)

    @property
    def facts(self) -> Facts:
        """The resolved TR-level annotations (hand-written where given, else from the rules)."""
        if self.resolved is None:
            raise RuntimeError(
                f"{self.api_id}: annotations not resolved; load specs with codegen.loader"
            )
        return self.resolved

    @property
    def known_findings(self) -> tuple[KnownFinding, ...]:
        return self.annotations.known_findings if self.annotations is not None else ()


@attrs.frozen(kw_only=True)
class CommonSpec:
    """Rows shared by every TR (``specs/_common.yaml``): headers and the response envelope."""

    request_headers: tuple[Field, ...]
    response_headers: tuple[Field, ...]
    envelope: tuple[Field, ...]

    def request_header(self, name: str) -> Field | None:
        return next((f for f in self.request_headers if f.element == name), None)

    def response_header(self, name: str) -> Field | None:
        return next((f for f in self.response_headers if f.element == name), None)
