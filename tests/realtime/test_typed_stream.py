"""The generated typed streams end to end: the REST sandbox serves WebSocket beside HTTP, an
``env="sandbox"`` client's session finds it, every documented type arrives as its generated
model with values on the REST sandbox's price path.

Real WebSockets and HTTP on 127.0.0.1; no sleeps: REAL frames are pushed with ``burst``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from kiwoom_realtime import CONDITION_TYPES, RealtimeAuthenticationError
from kiwoom_runtime import ArgumentError, TokenError
from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.market import Market
from kiwoom_typed import AsyncClient, Client
from kiwoom_typed.realtime import MODELS, AsyncRealtimeStream, RealtimeStream, StockTrade
from tests.conftest import FIXTURES, SPECS, per_tr
from tests.realtime.conftest import FAST, SAFETY, next_of

#: Every type but the condition search's push (02 stays ConditionChange, tested elsewhere).
TYPES = sorted(set(MODELS) - CONDITION_TYPES)


@pytest.fixture(scope="module")
def rest() -> Iterator[Sandbox]:
    # without paper trading the account-wide types (00, 04) stream synthetic records too
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES, paper_trading=False) as sandbox:
        sandbox.realtime.configure(rate=0, ping_interval=0.5)  # frames only when pushed
        yield sandbox


def test_an_env_sandbox_session_finds_the_websocket_side_and_decodes_typed(rest: Sandbox) -> None:
    async def main() -> StockTrade:
        async with (
            AsyncClient(env="sandbox", base_url=rest.base_url) as client,
            AsyncRealtimeStream(client, **FAST) as rt,
        ):
            assert rt.url == rest.ws_url + "/api/dostk/websocket"  # asked the sandbox
            await rt.subscribe_trades(["005930"])
            rest.realtime.burst(1)
            trade: StockTrade = await next_of(rt, StockTrade)
            return trade

    trade = asyncio.run(main())
    assert trade.item == "005930" and trade.type == "0B" and trade.name == "주식체결"
    price = trade.typed.cur_prc
    assert price is not None and trade.cur_prc == trade.values["10"]
    # the REST sandbox's price path: frame n shows minute n of the market day
    day = rest.config.market_date
    assert price.price in {Market(rest.config.seed).price_at("005930", day, m) for m in (1, 2)}


def test_the_tokens_are_the_rest_sandboxs(rest: Sandbox) -> None:
    async def main() -> None:
        rt = AsyncRealtimeStream("not-a-token-the-sandbox-issued", url=rest.ws_url, **FAST)
        with pytest.raises((RealtimeAuthenticationError, TokenError)):
            async with rt:
                pass

    asyncio.run(main())


@pytest.mark.parametrize("type_code", per_tr(TYPES))
def test_every_documented_type_is_served_and_typed(rest: Sandbox, type_code: str) -> None:
    """A record of each type has every documented id, and every value parses by its kind."""
    model = MODELS[type_code]
    market = model.MARKET
    item: Any = {"jmcode": "NVDA", "stex_tp": "ND"} if market == "us" else "005930"

    async def main() -> Any:
        async with (
            AsyncClient(env="sandbox", base_url=rest.base_url) as client,
            AsyncRealtimeStream(client, market=market, **FAST) as rt,
        ):
            await rt.subscribe_type(type_code, [item], market=market)
            rest.realtime.burst(1)
            return await next_of(rt, model)

    event = asyncio.run(main())
    assert set(event.values) == set(model.FIELDS) and event.extra == {}
    for name in model.FIELDS.values():
        getattr(event.typed, name)  # raises ValueKindError if the sandbox broke a kind


def test_helpers_check_the_market_and_account_wide_types_take_no_item(rest: Sandbox) -> None:
    async def main() -> None:
        async with (
            AsyncClient(env="sandbox", base_url=rest.base_url) as client,
            AsyncRealtimeStream(client, **FAST) as rt,
        ):
            with pytest.raises(ArgumentError) as info:
                await rt.subscribe_us_execution_price([{"jmcode": "NVDA", "stex_tp": "ND"}])
            assert info.value.argument == "market" and "market='us'" in str(info.value)
            await rt.subscribe_balance()
            await rt.subscribe_order_book("005930", group="2")
            registered = {(s.group, s.items, s.types) for s in rt.subscriptions()}
            assert registered == {("1", ("",), ("04",)), ("2", ("005930",), ("0D",))}
            await rt.unsubscribe_order_book("005930", group="2")
            assert {s.group for s in rt.subscriptions()} == {"1"}

    asyncio.run(main())


def test_the_blocking_stream(rest: Sandbox) -> None:
    with (
        Client(env="sandbox", base_url=rest.base_url) as client,
        RealtimeStream(client, **FAST) as rt,
    ):
        rt.subscribe_trades(["000660"])
        rest.realtime.burst(1)
        deadline = dt.datetime.now() + dt.timedelta(seconds=SAFETY)
        while True:
            event = rt.get(timeout=SAFETY)
            if isinstance(event, StockTrade) or dt.datetime.now() > deadline:
                break
        assert isinstance(event, StockTrade) and event.item == "000660"


def test_with_paper_trading_an_order_arrives_as_a_typed_order_fill() -> None:
    """The sandbox's paper account sends its order events as 00 (and 04) frames: typed."""
    from kiwoom_typed.realtime import OrderExecution

    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sandbox:
        sandbox.clock.set(dt.time(10, 0))

        async def main() -> list[OrderExecution]:
            async with (
                AsyncClient(env="sandbox", base_url=sandbox.base_url) as client,
                AsyncRealtimeStream(client, **FAST) as rt,
            ):
                await rt.subscribe_order_fills()
                answer = await client.place_stock_buy_order(
                    dmst_stex_tp="KRX", stk_cd="005930", ord_qty="2", trde_tp="3"
                )
                assert answer.ord_no
                taken = await next_of(rt, OrderExecution)
                filled = await next_of(rt, OrderExecution)
                return [taken, filled]

        taken, filled = asyncio.run(main())
    assert (taken.ord_stt, filled.ord_stt) == ("접수", "체결")
    assert filled.typed.cntr_qty == 2 and filled.item == "005930"


def test_with_paper_trading_a_us_order_arrives_as_typed_f4_and_f5() -> None:
    """US orders go out as F4 (taken) and F5 (filled) on the US session."""
    from kiwoom_typed.realtime import USExecution, USOrderCheck

    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sandbox:
        # 10:00 in New York on the market date: midnight after it in Seoul
        next_day = sandbox.config.market_date + dt.timedelta(days=1)
        sandbox.clock.set(dt.datetime.combine(next_day, dt.time(0, 0)))

        async def main() -> tuple[str, USOrderCheck, USExecution]:
            async with (
                AsyncClient(env="sandbox", base_url=sandbox.base_url) as client,
                AsyncRealtimeStream(client, market="us", **FAST) as rt,
            ):
                await rt.subscribe_us_order_check()
                await rt.subscribe_us_execution()
                answer = await client.place_us_buy_order(
                    stex_tp="ND", stk_cd="AAPL", ord_qty="2", trde_tp="03"
                )
                taken = await next_of(rt, USOrderCheck)
                filled = await next_of(rt, USExecution)
                return str(answer.ord_no), taken, filled

        ord_no, taken, filled = asyncio.run(main())
    assert (taken.ord_no, taken.ord_stt, taken.record_extra) == (ord_no, "접수", {"stexTp": "ND"})
    assert (filled.ord_no, filled.item, filled.typed.cntr_qty) == (ord_no, "AAPL", 2)


def test_with_paper_trading_the_feed_quotes_and_fills_show_the_clocks_price() -> None:
    """One price at a time: 0B 현재가, ka10001's cur_prc and a market order's fill all show
    the path at the sandbox clock's minute, and move when the clock does."""
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sandbox:
        sandbox.realtime.configure(rate=0)  # frames only when pushed
        sandbox.clock.set(dt.time(10, 0))
        path = Market(sandbox.config.seed, sandbox.config.universe)
        day = sandbox.config.market_date

        async def main() -> list[tuple[int, int]]:
            seen = []
            async with (
                AsyncClient(env="sandbox", base_url=sandbox.base_url) as client,
                AsyncRealtimeStream(client, **FAST) as rt,
            ):
                await rt.subscribe_trades(["000660"])
                for when in (dt.time(10, 0), dt.time(13, 30)):
                    sandbox.clock.set(when)
                    sandbox.realtime.burst(1)
                    trade: StockTrade = await next_of(rt, StockTrade)
                    quote = await client.get_stock_info(stk_cd="000660")
                    fed, quoted = trade.typed.cur_prc, quote.typed.cur_prc
                    assert fed is not None and quoted is not None
                    seen.append((fed.price, quoted.price))
                await client.place_stock_buy_order(
                    dmst_stex_tp="KRX", stk_cd="000660", ord_qty="1", trde_tp="3"
                )
            return seen

        seen = asyncio.run(main())
        (order,) = sandbox.orders.state.orders
    minutes = (60, 270)  # 10:00 and 13:30 are minutes 60 and 270 of the session
    assert seen == [(path.price_at("000660", day, m),) * 2 for m in minutes]
    assert (order.filled, order.filled_value) == (1, seen[1][0])  # filled at the 13:30 price


def test_with_paper_trading_a_condition_change_carries_the_clocks_time() -> None:
    from kiwoom_realtime import ConditionChange

    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sandbox:
        sandbox.clock.set(dt.time(11, 22, 33))

        async def main() -> ConditionChange:
            async with (
                AsyncClient(env="sandbox", base_url=sandbox.base_url) as client,
                AsyncRealtimeStream(client, **FAST) as rt,
            ):
                (first, *_) = await rt.list_conditions()
                await rt.start_condition(first.seq)
                sandbox.realtime.condition_change(first.seq, "005930")
                change: ConditionChange = await next_of(rt, ConditionChange)
                return change

        change = asyncio.run(main())
    assert (change.code, change.time) == ("005930", "112233")


def test_a_sandbox_without_a_running_server_has_no_websocket_side() -> None:
    sandbox = Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.realtime


def test_the_readme_streaming_example_runs_as_written() -> None:
    """README's real-time example, with top-level await as printed, against the embedded
    sandbox; the first print ends it (the stream itself never ends)."""
    import ast
    import re

    from kiwoom_runtime.embedded import stop_embedded_sandbox
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    (example,) = [b for b in blocks if "AsyncRealtimeStream" in b]
    assert 'env="sandbox"' in example and len(example.strip().splitlines()) <= 6
    code = compile(example, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    printed: list[tuple[Any, ...]] = []

    class Enough(Exception):
        pass

    def once(*args: Any) -> None:
        printed.append(args)
        raise Enough

    async def main() -> None:
        with contextlib.suppress(Enough):
            await eval(code, {"print": once})

    try:
        asyncio.run(asyncio.wait_for(main(), SAFETY))
    finally:
        stop_embedded_sandbox()
    ((item, raw, typed),) = printed
    assert item == "005930" and typed.price == int(raw.lstrip("+-"))
