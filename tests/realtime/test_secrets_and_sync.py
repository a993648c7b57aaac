"""The token never reaches a log record, an exception or a repr; the blocking session; the
whole chain with the REST client and the REST sandbox issuing real tokens."""

from __future__ import annotations

import asyncio
import logging

import pytest

from kiwoom_realtime import (
    AsyncRealtimeSession,
    Gap,
    RealtimeAuthenticationError,
    RealtimeSession,
)
from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.realtime import RealtimeSandbox
from kiwoom_typed import AsyncClient, Client
from tests.realtime.conftest import DATA, FAST, IssuingTokens, next_of, session


def test_the_token_never_appears_in_logs_at_debug(
    tokens: IssuingTokens, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, websockets' included
    for name in ("kiwoom_runtime", "websockets", "kiwoom_sandbox"):
        caplog.set_level(logging.DEBUG, logger=name)
    texts: list[str] = []
    with RealtimeSandbox(rate=20, ping_interval=0.1, real_before_answer=True) as sb:

        async def main() -> None:
            async with session(sb, tokens.manager) as rt:
                texts.append(repr(rt))
                await rt.subscribe("005930", "0B")
                await next_of(rt, DATA)
                sb.expire_tokens()
                await next_of(rt, Gap)
                await rt.start_condition("1")
                sb.system("R10002", "인증 실패")
                with pytest.raises(RealtimeAuthenticationError) as info:
                    async for _ in rt:
                        pass
                texts.extend([str(info.value), repr(info.value), repr(info.value.data)])

        asyncio.run(main())
    assert len(tokens.issued) == 2
    texts += [r.getMessage() for r in caplog.records]
    texts += [r.exc_text or "" for r in caplog.records]
    assert any("LOGIN" in t for t in texts)  # the LOGIN was logged about, without its token
    for token in tokens.issued:
        assert not [t for t in texts if token in t], "a token leaked"
        assert not [t for t in texts if token[8:20] in t], "part of a token leaked"


def test_the_blocking_session(tokens: IssuingTokens) -> None:
    with RealtimeSandbox(rate=0, ping_interval=0.2) as sb:
        with RealtimeSession(tokens.manager, url=sb.url, **FAST) as rt:
            rt.subscribe(["005930", "000660"], "0B")
            with pytest.raises(TimeoutError):  # nothing sent yet; the wait is cancelled
                rt.get(timeout=0.05)
            assert sb.burst(2) == 4
            events = [rt.get(timeout=20) for _ in range(4)]
            assert {e.item for e in events if isinstance(e, DATA)} == {"005930", "000660"}
            assert [c.seq for c in rt.list_conditions()] == ["0", "1", "2", "3"]
            assert len(rt.search("0").rows) == 25
            assert len(rt.start_condition("1")) == 3
            rt.stop_condition("1")
            rt.unsubscribe("000660", "0B")
            assert rt.connected and "RealtimeSession(" in repr(rt)
        assert sb.wait_until(lambda: sb.stats.open_connections == 0)
        assert sb.stats.pings_echoed >= 1


def test_with_the_rest_client_and_the_rest_sandbox_an_expired_token_is_issued_once() -> None:
    """The REST sandbox issues the tokens (au10001) and the WebSocket sandbox accepts only the
    tokens it issued and did not expire: one expiry costs exactly one au10001."""
    with Sandbox() as rest:
        issued: list[str] = []
        real_issue = rest.app.tokens.issue

        def counting_issue(*args: object, **kwargs: object) -> object:
            token = real_issue(*args, **kwargs)  # type: ignore[arg-type]
            issued.append(token.value)
            return token

        rest.app.tokens.issue = counting_issue  # type: ignore[method-assign]
        with RealtimeSandbox(
            rate=0, ping_interval=0.5, token_validator=rest.app.tokens.valid
        ) as ws:

            async def main() -> None:
                async with (
                    AsyncClient(
                        base_url=rest.base_url, appkey="k" * 16, secretkey="s" * 16
                    ) as client,
                    AsyncRealtimeSession(client, url=ws.url, **FAST) as rt,
                ):
                    await rt.subscribe("005930", "0B")
                    rest.expire_tokens()  # the REST side forgets it too
                    ws.expire_tokens()
                    gap = await next_of(rt, Gap)
                    assert "R10005" in gap.reason
                    assert client.tokens.issue_count == 2
                    ws.burst(1)
                    assert (await next_of(rt, DATA)).item == "005930"

            asyncio.run(main())
        assert len(issued) == 2
        assert ws.stats.login_refusals == 0


def test_the_session_takes_its_host_from_the_client() -> None:
    client = Client(env="mock", appkey="k" * 16, secretkey="s" * 16)
    rt = RealtimeSession(client)
    try:
        assert rt.url == "wss://mockapi.kiwoom.com:10000/api/dostk/websocket"
    finally:
        rt.close()
        client.close()
