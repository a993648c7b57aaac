"""A consumer slower than the feed, and the limits checked before anything is sent."""

from __future__ import annotations

import asyncio
import logging

import pytest

from kiwoom_realtime import Dropped, RealtimeConfig
from kiwoom_runtime import ArgumentError
from kiwoom_sandbox.realtime import RealtimeSandbox
from tests.realtime.conftest import DATA, IssuingTokens, session, until

CODES = [f"{i:06d}" for i in range(1000)]


def test_a_slow_consumer_drops_the_oldest_with_a_counter_an_event_and_warnings(
    sandbox: RealtimeSandbox, tokens: IssuingTokens, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kiwoom_runtime")

    async def main() -> list[object]:
        async with session(sandbox, tokens.manager, queue_size=50, warn_every=100) as rt:
            await rt.subscribe("005930", "0B")
            assert sandbox.burst(1000) == 1000
            # The consumer does not read while 1000 frames arrive.
            await until(lambda: rt.stats.events == 1000)
            assert rt.stats.dropped == 950
            assert rt.stats.queue_high_water == 50  # memory bounded by queue_size
            return [await rt.__anext__() for _ in range(51)]

    events = asyncio.run(main())
    assert events[0] == Dropped(count=950, total=950)  # told in-band, before the rest
    data = events[1:]
    assert all(isinstance(e, DATA) for e in data)
    warnings = [r for r in caplog.records if "slower than the feed" in r.getMessage()]
    assert len(warnings) == 10  # the 1st drop, then one per 100 drops: 1, 101, ..., 901


def test_overflow_block_loses_nothing_and_stays_bounded(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    sandbox.configure(ping_interval=None)  # a blocked reader cannot echo PINGs meanwhile

    async def main() -> list[str]:
        async with session(sandbox, tokens.manager, queue_size=10, overflow="block") as rt:
            await rt.subscribe("005930", "0B")
            total = sandbox.burst(300)
            seen: list[str] = []
            while len(seen) < total:
                event = await rt.__anext__()
                assert isinstance(event, DATA)
                seen.append(event.values["20"])
                if len(seen) % 50 == 0:
                    await asyncio.sleep(0.01)  # slower than the feed
            assert rt.stats.dropped == 0
            assert rt.stats.queue_high_water <= 10
            return seen

    assert len(asyncio.run(main())) == 300


def test_1000_items_are_split_into_registrations_of_100(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            await rt.subscribe(CODES, "0B")
            assert len(sandbox.registrations()[0]) == 1000
            assert sum(len(s.items) for s in rt.subscriptions()) == 1000

    asyncio.run(main())
    assert sandbox.stats.reg_requests == 10
    assert sandbox.stats.reg_refusals == 0


def test_1000_items_are_refused_when_splitting_is_off(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager, split_requests=False) as rt:
            with pytest.raises(ArgumentError) as info:
                await rt.subscribe(CODES, "0B")
            assert info.value.argument == "items"
            assert "max_items_per_request=100" in str(info.value)
            await rt.subscribe(CODES[:100], "0B")  # exactly the limit is fine

    asyncio.run(main())
    assert sandbox.stats.reg_requests == 1  # nothing was sent for the refused call


def test_group_and_condition_limits_name_their_argument(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(
            sandbox, tokens.manager, max_groups=2, max_items_per_group=150, max_condition_streams=1
        ) as rt:
            await rt.subscribe(CODES[:100], "0B", group="1")
            await rt.subscribe(CODES[100:150], "0B", group="1")
            with pytest.raises(ArgumentError) as info:
                await rt.subscribe(CODES[150:151], "0B", group="1")
            assert info.value.argument == "items"
            await rt.subscribe("005930", "0B", group="2")
            with pytest.raises(ArgumentError) as info:
                await rt.subscribe("005930", "0B", group="3")
            assert info.value.argument == "group"
            await rt.start_condition("0")
            with pytest.raises(ArgumentError) as info:
                await rt.start_condition("1")
            assert info.value.argument == "seq"

    asyncio.run(main())
    assert sandbox.stats.reg_requests == 3


def test_bad_arguments_are_refused_before_sending() -> None:
    with pytest.raises(ArgumentError) as info:
        RealtimeConfig(queue_size=0)
    assert info.value.argument == "queue_size"
    with pytest.raises(ArgumentError) as info:
        RealtimeConfig(overflow="grow")  # type: ignore[arg-type]
    assert info.value.argument == "overflow"
    with pytest.raises(ArgumentError) as info:
        RealtimeConfig(max_items_per_request=0)
    assert info.value.argument == "max_items_per_request"


def test_bad_subscription_arguments(sandbox: RealtimeSandbox, tokens: IssuingTokens) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            for kwargs, argument in [
                ({"items": [], "types": "0B"}, "items"),
                ({"items": ["005930"], "types": []}, "types"),
                ({"items": [5930], "types": "0B"}, "items"),
                ({"items": "005930", "types": "0B", "group": "12345"}, "group"),
            ]:
                with pytest.raises(ArgumentError) as info:
                    await rt.subscribe(**kwargs)  # type: ignore[arg-type]
                assert info.value.argument == argument

    asyncio.run(main())
    assert sandbox.stats.reg_requests == 0
