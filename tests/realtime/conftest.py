"""Fixtures for the real-time tests: a WebSocket sandbox on 127.0.0.1 and token managers that
count what they issue.

No test here sleeps to make something happen: they wait for events, counters or the sandbox's
records (``RealtimeSandbox.wait_until``, :func:`until`), with generous timeouts only as a
safety net, so a busy 2-core machine makes them slower, not red.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiwoom_realtime import AsyncRealtimeSession, RealtimeData
from kiwoom_realtime.models import RealtimeModel
from kiwoom_runtime import AsyncTokenManager, Endpoint
from kiwoom_sandbox.realtime import RealtimeSandbox

SAFETY = 20.0  # seconds; only reached when something is broken

#: Quick reconnects and timeouts, so that a test with a gap takes milliseconds.
FAST = {
    "backoff_initial": 0.01,
    "backoff_max": 0.2,
    "maintenance_delay": 0.05,
    "login_timeout": 5.0,
    "request_timeout": 5.0,
    "open_timeout": 5.0,
}


class IssuingTokens:
    """An ``AsyncTokenManager`` whose au10001 is a function: tokens ``rt-tok-N-...``."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.issued: list[str] = []

        async def post(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
            token = f"rt-tok-{next(self.counter)}-{'q' * 24}"
            self.issued.append(token)
            return {"token": token, "token_type": "Bearer", "expires_dt": "20991231235959"}

        self.manager = AsyncTokenManager(
            post, appkey="RT-APPKEY-0123456789", secretkey="RT-SECRET-0123456789"
        )


@pytest.fixture
def tokens() -> IssuingTokens:
    return IssuingTokens()


@pytest.fixture
def sandbox() -> Iterator[RealtimeSandbox]:
    sb = RealtimeSandbox(rate=0, ping_interval=0.5, login_timeout=5.0).start()
    try:
        yield sb
    finally:
        sb.stop()


#: A data event: the generic record, or the typed model generated for its type (the default
#: decoders when kiwoom_typed is installed).
DATA = (RealtimeData, RealtimeModel)


def session(sb: RealtimeSandbox, tokens: Any, **options: Any) -> AsyncRealtimeSession:
    """A session on the sandbox with the fast back-off settings (``options`` override)."""
    return AsyncRealtimeSession(tokens, url=sb.url, **{**FAST, **options})


async def until(predicate: Callable[[], bool], timeout: float = SAFETY) -> None:
    """Yield to the event loop until ``predicate()`` holds (fails after ``timeout``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached within the safety timeout")
        await asyncio.sleep(0.005)


async def next_of(
    rt: AsyncRealtimeSession, kind: type | tuple[type, ...], timeout: float = SAFETY
) -> Any:
    """The next event of type ``kind`` (others are skipped)."""

    async def find() -> Any:
        async for event in rt:
            if isinstance(event, kind):
                return event
        raise AssertionError(f"the stream ended before a {kind!r}")

    return await asyncio.wait_for(find(), timeout)
