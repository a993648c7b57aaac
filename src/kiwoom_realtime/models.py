"""Bases of the typed real-time models that ``kiwoom_typed.realtime`` generates from the specs.

A generated model (``StockTrade`` for type ``0B`` 주식체결) subclasses :class:`RealtimeModel`
and adds one property per documented field id, named by the specs' rules
(``cur_prc`` reads ``values["10"]``), plus a ``typed`` view that parses each value by its kind
with the runtime's parsers, as REST models do. What the base keeps is what was received:

* ``values``: the record's values exactly as sent (field id -> string), so ``event.values["10"]``
  works as on :class:`~kiwoom_realtime.events.RealtimeData`;
* ``extra``: the values whose field ids the documentation does not list (the service adds
  fields without notice), never dropped (worked out when asked for);
* ``record_extra``: keys of the record besides type / name / item / values (the US host sends
  ``stexTp``).

Building a model parses and copies nothing: the properties read ``values`` on access, so a
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
        """Build from one element of a REAL frame's ``data`` (the decoder the session calls).

        This is the hot path of a busy feed: the instance's slots are filled directly (a frozen
        ``__init__`` costs more than the rest), and nothing is parsed or copied.
        """
        self = _new(cls)
        get = record.get
        _set_type(self, get("type") or cls.TYPE)
        _set_name(self, get("name") or "")
        _set_item(self, get("item") or "")
        _set_values(self, get("values") or _EMPTY)
        _set_record_extra(
            self,
            _EMPTY
            if len(record) <= 4
            else {k: v for k, v in record.items() if k not in _RECORD_KEYS},
        )
        return self

    @property
    def extra(self) -> Mapping[str, str]:
        """The values whose field ids the documentation does not list (kept, never dropped)."""
        known = self.FIELDS
        values = self.values
        if values.keys() <= known.keys():
            return _EMPTY
        return {k: v for k, v in values.items() if k not in known}

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


_new = object.__new__
_set_type = RealtimeModel.__dict__["type"].__set__
_set_name = RealtimeModel.__dict__["name"].__set__
_set_item = RealtimeModel.__dict__["item"].__set__
_set_values = RealtimeModel.__dict__["values"].__set__
_set_record_extra = RealtimeModel.__dict__["record_extra"].__set__


@attrs.frozen(slots=True, repr=False)
class FieldRow:
    """A row keyed by field id outside a REAL frame (a condition search hit: ``9001``, ...)."""

    values: Mapping[str, str]

    FIELDS: ClassVar[Mapping[str, str]] = _EMPTY
    KINDS: ClassVar[Mapping[str, str]] = _EMPTY

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(row)

    @property
    def extra(self) -> Mapping[str, str]:
        """The field ids the documentation does not list."""
        known = self.FIELDS
        if self.values.keys() <= known.keys():
            return _EMPTY
        return {k: v for k, v in self.values.items() if k not in known}

    def get(self, field_id: str, default: str | None = None) -> str | None:
        return self.values.get(field_id, default)

    def __repr__(self) -> str:
        return _repr(self, [])
