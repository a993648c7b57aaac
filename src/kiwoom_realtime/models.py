"""Bases of the typed real-time models that ``kiwoom_typed.realtime`` generates from the specs.

A generated model (``StockTrade`` for type ``0B`` 주식체결) subclasses :class:`RealtimeModel`
and adds one property per documented field id, named by the specs' rules
(``cur_prc`` reads ``values["10"]``), plus a ``typed`` view that parses each value by its kind
with the runtime's parsers, as REST models do. What the base keeps is what was received:

* ``values``: the record's values exactly as sent (field id -> string), so ``event.values["10"]``
  works as on :class:`~kiwoom_realtime.events.RealtimeData`;
* ``extra``: the field ids the documentation does not list (the service adds fields without
  notice), never dropped;
* ``record_extra``: keys of the record besides type / name / item / values (the US host sends
  ``stexTp``).

Building a model costs one dict-key comparison: the properties read ``values`` on access, so a
busy feed pays nothing for fields nobody reads. :class:`FieldRow` is the same for rows keyed by
field id that are not REAL records (a condition search's hits).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Self

import attrs

__all__ = ["FieldRow", "RealtimeModel"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_RECORD_KEYS = frozenset({"type", "name", "item", "values"})


def _repr(model: FieldRow | RealtimeModel, head: list[str]) -> str:
    parts = list(head)
    for field_id, name in model.FIELDS.items():
        value = model.values.get(field_id)
        if value is not None:
            parts.append(f"{name}={value!r}")
    if model.extra:
        parts.append(f"extra={dict(model.extra)!r}")
    return f"{type(model).__name__}({', '.join(parts)})"


@attrs.frozen(slots=True, repr=False)
class RealtimeModel:
    """One REAL record of a documented type, its values kept as sent (see the module doc)."""

    type: str
    name: str
    item: str
    values: Mapping[str, str]
    extra: Mapping[str, str] = _EMPTY
    record_extra: Mapping[str, Any] = _EMPTY

    TYPE: ClassVar[str] = ""
    """The real-time type code (``0B``)."""
    NAME: ClassVar[str] = ""
    """The type's Korean name (주식체결)."""
    MARKET: ClassVar[str] = "domestic"
    """``domestic`` or ``us``: the host path the type is registered on."""
    FIELDS: ClassVar[Mapping[str, str]] = _EMPTY
    """Documented field id -> attribute name, in the documentation's order."""
    KINDS: ClassVar[Mapping[str, str]] = _EMPTY
    """Documented field id -> value kind (``signed_price``, ``number``, ...)."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Build from one element of a REAL frame's ``data`` (the decoder the session calls)."""
        values: Mapping[str, str] = record.get("values") or _EMPTY
        known = cls.FIELDS
        extra: Mapping[str, str] = (
            _EMPTY
            if values.keys() <= known.keys()
            else {k: v for k, v in values.items() if k not in known}
        )
        record_extra: Mapping[str, Any] = (
            _EMPTY
            if len(record) <= 4
            else {k: v for k, v in record.items() if k not in _RECORD_KEYS}
        )
        return cls(
            record.get("type") or cls.TYPE,
            record.get("name") or "",
            record.get("item") or "",
            values,
            extra,
            record_extra,
        )

    def get(self, field_id: str, default: str | None = None) -> str | None:
        """``values.get(field_id, default)``: any field id, documented or not."""
        return self.values.get(field_id, default)

    def to_record(self) -> dict[str, Any]:
        """The record as received (type, name, item, values and any other key)."""
        out: dict[str, Any] = {
            "type": self.type,
            "name": self.name,
            "item": self.item,
            "values": dict(self.values),
        }
        out.update(self.record_extra)
        return out

    def __repr__(self) -> str:
        return _repr(self, [f"type={self.type!r}", f"item={self.item!r}"])


@attrs.frozen(slots=True, repr=False)
class FieldRow:
    """A row keyed by field id outside a REAL frame (a condition search hit: ``9001``, ...)."""

    values: Mapping[str, str]
    extra: Mapping[str, str] = _EMPTY

    FIELDS: ClassVar[Mapping[str, str]] = _EMPTY
    KINDS: ClassVar[Mapping[str, str]] = _EMPTY

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        known = cls.FIELDS
        extra: Mapping[str, str] = (
            _EMPTY
            if row.keys() <= known.keys()
            else {k: v for k, v in row.items() if k not in known}
        )
        return cls(row, extra)

    def get(self, field_id: str, default: str | None = None) -> str | None:
        return self.values.get(field_id, default)

    def __repr__(self) -> str:
        return _repr(self, [])
