"""The sandbox in a child process, driven over a pipe.

Why not ``Sandbox`` on a thread of the benchmark process: the sandbox is Python too, so on a
thread it would share the GIL with the client under test. Every server thread would then
compete with the client for the interpreter (and ``sys.getswitchinterval()`` is 5 ms), which
distorts the per-call and the concurrent figures by more than the overheads being measured.
In a child process the server runs on the other core, as a remote service would.

The child also wraps its rate limiter (an instrument, not a change to the sandbox): every
``allow()`` decision is recorded with its ``time.monotonic()`` stamp. ``CLOCK_MONOTONIC`` is
system-wide on Linux, so these stamps compare directly with the client's own clock.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _serve(conn: Connection, kwargs: dict[str, Any]) -> None:
    import time

    from kiwoom_sandbox import Sandbox

    sandbox = Sandbox(**kwargs)
    decisions: list[tuple[float, str, bool]] = []
    limiter = sandbox.app.limiter
    original_allow = limiter.allow

    def allow(api_id: str, *args: Any, **kw: Any) -> bool:
        now = time.monotonic()  # as the limiter's own clock reads, just before it
        ok = original_allow(api_id, *args, **kw)
        decisions.append((now, api_id, ok))
        return ok

    limiter.allow = allow  # type: ignore[method-assign]
    with sandbox:
        conn.send(sandbox.base_url)
        while True:
            command, arg = conn.recv()
            if command == "stop":
                conn.send(None)
                return
            if command == "configure":
                sandbox.configure(**arg)
                result: Any = None
            elif command == "reset":
                sandbox.reset_rate_limits()
                sandbox.clear_requests()
                decisions.clear()
                result = None
            elif command == "issue_token":
                result = sandbox.issue_token()
            elif command == "decisions":
                result = list(decisions)
            elif command == "request_count":
                result = sum(1 for r in sandbox.requests if arg is None or r.api_id == arg)
            else:
                result = ValueError(f"unknown command {command!r}")
            conn.send(result)


class RemoteSandbox:
    """``with RemoteSandbox(specs_dir=..., ...) as sb: sb.base_url`` — a Sandbox in a child."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._conn: Connection | None = None
        self._proc: Any = None
        self.base_url = ""

    def __enter__(self) -> RemoteSandbox:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self._kwargs), daemon=True)
        self._proc.start()
        self._conn = parent
        self.base_url = parent.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            try:
                self._ask("stop")
            finally:
                self._proc.join(10)
                self._conn = None

    def _ask(self, command: str, arg: Any = None) -> Any:
        assert self._conn is not None
        self._conn.send((command, arg))
        result = self._conn.recv()
        if isinstance(result, Exception):
            raise result
        return result

    def configure(self, **changes: Any) -> None:
        self._ask("configure", changes)

    def reset(self) -> None:
        """Full rate-limit buckets, empty request log, empty decision record."""
        self._ask("reset")

    def issue_token(self) -> str:
        token: str = self._ask("issue_token")
        return token

    def decisions(self) -> list[tuple[float, str, bool]]:
        """(monotonic time, api-id, allowed) for every rate-limit decision since ``reset``."""
        result: list[tuple[float, str, bool]] = self._ask("decisions")
        return result

    def request_count(self, api_id: str | None = None) -> int:
        count: int = self._ask("request_count", api_id)
        return count
