"""Condition search: list, run once with paging, run in real time, stop."""

from __future__ import annotations

import asyncio

from kiwoom_realtime import AsyncRealtimeSession, ConditionChange, strip_code_prefix
from kiwoom_sandbox.realtime import RealtimeSandbox
from tests.realtime.conftest import IssuingTokens, next_of, session


def test_list_once_realtime_and_stop(sandbox: RealtimeSandbox, tokens: IssuingTokens) -> None:
    sandbox.configure(condition_page_size=10)

    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            conditions = await rt.list_conditions()
            assert [c.seq for c in conditions] == ["0", "1", "2", "3"]
            assert conditions[0].name == "골든크로스"

            once = await rt.search("0")  # 25 hits, 10 per page
            assert once.pages == 3
            assert len(once.rows) == 25
            assert once.codes[0] == "A005930"
            assert strip_code_prefix(once.codes[0]) == "005930"
            assert once.rows[0]["302"]
            assert (await rt.search("3")).rows == ()  # data: null means no hit
            assert (await rt.search("0", max_pages=2)).pages == 2

            hits = await rt.start_condition("1")
            assert len(hits) == 3 and all(h.startswith("A") for h in hits)
            assert rt.conditions == ("1",)
            assert sandbox.condition_streams() == [{"1"}]
            assert await rt.start_condition("3") == ()

            sandbox.condition_change("1", "123456", insert=True)
            change = await next_of(rt, ConditionChange)
            assert (change.seq, change.code, change.inserted) == ("1", "123456", True)
            assert change.side == "2" and len(change.time) == 6
            sandbox.condition_change("1", "123456", insert=False)
            assert (await next_of(rt, ConditionChange)).removed

            await rt.stop_condition("1")
            await rt.stop_condition("3")
            assert rt.conditions == ()
            assert sandbox.condition_streams() == [set()]

    asyncio.run(main())


def test_search_lists_the_conditions_first_on_each_connection(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            assert len((await rt.search("1")).rows) == 3  # no explicit list_conditions()

    asyncio.run(main())
    assert [t for _, t in sandbox.received if t.startswith("CNSR")] == ["CNSRLST", "CNSRREQ"]


def test_a_condition_still_registered_is_cleared_and_started_again(
    sandbox: RealtimeSandbox, tokens: IssuingTokens
) -> None:
    async def main() -> None:
        async with session(sandbox, tokens.manager) as rt:
            await rt.start_condition("2")
            # Asked again: the server answers 900003 (already registered), as seen live.
            assert len(await rt.start_condition("2")) == 12
            assert rt.conditions == ("2",)

    asyncio.run(main())
    trnms = [t for _, t in sandbox.received if t.startswith("CNSR")]
    assert trnms == ["CNSRLST", "CNSRREQ", "CNSRREQ", "CNSRCLR", "CNSRREQ"]


def test_us_condition_search_uses_the_g_names(tokens: IssuingTokens) -> None:
    with RealtimeSandbox(rate=0, ping_interval=None) as sb:

        async def run() -> None:
            async with AsyncRealtimeSession(tokens.manager, url=sb.us_url, market="us") as rt:
                assert [c.seq for c in await rt.list_conditions()][:1] == ["0"]
                hits = await rt.start_condition("1")
                assert hits and not hits[0].startswith("A")  # tickers have no prefix
                sb.condition_change("1", "NVDA")
                change = await next_of(rt, ConditionChange)
                assert change.code == "NVDA"
                await rt.subscribe({"jmcode": "NVDA", "stex_tp": "ND"}, "FE")

        asyncio.run(run())
        assert {t for _, t in sb.received} >= {"GCNSRLST", "GCNSRREQ", "REG"}
