"""``Orders`` / ``AsyncOrders``: the order calls with every safety the runtime offers.

The TRs are the generated ones (``kiwoom_typed.REGISTRY``): their request models check
arguments as documented, their endpoints say ``retry_safe=False``. ``ORDER_TRS`` is the one
table naming them; a test checks it against the method names the rules gave
(``place_<product>_<buy|sell>_order``, ``<modify|cancel>_<product>_order``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from kiwoom_runtime import APIError, ArgumentError, KiwoomError, OrderStateUnknownError
from kiwoom_runtime._logging import logger
from kiwoom_runtime.orders import (
    DryRun,
    DuplicateClientOrderIdError,
    OrderIntent,
    OrderLedger,
    asnapshot,
    check_order,
    dry_run,
    order_intent,
    snapshot,
)
from kiwoom_runtime.registry import TrInfo

if TYPE_CHECKING:
    from kiwoom_typed import AsyncClient, Client

Product = Literal["stock", "credit", "us"]
Action = Literal["buy", "sell", "modify", "cancel"]
Price: TypeAlias = int | str | Decimal | None
Limits: TypeAlias = tuple[int, int] | Literal["fetch"] | None

#: (product, action) -> the order TR (kt10000 주식 매수주문, ..., ust20003 미국주식 취소 주문).
ORDER_TRS: Mapping[tuple[Product, Action], str] = {
    ("stock", "buy"): "kt10000",
    ("stock", "sell"): "kt10001",
    ("stock", "modify"): "kt10002",
    ("stock", "cancel"): "kt10003",
    ("credit", "buy"): "kt10006",
    ("credit", "sell"): "kt10007",
    ("credit", "modify"): "kt10008",
    ("credit", "cancel"): "kt10009",
    ("us", "buy"): "ust20000",
    ("us", "sell"): "ust20001",
    ("us", "modify"): "ust20002",
    ("us", "cancel"): "ust20003",
}


@attrs.frozen
class PlacedOrder:
    """An order Kiwoom took: its number, the typed answer, the client order id if any."""

    api_id: str
    order_no: str
    response: Any
    client_order_id: str | None = None


def _text(value: Price) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ArgumentError("price", f"expected a number, got {value!r}")
    return str(value)


def _qty(value: int | str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ArgumentError("qty", f"expected a whole number of shares, got {value!r}")
    return str(value)


@attrs.frozen
class _Prepared:
    info: TrInfo
    request: Any
    body: dict[str, Any]

    @property
    def intent(self) -> OrderIntent:
        return order_intent(self.info.endpoint, self.body)


class _Desk:
    """What the sync and async desks share: building and checking requests, the ledger."""

    def __init__(
        self,
        client: Any,
        *,
        ledger: OrderLedger | str | os.PathLike[str] | None = None,
        check: bool = True,
        etf: bool | None = None,
        baseline: bool = False,
    ) -> None:
        self.client = client
        if ledger is not None and not isinstance(ledger, OrderLedger):
            ledger = OrderLedger(ledger)
        self.ledger: OrderLedger | None = ledger
        self.check = check
        self.etf = etf
        self.baseline = baseline

    def _info(self, product: Product, action: Action) -> TrInfo:
        from kiwoom_typed import REGISTRY

        api_id = ORDER_TRS.get((product, action))
        if api_id is None:
            raise ArgumentError("product", f"expected stock, credit or us, got {product!r}")
        return REGISTRY[api_id]

    def _new_arguments(
        self,
        product: Product,
        code: str,
        qty: int | str,
        price: Price,
        kind: str | None,
        exchange: str | None,
        extra: Mapping[str, str],
    ) -> dict[str, Any]:
        price_text = _text(price)
        if product == "us":
            kind = kind or ("00" if price_text else "03")
            return {
                "stex_tp": exchange or "ND",
                "stk_cd": code,
                "ord_qty": _qty(qty),
                "ord_uv": price_text,
                "trde_tp": kind,
                **extra,
            }
        kind = kind or ("0" if price_text else "3")
        return {
            "dmst_stex_tp": exchange or "KRX",
            "stk_cd": code,
            "ord_qty": _qty(qty),
            "ord_uv": price_text,
            "trde_tp": kind,
            **extra,
        }

    def _prepare(
        self,
        product: Product,
        action: Action,
        arguments: dict[str, Any],
        *,
        limits: tuple[int, int] | None,
        etf: bool | None,
    ) -> _Prepared:
        info = self._info(product, action)
        known = set(info.request_type.WIRE_NAMES)
        unknown = sorted(set(arguments) - known)
        if unknown:
            raise ArgumentError(unknown[0], f"{info.api_id} {info.name} has no such field")
        request = info.build_request({k: v for k, v in arguments.items() if v is not None})
        body = request.to_dict()
        if self.check:
            check_order(
                order_intent(info.endpoint, body),
                etf=self.etf if etf is None else etf,
                limits=limits,
                env=getattr(self.client, "env", None),
            )
        return _Prepared(info, request, body)

    def _claim(self, prepared: _Prepared, client_order_id: str | None, dry: bool) -> None:
        if client_order_id is None:
            return
        if self.ledger is None:
            raise ArgumentError("client_order_id", "needs a ledger: Orders(client, ledger=PATH)")
        if dry:
            entry = self.ledger.get(client_order_id)
            if entry is not None:
                raise DuplicateClientOrderIdError(entry)
            return
        self.ledger.claim(client_order_id, prepared.info.api_id, prepared.body)

    def _failed(
        self,
        error: KiwoomError,
        client_order_id: str | None,
        baseline: frozenset[str] | None = None,
    ) -> None:
        """Record a failure; an unknown fate keeps the id, the ledger and the baseline."""
        if isinstance(error, OrderStateUnknownError):
            error.client_order_id = client_order_id
            error.ledger = self.ledger
            error.baseline = baseline
        if client_order_id is None or self.ledger is None:
            return
        if isinstance(error, OrderStateUnknownError):
            self.ledger.update(client_order_id, "unknown", detail=str(error.cause))
        elif isinstance(error, APIError):
            self.ledger.update(client_order_id, "rejected", detail=str(error))
        else:  # nothing reached the server (a connection refused before sending, ...)
            self.ledger.update(client_order_id, "failed", detail=str(error))

    def _placed(
        self, prepared: _Prepared, response: Any, client_order_id: str | None
    ) -> PlacedOrder:
        order_no = str(getattr(response, "ord_no", "") or "")
        if client_order_id is not None and self.ledger is not None:
            self.ledger.update(client_order_id, "accepted", order_no=order_no or None)
        logger.info("%s: order %s taken", prepared.info.api_id, order_no or "?")
        return PlacedOrder(prepared.info.api_id, order_no, response, client_order_id)

    @staticmethod
    def _change_arguments(
        product: Product,
        action: Action,
        order_no: str,
        code: str,
        qty: int | str,
        price: Price,
        exchange: str | None,
        extra: Mapping[str, str],
    ) -> dict[str, Any]:
        if product == "us":
            arguments: dict[str, Any] = {
                "orig_ord_no": order_no,
                "stex_tp": exchange or "ND",
                "stk_cd": code,
            }
            if action == "modify":
                arguments["mdfy_uv"] = _text(price)
            return {**arguments, **extra}
        arguments = {"dmst_stex_tp": exchange or "KRX", "orig_ord_no": order_no, "stk_cd": code}
        if action == "modify":
            arguments.update(mdfy_qty=_qty(qty), mdfy_uv=_text(price))
        else:
            arguments["cncl_qty"] = _qty(qty)
        return {**arguments, **extra}


class Orders(_Desk):
    """Buy, sell, modify and cancel through a ``Client``, checked, optionally dry-run, with an
    optional client order id ledger (``ledger=`` a path or an ``OrderLedger``).

    ``baseline=True`` lists the day's orders of the code (kt00007) before each order, so that
    after an ambiguous failure reconciliation can tell it from identical earlier orders sent
    by other means (one more query per order).
    """

    client: Client

    def __init__(
        self,
        client: Client,
        *,
        ledger: OrderLedger | str | os.PathLike[str] | None = None,
        check: bool = True,
        etf: bool | None = None,
        baseline: bool = False,
    ) -> None:
        super().__init__(client, ledger=ledger, check=check, etf=etf, baseline=baseline)

    def buy(
        self,
        code: str,
        qty: int | str,
        *,
        price: Price = None,
        kind: str | None = None,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        limits: Limits = None,
        etf: bool | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        """Buy ``qty`` of ``code``: a limit at ``price``, a market order without one (``kind``:
        the 매매구분 code, default "0" 보통 / "3" 시장가; US "00" / "03")."""
        arguments = self._new_arguments(product, code, qty, price, kind, exchange, extra)
        return self._send(product, "buy", arguments, client_order_id, limits, etf, dry_run)

    def sell(
        self,
        code: str,
        qty: int | str,
        *,
        price: Price = None,
        kind: str | None = None,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        limits: Limits = None,
        etf: bool | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        """Sell ``qty`` of ``code`` (credit sells take ``crd_deal_tp`` / ``crd_loan_dt``)."""
        arguments = self._new_arguments(product, code, qty, price, kind, exchange, extra)
        return self._send(product, "sell", arguments, client_order_id, limits, etf, dry_run)

    def modify(
        self,
        order_no: str,
        *,
        price: Price,
        qty: int | str = 0,
        code: str | None = None,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        limits: Limits = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        """Move ``qty`` shares of order ``order_no`` (0: every share left) to ``price``; the
        answer carries the new order number. ``code`` defaults to the open order's."""
        code = code or self._code_of(order_no, product)
        arguments = self._change_arguments(
            product, "modify", order_no, code, qty, price, exchange, extra
        )
        return self._send(product, "modify", arguments, client_order_id, limits, None, dry_run)

    def cancel(
        self,
        order_no: str,
        *,
        qty: int | str = 0,
        code: str | None = None,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        """Cancel ``qty`` shares of order ``order_no`` (0: every share left)."""
        code = code or self._code_of(order_no, product)
        arguments = self._change_arguments(
            product, "cancel", order_no, code, qty, None, exchange, extra
        )
        return self._send(product, "cancel", arguments, client_order_id, None, None, dry_run)

    def open_order(self, order_no: str) -> Any:
        """The open (미체결, ka10075) row of ``order_no``, or None."""
        rows = self.client.get_open_orders_pages(all_stk_tp="0", trde_tp="0", stex_tp="0")
        wanted = order_no.lstrip("0")
        return next((r for r in rows.items() if str(r.ord_no).lstrip("0") == wanted), None)

    def limits(self, code: str) -> tuple[int, int]:
        """Today's (하한가, 상한가) of ``code`` from 주식기본정보 (ka10001 lst_pric / upl_pric)."""
        typed = self.client.get_stock_info(stk_cd=code).typed
        lower, upper = typed.lst_pric, typed.upl_pric
        if lower is None or upper is None:
            raise KiwoomError(f"ka10001 gave no price limits for {code}")
        return lower.price, upper.price

    def _code_of(self, order_no: str, product: Product) -> str:
        if product == "us":
            raise ArgumentError("code", "a US modify or cancel needs code= (the ticker)")
        row = self.open_order(order_no)
        if row is None:
            raise ArgumentError("order_no", f"{order_no} is not an open order; give its stock code")
        return str(row.stk_cd)

    def _send(
        self,
        product: Product,
        action: Action,
        arguments: dict[str, Any],
        client_order_id: str | None,
        limits: Limits,
        etf: bool | None,
        dry: bool,
    ) -> PlacedOrder | DryRun:
        if limits == "fetch":
            limits = self.limits(str(arguments["stk_cd"]))
        prepared = self._prepare(product, action, arguments, limits=limits, etf=etf)
        self._claim(prepared, client_order_id, dry)
        if dry:
            return dry_run(self.client, prepared.info.endpoint, prepared.request)
        before = self._snapshot(prepared, client_order_id)
        try:
            response = self.client._call(prepared.info.endpoint, prepared.request)
        except KiwoomError as error:
            self._failed(error, client_order_id, before)
            raise
        return self._placed(prepared, response, client_order_id)

    def _snapshot(self, prepared: _Prepared, client_order_id: str | None) -> frozenset[str] | None:
        if not self.baseline:
            return None
        try:
            return snapshot(self.client, prepared.intent)
        except KiwoomError as error:
            self._failed(error, client_order_id)  # not sent: the id is not used up silently
            raise


class AsyncOrders(_Desk):
    """The asyncio mirror of :class:`Orders` over an ``AsyncClient``."""

    client: AsyncClient

    def __init__(
        self,
        client: AsyncClient,
        *,
        ledger: OrderLedger | str | os.PathLike[str] | None = None,
        check: bool = True,
        etf: bool | None = None,
        baseline: bool = False,
    ) -> None:
        super().__init__(client, ledger=ledger, check=check, etf=etf, baseline=baseline)

    async def buy(
        self,
        code: str,
        qty: int | str,
        *,
        price: Price = None,
        kind: str | None = None,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        limits: tuple[int, int] | None = None,
        etf: bool | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        arguments = self._new_arguments(product, code, qty, price, kind, exchange, extra)
        return await self._send(product, "buy", arguments, client_order_id, limits, etf, dry_run)

    async def sell(
        self,
        code: str,
        qty: int | str,
        *,
        price: Price = None,
        kind: str | None = None,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        limits: tuple[int, int] | None = None,
        etf: bool | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        arguments = self._new_arguments(product, code, qty, price, kind, exchange, extra)
        return await self._send(product, "sell", arguments, client_order_id, limits, etf, dry_run)

    async def modify(
        self,
        order_no: str,
        *,
        price: Price,
        code: str,
        qty: int | str = 0,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        arguments = self._change_arguments(
            product, "modify", order_no, code, qty, price, exchange, extra
        )
        return await self._send(product, "modify", arguments, client_order_id, None, None, dry_run)

    async def cancel(
        self,
        order_no: str,
        *,
        code: str,
        qty: int | str = 0,
        exchange: str | None = None,
        product: Product = "stock",
        client_order_id: str | None = None,
        dry_run: bool = False,
        **extra: str,
    ) -> PlacedOrder | DryRun:
        arguments = self._change_arguments(
            product, "cancel", order_no, code, qty, None, exchange, extra
        )
        return await self._send(product, "cancel", arguments, client_order_id, None, None, dry_run)

    async def _send(
        self,
        product: Product,
        action: Action,
        arguments: dict[str, Any],
        client_order_id: str | None,
        limits: tuple[int, int] | None,
        etf: bool | None,
        dry: bool,
    ) -> PlacedOrder | DryRun:
        prepared = self._prepare(product, action, arguments, limits=limits, etf=etf)
        self._claim(prepared, client_order_id, dry)
        if dry:
            return dry_run(self.client, prepared.info.endpoint, prepared.request)
        before = None
        if self.baseline:
            try:
                before = await asnapshot(self.client, prepared.intent)
            except KiwoomError as error:
                self._failed(error, client_order_id)
                raise
        try:
            response = await self.client._call(prepared.info.endpoint, prepared.request)
        except KiwoomError as error:
            self._failed(error, client_order_id, before)
            raise
        return self._placed(prepared, response, client_order_id)
