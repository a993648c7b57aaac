"""The paper-trading engine: matching on the price path, partial fills, order kinds, limits,
hours, modify / cancel, and an account every account API agrees on.

Prices come from the sandbox's own path (``Market``), so each test states what it expects from
the path itself (the lowest low after 10:00, the price at a minute), never a number copied from
a run; time moves only through the sandbox clock.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from kiwoom_sandbox.market import SESSION_MINUTES, price_limits, tick_size
from kiwoom_sandbox.orders import rejections as rj
from kiwoom_sandbox.orders.catalog import find_order_apis
from kiwoom_sandbox.orders.views import pad, rate
from tests.conftest import ROOT
from tests.orders.conftest import CODE, DAY, Paper, at, qty

MINUTE_AT_10 = 60


def low_after(paper: Paper, start: int, end: int = SESSION_MINUTES) -> tuple[int, int]:
    """(lowest low, first minute it is reached) of minutes ``start+1 .. end``."""
    market = paper.market
    lows = [(market.minute_bar(CODE, DAY, m).low, m) for m in range(start + 1, end + 1)]
    low = min(p for p, _ in lows)
    return low, next(m for p, m in lows if p == low)


# --- what the engine answers ----------------------------------------------------------------


def test_the_engine_finds_the_order_apis_by_their_spec_facts(paper: Paper) -> None:
    specs = {a: r.spec for a, r in paper.app.routes.by_api_id.items()}
    found = find_order_apis(specs)
    assert sorted(found) == [
        "kt10000",
        "kt10001",
        "kt10002",
        "kt10003",
        "kt10006",
        "kt10007",
        "kt10008",
        "kt10009",
        "ust20000",
        "ust20001",
        "ust20002",
        "ust20003",
    ]
    assert {a: (f.action, f.product) for a, f in found.items()}["kt10008"] == (
        "modify",
        "credit",
    )
    # the kinds come from the spec's allowed values of trde_tp
    assert {k.code for k in found["kt10000"].kinds.values()} >= {"0", "3", "10", "20", "61"}
    assert found["ust20000"].kinds["03"].name == "시장가"


def test_an_order_answers_like_the_mock_host(paper: Paper) -> None:
    paper.app.configure(mode="mock")
    answer = paper.buy(1, kind="3")
    assert answer == {
        "ord_no": "0000001",
        "dmst_stex_tp": "KRX",
        "return_code": 0,
        "return_msg": "모의투자 매수주문완료",
    }  # the recorded shape (shared/live-responses/kt10000), numbered from 1


def test_after_the_close_the_mock_host_refuses_as_recorded(paper: Paper) -> None:
    paper.app.configure(mode="mock")
    paper.clock.set(dt.time(15, 31))
    assert paper.buy(1, kind="3") == {
        "return_code": 20,
        "return_msg": "[2000](RC4058:모의투자 장종료)",
    }


# --- matching ----------------------------------------------------------------------------------


def test_a_limit_below_the_price_rests_then_fills_when_the_path_reaches_it(paper: Paper) -> None:
    price = paper.price()
    assert price == paper.market.price_at(CODE, DAY, MINUTE_AT_10)
    limit, minute = low_after(paper, MINUTE_AT_10)
    assert limit < price  # the path goes lower later in the day
    order = paper.buy(10, limit)["ord_no"]
    assert [r["ord_no"] for r in paper.open_orders()] == [order]
    paper.clock.set(at(9) + dt.timedelta(minutes=minute - 1))
    assert paper.open_orders()[0]["oso_qty"] == "10"
    paper.clock.advance(minutes=1)
    assert paper.open_orders() == []
    (fill,) = paper.fills()
    assert (fill["ord_no"], fill["cntr_qty"], fill["cntr_pric"]) == (order, "10", str(limit))


def test_a_marketable_limit_fills_at_once_at_the_current_price(paper: Paper) -> None:
    price = paper.price()
    tick = tick_size(price)
    paper.buy(5, price + 5 * tick)
    (fill,) = paper.fills()
    assert fill["cntr_pric"] == str(price)  # the better price, not the limit


def test_big_orders_fill_in_parts_minute_by_minute(paper: Paper) -> None:
    paper.configure(max_fill_per_minute=3)
    order = paper.buy(10, kind="3")["ord_no"]  # market
    assert paper.open_orders()[0]["cntr_qty"] == "3"
    paper.clock.advance(minutes=1)
    assert paper.open_orders()[0]["cntr_qty"] == "6"
    paper.clock.advance(minutes=2)
    assert paper.open_orders() == []
    history = {r["ord_no"]: r for r in paper.history()}
    assert qty(history[order]["cntr_qty"]) == 10
    fills = paper.app.orders.state.order(order).fills  # type: ignore[union-attr]
    assert [f.qty for f in fills] == [3, 3, 3, 1]
    # a market order takes each minute's open after the first fill
    market = paper.market
    assert [f.price for f in fills[1:]] == [
        market.minute_bar(CODE, DAY, m).open for m in (61, 62, 63)
    ]


def test_ioc_keeps_what_filled_and_cancels_the_rest(paper: Paper) -> None:
    paper.configure(max_fill_per_minute=4)
    order = paper.buy(10, kind="13")["ord_no"]  # 시장가(IOC)
    assert paper.open_orders() == []
    row = {r["ord_no"]: r for r in paper.history()}[order]
    assert (qty(row["cntr_qty"]), qty(row["ord_remnq"])) == (4, 0)


def test_fok_fills_wholly_or_not_at_all(paper: Paper) -> None:
    paper.configure(max_fill_per_minute=4)
    refused = paper.buy(10, kind="23")["ord_no"]  # 시장가(FOK): 4 < 10
    taken = paper.buy(4, kind="23")["ord_no"]
    rows = {r["ord_no"]: r for r in paper.history()}
    assert qty(rows[refused]["cntr_qty"]) == 0 and qty(rows[refused]["ord_remnq"]) == 0
    assert qty(rows[taken]["cntr_qty"]) == 4


def test_a_stop_limit_waits_for_its_stop(paper: Paper) -> None:
    paper.buy(1, kind="3")
    low, _ = low_after(paper, MINUTE_AT_10)
    stop = low + tick_size(low)  # a sell stop: wakes when the price falls to it
    assert stop < paper.price()
    market = paper.market
    wakes = next(
        m
        for m in range(MINUTE_AT_10 + 1, SESSION_MINUTES + 1)
        if market.minute_bar(CODE, DAY, m).low <= stop
    )
    order = paper.sell(1, low, kind="28", cond_uv=str(stop))["ord_no"]
    paper.clock.set(at(9) + dt.timedelta(minutes=wakes - 1))
    (row,) = paper.open_orders()
    assert (row["ord_no"], row["stop_pric"]) == (order, str(stop))
    paper.clock.advance(minutes=1)
    assert paper.open_orders() == []  # woken, then sold at its limit or better
    sold = {r["ord_no"]: r for r in paper.fills()}[order]
    assert sold["cntr_pric"] == str(max(low, market.minute_bar(CODE, DAY, wakes).open))


def test_conditional_limit_turns_market_at_the_close(paper: Paper) -> None:
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]  # 하한가: never touched
    order = paper.buy(2, far, kind="5")["ord_no"]
    paper.clock.set(dt.time(15, 29))
    assert paper.open_orders()[0]["ord_no"] == order
    paper.clock.set(dt.time(15, 31))
    (fill,) = paper.fills()
    assert fill["cntr_pric"] == str(paper.market.bar(CODE, DAY).close)


def test_pre_market_trades_at_the_previous_close(paper: Paper) -> None:
    paper.clock.set(dt.time(8, 35))
    paper.buy(3, kind="61")
    (fill,) = paper.fills()
    assert fill["cntr_pric"] == str(paper.market.bar(CODE, DAY).previous_close)


def test_orders_left_at_the_end_of_the_day_expire(paper: Paper) -> None:
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
    paper.buy(1, far)
    assert len(paper.open_orders()) == 1
    paper.clock.set(at(9, 30, DAY + dt.timedelta(days=3)))  # Monday
    assert paper.open_orders() == []


def test_an_order_before_the_open_trades_in_the_opening_auction(paper: Paper) -> None:
    paper.clock.set(dt.time(8, 45))
    paper.buy(2, kind="3")
    assert paper.fills() == []
    paper.clock.set(dt.time(9, 1))
    (fill,) = paper.fills()
    assert fill["cntr_pric"] == str(paper.market.bar(CODE, DAY).open)


# --- refusals ----------------------------------------------------------------------------------


def _refused(answer: dict[str, object], rejection: rj.Rejection, mode: str = "prod") -> None:
    assert answer["return_code"] == 20, answer
    code = rejection.prod_code or rejection.code if mode == "prod" else rejection.code
    assert str(answer["return_msg"]).startswith(f"[2000]({code}:"), answer


def test_a_price_off_the_tick_grid_is_refused(paper: Paper) -> None:
    price = paper.price()
    assert tick_size(price) == 100  # 50,000-200,000 won: 100 won ticks
    _refused(paper.buy(1, price + 50), rj.OFF_TICK)


def test_prices_beyond_the_daily_limits_are_refused(paper: Paper) -> None:
    bar = paper.market.bar(CODE, DAY)
    lower, upper = price_limits(bar.previous_close)
    assert (bar.lower_limit, bar.upper_limit) == (lower, upper)
    _refused(paper.buy(1, upper + tick_size(upper)), rj.OUT_OF_LIMITS)
    _refused(paper.buy(1, lower - tick_size(lower)), rj.OUT_OF_LIMITS)
    assert paper.buy(1, lower)["return_code"] == 0


@pytest.mark.parametrize(
    ("when", "rejection"),
    [
        (dt.time(8, 0), rj.BEFORE_OPEN),
        (dt.time(15, 30), rj.CLOSED),
        (dt.time(20, 0), rj.CLOSED),
    ],
)
def test_orders_out_of_hours_are_refused(
    paper: Paper, when: dt.time, rejection: rj.Rejection
) -> None:
    paper.clock.set(when)
    _refused(paper.buy(1, kind="3"), rejection)


def test_weekends_are_refused_and_hours_can_be_lifted(paper: Paper) -> None:
    paper.clock.set(at(10, 0, DAY + dt.timedelta(days=1)))  # Saturday
    _refused(paper.buy(1, kind="3"), rj.HOLIDAY)
    hours = paper.app.config.trading.hours
    paper.configure(hours=type(hours)(enforce=False, krx_close=hours.krx_close))
    assert paper.buy(1, kind="3")["return_code"] == 0


def test_the_trading_hours_are_configurable(paper: Paper) -> None:
    hours = paper.app.config.trading.hours
    paper.configure(hours=type(hours)(krx_close=dt.time(10, 0)))
    _refused(paper.buy(1, kind="3"), rj.CLOSED)


def test_nxt_takes_orders_after_the_krx_close_but_not_on_mock(paper: Paper) -> None:
    paper.clock.set(dt.time(17, 0))
    assert paper.buy(1, kind="3", dmst_stex_tp="NXT")["return_code"] == 0
    assert paper.buy(1, kind="3", dmst_stex_tp="SOR")["return_code"] == 0
    _refused(paper.buy(1, kind="3"), rj.CLOSED)
    paper.app.configure(mode="mock")
    answer = paper.buy(1, kind="3", dmst_stex_tp="NXT")
    assert answer["return_msg"] == "[2000](RC9000:모의투자에서는 해당업무가 제공되지 않습니다.)"


def test_bad_quantities_and_kinds_are_refused(paper: Paper) -> None:
    _refused(paper.buy(0, kind="3"), rj.BAD_QUANTITY)
    _refused(
        paper.post(
            "kt10000", {"dmst_stex_tp": "KRX", "stk_cd": CODE, "ord_qty": "1.5", "trde_tp": "3"}
        ),
        rj.BAD_QUANTITY,
    )
    _refused(paper.buy(1, kind="99"), rj.BAD_KIND)
    _refused(paper.buy(1, kind="0"), rj.BAD_PRICE)  # a limit without its price


def test_cash_and_shares_are_checked(paper: Paper) -> None:
    price = paper.price()
    too_many = paper.app.config.trading.cash // price + 1
    answer = paper.buy(too_many, price)
    _refused(answer, rj.NO_CASH)
    assert answer["return_msg"].startswith("[2000](855056:매수증거금이 부족합니다.")
    assert f"{too_many - 1}주 매수가능" in answer["return_msg"]
    _refused(paper.sell(1, kind="3"), rj.NO_SHARES)
    paper.app.configure(mode="mock")
    assert (
        paper.buy(too_many, price)["return_msg"]
        == "[2000](RC4025:모의투자 주문가능금액을 확인하세요.)"
    )
    assert (
        paper.sell(1, kind="3")["return_msg"]
        == "[2000](800033:모의투자 매도가능수량이 부족합니다.)"
    )


# --- modify and cancel --------------------------------------------------------------------------


def test_modify_moves_the_rest_to_a_new_order_number(paper: Paper) -> None:
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
    first = paper.buy(10, far)["ord_no"]
    answer = paper.modify(first, 0, far + tick_size(far))
    assert answer == {
        "ord_no": "0000002",
        "base_orig_ord_no": first,
        "mdfy_qty": "000000000010",
        "dmst_stex_tp": "KRX",
        "return_code": 0,
        "return_msg": "매수정정 주문입력이 완료되었습니다",
    }  # the manual's kt10002 example, field for field
    (row,) = paper.open_orders()
    assert (row["ord_no"], row["orig_ord_no"], row["io_tp_nm"]) == ("0000002", first, "+매수정정")
    # a modify to a marketable price trades at once
    paper.modify("0000002", 4, paper.price())
    assert [r["oso_qty"] for r in paper.open_orders()] == ["6"]
    assert paper.fills()[0]["cntr_qty"] == "4"


def test_cancel_partly_then_the_rest(paper: Paper) -> None:
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
    order = paper.buy(10, far)["ord_no"]
    answer = paper.cancel(order, 3)
    assert (answer["base_orig_ord_no"], answer["cncl_qty"]) == (order, "000000000003")
    assert paper.open_orders()[0]["oso_qty"] == "7"
    assert paper.cancel(order)["cncl_qty"] == "000000000007"  # "0": every share left
    assert paper.open_orders() == []
    _refused(paper.cancel(order), rj.NOTHING_LEFT)
    _refused(paper.cancel("0999999"), rj.NO_ORIGINAL)
    rows = paper.history()
    assert [(r["mdfy_cncl"], r["ori_ord"]) for r in rows] == [
        ("", "0000000"),
        ("취소", order),
        ("취소", order),
    ]


def test_a_cancel_of_a_modified_order_names_the_first_order(paper: Paper) -> None:
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
    first = paper.buy(1, far)["ord_no"]
    second = paper.modify(first, 1, far + tick_size(far))["ord_no"]
    answer = paper.cancel(second)
    assert answer["base_orig_ord_no"] == first  # 모주문번호, as in the manual's kt10003 example
    _refused(paper.modify(first, 1, far), rj.NOTHING_LEFT)
    _refused(paper.cancel(second, 1, dmst_stex_tp="SOR"), rj.NOTHING_LEFT)


def test_a_modify_on_another_exchange_is_refused(paper: Paper) -> None:
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
    order = paper.buy(1, far)["ord_no"]
    _refused(paper.cancel(order, 1, dmst_stex_tp="SOR"), rj.OTHER_EXCHANGE)
    _refused(paper.modify(order, 1, far), rj.SAME_PRICE)


# --- one account, every API --------------------------------------------------------------------


def test_a_round_trip_moves_cash_holdings_and_pnl_consistently(paper: Paper) -> None:
    engine = paper.app.orders
    fees = engine.fees
    buy_price = paper.price()
    paper.buy(10, kind="3")
    value = 10 * buy_price
    commission = engine.commission(value, "stock")
    assert commission == int(Decimal(value) * fees.commission) // 10 * 10

    balance = paper.balance()
    (row,) = balance["acnt_evlt_remn_indv_tot"]
    assert row["stk_cd"] == f"A{CODE}" and qty(row["rmnd_qty"]) == 10
    assert qty(row["pur_pric"]) == buy_price and qty(row["pur_amt"]) == value
    assert qty(row["pur_cmsn"]) == commission
    evaluated = qty(row["evlt_amt"])
    assert evaluated == 10 * paper.price()
    pnl = evaluated - value - qty(row["sum_cmsn"]) - qty(row["tax"])
    assert qty(row["evltv_prft"]) == pnl  # as the mock captures compute it
    assert qty(balance["tot_evlt_pl"]) == pnl
    assert len(row["prft_rt"]) == 12 and len(row["evltv_prft"]) == 15

    deposit = paper.deposit()
    cash = paper.app.config.trading.cash
    assert qty(deposit["entr"]) == cash  # trades settle in two business days
    assert qty(deposit["d2_entra"]) == cash - value - commission
    assert qty(deposit["ord_alow_amt"]) == cash - value - commission

    paper.clock.advance(minutes=30)
    sell_price = paper.price()
    paper.sell(10, kind="3")
    assert paper.balance()["acnt_evlt_remn_indv_tot"] == []
    proceeds = 10 * sell_price
    sell_fees = engine.commission(proceeds, "stock") + engine.tax(proceeds, "sell", "stock")
    realized = proceeds - sell_fees - value - commission
    assert engine.state.realized == realized
    assert qty(paper.deposit()["d2_entra"]) == cash + realized
    # two business days later the cash has settled
    paper.clock.set(at(10, 0, DAY + dt.timedelta(days=4)))  # Tuesday
    assert qty(paper.deposit()["entr"]) == cash + realized


def test_open_buys_hold_cash_and_open_sells_hold_shares(paper: Paper) -> None:
    paper.buy(5, kind="3")
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)
    before = qty(paper.deposit()["ord_alow_amt"])
    paper.buy(2, far[0])
    held = qty(paper.deposit()["ord_alow_amt"])
    need = 2 * far[0] + paper.app.orders.commission(2 * far[0], "stock")
    assert before - held == need
    paper.sell(3, far[1])  # 상한가: rests
    (row,) = paper.balance()["acnt_evlt_remn_indv_tot"]
    assert (qty(row["rmnd_qty"]), qty(row["trde_able_qty"])) == (5, 2)
    _refused(paper.sell(3, far[1]), rj.NO_SHARES)


def test_every_account_answer_fits_its_spec(paper: Paper) -> None:
    from codegen.kinds import kind_problem, measured_length

    paper.buy(3, kind="3")
    paper.buy(1, price_limits(paper.market.bar(CODE, DAY).previous_close)[0])
    answers = {
        "ka10075": paper.post("ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}),
        "ka10076": paper.post("ka10076", {"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"}),
        "kt00018": paper.balance(),
        "kt00001": paper.deposit(),
        "kt00007": paper.post(
            "kt00007", {"qry_tp": "1", "stk_bond_tp": "0", "sell_tp": "0", "dmst_stex_tp": "%"}
        ),
    }
    for api_id, body in answers.items():
        assert body["return_code"] == 0, body
        for field in paper.app.routes.by_api_id[api_id].spec.response.body:
            values = body[field.element]
            if field.is_list:
                assert values, (api_id, field.element)
                for row in values:
                    for item in field.items:
                        value = row[item.element]
                        assert kind_problem(item, value) is None, (api_id, item.element, value)
                        assert item.length is None or measured_length(item, value) <= item.length
            else:
                assert kind_problem(field, values) is None, (api_id, field.element, values)


def test_formats_match_the_recorded_answers() -> None:
    assert pad(-2694, 15) == "-00000000002694"
    assert pad(272750, 15) == "000000000272750"
    assert rate(Decimal("-0.9877")) == "-00000000.99"
    assert rate(Decimal("2.977")) == "000000002.98"


def _recorded(api_id: str) -> dict[str, object]:
    """The body of the one answer of ``api_id`` recorded from the mock host."""
    (path,) = sorted((ROOT / "tests" / "live_responses" / api_id).glob("*.json"))
    body: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))["body"]
    return body


def test_mock_answers_match_the_recorded_ones(paper: Paper) -> None:
    paper.app.configure(mode="mock")
    # an account with no open orders answers exactly as recorded (tests/live_responses/ka10075)
    assert paper.post("ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}) == (
        _recorded("ka10075")
    )
    # a 1-share market buy: the recorded keys and message, our own order number
    recorded = _recorded("kt10000")
    answer = paper.buy(1, kind="3")
    assert set(answer) == set(recorded) and answer["return_msg"] == recorded["return_msg"]
    assert len(str(answer["ord_no"])) == len(str(recorded["ord_no"]))
    # a cancel answers the keys the same source quotes: ord_no, base_orig_ord_no, cncl_qty
    far = price_limits(paper.market.bar(CODE, DAY).previous_close)[0]
    resting = paper.buy(1, far)["ord_no"]
    cancel = paper.cancel(resting)
    assert set(cancel) == {"ord_no", "base_orig_ord_no", "cncl_qty", "return_code", "return_msg"}
    assert cancel["return_msg"] == "모의투자 취소주문완료"


# --- quotes and the engine agree ------------------------------------------------------------


@pytest.mark.parametrize("code", ["000660", "035420"])
def test_a_quote_shows_the_price_a_market_order_fills_at(paper: Paper, code: str) -> None:
    def quote() -> dict[str, str]:
        answer: dict[str, str] = paper.post("ka10001", {"stk_cd": code})
        return answer

    now = quote()
    assert abs(int(now["cur_prc"])) == paper.market.price_at(code, DAY, MINUTE_AT_10)
    assert abs(int(now["cur_prc"])) == paper.price(code)
    bar = paper.market.bar(code, DAY)
    assert int(now["trde_qty"]) < bar.volume  # only what traded by 10:00
    paper.buy(3, kind="3", stk_cd=code)
    (fill,) = paper.fills()
    assert int(fill["cntr_pric"]) == abs(int(now["cur_prc"]))
    paper.clock.set(dt.time(14, 0))
    assert abs(int(quote()["cur_prc"])) == paper.market.price_at(code, DAY, 300)
    paper.clock.set(dt.time(8, 30))  # before the open: the previous close, nothing traded
    early = quote()
    assert (abs(int(early["cur_prc"])), int(early["trde_qty"])) == (bar.previous_close, 0)
    paper.clock.set(dt.time(15, 40))  # after the close: the whole day
    assert abs(int(quote()["cur_prc"])) == bar.close


def test_quotes_can_show_the_whole_day_instead(paper: Paper) -> None:
    paper.configure(quotes_follow_clock=False)
    answer = paper.post("ka10001", {"stk_cd": "000660"})
    assert abs(int(answer["cur_prc"])) == paper.market.bar("000660", DAY).close


def test_a_running_clock_moves_quotes_and_set_keeps_it_running() -> None:
    import time

    from kiwoom_sandbox.orders.clock import SandboxClock

    start = at(10)
    clock = SandboxClock(start, speed=600.0)  # ten market minutes a real second
    time.sleep(0.25)
    moved = clock.now()
    assert start + dt.timedelta(seconds=100) <= moved < start + dt.timedelta(minutes=30)
    clock.set(dt.time(9, 0))
    assert clock.now() < at(9, 30) and clock.speed == 600.0
    clock.run(0)
    stopped = clock.now()
    time.sleep(0.05)
    assert clock.now() == stopped
    with pytest.raises(ValueError, match="speed"):
        SandboxClock(start, speed=-1)
    assert "x600" in repr(SandboxClock(start, speed=600.0))
