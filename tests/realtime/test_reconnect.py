"""Faults: lost connections, server closes, SYSTEM codes, expired tokens; every one resumes with
one new connection, a new LOGIN and every registration, and says so with a Gap — or fails with
a typed error when retrying cannot help."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kiwoom_realtime import (
    AsyncRealtimeSession,
    ConditionSnapshot,
    ConnectionRestrictedError,
    Gap,
    RealtimeAuthenticationError,
)
from kiwoom_runtime import APIConnectionError, AuthenticationError, KiwoomError, TokenError
from kiwoom_sandbox.realtime import RealtimeSandbox
from tests.realtime.conftest import DATA, SAFETY, IssuingTokens, next_of, session, until

PAIRS = {("0B", "005930"), ("0D", "005930"), ("0B", "000660"), ("0D", "000660"), ("0B", "035420")}


async def _subscribe_all(rt: AsyncRealtimeSession) -> None:
    await rt.subscribe(["005930", "000660"], ["0B", "0D"])
    await rt.subscribe("035420", "0B", group="7")


def test_a_forced_disconnect_resumes_every_subscription_with_one_new_connection(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> Gap:
        async with session(sandbox, tokens.manager) as rt:
            await _subscribe_all(rt)
            await rt.start_condition("1")
            assert sandbox.disconnect() == 1
            gap = await next_of(rt, Gap)
            snapshot = await next_of(rt, ConditionSnapshot)
            assert snapshot.seq == "1" and len(snapshot.codes) == 3
            # Data flows again on the new connection, for every registration.
            sandbox.burst(1)
            got = {(e.type, e.item) for e in [await next_of(rt, DATA) for _ in PAIRS]}
            assert got == PAIRS
            assert rt.stats.gaps == 1
            return gap

    gap = asyncio.run(main())
    assert sandbox.stats.connections == 2  # exactly one new connection
    assert sandbox.stats.first_frames == ["LOGIN", "LOGIN"]
    assert sandbox.stats.logins == 2
    assert gap.reason == "connection lost (no close frame)"
    assert gap.duration >= 0 and gap.ended_at >= gap.started_at
    assert gap.attempts == 1
    assert gap.conditions == ("1",)
    registered = {(t, i) for s in gap.subscriptions for i in s.items for t in s.types}
    assert registered == PAIRS
    assert tokens.manager.issue_count == 1  # the token was still good: no new one


def test_server_close_1000_and_r10006_reconnect(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> list[Gap]:
        async with session(sandbox, tokens.manager) as rt:
            await _subscribe_all(rt)
            sandbox.close_all(1000)
            first = await next_of(rt, Gap)
            sandbox.system("R10006", "서버 오류")
            second = await next_of(rt, Gap)
            await until(lambda: len(sandbox.registrations()) == 1)
            assert sandbox.registrations()[0] == PAIRS
            return [first, second]

    first, second = asyncio.run(main())
    assert "code 1000" in first.reason
    assert "R10006" in second.reason
    assert sandbox.stats.connections == 3


def test_an_expired_token_gives_exactly_one_new_token(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> Gap:
        async with session(sandbox, tokens.manager) as rt:
            await _subscribe_all(rt)
            sandbox.expire_tokens()  # R10005; the old token is refused from now on
            gap = await next_of(rt, Gap)
            assert rt.stats.token_renewals == 1
            return gap

    gap = asyncio.run(main())
    assert "R10005" in gap.reason
    assert tokens.manager.issue_count == 2  # the first token and exactly one new one
    assert sandbox.stats.login_refusals == 0  # the new token was used, not the expired one
    assert sandbox.stats.connections == 2


def test_a_token_refused_at_login_is_renewed_once_then_the_session_fails(
    tokens: IssuingTokens,
) -> None:
    refused: list[str] = []

    def validator(token: str) -> bool:
        if len(refused) < 1:
            refused.append(token)
            return False
        return True

    with RealtimeSandbox(rate=0, ping_interval=None, token_validator=validator) as sb:

        async def main() -> None:
            async with session(sb, tokens.manager) as rt:
                assert rt.connected

        asyncio.run(main())
        assert tokens.manager.issue_count == 2
        assert sb.stats.login_refusals == 1

    # A server that refuses every token: one renewal, then a TokenError (never a loop).
    again = IssuingTokens()
    with RealtimeSandbox(rate=0, ping_interval=None, token_validator=lambda t: False) as sb:

        async def fails() -> None:
            async with session(sb, again.manager):
                pass

        with pytest.raises(TokenError) as info:
            asyncio.run(fails())
        assert again.manager.issue_count == 2
        assert sb.stats.login_refusals == 2
        assert "8005" in str(info.value)


def test_maintenance_backs_off_before_reconnecting(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> Gap:
        async with session(sandbox, tokens.manager, maintenance_delay=0.3, jitter=0.0) as rt:
            await _subscribe_all(rt)
            sandbox.maintenance()
            gap = await next_of(rt, Gap)
            assert rt.stats.last_delay == pytest.approx(0.3)
            assert "R10001" in rt.stats.last_delay_reason
            return gap

    gap = asyncio.run(main())
    assert "R10001" in gap.reason
    assert gap.duration >= 0.3  # it waited the maintenance delay before the new connection
    assert sandbox.stats.connections == 2


def test_maintenance_that_lasts_grows_the_delay(tokens: IssuingTokens) -> None:
    with RealtimeSandbox(rate=0, ping_interval=None) as sb:

        async def main() -> Gap:
            async with session(sb, tokens.manager, maintenance_delay=0.05, jitter=0.0) as rt:
                sb.maintenance(duration=0.4)  # connections in the next 0.4 s get R10001 too
                return await next_of(rt, Gap)

        gap = asyncio.run(main())
        # 0.05, 0.1, 0.2, 0.4 ...: a handful of attempts, not one every few milliseconds.
        assert 2 <= gap.attempts <= 6
        assert sb.stats.connections == gap.attempts + 1


@pytest.mark.parametrize(
    ("code", "error"),
    [("R10002", RealtimeAuthenticationError), ("R10003", ConnectionRestrictedError)],
)
def test_r10002_and_r10003_fail_clearly(
    sandbox: RealtimeSandbox, tokens: IssuingTokens, code: str, error: type[KiwoomError]
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            await rt.subscribe("005930", "0B")
            sandbox.system(code, "접속이 거부되었습니다")
            with pytest.raises(error) as info:
                async for _ in rt:
                    pass
            assert info.value.code == code  # type: ignore[attr-defined]
            assert code in str(info.value)
            with pytest.raises(error):  # and later calls say the same
                await rt.subscribe("000660", "0B")

    asyncio.run(main())
    assert sandbox.stats.connections == 1  # no reconnect: it cannot help
    assert issubclass(RealtimeAuthenticationError, AuthenticationError)


def test_an_unreachable_host_fails_after_the_configured_attempts(tokens: IssuingTokens) -> None:
    sb = RealtimeSandbox(rate=0).start()
    url = sb.url
    sb.stop()  # nothing listens there now

    async def main() -> None:
        async with AsyncRealtimeSession(
            tokens.manager, url=url, connect_attempts=2, backoff_initial=0.01
        ):
            pass

    with pytest.raises(APIConnectionError) as info:
        asyncio.run(asyncio.wait_for(main(), SAFETY))
    assert info.value.attempts == 2
    assert url in str(info.value)


def test_requests_during_an_outage_wait_for_the_reconnect(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager, backoff_initial=0.2, jitter=0.0) as rt:
            await rt.subscribe("005930", "0B")
            sandbox.disconnect()
            await until(lambda: not rt.connected)
            await rt.subscribe("000660", "0B")  # sent once the session is back
            assert rt.connected
            assert sandbox.registrations() == [{("0B", "005930"), ("0B", "000660")}]

    asyncio.run(main())


def test_aclose_ends_the_stream(sandbox: RealtimeSandbox, tokens: IssuingTokens) -> None:
    async def main() -> list[Any]:
        rt = session(sandbox, tokens.manager)
        await rt.open()
        await rt.subscribe("005930", "0B")

        async def consume() -> list[Any]:
            return [event async for event in rt]

        task = asyncio.create_task(consume())
        await asyncio.sleep(0)
        await rt.aclose()
        await rt.aclose()  # idempotent
        return await asyncio.wait_for(task, SAFETY)

    assert asyncio.run(main()) == []
    assert sandbox.wait_until(lambda: sandbox.stats.open_connections == 0)


def test_a_server_that_keeps_closing_at_once_is_not_hammered(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    # The live host has closed with code 1000 during rapid reconnects: connections that do not
    # last keep growing the back-off instead of reconnecting every backoff_initial.
    async def main() -> list[float]:
        delays = []
        async with session(sandbox, tokens.manager, backoff_initial=0.02, jitter=0.0) as rt:
            for _ in range(4):
                sandbox.close_all(1000)
                await next_of(rt, Gap)
                delays.append(rt.stats.last_delay)
        return delays

    assert asyncio.run(main()) == pytest.approx([0.02, 0.04, 0.08, 0.16])
