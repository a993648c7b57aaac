"""The rate-limiter slot is taken when the request leaves: after the token is in hand.

Why: a server that counts "at most 5 in any second" judges arrival times. A call that took its
slot and then waited 50 ms for a token left late and shrank the gap to the next request
(measured 0.149 s instead of 0.204 s at 5/s), and the 6th request of a burst got 1700. These
tests record one timeline of events (token issued, slot taken, request sent) with a recording
limiter and an in-process server, and assert the order, sequentially, from threads, from
asyncio tasks, and for the replay after an 8005.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from rt_fakes import QUERY, FakeKiwoom, client_kwargs

from kiwoom_runtime import AsyncAPIClient, RateLimit, RateLimiter, SyncAPIClient


class Timeline:
    """Events in the order they happened, from the limiter and from the server."""

    def __init__(self, fake: FakeKiwoom) -> None:
        self.fake = fake
        self.events: list[str] = []
        self.lock = threading.Lock()

    def add(self, event: str) -> None:
        with self.lock:
            self.events.append(event)

    def handler(self, request: httpx.Request) -> httpx.Response:
        response = self.fake(request)
        if request.url.path == "/oauth2/token":
            self.add("issue")
        elif request.url.path != "/oauth2/revoke":
            refused = b"8005" in response.content
            self.add("send-refused" if refused else "send")
        return response


class RecordingLimiter(RateLimiter):
    """A real limiter (no waiting: a high rate) that records when a slot is reserved."""

    def __init__(self, timeline: Timeline) -> None:
        super().__init__(RateLimit(rate=1e6, burst=1000))
        self.timeline = timeline

    def reserve(self, api_id: str) -> float:
        self.timeline.add("slot")
        return super().reserve(api_id)


def _kwargs(timeline: Timeline) -> dict[str, Any]:
    return client_kwargs(timeline.fake, rate_limit=RecordingLimiter(timeline))


def _check_each_send_follows_its_own_slot(events: list[str]) -> None:
    slots = sends = 0
    for event in events:
        slots += event == "slot"
        sends += event.startswith("send")
        assert sends <= slots, events


def test_sequential_first_call_takes_its_slot_after_the_token(fake: FakeKiwoom) -> None:
    timeline = Timeline(fake)
    with SyncAPIClient(transport=httpx.MockTransport(timeline.handler), **_kwargs(timeline)) as c:
        for _ in range(3):
            c._call(QUERY, {"stk_cd": "005930"})
    assert timeline.events == ["issue", "slot", "send", "slot", "send", "slot", "send"]


def test_threads_take_their_slots_after_the_token(fake: FakeKiwoom) -> None:
    timeline = Timeline(fake)
    with SyncAPIClient(transport=httpx.MockTransport(timeline.handler), **_kwargs(timeline)) as c:
        barrier = threading.Barrier(8)

        def worker() -> None:
            barrier.wait()
            c._call(QUERY, {"stk_cd": "005930"})

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    events = timeline.events
    assert events[0] == "issue" and events.count("issue") == 1, events
    assert events.count("slot") == 8 and events.count("send") == 8
    _check_each_send_follows_its_own_slot(events)


def test_async_tasks_take_their_slots_after_the_token(fake: FakeKiwoom) -> None:
    timeline = Timeline(fake)

    async def main() -> None:
        transport = httpx.MockTransport(timeline.handler)
        async with AsyncAPIClient(transport=transport, **_kwargs(timeline)) as c:
            await asyncio.gather(*(c._call(QUERY, {"stk_cd": "005930"}) for _ in range(8)))

    asyncio.run(main())
    events = timeline.events
    assert events[0] == "issue" and events.count("issue") == 1, events
    assert events.count("slot") == 8 and events.count("send") == 8
    _check_each_send_follows_its_own_slot(events)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_replay_after_8005_takes_a_new_slot_after_the_new_token(
    fake: FakeKiwoom, mode: str
) -> None:
    timeline = Timeline(fake)

    def sync_run() -> None:
        transport = httpx.MockTransport(timeline.handler)
        with SyncAPIClient(transport=transport, **_kwargs(timeline)) as c:
            c._call(QUERY, {})
            fake.valid.clear()  # the server forgets the token
            c._call(QUERY, {})

    async def async_run() -> None:
        transport = httpx.MockTransport(timeline.handler)
        async with AsyncAPIClient(transport=transport, **_kwargs(timeline)) as c:
            await c._call(QUERY, {})
            fake.valid.clear()
            await c._call(QUERY, {})

    if mode == "sync":
        sync_run()
    else:
        asyncio.run(async_run())
    assert timeline.events == [
        "issue", "slot", "send",
        "slot", "send-refused", "issue", "slot", "send",
    ]  # fmt: skip
