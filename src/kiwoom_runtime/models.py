"""Building blocks of generated models beyond decoding (:mod:`~kiwoom_runtime.decoding`).

* :data:`NO_ROWS` and :func:`list_field`: a LIST the server left out reads as an empty sequence,
  so code iterates ``page.rows`` without ``or ()``; ``to_dict()`` still leaves the key out
  (generated models test ``is not NO_ROWS``), so the body comes back exactly as received.
* :class:`TypedView`: the base of the generated ``.typed`` views (parsed values of one model),
  with a ``repr`` that lists every value and never raises.

The module knows no TR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Final, Generic, TypeVar

from kiwoom_runtime.decoding import list_rows
from kiwoom_runtime.values import ValueKindError

__all__ = ["NO_ROWS", "TypedView", "list_field"]

T = TypeVar("T")
M = TypeVar("M")


class _NoRows(tuple[Any, ...]):
    """The empty tuple that marks an absent LIST: equal to ``()``, told apart by identity."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "()"

    # Copies and pickles give the marker itself back, so ``is NO_ROWS`` survives them.
    def __copy__(self) -> _NoRows:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _NoRows:
        return self

    def __reduce__(self) -> str:
        return "NO_ROWS"


NO_ROWS: Final[Sequence[Any]] = _NoRows()
"""The value of a LIST field whose key the body did not carry (or carried as null)."""


def list_field(
    value: Any, parse: Callable[[Mapping[str, Any]], T], extra: dict[str, Any], key: str
) -> Sequence[T]:
    """Decode a LIST value like :func:`~kiwoom_runtime.decoding.list_rows`, absent -> NO_ROWS.

    A JSON array gives its rows (built lazily, on first access), even when empty; None gives
    :data:`NO_ROWS`; anything else is kept as ``extra[key]`` unchanged and gives NO_ROWS.
    """
    rows = list_rows(value, parse, extra, key)
    return NO_ROWS if rows is None else rows


class TypedView(Generic[M]):
    """Base of the generated ``typed`` views: the parsed values of one model, read on access.

    Subclasses add one property per field; ``repr`` shows them in the model's order, a value
    that does not fit its kind as ``<invalid ...>`` (it never raises), LIST rows by their count
    and leaves out the names in ``_HIDDEN`` (credentials). Two views are equal when their
    models are (and, like the models, which hold dicts, they are not hashable).
    """

    __slots__ = ("_m",)

    _HIDDEN: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, model: M) -> None:
        self._m = model

    def __repr__(self) -> str:
        parts: list[str] = []
        for name, attribute in type(self).__dict__.items():
            if not isinstance(attribute, property) or name in self._HIDDEN:
                continue
            try:
                value = getattr(self, name)
            except ValueKindError as exc:
                parts.append(f"{name}=<invalid {exc.kind}: {exc.value!r}>")
                continue
            if isinstance(value, Sequence) and not isinstance(value, str):
                parts.append(f"{name}=<{len(value)} rows>")
            else:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TypedView) or type(other) is not type(self):
            return NotImplemented
        return bool(self._m == other._m)
