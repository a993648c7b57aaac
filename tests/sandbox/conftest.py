"""A running sandbox and an httpx client per test, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kiwoom_sandbox import Sandbox
from tests.sandbox._helpers import make_config


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(make_config()) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, timeout=5.0) as c:
        yield c
