"""The WebSocket side of the sandbox: Kiwoom's real-time protocol on 127.0.0.1.

It behaves like the live host as other clients' authors describe it (``shared/
kiwoom-live-service.md``): LOGIN must be the first thing a client sends, with a token the
REST side issued (``token_validator``), or the client gets SYSTEM R10004 and is closed after
``login_timeout``; the server sends ``{"trnm":"PING"}`` every ``ping_interval`` (one right away,
before the LOGIN answer, if ``ping_on_connect``) and drops a client that does not echo it;
REG / REMOVE are answered (optionally after a REAL frame for each new registration, which the
live host has been seen to do); every registered (type, item) gets synthetic REAL frames at
``rate`` per second, values made by kind from the field table
(:mod:`kiwoom_sandbox.realtime_fields`); condition search lists canned conditions, answers
one-off searches in pages, runs real-time searches (type 02 insertions / removals) and stops
them. Faults are injected by method: :meth:`RealtimeSandbox.disconnect`, :meth:`close_all`,
:meth:`expire_tokens` (R10005), :meth:`maintenance` (R10001), :meth:`system`, :meth:`burst`.

It runs an asyncio loop on its own thread (``start()`` / ``stop()``, or ``with``), so tests
and the CLI can use it from blocking code. It depends on the ``websockets`` package (the
``realtime`` extra) and on nothing else of the sandbox, so the REST sandbox keeps working
without it; give it the REST sandbox's token check to make the two agree::

    rest = Sandbox().start()
    ws = RealtimeSandbox(token_validator=rest.app.tokens.valid).start()
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import attrs
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from kiwoom_sandbox.realtime_fields import DEFAULT_FIELD_TABLE, FieldTable, ValueSource

__all__ = [
    "DOMESTIC_PATH",
    "US_PATH",
    "RealtimeSandbox",
    "RealtimeSandboxConfig",
    "RealtimeSandboxStats",
]

DOMESTIC_PATH = "/api/dostk/websocket"
US_PATH = "/api/us/websocket"
_JOIN_TIMEOUT = 5.0
_PING = '{"trnm":"PING"}'
MSG_8005 = "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"

# websockets logs every frame at DEBUG (LOGIN frames carry tokens): keep it quiet.
_WS_LOGGER = logging.getLogger("kiwoom_sandbox.realtime.websockets")
_WS_LOGGER.setLevel(logging.INFO)

DEFAULT_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("0", "골든크로스"),
    ("1", "거래량급증"),
    ("2", "신고가"),
    ("3", "빈조건"),
)
DEFAULT_CONDITION_HITS: Mapping[str, int] = {"0": 25, "1": 3, "2": 12, "3": 0}


def _hit_codes(seq: str, count: int, seed: int) -> list[str]:
    codes = ["005930", "000660", "035420", "035720", "051910", "005380", "068270", "207940"]
    offset = (int(seq) * 3 + seed) % len(codes)
    out = [codes[(offset + i) % len(codes)] for i in range(min(count, len(codes)))]
    out += [f"{100000 + 37 * i + int(seq):06d}" for i in range(count - len(out))]
    return out


@attrs.frozen(kw_only=True)
class RealtimeSandboxConfig:
    """Every knob of the WebSocket sandbox; the defaults behave like a healthy live host."""

    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port (see ``RealtimeSandbox.url``)."""
    login_timeout: float = 10.0
    """Without a LOGIN this long after connecting: SYSTEM R10004, then close."""
    ping_interval: float | None = 5.0
    """Seconds between server PINGs; None: no PINGs."""
    ping_timeout: float | None = None
    """A client that has not echoed a PING this long after it was sent is dropped (default:
    ``ping_interval``)."""
    ping_on_connect: bool = True
    """Send one PING right after the connection opens (before the LOGIN answer)."""
    rate: float = 1.0
    """REAL frames per second for each registered (type, item); 0: none (use ``burst``)."""
    seed: int = 0
    field_table: FieldTable = attrs.field(factory=lambda: dict(DEFAULT_FIELD_TABLE))
    source_factory: Callable[[int, str, str, Sequence[tuple[str, str]]], Any] | None = None
    """Makes the values of a new (item, type) stream: ``(seed, item, type, fields)`` -> an
    object with ``next_values()``; None: :class:`~kiwoom_sandbox.realtime_fields.ValueSource`.
    :func:`kiwoom_sandbox.realtime_specs.realtime_sandbox` puts the REST price path here."""
    real_before_answer: bool = False
    """Send one REAL frame for each new registration before the REG answer."""
    max_items_per_reg: int | None = 100
    """A REG with more items is refused (return_code 1)."""
    conditions: tuple[tuple[str, str], ...] = DEFAULT_CONDITIONS
    condition_hits: Mapping[str, int] = attrs.field(factory=lambda: dict(DEFAULT_CONDITION_HITS))
    condition_page_size: int = 10
    """Rows per answer of a one-off condition search (cont_yn / next_key beyond)."""
    condition_interval: float = 0.0
    """Seconds between synthetic insertions / removals of each real-time condition; 0: only
    :meth:`RealtimeSandbox.condition_change`."""
    max_condition_streams: int | None = 10
    require_list_before_search: bool = True
    """CNSRREQ before CNSRLST on the same connection is refused (the manual says to list
    first)."""
    login_answer_delay: float = 0.0
    """Seconds before the LOGIN answer (the connection keeps working meanwhile: PINGs)."""
    stamp_field: str | None = None
    """If set, every REAL record gets this extra field with ``time.perf_counter_ns()`` taken
    just before the frame is sent (benchmarks measure delivery latency with it; the clock is
    system-wide on Linux, so another process can compare it with its own)."""
    notice_on_login: bool = False
    """Send SYSTEM R00000 (a notice) right after the LOGIN answer, as the live host does."""
    clock: Callable[[], dt.datetime] | None = None
    """Korea time for the times a frame carries (a condition change's 20); None: the wall
    clock. The sandbox passes its paper-trading clock."""

    def __attrs_post_init__(self) -> None:
        if self.login_timeout <= 0:
            raise ValueError("login_timeout must be > 0")
        if self.ping_interval is not None and self.ping_interval <= 0:
            raise ValueError("ping_interval must be > 0 or None")
        if self.rate < 0 or self.condition_interval < 0:
            raise ValueError("rate and condition_interval must be >= 0")
        if self.condition_page_size < 1:
            raise ValueError("condition_page_size must be >= 1")


@attrs.define
class RealtimeSandboxStats:
    """What the sandbox saw and did (read them in tests; updated on the sandbox's thread)."""

    connections: int = 0
    open_connections: int = 0
    logins: int = 0
    login_refusals: int = 0
    first_frames: list[str] = attrs.field(factory=list)
    """The ``trnm`` of the first frame of every connection, in order."""
    pings_sent: int = 0
    pings_echoed: int = 0
    dropped_no_echo: int = 0
    r10004_sent: int = 0
    real_frames: int = 0
    reg_requests: int = 0
    reg_refusals: int = 0
    remove_requests: int = 0
    condition_requests: int = 0
    system_sent: int = 0


class _Client:
    def __init__(self, ws: ServerConnection, number: int, market: str) -> None:
        self.ws = ws
        self.number = number
        self.market = market
        self.opened = time.monotonic()
        self.first: str | None = None
        self.logged_in = False
        self.token = ""
        self.subs: dict[tuple[str, str], None] = {}  # (type, item key) in order
        self.items: dict[str, Any] = {}  # item key -> item as registered
        self.groups: dict[str, set[tuple[str, str]]] = {}
        self.listed = False
        self.conditions: dict[str, list[str]] = {}  # real-time seq -> current hits
        self.ping_sent_at: float | None = None
        self.tasks: list[asyncio.Task[Any]] = []
        self.sources: dict[tuple[str, str], Any] = {}


def _item_key(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item, sort_keys=True)


class RealtimeSandbox:
    """A running WebSocket sandbox: ``with RealtimeSandbox() as ws: ws.url``.

    ``token_validator(token) -> bool`` decides which LOGIN tokens are good (default: any
    non-empty token); tokens expired by :meth:`expire_tokens` are refused whatever it says.
    """

    def __init__(
        self,
        config: RealtimeSandboxConfig | None = None,
        *,
        token_validator: Callable[[str], bool] | None = None,
        **changes: Any,
    ) -> None:
        config = config if config is not None else RealtimeSandboxConfig()
        if changes:
            config = attrs.evolve(config, **changes)
        self._config = config
        self.token_validator = token_validator or bool
        self.stats = RealtimeSandboxStats()
        self.received: deque[tuple[int, str]] = deque(maxlen=10_000)
        """``(connection number, trnm)`` of recent frames received (tokens are not kept)."""
        self._expired: set[str] = set()
        self._maintenance_until = 0.0
        self._clients: dict[int, _Client] = {}
        self._numbers = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Server | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._background: set[asyncio.Task[Any]] = set()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> RealtimeSandbox:
        if self._thread is not None:
            raise RuntimeError("the realtime sandbox is already running")
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._open())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="kiwoom-realtime-sandbox", daemon=True)
        self._thread.start()
        started.wait(_JOIN_TIMEOUT)
        if failure:
            self._thread.join(_JOIN_TIMEOUT)
            self._thread = None
            raise failure[0]
        return self

    async def _open(self) -> None:
        cfg = self._config
        self._server = await serve(
            self._handle,
            cfg.host,
            cfg.port,
            process_request=self._check_path,
            ping_interval=None,  # the live host uses application PINGs (below)
            max_size=2**22,
            logger=_WS_LOGGER,
            compression=None,
        )

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(_JOIN_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_JOIN_TIMEOUT)
        self._loop = self._thread = self._server = None

    async def _shutdown(self) -> None:
        server = self._server
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), _JOIN_TIMEOUT)

    def __enter__(self) -> RealtimeSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- where --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the realtime sandbox is not running")
        return int(next(iter(self._server.sockets)).getsockname()[1])

    @property
    def base_url(self) -> str:
        """``ws://127.0.0.1:<port>`` (no path)."""
        return f"ws://{self._config.host}:{self.port}"

    @property
    def url(self) -> str:
        """The domestic endpoint: ``ws://127.0.0.1:<port>/api/dostk/websocket``."""
        return self.base_url + DOMESTIC_PATH

    @property
    def us_url(self) -> str:
        return self.base_url + US_PATH

    # -- configuration ------------------------------------------------------------------------

    @property
    def config(self) -> RealtimeSandboxConfig:
        return self._config

    def configure(self, **changes: Any) -> RealtimeSandboxConfig:
        """Swap in ``attrs.evolve(config, **changes)``; running streams pick it up."""
        with self._lock:
            self._config = attrs.evolve(self._config, **changes)
            return self._config

    # -- waiting, for tests -------------------------------------------------------------------

    def _touch(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate()`` is true (re-checked on every change); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
        return True

    def registrations(self) -> list[set[tuple[str, str]]]:
        """Per open connection (oldest first): its registrations as (type, item) pairs (a US
        item as its JSON text)."""

        async def run() -> list[set[tuple[str, str]]]:
            return [set(c.subs) for _, c in sorted(self._clients.items())]

        out: list[set[tuple[str, str]]] = self._call(run())
        return out

    def condition_streams(self) -> list[set[str]]:
        """Per open connection (oldest first): the seqs of its real-time condition searches."""

        async def run() -> list[set[str]]:
            return [set(c.conditions) for _, c in sorted(self._clients.items())]

        out: list[set[str]] = self._call(run())
        return out

    # -- faults -------------------------------------------------------------------------------

    def _call(self, coro: Any) -> Any:
        if self._loop is None:
            coro.close()
            raise RuntimeError("the realtime sandbox is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(_JOIN_TIMEOUT)

    def _later(self, coro: Any) -> None:
        """Run ``coro`` on the sandbox's loop without waiting for it.

        Why: a fault method is usually called from a test whose event loop also runs the
        client; waiting for a close handshake or for a burst to drain would wait for a client
        that cannot run until the method returns.
        """
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def disconnect(self) -> int:
        """Drop every connection without a close frame (a network failure); returns how many."""

        async def run() -> int:
            clients = list(self._clients.values())
            for client in clients:
                client.ws.transport.abort()
            return len(clients)

        n: int = self._call(run())
        return n

    def close_all(self, code: int = 1000, reason: str = "") -> int:
        """Close every connection with a close frame (``code``: 1000 as the live host does)."""

        async def run() -> int:
            clients = list(self._clients.values())
            for client in clients:
                self._later(client.ws.close(code, reason))
            return len(clients)

        n: int = self._call(run())
        return n

    def system(self, code: str, message: str = "", *, close: bool = False) -> int:
        """Send ``{"trnm":"SYSTEM","code":code,"message":message}`` to every client (and close
        the connection after it if ``close``); returns how many clients."""

        async def one(client: _Client) -> None:
            await self._send_system(client, code, message)
            if close:
                await client.ws.close(1000, code)

        async def run() -> int:
            clients = list(self._clients.values())
            for client in clients:
                self._later(one(client))
            return len(clients)

        n: int = self._call(run())
        return n

    def expire_tokens(self) -> int:
        """The tokens of every logged-in client expire now: SYSTEM R10005 to each, and a LOGIN
        with one of them is refused (8005) from now on."""
        with self._lock:
            for client in self._clients.values():
                if client.token:
                    self._expired.add(client.token)
        return self.system("R10005", "토큰이 만료되었습니다")

    def maintenance(self, duration: float = 0.0) -> int:
        """SYSTEM R10001 to every client, then close; for ``duration`` seconds new connections
        get R10001 and are closed too."""
        self._maintenance_until = time.monotonic() + duration
        return self.system("R10001", "서버 점검 중입니다", close=True)

    def burst(self, count: int, *, type_code: str | None = None, item: str | None = None) -> int:
        """Send ``count`` REAL frames at once to each client, for each of its registrations
        (or only ``type_code`` / ``item``); returns the number of frames that will be sent
        (``stats.real_frames`` counts them as they go)."""

        async def send(client: _Client, pairs: list[tuple[str, str]]) -> None:
            for _ in range(count):
                for pair in pairs:
                    await self._send_real(client, pair)

        async def run() -> int:
            total = 0
            for client in list(self._clients.values()):
                pairs = [
                    p
                    for p in client.subs
                    if (type_code is None or p[0] == type_code) and (item is None or p[1] == item)
                ]
                total += count * len(pairs)
                self._later(send(client, pairs))
            return total

        n: int = self._call(run())
        return n

    def push(self, frame: Mapping[str, Any], *, market: str | None = None) -> int:
        """Send ``frame`` as it is to every logged-in client (``market`` ``"dom"`` or ``"us"``:
        only those connected on that market's path); returns how many."""
        text = json.dumps(frame, ensure_ascii=False)

        async def one(client: _Client) -> None:
            with contextlib.suppress(ConnectionClosed):
                await client.ws.send(text)

        async def run() -> int:
            clients = [
                c
                for c in self._clients.values()
                if c.logged_in and (market is None or c.market == market)
            ]
            for client in clients:
                self._later(one(client))
            return len(clients)

        n: int = self._call(run())
        return n

    def condition_change(self, seq: str, code: str, *, insert: bool = True) -> int:
        """A stock enters (or leaves) real-time condition ``seq``: a type 02 REAL frame to each
        client that runs it; returns how many get it."""

        async def run() -> int:
            n = 0
            for client in list(self._clients.values()):
                if seq in client.conditions:
                    self._later(self._send_condition_change(client, seq, code, insert))
                    n += 1
            return n

        n: int = self._call(run())
        return n

    # -- the connection handler ---------------------------------------------------------------

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?")[0] not in (DOMESTIC_PATH, US_PATH):
            return connection.respond(404, f"no WebSocket endpoint at {request.path}\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        market = "us" if ws.request is not None and ws.request.path.startswith(US_PATH) else "dom"
        client = _Client(ws, next(self._numbers), market)
        with self._lock:
            self._clients[client.number] = client
            self.stats.connections += 1
            self.stats.open_connections += 1
        self._touch()
        try:
            if time.monotonic() < self._maintenance_until:
                await self._send_system(client, "R10001", "서버 점검 중입니다")
                await ws.close(1000, "R10001")
                return
            client.tasks.append(asyncio.create_task(self._login_watchdog(client)))
            if self._config.ping_interval is not None:
                client.tasks.append(asyncio.create_task(self._pinger(client)))
            client.tasks.append(asyncio.create_task(self._streamer(client)))
            client.tasks.append(asyncio.create_task(self._condition_ticker(client)))
            async for raw in ws:
                await self._on_frame(client, raw)
        except ConnectionClosed:
            pass
        finally:
            for task in client.tasks:
                task.cancel()
            with self._lock:
                self._clients.pop(client.number, None)
                self.stats.open_connections -= 1
            self._touch()

    async def _on_frame(self, client: _Client, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        trnm = str(frame.get("trnm") or "")
        with self._lock:
            if client.first is None:
                client.first = trnm
                self.stats.first_frames.append(trnm)
            self.received.append((client.number, trnm))
        try:
            if trnm == "PING":
                if raw == _PING:  # exactly as sent
                    client.ping_sent_at = None
                    self.stats.pings_echoed += 1
            elif trnm == "LOGIN":
                await self._on_login(client, frame)
            elif not client.logged_in:
                pass  # the live host ignores requests before LOGIN (and sends R10004 later)
            elif trnm in ("REG", "REMOVE"):
                await self._on_reg(client, trnm, frame)
            elif trnm.lstrip("G") in ("CNSRLST", "CNSRREQ", "CNSRCLR"):
                await self._on_condition(client, trnm, frame)
        finally:
            self._touch()

    async def _send(self, client: _Client, frame: Mapping[str, Any]) -> None:
        await client.ws.send(json.dumps(frame, ensure_ascii=False))

    async def _send_system(self, client: _Client, code: str, message: str) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._send(client, {"trnm": "SYSTEM", "code": code, "message": message})
        self.stats.system_sent += 1
        self._touch()

    async def _on_login(self, client: _Client, frame: Mapping[str, Any]) -> None:
        token = frame.get("token")
        good = (
            isinstance(token, str)
            and bool(token)
            and token not in self._expired
            and self.token_validator(token)
        )
        if not good:
            self.stats.login_refusals += 1
            await self._send(client, {"trnm": "LOGIN", "return_code": 1, "return_msg": MSG_8005})
            return
        assert isinstance(token, str)
        client.token = token
        delay = self._config.login_answer_delay
        if delay > 0:  # answer later, without holding up the frames that follow
            client.tasks.append(asyncio.create_task(self._answer_login(client, delay)))
        else:
            await self._answer_login(client, 0.0)

    async def _answer_login(self, client: _Client, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        client.logged_in = True
        self.stats.logins += 1
        with contextlib.suppress(ConnectionClosed):
            await self._send(client, {"trnm": "LOGIN", "return_code": 0, "return_msg": ""})
        self._touch()
        if self._config.notice_on_login:
            await self._send_system(client, "R00000", "정상 접속되었습니다")

    async def _login_watchdog(self, client: _Client) -> None:
        await asyncio.sleep(self._config.login_timeout)
        if not client.logged_in:
            self.stats.r10004_sent += 1
            await self._send_system(client, "R10004", "LOGIN 요청이 없습니다")
            await client.ws.close(1000, "R10004")

    async def _pinger(self, client: _Client) -> None:
        cfg = self._config
        if cfg.ping_on_connect:
            await self._ping(client)
        while True:
            interval = self._config.ping_interval or 1.0
            await asyncio.sleep(interval)
            timeout = self._config.ping_timeout or interval
            sent = client.ping_sent_at
            if sent is not None and time.monotonic() - sent >= timeout * 0.99:
                self.stats.dropped_no_echo += 1
                self._touch()
                await client.ws.close(1000, "PING not echoed")
                return
            if self._config.ping_interval is not None and sent is None:
                await self._ping(client)

    async def _ping(self, client: _Client) -> None:
        client.ping_sent_at = time.monotonic()
        with contextlib.suppress(ConnectionClosed):
            await client.ws.send(_PING)
        self.stats.pings_sent += 1
        self._touch()

    # -- registrations and REAL frames --------------------------------------------------------

    async def _on_reg(self, client: _Client, trnm: str, frame: Mapping[str, Any]) -> None:
        cfg = self._config
        group = str(frame.get("grp_no") or "")
        data = frame.get("data") or []
        pairs: list[tuple[str, str]] = []
        n_items = 0
        for entry in data if isinstance(data, list) else []:
            items = entry.get("item") or [""] if isinstance(entry, dict) else []
            types = entry.get("type") or [] if isinstance(entry, dict) else []
            if isinstance(items, str | dict):
                items = [items]
            if isinstance(types, str):
                types = [types]
            n_items += len(items)
            for item in items:
                key = _item_key(item)
                client.items.setdefault(key, item)
                pairs.extend((str(t), key) for t in types)
        if trnm == "REMOVE":
            self.stats.remove_requests += 1
            for pair in pairs:
                client.subs.pop(pair, None)
                client.groups.get(group, set()).discard(pair)
            await self._send(client, {"trnm": "REMOVE", "return_code": 0, "return_msg": ""})
            return
        self.stats.reg_requests += 1
        if cfg.max_items_per_reg is not None and n_items > cfg.max_items_per_reg:
            self.stats.reg_refusals += 1
            await self._send(
                client,
                {
                    "trnm": "REG",
                    "return_code": 1,
                    "return_msg": f"등록 가능한 종목 수({cfg.max_items_per_reg})를 초과했습니다",
                },
            )
            return
        if str(frame.get("refresh") or "1") == "0":
            for pair in client.groups.pop(group, set()):
                client.subs.pop(pair, None)
        new = [p for p in pairs if p not in client.subs]
        client.groups.setdefault(group, set()).update(pairs)
        for pair in pairs:
            client.subs[pair] = None
        if cfg.real_before_answer:
            for pair in new:
                await self._send_real(client, pair)
        await self._send(client, {"trnm": "REG", "return_code": 0, "return_msg": ""})

    def _record(self, client: _Client, pair: tuple[str, str]) -> dict[str, Any] | None:
        type_code, key = pair
        spec = self._config.field_table.get(type_code)
        if spec is None:
            return None
        source = client.sources.get(pair)
        item = client.items.get(key, key)
        code = item if isinstance(item, str) else str(item.get("jmcode", ""))
        if source is None:
            factory = self._config.source_factory or ValueSource
            source = factory(self._config.seed, code, type_code, spec[1])
            client.sources[pair] = source
        return {"type": type_code, "name": spec[0], "item": code, "values": source.next_values()}

    async def _send_real(self, client: _Client, pair: tuple[str, str]) -> bool:
        record = self._record(client, pair)
        if record is None:
            return False
        stamp = self._config.stamp_field
        if stamp is not None:
            record["values"][stamp] = str(time.perf_counter_ns())
        try:
            await self._send(client, {"trnm": "REAL", "data": [record]})
        except ConnectionClosed:
            return False
        self.stats.real_frames += 1
        return True

    async def _streamer(self, client: _Client) -> None:
        while True:
            rate = self._config.rate
            if rate <= 0 or not client.subs:
                await asyncio.sleep(0.05)
                continue
            started = time.monotonic()
            for pair in list(client.subs):
                await self._send_real(client, pair)
            self._touch()
            await asyncio.sleep(max(0.0, 1.0 / rate - (time.monotonic() - started)))

    # -- condition search ---------------------------------------------------------------------

    async def _on_condition(self, client: _Client, trnm: str, frame: Mapping[str, Any]) -> None:
        cfg = self._config
        self.stats.condition_requests += 1
        base = trnm.lstrip("G")
        seq = str(frame.get("seq") or "").strip()
        known = {s for s, _ in cfg.conditions}

        async def refuse(code: int, message: str) -> None:
            await self._send(client, {"trnm": trnm, "return_code": code, "return_msg": message})

        if base == "CNSRLST":
            client.listed = True
            data = [[s, n] for s, n in cfg.conditions]
            await self._send(
                client, {"trnm": trnm, "return_code": 0, "return_msg": "", "data": data}
            )
            return
        if base == "CNSRCLR":
            client.conditions.pop(seq, None)
            await self._send(client, {"trnm": trnm, "seq": seq, "return_code": 0, "return_msg": ""})
            return
        if cfg.require_list_before_search and not client.listed:
            await refuse(1, "조건검색 목록조회(CNSRLST)를 먼저 요청하십시오")
            return
        if seq not in known:
            await refuse(1, f"조건검색식이 없습니다.(seq={seq})")
            return
        hits = _hit_codes(seq, cfg.condition_hits.get(seq, 0), cfg.seed)
        prefix = "" if client.market == "us" else "A"
        if str(frame.get("search_type") or "0") == "1":
            if seq in client.conditions:
                await refuse(900003, f"이미 등록된 조건검색 일련번호입니다.(seq={seq})")
                return
            limit = cfg.max_condition_streams
            if limit is not None and len(client.conditions) >= limit:
                await refuse(1, f"실시간 조건검색은 {limit}개까지 가능합니다")
                return
            client.conditions[seq] = list(hits)
            found = [{"jmcode": prefix + c} for c in hits] or None  # live: null when empty
            await self._send(client, {"trnm": trnm, "seq": seq, "return_code": 0, "data": found})
            return
        start = int(frame.get("next_key") or 0) if str(frame.get("cont_yn")) == "Y" else 0
        page = hits[start : start + cfg.condition_page_size]
        more = start + cfg.condition_page_size < len(hits)
        rows = [self._condition_row(prefix + c, c) for c in page]
        await self._send(
            client,
            {
                "trnm": trnm,
                "seq": seq,
                "cont_yn": "Y" if more else "N",
                "next_key": str(start + cfg.condition_page_size) if more else "",
                "return_code": 0,
                "data": rows or None,
            },
        )

    def _condition_row(self, wire_code: str, code: str) -> dict[str, str]:
        source = ValueSource(self._config.seed, code, "CNSR", ())
        price = source.base
        return {
            "9001": wire_code,
            "302": f"종목{code}",
            "10": f"{price:09d}",
            "25": "3",
            "11": "000000000",
            "12": "000000000",
            "13": "000000000",
            "16": f"{price:09d}",
            "17": f"{price:09d}",
            "18": f"{price:09d}",
        }

    async def _send_condition_change(
        self, client: _Client, seq: str, code: str, insert: bool
    ) -> None:
        hits = client.conditions.get(seq)
        if hits is None:
            return
        if insert and code not in hits:
            hits.append(code)
        elif not insert and code in hits:
            hits.remove(code)
        clock = self._config.clock
        now = (
            clock().strftime("%H%M%S")
            if clock is not None
            else time.strftime("%H%M%S", time.gmtime(time.time() + 9 * 3600))
        )
        record = {
            "values": {
                "841": seq,
                "9001": code,
                "843": "I" if insert else "D",
                "20": now,
                "907": "2",
            },
            "type": "S2" if client.market == "us" else "02",
            "name": "조건검색",
            "item": code,
        }
        with contextlib.suppress(ConnectionClosed):
            await self._send(client, {"data": [record], "trnm": "REAL"})
        self.stats.real_frames += 1

    async def _condition_ticker(self, client: _Client) -> None:
        flip = itertools.count()
        while True:
            interval = self._config.condition_interval
            if interval <= 0 or not client.conditions:
                await asyncio.sleep(0.05)
                continue
            await asyncio.sleep(interval)
            for seq in list(client.conditions):
                i = next(flip)
                code = f"{900000 + int(seq) * 10 + (i // 2) % 10:06d}"
                await self._send_condition_change(client, seq, code, insert=i % 2 == 0)
            self._touch()
