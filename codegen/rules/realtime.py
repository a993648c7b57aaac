"""Rules for the WebSocket specs: field names by id, kinds, helper and class names.

Fields of REAL frames are keyed by id (``"10"``) and carry a 한글명 (현재가); their Python name
is decided, first match wins:

1. ``spec``: a ``python_name`` written on the field;
2. ``rest``: the name the REST specs most often give the same 한글명 (blanks ignored):
   현재가 -> ``cur_prc``, 전일대비 -> ``pred_pre``, 누적거래량 -> ``acc_trde_qty``;
3. ``glossary``: the 한글명 cut into known words, each named as the REST specs name it or as
   the glossary translates it, numbers kept: 매도호가수량3 -> ``sel_bid_qty_3``, ELW델타 ->
   ``elw_delta``, KRX 매도호가잔량1 -> ``krx_sel_bid_req_1``;
4. ``fallback``: ``f<id>`` (``f691``), also for a name longer than the generator allows.

A name already taken in the same type gets ``_<id>`` (0D prints 예상체결가 twice: ``23``
``exp_cntr_pric`` and ``291`` ``exp_cntr_pric_291``). Value kinds come from the REST rules
(:mod:`codegen.rules.kinds`) unchanged: the pages carry the same unit notes. Rows with wire
keys (``trnm``, ``jmcode``, ``stexTp``) are named like REST fields.

A page's names: the API 명 translated as REST method names are (:func:`~codegen.rules.names.
translate`, with :data:`~codegen.rules.glossary.REALTIME_WORDS`): 주식체결 -> helper stem
``stock_execution`` (``subscribe_stock_execution``) and class ``StockExecution``.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import attrs

from codegen.realtime.spec import WsFacts, WsMessage, WsSpec, file_stem, is_container
from codegen.rules import RESERVED_FIELD_NAMES
from codegen.rules.glossary import REALTIME_WORDS, WORDS
from codegen.rules.kinds import FieldContext, kind_for
from codegen.rules.names import _ACRONYMS, field_name, translate
from codegen.rules.values import parse_values
from codegen.spec import Field, TrSpec, ValueKind

__all__ = [
    "MAX_NAME",
    "RESERVED_REALTIME_NAMES",
    "NameIndex",
    "build_index",
    "example_frames",
    "resolve_ws",
]

#: The longest field name the generator lays out (``codegen.model.MAX_FIELD_NAME``).
MAX_NAME = 32
#: Names the generated REAL models use themselves: a field may not take them (``_`` is added).
RESERVED_REALTIME_NAMES = RESERVED_FIELD_NAMES | {
    "TYPE",
    "NAME",
    "FIELDS",
    "MARKET",
    "KINDS",
    "from_record",
    "from_row",
    "get",
    "item",
    "name",
    "record_extra",
    "to_record",
    "values",
}
_ENUMERABLE = frozenset({ValueKind.TEXT, ValueKind.CODE, ValueKind.SIGN_CODE})
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_NUMBER = re.compile(r"\d+")
_DROP = re.compile(r"[\s()/,·_.\-\[\]]")
VOCABULARY: dict[str, str] = {**WORDS, **REALTIME_WORDS}


@attrs.frozen
class NameIndex:
    """What the REST specs call each 한글명, and the words a 한글명 can be cut into."""

    rest: Mapping[str, str]  # 한글명 without blanks -> most common REST Python name
    words: Mapping[str, str]  # Korean word -> name part (REST names over glossary words)
    longest: int

    @classmethod
    def empty(cls) -> NameIndex:
        words = {k: v for k, v in VOCABULARY.items() if v}
        return cls({}, words, max(map(len, words)))


def _walk(fields: Iterable[Field]) -> Iterable[Field]:
    for field in fields:
        yield field
        yield from _walk(field.items)


def build_index(specs: Iterable[TrSpec]) -> NameIndex:
    """The naming vocabulary of the REST specs (resolved: python names decided)."""
    counts: dict[str, Counter[str]] = {}
    for spec in specs:
        for message in (spec.request, spec.response):
            for field in _walk(message.body):
                key = _DROP.sub("", field.korean)
                name = field.python_name or field.element
                if field.items or not key or not _IDENT.match(name):
                    continue
                counts.setdefault(key, Counter())[name] += 1

    # Most often given; on a tie, a name that is not another 한글명's usual name (one REST
    # table prints pred_pre_sig, usually 전일대비기호, as 전일거래량대비), then the shorter,
    # then the first in alphabetical order.
    def plain(counter: Counter[str]) -> str:
        return min(counter.items(), key=lambda p: (-p[1], len(p[0]), p[0]))[0]

    usual_for: dict[str, set[str]] = {}
    for key, counter in counts.items():
        usual_for.setdefault(plain(counter), set()).add(key)
    rest: dict[str, str] = {}
    for key, counter in counts.items():

        def rank(pair: tuple[str, int], key: str = key) -> tuple[int, bool, int, str]:
            name, count = pair
            return (-count, bool(usual_for.get(name, set()) - {key}), len(name), name)

        rest[key] = min(counter.items(), key=rank)[0]
    words = {k: v for k, v in VOCABULARY.items() if v}
    words.update({k: v for k, v in rest.items() if len(k) >= 2})
    return NameIndex(rest, words, max(map(len, words)))


def _compose(text: str, index: NameIndex) -> str | None:
    """``text`` cut into known words (longest first) and numbers, their names joined."""
    parts: list[str] = []
    i = 0
    while i < len(text):
        number = _NUMBER.match(text, i)
        if number is not None:
            parts.append(number.group())
            i = number.end()
            continue
        for size in range(min(index.longest, len(text) - i), 0, -1):
            name = index.words.get(text[i : i + size])
            if name is not None:
                parts.append(name.lower())
                i += size
                break
        else:
            return None
    tokens: list[str] = []
    for part in parts:
        for token in part.split("_"):
            if token and (not tokens or tokens[-1] != token):
                tokens.append(token)
    return "_".join(tokens) or None


def _legal(name: str, reserved: frozenset[str]) -> str:
    fixed = field_name(name, reserved)
    return fixed if fixed is not None else name


def id_field_name(korean: str, field_id: str, index: NameIndex) -> tuple[str, str]:
    """(name, rule) of a field keyed by id, before uniqueness (see the module docstring)."""
    key = _DROP.sub("", korean)
    reserved = frozenset(RESERVED_REALTIME_NAMES)
    for rule, name in (("rest", index.rest.get(key)), ("glossary", _compose(key, index))):
        if name is None or not _IDENT.match(name.lstrip("0123456789")):
            continue
        name = _legal(name, reserved)
        if len(name) <= MAX_NAME and name.isidentifier() and not keyword.iskeyword(name):
            return name, rule
    return f"f{field_id}", "fallback"


def _resolve_fields(
    fields: Sequence[Field],
    side: str,
    us: bool,
    index: NameIndex,
    rules: dict[str, str],
    path: str,
) -> tuple[Field, ...]:
    """Fields with kind, values and python_name decided (hand-written ones kept)."""
    taken: set[str] = set()
    out: list[Field] = []
    reserved = frozenset(RESERVED_REALTIME_NAMES)
    for field in fields:
        here = f"{path}.{field.element}"
        container = is_container(field)
        by_id = field.element.isdigit()
        if field.python_name is not None:
            name, rule = field.python_name, "spec"
        elif by_id:
            name, rule = id_field_name(field.korean, field.element, index)
        else:
            name, rule = _legal(field.element, reserved), "wire key"
        if name in taken and field.python_name is None:
            suffixed = f"{name}_{field.element}"
            name = suffixed if len(suffixed) <= MAX_NAME and suffixed not in taken else ""
            if not name:
                name, rule = f"f{field.element}", "fallback"
        taken.add(name)
        if by_id:
            rules[here] = rule
        kind = field.kind
        if kind is None and not container:
            # The push is a response as far as the kind rules go (prices are answers). A field
            # keyed by id is judged by the name it was given, as a REST field by its wire key:
            # 체결량 named cntr_qty is a quantity.
            kind_side = "request" if side == "request" else "response"
            named = attrs.evolve(field, element=name) if by_id and rule != "fallback" else field
            kind, _rule = kind_for(FieldContext(named, kind_side, us))
        values = field.values
        if values is None and kind in _ENUMERABLE and not container:
            values = parse_values(field.description)
        items = _resolve_fields(field.items, side, us, index, rules, here)
        out.append(
            attrs.evolve(
                field,
                kind=None if container else kind,
                values=values or None,
                python_name=name,
                items=items,
            )
        )
    return tuple(out)


def _message(
    message: WsMessage, side: str, us: bool, index: NameIndex, rules: dict[str, str]
) -> WsMessage:
    body = _resolve_fields(message.body, side, us, index, rules, f"{side}.body")
    return attrs.evolve(message, body=body)


_COMMENT = re.compile(r"^\s*#.*$", re.M)


def example_frames(text: str | None) -> list[object]:
    """The JSON frames of an example as a reader understands it: Kiwoom's WebSocket examples
    are Python literals (single quotes) cut by ``#요청`` / ``#실시간 수신`` comments, so each
    part between comments is read as JSON, else as a Python literal; unreadable parts are left
    out. ``validate`` reports that the example is not JSON; this is what the rules can still
    learn from it (the type of a condition search's push)."""
    if not text:
        return []
    frames: list[object] = []
    for part in re.split(r"^\s*#.*$", text, flags=re.M):
        part = part.strip()
        if not part:
            continue
        try:
            frames.append(json.loads(part))
            continue
        except ValueError:
            pass
        try:
            frames.append(ast.literal_eval(part))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
    return frames


def _example_record(spec: WsSpec) -> dict[str, object] | None:
    """The first REAL record of the response example, if it has one."""
    for frame in example_frames(spec.examples.response):
        if isinstance(frame, dict) and frame.get("trnm") == "REAL":
            for record in frame.get("data") or ():
                if isinstance(record, dict):
                    return record
    return None


def _push_type(spec: WsSpec, record: Mapping[str, object] | None) -> str | None:
    if spec.is_type:
        return spec.api_id
    if spec.push is None or record is None:
        return None
    kind = record.get("type")
    return kind if isinstance(kind, str) else None


_ACCOUNT_WIDE = re.compile(r"등록과\s*상관\s*없이")


#: Acronyms written in capitals in class and English names.
_CAPITALS = _ACRONYMS | {"vi", "lp", "krx", "nxt"}


def _names(spec: WsSpec) -> tuple[str, str, str, bool]:
    """(Python name, class name, English name, translated?) of a page by its API 명.

    A real-time type's Python name is the stem of its helpers (``stock_execution`` ->
    ``subscribe_stock_execution``), without ``realtime`` (every type is); a condition search's
    is a method name like a REST TR's (``list_condition_search``, ``get_condition_search``).
    """
    result = translate(spec.name, VOCABULARY)
    stem = file_stem(spec.api_id).lower()
    if result is None or not result[1]:
        fallback = f"type_{stem}" if spec.is_type else f"call_{stem}"
        # The case of the code stays in the class name: 0g and 0G are two classes.
        return fallback, "Type" + spec.api_id[:1].upper() + spec.api_id[1:], spec.api_id, False
    verb, tokens = result
    if spec.is_type:
        tokens = [t for t in tokens if t != "realtime"] or tokens
        python_name = "_".join(tokens)
    else:
        python_name = "_".join([verb, *tokens])
    class_name = "".join(t.upper() if t in _CAPITALS else t.capitalize() for t in tokens)
    if class_name[:1].isdigit():
        class_name = "Type" + class_name
    shown = " ".join(t.upper() if t in _CAPITALS else t for t in tokens)
    return python_name, class_name, shown[:1].upper() + shown[1:], True


def resolve_ws(spec: WsSpec, index: NameIndex) -> tuple[WsSpec, dict[str, str]]:
    """The spec with every rule applied, and the naming rule of each field keyed by id."""
    us = spec.url.startswith("/api/us/")
    rules: dict[str, str] = {}
    request = _message(spec.request, "request", us, index, rules)
    response = _message(spec.response, "response", us, index, rules)
    push = _message(spec.push, "push", us, index, rules) if spec.push is not None else None
    ann = spec.annotations
    stem, class_name, english, translated = _names(spec)
    rule = "rule: glossary" if translated else "rule: fallback to the API ID"
    source = {
        "python_name": "spec" if ann and ann.python_name else rule,
        "class_name": "spec" if ann and ann.class_name else rule,
        "english_name": "spec" if ann and ann.english_name else rule,
    }
    record = _example_record(spec)
    record_name = record.get("name") if record is not None else None
    facts = WsFacts(
        python_name=(ann.python_name if ann and ann.python_name else stem),
        class_name=(ann.class_name if ann and ann.class_name else class_name),
        english_name=(ann.english_name if ann and ann.english_name else english),
        market="us" if us else "domestic",
        role="realtime" if spec.is_type else "condition",
        push_type=_push_type(spec, record),
        record_name=record_name if isinstance(record_name, str) and record_name else spec.name,
        account_wide=bool(_ACCOUNT_WIDE.search(spec.overview)),
        source=source,
    )
    resolved = attrs.evolve(spec, request=request, response=response, push=push, resolved=facts)
    return resolved, rules
