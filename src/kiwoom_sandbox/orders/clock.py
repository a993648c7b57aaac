"""The sandbox clock: Korea time that tests set and advance instead of sleeping.

Why a clock of its own: orders fill along the intraday price path (``Market.price_at``), so
what an order sees depends on the time of day. Tests must not wait for the market to move, and
must not depend on when they run; they set the clock (``clock.set(dt.time(9, 30))``) and move
it (``clock.advance(minutes=5)``), and the engine matches every minute that passed. A sandbox
for people can follow the real Korea time instead (``wall=True``), or run from its start at
``speed`` market seconds a real second (60: a market minute a second, so a stream moves).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

KST = dt.timezone(dt.timedelta(hours=9), "KST")


class SandboxClock:
    """Naive Korea time (``datetime`` without tzinfo), thread-safe.

    ``listeners`` are called with the new time after every ``set`` / ``advance`` (the engine
    matches open orders up to it, so fills and their real-time events happen when the test
    moves the clock, not at the next request).
    """

    def __init__(self, start: dt.datetime, *, wall: bool = False, speed: float = 0.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._lock = threading.Lock()
        self._now = start.replace(tzinfo=None)
        self._wall = wall
        self._speed = speed
        self._since = time.monotonic()  # when _now was last set: a running clock counts from it
        self.listeners: list[Callable[[dt.datetime], None]] = []

    @property
    def speed(self) -> float:
        """Market seconds per real second; 0: the clock moves only when set or advanced."""
        return self._speed

    def run(self, speed: float) -> None:
        """Run from the current time at ``speed`` (0 stops it where it is)."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            self._now, self._since = self._running_now(), time.monotonic()
            self._speed = speed

    def _running_now(self) -> dt.datetime:
        if not self._speed:
            return self._now
        moved = (time.monotonic() - self._since) * self._speed
        return self._now + dt.timedelta(seconds=int(moved))

    @property
    def wall(self) -> bool:
        return self._wall

    def now(self) -> dt.datetime:
        if self._wall:
            return dt.datetime.now(KST).replace(tzinfo=None, microsecond=0)
        with self._lock:
            return self._running_now()

    def set(self, when: dt.datetime | dt.time) -> dt.datetime:
        """Jump to ``when`` (a time: on the clock's current date). Going back is allowed: fills
        already made stay made, and no minute is matched twice."""
        with self._lock:
            if isinstance(when, dt.datetime):
                self._now = when.replace(tzinfo=None)
            else:
                self._now = dt.datetime.combine(self._now.date(), when)
            self._since = time.monotonic()
            self._wall = False
            now = self._now
        self._notify(now)
        return now

    def advance(self, *, minutes: float = 0, seconds: float = 0, hours: float = 0) -> dt.datetime:
        """Move forward; returns the new time."""
        step = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if step < dt.timedelta(0):
            raise ValueError("the clock only advances; use set() to go back")
        with self._lock:
            self._now, self._since = self._running_now() + step, time.monotonic()
            self._wall = False
            now = self._now
        self._notify(now)
        return now

    def _notify(self, now: dt.datetime) -> None:
        for listener in list(self.listeners):
            listener(now)

    def __repr__(self) -> str:
        how = ", wall" if self._wall else f", x{self._speed:g}" if self._speed else ""
        return f"SandboxClock({self.now():%Y-%m-%d %H:%M:%S} KST{how})"
