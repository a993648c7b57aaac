"""The account APIs, answered from the engine's state in the shapes the services use.

Formats follow recorded answers where there are some (shared/live-responses): kt00018 pads
amounts to 15 digits with the sign first (``-00000000002694``), rates to 12 characters
(``000000002.98``), codes carry an ``A`` prefix (``A005930``); ka10075 / ka10076 send plain
numbers and signed current prices (``+74100``) and ``return_msg`` ``" 조회가 완료되었습니다."``
(with its leading space); an empty mock kt00018 says ``모의투자 해당조회내역이 없습니다.``. The
other formats come from the tables' descriptions (``좌측 0-padding 처리된 ... 15자리``). A
documented field a view does not fill gets a neutral value by its documentation (zeros of its
width, ``0.00``, or ``""``), so an empty account answers zeros, not noise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from codegen.spec import Field, ValueKind
from kiwoom_sandbox.meaning import infer_kind
from kiwoom_sandbox.orders.state import Holding, Order

if TYPE_CHECKING:
    from kiwoom_sandbox.orders.engine import Answer, OrderEngine

Row = dict[str, Any]
_DONE = " 조회가 완료되었습니다."
_KEY_PREFIX = "PAPER"
_EXCHANGE_TP = {"KRX": ("1", "KRX", "N"), "NXT": ("2", "NXT", "N"), "SOR": ("0", "통합", "Y")}
_CREDIT_TP = {"stock": ("00", ""), "credit": ("03", "유통융자")}


class BadNextKey(Exception):
    """The next-key does not name a page of this answer."""


# --- formats --------------------------------------------------------------------------------


def pad(value: int, width: int) -> str:
    """Zero-padded to ``width`` with the sign first: ``-00000000002694``."""
    digits = str(abs(value))
    return ("-" + digits.zfill(width - 1)) if value < 0 else digits.zfill(width)


def rate(value: Decimal, width: int = 12) -> str:
    """A percentage with two decimals, padded: ``000000002.98``, ``-00000000.99``."""
    text = f"{abs(value.quantize(Decimal('0.01'), ROUND_HALF_UP)):.2f}"
    return ("-" + text.zfill(width - 1)) if value < 0 else text.zfill(width)


def percent(part: int, whole: int) -> Decimal:
    return Decimal(part) * 100 / Decimal(whole) if whole else Decimal(0)


def signed(price: int, reference: int) -> str:
    """A price with its direction against ``reference`` as its sign: ``+74100``."""
    return f"+{price}" if price > reference else f"-{price}" if price < reference else str(price)


def usd(cents: int, places: int = 4) -> str:
    return f"{Decimal(cents) / 100:.{places}f}"


def neutral(field: Field) -> str:
    """What a documented field says when there is nothing to say."""
    kind = field.kind or infer_kind(field)
    if "0-padding" in field.description and field.length is not None:
        return "0" * field.length
    if kind in (ValueKind.NUMBER, ValueKind.SIGNED_NUMBER, ValueKind.SIGNED_PRICE):
        return "0"
    if kind in (ValueKind.DECIMAL, ValueKind.DECIMAL_PRICE):
        text = "0.00"
        return text.zfill(field.length) if "포맷" in field.description and field.length else text
    return ""


def _shape(fields: Sequence[Field], values: Mapping[str, Any]) -> Row:
    return {f.element: values.get(f.element, neutral(f)) for f in fields if not f.is_list}


def render(
    engine: OrderEngine,
    api_id: str,
    view: str,
    request: Mapping[str, Any],
    headers: Mapping[str, str],
) -> Answer:
    """The answer of ``api_id`` from the state, one page of ``TradingConfig.page_rows``."""
    fields = engine.view_fields[api_id]
    top, rows, message = VIEWS[view](engine, request)
    follow = headers.get("cont-yn", "").strip().upper() == "Y"
    key = headers.get("next-key", "").strip()
    offset = 0
    if follow:
        if not key.startswith(_KEY_PREFIX) or not key[len(_KEY_PREFIX) :].isdigit():
            raise BadNextKey(key)
        offset = int(key[len(_KEY_PREFIX) :])
        if not 0 < offset < len(rows):
            raise BadNextKey(key)
    size = engine.trading.page_rows
    page = rows[offset : offset + size]
    more = offset + size < len(rows)
    body = _shape(fields, top)
    for field in fields:
        if field.is_list:
            body[field.element] = [_shape(field.items, row) for row in page]
    body["return_code"] = 0
    body["return_msg"] = message
    next_key = f"{_KEY_PREFIX}{offset + size:07d}" if more else ""
    return body, "Y" if more else "N", next_key


# --- the views --------------------------------------------------------------------------------

ViewResult = tuple[Row, list[Row], str]


def _text(request: Mapping[str, Any], key: str) -> str:
    value = request.get(key)
    return value.strip() if isinstance(value, str) else ""


def _domestic(orders: Iterable[Order]) -> list[Order]:
    return [o for o in orders if o.product != "us"]


def _side_ok(order: Order, selector: str) -> bool:
    """``0`` all, ``1`` sell, ``2`` buy (ka10075 trde_tp, ka10076 / kt00007 sell_tp)."""
    return selector in ("", "0") or (selector == "1") == (order.side == "sell")


def _stex_ok(order: Order, selector: str) -> bool:
    """ka10075 / ka10076 stex_tp: ``0`` 통합 (every order), ``1`` KRX, ``2`` NXT."""
    return selector in ("", "0") or _EXCHANGE_TP.get(order.exchange, ("0",))[0] == selector


def _io_name(order: Order) -> str:
    """주문구분 as the real-time feed and ka10075 print it: +매수, -매도, +매수정정, 매도취소."""
    side = "매수" if order.side == "buy" else "매도"
    if order.action == "cancel":
        return f"{side}취소"
    sign = "+" if order.side == "buy" else "-"
    return f"{sign}{side}{'정정' if order.action == 'modify' else ''}"


def _hms(when: dt.datetime) -> str:
    return when.strftime("%H%M%S")


def _order_row(engine: OrderEngine, order: Order) -> Row:
    """The fields ka10075 and ka10076 share."""
    price = engine.price(order.code, order.product)
    reference = engine.market.bar(order.code, order.day).previous_close
    tick = engine.market.tick_size(order.code, price)
    last = order.fills[-1] if order.fills else None
    stex, stex_text, sor = _EXCHANGE_TP.get(order.exchange, ("1", "KRX", "N"))
    return {
        "acnt_no": engine.config.account_number,
        "ord_no": order.ord_no,
        "stk_cd": order.code,
        "ord_stt": order.status,
        "stk_nm": engine.name(order.code),
        "ord_qty": str(order.qty),
        "ord_pric": str(order.price),
        "oso_qty": str(order.remaining),
        "cntr_tot_amt": str(order.filled_value),
        "orig_ord_no": order.orig_ord_no,
        "io_tp_nm": _io_name(order),
        "trde_tp": order.kind_name,
        "tm": _hms(order.placed_at),
        "ord_tm": _hms(order.placed_at),
        "cntr_no": last.no if last else "",
        "cntr_pric": str(order.average_price if order.filled else 0),
        "cntr_qty": str(order.filled),
        "cur_prc": signed(price, reference),
        "sel_bid": signed(price + tick, reference),
        "buy_bid": signed(price, reference),
        "unit_cntr_pric": str(last.price) if last else "",
        "unit_cntr_qty": str(last.qty) if last else "",
        "tdy_trde_cmsn": str(order.commission),
        "tdy_trde_tax": str(order.tax),
        "stex_tp": stex,
        "stex_tp_txt": stex_text,
        "sor_yn": sor,
        "stop_pric": str(order.cond_price) if order.cond_price else "",
    }


def open_orders(engine: OrderEngine, request: Mapping[str, Any]) -> ViewResult:
    """ka10075 미체결: orders with a rest, newest first."""
    one = _text(request, "all_stk_tp") == "1"
    code = _text(request, "stk_cd")
    rows = [
        _order_row(engine, o)
        for o in reversed(_domestic(engine.open_orders()))
        if (not one or o.code == code)
        and _side_ok(o, _text(request, "trde_tp"))
        and _stex_ok(o, _text(request, "stex_tp"))
    ]
    return {}, rows, _DONE


def fills(engine: OrderEngine, request: Mapping[str, Any]) -> ViewResult:
    """ka10076 체결: orders with fills, newest first; ``ord_no`` lists those before it."""
    one = _text(request, "qry_tp") == "1"
    code = _text(request, "stk_cd")
    before = _text(request, "ord_no").lstrip("0")
    rows = [
        _order_row(engine, o)
        for o in reversed(_domestic(engine.state.orders))
        if o.filled
        and (not one or o.code == code)
        and (not before or int(o.ord_no) < int(before))
        and _side_ok(o, _text(request, "sell_tp"))
        and _stex_ok(o, _text(request, "stex_tp"))
    ]
    return {}, rows, _DONE


def order_history(engine: OrderEngine, request: Mapping[str, Any]) -> ViewResult:
    """kt00007 계좌별주문체결내역상세: every order record of a day (modifies and cancels too)."""
    asked = _text(request, "ord_dt")
    day = dt.datetime.strptime(asked, "%Y%m%d").date() if asked else engine.now().date()
    kind = _text(request, "qry_tp") or "1"
    code = _text(request, "stk_cd")
    start = _text(request, "fr_ord_no").lstrip("0")
    exchange = _text(request, "dmst_stex_tp") or "%"
    chosen = [
        o
        for o in _domestic(engine.state.orders)
        if o.placed_at.date() == day
        and (not code or o.code == code.removeprefix("A"))
        and (not start or int(o.ord_no) >= int(start))
        and _side_ok(o, _text(request, "sell_tp"))
        and (exchange == "%" or o.exchange == exchange)
        and (kind != "3" or o.remaining > 0)
        and (kind != "4" or o.filled > 0)
    ]
    if kind == "2":
        chosen.reverse()
    rows = []
    for order in chosen:
        confirm = order.action != "new"
        rows.append(
            {
                "ord_no": order.ord_no,
                "stk_cd": f"A{order.code}",
                "trde_tp": order.kind_name,
                "crd_tp": "보통매매" if order.product == "stock" else "유통융자",
                "ord_qty": pad(order.qty, 10),
                "ord_uv": pad(order.price, 10),
                "cnfm_qty": pad(order.qty if confirm else 0, 10),
                "acpt_tp": "확인" if confirm else "접수",
                "rsrv_tp": "",
                "ord_tm": order.placed_at.strftime("%H:%M:%S"),
                "ori_ord": order.orig_ord_no,
                "stk_nm": engine.name(order.code),
                "io_tp_nm": ("현금" if order.product == "stock" else "신용")
                + ("매수" if order.side == "buy" else "매도"),
                "loan_dt": order.loan_day.strftime("%Y%m%d") if order.loan_day else "",
                "cntr_qty": pad(order.filled, 10),
                "cntr_uv": pad(order.average_price, 10),
                "ord_remnq": pad(order.remaining, 10),
                "comm_ord_tp": "OpenAPI",
                "mdfy_cncl": {"new": "", "modify": "정정", "cancel": "취소"}[order.action],
                "cnfm_tm": order.placed_at.strftime("%H:%M:%S") if confirm else "",
                "dmst_stex_tp": order.exchange,
                "cond_uv": pad(order.cond_price, 10),
            }
        )
    return {}, rows, "조회가 완료되었습니다"


def _holding_figures(engine: OrderEngine, holding: Holding) -> dict[str, int]:
    price = engine.price(holding.code, holding.product)
    value = price * holding.qty
    sell_commission = engine.commission(value, holding.product)
    tax = engine.tax(value, "sell", holding.product)
    fees = holding.purchase_commission + sell_commission
    return {
        "price": price,
        "value": value,
        "sell_commission": sell_commission,
        "tax": tax,
        "fees": fees,
        "pnl": value - holding.cost - fees - tax,
    }


def _today_qty(engine: OrderEngine, code: str, side: str, day: dt.date) -> int:
    return sum(
        f.qty
        for o in _domestic(engine.state.orders)
        if o.code == code and o.side == side
        for f in o.fills
        if f.at.date() == day
    )


def balance(engine: OrderEngine, request: Mapping[str, Any]) -> ViewResult:
    """kt00018 계좌평가잔고내역: one row per holding (``qry_tp`` 1 합산: per code)."""
    holdings = engine.holdings("domestic")
    if _text(request, "qry_tp") == "1":
        merged: dict[str, Holding] = {}
        for h in holdings:
            m = merged.setdefault(h.code, Holding(h.code, h.product))
            m.qty += h.qty
            m.cost += h.cost
            m.purchase_commission += h.purchase_commission
            m.loan += h.loan
            if h.product == "credit":
                m.product, m.loan_day = "credit", h.loan_day
        holdings = list(merged.values())
    figures = [(h, _holding_figures(engine, h)) for h in holdings]
    total_value = sum(f["value"] for _, f in figures)
    total_cost = sum(h.cost for h in holdings)
    total_pnl = sum(f["pnl"] for _, f in figures)
    today = engine.now().date()
    rows = []
    for holding, fig in figures:
        bar = engine.market.bar(holding.code, today)
        credit_tp, credit_name = _CREDIT_TP.get(holding.product, ("00", ""))
        sellable = engine.sellable(holding.code, holding.product, holding.loan_day)
        rows.append(
            {
                "stk_cd": f"A{holding.code}",
                "stk_nm": engine.name(holding.code),
                "evltv_prft": pad(fig["pnl"], 15),
                "prft_rt": rate(percent(fig["pnl"], holding.cost)),
                "pur_pric": pad(holding.average_price, 15),
                "pred_close_pric": pad(bar.previous_close, 12),
                "rmnd_qty": pad(holding.qty, 15),
                "trde_able_qty": pad(max(0, min(holding.qty, sellable)), 15),
                "cur_prc": pad(fig["price"], 12),
                "pred_buyq": pad(0, 15),
                "pred_sellq": pad(0, 15),
                "tdy_buyq": pad(_today_qty(engine, holding.code, "buy", today), 15),
                "tdy_sellq": pad(_today_qty(engine, holding.code, "sell", today), 15),
                "pur_amt": pad(holding.cost, 15),
                "pur_cmsn": pad(holding.purchase_commission, 15),
                "evlt_amt": pad(fig["value"], 15),
                "sell_cmsn": pad(fig["sell_commission"], 15),
                "tax": pad(fig["tax"], 15),
                "sum_cmsn": pad(fig["fees"], 15),
                "poss_rt": rate(percent(fig["value"], total_value)),
                "crd_tp": credit_tp,
                "crd_tp_nm": credit_name,
                "crd_loan_dt": holding.loan_day.strftime("%Y%m%d") if holding.loan_day else "",
            }
        )
    loans = sum(h.loan for h in holdings)
    top = {
        "tot_pur_amt": pad(total_cost, 15),
        "tot_evlt_amt": pad(total_value, 15),
        "tot_evlt_pl": pad(total_pnl, 15),
        "tot_prft_rt": rate(percent(total_pnl, total_cost)),
        "prsm_dpst_aset_amt": pad(engine.cash_after(2) + total_value - loans, 15),
        "tot_loan_amt": pad(loans, 15),
        "tot_crd_loan_amt": pad(loans, 15),
        "tot_crd_ls_amt": pad(0, 15),
    }
    empty = "모의투자 해당조회내역이 없습니다." if engine.config.mode == "mock" else _DONE
    return top, rows, _DONE if rows else empty


def deposit(engine: OrderEngine, request: Mapping[str, Any]) -> ViewResult:
    """kt00001 예수금상세현황: 예수금 and its D+1 / D+2 estimates, what can be ordered."""
    entr = engine.settled_cash()
    d1 = engine.cash_after(1)
    d2 = engine.cash_after(2)
    reserved = engine.reserved_cash()
    orderable = max(0, d2 - reserved)
    loans = sum(h.loan for h in engine.holdings("domestic"))
    today = engine.now().date()
    unsettled = [m for m in engine.state.movements if m.settles > today]
    buys = -sum(m.amount for m in unsettled if m.amount < 0)
    sells = sum(m.amount for m in unsettled if m.amount > 0)
    top: Row = {
        "entr": pad(entr, 15),
        "profa_ch": pad(reserved, 15),
        "pymn_alow_amt": pad(max(0, min(entr, d1, d2) - reserved), 15),
        "ord_alow_amt": pad(orderable, 15),
        "loan_sum": pad(loans, 15),
        "nrpy_loan": pad(loans, 15),
        "d1_entra": pad(d1, 15),
        "d1_slby_exct_amt": pad(d1 - entr, 15),
        "d1_pymn_alow_amt": pad(max(0, min(d1, d2) - reserved), 15),
        "d2_entra": pad(d2, 15),
        "d2_slby_exct_amt": pad(d2 - entr, 15),
        "d2_buy_exct_amt": pad(buys, 15),
        "d2_sel_exct_amt": pad(sells, 15),
        "d2_pymn_alow_amt": pad(max(0, d2 - reserved), 15),
    }
    for share in (20, 30, 40, 50, 60, 100):
        top[f"{share}stk_ord_alow_amt"] = pad(orderable * 100 // share, 15)
    usd_row = {
        "crnc_cd": "USD",
        "fx_entr": pad(engine.state.usd_cash // 100, 15),
        "ord_alow_amt_entr": pad((engine.state.usd_cash - engine.reserved_usd()) // 100, 15),
        "pymn_alow_amt_entr": pad(engine.state.usd_cash // 100, 15),
    }
    return top, [usd_row], "조회가 완료되었습니다"


def us_orders(engine: OrderEngine, request: Mapping[str, Any]) -> ViewResult:
    """ust21510 미국주식 당일 주문체결 확인: the US order records of the trading day."""
    side = _text(request, "slby_tp")
    exchange = _text(request, "stex_tp")
    code = _text(request, "stk_cd")
    today = engine.moment("us").day
    rows = []
    for order in engine.state.orders:
        if order.product != "us" or order.day != today:
            continue
        if (side not in ("", "0") and (side == "1") != (order.side == "sell")) or (
            code and order.code != code
        ):
            continue
        if exchange and order.exchange != exchange:
            continue
        last = order.fills[-1] if order.fills else None
        rows.append(
            {
                "ord_no": order.ord_no,
                "orig_ord_no": order.orig_ord_no,
                "stex_nm": "미국",
                "crnc_code": "USD",
                "stk_cd": order.code,
                "frgn_stk_nm": engine.name(order.code),
                "frgn_trde_tp": order.kind,
                "frgn_trde_nm": order.kind_name,
                "slby_tp": "1" if order.side == "sell" else "2",
                "slby_tp_nm": "매도" if order.side == "sell" else "매수",
                "ord_qty": pad(order.qty, 12),
                "ord_uv": usd(order.price),
                "stop_pric": usd(order.cond_price),
                "cntr_qty": pad(order.filled, 12),
                "cntr_uv": usd(order.average_price),
                "cnfm_qty": pad(order.qty if order.action != "new" else 0, 12),
                "ord_remnq": pad(order.remaining, 12),
                "ord_time": order.placed_at.strftime("%H:%M:%S"),
                "ord_resp_time": order.placed_at.strftime("%H:%M:%S"),
                "ord_stat": order.status,
                "rsrv_tp": "일반",
                "natn_nm": "미국",
                "cntr_time": last.at.strftime("%H:%M:%S") if last else "",
            }
        )
    return {}, rows, "계좌별 체결내역이 조회되었습니다."


VIEWS: Mapping[str, Callable[[OrderEngine, Mapping[str, Any]], ViewResult]] = {
    "open_orders": open_orders,
    "fills": fills,
    "order_history": order_history,
    "balance": balance,
    "deposit": deposit,
    "us_orders": us_orders,
}
