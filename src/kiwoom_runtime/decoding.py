"""Decoding helpers for generated response models.

Why: the manual documents LIST fields as JSON arrays of objects, but servers send ``""`` or
``null`` for an empty list on some TRs. A model must neither crash on that nor drop it, so the
value is kept as received in the model's ``extra`` and the typed attribute stays None.

LIST rows become models lazily (:class:`LazyRows`): a call that only looks at the envelope, the
paging headers or a few rows does not pay for building thousands of row models, and the rows
are built once, on first access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

import attrs

__all__ = ["LazyRows", "list_rows", "row_builder"]

T = TypeVar("T")


class LazyRows(Sequence[T]):
    """The rows of a LIST, as models built on first access (then kept).

    It is a read-only sequence that compares equal to a tuple or list of the same rows, so code
    that indexes, iterates, slices or compares it never sees the difference. ``rows_as_sent``
    gives the JSON objects exactly as received.
    """

    __slots__ = ("_data", "_parse", "_rows")

    def __init__(self, data: list[dict[str, Any]], parse: Callable[[Mapping[str, Any]], T]):
        self._data = data
        self._parse = parse
        self._rows: tuple[T, ...] | None = None

    def _built(self) -> tuple[T, ...]:
        rows = self._rows
        if rows is None:
            rows = self._rows = tuple(map(self._parse, self._data))
        return rows

    @property
    def rows_as_sent(self) -> Sequence[Mapping[str, Any]]:
        """The rows as the server sent them (JSON objects with wire keys)."""
        return tuple(self._data)

    def __len__(self) -> int:
        return len(self._data)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self._built()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRows):
            return self._built() == other._built()
        if isinstance(other, tuple | list):
            return self._built() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


def _all_dicts(rows: list[Any]) -> bool:
    """True when every row is a dict; the types are collected in C, not one Python step a row."""
    return set(map(type, rows)) <= _DICT


_DICT: frozenset[type] = frozenset({dict})


def list_rows(
    value: Any, parse: Callable[[Mapping[str, Any]], T], extra: dict[str, Any], key: str
) -> LazyRows[T] | None:
    """Decode a LIST value with ``parse`` (one call per row, on first access).

    A JSON array of objects gives :class:`LazyRows`; None gives None; anything else is stored as
    ``extra[key]`` unchanged (so ``to_dict()`` returns the body as received) and gives None.
    An array with a row that is not an object raises TypeError naming it: ``dict()`` would turn
    ``[]`` or a list of pairs into a fake row.
    """
    if value.__class__ is list:
        if not _all_dicts(value):
            index, row = next((i, r) for i, r in enumerate(value) if r.__class__ is not dict)
            raise TypeError(f"{key}[{index}] is not an object: {row!r:.60}")
        return LazyRows(value, parse)
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


def _dict_setter(cls: type) -> Callable[[Any, dict[str, Any]], None]:
    """Set a new instance's ``__dict__`` (its every attribute) in one step."""
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get("__dict__")
        if descriptor is not None:
            setter: Callable[[Any, dict[str, Any]], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__} has no __dict__")  # pragma: no cover - checked by caller


def row_builder(
    cls: type[T], fields: Sequence[tuple[str, str]], *, with_raw: bool = False
) -> Callable[..., T]:
    """A fast ``from_dict`` for a flat attrs model: ``build(data)`` (``build(data, raw)``).

    ``fields`` are (attribute, wire key) pairs; keys not among them go to ``extra`` exactly as
    received. Why not the class's ``__init__``: a frozen attrs ``__init__`` costs about a
    microsecond per row in ``object.__setattr__`` calls, which dominates decoding a 10,000-row
    LIST. The builder creates the instance and fills it directly, the way attrs itself compiles
    ``__init__``: by generating the function's source once. It must only be used for models
    without validators or ``__attrs_post_init__`` (generated response and row models).

    A model with a ``__dict__`` (the generated ones: ``slots=False``) gets its attributes as one
    dict: the row merged over the defaults in C, the few renamed keys moved, then set whole;
    about 2.5x faster than filling slots one call per field, which a slotted class needs.
    """
    if attrs.has(cls):
        names = {name for name, _ in fields} | {"extra"} | ({"raw"} if with_raw else set())
        missing = [a.name for a in attrs.fields(cls) if a.name not in names]
        if missing:
            raise ValueError(f"row_builder({cls.__name__}) leaves out attribute(s) {missing}")
    known = frozenset(key for _, key in fields)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_known": known}
    head = "def build(data, raw=None):" if with_raw else "def build(data):"
    if getattr(cls, "__dictoffset__", 0):
        lines = _dict_body(cls, fields, namespace, with_raw)
    else:
        lines = _slots_body(cls, fields, namespace, with_raw)
    exec("\n".join([head, *lines]), namespace)  # source built above from names only
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = f"{cls.__name__}.from_dict"
    return build


def _dict_body(
    cls: type, fields: Sequence[tuple[str, str]], namespace: dict[str, Any], with_raw: bool
) -> list[str]:
    namespace["_defaults"] = {key: None for _, key in fields}
    namespace["_n"] = len(namespace["_defaults"])
    namespace["_set_dict"] = _dict_setter(cls)
    lines = [
        "    d = {**_defaults, **data}",
        "    if len(d) == _n:",  # no key beyond the documented ones
        "        extra = {}",
        "    else:",
        "        extra = {k: v for k, v in data.items() if k not in _known}",
        "        for k in extra:",
        "            del d[k]",
    ]
    renamed = [(name, key) for name, key in fields if name != key]
    if renamed:  # every value is taken before any is stored: a name may be another's key
        pops = ", ".join(f"{name!r}: d.pop({key!r})" for name, key in renamed)
        lines.append(f"    d.update({{{pops}}})")
    lines.append("    d['extra'] = extra")
    if with_raw:
        lines.append("    d['raw'] = raw")
    lines += ["    self = _new(_cls)", "    _set_dict(self, d)", "    return self"]
    return lines


def _slots_body(
    cls: type, fields: Sequence[tuple[str, str]], namespace: dict[str, Any], with_raw: bool
) -> list[str]:
    lines = ["    get = data.get", "    self = _new(_cls)"]
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
    return lines
