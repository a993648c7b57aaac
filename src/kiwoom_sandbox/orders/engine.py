"""The paper-trading engine: orders answered like Kiwoom, filled along the seeded price path.

Orders (kt10000-kt10003, credit kt10006-kt10009, US ust20000-ust20003; found by their spec
facts, ``catalog.py``) are checked the way the services refuse them (``rejections.py``: hours,
tick size, daily limits, cash, shares, original order), numbered (7 digits, 9 for US), and
matched against the intraday path of ``market.Market`` at the sandbox clock's time
(``clock.py``):

* at placement, an order that can trade at the current price (``price_at(day, minute)``)
  fills at once, up to the minute's liquidity (``TradingConfig.fill_share`` of its volume, or
  ``max_fill_per_minute``); the rest rests;
* each minute the clock passes, a resting buy fills when the minute's low reaches its limit,
  a sell when the high does, at the limit (or the minute's open, if that was better), again
  up to the minute's liquidity, so big orders fill in parts;
* market orders take the minute's open; IOC keeps what filled at once and cancels the rest;
  FOK fills wholly at once or not at all; 조건부지정가 turns market at the close; 스톱지정가
  wakes when the price reaches ``cond_uv``; 장전/장후 시간외 trade at the previous close / the
  close; orders are day orders and expire when the trading day ends.

Every fill moves cash (settling two business days later, as KRX trades do), holdings (average
price, commission, tax, credit loans) and realised P&L, so the account APIs (``views.py``)
tell one story; listeners get each event (real-time 00 주문체결 / 04 잔고, US F4 / F5,
``realtime.py``).
With ``SandboxConfig.state_file`` the account is saved after every change and loaded at start.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from kiwoom_sandbox import codes
from kiwoom_sandbox.market import SESSION_MINUTES, Market, business_day, business_day_index
from kiwoom_sandbox.orders import rejections as rj
from kiwoom_sandbox.orders.catalog import ACCOUNT_VIEWS, OrderApi, find_order_apis
from kiwoom_sandbox.orders.clock import SandboxClock
from kiwoom_sandbox.orders.config import Fees, MarketHours, TradingConfig
from kiwoom_sandbox.orders.kinds import Duration, OrderKind, Pricing
from kiwoom_sandbox.orders.rejections import Refused
from kiwoom_sandbox.orders.state import (
    AccountState,
    Fill,
    Holding,
    Movement,
    Order,
    holding_key,
    load,
    save,
)
from kiwoom_sandbox.symbols import split_code

if TYPE_CHECKING:
    from kiwoom_sandbox.config import SandboxConfig
    from kiwoom_sandbox.routes import RouteTable

try:
    _NEW_YORK: dt.tzinfo = ZoneInfo("America/New_York")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without tz data: EST all year
    _NEW_YORK = dt.timezone(dt.timedelta(hours=-5), "EST")
_SEOUL = dt.timezone(dt.timedelta(hours=9), "KST")

EventKind = Literal["order", "fill", "confirm"]


@attrs.frozen
class OrderEvent:
    """What happened to an order, for real-time listeners (a snapshot, safe to keep)."""

    kind: EventKind
    """"order" 접수, "fill" 체결, "confirm" 확인 (a modify or cancel took effect)."""
    order: Order
    fill: Fill | None
    holding: Holding | None
    name: str
    price: int
    """The symbol's current price (won or cents)."""
    previous_close: int
    cash: int
    """예수금 after the event (won)."""
    account_no: str


@attrs.frozen
class Moment:
    """Where a venue's session stands at a Korea time."""

    day: dt.date
    """The trading day (New York date for US listings)."""
    local: dt.time
    minute: int
    """-1 before the open, 0 (the open) .. 390 (the close), 391 after it."""
    business: bool


Answer = tuple[dict[str, Any], str, str]
"""(body, cont-yn, next-key)."""


def _digits(text: Any) -> str:
    return text.strip() if isinstance(text, str) else ""


class OrderEngine:
    """One paper account behind the order and account APIs; thread-safe."""

    def __init__(
        self,
        routes: RouteTable,
        config: Callable[[], SandboxConfig],
        market: Callable[[], Market],
    ) -> None:
        self._lock = threading.RLock()
        self._market = market
        self._current = config
        config_now = config()
        specs = {api_id: route.spec for api_id, route in routes.by_api_id.items()}
        self.order_apis: dict[str, OrderApi] = find_order_apis(specs)
        self.views = {a: v for a, v in ACCOUNT_VIEWS.items() if a in routes.by_api_id}
        self.view_fields = {a: routes.by_api_id[a].spec.response.body for a in self.views}
        self.listeners: list[Callable[[OrderEvent], None]] = []
        self._events: list[OrderEvent] = []
        self.state_file: Path | None = config_now.state_file
        loaded = load(self.state_file) if self.state_file is not None else None
        self.state = loaded or self._fresh(config_now)
        start = self.state.clock or dt.datetime.combine(
            config_now.market_date, config_now.trading.clock_start
        )
        trading = config_now.trading
        self.clock = SandboxClock(start, wall=trading.wall_clock, speed=trading.clock_speed)
        if self.state.matched_until is None:
            self.state.matched_until = self.clock.now()
        self.clock.listeners.append(self._on_clock)

    @staticmethod
    def _fresh(config: SandboxConfig) -> AccountState:
        trading = config.trading
        return AccountState(cash=trading.cash, usd_cash=int(trading.usd_cash * 100))

    # --- public -----------------------------------------------------------------------------

    def handles(self, api_id: str) -> bool:
        return api_id in self.order_apis or api_id in self.views

    def reset(self) -> None:
        """A fresh account at the configured start (the state file, if any, is rewritten)."""
        with self._lock:
            config = self.config
            self.state = self._fresh(config)
            self.clock.set(dt.datetime.combine(config.market_date, config.trading.clock_start))
            self.clock.run(config.trading.clock_speed)
            self.state.matched_until = self.clock.now()
            self._save()

    def answer(
        self, api_id: str, body: Mapping[str, Any], headers: Mapping[str, str]
    ) -> Answer | None:
        """The answer to an order or account request, or None for the other APIs."""
        if not self.handles(api_id):
            return None
        with self._lock:
            self._catch_up(self.clock.now())
            if api_id in self.order_apis:
                result = self._order(self.order_apis[api_id], body)
            else:
                from kiwoom_sandbox.orders.views import BadNextKey, render

                try:
                    result = render(self, api_id, self.views[api_id], body, headers)
                except BadNextKey as bad:
                    result = codes.BAD_NEXT_KEY.body(f" next-key={bad.args[0]!r}"), "N", ""
            self._save()
        self._dispatch()
        return result

    def subscribe(self, listener: Callable[[OrderEvent], None]) -> Callable[[], None]:
        """Call ``listener`` with every event; returns a function that unsubscribes."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    # --- what the views read ----------------------------------------------------------------

    @property
    def config(self) -> SandboxConfig:
        return self._current()

    @property
    def trading(self) -> TradingConfig:
        return self.config.trading

    @property
    def fees(self) -> Fees:
        return self.trading.fees_for(self.config.mode)

    @property
    def market(self) -> Market:
        return self._market()

    def now(self) -> dt.datetime:
        return self.clock.now()

    def moment(self, product: str, when: dt.datetime | None = None) -> Moment:
        when = when or self.clock.now()
        hours = self.trading.hours
        if product == "us":
            local = when.replace(tzinfo=_SEOUL).astimezone(_NEW_YORK).replace(tzinfo=None)
            opens, closes = hours.us
        else:
            local, opens, closes = when, hours.krx_open, hours.krx_close
        start = dt.datetime.combine(local.date(), opens)
        seconds = (local - start).total_seconds()
        minute = -1 if seconds < 0 else min(SESSION_MINUTES + 1, int(seconds // 60))
        if local.time() >= closes:
            minute = SESSION_MINUTES + 1
        return Moment(local.date(), local.time(), minute, local.weekday() < 5)

    def price(self, code: str, product: str, when: dt.datetime | None = None) -> int:
        """The last price at ``when``: the previous close before the open, the close after."""
        moment = self.moment(product, when)
        market = self.market
        if moment.minute < 0:
            return market.bar(code, moment.day).previous_close
        if moment.minute > SESSION_MINUTES:
            return market.bar(code, moment.day).close
        return market.price_at(code, moment.day, moment.minute)

    def name(self, code: str) -> str:
        return self.market.symbol(code).name

    def settled_cash(self, by: dt.date | None = None) -> int:
        """Won on deposit once every movement settling by ``by`` (default: today) settled."""
        by = by or self.clock.now().date()
        return self.state.cash + sum(m.amount for m in self.state.movements if m.settles <= by)

    def cash_after(self, business_days: int) -> int:
        """예수금 D+N: with every trade that settles within N business days."""
        today = self.clock.now().date()
        return self.settled_cash(business_day(business_day_index(today) + business_days))

    def reserved_cash(self) -> int:
        """Won held for open buy orders (their rest at their limit, market ones at 상한가)."""
        total = 0
        for order in self.open_orders():
            if order.side == "buy" and order.product != "us":
                total += self._buy_need(order, order.remaining)
        return total

    def orderable_cash(self) -> int:
        return self.cash_after(2) - self.reserved_cash()

    def reserved_usd(self) -> int:
        return sum(
            self._buy_need(o, o.remaining)
            for o in self.open_orders()
            if o.side == "buy" and o.product == "us"
        )

    def open_orders(self) -> Iterator[Order]:
        return (o for o in self.state.orders if o.remaining > 0)

    def holdings(self, product: str | None = None) -> list[Holding]:
        found = [h for h in self.state.holdings.values() if h.qty > 0]
        if product == "us":
            return [h for h in found if h.product == "us"]
        if product is not None:
            return [h for h in found if h.product != "us"]
        return found

    def sellable(self, code: str, product: str, loan_day: dt.date | None = None) -> int:
        held = sum(
            h.qty
            for h in self.state.holdings.values()
            if h.code == code
            and h.product == product
            and (loan_day is None or h.loan_day == loan_day)
        )
        selling = sum(
            o.remaining
            for o in self.open_orders()
            if o.side == "sell"
            and o.code == code
            and o.product == product
            and (loan_day is None or o.loan_day in (None, loan_day))
        )
        return held - selling

    def commission(self, value: int, product: str) -> int:
        fees = self.fees
        if product == "us":
            return int((Decimal(value) * fees.us_commission).to_integral_value(ROUND_DOWN))
        raw = int((Decimal(value) * fees.commission).to_integral_value(ROUND_DOWN))
        return raw - raw % fees.commission_step

    def tax(self, value: int, side: str, product: str) -> int:
        if side != "sell" or product == "us":
            return 0
        return int((Decimal(value) * self.fees.tax).to_integral_value(ROUND_DOWN))

    # --- orders -----------------------------------------------------------------------------

    def _order(self, api: OrderApi, body: Mapping[str, Any]) -> Answer:
        mode = self.config.mode
        try:
            if api.action in ("buy", "sell"):
                order = self._place(api, body)
                values = self._placed_values(api, order)
            elif api.action == "modify":
                order = self._modify(api, body)
                values = self._changed_values(api, order, "mdfy_qty", "mdfy_ord_qty")
            else:
                order = self._cancel(api, body)
                values = self._changed_values(api, order, "cncl_qty", "cncl_ord_qty")
        except Refused as refused:
            return refused.rejection.body(mode, refused.detail), "N", ""
        documented = {f.element for f in api.response}
        answer = {k: v for k, v in values.items() if k in documented}
        answer["return_code"] = 0
        answer["return_msg"] = self._done_message(api, order)
        return answer, "N", ""

    def _done_message(self, api: OrderApi, order: Order) -> str:
        side = "매수" if order.side == "buy" else "매도"
        if self.config.mode == "mock":
            what = {"new": "", "modify": "정정", "cancel": "취소"}[order.action]
            return f"모의투자 {side if not what else what}주문완료"
        if api.product == "us":
            what = {"new": f"{side}주문", "modify": "정정주문", "cancel": "취소주문"}[order.action]
            return f"미국 {what}입력 완료되었습니다"
        if order.action == "new":
            return "정상적으로 처리되었습니다"
        what = "정정" if order.action == "modify" else "취소"
        return f"{side}{what} 주문입력이 완료되었습니다"  # the manual's kt10002 / kt10003 examples

    def _number(self, product: str) -> str:
        number = self.state.next_order_no
        self.state.next_order_no += 1
        return str(number).zfill(9 if product == "us" else 7)

    def _kind(self, api: OrderApi, body: Mapping[str, Any]) -> OrderKind:
        code = _digits(body.get("trde_tp"))
        kind = api.kinds.get(code)
        if kind is None:
            raise Refused(rj.BAD_KIND, f" trde_tp={code}")
        return kind

    def _exchange(self, api: OrderApi, body: Mapping[str, Any]) -> str:
        if api.exchange_field is None:
            return "KRX"
        exchange = _digits(body.get(api.exchange_field)).upper() or "KRX"
        if api.product != "us" and self.config.mode == "mock" and exchange != "KRX":
            raise Refused(rj.NOT_OFFERED)  # NXT / SOR orders on the mock host (reported)
        return exchange

    def _code(self, body: Mapping[str, Any]) -> str:
        base, _ = split_code(_digits(body.get("stk_cd")))
        return base

    def _check_hours(self, product: str, kind_pricing: Pricing, exchange: str) -> Moment:
        moment = self.moment(product)
        hours = self.trading.hours
        if not hours.enforce:
            return moment
        if not moment.business:
            raise Refused(rj.HOLIDAY)
        window = _window(hours, product, kind_pricing, exchange)
        if moment.local < window[0]:
            raise Refused(rj.BEFORE_OPEN)
        if moment.local >= window[1]:
            raise Refused(rj.CLOSED)
        return moment

    def _quantity(self, text: Any, *, zero_means_all: bool = False) -> int:
        raw = _digits(text)
        try:
            value = Decimal(raw) if raw else Decimal(-1)
        except InvalidOperation:
            value = Decimal(-1)
        if value != value.to_integral_value() or value < 0 or (value == 0 and not zero_means_all):
            raise Refused(rj.BAD_QUANTITY, f" {raw or 'empty'}")
        return int(value)

    def _price(self, text: Any, product: str) -> int:
        """Won, or US cents; 0 when empty."""
        raw = _digits(text)
        if raw in ("", "0"):
            return 0
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise Refused(rj.BAD_PRICE, f" {raw}") from None
        if product == "us":
            value *= 100
        if value <= 0:
            raise Refused(rj.BAD_PRICE, f" {raw}")
        if value != value.to_integral_value():
            raise Refused(rj.OFF_TICK, f" {raw}")
        return int(value)

    def _check_price(self, code: str, product: str, price: int, day: dt.date) -> None:
        market = self.market
        tick = market.tick_size(code, price)
        if price % tick:
            raise Refused(rj.OFF_TICK, f" {price}, 호가단위 {tick}")
        if product != "us":
            bar = market.bar(code, day)
            if not bar.lower_limit <= price <= bar.upper_limit:
                detail = f" {price}, 하한가 {bar.lower_limit} 상한가 {bar.upper_limit}"
                raise Refused(rj.OUT_OF_LIMITS, detail)

    def _place(self, api: OrderApi, body: Mapping[str, Any]) -> Order:
        kind = self._kind(api, body)
        exchange = self._exchange(api, body)
        product = api.product
        moment = self._check_hours(product, kind.pricing, exchange)
        code = self._code(body)
        qty = self._quantity(body.get("ord_qty"))
        price = self._price(body.get("ord_uv"), product)
        cond = self._price(body.get("cond_uv"), product)
        side = api.side
        assert side is not None
        if kind.needs_price and price == 0:
            raise Refused(rj.BAD_PRICE, f" trde_tp {kind.code} {kind.name} needs ord_uv")
        if not kind.needs_price:
            price = self._implied_price(code, product, side, kind)
        if price:
            self._check_price(code, product, price, moment.day)
        if kind.pricing is Pricing.STOP:
            if cond == 0:
                raise Refused(rj.BAD_PRICE, " 스톱지정가 needs cond_uv")
            self._check_price(code, product, cond, moment.day)
        now = self.clock.now()
        order = Order(
            ord_no="",
            api_id=api.api_id,
            product=product,
            action="new",
            side=side,
            code=code,
            exchange=exchange,
            qty=qty,
            price=price,
            kind=kind.code,
            kind_name=kind.name,
            pricing=kind.pricing.value,
            duration=kind.duration.value,
            placed_at=now,
            day=moment.day,
            cond_price=cond,
            matched_minute=moment.minute,
        )
        if product == "credit":
            order.credit_deal = _digits(body.get("crd_deal_tp"))
            if side == "sell" and order.credit_deal != "99":
                order.loan_day = _date(body.get("crd_loan_dt"))
        self._check_funds(order)
        order.ord_no = self._number(product)
        order.orig_ord_no = "0" * len(order.ord_no)
        order.root_ord_no = order.ord_no
        self.state.orders.append(order)
        self._event("order", order)
        self._execute_now(order, moment)
        return order

    def _implied_price(self, code: str, product: str, side: str, kind: OrderKind) -> int:
        """The limit of 최유리 / 최우선 / 중간가 at the current price; 0 for market and the
        after-hours kinds (priced when they trade)."""
        if kind.pricing in (Pricing.BEST, Pricing.MID):
            return self.price(code, product)
        if kind.pricing is Pricing.PRIORITY:
            last = self.price(code, product)
            tick = self.market.tick_size(code, last)
            return last - tick if side == "buy" else last + tick
        return 0

    def _buy_need(self, order: Order, qty: int) -> int:
        """Cash an open buy of ``qty`` holds: at its limit (market: 상한가), fees included."""
        price = order.price
        if price == 0:
            if order.product == "us":
                price = self.price(order.code, "us") * 11 // 10
            else:
                price = self.market.bar(order.code, order.day).upper_limit
        value = price * qty
        if order.product == "credit":
            value = value - self._loan(value)
        return value + self.commission(price * qty, order.product)

    def _loan(self, value: int) -> int:
        share = Decimal(1) - self.trading.credit_margin
        return int((Decimal(value) * share).to_integral_value(ROUND_DOWN))

    def _check_funds(self, order: Order, *, freed: int = 0) -> None:
        """Refuse a buy beyond orderable cash or a sell beyond the shares not yet for sale."""
        if order.side == "buy":
            need = self._buy_need(order, order.remaining)
            if order.product == "us":
                have = self.state.usd_cash - self.reserved_usd() + freed
            else:
                have = self.orderable_cash() + freed
            if need > have:
                price = max(1, need // max(1, order.remaining))
                can = max(0, have // price)
                detail = "" if self.config.mode == "mock" else f" {can}주 매수가능"
                raise Refused(rj.NO_CASH, detail)
        else:
            can = self.sellable(order.code, order.product, order.loan_day) + freed
            if order.remaining > can:
                detail = "" if self.config.mode == "mock" else f" {max(0, can)}주 매도가능"
                raise Refused(rj.NO_SHARES, detail)

    def _target(self, api: OrderApi, body: Mapping[str, Any]) -> Order:
        original = self.state.order(_digits(body.get("orig_ord_no")))
        code = self._code(body)
        if (
            original is None
            or original.action == "cancel"
            or original.code != code
            or (original.product == "us") != (api.product == "us")
        ):
            raise Refused(rj.NO_ORIGINAL, f" {_digits(body.get('orig_ord_no'))}")
        if original.remaining == 0:
            raise Refused(rj.NOTHING_LEFT)
        if api.exchange_field is not None and api.product != "us":
            exchange = _digits(body.get(api.exchange_field)).upper() or "KRX"
            if exchange != original.exchange:
                raise Refused(rj.OTHER_EXCHANGE)
        return original

    def _modify(self, api: OrderApi, body: Mapping[str, Any]) -> Order:
        original = self._target(api, body)
        moment = self._check_hours(original.product, Pricing(original.pricing), original.exchange)
        qty_key = next((k for k in ("mdfy_qty", "mdfy_ord_qty") if k in api.fields), None)
        qty = original.remaining
        if qty_key is not None:
            qty = self._quantity(body.get(qty_key), zero_means_all=True) or original.remaining
        if qty > original.remaining:
            raise Refused(rj.BAD_QUANTITY, f" 정정수량 {qty} > 잔량 {original.remaining}")
        price = self._price(body.get("mdfy_uv"), original.product)
        if price == 0 and Pricing(original.pricing) is not Pricing.MARKET:
            raise Refused(rj.BAD_PRICE, " mdfy_uv")
        if price and price == original.price:
            raise Refused(rj.SAME_PRICE)
        if price:
            self._check_price(original.code, original.product, price, moment.day)
        cond_key = "mdfy_cond_uv" if "mdfy_cond_uv" in api.fields else "stop_pric"
        cond = self._price(body.get(cond_key), original.product) or original.cond_price
        order = attrs.evolve(
            original,
            ord_no="",
            api_id=api.api_id,
            action="modify",
            qty=qty,
            price=price,
            cond_price=cond,
            placed_at=self.clock.now(),
            day=moment.day,
            orig_ord_no=original.ord_no,
            filled=0,
            filled_value=0,
            closed=0,
            commission=0,
            tax=0,
            fills=[],
            triggered=False,
            matched_minute=moment.minute,
        )
        if order.side == "buy":
            freed = self._buy_need(original, qty)
            self._check_funds(order, freed=freed)
        order.ord_no = self._number(order.product)
        original.closed += qty
        self.state.orders.append(order)
        self._event("confirm", order)
        self._execute_now(order, moment)
        return order

    def _cancel(self, api: OrderApi, body: Mapping[str, Any]) -> Order:
        original = self._target(api, body)
        self._check_hours(original.product, Pricing(original.pricing), original.exchange)
        qty_key = next((k for k in ("cncl_qty", "cncl_ord_qty") if k in api.fields), None)
        qty = original.remaining
        if qty_key is not None:
            qty = self._quantity(body.get(qty_key), zero_means_all=True) or original.remaining
        if qty > original.remaining:
            raise Refused(rj.BAD_QUANTITY, f" 취소수량 {qty} > 잔량 {original.remaining}")
        cancel = attrs.evolve(
            original,
            ord_no=self._number(original.product),
            api_id=api.api_id,
            action="cancel",
            qty=qty,
            placed_at=self.clock.now(),
            orig_ord_no=original.ord_no,
            filled=0,
            filled_value=0,
            closed=0,
            commission=0,
            tax=0,
            fills=[],
        )
        original.closed += qty
        self.state.orders.append(cancel)
        self._event("confirm", cancel)
        return cancel

    def _placed_values(self, api: OrderApi, order: Order) -> dict[str, Any]:
        values: dict[str, Any] = {"ord_no": order.ord_no}
        if api.exchange_field == "dmst_stex_tp":
            values["dmst_stex_tp"] = order.exchange
        if order.product == "us":
            values.update(self._us_values(order))
        return values

    def _changed_values(self, api: OrderApi, order: Order, *qty_keys: str) -> dict[str, Any]:
        values = self._placed_values(api, order)
        values["base_orig_ord_no"] = order.root_ord_no
        for key in qty_keys:
            values[key] = str(order.qty).zfill(12)
        return values

    def _us_values(self, order: Order) -> dict[str, Any]:
        usd = self.state.usd_cash - self.reserved_usd()
        return {
            "stk_nm": self.name(order.code),
            "fc_entra": f"{Decimal(self.state.usd_cash) / 100:.2f}",
            "tdy_rebuy_useda": "0.00",
            "pred_rebuy_useda": "0.00",
            "trst_prof_ch": f"{Decimal(max(0, self.state.usd_cash - usd)) / 100:.2f}",
        }

    # --- matching ---------------------------------------------------------------------------

    def _cap(self, volume: int) -> int:
        trading = self.trading
        cap = max(1, int(volume * trading.fill_share))
        if trading.max_fill_per_minute is not None:
            cap = min(cap, trading.max_fill_per_minute)
        return cap

    def _execute_now(self, order: Order, moment: Moment) -> None:
        """What trades at placement; IOC / FOK settle their rest here."""
        pricing = Pricing(order.pricing)
        duration = Duration(order.duration)
        market = self.market
        if pricing in (Pricing.PRE_MARKET, Pricing.POST_MARKET, Pricing.SINGLE_PRICE):
            bar = market.bar(order.code, moment.day)
            price = bar.previous_close if pricing is Pricing.PRE_MARKET else bar.close
            if order.price == 0 or _crosses(order.side, order.price, price):
                self._fill(order, order.remaining, price, self.clock.now())
            return
        in_session = 0 <= moment.minute <= SESSION_MINUTES
        last = self.price(order.code, order.product)
        cap = self._cap(market.minute_bar(order.code, moment.day, max(1, moment.minute)).volume)
        limit = order.price
        tradable = in_session and pricing not in (Pricing.STOP, Pricing.ON_CLOSE)
        tradable = tradable or (order.exchange == "NXT" and pricing is not Pricing.ON_CLOSE)
        marketable = tradable and (pricing is Pricing.MARKET or _crosses(order.side, limit, last))
        if duration is Duration.FOK:
            if marketable and cap >= order.remaining:
                self._fill(order, order.remaining, last, self.clock.now())
            else:
                order.closed += order.remaining
            return
        if marketable:
            self._fill(order, min(order.remaining, cap), last, self.clock.now())
        if duration is Duration.IOC and order.remaining:
            order.closed += order.remaining

    def _on_clock(self, now: dt.datetime) -> None:
        with self._lock:
            self._catch_up(now)
            self._save()
        self._dispatch()

    def _catch_up(self, now: dt.datetime) -> None:
        """Match every open order over the minutes since the last catch-up; expire the
        orders of trading days that ended."""
        # Each order remembers the last minute it was matched, so a clock set back and moved
        # forward again never matches a minute twice.
        for order in sorted(self.open_orders(), key=lambda o: o.ord_no):
            self._match(order, now)
        self.state.matched_until = now
        self.state.clock = None if self.clock.wall else now
        for order in list(self.open_orders()):
            if order.day < self.moment(order.product, now).day:
                order.closed += order.remaining

    def _match(self, order: Order, now: dt.datetime) -> None:
        moment = self.moment(order.product, now)
        last = SESSION_MINUTES if moment.day > order.day else min(moment.minute, SESSION_MINUTES)
        market = self.market
        pricing = Pricing(order.pricing)
        if pricing in (Pricing.PRE_MARKET, Pricing.POST_MARKET, Pricing.SINGLE_PRICE):
            return
        first = max(0, order.matched_minute + 1)
        for minute in range(first, last + 1):
            if order.remaining == 0:
                break
            order.matched_minute = minute
            at = self._minute_time(order, minute)
            if minute == 0:  # the opening auction: one price, the open
                bar = market.bar(order.code, order.day)
                low = high = start = bar.open
                volume = market.minute_bar(order.code, order.day, 1).volume
            else:
                mb = market.minute_bar(order.code, order.day, minute)
                low, high, start, volume = mb.low, mb.high, mb.open, mb.volume
            if pricing is Pricing.STOP and not order.triggered:
                stop = order.cond_price
                if not (high >= stop if order.side == "buy" else low <= stop):
                    continue
                order.triggered = True
            if pricing is Pricing.ON_CLOSE:
                if minute == SESSION_MINUTES:
                    close = market.bar(order.code, order.day).close
                    if _crosses(order.side, order.price, close):
                        self._fill(order, order.remaining, close, at)
                continue
            cap = self._cap(volume)
            if pricing is Pricing.MARKET:
                self._fill(order, min(order.remaining, cap), start, at)
            elif order.side == "buy" and low <= order.price:
                self._fill(order, min(order.remaining, cap), min(order.price, start), at)
            elif order.side == "sell" and high >= order.price:
                self._fill(order, min(order.remaining, cap), max(order.price, start), at)
            if minute == SESSION_MINUTES and pricing is Pricing.CONDITIONAL and order.remaining:
                close = market.bar(order.code, order.day).close  # turns market at the close
                self._fill(order, order.remaining, close, at)

    def _minute_time(self, order: Order, minute: int) -> dt.datetime:
        hours = self.trading.hours
        opens = hours.us[0] if order.product == "us" else hours.krx_open
        local = dt.datetime.combine(order.day, opens) + dt.timedelta(minutes=minute)
        if order.product != "us":
            return local
        aware = local.replace(tzinfo=_NEW_YORK).astimezone(_SEOUL)
        return aware.replace(tzinfo=None)

    # --- fills and the account ----------------------------------------------------------------

    def _fill(self, order: Order, qty: int, price: int, at: dt.datetime) -> None:
        if qty <= 0:
            return
        value = qty * price
        commission = self.commission(value, order.product)
        tax = self.tax(value, order.side, order.product)
        fill = Fill(str(self.state.next_fill_no), qty, price, at, commission, tax)
        self.state.next_fill_no += 1
        order.filled += qty
        order.filled_value += value
        order.commission += commission
        order.tax += tax
        order.fills.append(fill)
        holding = self._book(order, fill)
        self._event("fill", order, fill, holding)

    def _book(self, order: Order, fill: Fill) -> Holding:
        """Move cash and shares for one fill; returns the holding after it."""
        state = self.state
        value = fill.qty * fill.price
        settles = business_day(business_day_index(order.day) + 2)
        if order.side == "buy":
            loan_day = order.day if order.product == "credit" else None
            key = holding_key(order.code, order.product, loan_day)
            holding = state.holdings.setdefault(
                key, Holding(order.code, order.product, loan_day=loan_day)
            )
            holding.qty += fill.qty
            holding.cost += value
            holding.purchase_commission += fill.commission
            loan = self._loan(value) if order.product == "credit" else 0
            holding.loan += loan
            if order.product == "us":
                state.usd_cash -= value + fill.commission
            else:
                state.movements.append(Movement(-(value - loan + fill.commission), settles))
            return holding
        left = fill.qty
        proceeds = value - fill.commission - fill.tax
        last: Holding | None = None
        candidates = sorted(
            (
                h
                for h in state.holdings.values()
                if h.code == order.code
                and h.product == order.product
                and h.qty > 0
                and (order.loan_day is None or h.loan_day == order.loan_day)
            ),
            key=lambda h: h.loan_day or dt.date.min,
        )
        repaid = 0
        realized = proceeds
        for holding in candidates:
            if left == 0:
                break
            part = min(left, holding.qty)
            cost = holding.cost * part // holding.qty
            commission = holding.purchase_commission * part // holding.qty
            loan = holding.loan * part // holding.qty
            holding.qty -= part
            holding.cost -= cost
            holding.purchase_commission -= commission
            holding.loan -= loan
            repaid += loan
            realized -= cost + commission
            left -= part
            last = holding
        if order.product == "us":
            state.usd_cash += proceeds
            state.us_realized += realized
        else:
            state.movements.append(Movement(proceeds - repaid, settles))
            state.realized += realized
        return last or Holding(order.code, order.product)

    # --- events and persistence ---------------------------------------------------------------

    def _event(
        self,
        kind: EventKind,
        order: Order,
        fill: Fill | None = None,
        holding: Holding | None = None,
    ) -> None:
        if not self.listeners:
            return
        bar = self.market.bar(order.code, order.day)
        self._events.append(
            OrderEvent(
                kind=kind,
                order=attrs.evolve(order, fills=list(order.fills)),
                fill=fill,
                holding=attrs.evolve(holding) if holding is not None else None,
                name=self.name(order.code),
                price=self.price(order.code, order.product),
                previous_close=bar.previous_close,
                cash=self.settled_cash(),
                account_no=self.config.account_number,
            )
        )

    def _dispatch(self) -> None:
        """Deliver events outside the lock (a listener may block on another thread)."""
        with self._lock:
            events, self._events = self._events, []
        for event in events:
            for listener in list(self.listeners):
                listener(event)

    def _save(self) -> None:
        if self.state_file is not None:
            save(self.state, self.state_file)


def _crosses(side: str, limit: int, price: int) -> bool:
    """Can an order at ``limit`` trade at ``price``?"""
    return price <= limit if side == "buy" else price >= limit


def _date(text: Any) -> dt.date | None:
    raw = _digits(text)
    try:
        return dt.datetime.strptime(raw, "%Y%m%d").date() if raw else None
    except ValueError:
        return None


def _window(
    hours: MarketHours, product: str, pricing: Pricing, exchange: str
) -> tuple[dt.time, dt.time]:
    """When orders of this kind are taken (local time of the venue)."""
    if product == "us":
        return hours.us
    if pricing is Pricing.PRE_MARKET:
        return hours.pre_market
    if pricing is Pricing.POST_MARKET:
        return hours.post_market
    if pricing is Pricing.SINGLE_PRICE:
        return hours.single_price
    krx = (hours.krx_orders_from, hours.krx_close)
    if exchange == "NXT":
        return hours.nxt
    if exchange == "SOR":
        return (min(krx[0], hours.nxt[0]), max(krx[1], hours.nxt[1]))
    return krx
