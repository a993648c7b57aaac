"""The paper account beyond one market: credit, US orders, events, and a restart from a file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kiwoom_sandbox.app import App
from kiwoom_sandbox.market import price_limits
from kiwoom_sandbox.orders import OrderEvent
from kiwoom_sandbox.orders.realtime import frames
from tests.orders.conftest import CODE, DAY, Paper, config, qty

# 10:00 in New York on the market date is midnight after it in Seoul (EST, UTC-5).
US_OPEN_HOUR = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(0, 0))


def test_credit_buys_borrow_and_credit_sells_repay(paper: Paper) -> None:
    engine = paper.app.orders
    price = paper.price()
    answer = paper.order("kt10006", 10, None, "3")
    assert answer["return_code"] == 0, answer
    (row,) = paper.balance()["acnt_evlt_remn_indv_tot"]
    assert (row["crd_tp"], row["crd_tp_nm"], row["crd_loan_dt"]) == ("03", "유통융자", "20250131")
    loan = engine._loan(10 * price)
    assert qty(paper.balance()["tot_crd_loan_amt"]) == loan
    # the cash part only: 40 % of the price, and the commission on the whole
    cash = paper.app.config.trading.cash
    commission = engine.commission(10 * price, "credit")
    assert qty(paper.deposit()["d2_entra"]) == cash - (10 * price - loan) - commission
    sold = paper.order("kt10007", 10, None, "3", crd_deal_tp="33", crd_loan_dt="20250131")
    assert sold["return_code"] == 0, sold
    assert paper.balance()["acnt_evlt_remn_indv_tot"] == []
    assert qty(paper.balance()["tot_crd_loan_amt"]) == 0


def test_us_orders_trade_in_new_york_hours_in_cents(paper: Paper) -> None:
    body = {"stex_tp": "ND", "stk_cd": "AAPL", "ord_qty": "2", "ord_uv": "", "trde_tp": "03"}
    refused = paper.post("ust20000", body)  # 10:00 in Seoul: New York is closed
    assert refused["return_msg"].startswith("[2000](RC4058:"), refused
    paper.clock.set(US_OPEN_HOUR)
    answer = paper.post("ust20000", body)
    assert answer["return_code"] == 0, answer
    assert len(answer["ord_no"]) == 9 and answer["stk_nm"] == "애플"
    engine = paper.app.orders
    price = engine.price("AAPL", "us")
    assert price == paper.market.price_at("AAPL", DAY, 30)  # 10:00 New York: minute 30
    (row,) = paper.post("ust21510", {"slby_tp": "0", "stex_tp": "", "stk_cd": ""})["result_list"]
    assert (row["ord_no"], row["slby_tp"], qty(row["cntr_qty"])) == (answer["ord_no"], "2", 2)
    assert row["cntr_uv"] == f"{price / 100:.4f}"
    spent = 2 * price + engine.commission(2 * price, "us")
    assert engine.state.usd_cash == 1_000_000 - spent
    # a limit order in dollars: a price off the cent grid is refused
    off = paper.post("ust20000", {**body, "ord_uv": "100.005", "trde_tp": "00"})
    assert off["return_msg"].startswith("[2000](RC4003:"), off


def test_events_tell_taken_filled_confirmed(paper: Paper) -> None:
    seen: list[OrderEvent] = []
    stop = paper.app.orders.subscribe(seen.append)
    try:
        paper.configure(max_fill_per_minute=3)
        order = paper.buy(5, kind="3")["ord_no"]
        paper.clock.advance(minutes=1)
        far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
        resting = paper.buy(1, far)["ord_no"]
        paper.cancel(resting)
    finally:
        stop()
    assert [(e.kind, e.order.ord_no) for e in seen] == [
        ("order", order),
        ("fill", order),
        ("fill", order),
        ("order", resting),
        ("confirm", "0000003"),
    ]
    fill = seen[2]
    assert fill.fill is not None and fill.holding is not None and fill.holding.qty == 5
    order_frame, balance_frame = frames(fill)
    values = order_frame["data"][0]["values"]
    assert order_frame["data"][0]["type"] == "00"
    assert (values["9203"], values["913"], values["911"], values["902"]) == (
        order,
        "체결",
        "2",
        "0",
    )
    assert balance_frame["data"][0]["type"] == "04"
    assert balance_frame["data"][0]["values"]["930"] == "5"
    assert [f["data"][0]["values"]["913"] for f in frames(seen[-1])] == ["확인"]


def test_the_account_survives_a_restart_from_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "paper.json"
    first = Paper(App(config(state_file=state)))
    first.clock.set(dt.time(11, 0))
    first.buy(3, kind="3")
    far = price_limits(first.market.bar(CODE, DAY).previous_close)[0]
    resting = first.buy(2, far)["ord_no"]
    balance, deposit, open_orders = first.balance(), first.deposit(), first.open_orders()
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["next_order_no"] == 3

    second = Paper(App(config(state_file=state)))  # a new sandbox process would do the same
    assert second.clock.now() == dt.datetime.combine(DAY, dt.time(11, 0))
    assert second.open_orders() == open_orders
    assert second.balance() == balance
    assert second.deposit() == deposit
    assert second.buy(1, kind="3")["ord_no"] == "0000003"  # numbering goes on
    assert second.cancel(resting)["return_code"] == 0


def test_the_sandbox_command_line_sets_up_the_paper_account(tmp_path: Path) -> None:
    from kiwoom_sandbox.cli import build_parser, config_from_args

    args = build_parser().parse_args(
        ["--clock", "09:30", "--cash", "5000000", "--state-file", str(tmp_path / "s.json")]
    )
    made = config_from_args(args)
    assert made.trading.clock_start == dt.time(9, 30) and made.trading.cash == 5_000_000
    assert made.state_file == tmp_path / "s.json" and made.paper_trading
    now = config_from_args(build_parser().parse_args(["--clock", "now", "--no-paper-trading"]))
    assert now.trading.wall_clock and not now.paper_trading
