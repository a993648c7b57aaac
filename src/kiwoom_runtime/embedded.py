"""``env="sandbox"``: the base URL of a local Kiwoom sandbox, started on first use.

Why a plugin hook: the runtime knows no TR and must not depend on the sandbox package (which
needs the specs), so it never imports ``kiwoom_sandbox`` itself. A sandbox *provider* is found
through the entry-point group :data:`ENTRY_POINT_GROUP` (kiwoom-typed declares
``kiwoom_sandbox:Sandbox`` there in its ``pyproject.toml``), or, in a checkout that was not
installed, through a lazy import of :data:`FALLBACK_PROVIDER`. Nothing is looked up unless
``env="sandbox"`` is asked for.

A provider is a callable without arguments that returns a sandbox with ``start()``, ``stop()``
and ``base_url``; it must listen on 127.0.0.1 on a free port. The embedded sandbox is started
once per process, shared by every client, and stopped at exit. ``KIWOOM_SANDBOX_URL`` points
the clients at an already running sandbox instead (e.g. ``kiwoom-typed sandbox --port 8080``).
"""

from __future__ import annotations

import atexit
import importlib
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from kiwoom_runtime._logging import logger
from kiwoom_runtime.errors import ArgumentError

__all__ = [
    "ENTRY_POINT_GROUP",
    "FALLBACK_PROVIDER",
    "SANDBOX_URL_ENV",
    "SANDBOX_WS_URL_ENV",
    "sandbox_base_url",
    "sandbox_ws_url",
    "stop_embedded_sandbox",
]

SANDBOX_URL_ENV = "KIWOOM_SANDBOX_URL"
#: The WebSocket side of a running sandbox, when it cannot be asked (see ``sandbox_ws_url``).
SANDBOX_WS_URL_ENV = "KIWOOM_SANDBOX_WS_URL"
#: Where a sandbox says where its WebSocket side listens (``kiwoom_sandbox.server``).
DISCOVERY_PATH = "/_sandbox/realtime"
ENTRY_POINT_GROUP = "kiwoom_runtime.sandbox"
FALLBACK_PROVIDER = "kiwoom_sandbox:Sandbox"


class EmbeddedSandbox(Protocol):
    """What a provider returns: a server that can start, stop and say where it listens."""

    @property
    def base_url(self) -> str: ...

    def start(self) -> Any: ...

    def stop(self) -> Any: ...


_lock = threading.Lock()
_running: EmbeddedSandbox | None = None
_owner_pid: int | None = None
_atexit_registered = False


def _load(reference: str) -> Callable[[], EmbeddedSandbox]:
    module_name, _, attribute = reference.partition(":")
    provider: Callable[[], EmbeddedSandbox] = getattr(
        importlib.import_module(module_name), attribute
    )
    return provider


def _load_provider() -> Callable[[], EmbeddedSandbox]:
    """The provider registered under :data:`ENTRY_POINT_GROUP` (``default`` first)."""
    from importlib import metadata  # here: only env="sandbox" reads the entry points

    found = sorted(
        metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name != "default"
    )
    try:
        if found:
            provider: Callable[[], EmbeddedSandbox] = found[0].load()
            return provider
        return _load(FALLBACK_PROVIDER)
    except ImportError as exc:
        raise ArgumentError(
            "env",
            "env='sandbox' needs the local sandbox (the kiwoom_sandbox package of kiwoom-typed) "
            f"and it cannot be imported ({exc}); set {SANDBOX_URL_ENV} to a running sandbox, "
            "or pass base_url=",
        ) from exc


def _from_environment() -> str | None:
    value = os.environ.get(SANDBOX_URL_ENV, "").strip()
    if not value:
        return None
    url = httpx.URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ArgumentError(SANDBOX_URL_ENV, f"not an http(s) URL: {value!r}")
    return value.rstrip("/")


def sandbox_base_url() -> str:
    """The base URL ``env="sandbox"`` uses.

    ``KIWOOM_SANDBOX_URL`` if it is set; otherwise the embedded sandbox, started on the first
    call of this process (on 127.0.0.1, a free port) and stopped when the process exits.
    """
    global _running, _owner_pid, _atexit_registered
    configured = _from_environment()
    if configured is not None:
        return configured
    with _lock:
        if _running is None or _owner_pid != os.getpid():  # a forked child starts its own
            sandbox = _load_provider()()
            sandbox.start()
            _running, _owner_pid = sandbox, os.getpid()
            if not _atexit_registered:
                atexit.register(stop_embedded_sandbox)
                _atexit_registered = True
            logger.info("embedded sandbox started on %s", sandbox.base_url)
        return _running.base_url


def stop_embedded_sandbox() -> None:
    """Stop the embedded sandbox of this process, if one runs (also done at exit)."""
    global _running
    with _lock:
        sandbox, _running = _running, None
        if sandbox is not None and _owner_pid == os.getpid():
            sandbox.stop()


def sandbox_ws_url(base_url: str | None = None) -> str:
    """The WebSocket base URL (``ws://127.0.0.1:PORT``, no path) of the sandbox at ``base_url``
    (default: the one ``env="sandbox"`` uses).

    ``KIWOOM_SANDBOX_WS_URL`` if it is set; the embedded sandbox of this process directly (its
    WebSocket side starts on first use); else the sandbox is asked (``GET /_sandbox/realtime``),
    which is how a session finds ``kiwoom-typed sandbox`` through ``KIWOOM_SANDBOX_URL``.
    """
    configured = os.environ.get(SANDBOX_WS_URL_ENV, "").strip()
    if configured:
        if not configured.startswith(("ws://", "wss://")):
            raise ArgumentError(SANDBOX_WS_URL_ENV, f"not a ws(s) URL: {configured!r}")
        return configured.rstrip("/")
    base = (base_url or sandbox_base_url()).rstrip("/")
    with _lock:
        running = _running if _owner_pid == os.getpid() else None
    if running is not None and running.base_url == base and hasattr(running, "ws_url"):
        return str(running.ws_url)
    answer: object
    try:
        response = httpx.get(base + DISCOVERY_PATH, timeout=10.0, trust_env=False)
        answer = f"HTTP {response.status_code}"
        url = response.json().get("url") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        url, answer = None, exc
    if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
        raise ArgumentError(
            "url",
            f"the sandbox at {base} did not say where its WebSocket side listens ({answer}); "
            f"pass url= or set {SANDBOX_WS_URL_ENV}",
        )
    return url.rstrip("/")
