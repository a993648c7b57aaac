"""The decoder registry: real-time ``type`` code -> function that builds the event.

This is the seam for generated code. The session knows no real-time type; for each element of a
REAL frame's ``data`` it looks up the decoder registered for the element's ``type`` and calls it
with the element as received (a dict: ``type``, ``name``, ``item``, ``values``, and whatever
else the server sent). Generated modules register one frozen model per type::

    from kiwoom_realtime import DEFAULT_DECODERS
    DEFAULT_DECODERS.register("0B", StockTrade.from_record)   # 주식체결

A type without a decoder gives :class:`~kiwoom_realtime.events.RealtimeData` (raw strings, every
field id kept). The condition-search types (``02``, US ``S2``) are registered here, because the
session's condition-search API depends on them.

The typed models generated from the specs (``kiwoom_typed.realtime``) are found through the
entry-point group :data:`ENTRY_POINT_GROUP` (kiwoom-typed declares its ``DECODERS`` mapping
there), so this package never imports generated code: :func:`default_decoders` adds them to
:data:`DEFAULT_DECODERS` as *defaults* the first time a session is built without ``decoders=``.
A default never replaces a decoder registered by hand, and registering one over a default needs
no ``replace=True``.

A decoder must not drop what it does not know: keep unknown field ids (the service adds fields
without notice). If a decoder raises, the session logs a warning (once per type), counts it in
``stats.decode_errors`` and yields the generic event instead, so a decoder bug never loses data.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from typing import Any

from kiwoom_realtime.events import ConditionChange, RealtimeData
from kiwoom_runtime.errors import ArgumentError

__all__ = [
    "CONDITION_TYPES",
    "DEFAULT_DECODERS",
    "ENTRY_POINT_GROUP",
    "Decoder",
    "DecoderRegistry",
    "decode_condition_change",
    "decode_generic",
    "default_decoders",
]

#: Where generated decoders are declared: each entry point is a ``type -> decoder`` mapping.
ENTRY_POINT_GROUP = "kiwoom_realtime.decoders"
#: Used when no entry point is declared (a checkout run without installing it).
FALLBACK_DECODERS = "kiwoom_typed.realtime:DECODERS"

Decoder = Callable[[Mapping[str, Any]], object]
"""``record -> event``: ``record`` is one element of a REAL frame's ``data`` list."""

#: Real-time types that carry condition-search insertions / removals (domestic, US).
CONDITION_TYPES = frozenset({"02", "S2"})

_KNOWN_KEYS = frozenset({"type", "name", "item", "values"})
_NO_VALUES: Mapping[str, str] = {}
_NO_EXTRA: Mapping[str, Any] = {}


def decode_generic(record: Mapping[str, Any]) -> RealtimeData:
    """The fallback: :class:`RealtimeData` with the values exactly as received."""
    extra = (
        {k: v for k, v in record.items() if k not in _KNOWN_KEYS} if len(record) > 4 else _NO_EXTRA
    )
    return RealtimeData(
        record.get("type") or "",
        record.get("name") or "",
        record.get("item") or "",
        record.get("values") or _NO_VALUES,
        extra,
    )


def decode_condition_change(record: Mapping[str, Any]) -> ConditionChange:
    """A type 02 / S2 record: 841 seq, 9001 code, 843 I/D, 20 time, 907 side."""
    values: Mapping[str, str] = record.get("values") or _NO_VALUES
    return ConditionChange(
        seq=(values.get("841") or "").strip(),
        code=values.get("9001") or record.get("item") or "",
        action=values.get("843") or "",
        time=values.get("20") or "",
        side=values.get("907") or "",
        values=values,
    )


class DecoderRegistry:
    """A thread-safe ``type -> decoder`` table; :data:`DEFAULT_DECODERS` is the shared one."""

    def __init__(self, decoders: Mapping[str, Decoder] | None = None) -> None:
        self._lock = threading.Lock()
        self._decoders: dict[str, Decoder] = dict(decoders or {})
        self._defaults: set[str] = set()  # types whose decoder came from add_defaults

    def register(self, type_code: str, decoder: Decoder, *, replace: bool = False) -> None:
        """Use ``decoder`` for records of ``type_code``.

        Registering a second decoder for a type is refused unless ``replace=True``: two
        generated modules claiming one type is a bug worth hearing about.
        """
        if not isinstance(type_code, str) or not type_code:
            raise ArgumentError(
                "type_code", f"expected a real-time type such as '0B', got {type_code!r}"
            )
        if not callable(decoder):
            raise ArgumentError("decoder", f"expected a callable, got {decoder!r}")
        with self._lock:
            current = self._decoders.get(type_code)
            replaceable = replace or type_code in self._defaults
            if current is not None and current is not decoder and not replaceable:
                raise ArgumentError(
                    "type_code",
                    f"a decoder is already registered for {type_code!r} ({current!r}); "
                    "pass replace=True to replace it",
                )
            self._decoders[type_code] = decoder
            self._defaults.discard(type_code)

    def add_defaults(self, decoders: Mapping[str, Decoder]) -> int:
        """Use ``decoders`` for the types that have none yet; returns how many were added.

        They stay defaults: :meth:`register` replaces one without ``replace=True``.
        """
        added = 0
        with self._lock:
            for type_code, decoder in decoders.items():
                if type_code not in self._decoders and callable(decoder):
                    self._decoders[type_code] = decoder
                    self._defaults.add(type_code)
                    added += 1
        return added

    def unregister(self, type_code: str) -> None:
        with self._lock:
            self._decoders.pop(type_code, None)
            self._defaults.discard(type_code)

    def get(self, type_code: str) -> Decoder | None:
        return self._decoders.get(type_code)

    def copy(self) -> DecoderRegistry:
        with self._lock:
            other = DecoderRegistry(self._decoders)
            other._defaults = set(self._defaults)
            return other

    def __contains__(self, type_code: object) -> bool:
        return type_code in self._decoders

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._decoders))

    def __len__(self) -> int:
        return len(self._decoders)

    def __repr__(self) -> str:
        return f"DecoderRegistry({sorted(self._decoders)!r})"


DEFAULT_DECODERS = DecoderRegistry(dict.fromkeys(CONDITION_TYPES, decode_condition_change))
"""The registry sessions use unless given another; generated code registers into it."""


_loaded = False
_load_lock = threading.Lock()


def _generated() -> list[Mapping[str, Decoder]]:
    found = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    out: list[Mapping[str, Decoder]] = []
    try:
        if found:
            out = [ep.load() for ep in found]
        else:
            module, _, attribute = FALLBACK_DECODERS.partition(":")
            out = [getattr(importlib.import_module(module), attribute)]
    except ImportError:
        return []  # the generated package is not installed: records stay RealtimeData
    return [m for m in out if isinstance(m, Mapping)]


def default_decoders() -> DecoderRegistry:
    """:data:`DEFAULT_DECODERS`, with the generated typed models added as defaults (once)."""
    global _loaded
    if not _loaded:
        with _load_lock:
            if not _loaded:
                for mapping in _generated():
                    DEFAULT_DECODERS.add_defaults(mapping)
                _loaded = True
    return DEFAULT_DECODERS
