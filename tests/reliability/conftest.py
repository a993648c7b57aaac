"""Shared setup of the reliability suite: one sandbox per module, reset before every test.

Every test talks to the sandbox over real HTTP on 127.0.0.1. The sandbox is started once per
module (about 90 ms each) and put back into a known state before each test: no pending faults,
an empty request log, full rate-limit buckets and the module's base configuration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiwoom_runtime import RetryPolicy
from kiwoom_sandbox import Sandbox, SandboxConfig
from tests.conftest import FIXTURES, SPECS

#: Retries that keep the matrix fast: three attempts, 10-20 ms apart, no jitter.
FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02, jitter=0.0)

APPKEY = "RELIABILITY-appkey-7f3a9c1d"
SECRETKEY = "RELIABILITY-secretkey-e5b28f40"


def base_config(**changes: Any) -> SandboxConfig:
    return SandboxConfig(specs_dir=SPECS, fixtures_dir=FIXTURES, **changes)


@pytest.fixture(scope="module")
def _module_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    changes = getattr(request.module, "SANDBOX_CONFIG", {})
    with Sandbox(base_config(**changes)) as sb:
        sb.base_settings = sb.config  # type: ignore[attr-defined]
        yield sb


@pytest.fixture
def sb(_module_sandbox: Sandbox) -> Sandbox:
    """The module's sandbox, reset: no faults, empty log, full buckets, base configuration."""
    sandbox = _module_sandbox
    base: SandboxConfig = sandbox.base_settings  # type: ignore[attr-defined]
    sandbox.configure(**{a.name: getattr(base, a.name) for a in SandboxConfig.__attrs_attrs__})
    sandbox.clear_faults()
    sandbox.reset_rate_limits()
    sandbox.clear_requests()
    return sandbox


def sends(sb: Sandbox, api_id: str) -> int:
    """How many requests of ``api_id`` the sandbox received."""
    return len(sb.requests_for(api_id))
