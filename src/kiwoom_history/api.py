"""The one-call entry points: ``download`` / ``download_async`` and ``read_history``."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiwoom_history.charts import chart_for
from kiwoom_history.downloader import Downloader, DownloadReport, DownloadStats, list_market
from kiwoom_history.store import HistoryStore
from kiwoom_runtime import ArgumentError
from kiwoom_runtime.values import KST

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_DB", "download", "download_async", "read_history"]

DEFAULT_DB = "history.duckdb"


async def download_async(
    client: Any,
    *,
    chart: str = "daily",
    asset: str = "stock",
    codes: Sequence[str] | None = None,
    market: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    adjusted: bool = True,
    scope: int = 1,
    db: str | Path | HistoryStore = DEFAULT_DB,
    concurrency: int = 4,
    on_progress: Callable[[DownloadStats], None] | None = None,
) -> DownloadReport:
    """Download a chart into a DuckDB file with an ``AsyncClient`` (its limiter paces it).

    ``chart``: tick, minute, daily, weekly, monthly, quarterly (US), yearly; ``asset``: stock,
    sector, us. ``codes`` or a whole ``market`` (stock: kospi, kosdaq, etf, all; us: us).
    ``start``/``end``: the date range (default: all history up to today, Korea time).
    ``adjusted``: 수정주가 (``upd_stkpc_tp`` 1) or raw prices. ``scope``: minutes or trades per
    intraday bar. Rerun the same call to resume an interrupted download or to fetch what is new.
    """
    kind = chart_for(asset, chart)
    if (codes is None) == (market is None):
        raise ArgumentError("codes", "give either codes or a market")
    exchanges: dict[str, str] = {}
    if market is not None:
        wanted, exchanges = await list_market(client, asset, market)
    else:
        wanted = list(codes or [])
        if asset == "us":
            _, listed = await list_market(client, "us", "us")
            exchanges = {code: listed.get(code, "ND") for code in wanted}
    store = db if isinstance(db, HistoryStore) else HistoryStore(db)
    try:
        downloader = Downloader(client, store, concurrency=concurrency, on_progress=on_progress)
        return await downloader.run(
            kind,
            wanted,
            start=start,
            end=end,
            adjusted=adjusted,
            scope=scope,
            exchanges=exchanges,
        )
    finally:
        if not isinstance(db, HistoryStore):
            store.close()


def download(
    *,
    chart: str = "daily",
    asset: str = "stock",
    codes: Sequence[str] | None = None,
    market: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    adjusted: bool = True,
    scope: int = 1,
    db: str | Path | HistoryStore = DEFAULT_DB,
    concurrency: int = 4,
    on_progress: Callable[[DownloadStats], None] | None = None,
    **client_options: Any,
) -> DownloadReport:
    """:func:`download_async` with an ``AsyncClient(**client_options)`` of its own, built with
    ``max_retries=0`` so that the downloader sees each 1700 and pauses every worker
    (``env="sandbox"``, ``base_url=...``, ``rate_limit=...``; credentials as for any client)."""
    from kiwoom_typed import AsyncClient

    async def run() -> DownloadReport:
        options = {"max_retries": 0, **client_options}
        async with AsyncClient(**options) as client:
            return await download_async(
                client,
                chart=chart,
                asset=asset,
                codes=codes,
                market=market,
                start=start,
                end=end,
                adjusted=adjusted,
                scope=scope,
                db=db,
                concurrency=concurrency,
                on_progress=on_progress,
            )

    return asyncio.run(run())


def read_history(
    db: str | Path = DEFAULT_DB,
    *,
    chart: str = "daily",
    asset: str = "stock",
    codes: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    adjusted: bool | None = None,
    tz: bool = True,
) -> pd.DataFrame:
    """A chart table as a DataFrame, oldest first per code (the file opened read-only).

    Intraday times are Korea time; ``tz=True`` makes them tz-aware (+09:00) like the client's
    own DataFrames, ``tz=False`` leaves them naive as stored.
    """
    table = chart_for(asset, chart)
    with HistoryStore(db, read_only=True) as store:
        frame = store.read(table.table, codes=codes, start=start, end=end, adjusted=adjusted)
    if tz and table.intraday and len(frame):
        frame[table.time_key] = frame[table.time_key].dt.tz_localize(KST)
    return frame
