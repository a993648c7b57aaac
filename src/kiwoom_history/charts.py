"""The chart TRs a history download uses: one documented table, checked against the specs.

Why a table: the runtime knows no TR, but a downloader has to know which TR gives daily bars of
a stock and which argument carries the date to page back from. The facts are few and stable,
so they are written down here once (``CHARTS``) and ``tests/history/test_charts.py`` checks
each row against the specs: the TR's menu is 차트, its Korean name says the interval, its
request has the arguments named here and its rows the time field. The columns of each table
come from the generated row models (``FRAME_COLUMNS``: wire key and value kind from the specs),
not from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kiwoom_history.names import ASSETS, INTERVALS, Asset, Interval
from kiwoom_runtime import ArgumentError
from kiwoom_runtime.frames import FrameColumns

__all__ = ["ASSETS", "CHARTS", "INTERVALS", "TODAY_ONLY", "Asset", "Chart", "Interval", "chart_for"]


@attrs.frozen
class Chart:
    """One chart TR as the downloader calls it."""

    api_id: str
    asset: Asset
    interval: Interval
    code_arg: str
    """The argument naming the symbol: ``stk_cd`` or ``inds_cd``."""
    time_key: str
    """The row field dating each bar: ``dt`` (a date) or ``cntr_tm`` (a date-time)."""
    date_arg: str | None = None
    """The argument rows end at (``base_dt``; the US charts' ``strt_dt``); None for tick
    charts, which always start at the newest trade."""
    scope_arg: str | None = None
    """``tic_scope``: minutes (or trades) per bar of an intraday chart."""
    adjust_arg: str | None = "upd_stkpc_tp"
    """수정주가구분: "1" adjusted prices, "0" raw; None where the TR has no such choice."""
    exchange_arg: str | None = None
    """``stex_tp`` of the US charts: the ticker's exchange (NA, ND, NY)."""

    @property
    def table(self) -> str:
        """The table it fills: ``stock_daily``, ``sector_minute``, ``us_weekly`` ..."""
        return f"{self.asset}_{self.interval}"

    @property
    def intraday(self) -> bool:
        return self.interval in ("tick", "minute")

    def columns(self) -> FrameColumns:
        """(Python name, wire key, value kind) of each row field, from the generated model."""
        from kiwoom_typed import REGISTRY

        info = REGISTRY[self.api_id]
        empty = info.response_type.from_dict({})
        columns: FrameColumns = empty._frame_parts()[1]
        return columns

    def list_key(self) -> str:
        from kiwoom_typed import REGISTRY

        key = REGISTRY[self.api_id].endpoint.list_key
        assert key is not None, f"{self.api_id} has no LIST"
        return key

    def arguments(
        self,
        code: str,
        *,
        end: str | None,
        adjusted: bool,
        scope: int | None,
        exchange: str | None = None,
    ) -> dict[str, Any]:
        """The Python-named arguments of one request (``end`` as YYYYMMDD)."""
        args: dict[str, Any] = {self.code_arg: code}
        if self.date_arg is not None and end is not None:
            args[self.date_arg] = end
        if self.adjust_arg is not None:
            args[self.adjust_arg] = "1" if adjusted else "0"
        if self.scope_arg is not None:
            args[self.scope_arg] = str(scope or 1)
        if self.exchange_arg is not None:
            args[self.exchange_arg] = exchange or "ND"
        return args


def _stock(api_id: str, interval: Interval, **kw: Any) -> Chart:
    time_key = "cntr_tm" if interval in ("tick", "minute") else "dt"
    return Chart(api_id, "stock", interval, "stk_cd", time_key, **kw)


def _sector(api_id: str, interval: Interval, **kw: Any) -> Chart:
    time_key = "cntr_tm" if interval in ("tick", "minute") else "dt"
    return Chart(api_id, "sector", interval, "inds_cd", time_key, adjust_arg=None, **kw)


def _us(api_id: str, interval: Interval, **kw: Any) -> Chart:
    time_key = "cntr_tm" if interval in ("tick", "minute") else "dt"
    return Chart(api_id, "us", interval, "stk_cd", time_key, exchange_arg="stex_tp", **kw)


def _gold(api_id: str, interval: Interval, **kw: Any) -> Chart:
    time_key = "cntr_tm" if interval in ("tick", "minute") else "dt"
    return Chart(api_id, "gold", interval, "stk_cd", time_key, **kw)


_DAY = {"date_arg": "base_dt"}
_TICK = {"scope_arg": "tic_scope"}
_MINUTE = {"scope_arg": "tic_scope", "date_arg": "base_dt"}
_US_DAY = {"date_arg": "strt_dt"}

#: Every chart TR: (asset, interval) -> Chart. The US charts' ``strt_dt`` (시작일자) is read
#: as the day rows end at, like ``base_dt`` (the sandbox does the same; unconfirmed live).
CHARTS: Mapping[tuple[Asset, Interval], Chart] = {
    (c.asset, c.interval): c
    for c in (
        _stock("ka10079", "tick", **_TICK),
        _stock("ka10080", "minute", **_MINUTE),
        _stock("ka10081", "daily", **_DAY),
        _stock("ka10082", "weekly", **_DAY),
        _stock("ka10083", "monthly", **_DAY),
        _stock("ka10094", "yearly", **_DAY),
        _sector("ka20004", "tick", **_TICK),
        _sector("ka20005", "minute", **_MINUTE),
        _sector("ka20006", "daily", **_DAY),
        _sector("ka20007", "weekly", **_DAY),
        _sector("ka20008", "monthly", **_DAY),
        _sector("ka20019", "yearly", **_DAY),
        _us("usa06010", "tick", **_TICK),
        _us("usa06011", "minute", scope_arg="tic_scope", date_arg="strt_dt"),
        _us("usa06012", "daily", **_US_DAY),
        _us("usa06013", "weekly", **_US_DAY),
        _us("usa06014", "monthly", **_US_DAY),
        _us("usa06016", "quarterly", **_US_DAY),
        _us("usa06015", "yearly", **_US_DAY),
        # 금현물 minute bars take no date: like ticks, they page from the newest bar.
        _gold("ka50079", "tick", **_TICK),
        _gold("ka50080", "minute", scope_arg="tic_scope"),
        _gold("ka50081", "daily", **_DAY),
        _gold("ka50082", "weekly", **_DAY),
        _gold("ka50083", "monthly", **_DAY),
    )
}
#: Chart TRs left out on purpose: today's bars only (당일), not history.
TODAY_ONLY = frozenset({"ka50091", "ka50092"})


def chart_for(asset: str, interval: str) -> Chart:
    """The chart TR of ``asset`` and ``interval`` (ArgumentError naming what exists)."""
    chart = CHARTS.get((asset, interval))  # type: ignore[arg-type]
    if chart is None:
        known = ", ".join(sorted(i for a, i in CHARTS if a == asset)) or "none"
        raise ArgumentError(
            "chart", f"no {interval!r} chart for {asset!r} (known intervals: {known})"
        )
    return chart
