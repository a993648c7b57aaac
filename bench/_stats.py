"""Summaries of timing samples: median and spread, never a single best run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def quantile(samples: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile (``q`` in [0, 1]) of unsorted samples."""
    data = sorted(samples)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary(samples: Sequence[float], scale: float = 1.0) -> dict[str, Any]:
    """median, p10, p25, p75, p90, IQR and n of ``samples`` (multiplied by ``scale``)."""
    s = [x * scale for x in samples]
    p25, p75 = quantile(s, 0.25), quantile(s, 0.75)
    return {
        "median": statistics.median(s),
        "p10": quantile(s, 0.10),
        "p25": p25,
        "p75": p75,
        "p90": quantile(s, 0.90),
        "iqr": p75 - p25,
        "n": len(s),
    }


def ratio_summary(per_round: Sequence[float]) -> dict[str, Any]:
    """Median and range of a ratio measured once per round."""
    return {
        "median": statistics.median(per_round),
        "min": min(per_round),
        "max": max(per_round),
        "p25": quantile(per_round, 0.25),
        "p75": quantile(per_round, 0.75),
        "rounds": len(per_round),
    }
