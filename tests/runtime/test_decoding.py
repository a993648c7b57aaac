"""kiwoom_runtime.decoding: LIST values are decoded or kept, never dropped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiwoom_runtime.decoding import list_rows


def _row(data: Mapping[str, Any]) -> str:
    return str(data["a"])


def test_list_rows_decodes_arrays() -> None:
    extra: dict[str, Any] = {}
    assert list_rows([{"a": 1}, {"a": 2}], _row, extra, "rows") == ("1", "2")
    assert list_rows([], _row, extra, "rows") == ()
    assert extra == {}


def test_list_rows_none_is_none() -> None:
    extra: dict[str, Any] = {}
    assert list_rows(None, _row, extra, "rows") is None and extra == {}


def test_list_rows_keeps_what_is_not_an_array() -> None:
    extra: dict[str, Any] = {}
    assert list_rows("", _row, extra, "rows") is None
    assert list_rows({"a": 1}, _row, extra, "other") is None
    assert extra == {"rows": "", "other": {"a": 1}}
