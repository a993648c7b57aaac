"""The main job, end to end and offline: the generated client against the embedded sandbox.

Run with ``make demo``. It starts the local Kiwoom sandbox on 127.0.0.1, then uses
``kiwoom_typed.Client`` and ``AsyncClient`` the way a trader's script would: stock info with typed
prices, a quote, a three-page ka10005 answer followed by cont-yn / next-key, concurrent async
calls, a token that expires mid-session and a rate-limit answer (both recovered transparently),
the token revoked on close, then real-time over the WebSocket (examples/realtime_demo.py). No
credentials needed: the sandbox accepts any key; set KIWOOM_APPKEY / KIWOOM_SECRETKEY to use your
own (they are never printed).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import realtime_demo  # examples/realtime_demo.py, beside this file

from kiwoom_runtime import Direction
from kiwoom_sandbox import Sandbox
from kiwoom_typed import (
    AsyncClient,
    Client,
    Ka10005StkDdwkmmItem,
)

ROOT = Path(__file__).resolve().parent.parent
ARROW = {Direction.UP: "▲", Direction.DOWN: "▼", Direction.FLAT: "–"}


def heading(text: str) -> None:
    print(f"\n── {text} " + "─" * max(0, 70 - len(text)))


APPKEY = os.environ.get("KIWOOM_APPKEY", "demo-appkey")
SECRETKEY = os.environ.get("KIWOOM_SECRETKEY", "demo-secretkey")


def stock_info(client: Client) -> None:
    heading("ka10001 주식기본정보요청 · get_stock_info(stk_cd='005930')")
    info = client.get_stock_info(stk_cd="005930")
    price = info.typed.cur_prc
    print(f"{info.stk_nm} ({info.stk_cd})  raw cur_prc={info.cur_prc!r}")
    if price is not None:
        arrow = ARROW.get(price.direction, "?")
        print(
            f"  현재가 {price.price:,}원 {arrow}  (the sign is the direction vs the previous close)"
        )
    print(f"  등락율 {info.typed.flu_rt}%  거래량 {info.typed.trde_qty or 0:,}")
    print(f"  PER {info.per!r}  시가총액 {info.mac}억  연중최고 {info.typed.oyr_hgst}")
    if info.raw is not None:
        api_id, status = info.raw.headers.get("api-id"), info.raw.status_code
        print(f"  raw response: api-id={api_id} status={status}")
    if info.extra:
        print(f"  keys the documentation does not list (kept): {sorted(info.extra)}")


def time_quote(client: Client) -> None:
    heading("ka10006 주식시분요청 · get_stock_time_quote(stk_cd='005930')")
    quote = client.get_stock_time_quote(stk_cd="005930")
    print(f"  {quote.typed.date}  close {quote.typed.close_pric}  체결강도 {quote.typed.cntr_str}")


def daily_pages(client: Client) -> None:
    heading("ka10005 주식일주월시분요청 · every page via cont-yn / next-key")
    pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930")
    rows: list[Ka10005StkDdwkmmItem] = []
    for number, page in enumerate(pager, start=1):
        rows.extend(page.stk_ddwkmm or ())
        cont = "Y" if page.cont_yn else "N"
        count = len(page.stk_ddwkmm or ())
        print(f"  page {number}: {count} rows  cont-yn={cont}  next-key={page.next_key!r}")
    print(f"  {len(rows)} rows from {pager.pages_fetched} pages (complete: {not pager.truncated})")
    print(f"  {'date':<12}{'close':>10}  {'':2}{'volume':>12}")
    for row in rows:
        close = row.typed.close_pric
        mark = ARROW.get(close.direction, "?") if close is not None else ""
        volume = row.typed.trde_qty
        price = close.price if close is not None else 0
        print(f"  {row.typed.date!s:<12}{price:>10,}  {mark:2}{volume or 0:>12,}")
    try:
        frame = pager.to_dataframe()  # every page, kept by the pager: nothing is fetched again
    except ImportError:
        print("  (pip install kiwoom-typed[pandas] for DataFrames)")
        return
    dtypes = ", ".join(f"{c}:{t}" for c, t in list(frame.dtypes.astype(str).items())[:6])
    print(f"  DataFrame {frame.shape[0]}×{frame.shape[1]} across pages: {dtypes}, …")


async def concurrent_quotes(base_url: str) -> None:
    heading("AsyncClient · 5 concurrent get_stock_info calls, one token")
    async with AsyncClient(base_url=base_url, appkey=APPKEY, secretkey=SECRETKEY) as client:
        codes = ["005930", "000660", "035420", "051910", "005380"]
        answers = await asyncio.gather(*(client.get_stock_info(stk_cd=c) for c in codes))
        for code, info in zip(codes, answers, strict=True):
            print(f"  {code}: {info.stk_nm} {info.cur_prc}")
        print(f"  tokens issued: {client.tokens.issue_count}")


def recovery(client: Client, sandbox: Sandbox) -> None:
    heading("Recovery: an expired token and a rate-limit answer")
    sandbox.inject("ka10001", "expire_token")
    before = client.tokens.issue_count
    client.get_stock_info(stk_cd="005930")
    issued = client.tokens.issue_count - before
    print(f"  token expired mid-session → issued again ({issued}×) and the call replayed")
    sandbox.inject(
        "ka10001",
        "error",
        return_code=5,
        return_msg="허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]",
    )
    sent = len(sandbox.requests_for("ka10001"))
    client.get_stock_info(stk_cd="005930")
    sends = len(sandbox.requests_for("ka10001")) - sent
    print(f"  [1700] rate limit → backed off and retried ({sends} sends)")


def main() -> int:
    # Codes without a fixture get synthetic answers (the manual's own example is flawed).
    with Sandbox(
        specs_dir=ROOT / "specs", fixtures_dir=ROOT / "tests" / "fixtures", use_examples=False
    ) as sandbox:
        print(f"kiwoom sandbox on {sandbox.base_url} — offline, any appkey accepted")
        with Client(base_url=sandbox.base_url, appkey=APPKEY, secretkey=SECRETKEY) as client:
            stock_info(client)
            time_quote(client)
            daily_pages(client)
            recovery(client, sandbox)
        asyncio.run(concurrent_quotes(sandbox.base_url))
        realtime_demo.run(sandbox)  # the WebSocket: typed streams, a forced disconnect survived
        revokes = len(sandbox.requests_for("au10002"))
        heading("Closed")
        print(f"  clients closed; tokens they issued were revoked (au10002 calls: {revokes})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
