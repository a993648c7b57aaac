"""Decoding helpers for generated response models.

Why: the manual documents LIST fields as JSON arrays of objects, but servers send ``""`` or
``null`` for an empty list on some TRs. A model must neither crash on that nor drop it, so the
value is kept as received in the model's ``extra`` and the typed attribute stays None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["list_rows"]

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
