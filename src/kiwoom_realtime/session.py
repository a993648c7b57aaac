"""The asyncio real-time session: LOGIN, PING echo, REG/REMOVE, REAL events, condition search,
reconnection with resubscription.

How one connection goes (see ``shared/kiwoom-live-service.md`` for the evidence):

1. Open the WebSocket and send ``{"trnm": "LOGIN", "token": ...}`` before anything else: an
   Authorization header is not enough, and without LOGIN the server sends SYSTEM R10004 and
   closes the connection.
2. Start the reader. It echoes every ``PING`` exactly as received, at once, even before the
   LOGIN answer (clients that rely on the library's protocol pings get dropped); routes
   answers (LOGIN, REG, REMOVE, CNSR*) to the request waiting for them; turns REAL frames into
   events (frames that arrive before a REG answer included); acts on SYSTEM frames.
3. After the LOGIN answer, register again everything the session had registered, and restart
   every real-time condition search (after listing the conditions, which the server requires
   first on each connection). Only then is the session ready, and a :class:`Gap` event says
   what was missed if this was a reconnect.

When the connection is lost, or the server closes it (code 1000 included), or sends R10004 /
R10006, the session reconnects with exponential back-off and jitter; R10001 (maintenance)
backs off from ``maintenance_delay``; R10005 (token expired) asks the token manager for a new
token (exactly one, however many refusals) and logs in again at once; R10002 / R10003 end the
session with a typed error. Data that arrives while the consumer is slow is queued up to
``queue_size`` with an explicit overflow policy (:mod:`kiwoom_realtime._queue`).

The LOGIN frame is never logged; other control frames are logged at DEBUG through the
``kiwoom_runtime`` logger and its redaction filter. The ``websockets`` library's own logger is
kept at INFO, because at DEBUG it would print frames (and so the LOGIN frame) itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import inspect
import ipaddress
import json
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, NamedTuple, Self, TypeVar
from urllib.parse import urlsplit

import attrs
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from kiwoom_realtime._queue import NOTHING as _NOTHING
from kiwoom_realtime._queue import EventQueue
from kiwoom_realtime.config import MOCK_WS_URL, PROD_WS_URL, RealtimeConfig, ws_path
from kiwoom_realtime.decoders import (
    Decoder,
    DecoderRegistry,
    decode_generic,
    default_decoders,
)
from kiwoom_realtime.errors import RealtimeClosedError, system_error
from kiwoom_realtime.events import (
    ConditionSnapshot,
    Gap,
    Item,
    Subscription,
    SystemNotice,
    UnknownMessage,
)
from kiwoom_realtime.tokens import TokenProvider, token_provider
from kiwoom_runtime import RedactingFilter, logger
from kiwoom_runtime.client import AsyncAPIClient, SyncAPIClient
from kiwoom_runtime.embedded import sandbox_ws_url
from kiwoom_runtime.errors import (
    DEFAULT_ERROR_CODES,
    APIConnectionError,
    APIError,
    APITimeoutError,
    ArgumentError,
    AuthenticationError,
    ErrorCodeMap,
    KiwoomError,
    PagingError,
    TokenEnvironmentError,
    TokenError,
)

__all__ = [
    "AsyncRealtimeSession",
    "Condition",
    "ConditionSearchResult",
    "RealtimeStats",
    "decode_frame",
]

T = TypeVar("T")

# websockets logs every frame at DEBUG, the LOGIN frame (and its token) included: keep its
# logger at INFO, and redact whatever it does log.
_WS_LOGGER = logging.getLogger("kiwoom_runtime.realtime.websockets")
_WS_LOGGER.setLevel(logging.INFO)
_WS_LOGGER.addFilter(RedactingFilter())

#: The error code of "이미 등록된 조건검색 일련번호입니다" (a condition search the server
#: still runs for us, e.g. after a reconnect); seen live, not in the error table.
ALREADY_REGISTERED = "900003"


class Condition(NamedTuple):
    """A saved condition (made in 영웅문): its ``seq`` and ``name``."""

    seq: str
    name: str


@attrs.frozen
class ConditionSearchResult:
    """Every hit of a one-off condition search (all pages): ``rows`` as sent (field id ->
    string, e.g. ``"9001": "A005930"``), ``pages`` the number of answers it took."""

    seq: str
    rows: tuple[Mapping[str, str], ...]
    pages: int

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the hits, as sent (``A005930``; see ``strip_code_prefix``)."""
        return tuple(str(r.get("9001") or r.get("jmcode") or "") for r in self.rows)


@attrs.define
class RealtimeStats:
    """Counters of a session, for monitoring and tests (read them, do not write them)."""

    connections: int = 0
    """WebSocket connections opened (the first one included)."""
    logins: int = 0
    gaps: int = 0
    frames: int = 0
    """Frames received (all kinds)."""
    events: int = 0
    """Data events queued."""
    dropped: int = 0
    decode_errors: int = 0
    pings: int = 0
    """Server PINGs echoed."""
    token_renewals: int = 0
    """Tokens invalidated after the server refused them (the manager issued a new one)."""
    system_frames: int = 0
    last_delay: float = 0.0
    """The last back-off delay (seconds) and why it was taken."""
    last_delay_reason: str = ""
    queue_high_water: int = 0


class _Lost(Exception):
    """Why a connection ended (internal): the supervisor decides what to do."""

    def __init__(self, reason: str, *, kind: str = "normal") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # "normal" | "maintenance" | "token" | "fatal"


class _Connection:
    """One WebSocket connection and what belongs to it alone."""

    def __init__(self, ws: ClientConnection, number: int) -> None:
        self.ws = ws
        self.number = number
        self.login: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending: dict[str, deque[asyncio.Future[dict[str, Any]]]] = {}
        self.listed = False  # CNSRLST sent on this connection (needed before CNSRREQ)
        self.lost: asyncio.Future[_Lost] = asyncio.get_running_loop().create_future()
        self.reader: asyncio.Task[None] | None = None
        self.opened = time.monotonic()
        self.token = ""  # the token this connection logged in with (to invalidate it)
        self.snapshots: list[ConditionSnapshot] = []  # conditions restarted on this connection

    def end(self, lost: _Lost) -> None:
        if not self.lost.done():
            self.lost.set_result(lost)
        for waiters in self.pending.values():
            while waiters:
                _fail_future(waiters.popleft(), lost)
        _fail_future(self.login, lost)


def _fail_future(fut: asyncio.Future[Any], exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)
        fut.exception()  # marked as retrieved: nobody may be waiting any more


def _is_ok(return_code: Any) -> bool:
    """0, "0", "0000" or absent are success (the WebSocket has also sent "1" for errors)."""
    if return_code is None:
        return True
    if isinstance(return_code, bool):
        return False
    if isinstance(return_code, int):
        return return_code == 0
    if isinstance(return_code, str):
        text = return_code.strip()
        return text.isdigit() and int(text) == 0
    return False


def decode_frame(raw: str | bytes, decoders: DecoderRegistry | None = None) -> list[object]:
    """The events of one REAL frame (what the session does per frame; used by the benchmark);
    ``decoders`` defaults to the session's default (the generated typed models included)."""
    if decoders is None:
        decoders = default_decoders()
    frame = json.loads(raw)
    out: list[object] = []
    for record in frame.get("data") or ():
        decoder = decoders.get(record.get("type"))
        out.append(decoder(record) if decoder is not None else decode_generic(record))
    return out


def _item_key(item: Item) -> str:
    return item if isinstance(item, str) else json.dumps(dict(item), sort_keys=True)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_CONNECT_ACCEPTS_PROXY = "proxy" in inspect.signature(connect.__init__).parameters


class AsyncRealtimeSession:
    """A real-time (WebSocket) session on Kiwoom's host, sharing the REST client's token.

    ::

        async with AsyncClient(env="mock") as client, AsyncRealtimeSession(client) as rt:
            await rt.subscribe(["005930"], ["0B"])
            async for event in rt:
                print(event.item, event.values["10"])

    Args:
        tokens: a ``kiwoom_typed`` ``Client`` / ``AsyncClient`` (its token manager is used, and
            its ``env`` picks the host), a ``TokenManager`` / ``AsyncTokenManager``, a
            :class:`~kiwoom_realtime.tokens.TokenProvider`, or a fixed token string.
        url: the WebSocket URL (``ws://`` / ``wss://``); a URL without a path gets the
            market's path. A custom host needs it; env="sandbox" finds its sandbox's.
        env: ``"prod"`` or ``"mock"`` when ``tokens`` is not a client (default: the client's).
        market: ``"domestic"`` (``/api/dostk/websocket``) or ``"us"`` (``/api/us/websocket``).
        config: a :class:`~kiwoom_realtime.config.RealtimeConfig`; keyword ``options`` change
            single fields of it (``queue_size=1000``).
        decoders: the decoder registry (default: :data:`~kiwoom_realtime.DEFAULT_DECODERS`, with
            the typed models generated from the specs when ``kiwoom_typed`` is installed: a
            0B record is then a ``StockTrade``; pass ``DecoderRegistry()`` for raw records).
        error_codes: classifies refused requests by their bracketed code (default: the
            runtime's table, so ``[8005:...]`` is a ``TokenError``).

    Close it with ``async with`` or :meth:`aclose`; there is no ``__del__``.
    """

    def __init__(
        self,
        tokens: object,
        *,
        url: str | None = None,
        env: str | None = None,
        market: str = "domestic",
        config: RealtimeConfig | None = None,
        decoders: DecoderRegistry | None = None,
        error_codes: ErrorCodeMap | None = None,
        **options: Any,
    ) -> None:
        path = ws_path(market)
        self.market = market
        if config is not None and not isinstance(config, RealtimeConfig):
            raise ArgumentError("config", f"expected a RealtimeConfig, got {type(config).__name__}")
        config = config or RealtimeConfig()
        if options:
            known = {a.name for a in attrs.fields(RealtimeConfig)}
            for name in options:
                if name not in known:
                    raise ArgumentError(name, "unknown option of AsyncRealtimeSession")
            config = attrs.evolve(config, **options)
        self.config = config
        self.url = self._resolve_url(tokens, url, env, path)
        self._tokens: TokenProvider = token_provider(tokens)
        self.decoders = decoders if decoders is not None else default_decoders()
        self.error_codes = error_codes or DEFAULT_ERROR_CODES
        prefix = "G" if market == "us" else ""
        self._trnm_list, self._trnm_req, self._trnm_clr = (
            prefix + "CNSRLST",
            prefix + "CNSRREQ",
            prefix + "CNSRCLR",
        )
        self.stats = RealtimeStats()
        self._queue = EventQueue(config.queue_size, config.overflow, config.warn_every)
        # group -> item key -> types; the item objects by key (US items are maps)
        self._groups: dict[str, dict[str, set[str]]] = {}
        self._items: dict[str, Item] = {}
        self._conditions: dict[str, None] = {}  # real-time condition seqs, in start order
        self._conn: _Connection | None = None
        self._ready = False
        self._state = asyncio.Condition()
        self._request_lock = asyncio.Lock()
        self._supervisor: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._closing = False
        self._renewed = False  # a token was just renewed and not yet accepted by a LOGIN
        self._last_renewal = self._last_renewal_before = -float("inf")
        self._decode_warned: set[str] = set()
        self._random = random.Random()

    # -- configuration ------------------------------------------------------------------------

    @staticmethod
    def _resolve_url(tokens: object, url: str | None, env: str | None, path: str) -> str:
        if url is not None:
            if not isinstance(url, str):
                raise ArgumentError("url", f"expected a str, got {type(url).__name__}")
            parts = urlsplit(url)
            if parts.scheme not in ("ws", "wss") or not parts.hostname:
                raise ArgumentError("url", f"not a ws:// or wss:// URL: {url!r}")
            return url if parts.path not in ("", "/") else url.rstrip("/") + path
        client = tokens if isinstance(tokens, AsyncAPIClient | SyncAPIClient) else None
        if env is None and client is not None:
            env = client.env
        if env == "prod":
            return PROD_WS_URL + path
        if env == "mock":
            return MOCK_WS_URL + path
        if env == "sandbox":
            # The local sandbox serves WebSocket beside HTTP; it says where (kiwoom_runtime).
            return sandbox_ws_url(client.base_url if client is not None else None) + path
        if env is None:
            raise ArgumentError("env", "pass env='prod', 'mock' or 'sandbox', or url=")
        raise ArgumentError(
            "url",
            f"a {env!r} target has no known WebSocket host: pass url= (for the local sandbox, "
            "the RealtimeSandbox's url)",
        )

    # -- public state -------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while logged in with every registration in place."""
        return self._ready

    @property
    def closed(self) -> bool:
        return self._closing or self._failure is not None

    def subscriptions(self) -> tuple[Subscription, ...]:
        """What is registered now: per group, items grouped by their set of types."""
        out: list[Subscription] = []
        for group, by_item in self._groups.items():
            by_types: dict[tuple[str, ...], list[Item]] = {}
            for key, types in by_item.items():
                by_types.setdefault(tuple(sorted(types)), []).append(self._items[key])
            for types_key, items in by_types.items():
                out.append(Subscription(group, tuple(items), types_key))
        return tuple(out)

    @property
    def conditions(self) -> tuple[str, ...]:
        """The seqs of the real-time condition searches running now."""
        return tuple(self._conditions)

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("connected" if self._ready else "connecting")
        return f"{type(self).__name__}(url={self.url!r}, {state})"

    # -- lifecycle ----------------------------------------------------------------------------

    async def open(self) -> Self:
        """Connect, log in and wait until ready (``async with`` does this)."""
        if self._closing:
            raise RealtimeClosedError("the session is closed")
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._run(), name="kiwoom-realtime")
        await self._wait_ready()
        return self

    async def aclose(self) -> None:
        """Close the connection (code 1000) and end the event stream; idempotent."""
        if self._closing:
            return
        self._closing = True
        conn = self._conn
        if conn is not None:
            conn.end(_Lost("session closed"))
        task = self._supervisor
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if conn is not None:
            await self._close_ws(conn)
        self._queue.close()
        await self._notify()

    async def __aenter__(self) -> Self:
        try:
            return await self.open()
        except BaseException:
            await self.aclose()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> object:
        """The next event; raises the session's error once it failed for good and every event
        received before was consumed; stops after :meth:`aclose`."""
        event = self._queue.get_nowait()  # the common case: no await, no extra coroutine
        if event is not _NOTHING:
            return event
        if self._supervisor is None and not self._closing:
            raise RealtimeClosedError("the session is not open: use 'async with' or open()")
        return await self._queue.get()

    # -- subscriptions ------------------------------------------------------------------------

    async def subscribe(
        self,
        items: Item | Iterable[Item],
        types: str | Iterable[str],
        *,
        group: str = "1",
        refresh: bool = True,
    ) -> None:
        """Register ``types`` (e.g. ``"0B"``) for every item, in group ``group``.

        ``refresh=True`` keeps what the group had; False replaces it. Returns once the server
        accepted every REG message (a subscription over ``max_items_per_request`` items is split
        into several, or refused if ``split_requests`` is off). While the connection is down it
        waits for the reconnect. Limits raise :class:`ArgumentError` before anything is sent.
        """
        item_list, type_list, group = self._check_args(items, types, group)
        cfg = self.config
        current = self._groups.get(group, {}) if refresh else {}
        keys = [_item_key(i) for i in item_list]
        if cfg.max_groups is not None and group not in self._groups:
            if len(self._groups) >= cfg.max_groups:
                raise ArgumentError(
                    "group",
                    f"{len(self._groups)} groups are in use and max_groups={cfg.max_groups}; "
                    "add items to an existing group, or raise max_groups",
                )
        if cfg.max_items_per_group is not None:
            total = len(set(current) | set(keys))
            if total > cfg.max_items_per_group:
                raise ArgumentError(
                    "items",
                    f"group {group!r} would hold {total} items and "
                    f"max_items_per_group={cfg.max_items_per_group}; use another group",
                )
        chunks = self._chunks(item_list, "items")
        for index, chunk in enumerate(chunks):
            keep = refresh or index > 0  # only the first message of a replacement replaces
            frame = {
                "trnm": "REG",
                "grp_no": group,
                "refresh": "1" if keep else "0",
                "data": [{"item": list(chunk), "type": list(type_list)}],
            }
            await self._send_request(frame)
            by_item = self._groups.setdefault(group, {}) if keep else {}
            if not keep:
                self._groups[group] = by_item
            for item in chunk:
                key = _item_key(item)
                self._items[key] = item
                by_item.setdefault(key, set()).update(type_list)
        self._forget_unused_items()

    async def unsubscribe(
        self, items: Item | Iterable[Item], types: str | Iterable[str], *, group: str = "1"
    ) -> None:
        """Send REMOVE for every item × type in ``group``; forget them once accepted."""
        item_list, type_list, group = self._check_args(items, types, group)
        for chunk in self._chunks(item_list, "items"):
            frame = {
                "trnm": "REMOVE",
                "grp_no": group,
                "data": [{"item": list(chunk), "type": list(type_list)}],
            }
            await self._send_request(frame)
            by_item = self._groups.get(group, {})
            for item in chunk:
                key = _item_key(item)
                registered = by_item.get(key)
                if registered is not None:
                    registered.difference_update(type_list)
                    if not registered:
                        del by_item[key]
            if group in self._groups and not by_item:
                del self._groups[group]
        self._forget_unused_items()

    async def subscribe_type(
        self,
        type_code: str,
        items: Item | Iterable[Item] | None = None,
        *,
        market: str = "domestic",
        group: str = "1",
        refresh: bool = True,
    ) -> None:
        """Register one real-time type of ``market`` (the generated ``subscribe_*`` helpers
        call this): a type of the other market is refused before anything is sent (its host
        path differs), and ``items=None`` registers the account-wide item ``""`` (00, 04)."""
        self._check_market(type_code, market)
        await self.subscribe(
            [""] if items is None else items, [type_code], group=group, refresh=refresh
        )

    async def unsubscribe_type(
        self,
        type_code: str,
        items: Item | Iterable[Item] | None = None,
        *,
        market: str = "domestic",
        group: str = "1",
    ) -> None:
        """REMOVE one type (the counterpart of :meth:`subscribe_type`)."""
        self._check_market(type_code, market)
        await self.unsubscribe([""] if items is None else items, [type_code], group=group)

    def _check_market(self, type_code: str, market: str) -> None:
        if market != self.market:
            raise ArgumentError(
                "market",
                f"{type_code} is a {market} real-time type and this session is on the "
                f"{self.market} host; open a session with market={market!r}",
            )

    async def _send_request(self, frame: dict[str, Any]) -> dict[str, Any]:
        async def op(conn: _Connection) -> dict[str, Any]:
            return await self._request(conn, frame)

        return await self._with_connection(op)

    def _check_args(
        self, items: Item | Iterable[Item], types: str | Iterable[str], group: str
    ) -> tuple[list[Item], list[str], str]:
        if self._closing:
            raise RealtimeClosedError("the session is closed")
        item_list: list[Item] = [items] if isinstance(items, str | Mapping) else list(items)
        if not item_list:
            raise ArgumentError("items", "no items given")
        for item in item_list:
            if not isinstance(item, str | Mapping):
                raise ArgumentError(
                    "items", f"expected codes (str) or maps (US items), got {item!r}"
                )
        type_list = [types] if isinstance(types, str) else list(types)
        if not type_list or not all(isinstance(t, str) and t for t in type_list):
            raise ArgumentError(
                "types", f"expected real-time type codes such as '0B', got {types!r}"
            )
        if not isinstance(group, str) or not group.isdigit() or len(group) > 4:
            raise ArgumentError("group", f"expected 1 to 4 digits such as '1', got {group!r}")
        return item_list, list(dict.fromkeys(type_list)), group

    def _chunks(self, items: Sequence[Item], argument: str) -> list[Sequence[Item]]:
        limit = self.config.max_items_per_request
        if limit is None or len(items) <= limit:
            return [items]
        if not self.config.split_requests:
            raise ArgumentError(
                argument,
                f"{len(items)} items in one registration and max_items_per_request={limit} "
                "(quoted for the live service); pass fewer, or split_requests=True",
            )
        return [items[i : i + limit] for i in range(0, len(items), limit)]

    def _forget_unused_items(self) -> None:
        used = {key for by_item in self._groups.values() for key in by_item}
        for key in [k for k in self._items if k not in used]:
            del self._items[key]

    # -- condition search ---------------------------------------------------------------------

    async def list_conditions(self) -> list[Condition]:
        """The saved conditions (CNSRLST): ``[Condition(seq, name), ...]``."""

        async def op(conn: _Connection) -> dict[str, Any]:
            answer = await self._request(conn, {"trnm": self._trnm_list})
            conn.listed = True
            return answer

        answer = await self._with_connection(op)
        out: list[Condition] = []
        for entry in answer.get("data") or ():
            if isinstance(entry, Sequence) and not isinstance(entry, str) and len(entry) >= 2:
                out.append(Condition(str(entry[0]).strip(), str(entry[1])))
            elif isinstance(entry, Mapping):
                out.append(Condition(str(entry.get("seq", "")).strip(), str(entry.get("name", ""))))
        return out

    async def search(
        self, seq: str, *, exchange: str = "K", max_pages: int | None = None
    ) -> ConditionSearchResult:
        """Run condition ``seq`` once (CNSRREQ ``search_type`` 0) and return every hit, following
        ``cont_yn`` / ``next_key`` over all pages (at most ``max_pages``)."""
        seq = self._check_seq(seq)
        if max_pages is not None and (not isinstance(max_pages, int) or max_pages < 1):
            raise ArgumentError("max_pages", f"must be an int >= 1 or None, got {max_pages!r}")

        async def op(conn: _Connection) -> ConditionSearchResult:
            await self._ensure_listed(conn)
            rows: list[Mapping[str, str]] = []
            cont, key, pages, seen = "N", "", 0, set()
            while True:
                frame: dict[str, Any] = {"trnm": self._trnm_req, "seq": seq, "search_type": "0"}
                if self.market == "domestic":
                    frame["stex_tp"] = exchange
                frame["cont_yn"], frame["next_key"] = cont, key
                answer = await self._request(conn, frame)
                pages += 1
                rows.extend(r for r in answer.get("data") or () if isinstance(r, Mapping))
                if str(answer.get("cont_yn") or "N").upper() != "Y":
                    break
                key = str(answer.get("next_key") or "")
                if not key or key in seen:
                    raise PagingError(
                        api_id=self._trnm_req,
                        message=f"cont_yn Y with {'a repeated' if key else 'no'} next_key",
                    )
                seen.add(key)
                if max_pages is not None and pages >= max_pages:
                    break
                cont = "Y"
            return ConditionSearchResult(seq, tuple(rows), pages)

        return await self._with_connection(op)

    async def start_condition(self, seq: str, *, exchange: str = "K") -> tuple[str, ...]:
        """Start condition ``seq`` in real time (CNSRREQ ``search_type`` 1).

        Returns the current hits (codes as sent, e.g. ``A005930``); insertions and removals
        then arrive in the event stream as :class:`ConditionChange`. After a reconnect the
        search is restarted and a :class:`ConditionSnapshot` gives the hits again.
        """
        seq = self._check_seq(seq)
        limit = self.config.max_condition_streams
        if limit is not None and seq not in self._conditions and len(self._conditions) >= limit:
            raise ArgumentError(
                "seq",
                f"{len(self._conditions)} real-time condition searches run and "
                f"max_condition_streams={limit} (quoted for the live service: 10 per login); "
                "stop one first",
            )
        codes = await self._with_connection(lambda conn: self._start_condition(conn, seq, exchange))
        self._conditions[seq] = None
        return codes

    async def stop_condition(self, seq: str) -> None:
        """Stop real-time condition ``seq`` (CNSRCLR)."""
        seq = self._check_seq(seq)
        await self._with_connection(
            lambda conn: self._request(conn, {"trnm": self._trnm_clr, "seq": seq})
        )
        self._conditions.pop(seq, None)

    def _check_seq(self, seq: str) -> str:
        if self._closing:
            raise RealtimeClosedError("the session is closed")
        if isinstance(seq, int) and not isinstance(seq, bool):
            seq = str(seq)
        if not isinstance(seq, str) or not seq.strip().isdigit():
            raise ArgumentError("seq", f"expected a condition seq such as '0', got {seq!r}")
        return seq.strip()

    async def _ensure_listed(self, conn: _Connection) -> None:
        # The server runs CNSRREQ only after CNSRLST on the same connection.
        if not conn.listed:
            await self._request(conn, {"trnm": self._trnm_list})
            conn.listed = True

    async def _start_condition(self, conn: _Connection, seq: str, exchange: str) -> tuple[str, ...]:
        await self._ensure_listed(conn)
        frame: dict[str, Any] = {"trnm": self._trnm_req, "seq": seq, "search_type": "1"}
        if self.market == "domestic":
            frame["stex_tp"] = exchange
        try:
            answer = await self._request(conn, frame)
        except APIError as exc:
            if str(exc.return_code) != ALREADY_REGISTERED:
                raise
            # The server still runs it (a reconnect left it alive): clear, then start again.
            logger.info("real-time condition %s was still registered; clearing it first", seq)
            await self._request(conn, {"trnm": self._trnm_clr, "seq": seq})
            answer = await self._request(conn, frame)
        return tuple(
            str(r.get("jmcode") or r.get("9001") or "")
            for r in answer.get("data") or ()
            if isinstance(r, Mapping)
        )

    # -- requests -----------------------------------------------------------------------------

    async def _with_connection(self, op: Callable[[_Connection], Awaitable[T]]) -> T:
        """Run ``op`` on a ready connection, one request at a time; after a lost connection,
        wait for the reconnect and run it again (every request here can be repeated)."""
        while True:
            conn = await self._wait_ready()
            async with self._request_lock:
                if conn is not self._conn or not self._ready:
                    continue
                try:
                    return await op(conn)
                except _Lost:
                    if self._closing:
                        raise RealtimeClosedError("the session is closed") from None
                    continue

    async def _request(self, conn: _Connection, frame: dict[str, Any]) -> dict[str, Any]:
        """Send one control frame and wait for its answer (matched by ``trnm``; one request at a
        time, so answers cannot be confused). A refusal raises the classified error."""
        trnm = frame["trnm"]
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        waiters = conn.pending.setdefault(trnm, deque())
        waiters.append(fut)
        text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
        logger.debug("real-time: send %s", text if len(text) < 500 else text[:500] + "…")
        try:
            await conn.ws.send(text)
        except ConnectionClosed as exc:
            lost = _Lost(f"connection closed while sending {trnm}: {exc}")
            conn.end(lost)
            raise lost from None
        timeout = self.config.request_timeout
        try:
            answer = await asyncio.wait_for(asyncio.shield(fut), timeout)
        except TimeoutError:
            with contextlib.suppress(ValueError):
                waiters.remove(fut)
            # A late answer would be taken for the next request's: start a clean connection.
            conn.end(_Lost(f"no answer to {trnm} within {timeout} s"))
            with contextlib.suppress(Exception):
                await conn.ws.close(1000, "request timeout")
            raise APITimeoutError(
                api_id=trnm,
                sent=True,
                url=self.url,
                detail=f"no answer to {trnm} within {timeout} s; the connection is reopened",
                timeout=f"{timeout} s",
            ) from None
        if not _is_ok(answer.get("return_code")):
            raise self._refusal(answer, trnm)
        return answer

    def _refusal(self, answer: Mapping[str, Any], trnm: str) -> APIError:
        return self.error_codes.make(
            api_id=str(answer.get("trnm") or trnm),
            return_code=answer.get("return_code"),
            return_msg=str(answer.get("return_msg") or ""),
            data=dict(answer),
        )

    # -- waiting for state --------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._state:
            self._state.notify_all()

    async def _wait_ready(self) -> _Connection:
        if self._supervisor is None and not self._closing:
            raise RealtimeClosedError("the session is not open: use 'async with' or open()")
        async with self._state:
            await self._state.wait_for(
                lambda: self._ready or self._failure is not None or self._closing
            )
        if self._failure is not None:
            raise self._failure
        if self._closing or self._conn is None:
            raise RealtimeClosedError("the session is closed")
        return self._conn

    # -- the supervisor: connect, serve, reconnect --------------------------------------------

    async def _run(self) -> None:
        cfg = self.config
        # flaps: consecutive failed or short-lived connections, which drive the back-off (a
        # server that accepts and closes at once must not be hammered every 0.5 s); tries:
        # connection attempts in the current outage (the limit, and the Gap's count).
        flaps = tries = 0
        outage: tuple[_dt.datetime, float, str] | None = None  # started (wall, mono), reason
        first, opened_at = True, time.monotonic()
        pending_lost: _Lost | None = None
        try:
            while not self._closing:
                if pending_lost is not None:
                    delay = self._delay_for(pending_lost, flaps)
                    if delay > 0:
                        self.stats.last_delay, self.stats.last_delay_reason = (
                            delay,
                            pending_lost.reason,
                        )
                        logger.info(
                            "real-time: %s; reconnecting in %.2f s", pending_lost.reason, delay
                        )
                        await asyncio.sleep(delay)
                    pending_lost = None
                try:
                    conn = await self._connect()
                except _Lost as lost:
                    if lost.kind == "fatal":
                        raise
                    if lost.kind != "token":  # renewal is bounded by _renewed, not attempts
                        flaps += 1
                        tries += 1
                    limit = cfg.connect_attempts if first else cfg.max_reconnect_attempts
                    if not first and not cfg.reconnect:
                        limit = 1
                    if outage is None and not first:  # opening is not a gap in the data
                        outage = (_dt.datetime.now(_dt.UTC), time.monotonic(), lost.reason)
                    if limit is not None and tries >= limit:
                        since = outage[1] if outage is not None else opened_at
                        raise self._gave_up(lost, tries, since) from None
                    pending_lost = lost
                    continue
                if outage is not None:
                    self._emit_gap(outage, tries + 1)
                    outage = None
                    for snapshot in conn.snapshots:  # after the Gap that explains them
                        self._queue.put_control(snapshot)
                first, tries = False, 0
                ended = await conn.lost
                self._ready = False
                await self._close_ws(conn)
                if self._closing:
                    return
                if ended.kind == "fatal":
                    raise ended
                if not cfg.reconnect:
                    raise self._gave_up(ended, 1, time.monotonic())
                outage = (_dt.datetime.now(_dt.UTC), time.monotonic(), ended.reason)
                stable = time.monotonic() - conn.opened >= cfg.stable_after
                flaps = 0 if stable else flaps + 1
                pending_lost = ended
        except asyncio.CancelledError:
            raise
        except _Lost as fatal:
            cause = fatal.__cause__
            self._fail(cause if cause is not None else RealtimeClosedError(fatal.reason))
        except BaseException as exc:  # a typed error ends the session
            self._fail(exc)
        finally:
            self._ready = False
            if self._failure is not None:
                await self._notify()

    def _delay_for(self, lost: _Lost, flaps: int) -> float:
        cfg = self.config
        since_previous = time.monotonic() - self._last_renewal_before
        if lost.kind == "token" and since_previous >= cfg.stable_after:
            return 0.0  # a new token is in hand: log in again at once
        if lost.kind == "maintenance":
            base, cap = cfg.maintenance_delay, max(cfg.backoff_max, cfg.maintenance_delay)
        else:
            base, cap = cfg.backoff_initial, cfg.backoff_max
        delay = min(base * cfg.backoff_multiplier ** max(flaps - 1, 0), cap)
        return delay * (1.0 - cfg.jitter * self._random.random())

    def _gave_up(self, lost: _Lost, attempts: int, since: float) -> KiwoomError:
        if isinstance(lost.__cause__, KiwoomError):
            return lost.__cause__
        err = APIConnectionError(api_id="websocket", sent=False, detail=lost.reason, url=self.url)
        err._gave_up(attempts, time.monotonic() - since)
        return err

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
            logger.error("real-time session failed: %s", exc)
        self._queue.close(exc)
        conn = self._conn
        if conn is not None:
            conn.end(_Lost(str(exc), kind="fatal"))

    def _emit_gap(self, outage: tuple[_dt.datetime, float, str], attempts: int) -> None:
        started, mono, reason = outage
        gap = Gap(
            started_at=started,
            ended_at=_dt.datetime.now(_dt.UTC),
            duration=time.monotonic() - mono,
            reason=reason,
            subscriptions=self.subscriptions(),
            conditions=self.conditions,
            attempts=attempts,
        )
        self.stats.gaps += 1
        logger.warning(
            "real-time: resumed after a gap of %.2f s (%s); %d subscription(s) and %d "
            "condition search(es) registered again",
            gap.duration,
            reason,
            len(gap.subscriptions),
            len(gap.conditions),
        )
        self._queue.put_control(gap)

    async def _close_ws(self, conn: _Connection) -> None:
        reader = conn.reader
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(1000), 2.0)
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _connect(self) -> _Connection:
        """One attempt: open, LOGIN, register everything again. Raises ``_Lost``."""
        cfg = self.config
        try:
            token = await self._tokens.get()
        except (APIConnectionError, APITimeoutError) as exc:
            raise _Lost(f"cannot get a token: {exc}") from exc
        except KiwoomError as exc:
            raise _Lost(f"cannot get a token: {exc}", kind="fatal") from exc
        kwargs: dict[str, Any] = {
            "open_timeout": cfg.open_timeout,
            "ping_interval": cfg.keepalive,
            "ping_timeout": cfg.keepalive,
            "close_timeout": 2.0,
            "max_size": 16 * 2**20,  # a condition search answer can be large
            "logger": _WS_LOGGER,
        }
        if _CONNECT_ACCEPTS_PROXY and _is_loopback(self.url):
            kwargs["proxy"] = None  # a local sandbox is never behind the user's proxy
        try:
            ws = await connect(self.url, **kwargs)
        except InvalidURI as exc:
            raise _Lost(f"invalid URL: {exc}", kind="fatal") from ArgumentError("url", str(exc))
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as exc:
            raise _Lost(f"cannot connect to {self.url}: {type(exc).__name__}: {exc}") from None
        self.stats.connections += 1
        conn = _Connection(ws, self.stats.connections)
        conn.token = token
        self._conn = conn
        try:
            # LOGIN first, before the reader even starts: nothing may be sent before it.
            await ws.send(json.dumps({"trnm": "LOGIN", "token": token}))
            logger.debug("real-time: connection %d open, LOGIN sent", conn.number)
            conn.reader = asyncio.create_task(self._read(conn), name="kiwoom-realtime-reader")
            await self._login(conn, token)
            await self._resubscribe(conn)
        except _Lost:
            await self._close_ws(conn)
            raise
        except ConnectionClosed as exc:
            await self._close_ws(conn)
            raise _Lost(f"connection closed during LOGIN: {exc}") from None
        except (APITimeoutError, APIConnectionError) as exc:
            await self._close_ws(conn)
            raise _Lost(str(exc)) from None
        except KiwoomError as exc:
            await self._close_ws(conn)
            raise _Lost(str(exc), kind="fatal") from exc
        self._ready = True
        await self._notify()
        return conn

    async def _login(self, conn: _Connection, token: str) -> None:
        timeout = self.config.login_timeout
        try:
            answer = await asyncio.wait_for(asyncio.shield(conn.login), timeout)
        except TimeoutError:
            raise _Lost(f"no LOGIN answer within {timeout} s") from None
        if _is_ok(answer.get("return_code")):
            self.stats.logins += 1
            self._renewed = False
            logger.info("real-time: logged in (connection %d)", conn.number)
            return
        error = self._refusal(answer, "LOGIN")
        if isinstance(error, TokenError) and not isinstance(error, TokenEnvironmentError):
            raise self._token_refused(token, str(error), error)
        raise _Lost(str(error), kind="fatal") from error

    def _token_refused(self, token: str, reason: str, error: KiwoomError | None = None) -> _Lost:
        """The server refused ``token``: renew it once; refused again right after -> fail."""
        if self._renewed or not self._tokens.can_renew:
            err = error or TokenError(
                api_id="LOGIN", return_code=None, return_msg="[8005:Token이 유효하지 않습니다]"
            )
            if isinstance(err, APIError):
                err._add_hint(
                    "a token obtained just now was refused too"
                    if self._renewed
                    else "the token cannot be renewed (a fixed token was given)"
                )
            lost = _Lost(reason, kind="fatal")
            lost.__cause__ = err
            return lost
        self._tokens.invalidate(token)
        # Renewals in quick succession (another issuer knocking our tokens out) back off.
        self._last_renewal_before, self._last_renewal = self._last_renewal, time.monotonic()
        self._renewed = True
        self.stats.token_renewals += 1
        logger.info("real-time: the token was refused (%s); logging in with a new one", reason)
        return _Lost(reason, kind="token")

    async def _resubscribe(self, conn: _Connection) -> None:
        for group, by_item in list(self._groups.items()):
            by_types: dict[frozenset[str], list[Item]] = {}
            for key, registered in by_item.items():
                by_types.setdefault(frozenset(registered), []).append(self._items[key])
            for types, items in by_types.items():
                for chunk in self._chunks(items, "items"):
                    frame = {
                        "trnm": "REG",
                        "grp_no": group,
                        "refresh": "1",
                        "data": [{"item": list(chunk), "type": sorted(types)}],
                    }
                    await self._resend(conn, frame, f"group {group}")
        for seq in list(self._conditions):
            try:
                codes = await self._start_condition(conn, seq, "K")
            except (AuthenticationError, TokenError):
                raise
            except APIError as exc:
                logger.warning("real-time: condition %s could not be restarted: %s", seq, exc)
                continue
            conn.snapshots.append(ConditionSnapshot(seq, codes))

    async def _resend(self, conn: _Connection, frame: dict[str, Any], what: str) -> None:
        try:
            await self._request(conn, frame)
        except (AuthenticationError, TokenError):
            raise
        except APIError as exc:  # keep it: the next reconnect tries again
            logger.warning("real-time: registering %s again was refused: %s", what, exc)

    # -- the reader ---------------------------------------------------------------------------

    async def _read(self, conn: _Connection) -> None:
        ws = conn.ws
        block = self._queue.block
        try:
            async for raw in ws:
                self.stats.frames += 1
                try:
                    frame = json.loads(raw)
                except ValueError:
                    logger.warning("real-time: a frame that is not JSON was ignored: %.200r", raw)
                    continue
                if not isinstance(frame, dict):
                    continue
                trnm = frame.get("trnm")
                if trnm == "REAL":
                    if block:
                        await self._on_real_blocking(frame)
                    else:
                        self._on_real(frame)
                elif trnm == "PING":
                    # Echo exactly what came, at once: the server drops clients that do not.
                    await ws.send(raw)
                    self.stats.pings += 1
                elif trnm == "SYSTEM":
                    lost = self._on_system(conn, frame)
                    if lost is not None:
                        conn.end(lost)
                        return
                elif trnm == "LOGIN":
                    if not conn.login.done():
                        conn.login.set_result(frame)
                else:
                    self._on_answer(conn, str(trnm), frame)
        except ConnectionClosed as exc:
            conn.end(_Lost(self._closed_reason(exc)))
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not leave the session hanging
            logger.exception("real-time: reader failed")
            conn.end(_Lost(f"reader failed: {type(exc).__name__}: {exc}"))
            return
        conn.end(_Lost(self._closed_reason(None, ws)))

    @staticmethod
    def _closed_reason(exc: ConnectionClosed | None, ws: ClientConnection | None = None) -> str:
        rcvd = exc.rcvd if exc is not None else (ws.close_code if ws is not None else None)
        if rcvd is None:
            return "connection lost (no close frame)"
        code = rcvd if isinstance(rcvd, int) else rcvd.code
        reason = "" if isinstance(rcvd, int) else rcvd.reason
        return f"the server closed the connection (code {code}{': ' + reason if reason else ''})"

    def _on_real(self, frame: dict[str, Any]) -> None:
        """Decode a REAL frame into the queue (``drop_oldest``: never waits; this is the hot
        path, so it stays a plain function)."""
        queue = self._queue
        get_decoder = self.decoders.get
        for record in frame.get("data") or ():
            decoder = get_decoder(record.get("type"))
            if decoder is None:
                queue.put_nowait(decode_generic(record))
            else:
                queue.put_nowait(self._decode(decoder, record))
        self.stats.events += len(frame.get("data") or ())
        self.stats.dropped = queue.dropped
        self.stats.queue_high_water = queue.high_water

    async def _on_real_blocking(self, frame: dict[str, Any]) -> None:
        """The same under ``overflow="block"``: waits for room in the queue."""
        queue = self._queue
        for record in frame.get("data") or ():
            decoder = self.decoders.get(record.get("type"))
            await queue.put(
                decode_generic(record) if decoder is None else self._decode(decoder, record)
            )
            self.stats.events += 1
        self.stats.queue_high_water = queue.high_water

    def _decode(self, decoder: Decoder, record: dict[str, Any]) -> object:
        try:
            return decoder(record)
        except Exception as exc:  # a decoder bug must not lose the record
            type_code = str(record.get("type"))
            self.stats.decode_errors += 1
            if type_code not in self._decode_warned:
                self._decode_warned.add(type_code)
                logger.warning(
                    "real-time: the decoder for type %s failed (%s: %s); yielding "
                    "RealtimeData instead (warned once per type)",
                    type_code,
                    type(exc).__name__,
                    exc,
                )
            return decode_generic(record)

    def _on_answer(self, conn: _Connection, trnm: str, frame: dict[str, Any]) -> None:
        waiters = conn.pending.get(trnm)
        logger.debug("real-time: answer %s return_code=%r", trnm, frame.get("return_code"))
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(frame)
                return
        self._queue.put_control(UnknownMessage(trnm, frame))

    def _on_system(self, conn: _Connection, frame: dict[str, Any]) -> _Lost | None:
        """Act on a SYSTEM frame; a returned ``_Lost`` ends this connection."""
        self.stats.system_frames += 1
        code = str(frame.get("code") or "")
        message = str(frame.get("message") or frame.get("return_msg") or "")
        logger.info("real-time: SYSTEM %s %s", code, message)
        if code == "R10001":
            return _Lost(f"server maintenance (R10001: {message})", kind="maintenance")
        if code in ("R10002", "R10003"):
            error = system_error(frame)
            lost = _Lost(str(error), kind="fatal")
            lost.__cause__ = error
            return lost
        if code == "R10004":
            return _Lost(f"the server did not receive LOGIN (R10004: {message})")
        if code == "R10005":
            return self._token_refused(conn.token, f"token expired (R10005: {message})")
        if code == "R10006":
            return _Lost(f"server error (R10006: {message})")
        self._queue.put_control(SystemNotice(code, message, frame))
        return None
