"""What a recording must mask, seen from the specs: the generator emits it per TR
(``Endpoint.sensitive``) and ``promote`` checks a recording against it before it becomes a
fixture.

The runtime masks more than the specs say (:data:`ALWAYS_MASKED`, :data:`ORDER_NUMBER_KEYS`);
those lists are the runtime's (``kiwoom_runtime.recording``), repeated here because the tooling
does not import the runtime, and a test keeps both equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from codegen.spec import Field, TrSpec, ValueKind

SENSITIVE_KINDS = frozenset({ValueKind.ACCOUNT, ValueKind.PERSONAL, ValueKind.SECRET})
"""Kinds whose values are masked: account numbers, people's names and numbers, credentials."""

CREDENTIAL_KEYS = frozenset({"appkey", "secretkey", "token", "authorization"})
"""Masked entirely (every character ``*``)."""
ALWAYS_MASKED = frozenset({"acnt_no", "acctno", "acct_no", *CREDENTIAL_KEYS})
"""Masked whatever the spec says (compared lower-cased)."""
ORDER_NUMBER_KEYS = frozenset({"ord_no", "orig_ord_no", "base_orig_ord_no", "fr_ord_no"})
"""Order numbers: masked digit by ``0``, so they still read as codes."""


def _walk(fields: Sequence[Field]) -> Iterator[Field]:
    for field in fields:
        yield field
        yield from _walk(field.items)


def sensitive_elements(spec: TrSpec) -> list[str]:
    """The wire keys of ``spec`` (request and response, LIST members too) of a sensitive kind,
    sorted."""
    return sorted(
        {
            field.element
            for side in (spec.request.body, spec.response.body)
            for field in _walk(side)
            if field.kind in SENSITIVE_KINDS
        }
    )


def _masked(key: str, value: str, sensitive: frozenset[str]) -> bool | None:
    """Whether ``value`` under ``key`` is masked; None when the key needs no mask."""
    lowered = key.lower()
    if lowered in CREDENTIAL_KEYS:
        return set(value) <= {"*"}
    if key in sensitive or lowered in ALWAYS_MASKED:
        return not any(ch.isalnum() for ch in value)
    if lowered in ORDER_NUMBER_KEYS:
        return not any(ch.isalnum() and ch not in "0X" for ch in value)
    return None


def _leaves(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{where}[{i}]")
    else:
        yield where, value


def unmasked(value: Any, sensitive: frozenset[str], where: str) -> Iterator[str]:
    """Where in ``value`` (a request or body) a value that must be masked is not.

    Yields locations only, never the values: they may be secrets.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{where}.{key}"
            if _masked(str(key), "", sensitive) is None:
                yield from unmasked(item, sensitive, here)
                continue
            for leaf_where, leaf in _leaves(item, here):
                if leaf is None or isinstance(leaf, bool):
                    continue
                if not isinstance(leaf, str) or not _masked(str(key), leaf, sensitive):
                    yield leaf_where
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from unmasked(item, sensitive, f"{where}[{i}]")
