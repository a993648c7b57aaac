"""The assets and bar intervals a download can ask for: plain names, no imports.

Apart from ``charts.py`` so that ``kiwoom-typed --help`` builds the download parser's choices
without loading attrs, httpx or the runtime.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ASSETS", "INTERVALS", "Asset", "Interval"]

Asset = Literal["stock", "sector", "us", "gold"]
"""주식 (KRX stocks and ETFs, ``stk_cd``), 업종 (sector indices, ``inds_cd``), 미국주식, 금현물
(KRX gold spot, ``stk_cd`` such as M04020000)."""
Interval = Literal["tick", "minute", "daily", "weekly", "monthly", "quarterly", "yearly"]

ASSETS: tuple[Asset, ...] = ("stock", "sector", "us", "gold")
INTERVALS: tuple[Interval, ...] = (
    "tick",
    "minute",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
)
