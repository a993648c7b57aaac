"""Every knob of a real-time session, with the reason for its default.

The limits are the ones other projects quote for the live service (no official text has been
found): 100 items per registration, 10 real-time condition searches per login. They are checked
before anything is sent and raise :class:`~kiwoom_runtime.errors.ArgumentError` naming the
argument; every one can be changed, and ``None`` turns a check off.
"""

from __future__ import annotations

from typing import Literal

import attrs

from kiwoom_runtime.errors import ArgumentError

__all__ = ["MOCK_WS_URL", "PROD_WS_URL", "RealtimeConfig", "ws_path"]

PROD_WS_URL = "wss://api.kiwoom.com:10000"
MOCK_WS_URL = "wss://mockapi.kiwoom.com:10000"
_PATHS = {"domestic": "/api/dostk/websocket", "us": "/api/us/websocket"}

Market = Literal["domestic", "us"]
Overflow = Literal["drop_oldest", "block"]


def ws_path(market: str) -> str:
    """``/api/dostk/websocket`` (domestic) or ``/api/us/websocket`` (US)."""
    try:
        return _PATHS[market]
    except KeyError:
        raise ArgumentError("market", f"must be 'domestic' or 'us', got {market!r}") from None


def _positive(argument: str, value: float | None, *, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        also = " or None" if allow_none else ""
        raise ArgumentError(argument, f"must be a number > 0{also}, got {value!r}")


def _at_least(argument: str, value: int | None, minimum: int, *, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        also = " or None" if allow_none else ""
        raise ArgumentError(argument, f"must be an int >= {minimum}{also}, got {value!r}")


@attrs.frozen(kw_only=True)
class RealtimeConfig:
    """Limits, queueing, timeouts and reconnection of a session. Pass as ``config=`` or as
    keyword arguments of the session (``AsyncRealtimeSession(client, queue_size=1000)``)."""

    # -- limits, checked before sending -----------------------------------------------------
    max_items_per_request: int | None = 100
    """Items in one REG message (quoted by projects: 100 per registration)."""
    split_requests: bool = True
    """A subscription over ``max_items_per_request`` is sent as several REG messages (False:
    refused with ArgumentError)."""
    max_items_per_group: int | None = None
    """Items registered in one group in all (no limit known)."""
    max_groups: int | None = None
    """Groups (``grp_no``) in use at once (no limit known; ``grp_no`` has 4 characters)."""
    max_condition_streams: int | None = 10
    """Real-time condition searches at once (quoted by projects: 10 per login)."""

    # -- the consumer ------------------------------------------------------------------------
    queue_size: int = 10_000
    """Events buffered between the socket and ``async for``; memory is bounded by this."""
    overflow: Overflow = "drop_oldest"
    """When the queue is full: ``"drop_oldest"`` drops the oldest data event, counts it
    (``stats.dropped``), yields a :class:`~kiwoom_realtime.events.Dropped` event and logs a
    warning on the first drop and every ``warn_every`` drops; ``"block"`` stops reading the
    socket until the consumer catches up (nothing is lost, but a consumer that stalls long
    stops PING echoes too, and the server drops the connection: a :class:`Gap` follows)."""
    warn_every: int = 1000

    # -- timeouts ----------------------------------------------------------------------------
    open_timeout: float | None = 10.0
    """Seconds to open the WebSocket (TCP, TLS, HTTP upgrade)."""
    login_timeout: float | None = 10.0
    """Seconds to wait for the LOGIN answer."""
    request_timeout: float | None = 10.0
    """Seconds to wait for the answer of a REG / REMOVE / CNSR* request."""
    keepalive: float | None = 20.0
    """Interval of WebSocket protocol pings (dead-connection detection); the server's own
    application PINGs are always echoed, whatever this says. None: off."""

    # -- reconnection ------------------------------------------------------------------------
    reconnect: bool = True
    """Reconnect after a lost connection, a server close (even code 1000) or R10006."""
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    backoff_multiplier: float = 2.0
    jitter: float = 0.5
    """Each delay is multiplied by a random factor in ``[1 - jitter, 1]`` (full jitter would
    let a crowd of clients reconnect at once after an outage)."""
    maintenance_delay: float = 60.0
    """First delay after SYSTEM R10001 (maintenance: reconnecting at once only hammers a
    server that said it is down); repeated R10001 grow it by ``backoff_multiplier`` up to
    ``max(backoff_max, maintenance_delay)``."""
    max_reconnect_attempts: int | None = None
    """Connection attempts per outage before the session fails (None: keep trying)."""
    connect_attempts: int = 3
    """Attempts when the session opens (a wrong URL should fail, not hang)."""
    stable_after: float = 30.0
    """A connection that lived this long resets the back-off."""

    def __attrs_post_init__(self) -> None:
        _at_least("max_items_per_request", self.max_items_per_request, 1)
        _at_least("max_items_per_group", self.max_items_per_group, 1)
        _at_least("max_groups", self.max_groups, 1)
        _at_least("max_condition_streams", self.max_condition_streams, 0)
        _at_least("queue_size", self.queue_size, 1, allow_none=False)
        _at_least("warn_every", self.warn_every, 1, allow_none=False)
        _at_least("max_reconnect_attempts", self.max_reconnect_attempts, 1)
        _at_least("connect_attempts", self.connect_attempts, 1, allow_none=False)
        if self.overflow not in ("drop_oldest", "block"):
            raise ArgumentError(
                "overflow", f"must be 'drop_oldest' or 'block', got {self.overflow!r}"
            )
        for name in ("open_timeout", "login_timeout", "request_timeout", "keepalive"):
            _positive(name, getattr(self, name))
        for name in ("backoff_initial", "backoff_max", "maintenance_delay", "stable_after"):
            _positive(name, getattr(self, name), allow_none=False)
        if not self.backoff_multiplier >= 1:
            raise ArgumentError(
                "backoff_multiplier", f"must be >= 1, got {self.backoff_multiplier!r}"
            )
        if not 0 <= self.jitter < 1:
            raise ArgumentError("jitter", f"must be in [0, 1), got {self.jitter!r}")
