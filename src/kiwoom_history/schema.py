"""Table schemas from the specs' value kinds, and chart rows -> typed page frames.

Why typed columns: a history table is read far more often than it is written, by SQL and by
pandas; a price stored as the wire's ``"+63500"`` would make every reader parse it again and
would turn the direction sign into a negative price. So each wire field becomes a column typed
by its value kind (``FRAME_COLUMNS`` of the generated row model, i.e. the specs):

=================  ====================================================================
kind               column(s)
=================  ====================================================================
signed_price       ``BIGINT`` magnitude + ``<name>_direction`` ENUM('up','down','flat')
decimal_price      ``DECIMAL(18,4)`` magnitude (USD, index) + ``<name>_direction``
scaled             ``DECIMAL(18,2)``: an index sent x100 (``"624191"`` is 6241.91)
number, signed_*   ``BIGINT``
decimal            ``DOUBLE`` (rates, ratios; US volumes)
date / month       ``DATE``
datetime           ``TIMESTAMP``, Korea wall-clock time (KST, UTC+9; no DST)
time               ``TIME``
sign_code          ``UTINYINT`` 대비기호 (1 상한, 2 상승, 3 보합, 4 하한, 5 하락)
anything else      ``VARCHAR`` as sent
=================  ====================================================================

The direction is the wire sign against the previous close: ``'flat'`` also stands for a price
sent without a sign (the live daily chart sends unsigned prices). Each table also has the key
columns ``code`` (as requested), ``adjusted`` (수정주가 or raw) and, intraday, ``scope``
(``tic_scope``) and for ticks ``seq``; and ``extra`` (the row's keys the spec does not list, as
JSON; NULL when none), ``api_id`` and ``fetched_at`` (when the page arrived).

Values are parsed by the runtime's parsers (``kiwoom_runtime.values``) with fast paths for the
common forms, so a malformed value raises ``ValueKindError`` naming the TR and the field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kiwoom_history.charts import Chart
from kiwoom_runtime.values import (
    parse_date,
    parse_datetime_kst,
    parse_decimal,
    parse_decimal_price,
    parse_int,
    parse_month,
    parse_scaled,
    parse_sign_code,
    parse_signed_int,
    parse_signed_price,
    parse_time,
    typed_value,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DIRECTION", "Column", "TableSchema", "schema_for"]

DIRECTIONS = ("up", "down", "flat")
DIRECTION = "ENUM('up', 'down', 'flat')"
_DIRECTION_SUFFIX = "_direction"

_SQL_TYPES: dict[str | None, str] = {
    "signed_price": "BIGINT",
    "decimal_price": "DECIMAL(18,4)",
    "scaled": "DECIMAL(18,2)",
    "number": "BIGINT",
    "signed_number": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "month": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "sign_code": "UTINYINT",
}
_KIND_NOTES: dict[str | None, str] = {
    "signed_price": "price (magnitude); the wire sign is in {name}_direction",
    "decimal_price": "price with decimals (magnitude); the wire sign is in {name}_direction",
    "scaled": "sent x100 without its decimal point; stored scaled back (6241.91)",
    "number": "integer",
    "signed_number": "signed integer",
    "decimal": "decimal number",
    "date": "date",
    "month": "month (its first day)",
    "datetime": "date-time, Korea time (KST, UTC+9)",
    "time": "time of day, Korea time",
    "sign_code": "대비기호: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락",
}


@attrs.frozen
class Column:
    """One column: its name, the wire key it comes from (None for key/meta columns), the value
    kind, the DuckDB type and the comment stored with the table."""

    name: str
    key: str | None
    kind: str | None
    sql: str
    comment: str


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@attrs.frozen
class TableSchema:
    """The table of one chart: its columns, primary key and DDL, and the page converter."""

    chart: Chart
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    time_column: str
    """The column dating a row: ``dt`` (DATE) or ``cntr_tm`` (TIMESTAMP)."""

    @property
    def name(self) -> str:
        return self.chart.table

    def ddl(self) -> list[str]:
        """CREATE TABLE IF NOT EXISTS, then the comments (table and columns)."""
        from kiwoom_typed import REGISTRY

        info = REGISTRY[self.chart.api_id]
        lines = [
            f"    {c.name} {c.sql}" + (" NOT NULL" if c.name in self.primary_key else "")
            for c in self.columns
        ]
        lines.append(f"    PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n".join(lines)
        about = (
            f"{info.api_id} {info.name} ({info.english_name}): one row per bar; "
            f"key ({', '.join(self.primary_key)})"
        )
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.name} (\n{body}\n)",
            f"COMMENT ON TABLE {self.name} IS {_sql_text(about)}",
        ]
        statements += [
            f"COMMENT ON COLUMN {self.name}.{c.name} IS {_sql_text(c.comment)}"
            for c in self.columns
        ]
        return statements

    def insert_sql(self, source: str) -> str:
        """INSERT OR IGNORE from a registered frame: a row already stored (same key) stays, so
        no key is ever stored twice (days that may have changed since are deleted first: see
        ``delete_after_sql``)."""
        names = ", ".join(c.name for c in self.columns)
        values = ", ".join(
            f"CAST({c.name} AS {c.sql})" if c.sql.startswith("DECIMAL") else c.name
            for c in self.columns
        )
        return f"INSERT OR IGNORE INTO {self.name} ({names}) SELECT {values} FROM {source}"

    def delete_after_sql(self) -> str:
        """Delete a symbol's rows after a day (parameters: code, adjusted, [scope,] day): the
        days fetched while still trading, before their final rows are written."""
        scope = " AND scope = ?" if "scope" in self.primary_key else ""
        return (
            f"DELETE FROM {self.name} WHERE code = ? AND adjusted = ?{scope} "
            f"AND CAST({self.time_column} AS DATE) > ?"
        )

    def frame(
        self,
        rows: Sequence[dict[str, Any]],
        *,
        code: str,
        adjusted: bool,
        scope: int | None,
        fetched_at: dt.datetime,
        seq: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """One page's rows (as sent) as a frame with this table's columns, typed."""
        import pandas as pd

        api_id = self.chart.api_id
        n = len(rows)
        data: dict[str, Any] = {}
        declared = {c.key for c in self.columns if c.key is not None}
        for column in self.columns:
            name = column.name
            if name == "code":
                data[name] = pd.Series([code] * n, dtype=object)
            elif name == "adjusted":
                data[name] = pd.array([adjusted] * n, dtype="boolean")
            elif name == "scope":
                data[name] = pd.array([scope or 1] * n, dtype="Int16")
            elif name == "seq":
                data[name] = pd.array(list(seq or [0] * n), dtype="Int32")
            elif name == "api_id":
                data[name] = pd.Series([api_id] * n, dtype=object)
            elif name == "fetched_at":
                data[name] = pd.Series([pd.Timestamp(fetched_at)] * n, dtype="datetime64[us, UTC]")
            elif name == "extra":
                data[name] = pd.Series([_extra(row, declared) for row in rows], dtype=object)
            elif name.endswith(_DIRECTION_SUFFIX) and column.key is None:
                continue  # filled with its price column
            else:
                assert column.key is not None
                values = [row.get(column.key) for row in rows]
                _convert(pd, data, column, values, api_id)
        frame: pd.DataFrame = pd.DataFrame(data, index=pd.RangeIndex(n))
        return frame[[c.name for c in self.columns]]


def _extra(row: dict[str, Any], declared: set[str]) -> str | None:
    extra = {k: v for k, v in row.items() if k not in declared}
    return json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _ints(
    values: list[Any], parse: Callable[[Any], int | None], api_id: str, key: str
) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if _blank(value):
            out.append(None)
            continue
        try:  # the plain forms ("+900", "-600", "0012"); the parser reads the rest ("1,234")
            out.append(int(value))
        except (TypeError, ValueError):
            out.append(typed_value(parse, value, api_id, key))
    return out


def _signed_prices(values: list[Any], api_id: str, key: str) -> tuple[list[Any], list[Any]]:
    prices: list[Any] = []
    directions: list[Any] = []
    for value in values:
        if _blank(value):
            prices.append(None)
            directions.append(None)
            continue
        try:
            magnitude = int(value.lstrip("+-"))
            head = value[0]
        except (AttributeError, TypeError, ValueError):
            parsed = typed_value(parse_signed_price, value, api_id, key)
            assert parsed is not None
            prices.append(parsed.price)
            directions.append(parsed.direction.name.lower())
            continue
        prices.append(magnitude)
        directions.append(
            "flat" if magnitude == 0 else "up" if head == "+" else "down" if head == "-" else "flat"
        )
    return prices, directions


def _dates(
    values: list[Any], parse: Callable[[Any], dt.date | None], api_id: str, key: str
) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if _blank(value):
            out.append(None)
        elif isinstance(value, str) and len(value) in (8, 14) and value.isdigit():
            # A day bar dated YYYYMMDDHHmmss (금현물 weekly / monthly charts): its date.
            value = value[:8]
            if value == "00000000":
                out.append(None)
                continue
            try:
                out.append(dt.date(int(value[:4]), int(value[4:6]), int(value[6:])))
            except ValueError:
                out.append(typed_value(parse, value, api_id, key))
        else:
            out.append(typed_value(parse, value, api_id, key))
    return out


def _stamps(values: list[Any], api_id: str, key: str) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if _blank(value):
            out.append(None)
            continue
        stamp = typed_value(parse_datetime_kst, value, api_id, key)
        assert stamp is not None
        out.append(stamp.replace(tzinfo=None))  # Korea wall-clock time, as documented
    return out


def _convert(pd: Any, data: dict[str, Any], column: Column, values: list[Any], api_id: str) -> None:
    kind, key, name = column.kind, column.key or column.name, column.name
    if kind == "signed_price":
        prices, directions = _signed_prices(values, api_id, key)
        data[name] = pd.array(prices, dtype="Int64")
        data[name + _DIRECTION_SUFFIX] = pd.Series(directions, dtype=object)
    elif kind == "decimal_price":
        parsed = [typed_value(parse_decimal_price, v, api_id, key) for v in values]
        data[name] = pd.Series([None if p is None else str(p.price) for p in parsed], dtype=object)
        data[name + _DIRECTION_SUFFIX] = pd.Series(
            [None if p is None else p.direction.name.lower() for p in parsed], dtype=object
        )
    elif kind == "scaled":
        scaled = [typed_value(parse_scaled, v, api_id, key) for v in values]
        data[name] = pd.Series([None if d is None else str(d) for d in scaled], dtype=object)
    elif kind in ("number", "signed_number"):
        ints = parse_int if kind == "number" else parse_signed_int
        data[name] = pd.array(_ints(values, ints, api_id, key), dtype="Int64")
    elif kind == "sign_code":
        codes = [None if _blank(v) else v.strip() for v in values]
        for value in codes:
            if value is not None:
                typed_value(parse_sign_code, value, api_id, key)  # refuses anything but 0-5
        data[name] = pd.array([None if c is None else int(c) for c in codes], dtype="UInt8")
    elif kind == "decimal":
        decimals = [typed_value(parse_decimal, v, api_id, key) for v in values]
        data[name] = pd.array(
            [float("nan") if d is None else float(d) for d in decimals], dtype="float64"
        )
    elif kind in ("date", "month"):
        if kind == "date":
            dates = _dates(values, parse_date, api_id, key)
        else:
            dates = [typed_value(parse_month, v, api_id, key) for v in values]
        data[name] = pd.to_datetime(pd.Series(dates, dtype=object)).astype("datetime64[us]")
    elif kind == "datetime":
        data[name] = pd.to_datetime(pd.Series(_stamps(values, api_id, key), dtype=object)).astype(
            "datetime64[us]"
        )
    elif kind == "time":
        data[name] = pd.Series(
            [typed_value(parse_time, v, api_id, key) for v in values], dtype=object
        )
    else:
        data[name] = pd.Series(values, dtype=object)


def schema_for(chart: Chart) -> TableSchema:
    """The table of ``chart``: key columns, the spec's fields typed by kind, then metadata."""
    intraday = chart.intraday
    fields = [c for c in chart.columns() if c[1] != chart.time_key]
    time_kind = "datetime" if intraday else "date"
    time_type = _SQL_TYPES[time_kind]
    columns = [
        Column("code", None, "code", "VARCHAR", f"{chart.code_arg} as requested"),
        Column(
            "adjusted",
            None,
            None,
            "BOOLEAN",
            "수정주가: true for adjusted prices (upd_stkpc_tp 1), false for raw ones",
        ),
    ]
    key = ["code", "adjusted"]
    if intraday:
        columns.append(
            Column("scope", None, None, "SMALLINT", "tic_scope: minutes (or trades) per bar")
        )
        key.append("scope")
    time_note = (
        "when the bar ends, Korea time (KST, UTC+9)"
        if intraday
        else "the bar's date (a week's or month's row: its first trading day)"
    )
    columns.append(Column(chart.time_key, chart.time_key, time_kind, time_type, time_note))
    key.append(chart.time_key)
    if chart.interval == "tick":
        columns.append(
            Column("seq", None, None, "INTEGER", "order among rows of the same second, newest 0")
        )
        key.append("seq")
    for name, wire, kind in fields:
        sql = _SQL_TYPES.get(kind, "VARCHAR")
        note = _KIND_NOTES.get(kind, "as sent").format(name=name)
        columns.append(Column(name, wire, kind, sql, f"{wire} ({kind or 'text'}): {note}"))
        if kind in ("signed_price", "decimal_price"):
            columns.append(
                Column(
                    name + _DIRECTION_SUFFIX,
                    None,
                    None,
                    DIRECTION,
                    f"the sign of {wire}: direction against the previous close ('flat' also "
                    "when sent without a sign)",
                )
            )
    columns += [
        Column("extra", None, None, "VARCHAR", "keys of the row the spec does not list (JSON)"),
        Column("api_id", None, None, "VARCHAR", "the TR the row came from"),
        Column("fetched_at", None, None, "TIMESTAMPTZ", "when the page was downloaded"),
    ]
    return TableSchema(chart, tuple(columns), tuple(key), chart.time_key)
