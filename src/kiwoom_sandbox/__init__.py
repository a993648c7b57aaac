"""A local Kiwoom REST API server driven by ``specs/`` and recorded fixtures.

It imitates api.kiwoom.com / mockapi.kiwoom.com closely enough to test a client end to end over
real HTTP, including the behaviours the manual does not describe (errors in HTTP 200 bodies,
tokens knocked out by a re-issue, 1700 rate limits, 1901 unknown symbols, paging by headers)
and faults a network produces (resets mid-body, HTML error pages, delays). Answers come from
fixtures, fitting documentation examples, or are built from the spec's fields over one price
path per symbol (``kiwoom_sandbox.market``). See ``Sandbox`` and ``SandboxConfig``.

Names are imported on first use, so ``kiwoom-typed`` can build its command line (which
includes the sandbox's options, ``kiwoom_sandbox.cli``) without loading the spec tooling.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiwoom_sandbox.app import RequestRecord
    from kiwoom_sandbox.config import Fault, FaultKind, RateLimit, SandboxConfig
    from kiwoom_sandbox.fixtures import FixtureError
    from kiwoom_sandbox.market import Market
    from kiwoom_sandbox.orders import MarketHours, TradingConfig
    from kiwoom_sandbox.server import Sandbox
    from kiwoom_sandbox.symbols import Symbol, Universe

_WHERE = {
    "Fault": "kiwoom_sandbox.config",
    "FaultKind": "kiwoom_sandbox.config",
    "FixtureError": "kiwoom_sandbox.fixtures",
    "Market": "kiwoom_sandbox.market",
    "MarketHours": "kiwoom_sandbox.orders",
    "RateLimit": "kiwoom_sandbox.config",
    "RequestRecord": "kiwoom_sandbox.app",
    "Sandbox": "kiwoom_sandbox.server",
    "SandboxConfig": "kiwoom_sandbox.config",
    "Symbol": "kiwoom_sandbox.symbols",
    "TradingConfig": "kiwoom_sandbox.orders",
    "Universe": "kiwoom_sandbox.symbols",
}

__all__ = [
    "Fault",
    "FaultKind",
    "FixtureError",
    "Market",
    "MarketHours",
    "RateLimit",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "Symbol",
    "TradingConfig",
    "Universe",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kiwoom_sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value
