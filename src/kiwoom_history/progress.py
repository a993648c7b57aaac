"""A one-line progress bar with an ETA, drawn on a terminal only (quiet in pipes and logs)."""

from __future__ import annotations

import time
from typing import TextIO

from kiwoom_history.downloader import DownloadStats

__all__ = ["ProgressBar"]

_WIDTH = 24


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class ProgressBar:
    """``bar.update(stats)`` after each page; ``bar.close()`` ends the line.

    Redraws at most every ``interval`` seconds; nothing at all unless ``stream.isatty()``
    (or ``force``), so output that is piped or logged stays clean.
    """

    def __init__(self, stream: TextIO, *, force: bool = False, interval: float = 0.2) -> None:
        self.stream = stream
        self.enabled = force or stream.isatty()
        self.interval = interval
        self._last = 0.0
        self._shown = False

    def line(self, stats: DownloadStats) -> str:
        total = max(1, stats.symbols_total)
        filled = int(_WIDTH * stats.symbols_done / total)
        bar = "#" * filled + "." * (_WIDTH - filled)
        rate = stats.requests / stats.elapsed if stats.elapsed > 0 else 0.0
        eta = stats.eta
        left = f"ETA {_duration(eta)}" if eta is not None else "ETA -"
        refused = f" · {stats.rate_limited} refused" if stats.rate_limited else ""
        return (
            f"[{bar}] {stats.symbols_done}/{stats.symbols_total} symbols · {stats.pages} pages · "
            f"{stats.rows:,} rows · {rate:.1f} req/s{refused} · {left}"
        )

    def update(self, stats: DownloadStats) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval and stats.symbols_done < stats.symbols_total:
            return
        self._last = now
        self.stream.write("\r" + self.line(stats) + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
