"""kiwoom_history: market history from the Kiwoom chart APIs into an embedded DuckDB file.

    from kiwoom_history import download, read_history
    report = download(chart="daily", codes=["005930", "000660"], start=date(2024, 1, 1),
                      env="sandbox")                      # or appkey=..., env="prod"
    frame = read_history("history.duckdb", chart="daily", codes=["005930"])

Or ``kiwoom-typed download daily --codes 005930,000660 --from 20240101``. Downloads are
resumable (rerun after any interruption) and incremental (a rerun fetches only new days); see
:mod:`kiwoom_history.download` for how, :mod:`kiwoom_history.schema` for the tables and
:mod:`kiwoom_history.store` for the file. Needs the ``history`` extra (DuckDB, pandas).
"""

from kiwoom_history.api import DEFAULT_DB, download, download_async, read_history
from kiwoom_history.charts import ASSETS, CHARTS, INTERVALS, Chart, chart_for
from kiwoom_history.download import (
    ALL_HISTORY,
    MARKETS,
    Downloader,
    DownloadReport,
    DownloadStats,
    list_market,
)
from kiwoom_history.schema import Column, TableSchema, schema_for
from kiwoom_history.store import PROGRESS_TABLE, HistoryStore, Progress

__all__ = [
    "ALL_HISTORY",
    "ASSETS",
    "CHARTS",
    "DEFAULT_DB",
    "INTERVALS",
    "MARKETS",
    "PROGRESS_TABLE",
    "Chart",
    "Column",
    "DownloadReport",
    "DownloadStats",
    "Downloader",
    "HistoryStore",
    "Progress",
    "TableSchema",
    "chart_for",
    "download",
    "download_async",
    "list_market",
    "read_history",
    "schema_for",
]
