"""Chart history and symbol lists: what a market-history download reads from the sandbox.

Why: a downloader must be tested against thousands of symbols and years of bars, paged the way
the live service pages them, with the same prices every other TR shows. So chart TRs are served
from the price path (``market.py``) rather than as generic synthetic rows:

* **Which TRs.** A chart is a TR of the menu 차트 whose LIST rows have a date or a time; its
  interval comes from its Korean name (틱, 분, 일, 주, 월, 분기, 년: ``주식일봉차트조회요청``,
  ``업종분봉조회요청``, ``미국주식 주 차트``). Nothing here names a TR.
* **Rows end at the request's date and go back.** ``base_dt`` (or any request date:
  ``strt_dt`` of the US charts) picks the newest row, else the market date; rows are newest
  first, one per business day, week, month, quarter or year (a period's row is dated by its
  first business day and aggregates its days: first open, last close, highest high, lowest
  low, summed volume and value; the current period ends at the requested day), or one per
  ``tic_scope`` minutes or ticks (a tick every 10 seconds of the session).
* **Pages** hold ``SandboxConfig.chart_page_rows`` (600) daily-or-longer rows or
  ``intraday_page_rows`` (900) intraday ones; ``cont-yn: Y`` and a ``next-key`` shaped like the
  live one (``A`` + code + the next row's date or date-time + ``00010000``) lead to the next
  page, until the symbol's listing date (``Symbol.listed_on``) or ``history_start``.
* **Symbol lists.** A 리스트 TR whose rows name symbols and whose request picks a market
  (시장구분 / 거래소구분) answers every listed symbol of that market in one page, as the live
  ka10099 does: 코스피 (with its ETFs), 코스닥 or ETF; a US list every US symbol. A row date
  about listing (상장일) is the symbol's listing date.

Adjusted and raw prices (``upd_stkpc_tp``) are the same: the price path has no corporate
actions.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from codegen.spec import Field, ValueKind
from kiwoom_sandbox.config import SandboxConfig
from kiwoom_sandbox.market import (
    SESSION_MINUTES,
    DailyBar,
    Market,
    business_day,
    business_day_index,
)
from kiwoom_sandbox.meaning import Role, infer_kind
from kiwoom_sandbox.routes import Route
from kiwoom_sandbox.symbols import Symbol, Universe, split_code
from kiwoom_sandbox.synth import ChartRow, Series, chart_body, generate_body

__all__ = [
    "TICKS_PER_MINUTE",
    "ChartPlan",
    "Interval",
    "chart_interval",
    "chart_page",
    "chart_plan",
    "listing_page",
    "listing_plan",
    "period_start",
]

TICKS_PER_MINUTE = 6
"""The sandbox's trades: one every 10 seconds of the session (09:00:10 .. 15:30:00)."""
_TICK_SECONDS = 60 // TICKS_PER_MINUTE
_SESSION_TICKS = SESSION_MINUTES * TICKS_PER_MINUTE
_OPEN = dt.datetime(2000, 1, 1, 9, 0)
_NO_LIMIT = 1 << 62  # aggregated bars have no daily limit: no 상한/하한 sign codes


class Interval(enum.Enum):
    """What one chart row covers."""

    TICK = "tick"
    MINUTE = "minute"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def intraday(self) -> bool:
        return self in (Interval.TICK, Interval.MINUTE)


# The interval word of a chart's Korean name, followed by 봉 or 차트 (주식일봉차트조회요청,
# 업종분봉조회요청, 미국주식 분기 차트); 분기 before 분, and 주식's 주 is not followed by either.
_INTERVAL_RE = re.compile(r"(틱|분기|분|일|주|월|년)\s*(?:봉|차트)")
_INTERVAL_WORDS = {
    "틱": Interval.TICK,
    "분": Interval.MINUTE,
    "일": Interval.DAY,
    "주": Interval.WEEK,
    "월": Interval.MONTH,
    "분기": Interval.QUARTER,
    "년": Interval.YEAR,
}


def chart_interval(name: str, menu: str) -> Interval | None:
    """The interval of a TR from its name, if its menu is 차트 (``None`` otherwise)."""
    parts = [part.strip() for part in menu.split(">")]
    if "차트" not in parts[1:-1]:
        return None
    match = _INTERVAL_RE.search(name)
    return _INTERVAL_WORDS[match.group(1)] if match else None


@attrs.frozen
class ChartPlan:
    """What serving one chart route needs, worked out once from its spec."""

    interval: Interval
    code_field: str
    """The request field naming the symbol, sector or ticker (``stk_cd``, ``inds_cd``)."""
    scope_field: str | None
    """``tic_scope``: minutes (or ticks) per row of an intraday chart."""
    stamp_fields: tuple[tuple[str, str], ...]
    """(LIST, row field) of each row date-time or time, rewritten to the bar's own time (a
    tick has seconds; a chart row needs its date, so it is sent YYYYMMDDHHMMSS)."""


def _code_field(route: Route) -> str | None:
    if route.symbol_fields:
        return route.symbol_fields[0].element
    for field in route.spec.request.body:  # a sector chart: 업종코드 (inds_cd)
        if field.required and (field.kind or infer_kind(field)) is ValueKind.CODE:
            return field.element
    return None


_CHART_PLANS: weakref.WeakKeyDictionary[Route, ChartPlan | None] = weakref.WeakKeyDictionary()
_LISTING_PLANS: weakref.WeakKeyDictionary[Route, ListingPlan | None] = weakref.WeakKeyDictionary()


def chart_plan(route: Route) -> ChartPlan | None:
    """The chart plan of ``route``, or None if it is no chart (see the module docstring);
    worked out on first use and kept as long as the route."""
    if route not in _CHART_PLANS:
        _CHART_PLANS[route] = _chart_plan(route)
    return _CHART_PLANS[route]


def _chart_plan(route: Route) -> ChartPlan | None:
    spec = route.spec
    interval = chart_interval(spec.name, spec.menu or "")
    code_field = _code_field(route)
    if interval is None or code_field is None or not route.list_fields:
        return None
    stamps: list[tuple[str, str]] = []
    for slot in route.plan.slots:
        if slot.rows is None:
            continue
        if slot.series is not (Series.MINUTES if interval.intraday else Series.DAYS):
            return None  # rows that are not bars over time: not a chart we can serve
        for row in slot.rows.slots:
            if row.meaning.role in (Role.TIME, Role.DATETIME):
                stamps.append((slot.element, row.element))
    scope = next(
        (f.element for f in spec.request.body if f.element.endswith("scope") or "범위" in f.korean),
        None,
    )
    return ChartPlan(interval, code_field, scope, tuple(stamps))


# --- bars ------------------------------------------------------------------------------------


@attrs.frozen
class _Row:
    row: ChartRow
    stamp: dt.datetime
    """When the bar ends (intraday) or its date at midnight: the next-key of this row."""


def _first_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _period(day: dt.date, interval: Interval) -> tuple[dt.date, dt.date]:
    """The calendar period (first day, last day) of ``interval`` holding ``day``."""
    if interval is Interval.DAY:
        return day, day
    if interval is Interval.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if interval is Interval.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    months = 3 if interval is Interval.QUARTER else 1
    first_month = (day.month - 1) // months * months + 1
    first = dt.date(day.year, first_month, 1)
    after = first_month + months
    following = dt.date(day.year + (after > 12), (after - 1) % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def period_start(day: dt.date, interval: Interval) -> dt.date:
    """The first business day of ``interval``'s period holding ``day``: the date its chart
    row carries (``day`` itself for daily and intraday charts)."""
    if interval.intraday:
        return day
    return _first_business_day(_period(day, interval)[0])


def _aggregate(bars: Sequence[DailyBar], day: dt.date) -> DailyBar:
    """Bars oldest first -> one bar dated ``day``; its previous close is the one before."""
    return DailyBar(
        day=day,
        open=bars[0].open,
        high=max(b.high for b in bars),
        low=min(b.low for b in bars),
        close=bars[-1].close,
        previous_close=bars[0].previous_close,
        volume=sum(b.volume for b in bars),
        value=sum(b.value for b in bars),
        lower_limit=0,
        upper_limit=_NO_LIMIT,
    )


def _period_rows(
    market: Market,
    code: str,
    interval: Interval,
    end: dt.date,
    start: dt.date,
    count: int,
    as_of: tuple[dt.date, int] | None = None,
) -> tuple[list[_Row], dt.date | None]:
    """Up to ``count`` rows ending at ``end`` (newest first), none before ``start``; and the
    date to continue from, if older rows remain. ``as_of`` (day, session minute): that day's
    bar as it stands then."""

    def bar_of(day: dt.date) -> DailyBar:
        if as_of is not None and day == as_of[0]:
            return market.bar_until(code, day, as_of[1])
        return market.bar(code, day)

    rows: list[_Row] = []
    cursor = end
    while cursor >= start:
        first, _ = _period(cursor, interval)
        first = _first_business_day(max(first, start))
        last = cursor
        while last.weekday() >= 5:
            last -= dt.timedelta(days=1)
        if len(rows) == count:
            return rows, last
        if first <= last:
            days = range(business_day_index(first), business_day_index(last) + 1)
            path = [bar_of(business_day(i)) for i in days]
            bar = path[0] if interval is Interval.DAY else _aggregate(path, first)
            stamp = dt.datetime.combine(first, dt.time())
            rows.append(_Row(ChartRow(business_day_index(first), None, bar), stamp))
        cursor = _period(cursor, interval)[0] - dt.timedelta(days=1)
    return rows, None


def _bar_ends(scope: int) -> list[int]:
    """Session minutes at which bars of ``scope`` minutes end: 5, 10, ..., 390 (the close)."""
    ends = list(range(scope, SESSION_MINUTES + 1, scope))
    if not ends or ends[-1] != SESSION_MINUTES:
        ends.append(SESSION_MINUTES)
    return ends


def _tick_price(market: Market, code: str, day: dt.date, tick: int) -> int:
    """Trade ``tick`` of the day (0-based): on the path from one minute's price to the next."""
    minute, step = divmod(tick, TICKS_PER_MINUTE)
    p0 = market.price_at(code, day, minute)
    p1 = market.price_at(code, day, minute + 1)
    if p0 == p1:
        return p0
    price = p0 + (p1 - p0) * (step + 1) / TICKS_PER_MINUTE
    tick = market.tick_size(code, int(price))  # the grid of the price (1 cent for US)
    return min(max(p0, p1), max(min(p0, p1), round(price / tick) * tick))


def _intraday_bar(
    market: Market, code: str, interval: Interval, day: dt.date, begin: int, end: int
) -> DailyBar:
    """Minutes (or ticks) ``begin`` < m <= ``end`` of ``day`` as one bar."""
    daily = market.bar(code, day)
    if interval is Interval.MINUTE:
        minutes = [market.minute_bar(code, day, m) for m in range(begin + 1, end + 1)]
        opens, closes = minutes[0].open, minutes[-1].close
        high, low = max(m.high for m in minutes), min(m.low for m in minutes)
        volume = sum(m.volume for m in minutes)
    else:
        prices = [_tick_price(market, code, day, t) for t in range(begin, end)]
        opens, closes, high, low = prices[0], prices[-1], max(prices), min(prices)
        volume = (end - begin) * daily.volume // _SESSION_TICKS
    return attrs.evolve(
        daily, open=opens, high=high, low=low, close=closes, volume=volume, value=volume * closes
    )


def _intraday_rows(
    market: Market,
    code: str,
    interval: Interval,
    scope: int,
    end: dt.datetime,
    start: dt.date,
    count: int,
) -> tuple[list[_Row], dt.datetime | None]:
    """Up to ``count`` bars of ``scope`` minutes (ticks) ending at or before ``end``."""
    per_second = 60 if interval is Interval.MINUTE else _TICK_SECONDS
    ends = (
        _bar_ends(scope)
        if interval is Interval.MINUTE
        else list(range(scope, _SESSION_TICKS + 1, scope))
        + ([_SESSION_TICKS] if _SESSION_TICKS % scope else [])
    )
    rows: list[_Row] = []
    day = end.date()
    offset = (end - dt.datetime.combine(day, _OPEN.time())).total_seconds() // per_second
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
        offset = ends[-1]
    while day >= start:
        index = business_day_index(day)
        positions = [e for e in ends if e <= offset]
        for position in reversed(positions):
            stamp = dt.datetime.combine(day, _OPEN.time()) + dt.timedelta(
                seconds=position * per_second
            )
            if len(rows) == count:
                return rows, stamp
            before = ends[ends.index(position) - 1] if position != ends[0] else 0
            bar = _intraday_bar(market, code, interval, day, before, position)
            minute = position if interval is Interval.MINUTE else -(-position // TICKS_PER_MINUTE)
            rows.append(_Row(ChartRow(index, minute, bar), stamp))
        day = business_day(index - 1)
        offset = ends[-1]
    return rows, None


# --- pages -----------------------------------------------------------------------------------


def _next_key(code: str, stamp: dt.datetime, intraday: bool) -> str:
    text = stamp.strftime("%Y%m%d%H%M%S" if intraday else "%Y%m%d")
    return f"A{code}{text}00010000"


def _key_stamp(key: str, code: str, intraday: bool) -> dt.datetime | None:
    """The date (-time) a next-key continues from, or None if it is not this code's key."""
    width = 14 if intraday else 8
    head = f"A{code}"
    text = key[len(head) : len(head) + width]
    if not key.startswith(head) or len(text) != width or not text.isdigit():
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S" if intraday else "%Y%m%d")
    except ValueError:
        return None


def _date_elements(route: Route) -> set[str]:
    return {f.element for f in route.date_fields}


def _scope(plan: ChartPlan, request: Mapping[str, Any]) -> int:
    text = str(request.get(plan.scope_field, "") if plan.scope_field else "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else 1


@attrs.frozen
class ChartAnswer:
    """A chart page (the body without the envelope) and the next-key, if more remain."""

    body: dict[str, Any]
    next_key: str | None


def chart_page(
    config: SandboxConfig,
    market: Market,
    route: Route,
    plan: ChartPlan,
    request: Mapping[str, Any],
    day: dt.date,
    next_key: str | None,
    *,
    as_of: tuple[dt.date, int] | None = None,
) -> ChartAnswer | None:
    """One page of ``route``'s history for ``request``; None for a next-key it did not give.

    ``day`` is the answer's day (the request's date or the market date); a ``next_key`` (of a
    continued request) replaces it with the row to continue from. ``as_of`` (day, session
    minute; the paper-trading clock): nothing later than that moment, and that day's bar as it
    stands then.
    """
    code = str(request.get(plan.code_field, "")).strip()
    base, _ = split_code(code)
    intraday = plan.interval.intraday
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    if next_key is not None:
        stamp = _key_stamp(next_key, base, intraday)
        if stamp is None:
            return None
        end = stamp if intraday else dt.datetime.combine(stamp.date(), dt.time(23, 59, 59))
    if as_of is not None:
        clock_day, minute = as_of
        if minute < 0:  # before the open: the day has no bar yet
            now = dt.datetime.combine(clock_day - dt.timedelta(days=1), dt.time(23, 59, 59))
        else:
            opened = dt.datetime.combine(clock_day, _OPEN.time())
            now = opened + dt.timedelta(minutes=min(minute, SESSION_MINUTES))
            if not intraday or minute > SESSION_MINUTES:
                now = dt.datetime.combine(clock_day, dt.time(23, 59, 59))
        end = min(end, now)
    start = max(config.history_start, market.symbol(base).listed_on)
    more: dt.datetime | dt.date | None
    if intraday:
        rows, more = _intraday_rows(
            market,
            base,
            plan.interval,
            _scope(plan, request),
            end,
            start,
            config.intraday_page_rows,
        )
    else:
        rows, more = _period_rows(
            market, base, plan.interval, end.date(), start, config.chart_page_rows, as_of
        )
    body = chart_body(
        route.spec.response.body,
        api_id=route.api_id,
        request=request,
        market=market,
        day=day,
        code=code,
        plan=route.plan,
        rows=[r.row for r in rows],
        row_request={k: v for k, v in request.items() if k not in _date_elements(route)},
    )
    for list_key, field in plan.stamp_fields:  # the bar's own time, to the second
        for row, built in zip(body.get(list_key) or (), rows, strict=True):
            row[field] = built.stamp.strftime("%Y%m%d%H%M%S")
    if more is None:
        return ChartAnswer(body, None)
    stamp = more if isinstance(more, dt.datetime) else dt.datetime.combine(more, dt.time())
    return ChartAnswer(body, _next_key(base, stamp, intraday))


# --- symbol lists ------------------------------------------------------------------------------

_MARKET_WORDS = (("코스피", ("KOSPI", "ETF")), ("코스닥", ("KOSDAQ",)), ("ETF", ("ETF",)))


@attrs.frozen
class ListingPlan:
    """A TR that lists a market's symbols: its market selector and its listing-date fields."""

    market_field: Field
    us: bool
    listed_fields: tuple[tuple[str, str], ...]


def listing_plan(route: Route) -> ListingPlan | None:
    """The listing plan of ``route``, or None if it does not list a market's symbols."""
    if route not in _LISTING_PLANS:
        _LISTING_PLANS[route] = _listing_plan(route)
    return _LISTING_PLANS[route]


def _listing_plan(route: Route) -> ListingPlan | None:
    spec = route.spec
    if "리스트" not in spec.name or route.symbol_fields:
        return None
    selector = next(
        (f for f in spec.request.body if f.korean.replace(" ", "") in ("시장구분", "거래소구분")),
        None,
    )
    if selector is None:
        return None
    lists = [slot for slot in route.plan.slots if slot.rows is not None]
    listed: list[tuple[str, str]] = []
    for slot in lists:
        assert slot.rows is not None
        roles = {row.meaning.role for row in slot.rows.slots}
        if slot.series is not Series.SYMBOLS or not {Role.SYMBOL_CODE, Role.SYMBOL_NAME} <= roles:
            return None
        listed += [
            (slot.element, r.element)
            for r in slot.rows.slots
            if r.meaning.role is Role.DATE and "상장" in r.field.korean  # 상장일, not 상장주식수
        ]
    if not lists:
        return None
    return ListingPlan(selector, spec.url.startswith("/api/us/"), tuple(listed))


def listed_symbols(
    universe: Universe, plan: ListingPlan, request: Mapping[str, Any]
) -> list[Symbol]:
    """The symbols of the market the request picks (an unknown market: none)."""
    if plan.us:
        return list(universe.us)
    value = str(request.get(plan.market_field.element, "")).strip()
    meaning = (plan.market_field.values or {}).get(value, value)
    if value in ("%", "") or "전체" in meaning:
        return list(universe.symbols)
    for word, markets in _MARKET_WORDS:
        if word in meaning.upper():
            return [s for s in universe.symbols if s.market in markets]
    return []


def listing_page(
    market: Market, route: Route, plan: ListingPlan, request: Mapping[str, Any], day: dt.date
) -> dict[str, Any]:
    """Every symbol of the requested market in one page (the body without the envelope)."""
    symbols = listed_symbols(market.universe, plan, request)
    body = generate_body(
        route.spec.response.body,
        api_id=route.api_id,
        request=request,
        rows_per_page=len(symbols),
        market=market,
        day=day,
        codes=[s.code for s in symbols],
        plan=route.plan,
    )
    for list_key, field in plan.listed_fields:
        for row, symbol in zip(body.get(list_key) or (), symbols, strict=True):
            row[field] = symbol.listed_on.strftime("%Y%m%d")
    return body
