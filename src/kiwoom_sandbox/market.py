"""The sandbox's market: one deterministic price path per symbol, shared by every API.

Why: a quant who reads the current price from 주식기본정보 and the latest close from a daily
chart must see the same number, and a later order, history download or real-time feed must see
it too. So prices are not invented per answer; they come from here, a pure function of
``(seed, symbol, day)`` (and the minute, intraday).

The model, kept simple on purpose:

* **Days** are business days (Monday to Friday; exchange holidays are not modelled). A weekend
  date means the Friday before it.
* **Daily closes** follow a random walk in log space with a slight pull back to the symbol's
  price level, a per-symbol volatility (1 % to 2.8 % a day), and rare limit-up/limit-down
  days. The walk is anchored at ``ANCHOR_DAY`` (close = ``Symbol.anchor_price``) and runs
  forward and backward from there, so any date is reachable, and adding days never changes
  earlier ones.
* **KRX rules**: every price sits on the tick grid of its band (``tick_size``: 1 won below
  2,000, ..., 1,000 won from 500,000; ETFs 1 or 5 won), and each close stays within ±30 % of
  the previous close (``price_limits``; the limits are rounded inwards to the tick grid).
* **Daily bars**: open, high, low, close, previous close, volume and traded value; ``high``
  is the highest price of the intraday path and ``low`` the lowest.
* **Intraday**: ``price_at(symbol, day, minute)`` for minute 0 (09:00, the open) to 390 (15:30,
  the close); the path touches the day's high and low once each and never leaves them.

Public API::

    tick_size(price, *, etf=False) -> int          floor_to_tick / ceil_to_tick / round_to_tick
    price_limits(previous_close, *, etf=False) -> (lower, upper)
    business_day(index) / business_day_index(day) / business_days_back(day, n)
    minute_time(minute) -> datetime.time
    Market(seed=0, universe=DEFAULT_UNIVERSE)
        .symbol(code) -> Symbol             (listed, or made up from the code)
        .close(code, day) -> int
        .bar(code, day) -> DailyBar          (.change, .change_rate, .sign_code, limits, ...)
        .bars(code, day, count) -> list[DailyBar]   newest first
        .price_at(code, day, minute) -> int
        .minute_bar(code, day, minute) -> MinuteBar
        .extremes(code, day, days) -> Extremes      highest high / lowest low and their days

Everything is thread-safe; closes are cached per symbol (a list per direction from the anchor).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import threading
from decimal import ROUND_HALF_UP, Decimal

import attrs

from kiwoom_sandbox.symbols import DEFAULT_UNIVERSE, Symbol, Universe, split_code

# --- the KRX grid ------------------------------------------------------------------------------

# (upper bound exclusive, tick) for stocks since 2023-01-25, KOSPI and KOSDAQ alike.
_STOCK_TICKS = (
    (2_000, 1),
    (5_000, 5),
    (20_000, 10),
    (50_000, 50),
    (200_000, 100),
    (500_000, 500),
)
_TOP_TICK = 1_000
LIMIT_RATE = Decimal("0.30")
"""Daily price limit: ±30 % of the previous close."""


def tick_size(price: int, *, etf: bool = False) -> int:
    """호가가격단위: the price step for ``price`` (won)."""
    if etf:
        return 1 if price < 2_000 else 5
    for bound, tick in _STOCK_TICKS:
        if price < bound:
            return tick
    return _TOP_TICK


def floor_to_tick(price: float, *, etf: bool = False) -> int:
    """The highest grid price at or below ``price`` (never below 1)."""
    whole = max(1, math.floor(price))
    tick = tick_size(whole, etf=etf)
    return max(1, whole - whole % tick)


def ceil_to_tick(price: float, *, etf: bool = False) -> int:
    """The lowest grid price at or above ``price``."""
    whole = max(1, math.ceil(price))
    tick = tick_size(whole, etf=etf)
    rest = whole % tick
    return whole if rest == 0 else whole + tick - rest


def round_to_tick(price: float, *, etf: bool = False) -> int:
    """The nearest grid price (band edges are multiples of the larger tick, so this is exact)."""
    down = floor_to_tick(price, etf=etf)
    up = ceil_to_tick(price, etf=etf)
    return up if up - price < price - down else down


def price_limits(previous_close: int, *, etf: bool = False) -> tuple[int, int]:
    """(하한가, 상한가): ±30 % of the previous close, rounded inwards to the grid."""
    # Integer arithmetic: a float 1.3 * 10,000 may land a hair under 13,000 and floor wrongly.
    upper = floor_to_tick(previous_close * 13 // 10, etf=etf)
    lower = ceil_to_tick(-((-previous_close * 7) // 10), etf=etf)
    return lower, max(upper, previous_close)


# --- business days -----------------------------------------------------------------------------

DEFAULT_MARKET_DATE = dt.date(2025, 1, 31)
"""The sandbox's default trading day (a Friday): answers describe its close."""
_MONDAY = dt.date(2024, 12, 30)  # business day 0; any Monday would do
ANCHOR_DAY = _MONDAY
"""The day whose close is ``Symbol.anchor_price``; the walk runs both ways from it."""
SESSION_MINUTES = 390
"""09:00 (minute 0, the open) to 15:30 (minute 390, the close)."""
_OPEN = dt.datetime(2000, 1, 1, 9, 0)


def business_day_index(day: dt.date) -> int:
    """Business days since ``ANCHOR_DAY`` (negative before it); a weekend counts as Friday."""
    weeks, weekday = divmod(day.toordinal() - _MONDAY.toordinal(), 7)
    return weeks * 5 + min(weekday, 4)


def business_day(index: int) -> dt.date:
    """The inverse of ``business_day_index``."""
    weeks, rest = divmod(index, 5)
    return dt.date.fromordinal(_MONDAY.toordinal() + weeks * 7 + rest)


def business_days_back(day: dt.date, n: int) -> dt.date:
    """The business day ``n`` business days before ``day`` (0: ``day``, or its Friday)."""
    return business_day(business_day_index(day) - n)


def minute_time(minute: int) -> dt.time:
    """Minute 0 is 09:00, minute 390 is 15:30."""
    return (_OPEN + dt.timedelta(minutes=minute)).time()


# --- deterministic noise -------------------------------------------------------------------------

_MASK = (1 << 64) - 1


def mix64(x: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread 64-bit hash (random access by day/slot)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _uniform(key: int, index: int, slot: int) -> float:
    """A number in [0, 1) for (symbol key, day index, slot)."""
    return (mix64(key ^ mix64((index * 1024 + slot) & _MASK)) >> 11) / 9007199254740992.0


def _gauss(key: int, index: int, slot: int) -> float:
    """A standard normal draw (Box-Muller on two uniforms)."""
    u1 = 1.0 - _uniform(key, index, slot)
    u2 = _uniform(key, index, slot + 512)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# --- bars -----------------------------------------------------------------------------------------


def _rate(change: int, base: int) -> Decimal:
    if base == 0:
        return Decimal("0.00")
    return (Decimal(change) * 100 / Decimal(base)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@attrs.frozen
class DailyBar:
    """One day of one symbol. Prices in won, on the tick grid."""

    day: dt.date
    open: int
    high: int
    low: int
    close: int
    previous_close: int
    """기준가: the close of the business day before."""
    volume: int
    """Shares traded."""
    value: int
    """Won traded (거래대금), volume times the day's typical price."""
    lower_limit: int
    upper_limit: int

    @property
    def change(self) -> int:
        """전일대비: close minus the previous close."""
        return self.close - self.previous_close

    @property
    def change_rate(self) -> Decimal:
        """등락률 in percent, two decimals (``Decimal('1.23')``)."""
        return _rate(self.change, self.previous_close)

    @property
    def sign_code(self) -> str:
        """대비기호 of the close: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락."""
        return sign_code(self.close, self.previous_close, self.lower_limit, self.upper_limit)


def sign_code(price: int, reference: int, lower: int, upper: int) -> str:
    """대비기호 of ``price`` against ``reference`` (1 상한, 2 상승, 3 보합, 4 하한, 5 하락)."""
    if price > reference:
        return "1" if price >= upper else "2"
    if price < reference:
        return "4" if price <= lower else "5"
    return "3"


@attrs.frozen
class MinuteBar:
    """The minute ending at ``minute`` (1 is 09:00-09:01, 390 ends at the 15:30 close)."""

    day: dt.date
    minute: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    previous_close: int
    """The day's 기준가, so signs of minute prices compare with the previous close."""

    @property
    def time(self) -> dt.time:
        return minute_time(self.minute)


@attrs.frozen
class Extremes:
    """The highest high and the lowest low over a window of business days, with their days."""

    high: int
    high_day: dt.date
    low: int
    low_day: dt.date


# --- the market -----------------------------------------------------------------------------------

_REVERSION = 0.01  # pull of the log price back to the symbol's level, per day
_JUMP = 0.002  # chance of a limit-up (or limit-down) day
_BARS_KEPT = 20_000  # daily bars cached per symbol (a paged history asks for the same again)
# U-shaped intraday volume: busy open and close, quiet lunch.
_MINUTE_WEIGHTS = tuple(
    1.0 + 3.0 * ((m - SESSION_MINUTES / 2) / (SESSION_MINUTES / 2)) ** 2
    for m in range(1, SESSION_MINUTES + 1)
)
_WEIGHT_TOTAL = sum(_MINUTE_WEIGHTS)
# Share of the day's volume traded by the end of each minute (0 at the open).
_VOLUME_SHARE_BY = tuple(itertools.accumulate(_MINUTE_WEIGHTS, initial=0.0))
_SESSIONS_KEPT = 2_000  # intraday paths cached per symbol (quotes and frames ask again)


@attrs.frozen
class _Session:
    """One day's intraday path with running extremes: ``prices[m]`` is the price at minute m,
    ``highs[m]`` / ``lows[m]`` the extremes of minutes 0..m."""

    prices: tuple[int, ...]
    highs: tuple[int, ...]
    lows: tuple[int, ...]


class _Path:
    """The closes of one symbol: ``forward[i]`` is day i, ``backward[i]`` is day -(i + 1)."""

    def __init__(self, key: int, symbol: Symbol) -> None:
        self.key = key
        self.symbol = symbol
        self.etf = symbol.is_etf
        self.level = math.log(symbol.anchor_price)
        self.sigma = 0.010 + 0.018 * _uniform(key, 0, 1000)
        # Won traded a day: 1 bn to 300 bn; 30 bn to 900 bn for the well-known names.
        known = symbol.base_price is not None
        self.daily_value = (3e10 if known else 1e9) * (30 if known else 300) ** _uniform(
            key, 0, 1001
        )
        self.forward = [round_to_tick(symbol.anchor_price, etf=self.etf)]
        self.backward: list[int] = []
        self.lock = threading.Lock()
        self.bars: dict[int, DailyBar] = {}
        self.sessions: dict[int, _Session] = {}

    def _return(self, index: int, price: int) -> float:
        jump = _uniform(self.key, index, 1)
        if jump < _JUMP:
            return 0.30
        if jump > 1.0 - _JUMP:
            return -0.30
        pull = -_REVERSION * (math.log(price) - self.level)
        return pull + self.sigma * _gauss(self.key, index, 0)

    def close(self, index: int) -> int:
        with self.lock:
            if index >= 0:
                while len(self.forward) <= index:
                    i = len(self.forward)
                    previous = self.forward[-1]
                    lower, upper = price_limits(previous, etf=self.etf)
                    moved = round_to_tick(previous * (1 + self._return(i, previous)), etf=self.etf)
                    self.forward.append(min(upper, max(lower, moved)))
                return self.forward[index]
            while len(self.backward) < -index:
                i = -len(self.backward)  # the day whose close is known; find the day before
                later = self.backward[-1] if self.backward else self.forward[0]
                # Walking back is the same walk in reverse time, pulled to the level just the
                # same (dividing by the forward step would push away from it); a jump is capped
                # so the later close stays within the earlier one's limits.
                step = max(-0.22, min(0.22, self._return(i, later)))
                earlier = round_to_tick(later * (1 + step), etf=self.etf)
                lower, upper = price_limits(earlier, etf=self.etf)
                while later > upper:  # rounding may push the pair apart; close the gap
                    earlier += tick_size(earlier, etf=self.etf)
                    lower, upper = price_limits(earlier, etf=self.etf)
                while later < lower:
                    earlier = max(1, earlier - tick_size(earlier, etf=self.etf))
                    lower, upper = price_limits(earlier, etf=self.etf)
                self.backward.append(earlier)
            return self.backward[-index - 1]

    def bar(self, index: int) -> DailyBar:
        found = self.bars.get(index)
        if found is None:
            found = self._bar(index)
            if len(self.bars) >= _BARS_KEPT:  # bounded: a long-running sandbox must not grow
                self.bars.clear()
            self.bars[index] = found
        return found

    def _bar(self, index: int) -> DailyBar:
        key, etf, sigma = self.key, self.etf, self.sigma
        previous, close = self.close(index - 1), self.close(index)
        lower, upper = price_limits(previous, etf=etf)
        gap = sigma * 0.4 * _gauss(key, index, 2)
        open_ = min(upper, max(lower, round_to_tick(previous * (1 + gap), etf=etf)))
        top, bottom = max(open_, close), min(open_, close)
        reach_up = sigma * 0.5 * abs(_gauss(key, index, 3))
        reach_down = sigma * 0.5 * abs(_gauss(key, index, 4))
        high = min(upper, max(top, ceil_to_tick(top * (1 + reach_up), etf=etf)))
        low = max(lower, min(bottom, floor_to_tick(bottom * (1 - reach_down), etf=etf)))
        typical = (open_ + high + low + close) / 4
        busy = 1.0 + 8.0 * abs(close / previous - 1.0)  # big moves trade more
        volume = int(self.daily_value / typical * math.exp(0.35 * _gauss(key, index, 5)) * busy)
        return DailyBar(
            day=business_day(index),
            open=open_,
            high=high,
            low=low,
            close=close,
            previous_close=previous,
            volume=volume,
            value=int(volume * typical),
            lower_limit=lower,
            upper_limit=upper,
        )

    def session(self, index: int) -> _Session:
        """Day ``index``'s path minute by minute, computed once (the day so far is read from
        it on every quote and real-time frame)."""
        found = self.sessions.get(index)
        if found is None:
            bar = self.bar(index)
            prices = tuple(self.price_at(index, m, bar) for m in range(SESSION_MINUTES + 1))
            highs = tuple(itertools.accumulate(prices, max))
            lows = tuple(itertools.accumulate(prices, min))
            found = _Session(prices, highs, lows)
            if len(self.sessions) >= _SESSIONS_KEPT:  # bounded, as the bars are
                self.sessions.clear()
            self.sessions[index] = found
        return found

    def price_at(self, index: int, minute: int, bar: DailyBar | None = None) -> int:
        bar = bar or self.bar(index)
        minute = min(SESSION_MINUTES, max(0, minute))
        key, etf = self.key, self.etf
        high_at = 1 + int(_uniform(key, index, 6) * (SESSION_MINUTES - 1))
        low_at = 1 + int(_uniform(key, index, 7) * (SESSION_MINUTES - 1))
        if low_at == high_at:
            low_at = high_at + 1 if high_at < SESSION_MINUTES - 1 else high_at - 1
        anchors = sorted(
            [(0, bar.open), (high_at, bar.high), (low_at, bar.low), (SESSION_MINUTES, bar.close)]
        )
        for (m0, p0), (m1, p1) in itertools.pairwise(anchors):
            if m0 <= minute <= m1:
                if minute in (m0, m1):
                    return p0 if minute == m0 else p1
                t = (minute - m0) / (m1 - m0)
                wiggle = (2 * _uniform(key, index, 10_000 + minute) - 1) * 4 * t * (1 - t)
                price = p0 + (p1 - p0) * t + wiggle * 0.25 * (bar.high - bar.low)
                return min(bar.high, max(bar.low, round_to_tick(price, etf=etf)))
        return bar.close  # pragma: no cover - the anchors span 0..SESSION_MINUTES


class Market:
    """Prices of every symbol on every business day, deterministic per ``seed``.

    ``code`` arguments accept ``_NX``/``_AL`` suffixes (the same path as the KRX code) and
    codes outside the universe (a symbol is made up from the code).
    """

    def __init__(self, seed: int = 0, universe: Universe = DEFAULT_UNIVERSE) -> None:
        self.seed = seed
        self.universe = universe
        self._paths: dict[str, _Path] = {}
        self._lock = threading.Lock()

    def symbol(self, code: str) -> Symbol:
        return self.universe.get(code) or Symbol.made_up(code)

    def _path(self, code: str) -> _Path:
        base, _ = split_code(code)
        path = self._paths.get(base)
        if path is None:
            with self._lock:
                path = self._paths.get(base)
                if path is None:
                    digest = hashlib.sha256(f"{self.seed}:{base}".encode()).digest()
                    key = int.from_bytes(digest[:8], "big")
                    path = self._paths[base] = _Path(key, self.symbol(base))
        return path

    def tick_size(self, code: str, price: int) -> int:
        symbol = self.symbol(code)
        return 1 if symbol.is_us else tick_size(price, etf=symbol.is_etf)

    def close(self, code: str, day: dt.date) -> int:
        """The close of ``day`` (a weekend: the Friday before)."""
        return self._path(code).close(business_day_index(day))

    def bar(self, code: str, day: dt.date) -> DailyBar:
        return self._path(code).bar(business_day_index(day))

    def bars(self, code: str, day: dt.date, count: int) -> list[DailyBar]:
        """``count`` daily bars ending at ``day``, newest first."""
        path, end = self._path(code), business_day_index(day)
        return [path.bar(end - i) for i in range(count)]

    def price_at(self, code: str, day: dt.date, minute: int) -> int:
        """The price at ``minute`` of the session (0: the open, 390: the close)."""
        return self._path(code).price_at(business_day_index(day), minute)

    def minute_bar(self, code: str, day: dt.date, minute: int) -> MinuteBar:
        """The one-minute bar ending at ``minute`` (1..390)."""
        path, index = self._path(code), business_day_index(day)
        bar = path.bar(index)
        minute = min(SESSION_MINUTES, max(1, minute))
        start = path.price_at(index, minute - 1, bar)
        end = path.price_at(index, minute, bar)
        share = _MINUTE_WEIGHTS[minute - 1] / _WEIGHT_TOTAL
        return MinuteBar(
            day=bar.day,
            minute=minute,
            open=start,
            high=max(start, end),
            low=min(start, end),
            close=end,
            volume=int(bar.volume * share),
            previous_close=bar.previous_close,
        )

    def bar_until(self, code: str, day: dt.date, minute: int) -> DailyBar:
        """The day as it stands after ``minute`` of the session: the open, the highest and
        lowest price so far, the price at ``minute`` as the close and the volume traded so far.
        Before the open (``minute <= 0``) every price is the previous close and nothing traded;
        from the close on, the whole day."""
        path, index = self._path(code), business_day_index(day)
        bar = path.bar(index)
        if minute >= SESSION_MINUTES:
            return bar
        if minute <= 0:
            still = bar.previous_close
            return attrs.evolve(
                bar, open=still, high=still, low=still, close=still, volume=0, value=0
            )
        session = path.session(index)
        high, low, close = session.highs[minute], session.lows[minute], session.prices[minute]
        volume = int(bar.volume * (_VOLUME_SHARE_BY[minute] / _WEIGHT_TOTAL))
        typical = (bar.open + high + low + close) / 4
        return attrs.evolve(
            bar, high=high, low=low, close=close, volume=volume, value=int(volume * typical)
        )

    def extremes(self, code: str, day: dt.date, days: int) -> Extremes:
        """Highest high and lowest low of the ``days`` business days ending at ``day``."""
        bars = self.bars(code, day, max(1, days))
        top = max(bars, key=lambda b: (b.high, b.day))
        bottom = min(bars, key=lambda b: (b.low, -b.day.toordinal()))
        return Extremes(top.high, top.day, bottom.low, bottom.day)
