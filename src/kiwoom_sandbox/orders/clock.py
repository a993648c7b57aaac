"""The sandbox clock: Korea time that tests set and advance instead of sleeping.

Why a clock of its own: orders fill along the intraday price path (``Market.price_at``), so
what an order sees depends on the time of day. Tests must not wait for the market to move, and
must not depend on when they run; they set the clock (``clock.set(dt.time(9, 30))``) and move
it (``clock.advance(minutes=5)``), and the engine matches every minute that passed. A sandbox
for people can follow the real Korea time instead (``wall=True``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

KST = dt.timezone(dt.timedelta(hours=9), "KST")


class SandboxClock:
    """Naive Korea time (``datetime`` without tzinfo), thread-safe.

    ``listeners`` are called with the new time after every ``set`` / ``advance`` (the engine
    matches open orders up to it, so fills and their real-time events happen when the test
    moves the clock, not at the next request).
    """

    def __init__(self, start: dt.datetime, *, wall: bool = False) -> None:
        self._lock = threading.Lock()
        self._now = start.replace(tzinfo=None)
        self._wall = wall
        self.listeners: list[Callable[[dt.datetime], None]] = []

    @property
    def wall(self) -> bool:
        return self._wall

    def now(self) -> dt.datetime:
        if self._wall:
            return dt.datetime.now(KST).replace(tzinfo=None, microsecond=0)
        with self._lock:
            return self._now

    def set(self, when: dt.datetime | dt.time) -> dt.datetime:
        """Jump to ``when`` (a time: on the clock's current date). Going back is allowed: fills
        already made stay made, and no minute is matched twice."""
        with self._lock:
            if isinstance(when, dt.datetime):
                self._now = when.replace(tzinfo=None)
            else:
                self._now = dt.datetime.combine(self._now.date(), when)
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
            self._now = self._now + step
            self._wall = False
            now = self._now
        self._notify(now)
        return now

    def _notify(self, now: dt.datetime) -> None:
        for listener in list(self.listeners):
            listener(now)

    def __repr__(self) -> str:
        return f"SandboxClock({self.now():%Y-%m-%d %H:%M:%S} KST{', wall' if self._wall else ''})"
