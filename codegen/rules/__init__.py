"""Annotations by rule: what every spec means beyond its tables, decided in one place each.

A spec on disk holds what the documentation says plus the hand annotations a maintainer wrote
where a rule is wrong. :func:`resolve` fills in the rest when specs are loaded, so a newly
documented TR imports, generates and works with no hand edit:

============== ====================================================== ========================
what           rule                                                   module
============== ====================================================== ========================
method name    verb + the API 명 translated word by word              :mod:`.names`, glossary
English name   the same words                                         :mod:`.names`
field name     the wire key, snake_cased, digits moved, keywords + _  :mod:`.names`
value kind     unit notes, then element and Korean names              :mod:`.kinds`
allowed values ``0:전체, 1:코스피`` lists in the description           :mod:`.values`
role           ``/oauth2/token`` issues, ``/oauth2/revoke`` revokes    here
paged          the response holds a LIST                              here
retry_safe     not an order (매수/매도/정정/취소 주문) nor a 신청       here
mock_supported the 개요 does not say 모의투자를 지원하지 않습니다        here
============== ====================================================== ========================

Anything written in the spec wins: ``annotations:`` keys for a TR, ``python_name`` / ``kind`` /
``values`` on a field (``values: {}`` turns the parsed list off). :attr:`Facts.source` records
where each TR-level value came from; the reference docs show it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from codegen.rules.glossary import ORDER_VERBS
from codegen.rules.kinds import FieldContext, kind_for
from codegen.rules.names import RESERVED_FIELD_NAMES, field_name, method_name
from codegen.rules.values import parse_values
from codegen.spec import Annotations, Facts, Field, Role, TrSpec, ValueKind

__all__ = ["RESERVED_FIELD_NAMES", "resolve", "resolve_field"]

#: Kinds whose descriptions can enumerate values (a date's "YYYYMMDD" is a format, not a list).
_ENUMERABLE = frozenset({ValueKind.TEXT, ValueKind.CODE, ValueKind.SIGN_CODE})
#: Kinds with a fixed wire width; a shorter documented Length is a flaw, not a limit.
_FORMAT_WIDTH = {
    ValueKind.DATE: 8,
    ValueKind.DATETIME: 14,
    ValueKind.TIME: 6,
    ValueKind.MONTH: 6,
}
_ROLES = {"/oauth2/token": Role.TOKEN_ISSUE, "/oauth2/revoke": Role.TOKEN_REVOKE}
_NOT_IN_MOCK = re.compile(r"모의투자(를|는)?\s*지원하지\s*않|모의투자\s*미지원")
_APPLICATION = re.compile(r"신청$")


def resolve_field(field: Field, side: str, us: bool) -> Field:
    """``field`` with kind, values and python_name filled in where the spec left them out."""
    kind = field.kind
    if kind is None:
        kind, _rule = kind_for(FieldContext(field, side, us))
    values = field.values
    if values is None and kind in _ENUMERABLE and not field.is_list:
        values = parse_values(field.description)
    python_name = field.python_name or field_name(field.element, RESERVED_FIELD_NAMES)
    items = tuple(resolve_field(item, side, us) for item in field.items)
    length, note = field.length, field.note
    width = _FORMAT_WIDTH.get(kind)
    if length is not None and width is not None and length < width:
        # ka20007 documents base_dt (YYYYMMDD) with Length 3: checking 3 would refuse every date.
        note = (note + " " if note else "") + (
            f"The documented Length ({length}) is shorter than the format ({width}): "
            "the format is checked instead."
        )
        length = None
    return attrs.evolve(
        field,
        kind=None if field.is_list else kind,
        values=values or None,
        python_name=python_name,
        items=items,
        length=length,
        note=note,
    )


def _fields(fields: Sequence[Field], side: str, us: bool) -> tuple[Field, ...]:
    return tuple(resolve_field(f, side, us) for f in fields)


def _is_order(spec: TrSpec) -> bool:
    compact = spec.name.replace(" ", "")
    return any(compact.endswith(korean) for korean, _, _ in ORDER_VERBS)


def resolve(spec: TrSpec) -> TrSpec:
    """The spec with every annotation decided: hand-written where given, else by rule."""
    us = spec.url.startswith("/api/us/")
    market = "oauth" if spec.url.startswith("/oauth2/") else "us" if us else "domestic"
    request = attrs.evolve(spec.request, body=_fields(spec.request.body, "request", us))
    response = attrs.evolve(spec.response, body=_fields(spec.response.body, "response", us))
    ann = spec.annotations or Annotations()
    source: dict[str, str] = {}

    def pick(key: str, written: object, ruled: object, rule: str) -> object:
        source[key] = "spec" if written is not None else rule
        return written if written is not None else ruled

    method, english, translated = method_name(spec.api_id, spec.name)
    name_rule = "rule: glossary" if translated else "rule: fallback to the API ID"
    role = ann.role if ann.role is not None else _ROLES.get(spec.url)
    source["role"] = "spec" if ann.role is not None else "rule: URL"
    has_list = any(f.is_list for f in spec.response.body)
    unsafe = _is_order(spec) or bool(_APPLICATION.search(spec.name.strip()))
    not_in_mock = spec.hosts.mock is None or bool(_NOT_IN_MOCK.search(spec.overview))
    facts = Facts(
        python_name=str(pick("python_name", ann.python_name, method, name_rule)),
        english_name=str(pick("english_name", ann.english_name, english, name_rule)),
        paged=bool(
            pick(
                "paged",
                ann.paged,
                has_list and role is None,
                "rule: the response holds a LIST",
            )
        ),
        retry_safe=bool(
            pick("retry_safe", ann.retry_safe, not unsafe, "rule: orders and 신청 are unsafe")
        ),
        mock_supported=bool(
            pick(
                "mock_supported",
                ann.mock_supported,
                not not_in_mock,
                "rule: the 개요 or the hosts say whether mock serves it",
            )
        ),
        role=role,
        market=market,
        source=source,
    )
    return attrs.evolve(spec, request=request, response=response, resolved=facts)
