"""Say precisely how the documentation of a TR changed between two versions of its spec."""

from __future__ import annotations

from collections.abc import Sequence

from codegen.spec import Field, Message, TrSpec

_FIELD_ATTRS = ("korean", "type", "required", "length", "description")
_TR_ATTRS = ("name", "menu", "method", "url", "format", "content_type", "overview")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _diff_fields(old: Sequence[Field], new: Sequence[Field], path: str, out: list[str]) -> None:
    old_by = {f.element: f for f in old}
    new_by = {f.element: f for f in new}
    for element, field in new_by.items():
        if element not in old_by:
            out.append(f"{path}.{element}: field added ({field.type}, length {field.length})")
    for element in old_by:
        if element not in new_by:
            out.append(f"{path}.{element}: field removed")
    for element, field in new_by.items():
        before = old_by.get(element)
        if before is None:
            continue
        for attr in _FIELD_ATTRS:
            a, b = getattr(before, attr), getattr(field, attr)
            if a != b:
                out.append(f"{path}.{element}: {attr} changed {_short(a)} -> {_short(b)}")
        _diff_fields(before.items, field.items, f"{path}.{element}.items", out)
    common = [e for e in old_by if e in new_by]
    if common != [e for e in new_by if e in old_by]:
        out.append(f"{path}: field order changed")


def _header_names(message: Message) -> list[str]:
    return [h if isinstance(h, str) else h.element for h in message.headers]


def diff_specs(old: TrSpec, new: TrSpec) -> list[str]:
    """Documented differences only; hand annotations are not the documentation's business."""
    out: list[str] = []
    for attr in _TR_ATTRS:
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            out.append(f"{attr} changed {_short(a)} -> {_short(b)}")
    for attr in ("prod", "mock", "mock_note"):
        a, b = getattr(old.hosts, attr), getattr(new.hosts, attr)
        if a != b:
            out.append(f"hosts.{attr} changed {_short(a)} -> {_short(b)}")
    for side in ("request", "response"):
        a_msg: Message = getattr(old, side)
        b_msg: Message = getattr(new, side)
        if a_msg.headers != b_msg.headers:
            out.append(
                f"{side}.headers changed {_header_names(a_msg)} -> {_header_names(b_msg)}"
                if _header_names(a_msg) != _header_names(b_msg)
                else f"{side}.headers: a header row's text changed"
            )
        _diff_fields(a_msg.body, b_msg.body, f"{side}.body", out)
    for side in ("request", "response"):
        a, b = getattr(old.examples, side), getattr(new.examples, side)
        if a != b:
            if a is None:
                out.append(f"examples.{side}: example added")
            elif b is None:
                out.append(f"examples.{side}: example removed")
            else:
                out.append(f"examples.{side}: example text changed")
    if old.source.document != new.source.document or old.source.entry != new.source.entry:
        out.append(
            f"source changed {old.source.document!r} -> {new.source.document!r}"
            + (f" ({new.source.entry})" if new.source.entry else "")
        )
    if old.source.pages != new.source.pages:
        out.append(f"source.pages changed {list(old.source.pages)} -> {list(new.source.pages)}")
    return out
