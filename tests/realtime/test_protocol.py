"""The connection protocol: LOGIN first, PING echo, R10004, REG answers, REAL before the answer."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from kiwoom_sandbox.realtime import RealtimeSandbox
from tests.realtime.conftest import DATA, SAFETY, IssuingTokens, next_of, session, until


def test_login_is_the_first_frame_and_pings_are_echoed_before_the_login_answer(
    tokens: IssuingTokens,
) -> None:
    # The LOGIN answer waits, and the server PINGs at once and drops a client that does not
    # echo within 0.2 s: only a client that echoes before its LOGIN is answered survives.
    sb = RealtimeSandbox(rate=0, ping_interval=0.2, login_answer_delay=0.6).start()
    try:

        async def main() -> None:
            async with session(sb, tokens.manager) as rt:
                assert rt.connected
                await until(lambda: sb.stats.pings_echoed >= 3)

        asyncio.run(main())
        assert sb.stats.first_frames == ["LOGIN"]
        assert sb.stats.connections == 1
        assert sb.stats.dropped_no_echo == 0
        assert sb.stats.logins == 1
        # The first echo reached the server before it answered LOGIN.
        assert sb.stats.pings_echoed >= 3
    finally:
        sb.stop()


def test_a_client_that_does_not_echo_pings_is_dropped() -> None:
    with RealtimeSandbox(rate=0, ping_interval=0.2) as sb:

        async def main() -> None:
            async with connect(sb.url) as ws:
                await ws.send(json.dumps({"trnm": "LOGIN", "token": "no-echo-client-token"}))
                with pytest.raises(ConnectionClosed):
                    while True:  # read (and ignore) PINGs until the server gives up on us
                        await asyncio.wait_for(ws.recv(), SAFETY)

        asyncio.run(main())
        assert sb.stats.dropped_no_echo == 1


def test_without_login_the_server_sends_r10004_and_closes() -> None:
    with RealtimeSandbox(rate=0, ping_interval=None, login_timeout=0.2) as sb:

        async def main() -> list[dict[str, str]]:
            frames = []
            async with connect(sb.url) as ws:
                with pytest.raises(ConnectionClosed):
                    while True:
                        frames.append(json.loads(await asyncio.wait_for(ws.recv(), SAFETY)))
            return frames

        frames = asyncio.run(main())
        assert {"trnm": "SYSTEM", "code": "R10004"}.items() <= frames[-1].items()
        assert sb.stats.r10004_sent == 1


def test_real_frames_before_the_reg_answer_are_delivered(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    sandbox.configure(real_before_answer=True)

    async def main() -> list[object]:
        async with session(sandbox, tokens.manager) as rt:
            await rt.subscribe(["005930", "000660"], ["0B"])
            # Both frames came before the answer, so they are queued already.
            return [await next_of(rt, DATA), await next_of(rt, DATA)]

    events = asyncio.run(main())
    assert {(e.type, e.item) for e in events} == {("0B", "005930"), ("0B", "000660")}
    assert events[0].name == "주식체결"
    assert events[0].values["10"][0] in "+-" or events[0].values["10"].isdigit()


def test_subscribe_unsubscribe_and_streaming(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            await rt.subscribe(["005930", "000660"], ["0B", "0D"])
            await rt.subscribe("035420", "0B", group="2")
            assert sandbox.registrations() == [
                {
                    ("0B", "005930"),
                    ("0D", "005930"),
                    ("0B", "000660"),
                    ("0D", "000660"),
                    ("0B", "035420"),
                }
            ]
            sandbox.burst(3, type_code="0D", item="000660")
            seen = [await next_of(rt, DATA) for _ in range(3)]
            assert all((e.type, e.item) == ("0D", "000660") for e in seen)
            assert all("41" in e.values and "121" in e.values for e in seen)
            await rt.unsubscribe(["000660"], ["0D"])
            assert ("0D", "000660") not in sandbox.registrations()[0]
            subs = {(s.group, s.items, s.types) for s in rt.subscriptions()}
            assert subs == {
                ("1", ("005930",), ("0B", "0D")),
                ("1", ("000660",), ("0B",)),
                ("2", ("035420",), ("0B",)),
            }
            await rt.subscribe("000660", "0B", refresh=False)  # replaces group 1
            assert {(s.group, s.items) for s in rt.subscriptions()} == {
                ("1", ("000660",)),
                ("2", ("035420",)),
            }
            assert sandbox.registrations() == [{("0B", "000660"), ("0B", "035420")}]

    asyncio.run(main())


def test_streaming_at_a_rate_reaches_the_consumer(tokens: IssuingTokens) -> None:
    with RealtimeSandbox(rate=50, ping_interval=0.5) as sb:

        async def main() -> None:
            async with session(sb, tokens.manager) as rt:
                await rt.subscribe(["005930"], ["0B"])
                events = [await next_of(rt, DATA) for _ in range(10)]
                assert {e.item for e in events} == {"005930"}

        asyncio.run(main())
