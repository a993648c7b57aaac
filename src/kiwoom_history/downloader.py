"""Download chart history into the store: resumable, incremental, paced by the client's limiter.

How a symbol is downloaded (``history_progress`` holds, per table, code, adjusted and scope,
what is stored: rows are always one contiguous run of days, ``oldest`` .. ``newest``):

1. **Nothing stored yet**: page from the end day (``base_dt``) back until a row older than the
   range start, or until the server has nothing older (``cont-yn: N``: the listing date).
2. **Top**: if days after ``through`` may exist (the end asked is later), page from the end day
   back until a page reaches ``through``: only the new days (and the overlap of one page) are
   fetched. ``through`` is the newest day known final: a day still trading when it was fetched
   (before 08:00 KST the next day, which covers US sessions) is fetched again next time.
3. **Bottom**: unless the history is already complete back to the range start (``back_to``, or
   ``listing_reached``), page on from ``base_dt = oldest``: the oldest day is fetched again,
   its rows replace themselves (primary keys), and the walk continues where it stopped.

Each page is written in one transaction together with the symbol's progress, so a run stopped
anywhere (Ctrl-C, kill -9, a lost network) resumes at its last committed page and never stores a
row twice. Tick charts have no date argument: they always page from the newest trade.

Pacing: every request takes its slot from the client's rate limiter (global and per TR); a
bounded number of symbols is in flight (``concurrency``) so that the limit, not the latency, is
the bound. A 1700 (``RateLimitError``) pauses every worker with a growing back-off and retries
the same page; connection errors, timeouts and 5xx answers are retried a few times, then the
symbol is recorded as failed (``history_progress.error``) and the others go on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from kiwoom_history.charts import Chart
from kiwoom_history.schema import TableSchema
from kiwoom_history.store import HistoryStore, Progress
from kiwoom_runtime import (
    APIConnectionError,
    APITimeoutError,
    ArgumentError,
    HTTPStatusError,
    InvalidResponseError,
    KiwoomError,
    PagingError,
    RateLimitError,
    logger,
)
from kiwoom_runtime.values import KST

__all__ = [
    "ALL_HISTORY",
    "MARKETS",
    "DownloadReport",
    "DownloadStats",
    "Downloader",
    "list_market",
]

ALL_HISTORY = dt.date(1900, 1, 1)
"""The start of a download without one: back to each symbol's listing."""

#: ``--market`` names -> ka10099 시장구분 values (코스피 answers its ETFs too, as live).
MARKETS: Mapping[str, tuple[str, ...]] = {
    "kospi": ("0",),
    "kosdaq": ("10",),
    "etf": ("8",),
    "all": ("0", "10"),
}
_FINAL_AFTER = dt.time(8, 0)  # a day's bars are final by 08:00 KST the next day (US included)
_TRANSIENT = (APIConnectionError, APITimeoutError, InvalidResponseError)


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _day(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@attrs.define
class DownloadStats:
    """Running counters, handed to ``on_progress`` after every page."""

    table: str
    symbols_total: int
    symbols_done: int = 0
    symbols_failed: int = 0
    pages: int = 0
    rows: int = 0
    requests: int = 0
    rate_limited: int = 0
    """1700 answers that reached the downloader (each paused every worker, then retried)."""
    retries: int = 0
    started: float = attrs.field(factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def eta(self) -> float | None:
        """Seconds left, from the pace of the symbols done so far (None before the first)."""
        if self.symbols_done == 0:
            return None
        left = self.symbols_total - self.symbols_done
        return self.elapsed / self.symbols_done * left


@attrs.frozen
class DownloadReport:
    """What a run did."""

    table: str
    symbols: int
    completed: int
    failed: Mapping[str, str]
    """code -> why it gave up (also in ``history_progress.error``)."""
    pages: int
    rows: int
    """Rows received and written (a resumed page's overlap counts again)."""
    requests: int
    rate_limited: int
    retries: int
    elapsed: float

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        failed = f", {len(self.failed)} failed" if self.failed else ""
        return (
            f"{self.table}: {self.completed}/{self.symbols} symbols{failed}, {self.pages} pages, "
            f"{self.rows} rows in {self.elapsed:.1f} s ({self.requests} requests, "
            f"{self.rate_limited} rate-limited)"
        )


@attrs.define
class _Walk:
    """One pass over pages of one symbol."""

    oldest: str | None = None
    newest: str | None = None
    finished: bool = False
    listing_reached: bool = False
    last_stamp: str | None = None
    """Tick charts: the time of the last row, and how many rows had it (``seq``)."""
    same_stamp: int = 0


class Downloader:
    """Downloads one chart for many symbols into a :class:`HistoryStore`.

    ``client`` is a ``kiwoom_typed.AsyncClient`` (its limiter paces every request); build it
    with ``max_retries=0`` to let the downloader see every 1700 and pause all workers.
    """

    def __init__(
        self,
        client: Any,
        store: HistoryStore,
        *,
        concurrency: int = 4,
        max_retries: int = 6,
        on_progress: Callable[[DownloadStats], None] | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(KST),
    ) -> None:
        if concurrency < 1:
            raise ArgumentError("concurrency", f"must be >= 1, got {concurrency}")
        self.client = client
        self.store = store
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.on_progress = on_progress
        self._now = now
        self._resume_at = 0.0
        self._refusals_in_a_row = 0

    async def run(
        self,
        chart: Chart,
        codes: Sequence[str],
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        adjusted: bool = True,
        scope: int = 1,
        exchanges: Mapping[str, str] | None = None,
    ) -> DownloadReport:
        """Download ``codes`` from ``start`` (default: all history) to ``end`` (default:
        today, Korea time); what is stored already is not fetched again."""
        from kiwoom_typed import REGISTRY

        end = end or self._now().date()
        start = start or ALL_HISTORY
        if start > end:
            raise ArgumentError("start", f"{start} is after the end {end}")
        schema = self.store.ensure(chart)
        unique = list(dict.fromkeys(codes))
        stats = DownloadStats(chart.table, len(unique))
        failed: dict[str, str] = {}
        queue: asyncio.Queue[str] = asyncio.Queue()
        for code in unique:
            queue.put_nowait(code)
        job = _Job(
            chart,
            schema,
            REGISTRY[chart.api_id],
            chart.list_key(),
            start,
            end,
            adjusted,
            scope if chart.intraday else 0,
            dict(exchanges or {}),
        )

        async def worker() -> None:
            while True:
                try:
                    code = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    await self._symbol(job, code, stats)
                except KiwoomError as exc:
                    failed[code] = str(exc)
                    stats.symbols_failed += 1
                    logger.warning("%s %s: giving up: %s", chart.table, code, exc)
                    self._record_error(job, code, str(exc))
                stats.symbols_done += 1
                self._report(stats)

        workers = [asyncio.create_task(worker()) for _ in range(min(self.concurrency, len(unique)))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
        return DownloadReport(
            chart.table,
            len(unique),
            len(unique) - len(failed),
            failed,
            stats.pages,
            stats.rows,
            stats.requests,
            stats.rate_limited,
            stats.retries,
            stats.elapsed,
        )

    # -- one symbol ---------------------------------------------------------------------

    async def _symbol(self, job: _Job, code: str, stats: DownloadStats) -> None:
        chart = job.chart
        progress = self.store.progress(chart.table, code, job.adjusted, job.scope)
        if progress is None or (progress.oldest is None and not progress.listing_reached):
            fresh = Progress(chart.table, code, job.adjusted, job.scope, chart.api_id)
            await self._walk(job, code, job.end, None, fresh, stats)
            return
        if progress.through is None or job.end > progress.through:
            progress = await self._walk(job, code, job.end, progress.through, progress, stats)
        if not progress.complete_back_to(job.start):
            # Tick charts take no date: their walk back starts at the newest trade again.
            begin = progress.oldest if chart.date_arg is not None else None
            await self._walk(job, code, begin or job.end, None, progress, stats, bottom=True)

    def _through(self, newest: str | None, end: dt.date) -> dt.date:
        """The newest day known final: the end, or the day before while the end may still
        trade; never past the newest row the server had (it may not have later days yet)."""
        now = self._now()
        final = now >= dt.datetime.combine(end + dt.timedelta(days=1), _FINAL_AFTER, KST)
        cap = end if final else end - dt.timedelta(days=1)
        return min(cap, _day(newest)) if newest else cap

    def _progress(
        self,
        job: _Job,
        base: Progress,
        walk: _Walk,
        rows: int,
        *,
        top: dt.date | None,
        bottom: bool,
    ) -> Progress:
        """The symbol's progress once this page is stored.

        A walk from the end with nothing stored (``top`` None, not ``bottom``) sets the
        coverage as it goes; a walk over the days after ``top`` (the old ``through``) moves
        the coverage up only once it reached them, so the stored days stay one contiguous run;
        a walk back (``bottom``) extends ``oldest`` page by page.
        """
        changed = attrs.evolve(
            base, rows=base.rows + rows, pages=base.pages + 1, updated_at=self._now(), error=None
        )
        stored = (
            _ymd(base.oldest) if base.oldest else None,
            _ymd(base.newest) if base.newest else None,
        )
        oldest = min(filter(None, (walk.oldest, stored[0])), default=None)
        newest = max(filter(None, (walk.newest, stored[1])), default=None)
        if top is not None and not walk.finished:
            return changed  # the new days are not all in yet
        changed = attrs.evolve(
            changed,
            oldest=_day(oldest) if oldest else None,
            newest=_day(newest) if newest else None,
        )
        if not bottom:
            changed = attrs.evolve(changed, through=self._through(newest, job.end))
        if walk.finished and top is None:
            changed = attrs.evolve(
                changed,
                back_to=job.start if not walk.listing_reached else base.back_to,
                listing_reached=walk.listing_reached,
            )
        return changed

    # -- pages ----------------------------------------------------------------------------

    async def _walk(
        self,
        job: _Job,
        code: str,
        end: dt.date,
        top: dt.date | None,
        progress: Progress,
        stats: DownloadStats,
        *,
        bottom: bool = False,
    ) -> Progress:
        """Pages from ``end`` back, each written with the progress it makes, until a row
        older than the start, the end of the history, or (``top``: the stored ``through``) a
        page reaching the days already stored. Returns the last progress written."""
        chart, key_field = job.chart, job.chart.time_key
        arguments = chart.arguments(
            code,
            end=_ymd(end),
            adjusted=job.adjusted,
            scope=job.scope or None,
            exchange=job.exchanges.get(code),
        )
        request = job.info.build_request(arguments)
        stop_at = _ymd(top) if top is not None else None
        # Over the days after ``through`` the rows down to it are kept even before the start,
        # so that the stored days stay one run.
        first = min(_ymd(job.start), stop_at) if stop_at else _ymd(job.start)
        # Walking back from the oldest stored day keeps every row down to the start, even
        # after an earlier end (an older window asked later): the stored days stay one run.
        stored = progress.oldest if bottom else None
        last = _ymd(max(job.end, stored) if stored else job.end)
        walk = _Walk()
        stats_first = True
        seen: set[str] = set()
        next_key: str | None = None
        while True:
            raw = await self._fetch(job, request, next_key, stats)
            rows: list[dict[str, Any]] = (raw.body or {}).get(job.list_key) or []
            kept = []
            reached_start = False
            for row in rows:
                day = str(row.get(key_field) or "")[:8]
                if day < first:
                    reached_start = True
                    break  # rows are newest first: the rest are older still
                if day <= last:
                    kept.append(row)
            if kept:
                top_day, bottom_day = str(kept[0][key_field])[:8], str(kept[-1][key_field])[:8]
                walk.newest = max(walk.newest or top_day, top_day)
                walk.oldest = min(walk.oldest or bottom_day, bottom_day)
            more = raw.cont_yn
            closed = stop_at is not None and bool(rows)
            closed = closed and str(rows[-1].get(key_field))[:8] <= str(stop_at)
            walk.finished = not more or reached_start or closed
            walk.listing_reached = not more and not reached_start and stop_at is None
            seq = self._sequence(walk, kept) if chart.interval == "tick" else None
            progress = self._progress(job, progress, walk, len(kept), top=top, bottom=bottom)
            # The first page over the days after ``through`` replaces what was stored of them
            # (days fetched while they still traded); older rows are final and stay.
            replace = top if top is not None and stats_first else None
            stats_first = False
            # Parsing and writing off the event loop: a page takes tens of ms, and a blocked
            # loop would send the other workers' requests late (lost rate-limit slots).
            await asyncio.to_thread(self._store_page, job, code, kept, seq, progress, replace)
            stats.pages += 1
            stats.rows += len(kept)
            self._report(stats)
            if walk.finished:
                return progress
            next_key = raw.next_key
            if not next_key or next_key in seen:
                problem = f"repeated next-key {next_key!r}" if next_key else "an empty next-key"
                raise PagingError(api_id=chart.api_id, message=f"{code}: the server sent {problem}")
            seen.add(next_key)

    def _store_page(
        self,
        job: _Job,
        code: str,
        rows: list[dict[str, Any]],
        seq: list[int] | None,
        progress: Progress,
        replace_after: dt.date | None,
    ) -> None:
        frame = job.schema.frame(
            rows,
            code=code,
            adjusted=job.adjusted,
            scope=job.scope or None,
            fetched_at=dt.datetime.now(dt.UTC),
            seq=seq,
        )
        self.store.write_page(job.schema, frame, progress, replace_after=replace_after)

    @staticmethod
    def _sequence(walk: _Walk, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Tick rows of the same second get 0, 1, 2 ... from the newest, across pages."""
        out: list[int] = []
        for row in rows:
            stamp = str(row.get("cntr_tm") or "")
            walk.same_stamp = walk.same_stamp + 1 if stamp == walk.last_stamp else 0
            walk.last_stamp = stamp
            out.append(walk.same_stamp)
        return out

    async def _fetch(
        self, job: _Job, request: Any, next_key: str | None, stats: DownloadStats
    ) -> Any:
        """One page, retried: a 1700 pauses every worker (growing back-off) and retries for
        as long as it takes; other transient failures are retried ``max_retries`` times."""
        failures = 0
        while True:
            wait = self._resume_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            stats.requests += 1
            try:
                # _call_raw: the page's JSON rows as sent, without building row models (the
                # store parses each value by its kind); the limiter and token are the client's.
                raw = await self.client._call_raw(
                    job.info.endpoint, request, cont_yn=next_key is not None, next_key=next_key
                )
            except RateLimitError as exc:
                stats.rate_limited += 1
                self._refusals_in_a_row += 1
                # Limits are per second: a pause of up to 2 s lets the window clear; doubling
                # from 0.1 s keeps a lone refusal cheap.
                pause = min(2.0, 0.1 * 2 ** min(self._refusals_in_a_row - 1, 5))
                pause = max(pause, exc.retry_after or 0.0)
                self._resume_at = max(self._resume_at, time.monotonic() + pause)
                logger.info(
                    "%s: rate limited (1700); every worker pauses %.2fs", job.chart.api_id, pause
                )
                continue
            except (*_TRANSIENT, HTTPStatusError) as exc:
                if isinstance(exc, HTTPStatusError) and exc.status_code < 500:
                    raise
                failures += 1
                stats.retries += 1
                if failures > self.max_retries:
                    raise
                await asyncio.sleep(min(5.0, 0.2 * 2 ** (failures - 1)))
                continue
            self._refusals_in_a_row = 0
            return raw

    # -- bookkeeping ----------------------------------------------------------------------

    def _report(self, stats: DownloadStats) -> None:
        if self.on_progress is not None:
            self.on_progress(stats)

    def _record_error(self, job: _Job, code: str, error: str) -> None:
        table = job.chart.table
        progress = self.store.progress(table, code, job.adjusted, job.scope)
        base = progress or Progress(table, code, job.adjusted, job.scope, job.chart.api_id)
        self.store.set_progress(attrs.evolve(base, error=error[:500], updated_at=self._now()))


@attrs.frozen
class _Job:
    chart: Chart
    schema: TableSchema
    info: Any
    list_key: str
    start: dt.date
    end: dt.date
    adjusted: bool
    scope: int
    exchanges: dict[str, str]


async def list_market(client: Any, asset: str, market: str) -> tuple[list[str], dict[str, str]]:
    """The codes of a whole market (ka10099 by 시장구분; US: usa10099) and, for US tickers,
    their exchange (NA, ND, NY)."""
    if asset == "us":
        codes: list[str] = []
        exchanges: dict[str, str] = {}
        async for item in client.paginate("usa10099", stex_tp="%").items():
            if item.stk_cd:
                codes.append(item.stk_cd)
                exchanges[item.stk_cd] = item.stex_tp or "ND"
        return codes, exchanges
    if asset != "stock":
        raise ArgumentError("market", f"markets are listed for stock and us, not {asset!r}")
    kinds = MARKETS.get(market.lower())
    if kinds is None:
        raise ArgumentError("market", f"expected one of {', '.join(MARKETS)}, got {market!r}")
    found: list[str] = []
    for kind in kinds:
        async for item in client.paginate("ka10099", mrkt_tp=kind).items():
            if item.code:
                found.append(item.code)
    return list(dict.fromkeys(found)), {}
