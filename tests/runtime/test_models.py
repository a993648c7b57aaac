"""kiwoom_runtime.models: the absent-LIST marker and the typed view base."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import attrs
import pytest

from kiwoom_runtime.models import NO_ROWS, TypedView, list_field
from kiwoom_runtime.values import ValueKindError, parse_int, typed_value


def test_no_rows_is_an_empty_tuple_kept_apart_by_identity() -> None:
    assert NO_ROWS == () and len(NO_ROWS) == 0 and not NO_ROWS and repr(NO_ROWS) == "()"
    assert list(NO_ROWS) == [] and isinstance(NO_ROWS, tuple)
    assert copy.copy(NO_ROWS) is NO_ROWS and copy.deepcopy(NO_ROWS) is NO_ROWS
    assert pickle.loads(pickle.dumps(NO_ROWS)) is NO_ROWS
    assert tuple() is not NO_ROWS


def test_list_field() -> None:
    extra: dict[str, Any] = {}
    assert list_field(None, dict, extra, "rows") is NO_ROWS and extra == {}
    empty = list_field([], dict, extra, "rows")
    assert empty == () and empty is not NO_ROWS
    rows = list_field([{"a": "1"}], dict, extra, "rows")
    assert list(rows) == [{"a": "1"}]
    assert list_field("", dict, extra, "rows") is NO_ROWS and extra == {"rows": ""}
    with pytest.raises(TypeError, match=r"rows\[0\] is not an object"):
        list_field([1], dict, {}, "rows")


@attrs.frozen
class _Model:
    price: str | None = None
    token: str | None = None
    rows: tuple[Any, ...] = ()


class _View(TypedView[_Model]):
    __slots__ = ()
    _HIDDEN = frozenset({"token"})

    @property
    def price(self) -> int | None:
        return typed_value(parse_int, self._m.price, "zz1", "price")

    @property
    def token(self) -> str | None:
        return self._m.token

    @property
    def rows(self) -> tuple[Any, ...]:
        return self._m.rows


def test_typed_view_repr_lists_values_and_never_raises() -> None:
    view = _View(_Model(price="+15", token="SECRET", rows=(1, 2, 3)))
    assert repr(view) == "_View(price=15, rows=<3 rows>)"
    bad = _View(_Model(price="1.5"))
    with pytest.raises(ValueKindError):
        _ = bad.price
    assert repr(bad) == "_View(price=<invalid integer: '1.5'>, rows=<0 rows>)"
    assert "SECRET" not in repr(view)


def test_typed_views_compare_by_model() -> None:
    a, b = _View(_Model(price="1")), _View(_Model(price="1"))
    assert a == b and a != _View(_Model(price="2"))
    assert a != _Model(price="1")
    with pytest.raises(AttributeError):
        a.other = 1  # type: ignore[attr-defined]
