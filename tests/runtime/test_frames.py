"""kiwoom_runtime.frames: LIST rows -> DataFrames typed from value kinds; pandas stays optional."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pytest

from kiwoom_runtime import ValueKindError
from kiwoom_runtime.frames import FrameColumns, pages_to_dataframe, rows_to_dataframe

COLUMNS: FrameColumns = (
    ("date", "date", "date"),
    ("close", "close", "signed_price"),
    ("change", "change", "signed_number"),
    ("qty", "qty", "number"),
    ("rate", "rate", "decimal"),
    ("stamp", "stamp", "datetime"),
    ("at", "at", "time"),
    ("name", "name", None),
)


@attrs.frozen
class Row:
    date: str | None = None
    close: str | None = None
    change: str | None = None
    qty: str | None = None
    rate: str | None = None
    stamp: str | None = None
    at: str | None = None
    name: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Page:
    rows: Sequence[Row]

    def _frame_parts(self) -> tuple[str, FrameColumns, Sequence[Any]]:
        return "zz00001", COLUMNS, self.rows


ROWS = (
    Row("20241028", "+95400", "-300", "000123", "+0.32", "20241028090000", "090000", "a"),
    Row("", "-0", "", "", "", "", "", None, extra={"new": "x"}),
)


def test_importing_frames_does_not_import_pandas() -> None:
    code = "import sys, kiwoom_runtime.frames; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_typed_columns() -> None:
    pd = pytest.importorskip("pandas")
    frame = rows_to_dataframe(ROWS, COLUMNS, "zz00001")
    names = [c[0] for c in COLUMNS]
    names.insert(names.index("close") + 1, "close_direction")
    assert list(frame.columns) == [*names, "new"]
    assert str(frame["date"].dtype) == "datetime64[ns]"
    assert frame["date"][0] == pd.Timestamp("2024-10-28") and pd.isna(frame["date"][1])
    assert str(frame["close"].dtype) == "Int64" and frame["close"][0] == 95400
    assert frame["close"][1] == 0
    assert str(frame["change"].dtype) == "Int64" and frame["change"][0] == -300
    assert frame["change"].isna()[1]
    assert str(frame["qty"].dtype) == "Int64" and frame["qty"][0] == 123
    assert str(frame["rate"].dtype) == "float64" and frame["rate"][0] == pytest.approx(0.32)
    assert str(frame["stamp"].dtype).startswith("datetime64[ns, ")
    assert frame["stamp"][0].hour == 9 and frame["stamp"][0].utcoffset().total_seconds() == 9 * 3600
    assert str(frame["at"].dtype) == "object" and frame["at"][0].hour == 9
    assert str(frame["name"].dtype) == "object" and frame["name"][1] is None
    assert frame["new"][0] is None and frame["new"][1] == "x"


def test_raw_columns_keep_the_values() -> None:
    pytest.importorskip("pandas")
    frame = rows_to_dataframe(ROWS, COLUMNS, "zz00001", raw=True)
    assert all(str(dtype) == "object" for dtype in frame.dtypes)
    assert frame["close"][0] == "+95400" and frame["change"][1] == ""


def test_malformed_value_names_tr_and_key() -> None:
    pytest.importorskip("pandas")
    with pytest.raises(ValueKindError, match=r"zz00001 qty: 'x' is not a valid integer"):
        rows_to_dataframe([Row(qty="x")], COLUMNS, "zz00001")


def test_pages_to_dataframe() -> None:
    pytest.importorskip("pandas")
    both = pages_to_dataframe([Page(ROWS), Page(ROWS[:1])])
    assert len(both) == 3 and list(both.index) == [0, 1, 2]
    assert pages_to_dataframe([]).empty
    assert pages_to_dataframe(iter([Page(())])).empty


def test_lazy_rows_give_the_same_frame_without_building_models() -> None:
    pd = pytest.importorskip("pandas")
    from kiwoom_runtime.decoding import list_rows

    sent = [
        {"date": "20250102", "close": "+100", "qty": "5", "name": "a", "new": "x"},
        {"date": "20250103", "close": "-90", "rate": "+1.5", "at": "090000"},
    ]
    built: list[int] = []

    def parse(row: Mapping[str, Any]) -> Row:
        built.append(1)
        known = {a.name for a in attrs.fields(Row)}
        return Row(
            **{k: v for k, v in row.items() if k in known},
            extra={k: v for k, v in row.items() if k not in known},
        )

    lazy = list_rows(sent, parse, {}, "rows")
    assert lazy is not None
    for raw in (False, True):
        from_dicts = rows_to_dataframe(lazy, COLUMNS, "ka00000", raw=raw)
        assert built == []  # the frame came from the JSON objects
        from_models = rows_to_dataframe([parse(r) for r in sent], COLUMNS, "ka00000", raw=raw)
        built.clear()
        pd.testing.assert_frame_equal(from_dicts, from_models)
    assert list(from_dicts.columns)[-1] == "new"


def test_signed_prices_keep_their_direction() -> None:
    pd = pytest.importorskip("pandas")
    rows = (
        Row(close="+95400"),
        Row(close="-239500"),
        Row(close="0"),
        Row(close="-0"),
        Row(close=""),
    )
    frame = rows_to_dataframe(rows, COLUMNS, "zz00001")
    assert list(frame["close"].astype(object).where(frame["close"].notna(), None)) == [
        95400,
        239500,
        0,
        0,
        None,
    ]  # magnitudes: prices are positive
    direction = frame["close_direction"]
    assert isinstance(direction.dtype, pd.CategoricalDtype)
    assert list(direction.cat.categories) == ["up", "down", "flat"]
    assert list(direction.astype(object).where(direction.notna(), None)) == [
        "up",
        "down",
        "flat",
        "flat",
        None,
    ]
    assert (frame["close_direction"] == "down").sum() == 1
    assert "close_direction" not in rows_to_dataframe(rows, COLUMNS, "zz00001", raw=True)
    both = pages_to_dataframe([Page(rows), Page(rows[:2])])
    assert list(both["close_direction"].astype(object)[:2]) == ["up", "down"]
    assert both["close_direction"].dtype == direction.dtype
