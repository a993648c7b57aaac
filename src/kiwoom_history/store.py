"""The embedded database: chart tables and the download progress, in one DuckDB file.

Why DuckDB: a market history is a few wide, append-mostly tables read by scans and group-bys
(per symbol, per day). DuckDB is an embedded columnar SQL engine: one file, no server, fast
scans and aggregates, transactions (a page and its progress commit together or not at all),
primary keys (a row fetched twice is stored once), and it reads and writes Parquet itself, so
``export_parquet`` needs nothing else. SQLite would store rows, not columns, and scans and
aggregates over millions of bars are what a quant runs.

Every page is written in one transaction with the progress row of its symbol, so an
interruption anywhere (Ctrl-C, kill -9, a lost network) leaves the file consistent: either the
page and the progress that describes it, or neither.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from kiwoom_history.charts import CHARTS, Chart
from kiwoom_history.schema import TableSchema, schema_for

if TYPE_CHECKING:
    import pandas as pd
    from duckdb import DuckDBPyConnection

__all__ = ["PROGRESS_TABLE", "HistoryStore", "Progress"]

PROGRESS_TABLE = "history_progress"
_PROGRESS_DDL = f"""
CREATE TABLE IF NOT EXISTS {PROGRESS_TABLE} (
    table_name VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    adjusted BOOLEAN NOT NULL,
    scope SMALLINT NOT NULL,
    api_id VARCHAR,
    oldest DATE,
    newest DATE,
    through DATE,
    back_to DATE,
    listing_reached BOOLEAN NOT NULL,
    rows BIGINT NOT NULL,
    pages BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    error VARCHAR,
    PRIMARY KEY (table_name, code, adjusted, scope)
)"""
_PROGRESS_COMMENTS = {
    "": "Per symbol of each chart table: what is stored and how far it is known complete",
    "oldest": "the oldest day stored (rows are contiguous from here to newest)",
    "newest": "the newest day stored",
    "through": "every bar up to this day is stored (the end day of the run that closed the gap)",
    "back_to": "every bar back to this day is stored (NULL: the way back is not finished)",
    "listing_reached": "the server had nothing older: the history starts at oldest",
    "rows": "rows received for this symbol (pages overlap on resume: not a row count)",
    "pages": "pages received for this symbol",
    "error": "why the last run gave up on this symbol (NULL: it did not)",
}


def _load_duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - the history extra installs it
        raise ImportError(
            "market history needs DuckDB: pip install 'kiwoom-typed[history]'"
        ) from exc
    return duckdb


@attrs.frozen
class Progress:
    """One symbol's row of ``history_progress`` (``scope`` 0 for daily-or-longer charts)."""

    table: str
    code: str
    adjusted: bool
    scope: int
    api_id: str
    oldest: dt.date | None = None
    newest: dt.date | None = None
    through: dt.date | None = None
    back_to: dt.date | None = None
    listing_reached: bool = False
    rows: int = 0
    pages: int = 0
    updated_at: dt.datetime | None = None
    error: str | None = None

    def complete_back_to(self, start: dt.date) -> bool:
        """Is every bar from ``start`` up to ``through`` stored?"""
        if self.listing_reached:
            return True
        return self.back_to is not None and self.back_to <= start


class HistoryStore:
    """A DuckDB file of chart tables (``stock_daily``, ``us_minute``, ...) and the progress.

    ``HistoryStore("history.duckdb")`` creates the file if needed; use it as a context
    manager or call :meth:`close`. One process writes at a time (DuckDB's rule for a file);
    readers in other processes open it with ``read_only=True`` once the writer is done.
    """

    def __init__(self, path: str | Path = "history.duckdb", *, read_only: bool = False) -> None:
        duckdb = _load_duckdb()
        self.path = Path(path)
        self.read_only = read_only
        self.con: DuckDBPyConnection = duckdb.connect(str(self.path), read_only=read_only)
        self._lock = threading.Lock()  # one connection: statements must not interleave
        self._schemas: dict[str, TableSchema] = {}
        if not read_only:
            self.con.execute(_PROGRESS_DDL)
            for column, text in _PROGRESS_COMMENTS.items():
                target = (
                    f"COLUMN {PROGRESS_TABLE}.{column}" if column else f"TABLE {PROGRESS_TABLE}"
                )
                self.con.execute(f"COMMENT ON {target} IS '{text}'")

    # -- tables ---------------------------------------------------------------------------

    def ensure(self, chart: Chart) -> TableSchema:
        """The chart's table, created (with its comments) on first use."""
        schema = self._schemas.get(chart.table)
        if schema is None:
            schema = schema_for(chart)
            with self._lock:
                self.con.execute("BEGIN TRANSACTION")
                try:
                    for statement in schema.ddl():
                        self.con.execute(statement)
                    self.con.execute("COMMIT")
                except BaseException:
                    self.con.execute("ROLLBACK")
                    raise
            self._schemas[chart.table] = schema
        return schema

    def tables(self) -> list[str]:
        """The chart tables in the file."""
        names = {c.table for c in CHARTS.values()}
        found = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
        return sorted(name for (name,) in found if name in names)

    # -- progress -------------------------------------------------------------------------

    def progress(self, table: str, code: str, adjusted: bool, scope: int) -> Progress | None:
        with self._lock:
            row = self.con.execute(
                f"SELECT * FROM {PROGRESS_TABLE} WHERE table_name = ? AND code = ? "
                "AND adjusted = ? AND scope = ?",
                [table, code, adjusted, scope],
            ).fetchone()
        return None if row is None else Progress(*row)

    def all_progress(self, table: str | None = None) -> list[Progress]:
        where, params = ("WHERE table_name = ?", [table]) if table else ("", [])
        with self._lock:
            rows = self.con.execute(
                f"SELECT * FROM {PROGRESS_TABLE} {where} ORDER BY table_name, code", params
            ).fetchall()
        return [Progress(*row) for row in rows]

    def _put_progress(self, progress: Progress) -> None:
        # UPDATE, else INSERT: DuckDB's INSERT OR REPLACE costs about twice as much, and this
        # runs once per page.
        values = list(attrs.astuple(progress, recurse=False))
        updated = self.con.execute(
            f"UPDATE {PROGRESS_TABLE} SET api_id = ?, oldest = ?, newest = ?, through = ?, "
            "back_to = ?, listing_reached = ?, rows = ?, pages = ?, updated_at = ?, error = ? "
            "WHERE table_name = ? AND code = ? AND adjusted = ? AND scope = ?",
            values[4:] + values[:4],
        ).fetchone()
        if not updated or not updated[0]:
            self.con.execute(
                f"INSERT INTO {PROGRESS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def set_progress(self, progress: Progress) -> None:
        """Record ``progress`` alone (an empty answer, an error)."""
        with self._lock:
            self._put_progress(progress)

    # -- pages ----------------------------------------------------------------------------

    def write_page(
        self,
        schema: TableSchema,
        frame: pd.DataFrame,
        progress: Progress,
        *,
        replace_after: dt.date | None = None,
    ) -> None:
        """The page's rows and its symbol's progress, in one transaction; ``replace_after``
        first deletes the symbol's rows after that day (fetched before they were final)."""
        with self._lock:
            con = self.con
            con.execute("BEGIN TRANSACTION")
            try:
                if replace_after is not None:
                    key: list[Any] = [progress.code, progress.adjusted]
                    if "scope" in schema.primary_key:
                        key.append(progress.scope)
                    con.execute(schema.delete_after_sql(), [*key, replace_after])
                if len(frame):
                    con.register("_page", frame)
                    try:
                        con.execute(schema.insert_sql("_page"))
                    finally:
                        con.unregister("_page")
                self._put_progress(progress)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # -- reading --------------------------------------------------------------------------

    def read(
        self,
        table: str,
        *,
        codes: Sequence[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        adjusted: bool | None = None,
        columns: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` as a DataFrame, oldest first per code (see ``read_history``)."""
        if table not in {c.table for c in CHARTS.values()} and table != PROGRESS_TABLE:
            raise ValueError(f"{table!r} is not a history table")
        chart = next((c for c in CHARTS.values() if c.table == table), None)
        time = chart.time_key if chart else "updated_at"
        where: list[str] = []
        params: list[Any] = []
        if codes:
            where.append(f"code IN ({', '.join('?' for _ in codes)})")
            params += list(codes)
        if adjusted is not None:
            where.append("adjusted = ?")
            params.append(adjusted)
        if start is not None:
            where.append(f"CAST({time} AS DATE) >= ?")
            params.append(start)
        if end is not None:
            where.append(f"CAST({time} AS DATE) <= ?")
            params.append(end)
        selected = ", ".join(columns) if columns else "*"
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = f"ORDER BY code, {time}" + (", seq DESC" if table.endswith("_tick") else "")
        with self._lock:
            frame: pd.DataFrame = self.con.execute(
                f"SELECT {selected} FROM {table} {clause} {order}", params
            ).df()
        return frame

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any query, as a DataFrame."""
        with self._lock:
            frame: pd.DataFrame = self.con.execute(query, list(params or [])).df()
        return frame

    def export_parquet(
        self, directory: str | Path, tables: Iterable[str] | None = None
    ) -> list[Path]:
        """Each table as ``<directory>/<table>.parquet`` (DuckDB's own writer, zstd)."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for table in tables or self.tables():
            path = out / f"{table}.parquet"
            with self._lock:
                target = str(path).replace("'", "''")
                self.con.execute(
                    f"COPY (SELECT * FROM {table}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
                )
            written.append(path)
        return written

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self.con.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.path)!r}, read_only={self.read_only})"
