"""Decoding helpers for generated response models.

Why: the manual documents LIST fields as JSON arrays of objects, but servers send ``""`` or
``null`` for an empty list on some TRs. A model must neither crash on that nor drop it, so the
value is kept as received in the model's ``extra`` and the typed attribute stays None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

__all__ = ["list_rows", "row_builder"]

T = TypeVar("T")


def list_rows(
    value: Any, parse: Callable[[Mapping[str, Any]], T], extra: dict[str, Any], key: str
) -> tuple[T, ...] | None:
    """Decode a LIST value with ``parse`` (one call per row).

    A JSON array gives a tuple of rows; None gives None; anything else is stored as
    ``extra[key]`` unchanged (so ``to_dict()`` returns the body as received) and gives None.
    """
    if value.__class__ is list:
        for index, row in enumerate(value):
            if row.__class__ is not dict:  # dict() would turn [] or pairs into a fake row
                raise TypeError(f"{key}[{index}] is not an object: {row!r:.60}")
        return tuple(map(parse, value))
    if value is not None:
        extra[key] = value
    return None


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """Set attribute ``name`` on a new instance, bypassing a frozen class's ``__setattr__``."""
    slot = cls.__dict__.get(name)
    if slot is not None and type(slot).__name__ == "member_descriptor":
        setter: Callable[[Any, Any], None] = slot.__set__
        return setter
    return lambda obj, value: object.__setattr__(obj, name, value)


def row_builder(
    cls: type[T], fields: Sequence[tuple[str, str]], *, with_raw: bool = False
) -> Callable[..., T]:
    """A fast ``from_dict`` for a flat attrs model: ``build(data)`` (``build(data, raw)``).

    ``fields`` are (attribute, wire key) pairs; keys not among them go to ``extra`` exactly as
    received. Why not the class's ``__init__``: a frozen attrs ``__init__`` costs about a
    microsecond per row in ``object.__setattr__`` calls, which dominates decoding a 10,000-row
    LIST. The builder creates the instance and fills its slots directly, the way attrs itself
    compiles ``__init__``: by generating the function's source once. It must only be used for
    models without validators or ``__attrs_post_init__`` (generated response and row models).
    """
    if attrs.has(cls):
        names = {name for name, _ in fields} | {"extra"} | ({"raw"} if with_raw else set())
        missing = [a.name for a in attrs.fields(cls) if a.name not in names]
        if missing:
            raise ValueError(f"row_builder({cls.__name__}) leaves out attribute(s) {missing}")
    known = frozenset(key for _, key in fields)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_known": known}
    head = "def build(data, raw=None):" if with_raw else "def build(data):"
    lines = [head, "    get = data.get", "    self = _new(_cls)"]
    for index, (name, key) in enumerate(fields):
        namespace[f"_set{index}"] = _setter(cls, name)
        lines.append(f"    _set{index}(self, get({key!r}))")
    namespace["_set_extra"] = _setter(cls, "extra")
    lines.append(
        "    _set_extra(self, {} if data.keys() <= _known"
        " else {k: v for k, v in data.items() if k not in _known})"
    )
    if with_raw:
        namespace["_set_raw"] = _setter(cls, "raw")
        lines.append("    _set_raw(self, raw)")
    lines.append("    return self")
    exec("\n".join(lines), namespace)  # the source is built above from attribute names only
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = f"{cls.__name__}.from_dict"
    return build
