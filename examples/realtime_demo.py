"""Real-time over WebSocket against the sandbox, typed from the specs; ``make demo`` runs it.

A few seconds of 0B 주식체결 and 0D 호가잔량 through ``AsyncRealtimeStream`` (records arrive as
the generated ``StockTrade`` / ``OrderBook`` models; prices at the sandbox clock's minute, the
same ka10001 answers and paper orders fill at), a connection the sandbox drops on purpose
(the session reconnects, logs in and registers again, and says so with a ``Gap`` event), and
condition search (list, one search, the real-time changes of another).

Run alone: ``python examples/realtime_demo.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from typing import Any

from kiwoom_realtime import ConditionChange, Gap, RealtimeConfig
from kiwoom_runtime import Direction
from kiwoom_sandbox import Sandbox
from kiwoom_typed import AsyncClient
from kiwoom_typed.realtime import AsyncRealtimeStream, OrderBook, StockTrade

ARROW = {Direction.UP: "▲", Direction.DOWN: "▼", Direction.FLAT: "–"}
#: Seconds the demo may wait for any one thing (it never waits that long on a healthy run).
PATIENCE = 15.0


def heading(text: str) -> None:
    print(f"\n── {text} " + "─" * max(0, 70 - len(text)))


def trade_line(trade: StockTrade) -> str:
    price = trade.typed.cur_prc
    arrow = ARROW.get(price.direction, "?") if price is not None else ""
    volume = trade.typed.acc_trde_qty or 0
    return (
        f"  {trade.typed.cntr_tm}  {trade.item}  현재가 {price.price if price else 0:>8,} {arrow}"
        f"  ({trade.cur_prc!r} as sent)  누적거래량 {volume:,}"
    )


async def next_of(rt: AsyncRealtimeStream, kind: type | tuple[type, ...]) -> Any:
    async def find() -> Any:
        async for event in rt:
            if isinstance(event, kind):
                return event
        raise RuntimeError("the stream ended")

    return await asyncio.wait_for(find(), PATIENCE)


async def next_at(rt: AsyncRealtimeStream, item: str, when: dt.time) -> StockTrade:
    """The next trade of ``item`` at the clock's minute (frames already queued show the one
    before)."""
    while True:
        trade: StockTrade = await next_of(rt, StockTrade)
        if trade.item == item and trade.typed.cntr_tm == when:
            return trade


async def stream(sandbox: Sandbox) -> None:
    heading("Real-time · AsyncRealtimeStream: subscribe_trades (0B), subscribe_order_book (0D)")
    sandbox.realtime.configure(rate=5.0)  # five REAL frames a second per registration
    fast = RealtimeConfig(backoff_initial=0.1, jitter=0.0)  # reconnect at once, for the demo
    async with (
        AsyncClient(env="sandbox", base_url=sandbox.base_url) as client,
        AsyncRealtimeStream(client, config=fast) as rt,
    ):
        print(f"  connected to {rt.url} (found through the sandbox), logged in with the token")
        await rt.subscribe_trades(["005930", "000660"])
        await rt.subscribe_order_book("005930")
        # Prices are those of the sandbox clock's minute (where paper orders fill, what ka10001
        # shows); the demo moves the clock a minute at a time instead of waiting for it.
        for minute in range(3):
            sandbox.clock.set(dt.time(10, minute))
            trade = await next_at(rt, "000660", dt.time(10, minute))
            quote = await client.get_stock_info(stk_cd=trade.item)
            print(f"{trade_line(trade)}  · ka10001 {quote.cur_prc}")
        book: OrderBook = await next_of(rt, OrderBook)
        ask, bid = book.typed.sel_bid_1, book.typed.buy_bid_1
        print(
            f"  호가 {book.item}: 매도1 {ask.price if ask else 0:,} ({book.sel_bid_qty_1})"
            f" / 매수1 {bid.price if bid else 0:,} ({book.buy_bid_qty_1}); "
            f"{len(book.FIELDS)} fields typed, unknown ids kept: {dict(book.extra) or 'none'}"
        )

        dropped = sandbox.realtime.disconnect()
        print(f"  the sandbox drops the connection ({dropped} closed, no close frame) ...")
        gap: Gap = await next_of(rt, Gap)
        again = sum(len(s.items) * len(s.types) for s in gap.subscriptions)
        print(
            f"  ... reconnected after {gap.duration:.2f} s ({gap.attempts} attempt(s)): logged "
            f"in again, {again} registrations restored; the Gap event says so"
        )
        print(trade_line(await next_of(rt, StockTrade)))
        print(f"  data flows again · {rt.stats.connections} connections, {rt.stats.gaps} gap")

        heading("Condition search · list_conditions, search, start_condition")
        conditions = await rt.list_conditions()
        print("  " + ", ".join(f"{c.seq} {c.name}" for c in conditions))
        result = await rt.search(conditions[1].seq)
        print(f"  {conditions[1].name}: {len(result.rows)} hits {', '.join(result.codes)}")
        codes = await rt.start_condition(conditions[0].seq)
        print(f"  {conditions[0].name} in real time: {len(codes)} hits now, then changes:")
        change: ConditionChange = await next_of(rt, ConditionChange)
        what = "entered" if change.inserted else "left"
        print(f"  {change.time} {change.code} {what} condition {change.seq}")
        await rt.stop_condition(conditions[0].seq)


def run(sandbox: Sandbox) -> None:
    asyncio.run(stream(sandbox))


def main() -> int:
    with Sandbox() as sandbox:
        run(sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
