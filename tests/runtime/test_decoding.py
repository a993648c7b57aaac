"""kiwoom_runtime.decoding: LIST values are decoded or kept, never dropped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

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


@pytest.mark.parametrize("row", [[], [["date", "20250101"]], "x", 1, None])
def test_rows_that_are_not_objects_are_refused_not_rewritten(row: object) -> None:
    extra: dict[str, object] = {}
    with pytest.raises(TypeError, match=r"rows\[1\] is not an object"):
        list_rows([{"a": "1"}, row], dict, extra, "rows")


def test_row_builder_matches_init_and_keeps_unknown_keys() -> None:
    import attrs

    from kiwoom_runtime.decoding import row_builder

    @attrs.frozen(kw_only=True)
    class Row:
        a: str | None = None
        b_2: str | None = None
        extra: Mapping[str, Any] = attrs.field(factory=dict)
        raw: object = attrs.field(default=None, eq=False)

    build = row_builder(Row, [("a", "a"), ("b_2", "2b")], with_raw=True)
    assert build({"a": "1", "2b": "x"}, "R") == Row(a="1", b_2="x")
    assert build({"a": "1", "2b": "x"}, "R").raw == "R"
    row = build({"a": "1", "new": [1], "2b": None})
    assert row == Row(a="1", extra={"new": [1]})
    assert build({}) == Row()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        row.a = "2"  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"leaves out attribute\(s\) \['b_2', 'raw'\]"):
        row_builder(Row, [("a", "a")])


@pytest.mark.parametrize("slots", [True, False], ids=["slots", "dict"])
def test_row_builder_gives_the_same_models_with_slots_or_a_dict(slots: bool) -> None:
    """Generated models are dict-based (their builder sets ``__dict__`` whole); a slotted
    model gets the per-field builder. Both give what ``__init__`` gives, whatever the row."""
    import attrs

    from kiwoom_runtime.decoding import row_builder

    @attrs.frozen(kw_only=True, slots=slots)
    class Row:
        a: str | None = None
        b_2: str | None = None
        c: str | None = None  # wire key "b_2": a name of one field is another's key
        extra: Mapping[str, Any] = attrs.field(factory=dict)
        raw: object = attrs.field(default=None, eq=False)

    build = row_builder(Row, [("a", "a"), ("b_2", "2b"), ("c", "b_2")], with_raw=True)
    cases: list[tuple[dict[str, Any], Row]] = [
        ({"a": "1", "2b": "x", "b_2": "y"}, Row(a="1", b_2="x", c="y")),
        ({"b_2": "y"}, Row(c="y")),
        ({}, Row()),
        ({"a": None, "2b": ""}, Row(b_2="")),
        ({"a": "1", "extra": "e", "raw": 1}, Row(a="1", extra={"extra": "e", "raw": 1})),
        ({"new": [1], "2b": "x", "c": "z"}, Row(b_2="x", extra={"new": [1], "c": "z"})),
    ]
    for data, expected in cases:
        row = build(data, "R")
        assert row == expected and row.raw == "R", data
        assert list(row.extra) == list(expected.extra)  # in the order received
        assert attrs.asdict(row) == attrs.asdict(attrs.evolve(expected, raw="R"))
    assert data == {"new": [1], "2b": "x", "c": "z"}  # the body is not touched
    if not slots:
        assert vars(build({"a": "1"})) == vars(Row(a="1"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        build({}).a = "2"  # type: ignore[misc]


def test_a_generated_row_is_built_from_one_dict() -> None:
    from kiwoom_typed.tr.ka10005 import Ka10005Response, Ka10005StkDdwkmmItem

    row = {"date": "20250131", "cur_prc": "x", "open_pric": "+100"}
    page = Ka10005Response.from_dict({"stk_ddwkmm": [row], "return_code": 0})
    built = page.stk_ddwkmm[0]
    assert type(built) is Ka10005StkDdwkmmItem and not hasattr(built, "__slots__")
    assert built == Ka10005StkDdwkmmItem(date="20250131", open_pric="+100", extra={"cur_prc": "x"})
    assert built.to_dict() == row and page.stk_ddwkmm.rows_as_sent == (row,)


def test_lazy_rows_build_models_once_on_first_access() -> None:
    from kiwoom_runtime.decoding import LazyRows

    built: list[Mapping[str, Any]] = []

    def parse(row: Mapping[str, Any]) -> str:
        built.append(row)
        return str(row["a"])

    data = [{"a": 1}, {"a": 2}, {"a": 3}]
    rows = list_rows(data, parse, {}, "rows")
    assert isinstance(rows, LazyRows)
    assert len(rows) == 3 and built == []  # nothing built yet
    assert rows[0] == "1" and rows[-1] == "3" and rows[1:] == ("2", "3")
    assert list(rows) == ["1", "2", "3"] and len(built) == 3  # each row built once
    assert rows == ("1", "2", "3") and rows == ["1", "2", "3"] and rows != ("1",)
    assert rows == list_rows(data, parse, {}, "rows")
    assert hash(rows) == hash(("1", "2", "3"))
    assert repr(rows) == "('1', '2', '3')"
    assert rows.rows_as_sent == tuple(data)
