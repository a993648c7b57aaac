"""Say precisely how the documentation of a TR changed between two versions of its spec.

:func:`changes` gives structured :class:`Change` records (where, what, before, after) that tests
and tools can classify; :func:`diff_specs` renders them as the importer's report lines.
Hand annotations are not the documentation's business and never appear here.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from codegen.spec import Field, Message, TrSpec

_FIELD_ATTRS = ("korean", "type", "required", "length", "description")
_TR_ATTRS = ("name", "menu", "method", "url", "format", "content_type", "overview")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@attrs.frozen
class Change:
    """One documented difference: ``where`` is a spec path, ``what`` names the change."""

    where: str  # "name", "hosts.mock_note", "response.body.stk_cd", "examples.request", ...
    what: str  # "changed", "added", "removed", "order", "text"
    attribute: str = ""  # for "changed": korean, type, length, description, ...
    before: object = None
    after: object = None

    def render(self) -> str:
        if self.what == "added" and isinstance(self.after, Field):
            return f"{self.where}: field added ({self.after.type}, length {self.after.length})"
        if self.what == "removed" and isinstance(self.before, Field):
            return f"{self.where}: field removed"
        if self.what == "order":
            return f"{self.where}: field order changed"
        if self.where.startswith("examples."):
            word = {"added": "example added", "removed": "example removed"}.get(self.what)
            return f"{self.where}: {word or 'example text changed'}"
        if self.where == "source":
            entry = getattr(self.after, "entry", "")
            return (
                f"source changed {getattr(self.before, 'document', '')!r} -> "
                f"{getattr(self.after, 'document', '')!r}" + (f" ({entry})" if entry else "")
            )
        if self.where == "source.pages":
            return f"source.pages changed {self.before} -> {self.after}"
        if self.attribute:
            return (
                f"{self.where}: {self.attribute} changed {_short(self.before)} -> "
                f"{_short(self.after)}"
            )
        return f"{self.where} changed {_short(self.before)} -> {_short(self.after)}"


def _field_changes(old: Sequence[Field], new: Sequence[Field], path: str) -> list[Change]:
    out: list[Change] = []
    old_by = {f.element: f for f in old}
    new_by = {f.element: f for f in new}
    for element, field in new_by.items():
        if element not in old_by:
            out.append(Change(f"{path}.{element}", "added", after=field))
    for element, field in old_by.items():
        if element not in new_by:
            out.append(Change(f"{path}.{element}", "removed", before=field))
    for element, field in new_by.items():
        before = old_by.get(element)
        if before is None:
            continue
        for attr in _FIELD_ATTRS:
            a, b = getattr(before, attr), getattr(field, attr)
            if a != b:
                out.append(Change(f"{path}.{element}", "changed", attr, a, b))
        out += _field_changes(before.items, field.items, f"{path}.{element}.items")
    common = [e for e in old_by if e in new_by]
    if common != [e for e in new_by if e in old_by]:
        out.append(Change(path, "order"))
    return out


def _header_names(message: Message) -> list[str]:
    return [h if isinstance(h, str) else h.element for h in message.headers]


def changes(old: TrSpec, new: TrSpec) -> list[Change]:
    """Every documented difference between two versions of a TR's spec."""
    out: list[Change] = []
    for attr in _TR_ATTRS:
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            out.append(Change(attr, "changed", "", a, b))
    for attr in ("prod", "mock", "mock_note"):
        a, b = getattr(old.hosts, attr), getattr(new.hosts, attr)
        if a != b:
            out.append(Change(f"hosts.{attr}", "changed", "", a, b))
    for side in ("request", "response"):
        a_msg: Message = getattr(old, side)
        b_msg: Message = getattr(new, side)
        if a_msg.headers != b_msg.headers:
            names = (_header_names(a_msg), _header_names(b_msg))
            if names[0] != names[1]:
                out.append(Change(f"{side}.headers", "changed", "", names[0], names[1]))
            else:
                out.append(Change(f"{side}.headers", "text"))
        out += _field_changes(a_msg.body, b_msg.body, f"{side}.body")
    for side in ("request", "response"):
        a, b = getattr(old.examples, side), getattr(new.examples, side)
        if a != b:
            what = "added" if a is None else "removed" if b is None else "text"
            out.append(Change(f"examples.{side}", what, "", a, b))
    if old.source.document != new.source.document or old.source.entry != new.source.entry:
        out.append(Change("source", "changed", "", old.source, new.source))
    if old.source.pages != new.source.pages:
        out.append(
            Change("source.pages", "changed", "", list(old.source.pages), list(new.source.pages))
        )
    return out


def diff_specs(old: TrSpec, new: TrSpec) -> list[str]:
    """Documented differences, one report line each."""
    lines = []
    for change in changes(old, new):
        if change.where.endswith(".headers") and change.what == "text":
            lines.append(f"{change.where}: a header row's text changed")
        elif change.where.endswith(".headers"):
            lines.append(f"{change.where} changed {change.before} -> {change.after}")
        else:
            lines.append(change.render())
    return lines
