"""Order safety that needs no knowledge of a TR's model: what an order request means, checks
before sending, a dry run, reconciliation after an ambiguous failure, a client order id ledger.

Why this exists: Kiwoom has no idempotency key. After a timeout the order may or may not be at
Kiwoom, and only the order-status APIs can tell. The runtime never resends an unsafe TR whose
fate is unknown (``OrderStateUnknownError``); this module turns that error into an answer:

* :func:`order_intent`: what a request asks (buy / sell / modify / cancel, code, quantity,
  price, original order number), read from the TR's documented name (매수 / 매도 / 정정 / 취소)
  and its documented wire keys (``ord_qty``, ``ord_uv``, ``orig_ord_no``, ...);
* :func:`reconcile` / :func:`areconcile`: ask the order-status APIs (:data:`STATUS_SOURCES`, the
  one table here that names TRs) whether an order matching the intent is there, and say
  ``LANDED`` (with its order number), ``NOT_FOUND`` or ``UNKNOWN`` (ambiguous, or the answer
  cannot prove absence);
* :class:`OrderLedger`: a local SQLite file of client order ids, so the same id is never sent
  twice, across threads, processes and restarts;
* :func:`check_order`: quantity, tick size (KRX 호가단위), daily limits when known, exchange;
* :func:`dry_run`: the exact request (headers with the token masked, body) without sending.

Everything here goes through the client's own pipeline (tokens, rate limits, retries, errors,
redacted logging); nothing is copied.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from kiwoom_runtime._logging import logger
from kiwoom_runtime.endpoint import Endpoint
from kiwoom_runtime.errors import ArgumentError, KiwoomError

if TYPE_CHECKING:
    from kiwoom_runtime.client import AsyncAPIClient, BaseClient, SyncAPIClient
    from kiwoom_runtime.errors import OrderStateUnknownError

__all__ = [
    "STATUS_SOURCES",
    "DryRun",
    "DuplicateClientOrderIdError",
    "LedgerEntry",
    "OrderIntent",
    "OrderLedger",
    "ReconcileOutcome",
    "ReconcileResult",
    "StatusRow",
    "StatusSource",
    "areconcile",
    "asnapshot",
    "check_order",
    "dry_run",
    "krx_price_limits",
    "krx_tick_size",
    "order_intent",
    "reconcile",
    "snapshot",
]

Action = Literal["new", "modify", "cancel"]
Side = Literal["buy", "sell"]
Market = Literal["domestic", "us"]

# --- what an order request means ------------------------------------------------------------

_QTY_KEYS = ("ord_qty", "mdfy_qty", "cncl_qty", "mdfy_ord_qty", "cncl_ord_qty")
_PRICE_KEYS = ("ord_uv", "mdfy_uv")
_EXCHANGE_KEYS = ("dmst_stex_tp", "stex_tp")


@attrs.frozen
class OrderIntent:
    """What an order request asks for, in the terms the status APIs answer in."""

    api_id: str
    action: Action
    side: Side | None
    """None for a modify or cancel (their requests do not say)."""
    market: Market
    code: str
    qty: str
    """As sent (``"0"`` on a modify / cancel means every share left)."""
    price: str
    """As sent; ``""`` for a market order."""
    orig_ord_no: str
    exchange: str


def order_intent(endpoint: Endpoint, body: Mapping[str, Any]) -> OrderIntent:
    """Read an order request by the TR's documented name and wire keys (no TR is named).

    The rules name every order TR ``... 매수주문`` / ``매도주문`` / ``정정주문`` / ``취소주문``
    (``kt10000 주식 매수주문``, ``ust20002 미국주식 정정 주문``); US TRs live under ``/api/us/``.
    """
    name = endpoint.name.replace(" ", "")
    action: Action = "modify" if "정정" in name else "cancel" if "취소" in name else "new"
    side: Side | None = "buy" if "매수" in name else "sell" if "매도" in name else None

    def first(keys: Sequence[str]) -> str:
        for key in keys:
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    return OrderIntent(
        api_id=endpoint.api_id,
        action=action,
        side=side if action == "new" else None,
        market="us" if endpoint.path.startswith("/api/us/") else "domestic",
        code=first(("stk_cd",)),
        qty=first(_QTY_KEYS),
        price=first(_PRICE_KEYS),
        orig_ord_no=first(("orig_ord_no",)),
        exchange=first(_EXCHANGE_KEYS),
    )


# --- checks before sending -------------------------------------------------------------------

# KRX 호가가격단위 (tick size) since 2023-01-25, KOSPI and KOSDAQ alike: KRX 유가증권시장 /
# 코스닥시장 업무규정 시행세칙, 호가가격단위 개편 (KRX notice, 2023-01): below 2,000 won: 1;
# 2,000-5,000: 5; 5,000-20,000: 10; 20,000-50,000: 50; 50,000-200,000: 100; 200,000-500,000: 500;
# 500,000 and up: 1,000. ETFs / ETNs: 1 won below 2,000, 5 won from 2,000. A live client
# confirmed the 200,000-500,000 band at 500 won against the mock host (RC4003 otherwise).
_KRX_STOCK_TICKS: tuple[tuple[int, int], ...] = (
    (2_000, 1),
    (5_000, 5),
    (20_000, 10),
    (50_000, 50),
    (200_000, 100),
    (500_000, 500),
)
_KRX_TOP_TICK = 1_000


def krx_tick_size(price: int, *, etf: bool = False) -> int:
    """호가가격단위 of ``price`` (won): the band the price falls in decides."""
    if etf:
        return 1 if price < 2_000 else 5
    for bound, tick in _KRX_STOCK_TICKS:
        if price < bound:
            return tick
    return _KRX_TOP_TICK


def krx_price_limits(reference: int, *, etf: bool = False) -> tuple[int, int]:
    """(하한가, 상한가): the reference price (usually the previous close) ±30 %, rounded
    inwards to the tick grid (KRX 가격제한폭)."""
    upper = reference * 13 // 10
    upper -= upper % krx_tick_size(upper, etf=etf)
    lower = -((-reference * 7) // 10)
    tick = krx_tick_size(lower, etf=etf)
    lower += (tick - lower % tick) % tick
    return lower, max(upper, reference)


def _positive_int(argument: str, text: str, *, zero: bool = False) -> int:
    if not text.isdigit():
        raise ArgumentError(argument, f"expected a whole number of shares, got {text!r}")
    value = int(text)
    if value == 0 and not zero:
        raise ArgumentError(argument, "must be more than 0")
    return value


def check_order(
    intent: OrderIntent,
    *,
    etf: bool | None = None,
    limits: tuple[int, int] | None = None,
    env: str | None = None,
) -> None:
    """Refuse, before anything is sent, what the server would refuse for sure.

    * the quantity: a whole number, more than 0 (``"0"`` on a modify / cancel: all left);
    * the price: domestic, whole won on the KRX tick grid (``etf=None``, not known: the finer
      ETF grid, so no valid price is refused); US, at most cents; inside ``limits``
      (하한가, 상한가) when given;
    * the exchange: KRX / NXT / SOR at home (only KRX on the mock host, which refuses the
      others with RC9000), NA / ND / NY for US listings.

    Raises :class:`ArgumentError` naming the argument.
    """
    qty_key = "ord_qty" if intent.action == "new" else "qty"
    if intent.qty or intent.action == "new":
        _positive_int(qty_key, intent.qty, zero=intent.action != "new")
    if intent.market == "us":
        if intent.exchange and intent.exchange not in ("NA", "ND", "NY"):
            raise ArgumentError("stex_tp", f"expected NA, ND or NY, got {intent.exchange!r}")
        if intent.price:
            try:
                price = Decimal(intent.price)
            except InvalidOperation:
                raise ArgumentError("price", f"not a number: {intent.price!r}") from None
            if price <= 0 or price != price.quantize(Decimal("0.01")):
                raise ArgumentError("price", f"expected dollars with at most cents: {price}")
        return
    if intent.exchange and intent.exchange not in ("KRX", "NXT", "SOR"):
        raise ArgumentError("dmst_stex_tp", f"expected KRX, NXT or SOR, got {intent.exchange!r}")
    if env == "mock" and intent.exchange not in ("", "KRX"):
        raise ArgumentError(
            "dmst_stex_tp",
            f"the mock host takes KRX orders only ({intent.exchange} answers RC9000)",
        )
    if not intent.price or intent.price == "0":
        return
    if not intent.price.isdigit():
        raise ArgumentError("price", f"expected whole won, got {intent.price!r}")
    won = int(intent.price)
    tick = krx_tick_size(won, etf=True if etf is None else etf)
    if won % tick:
        kind = "stock" if etf is False else "ETF" if etf else "stock or ETF"
        below, above = won - won % tick, won - won % tick + tick
        raise ArgumentError(
            "price",
            f"{won} is off the KRX tick grid for a {kind} ({tick} won at this price): "
            f"{below} or {above}",
        )
    if limits is not None and not limits[0] <= won <= limits[1]:
        raise ArgumentError(
            "price", f"{won} is outside today's limits {limits[0]}-{limits[1]} (하한가-상한가)"
        )


# --- dry run ---------------------------------------------------------------------------------


@attrs.frozen
class DryRun:
    """The request an order call would send: nothing was sent, no token was fetched."""

    api_id: str
    url: str
    headers: Mapping[str, str]
    """As sent, the bearer token masked (``Bearer ***``)."""
    body: Mapping[str, Any]
    method: str = "POST"

    def __str__(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return "\n".join(lines) + "\n\n" + json.dumps(self.body, ensure_ascii=False, indent=2)


def dry_run(client: BaseClient, endpoint: Endpoint, request: Any) -> DryRun:
    """Encode and check ``request`` as a call would, and show it instead of sending it."""
    body = client._prepare(endpoint, request)
    headers = client._headers(endpoint, "***", False, None)
    return DryRun(endpoint.api_id, client.base_url + endpoint.path, headers, body)


# --- reconciliation --------------------------------------------------------------------------


class ReconcileOutcome(enum.Enum):
    LANDED = "landed"
    """Kiwoom has the order: ``order_no`` is its number."""
    NOT_FOUND = "not_found"
    """A status API that lists every order of the day lists no such order."""
    UNKNOWN = "unknown"
    """Could not tell: several orders match, the status query failed, or the APIs asked
    cannot prove absence."""


@attrs.frozen
class StatusRow:
    """One order as a status API lists it, in the terms of :class:`OrderIntent`."""

    ord_no: str
    code: str
    side: Side | None
    action: Action
    qty: str
    price: str
    orig_ord_no: str
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)


@attrs.frozen
class ReconcileResult:
    outcome: ReconcileOutcome
    order_no: str | None
    reason: str
    source: str | None = None
    """The status API that decided."""
    candidates: tuple[StatusRow, ...] = ()

    @property
    def landed(self) -> bool:
        return self.outcome is ReconcileOutcome.LANDED

    @property
    def not_found(self) -> bool:
        return self.outcome is ReconcileOutcome.NOT_FOUND

    @property
    def unknown(self) -> bool:
        return self.outcome is ReconcileOutcome.UNKNOWN

    def __str__(self) -> str:
        number = f" {self.order_no}" if self.order_no else ""
        via = f" (via {self.source})" if self.source else ""
        return f"{self.outcome.value}{number}{via}: {self.reason}"


def _number(text: Any) -> str:
    """``"0000000010"`` -> ``"10"``; ``"213.0400"`` -> ``"213.04"``; ``""`` / ``"0"`` -> ``""``."""
    raw = str(text or "").strip().lstrip("+")
    try:
        value = Decimal(raw) if raw else Decimal(0)
    except InvalidOperation:
        return raw
    return "" if value == 0 else format(value.normalize(), "f")


def _side(text: Any) -> Side | None:
    name = str(text or "")
    return "buy" if "매수" in name else "sell" if "매도" in name else None


def _action_of(*texts: Any) -> Action:
    joined = "".join(str(t or "") for t in texts)
    return "modify" if "정정" in joined else "cancel" if "취소" in joined else "new"


@attrs.frozen
class StatusSource:
    """An order-status API reconcile can ask, and how to read its rows."""

    api_id: str
    name: str
    path: str
    list_key: str
    request: Callable[[OrderIntent], dict[str, str]]
    row: Callable[[Mapping[str, Any]], StatusRow]
    complete: bool
    """Does it list every order of the day (so that absence proves NOT_FOUND)?"""

    def rows(self, page: Mapping[str, Any]) -> list[StatusRow]:
        listed = page.get(self.list_key) or []
        return [self.row(r) for r in listed if isinstance(r, Mapping)]

    @property
    def endpoint(self) -> Endpoint:
        key = self.list_key
        return Endpoint(
            api_id=self.api_id,
            name=self.name,
            path=self.path,
            paged=True,
            items=lambda page: page.get(key) or [],
            list_key=key,
        )


def _kt00007_row(row: Mapping[str, Any]) -> StatusRow:
    return StatusRow(
        ord_no=str(row.get("ord_no", "")),
        code=str(row.get("stk_cd", "")).removeprefix("A"),
        side=_side(row.get("io_tp_nm")),
        action=_action_of(row.get("mdfy_cncl")),
        qty=_number(row.get("ord_qty")),
        price=_number(row.get("ord_uv")),
        orig_ord_no=str(row.get("ori_ord", "")),
        raw=row,
    )


def _ka1007x_row(row: Mapping[str, Any]) -> StatusRow:
    return StatusRow(
        ord_no=str(row.get("ord_no", "")),
        code=str(row.get("stk_cd", "")).removeprefix("A"),
        side=_side(row.get("io_tp_nm")),
        action=_action_of(row.get("io_tp_nm")),
        qty=_number(row.get("ord_qty")),
        price=_number(row.get("ord_pric")),
        orig_ord_no=str(row.get("orig_ord_no", "")),
        raw=row,
    )


def _ust21510_row(row: Mapping[str, Any]) -> StatusRow:
    orig = str(row.get("orig_ord_no", ""))
    return StatusRow(
        ord_no=str(row.get("ord_no", "")),
        code=str(row.get("stk_cd", "")),
        side=_side(row.get("slby_tp_nm")),
        action="new" if not orig.strip("0") else _action_of(row.get("ord_stat")),
        qty=_number(row.get("ord_qty")),
        price=_number(row.get("ord_uv")),
        orig_ord_no=orig,
        raw=row,
    )


_DOMESTIC_ACCOUNT = "/api/dostk/acnt"
#: The order-status APIs reconcile asks, first to last, by market: the one place in the
#: runtime that names TRs (their documented request and row fields). kt00007 lists every
#: order record of the day (modifies and cancels too), so its silence proves absence; ka10075
#: (미체결) and ka10076 (체결) list only orders with a rest or a fill, so they can confirm an
#: order but never its absence. Pass ``sources=`` to ask others.
STATUS_SOURCES: Mapping[Market, tuple[StatusSource, ...]] = {
    "domestic": (
        StatusSource(
            "kt00007",
            "계좌별주문체결내역상세요청",
            _DOMESTIC_ACCOUNT,
            "acnt_ord_cntr_prps_dtl",
            lambda i: {
                "ord_dt": "",
                "qry_tp": "1",
                "stk_bond_tp": "0",
                "sell_tp": "0",
                "stk_cd": i.code,
                "fr_ord_no": "",
                "dmst_stex_tp": "%",
            },
            _kt00007_row,
            complete=True,
        ),
        StatusSource(
            "ka10075",
            "미체결요청",
            _DOMESTIC_ACCOUNT,
            "oso",
            lambda i: {"all_stk_tp": "1", "trde_tp": "0", "stk_cd": i.code, "stex_tp": "0"},
            _ka1007x_row,
            complete=False,
        ),
        StatusSource(
            "ka10076",
            "체결요청",
            _DOMESTIC_ACCOUNT,
            "cntr",
            lambda i: {
                "stk_cd": i.code,
                "qry_tp": "1",
                "sell_tp": "0",
                "ord_no": "",
                "stex_tp": "0",
            },
            _ka1007x_row,
            complete=False,
        ),
    ),
    "us": (
        StatusSource(
            "ust21510",
            "미국주식 당일 주문체결 확인",
            "/api/us/acnt",
            "result_list",
            lambda i: {"slby_tp": "0", "stex_tp": "", "stk_cd": i.code},
            _ust21510_row,
            complete=True,
        ),
    ),
}


def _matches(intent: OrderIntent, row: StatusRow) -> bool:
    if row.code and intent.code and row.code != intent.code:
        return False
    if intent.action == "new":
        return (
            row.action == "new"
            and (row.side is None or row.side == intent.side)
            and row.qty == _number(intent.qty)
            and row.price == _number(intent.price)
        )
    if row.action != intent.action or row.orig_ord_no.lstrip("0") != intent.orig_ord_no.lstrip("0"):
        return False
    if intent.action == "modify" and intent.price and row.price:
        return row.price == _number(intent.price)
    return True


def _decide(
    intent: OrderIntent,
    source: StatusSource,
    rows: Iterable[StatusRow],
    exclude: frozenset[str],
    after: str | None,
    baseline: bool,
) -> ReconcileResult | None:
    """The result one source's rows give, or None to ask the next source."""
    known = {n.lstrip("0") for n in exclude}
    floor = int(after) if after and after.isdigit() else None
    found = tuple(
        row
        for row in rows
        if _matches(intent, row)
        and row.ord_no.lstrip("0") not in known
        and (floor is None or not row.ord_no.isdigit() or int(row.ord_no) > floor)
    )
    unique = {row.ord_no: row for row in found}
    if len(unique) == 1:
        (number,) = unique
        reason = "one order matches"
        if not baseline and after is None:
            reason += (
                " (no baseline: an identical order sent earlier by other means would look the "
                "same; Orders(baseline=True) lists the orders before sending)"
            )
        return ReconcileResult(ReconcileOutcome.LANDED, number, reason, source.api_id, found)
    if len(unique) > 1:
        numbers = ", ".join(sorted(unique))
        reason = (
            f"{len(unique)} orders match ({numbers}); pass exclude= with the order numbers you "
            "know, or after= the last one sent before (a ledger does this)"
        )
        return ReconcileResult(ReconcileOutcome.UNKNOWN, None, reason, source.api_id, found)
    if source.complete:
        reason = f"{source.api_id} lists every order of the day and none matches"
        return ReconcileResult(ReconcileOutcome.NOT_FOUND, None, reason, source.api_id)
    return None


def _plan(
    error: OrderStateUnknownError, sources: Sequence[StatusSource] | None
) -> tuple[OrderIntent, Sequence[StatusSource]]:
    intent = error.intent
    if intent is None:
        raise KiwoomError(f"{error.api_id}: the failed request is not known; cannot reconcile")
    return intent, sources if sources is not None else STATUS_SOURCES[intent.market]


_UNSEEN = "no status API could confirm or rule out the order"


def reconcile(
    client: SyncAPIClient,
    error: OrderStateUnknownError,
    *,
    sources: Sequence[StatusSource] | None = None,
    exclude: Iterable[str] = (),
    after: str | None = None,
    baseline: bool = False,
    attempts: int = 1,
    wait: float = 1.0,
    max_pages: int = 20,
) -> ReconcileResult:
    """Ask the order-status APIs whether the order of ``error`` landed.

    ``exclude``: order numbers known to be other orders (``error.reconcile()`` passes the
    client's own, the ledger's and the baseline's); ``baseline``: ``exclude`` holds every order
    listed before the send (:func:`snapshot`); ``after``: the last order number known before
    this one was sent. Without a baseline, an identical order sent earlier by other means (영웅문,
    another program) cannot be told from this one. With
    ``attempts`` > 1, an order not seen yet is asked for again after ``wait`` seconds (a
    slow server may still be processing it). A failing status query gives UNKNOWN, never an
    exception.
    """
    intent, chosen = _plan(error, sources)
    skip = frozenset(exclude)
    result = ReconcileResult(ReconcileOutcome.UNKNOWN, None, _UNSEEN)
    for attempt in range(1, attempts + 1):
        result = ReconcileResult(ReconcileOutcome.UNKNOWN, None, _UNSEEN)
        for source in chosen:
            try:
                pager = client._paginate(
                    source.endpoint, source.request(intent), max_pages=max_pages
                )
                rows = [row for page in pager for row in source.rows(page)]
            except KiwoomError as exc:
                result = ReconcileResult(
                    ReconcileOutcome.UNKNOWN, None, f"{source.api_id} failed: {exc}", source.api_id
                )
                continue
            decided = _decide(intent, source, rows, skip, after, baseline)
            if decided is not None:
                result = decided
                break
        if not result.not_found or attempt == attempts:
            break
        time.sleep(wait)
    logger.info("%s: reconciled: %s", intent.api_id, result)
    return result


async def areconcile(
    client: AsyncAPIClient,
    error: OrderStateUnknownError,
    *,
    sources: Sequence[StatusSource] | None = None,
    exclude: Iterable[str] = (),
    after: str | None = None,
    baseline: bool = False,
    attempts: int = 1,
    wait: float = 1.0,
    max_pages: int = 20,
) -> ReconcileResult:
    """The asyncio mirror of :func:`reconcile`."""
    import asyncio

    intent, chosen = _plan(error, sources)
    skip = frozenset(exclude)
    result = ReconcileResult(ReconcileOutcome.UNKNOWN, None, _UNSEEN)
    for attempt in range(1, attempts + 1):
        result = ReconcileResult(ReconcileOutcome.UNKNOWN, None, _UNSEEN)
        for source in chosen:
            try:
                pager = client._paginate(
                    source.endpoint, source.request(intent), max_pages=max_pages
                )
                rows: list[StatusRow] = []
                async for page in pager:
                    rows += source.rows(page)
            except KiwoomError as exc:
                result = ReconcileResult(
                    ReconcileOutcome.UNKNOWN, None, f"{source.api_id} failed: {exc}", source.api_id
                )
                continue
            decided = _decide(intent, source, rows, skip, after, baseline)
            if decided is not None:
                result = decided
                break
        if not result.not_found or attempt == attempts:
            break
        await asyncio.sleep(wait)
    logger.info("%s: reconciled: %s", intent.api_id, result)
    return result


def _complete(intent: OrderIntent, sources: Sequence[StatusSource] | None) -> StatusSource:
    chosen = sources if sources is not None else STATUS_SOURCES[intent.market]
    found = next((s for s in chosen if s.complete), None)
    if found is None:
        raise KiwoomError(f"{intent.api_id}: no status API lists every order of the day")
    return found


def snapshot(
    client: SyncAPIClient,
    intent: OrderIntent,
    *,
    sources: Sequence[StatusSource] | None = None,
    max_pages: int = 20,
) -> frozenset[str]:
    """The order numbers listed for ``intent``'s code before it is sent: the baseline that
    lets reconciliation tell this order from identical earlier ones."""
    source = _complete(intent, sources)
    pager = client._paginate(source.endpoint, source.request(intent), max_pages=max_pages)
    return frozenset(row.ord_no for page in pager for row in source.rows(page))


async def asnapshot(
    client: AsyncAPIClient,
    intent: OrderIntent,
    *,
    sources: Sequence[StatusSource] | None = None,
    max_pages: int = 20,
) -> frozenset[str]:
    """The asyncio mirror of :func:`snapshot`."""
    source = _complete(intent, sources)
    pager = client._paginate(source.endpoint, source.request(intent), max_pages=max_pages)
    numbers: set[str] = set()
    async for page in pager:
        numbers.update(row.ord_no for row in source.rows(page))
    return frozenset(numbers)


# --- the client order id ledger ----------------------------------------------------------------

LedgerState = Literal["sending", "accepted", "rejected", "failed", "unknown", "landed", "not_found"]
"""sending: claimed, on its way; accepted: Kiwoom gave it a number; rejected: Kiwoom refused
it; failed: it never reached Kiwoom; unknown: no answer (reconcile); landed / not_found: what
reconciliation found."""


class DuplicateClientOrderIdError(ArgumentError):
    """This client order id was used before (in any process sharing the ledger): not sent."""

    def __init__(self, entry: LedgerEntry) -> None:
        self.entry = entry
        number = f", order {entry.order_no}" if entry.order_no else ""
        super().__init__(
            "client_order_id",
            f"{entry.client_order_id!r} was already used ({entry.api_id}, {entry.state}"
            f"{number}, {entry.created_at}); it is never sent twice: use a new id",
        )


@attrs.frozen
class LedgerEntry:
    client_order_id: str
    api_id: str
    body: Mapping[str, Any]
    state: LedgerState
    order_no: str | None
    created_at: str
    updated_at: str
    detail: str
    pid: int


_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    client_order_id TEXT PRIMARY KEY,
    api_id TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    order_no TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL
)
"""


class OrderLedger:
    """Client order ids in a local SQLite file: an id is claimed before its order is sent,
    in one transaction, so that no two threads, processes or runs ever send it twice.

    Scope: the ledger knows what *this machine* sent through it. It cannot see orders sent
    from another machine, from 영웅문, or before the ledger was used; an id whose order's fate
    is unknown stays claimed (state ``unknown``) until reconciled, and is never sent again.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)
        os.chmod(self.path, 0o600)  # order history is private

    def _connect(self) -> sqlite3.Connection:
        # One connection per operation: sqlite3 connections must not cross threads, and a
        # short-lived one never holds a lock while the order travels.
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    def claim(self, client_order_id: str, api_id: str, body: Mapping[str, Any]) -> LedgerEntry:
        """Record the id as being sent; :class:`DuplicateClientOrderIdError` if it exists."""
        if not client_order_id or not client_order_id.strip():
            raise ArgumentError("client_order_id", "must not be empty")
        now = _now()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")  # the write lock: the check and insert are one step
            row = db.execute(
                "SELECT * FROM orders WHERE client_order_id = ?", (client_order_id,)
            ).fetchone()
            if row is not None:
                db.execute("ROLLBACK")
                raise DuplicateClientOrderIdError(_entry(row))
            db.execute(
                "INSERT INTO orders VALUES (?, ?, ?, 'sending', NULL, ?, ?, '', ?)",
                (
                    client_order_id,
                    api_id,
                    json.dumps(dict(body), ensure_ascii=False),
                    now,
                    now,
                    os.getpid(),
                ),
            )
            db.execute("COMMIT")
        finally:
            db.close()
        entry = self.get(client_order_id)
        assert entry is not None
        return entry

    def update(
        self,
        client_order_id: str,
        state: LedgerState,
        *,
        order_no: str | None = None,
        detail: str = "",
    ) -> None:
        db = self._connect()
        try:
            db.execute(
                "UPDATE orders SET state = ?, order_no = COALESCE(?, order_no), detail = ?, "
                "updated_at = ? WHERE client_order_id = ?",
                (state, order_no, detail[:500], _now(), client_order_id),
            )
        finally:
            db.close()

    def record_reconciled(self, client_order_id: str, result: ReconcileResult) -> None:
        state: LedgerState = (
            "landed" if result.landed else "not_found" if result.not_found else "unknown"
        )
        self.update(client_order_id, state, order_no=result.order_no, detail=str(result))

    def get(self, client_order_id: str) -> LedgerEntry | None:
        db = self._connect()
        try:
            row = db.execute(
                "SELECT * FROM orders WHERE client_order_id = ?", (client_order_id,)
            ).fetchone()
        finally:
            db.close()
        return None if row is None else _entry(row)

    def entries(self) -> list[LedgerEntry]:
        db = self._connect()
        try:
            rows = db.execute("SELECT * FROM orders ORDER BY created_at, rowid").fetchall()
        finally:
            db.close()
        return [_entry(r) for r in rows]

    def known_order_numbers(self) -> frozenset[str]:
        """Every order number the ledger recorded (reconcile excludes them)."""
        return frozenset(e.order_no for e in self.entries() if e.order_no)

    def __repr__(self) -> str:
        return f"OrderLedger({str(self.path)!r})"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        client_order_id=row["client_order_id"],
        api_id=row["api_id"],
        body=json.loads(row["body"]),
        state=row["state"],
        order_no=row["order_no"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        detail=row["detail"],
        pid=row["pid"],
    )
