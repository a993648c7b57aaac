"""A local Kiwoom REST API server driven by ``specs/`` and recorded fixtures.

It imitates api.kiwoom.com / mockapi.kiwoom.com closely enough to test a client end to end over
real HTTP, including the behaviours the manual does not describe (errors in HTTP 200 bodies,
tokens knocked out by a re-issue, 1700 rate limits, paging by headers) and faults a network
produces (resets mid-body, HTML error pages, delays). See ``Sandbox`` and ``SandboxConfig``.
"""

from kiwoom_sandbox.app import RequestRecord
from kiwoom_sandbox.config import Fault, FaultKind, RateLimit, SandboxConfig
from kiwoom_sandbox.fixtures import FixtureError
from kiwoom_sandbox.server import Sandbox

__all__ = [
    "Fault",
    "FaultKind",
    "FixtureError",
    "RateLimit",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
]
