"""kiwoom_history: market history from the Kiwoom chart APIs into an embedded DuckDB file.

    from kiwoom_history import download, read_history
    report = download(chart="daily", codes=["005930", "000660"], start=date(2024, 1, 1),
                      env="sandbox")                      # or appkey=..., env="prod"
    frame = read_history("history.duckdb", chart="daily", codes=["005930"])

Or ``kiwoom-typed download daily --codes 005930,000660 --from 20240101``. Downloads are
resumable (rerun after any interruption) and incremental (a rerun fetches only new days); see
:mod:`kiwoom_history.downloader` for how, :mod:`kiwoom_history.schema` for the tables and
:mod:`kiwoom_history.store` for the file. Needs the ``history`` extra (DuckDB, pandas).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names load on first access (PEP 562): `kiwoom-typed --help` builds the download parser from
# kiwoom_history.cli without loading the client, DuckDB or pandas.
_EXPORTS = {
    "kiwoom_history.api": ("DEFAULT_DB", "download", "download_async", "read_history"),
    "kiwoom_history.charts": ("ASSETS", "CHARTS", "INTERVALS", "Chart", "chart_for"),
    "kiwoom_history.downloader": (
        "ALL_HISTORY",
        "MARKETS",
        "Downloader",
        "DownloadReport",
        "DownloadStats",
        "list_market",
    ),
    "kiwoom_history.schema": ("Column", "TableSchema", "schema_for"),
    "kiwoom_history.store": ("PROGRESS_TABLE", "HistoryStore", "Progress"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

if TYPE_CHECKING:
    from kiwoom_history.api import DEFAULT_DB, download, download_async, read_history
    from kiwoom_history.charts import ASSETS, CHARTS, INTERVALS, Chart, chart_for
    from kiwoom_history.downloader import (
        ALL_HISTORY,
        MARKETS,
        Downloader,
        DownloadReport,
        DownloadStats,
        list_market,
    )
    from kiwoom_history.schema import Column, TableSchema, schema_for
    from kiwoom_history.store import PROGRESS_TABLE, HistoryStore, Progress


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'kiwoom_history' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
