"""Integration tests: the generated client against the sandbox, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiwoom_runtime import RetryPolicy
from kiwoom_sandbox import Sandbox
from tests.conftest import FIXTURES, SPECS

FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sb:
        yield sb
