"""The HTTP side: a real server on 127.0.0.1 and the ``Sandbox`` handle tests use.

Why ``http.server.ThreadingHTTPServer`` and not an ASGI framework: zero dependencies (the
sandbox ships with the SDK and runs in CI without extras), and byte-level control of the
socket. Fault injection needs to do what frameworks prevent on purpose: promise a body with
Content-Length, send half of it, and reset the connection (SO_LINGER 0, so the peer sees RST);
or send a body shorter than valid JSON. The handler speaks HTTP/1.1 with keep-alive because the
SDK's httpx client pools connections, and a connection broken mid-body must be one the client
believes is reusable.

``Sandbox`` starts the server on a background thread (port 0 picks a free port) and, on stop,
closes open keep-alive connections and joins the threads, so tests never leak sockets.

A client that gives up (a timeout, Ctrl-C) closes its socket while the sandbox is still
answering; the write then fails with ``BrokenPipeError``/``ConnectionResetError``. That is the
client's business, not a sandbox failure, so it is logged at DEBUG on ``kiwoom_sandbox.server``
instead of the traceback ``socketserver`` would print into the user's terminal. Any other
error while answering is a sandbox bug and is logged at ERROR with its traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import attrs

from kiwoom_sandbox.app import App, Reply, RequestRecord
from kiwoom_sandbox.config import Fault, FaultKind, SandboxConfig
from kiwoom_sandbox.orders.clock import SandboxClock
from kiwoom_sandbox.orders.engine import OrderEngine, OrderEvent

_JOIN_TIMEOUT = 5.0
#: ``GET`` here answers ``{"url": "ws://127.0.0.1:PORT"}``: where this sandbox's WebSocket
#: side listens (a real-time session for ``env="sandbox"`` asks; not a Kiwoom path).
REALTIME_DISCOVERY = "/_sandbox/realtime"
_POLL_INTERVAL = 0.05  # how fast stop() is noticed; tests start and stop a server each
# The peer closed or stopped reading: nothing to report but a DEBUG line.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_log = logging.getLogger("kiwoom_sandbox.server")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # Sandbox.stop closes connections and joins handler threads itself
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.handler_threads: list[threading.Thread] = []
        self.guard = threading.Lock()
        self.idle = threading.Condition(self.guard)
        self.answering = 0
        self.realtime_url: Callable[[], str | None] | None = None
        super().__init__(address, _Handler)

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Count a request being answered (``Sandbox.wait_idle`` waits for none)."""
        with self.guard:
            self.answering += 1
        try:
            yield
        finally:
            with self.guard:
                self.answering -= 1
                self.idle.notify_all()

    def discover(self) -> Reply:
        """The answer of :data:`REALTIME_DISCOVERY` (404 without a WebSocket side)."""
        url = self.realtime_url() if self.realtime_url is not None else None
        status, body = (200, {"url": url}) if url else (404, {"error": "no WebSocket side"})
        return Reply(status, [("content-type", "application/json")], json.dumps(body).encode())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Called by socketserver for an exception out of a handler (it would print it)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, _GONE):
            _log.debug("client %s went away: %r", client_address, exc)
            return
        _log.error("error while answering %s", client_address, exc_info=True)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self.guard:
            self.handler_threads = [t for t in self.handler_threads if t.is_alive()]
            self.handler_threads.append(thread)
        thread.start()

    def close_connections(self) -> None:
        with self.guard:
            connections = list(self.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: httpx reuses pooled connections
    server_version = "kiwoom-sandbox"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body are two writes; without TCP_NODELAY, Nagle plus the client's delayed
        # ACK adds ~40 ms to every keep-alive answer, which would distort benchmarks.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.guard:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.guard:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log (``Sandbox.requests``) is the record tests read."""

    def _read_body(self) -> bytes:
        length = self.headers.get("content-length")
        if length is None or not length.strip().isdigit():
            return b""
        return self.rfile.read(int(length))

    def _handle(self) -> None:
        with self.server.busy():
            raw = self._read_body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.command == "GET" and self.path.split("?")[0] == REALTIME_DISCOVERY:
                reply = self.server.discover()
            else:
                reply = self.server.app.handle(self.command, self.path, headers, raw)
            if reply.delay > 0 and self.server.stopping.wait(reply.delay):
                self.close_connection = True
                return
            try:
                self._send(reply)
            except _GONE as exc:
                self.close_connection = True
                _log.debug(
                    "client %s went away before the answer to %s was sent: %r",
                    self.client_address,
                    headers.get("api-id") or self.path,
                    exc,
                )

    do_POST = _handle
    do_GET = _handle
    do_PUT = _handle
    do_DELETE = _handle

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        if reply.reset_after is None:
            self.wfile.write(reply.body)
            return
        self.wfile.write(reply.body[: reply.reset_after])
        self.wfile.flush()
        self._reset()

    def _reset(self) -> None:
        """Abort the connection with RST (SO_LINGER on, timeout 0) instead of a clean FIN."""
        self.close_connection = True
        conn = self.connection
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()


class Sandbox:
    """A running sandbox: ``with Sandbox(config) as sb: httpx.post(sb.base_url + ...)``.

    Every setter is thread-safe and takes effect for the next request, so a test can change
    behaviour (limits, token lifetime, faults) while a client is talking to the server.
    """

    def __init__(self, config: SandboxConfig | None = None, **changes: Any) -> None:
        config = config if config is not None else SandboxConfig()
        if changes:
            config = attrs.evolve(config, **changes)
        self.app = App(config)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._realtime: Any = None  # the WebSocket side, started on first use
        self._orders_off: Callable[[], None] | None = None  # order events -> 00/04, F4/F5
        self._realtime_lock = threading.Lock()

    # --- lifecycle ---
    def start(self) -> Sandbox:
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        config = self.app.config
        self._server = _Server((config.host, config.port), self.app)
        self._server.realtime_url = self._discovered_ws_url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name="kiwoom-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._realtime_lock:
            realtime, self._realtime = self._realtime, None
            orders_off, self._orders_off = self._orders_off, None
        if orders_off is not None:
            orders_off()
        if realtime is not None:
            realtime.stop()
        server = self._server
        if server is None:
            return
        server.shutdown()
        if self._thread is not None:
            self._thread.join(_JOIN_TIMEOUT)
        self._close()

    def _close(self) -> None:
        server = self._server
        if server is None:
            return
        server.stopping.set()
        server.server_close()
        server.close_connections()
        with server.guard:
            threads = list(server.handler_threads)
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)
        self._server = None
        self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- where ---
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash (paths start with ``/``)."""
        return f"http://{self.app.config.host}:{self.port}"

    # --- the WebSocket side ---
    @property
    def realtime(self) -> Any:
        """The WebSocket side (:class:`~kiwoom_sandbox.realtime.RealtimeSandbox`), started on
        first use on the same host: every documented real-time type from ``specs/websocket``,
        values on this sandbox's price path, LOGIN with tokens this sandbox issued. Needs the
        ``realtime`` extra (websockets)."""
        with self._realtime_lock:
            if self._realtime is None:
                if self._server is None:
                    raise RuntimeError("the sandbox is not running")
                from kiwoom_sandbox.realtime_specs import realtime_sandbox

                config = self.app.config
                realtime = realtime_sandbox(
                    config.specs_dir,
                    market=self.app._market(config),
                    day=config.market_date,
                    # with paper trading, 00 / 04 / F4 / F5 are the paper account's events
                    account_wide=not config.paper_trading,
                    # and prices are those of the clock's minute, where orders fill
                    moment=self._clock_moment if self.app.quotes_follow_clock(config) else None,
                    clock=self.app.orders.clock.now if config.paper_trading else None,
                    host=config.host,
                    seed=config.seed,
                    token_validator=self.app.tokens.valid,
                    # a real-time condition search shows a change now and then, as live ones do
                    condition_interval=1.0,
                ).start()
                if config.paper_trading:
                    from kiwoom_sandbox.orders.realtime import connect

                    self._orders_off = connect(self, realtime)
                self._realtime = realtime
            return self._realtime

    def _clock_moment(self, product: str) -> tuple[dt.date, int]:
        moment = self.app.orders.moment(product)
        return moment.day, moment.minute

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:<port>`` of the WebSocket side (a session adds the market's path)."""
        return str(self.realtime.base_url)

    def _discovered_ws_url(self) -> str | None:
        try:
            return self.ws_url
        except ImportError:  # websockets is not installed: no WebSocket side
            return None

    def url_for(self, api_id: str) -> str:
        return self.base_url + self.app.routes.by_api_id[api_id].spec.url

    def wait_idle(self, timeout: float = _JOIN_TIMEOUT) -> bool:
        """Wait until no request is being answered (say, after a client gave up waiting for a
        delayed answer); False if one still is after ``timeout`` seconds."""
        server = self._server
        if server is None:
            return True
        with server.idle:
            return server.idle.wait_for(lambda: server.answering == 0, timeout)

    # --- configuration at runtime ---
    @property
    def config(self) -> SandboxConfig:
        return self.app.config

    def configure(self, **changes: Any) -> SandboxConfig:
        """Swap in ``attrs.evolve(config, **changes)`` atomically; returns the new config."""
        return self.app.configure(**changes)

    def inject(self, api_id: str, kind: FaultKind | str, count: int = 1, **params: Any) -> Fault:
        """Make the next ``count`` calls of ``api_id`` (``"*"``: any) misbehave as ``kind``."""
        fault = Fault(kind=FaultKind(kind), count=count, **params)
        self.app.faults.add(api_id, fault)
        return fault

    def pending_faults(self, api_id: str) -> int:
        return self.app.faults.pending(api_id)

    def clear_faults(self) -> None:
        self.app.faults.clear()

    def reset_rate_limits(self) -> None:
        self.app.limiter.reset()

    def reload_fixtures(self) -> None:
        self.app.reload_fixtures()

    # --- paper trading (kiwoom_sandbox.orders) ---
    @property
    def orders(self) -> OrderEngine:
        """The paper account behind the order and account APIs."""
        return self.app.orders

    @property
    def clock(self) -> SandboxClock:
        """The sandbox's Korea time: ``sb.clock.set(dt.time(9, 30))``, ``advance(minutes=5)``."""
        return self.app.orders.clock

    def on_order_event(self, listener: Callable[[OrderEvent], None]) -> Callable[[], None]:
        """Call ``listener`` with every order event (접수, 체결, 확인); returns an unsubscriber.
        ``kiwoom_sandbox.orders.realtime.connect`` turns them into 00 / 04 (US: F4 / F5) frames."""
        return self.app.orders.subscribe(listener)

    # --- tokens without HTTP, for test setup ---
    def issue_token(self, appkey: str = "sandbox-appkey") -> str:
        config = self.app.config
        return self.app.tokens.issue(
            appkey, config.token_lifetime, invalidate_previous=config.invalidate_previous_token
        ).value

    def expire_tokens(self, token: str | None = None) -> None:
        """Expire ``token`` now, or every token issued so far."""
        self.app.tokens.expire(token)

    # --- the request log ---
    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request received, oldest first."""
        return self.app.requests

    def requests_for(self, api_id: str) -> list[RequestRecord]:
        return [r for r in self.app.requests if r.api_id == api_id]

    def clear_requests(self) -> None:
        self.app.clear_requests()
