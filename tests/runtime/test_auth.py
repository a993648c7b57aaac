from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rt_fakes import APPKEY, SECRETKEY

from kiwoom_runtime import (
    KST,
    ArgumentError,
    AsyncTokenManager,
    Endpoint,
    Secret,
    TokenCache,
    TokenError,
    TokenManager,
)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class FakeIssuer:
    """A ``post`` function for the token managers that counts issues and revokes."""

    def __init__(self, expires_dt: str = "20241107120000", delay: float = 0.0) -> None:
        self.expires_dt = expires_dt
        self.delay = delay
        self.issued: list[str] = []
        self.revoked: list[str] = []
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def _answer(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.bodies.append((endpoint.api_id, body))
            if endpoint.path == "/oauth2/revoke":
                self.revoked.append(body["token"])
                return {"return_code": 0}
            token = f"token-{len(self.issued) + 1:04d}-abcdef"
            self.issued.append(token)
        return {"token": token, "token_type": "bearer", "expires_dt": self.expires_dt}

    def __call__(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        if self.delay:
            time.sleep(self.delay)
        return self._answer(endpoint, body)

    async def apost(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._answer(endpoint, body)


NOON = dt.datetime(2024, 11, 7, 12, 0, 0, tzinfo=KST)


def manager(issuer: FakeIssuer, clock: Clock | None = None, **kw: Any) -> TokenManager:
    kw.setdefault("appkey", APPKEY)
    kw.setdefault("secretkey", SECRETKEY)
    return TokenManager(issuer, clock=clock or Clock(NOON - dt.timedelta(hours=1)), **kw)


def test_issue_request_body_and_reuse() -> None:
    issuer = FakeIssuer()
    tm = manager(issuer)
    assert tm.get() == tm.get() == "token-0001-abcdef"
    assert len(issuer.issued) == 1
    api_id, body = issuer.bodies[0]
    assert api_id == "au10001"
    assert body == {"grant_type": "client_credentials", "appkey": APPKEY, "secretkey": SECRETKEY}
    assert tm.current is not None and tm.current.expires_at == NOON


def test_refresh_ahead_of_expiry_with_margin() -> None:
    issuer = FakeIssuer(expires_dt="20241107120000")
    clock = Clock(NOON - dt.timedelta(minutes=10))
    tm = manager(issuer, clock, margin=dt.timedelta(minutes=5))
    first = tm.get()
    clock.now = NOON - dt.timedelta(minutes=5, seconds=1)
    assert tm.get() == first
    clock.now = NOON - dt.timedelta(minutes=5)  # inside the margin: refresh before expiry
    assert tm.get() != first
    assert len(issuer.issued) == 2


def test_single_flight_50_threads() -> None:
    issuer = FakeIssuer(delay=0.05)
    tm = manager(issuer)
    barrier = threading.Barrier(50)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(tm.get())

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(issuer.issued) == 1 and tm.issue_count == 1
    assert set(results) == {issuer.issued[0]} and len(results) == 50


def test_single_flight_50_tasks() -> None:
    issuer = FakeIssuer(delay=0.02)

    async def main() -> list[str]:
        tm = AsyncTokenManager(
            issuer.apost, appkey=APPKEY, secretkey=SECRETKEY, clock=Clock(NOON - dt.timedelta(1))
        )
        return await asyncio.gather(*(tm.get() for _ in range(50)))

    results = asyncio.run(main())
    assert len(issuer.issued) == 1
    assert set(results) == {issuer.issued[0]}


def test_invalidate_only_if_still_current() -> None:
    issuer = FakeIssuer()
    tm = manager(issuer)
    t1 = tm.get()
    assert tm.invalidate(t1) is True
    t2 = tm.get()
    assert t2 != t1
    assert tm.invalidate(t1) is False  # a late caller with the old token: no new issue
    assert tm.get() == t2
    assert len(issuer.issued) == 2


def test_revoke_only_self_issued_tokens() -> None:
    issuer = FakeIssuer()
    tm = manager(issuer)
    token = tm.get()
    tm.close()
    assert issuer.revoked == [token]
    assert issuer.bodies[-1][0] == "au10002"
    assert issuer.bodies[-1][1] == {"appkey": APPKEY, "secretkey": SECRETKEY, "token": token}

    issuer2 = FakeIssuer()
    user = manager(issuer2, token="user-supplied-token-123")
    assert user.get() == "user-supplied-token-123"
    user.close()
    assert issuer2.revoked == [] and issuer2.issued == []


def test_revoke_on_close_can_be_disabled() -> None:
    issuer = FakeIssuer()
    tm = manager(issuer, revoke_on_close=False)
    tm.get()
    tm.close()
    assert issuer.revoked == []


def test_static_token_without_credentials_cannot_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    issuer = FakeIssuer()
    tm = TokenManager(issuer, token="static-token-abcdef")
    assert not tm.can_issue
    tm.invalidate("static-token-abcdef")
    with pytest.raises(TokenError) as info:
        tm.get()
    assert "static-token" not in str(info.value)
    assert issuer.issued == []


def test_credentials_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", "env-appkey-123456")
    monkeypatch.setenv("KIWOOM_SECRETKEY", "env-secret-123456")
    issuer = FakeIssuer()
    TokenManager(issuer).get()
    assert issuer.bodies[0][1]["appkey"] == "env-appkey-123456"


def test_missing_credentials_name_the_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    with pytest.raises(ArgumentError) as info:
        TokenManager(FakeIssuer())
    assert info.value.argument == "appkey"
    with pytest.raises(ArgumentError) as info:
        TokenManager(FakeIssuer(), appkey="only-appkey-123")
    assert info.value.argument == "secretkey"


def test_secret_never_shows_value() -> None:
    s = Secret("super-secret-value")
    assert "super-secret-value" not in f"{s} {s!r} {s!s} {[s]}"
    assert s.get_secret_value() == "super-secret-value"
    tm = manager(FakeIssuer())
    tm.get()
    assert APPKEY not in repr(tm) and "token-0001" not in repr(tm)
    assert "token-0001" not in repr(tm.current)


# -- on-disk cache -----------------------------------------------------------------------------


def test_cache_file_mode_name_and_sharing(tmp_path: Path) -> None:
    issuer = FakeIssuer(expires_dt="20991231000000")
    a = manager(issuer, token_cache=tmp_path / "cache", environment="mock")
    token = a.get()
    files = list((tmp_path / "cache").glob("*.json"))
    assert len(files) == 1
    f = files[0]
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert f.name.startswith("mock-") and APPKEY not in f.name
    assert json.loads(f.read_text())["token"] == token
    assert not list((tmp_path / "cache").glob(".tmp-*"))  # atomic write left no temp file

    b = manager(issuer, token_cache=tmp_path / "cache", environment="mock")
    assert b.get() == token and len(issuer.issued) == 1  # second "process" reused it

    c = manager(issuer, token_cache=tmp_path / "cache", environment="prod")
    assert c.get() != token  # never shared across environments
    d = manager(issuer, token_cache=tmp_path / "cache", environment="mock", appkey="other-key-1")
    assert d.get() not in (token, c.get())
    assert len(issuer.issued) == 3
    # a cached token is not ours to revoke: caches default to revoke_on_close=False
    b.close()
    assert issuer.revoked == []


def test_cache_invalidate_discards_file(tmp_path: Path) -> None:
    issuer = FakeIssuer(expires_dt="20991231000000")
    a = manager(issuer, token_cache=tmp_path)
    t1 = a.get()
    a.invalidate(t1)
    b = manager(issuer, token_cache=tmp_path)
    assert b.get() != t1


def test_cache_ignores_expired_and_corrupt(tmp_path: Path) -> None:
    issuer = FakeIssuer(expires_dt="20241107120000")
    clock = Clock(NOON - dt.timedelta(hours=1))
    manager(issuer, clock, token_cache=tmp_path).get()
    clock.now = NOON  # cached token now expired
    assert manager(issuer, clock, token_cache=tmp_path).get() == issuer.issued[-1]
    assert len(issuer.issued) == 2
    for f in tmp_path.glob("*.json"):
        f.write_text("{not json")
    cache = TokenCache(tmp_path, "prod", APPKEY)
    assert cache.load() is None


def _process_issue(cache_dir: str, log_path: str, out_path: str) -> None:
    def post(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        with open(log_path, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(0.3)
        return {"token": f"proc-token-{os.getpid()}", "expires_dt": "20991231000000"}

    tm = TokenManager(post, appkey=APPKEY, secretkey=SECRETKEY, token_cache=cache_dir)
    with open(out_path, "a") as f:
        f.write(tm.get() + "\n")


def test_cache_cross_process_single_issue(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    log, out = tmp_path / "issues.log", tmp_path / "tokens.out"
    procs = [
        ctx.Process(target=_process_issue, args=(str(tmp_path / "c"), str(log), str(out)))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert len(log.read_text().splitlines()) == 1
    assert len(set(out.read_text().splitlines())) == 1


# -- a token whose expires_dt already looks stale when it arrives (clock skew) ------------------


@pytest.mark.parametrize(
    "expires_dt",
    ["20241107115959", "20241107120300"],  # already past; inside the 5-minute margin
    ids=["past", "inside-margin"],
)
def test_a_token_stale_on_arrival_is_used_until_refused(
    expires_dt: str, caplog: pytest.LogCaptureFixture
) -> None:
    issuer = FakeIssuer(expires_dt=expires_dt)
    tm = manager(issuer, Clock(NOON))
    with caplog.at_level("WARNING", logger="kiwoom_runtime"):
        first = tm.get()
        assert [tm.get() for _ in range(5)] == [first] * 5
    assert len(issuer.issued) == 1  # not re-issued on every call
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "clock" in warnings[0], warnings
    assert expires_dt in warnings[0] and first not in warnings[0]
    assert tm.current is not None and tm.current.clock_skew
    # the server's word wins: after 8005 the caller invalidates it and a new one is issued
    assert tm.invalidate(first) is True
    assert tm.get() != first and len(issuer.issued) == 2


def test_a_token_fresh_on_arrival_is_still_refreshed_ahead_of_expiry() -> None:
    issuer = FakeIssuer(expires_dt="20241107120000")
    clock = Clock(NOON - dt.timedelta(hours=1))
    tm = manager(issuer, clock)
    first = tm.get()
    clock.now = NOON - dt.timedelta(minutes=4)  # its own margin passed: refresh as before
    issuer.expires_dt = "20241108120000"
    assert tm.get() != first
    assert tm.current is not None and not tm.current.clock_skew


def test_a_stale_on_arrival_token_async() -> None:
    issuer = FakeIssuer(expires_dt="20241107110000")

    async def main() -> tuple[list[str], int]:
        tm = AsyncTokenManager(issuer.apost, appkey=APPKEY, secretkey=SECRETKEY, clock=Clock(NOON))
        values = [await tm.get() for _ in range(4)]
        return values, tm.issue_count

    values, issued = asyncio.run(main())
    assert len(set(values)) == 1 and issued == 1


def test_a_stale_on_arrival_token_is_shared_through_the_cache(tmp_path: Path) -> None:
    issuer = FakeIssuer(expires_dt="20241107110000")
    a = manager(issuer, Clock(NOON), token_cache=tmp_path)
    token = a.get()
    b = manager(issuer, Clock(NOON), token_cache=tmp_path)
    assert b.get() == token and len(issuer.issued) == 1  # the other process does not re-issue
