"""LIST rows as pandas DataFrames, typed from the value kinds of the specs.

Why here: the conversion depends only on a row model's declared columns (Python name, wire key,
value kind), not on any TR, so generated models hand their rows and columns to these functions.

pandas is optional (``pip install kiwoom-typed[pandas]``) and imported only when a DataFrame is
asked for; importing this module never imports pandas.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from kiwoom_runtime.decoding import LazyRows
from kiwoom_runtime.values import (
    KST,
    parse_date,
    parse_datetime_kst,
    parse_decimal,
    parse_int,
    parse_signed_int,
    parse_signed_price,
    parse_time,
    typed_value,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DIRECTION_SUFFIX",
    "FrameColumns",
    "FramedResponse",
    "pages_to_dataframe",
    "rows_to_dataframe",
]

#: DataFrame columns of a LIST row model: (Python name, wire key, value kind or None).
FrameColumns = tuple[tuple[str, str, str | None], ...]


class FramedResponse(Protocol):
    """A response model with LIST rows (generated responses of LIST TRs)."""

    def _frame_parts(self) -> tuple[str, FrameColumns, Sequence[Any]]:
        """(API ID, the row model's columns, the rows)."""
        ...


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError("DataFrames need pandas: pip install kiwoom-typed[pandas]") from exc


def _object_column(pd: Any, values: list[Any]) -> Any:
    # A Series keeps ``object`` (pandas 3 would otherwise infer its ``str`` dtype and turn
    # None into NaN); values stay exactly as sent.
    return pd.Series(values, dtype=object)


def _int_column(pd: Any, values: list[Any]) -> Any:
    return pd.array(values, dtype="Int64")


def _typed_column(pd: Any, values: list[Any], kind: str | None, api_id: str, key: str) -> Any:
    if kind in ("number", "signed_number"):
        parse = parse_int if kind == "number" else parse_signed_int
        return _int_column(pd, [typed_value(parse, v, api_id, key) for v in values])
    if kind == "signed_price":
        return _signed_price_columns(pd, values, api_id, key)[0]
    if kind == "decimal":
        decimals = [typed_value(parse_decimal, v, api_id, key) for v in values]
        floats = [float("nan") if d is None else float(d) for d in decimals]
        return pd.array(floats, dtype="float64")
    if kind == "date":
        dates = [typed_value(parse_date, v, api_id, key) for v in values]
        return pd.to_datetime(pd.Series(dates, dtype=object)).to_numpy(dtype="datetime64[ns]")
    if kind == "datetime":
        stamps = [typed_value(parse_datetime_kst, v, api_id, key) for v in values]
        return pd.Series(
            [None if s is None else pd.Timestamp(s) for s in stamps],
            dtype=pd.DatetimeTZDtype(tz=KST),
        ).array
    if kind == "time":
        return _object_column(pd, [typed_value(parse_time, v, api_id, key) for v in values])
    return _object_column(pd, values)


#: Suffix of the column holding a signed_price column's direction.
DIRECTION_SUFFIX = "_direction"
DIRECTIONS = ("up", "down", "flat")


def _signed_price_columns(pd: Any, values: list[Any], api_id: str, key: str) -> tuple[Any, Any]:
    # The wire sign is the direction against the previous close, not a negative price: one
    # column holds the magnitude and the other the direction, so neither is lost.
    prices = [typed_value(parse_signed_price, v, api_id, key) for v in values]
    magnitudes = _int_column(pd, [None if p is None else p.price for p in prices])
    names = [None if p is None else p.direction.name.lower() for p in prices]
    return magnitudes, pd.Categorical(names, categories=DIRECTIONS)


def rows_to_dataframe(
    rows: Sequence[Any], columns: FrameColumns, api_id: str, *, raw: bool = False
) -> pd.DataFrame:
    """LIST rows -> DataFrame: the declared ``columns`` in order, then keys of ``row.extra``.

    Typed unless ``raw``: number, signed_number and signed_price (its magnitude) as ``Int64``;
    decimal as ``float64``; date and datetime as ``datetime64``; everything else, and every
    column with ``raw=True``, as ``object`` holding the values as sent.

    A signed_price's sign is the direction against the previous close, not a negative price
    (``"-239500"`` is a price of 239500 that went down). So each signed_price column ``x`` is
    followed by ``x_direction``: a categorical of ``"up"``, ``"down"``, ``"flat"`` (``<NA>``
    where no price was sent). With ``raw=True`` the values keep their signs and there is no
    direction column. A malformed value raises
    ValueKindError naming ``api_id`` and the wire key. Lazily decoded rows (``LazyRows``) are
    read straight from their JSON objects, without building a model per row.
    """
    if isinstance(rows, LazyRows):
        return _frame(rows.rows_as_sent, columns, api_id, raw=raw, as_sent=True)
    return _frame(rows, columns, api_id, raw=raw, as_sent=False)


def pages_to_dataframe(pages: Iterable[FramedResponse], *, raw: bool = False) -> pd.DataFrame:
    """The LIST rows of several pages of one TR (e.g. a pager) as one DataFrame.

    No pages give an empty DataFrame; see :func:`rows_to_dataframe` for the column types.
    """
    api_id: str | None = None
    columns: FrameColumns = ()
    parts: list[Sequence[Any]] = []
    for page in pages:
        api_id, columns, page_rows = page._frame_parts()
        parts.append(page_rows)
    if api_id is None:
        empty: pd.DataFrame = _pandas().DataFrame()
        return empty
    if all(isinstance(part, LazyRows) for part in parts):
        dicts = [row for part in parts for row in part.rows_as_sent]  # type: ignore[attr-defined]
        return _frame(dicts, columns, api_id, raw=raw, as_sent=True)
    models = [row for part in parts for row in part]
    return _frame(models, columns, api_id, raw=raw, as_sent=False)


def _frame(
    rows: Sequence[Any], columns: FrameColumns, api_id: str, *, raw: bool, as_sent: bool
) -> pd.DataFrame:
    """Build the frame from row models, or (``as_sent``) from the rows' JSON objects."""
    pandas = _pandas()
    data: dict[str, Any] = {}
    for name, key, kind in columns:
        if as_sent:
            values = [row.get(key) for row in rows]
        else:
            values = [getattr(row, name) for row in rows]
        if raw:
            data[name] = _object_column(pandas, values)
        elif kind == "signed_price":
            data[name], data[name + DIRECTION_SUFFIX] = _signed_price_columns(
                pandas, values, api_id, key
            )
        else:
            data[name] = _typed_column(pandas, values, kind, api_id, key)
    declared = {key for _, key, _ in columns}
    extras: Sequence[Mapping[str, Any]] = rows if as_sent else [row.extra for row in rows]
    extra_keys: dict[str, None] = {}
    for extra in extras:
        for key in extra:
            if key not in declared and key not in data:
                extra_keys[key] = None
    for key in extra_keys:
        data[key] = _object_column(pandas, [extra.get(key) for extra in extras])
    frame: pd.DataFrame = pandas.DataFrame(data, index=pandas.RangeIndex(len(rows)))
    return frame
