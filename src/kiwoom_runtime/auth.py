"""Access tokens: issue, reuse, refresh ahead of expiry, single-flight, revoke, on-disk cache.

Why each piece exists:

* Reuse until ``expires_dt`` minus a margin: a daemon that refreshed only when it had *no*
  token got 8005 on every call for days.
* A token whose ``expires_dt`` already looks stale when it arrives (clock skew, or issued near
  its end) is used until the server says 8005, with one warning, instead of being re-issued on
  every call (each issue may knock out other users of the appkey).
* Single-flight: issuing a new token for an app key has been reported to invalidate the previous
  one, so concurrent threads / tasks that each issued a token would knock each other out. One
  lock with a double-check makes exactly one issue.
* ``invalidate(token)``: a caller that got 8005 with token T forces a refresh only if T is still
  current; a hundred callers that failed with T cause one new token, not a hundred.
* The optional on-disk cache (off by default) lets *processes* share one token, under an
  ``fcntl`` file lock, keyed by environment and by a hash of the app key: a mock token sent to
  the live host gives 8031.
* Revoke on close only tokens this manager issued, never a token the user passed in.

The managers do not speak HTTP themselves: the client hands them a ``post`` function that
sends an *unauthenticated* request through its normal error pipeline (so 8001/8002 become
:class:`AuthenticationError`), which also makes the managers easy to test.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from kiwoom_runtime._logging import logger
from kiwoom_runtime._redact import register_secret
from kiwoom_runtime.endpoint import Endpoint
from kiwoom_runtime.errors import (
    ArgumentError,
    InvalidResponseError,
    KiwoomError,
    TokenError,
)
from kiwoom_runtime.values import KST, ValueKindError, parse_datetime_kst

try:  # POSIX only; elsewhere the cache still works within one process
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_ISSUE_ENDPOINT",
    "DEFAULT_REVOKE_ENDPOINT",
    "AsyncTokenManager",
    "Secret",
    "Token",
    "TokenCache",
    "TokenManager",
]

DEFAULT_ISSUE_ENDPOINT = Endpoint(api_id="au10001", name="접근토큰 발급", path="/oauth2/token")
DEFAULT_REVOKE_ENDPOINT = Endpoint(api_id="au10002", name="접근토큰폐기", path="/oauth2/revoke")
DEFAULT_CACHE_DIR = Path("~/.cache/kiwoom-typed")
#: An 8005 this soon after a replacement token was obtained is a knock-out, not an expiry
#: (observed lifetimes are 18-24 hours).
KNOCKOUT_WINDOW = _dt.timedelta(hours=1)


class Secret:
    """A string that never shows itself in ``repr``/``str``/f-strings; read it explicitly.

    Creating one registers the value with the redaction filter, so it is also masked if it
    reaches a log message by another route.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str, *, pinned: bool = False) -> None:
        if isinstance(value, Secret):
            value = value.get_secret_value()
        if not isinstance(value, str):
            raise TypeError("Secret value must be a str")
        self._value = value
        register_secret(value, pinned=pinned)

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("Secret values are not picklable")


@attrs.frozen
class Token:
    """An access token and what we know about it."""

    value: Secret
    expires_at: _dt.datetime | None
    token_type: str = "bearer"
    issued_here: bool = False
    """True only if *this* manager issued it (then it may revoke it)."""
    after_refusal: bool = False
    """Obtained because the server had just refused the previous token (8005). If this one is
    refused too, soon, another user of the appkey is probably issuing its own tokens."""
    obtained_at: _dt.datetime | None = None
    """When this manager made it current (its clock)."""
    clock_skew: bool = False
    """``expires_dt`` already looked past (or inside the refresh margin) when the token arrived:
    the clocks disagree, so the expiry cannot be judged here and the token is used until the
    server refuses it (8005)."""

    def fresh(self, now: _dt.datetime, margin: _dt.timedelta) -> bool:
        if self.clock_skew or self.expires_at is None:
            return True
        return now < self.expires_at - margin


def _secret_or_env(value: str | Secret | None, env_name: str) -> Secret | None:
    if value is None:
        value = os.environ.get(env_name) or None
    if value is None or value == "":
        return None
    # Credentials are pinned in the redaction registry: rotating tokens never push them out.
    if isinstance(value, Secret):
        value = value.get_secret_value()
    return Secret(value, pinned=True)


def _parse_issue_body(body: dict[str, Any], api_id: str) -> Token:
    value = body.get("token")
    if not isinstance(value, str) or not value:
        raise InvalidResponseError(
            api_id=api_id,
            reason="token response has no 'token' field",
            body=json.dumps({k: v for k, v in body.items() if k != "token"}, ensure_ascii=False),
        )
    secret = Secret(value)
    expires_at: _dt.datetime | None = None
    raw_exp = body.get("expires_dt")
    if raw_exp not in (None, ""):
        try:
            expires_at = parse_datetime_kst(str(raw_exp))
        except ValueKindError as exc:
            raise InvalidResponseError(
                api_id=api_id, reason=f"bad expires_dt: {exc}", body=str(raw_exp)
            ) from exc
    return Token(secret, expires_at, str(body.get("token_type") or "bearer"), issued_here=True)


class TokenCache:
    """A per-(environment, appkey) token file shared by processes; opt-in.

    The file is mode 0600 in a 0700 directory, written atomically (temp file + ``os.replace``).
    ``locked()`` holds an exclusive ``fcntl`` lock on a sibling ``.lock`` file so that only one
    process issues while the others wait and then read its token.
    """

    def __init__(self, directory: str | os.PathLike[str], environment: str, appkey: str) -> None:
        self.directory = Path(directory).expanduser()
        digest = hashlib.sha256(appkey.encode()).hexdigest()
        self._appkey_hash = digest
        env = re.sub(r"[^A-Za-z0-9._-]+", "_", environment) or "default"
        self.environment = environment
        self.path = self.directory / f"{env}-{digest[:32]}.json"
        self.lock_path = self.path.with_suffix(".lock")

    def _ensure_dir(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self._ensure_dir()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def load(self) -> Token | None:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("appkey_sha256") != self._appkey_hash:
            return None
        if data.get("environment") != self.environment or not data.get("token"):
            return None
        try:
            expires = parse_datetime_kst(data.get("expires_dt") or "")
        except ValueKindError:
            return None
        return Token(
            Secret(str(data["token"])),
            expires,
            str(data.get("token_type") or "bearer"),
            False,
            clock_skew=data.get("clock_skew") is True,
        )

    def store(self, token: Token) -> None:
        self._ensure_dir()
        data = {
            "environment": self.environment,
            "appkey_sha256": self._appkey_hash,
            "token": token.value.get_secret_value(),
            "token_type": token.token_type,
            "expires_dt": token.expires_at.astimezone(KST).strftime("%Y%m%d%H%M%S")
            if token.expires_at
            else "",
            "clock_skew": token.clock_skew,
        }
        import tempfile  # here: only a token cache writes files

        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def discard(self, value: str) -> None:
        """Delete the cached token if it is ``value`` (a token the server rejected)."""
        cached = self.load()
        if cached is not None and cached.value.get_secret_value() == value:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _make_cache(
    token_cache: bool | str | os.PathLike[str] | None, environment: str, appkey: Secret | None
) -> TokenCache | None:
    if token_cache is None or token_cache is False or appkey is None:
        return None
    directory = DEFAULT_CACHE_DIR if token_cache is True else Path(token_cache)
    return TokenCache(directory, environment, appkey.get_secret_value())


def _now_kst() -> _dt.datetime:
    return _dt.datetime.now(KST)


class _TokenManagerBase:
    def __init__(
        self,
        *,
        appkey: str | Secret | None = None,
        secretkey: str | Secret | None = None,
        token: str | Secret | None = None,
        issue_endpoint: Endpoint = DEFAULT_ISSUE_ENDPOINT,
        revoke_endpoint: Endpoint | None = DEFAULT_REVOKE_ENDPOINT,
        margin: _dt.timedelta = _dt.timedelta(minutes=5),
        environment: str = "prod",
        token_cache: bool | str | os.PathLike[str] | None = None,
        revoke_on_close: bool | None = None,
        clock: Callable[[], _dt.datetime] = _now_kst,
    ) -> None:
        self.appkey = _secret_or_env(appkey, "KIWOOM_APPKEY")
        self.secretkey = _secret_or_env(secretkey, "KIWOOM_SECRETKEY")
        static = None if token is None or token == "" else Secret(token)  # type: ignore[arg-type]
        if static is None:
            if self.appkey is None:
                raise ArgumentError(
                    "appkey",
                    "no credentials: pass appkey= and secretkey= (or set "
                    "KIWOOM_APPKEY / KIWOOM_SECRETKEY), or pass token=",
                )
            if self.secretkey is None:
                raise ArgumentError(
                    "secretkey", "appkey given without secretkey (or KIWOOM_SECRETKEY)"
                )
        self.issue_endpoint = issue_endpoint
        self.revoke_endpoint = revoke_endpoint
        self.margin = margin
        self.environment = environment
        self.cache = _make_cache(token_cache, environment, self.appkey)
        self.revoke_on_close = self.cache is None if revoke_on_close is None else revoke_on_close
        self._clock = clock
        self._token: Token | None = Token(static, None) if static is not None else None
        self.issue_count = 0
        """How many tokens this manager issued (for tests and diagnostics)."""
        self.knockouts = 0
        """How often a token obtained right after an 8005 was refused too (see
        :meth:`knockout_advice`)."""
        self._after_refusal = False
        self._reported: Token | None = None

    @property
    def can_issue(self) -> bool:
        return self.appkey is not None and self.secretkey is not None

    @property
    def current(self) -> Token | None:
        return self._token

    def _fresh(self) -> str | None:
        tok = self._token
        if tok is not None and tok.fresh(self._clock(), self.margin):
            return tok.value.get_secret_value()
        return None

    def is_current(self, token: str) -> bool:
        """True if ``token`` is still the token a call would get now (no issue needed)."""
        return self._fresh() == token

    def _arrived(self, body: dict[str, Any]) -> Token:
        """The token of an au10001 answer, flagged if it already looks stale.

        Why: when ``expires_dt`` is already past (or inside the margin) on arrival, the clocks
        disagree or the token was issued near its end. Judging it by our clock would issue a
        new token on every call, and each issue may knock out other users of the appkey; so
        warn once and use it until the server says 8005.
        """
        self.issue_count += 1
        tok = _parse_issue_body(body, self.issue_endpoint.api_id)
        now = self._clock()
        if tok.fresh(now, self.margin):
            return tok
        assert tok.expires_at is not None
        logger.warning(
            "%s: the new token's expires_dt %s is already past or within the %g s refresh margin "
            "by this machine's clock (now %s): the clocks disagree (check NTP) or the token "
            "was issued near its end; using it until the server refuses it (8005) instead of "
            "issuing a new token on every call",
            self.issue_endpoint.api_id,
            tok.expires_at.astimezone(KST).strftime("%Y%m%d%H%M%S"),
            self.margin.total_seconds(),
            now.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S KST"),
        )
        return attrs.evolve(tok, clock_skew=True)

    def _issue_body(self) -> dict[str, Any]:
        assert self.appkey is not None and self.secretkey is not None
        return {
            "grant_type": "client_credentials",
            "appkey": self.appkey.get_secret_value(),
            "secretkey": self.secretkey.get_secret_value(),
        }

    def _no_token(self) -> TokenError:
        return TokenError(
            api_id=self.issue_endpoint.api_id,
            return_code=None,
            return_msg="[8005:Token이 유효하지 않습니다]",
            hint="the token passed as token= was rejected and no appkey/secretkey is "
            "configured to issue a new one",
        )

    def _keep(self, tok: Token) -> str:
        """Make ``tok`` current, marked if it replaces a token the server refused."""
        tok = attrs.evolve(tok, after_refusal=self._after_refusal, obtained_at=self._clock())
        self._after_refusal = False
        self._token = tok
        return tok.value.get_secret_value()

    def knockout_advice(self) -> str:
        """What to do when tokens keep being refused right after they were obtained."""
        if self.cache is None:
            return (
                "another client or process using the same appkey is probably issuing its own "
                "tokens, and each new token invalidates the previous one: pass "
                "token_cache=True to every client on this appkey so that they share one token "
                "(or share one client between threads)"
            )
        return (
            "another process using the same appkey is probably issuing its own tokens outside "
            f"this token cache ({self.cache.directory}): pass the same token_cache= to every "
            "client on this appkey"
        )

    def note_refusal(self, token: str, code: str | None) -> bool:
        """Record that the server refused ``token`` with ``code``; True for a knock-out.

        An 8005 on a token that was itself obtained right after an 8005, and soon
        (:data:`KNOCKOUT_WINDOW`), is the pattern of two token issuers on one appkey. It is
        logged once per token as a warning with :meth:`knockout_advice`.
        """
        tok = self._token
        if tok is None or tok.value.get_secret_value() != token or code != "8005":
            return False
        if not tok.after_refusal or tok.obtained_at is None:
            return False
        if self._clock() - tok.obtained_at >= KNOCKOUT_WINDOW or self._reported is tok:
            return False
        # Remembered, not marked on the token: another thread may be replacing it right now.
        self._reported = tok
        self.knockouts += 1
        logger.warning(
            "%s: the server refused (8005) a token obtained right after it had refused the "
            "previous one: %s",
            self.issue_endpoint.api_id,
            self.knockout_advice(),
        )
        return True

    def invalidate(self, token: str, *, refused_with: str | None = None) -> bool:
        """Forget ``token`` if it is still current (after 8005/8010). Returns True if it was.

        ``refused_with`` is the server's code (see :meth:`note_refusal`).
        """
        knocked_out = self.note_refusal(token, refused_with)
        tok = self._token
        if tok is None or tok.value.get_secret_value() != token:
            return False
        self._token = None
        self._after_refusal = True
        if self.cache is not None:
            with self.cache.locked():
                self.cache.discard(token)
        if not knocked_out:
            logger.info("token invalidated; a new one will be issued on the next call")
        return True

    def _revoke_body(self, tok: Token) -> dict[str, Any] | None:
        if not tok.issued_here or self.revoke_endpoint is None or not self.can_issue:
            return None
        assert self.appkey is not None and self.secretkey is not None
        return {
            "appkey": self.appkey.get_secret_value(),
            "secretkey": self.secretkey.get_secret_value(),
            "token": tok.value.get_secret_value(),
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(environment={self.environment!r}, "
            f"has_token={self._token is not None}, cache={self.cache is not None})"
        )


class TokenManager(_TokenManagerBase):
    """Thread-safe token manager for the sync client."""

    def __init__(
        self, post: Callable[[Endpoint, dict[str, Any]], dict[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._post = post
        self._lock = threading.Lock()

    def get(self) -> str:
        """Return a fresh token, issuing one (exactly once across threads) if needed."""
        value = self._fresh()
        if value is not None:
            return value
        with self._lock:
            value = self._fresh()
            if value is not None:
                return value
            if not self.can_issue:
                raise self._no_token()
            return self._keep(self._obtain())

    def _obtain(self) -> Token:
        if self.cache is None:
            return self._issue()
        with self.cache.locked():
            cached = self.cache.load()
            if cached is not None and cached.fresh(self._clock(), self.margin):
                logger.debug("token loaded from cache %s", self.cache.path)
                return cached
            tok = self._issue()
            self.cache.store(tok)
            return tok

    def _issue(self) -> Token:
        logger.info("issuing a new access token (%s)", self.issue_endpoint.api_id)
        body = self._post(self.issue_endpoint, self._issue_body())
        return self._arrived(body)

    def revoke(self) -> bool:
        """Revoke the current token if this manager issued it. Returns True if revoked."""
        with self._lock:
            tok = self._token
            body = self._revoke_body(tok) if tok is not None else None
            if tok is None or body is None or self.revoke_endpoint is None:
                return False
            self._token = None
            if self.cache is not None:
                with self.cache.locked():
                    self.cache.discard(tok.value.get_secret_value())
            self._post(self.revoke_endpoint, body)
            return True

    def close(self) -> None:
        """Revoke a self-issued token if ``revoke_on_close``; errors are logged, not raised."""
        if not self.revoke_on_close:
            return
        try:
            self.revoke()
        except KiwoomError as exc:
            logger.warning("token revoke on close failed: %s", exc)


class AsyncTokenManager(_TokenManagerBase):
    """Task-safe token manager for the async client (one ``asyncio.Lock``)."""

    def __init__(
        self, post: Callable[[Endpoint, dict[str, Any]], Awaitable[dict[str, Any]]], **kwargs: Any
    ) -> None:
        import asyncio  # here, not at import: a sync program never needs it

        super().__init__(**kwargs)
        self._post = post
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """Return a fresh token, issuing one (exactly once across tasks) if needed."""
        value = self._fresh()
        if value is not None:
            return value
        async with self._lock:
            value = self._fresh()
            if value is not None:
                return value
            if not self.can_issue:
                raise self._no_token()
            return self._keep(await self._obtain())

    async def _obtain(self) -> Token:
        cache = self.cache
        if cache is None:
            return await self._issue()
        import asyncio

        lock = cache.locked()
        await asyncio.to_thread(lock.__enter__)  # blocking flock off the event loop
        try:
            cached = cache.load()
            if cached is not None and cached.fresh(self._clock(), self.margin):
                return cached
            tok = await self._issue()
            cache.store(tok)
            return tok
        finally:
            lock.__exit__(None, None, None)

    async def _issue(self) -> Token:
        logger.info("issuing a new access token (%s)", self.issue_endpoint.api_id)
        body = await self._post(self.issue_endpoint, self._issue_body())
        return self._arrived(body)

    async def revoke(self) -> bool:
        """Revoke the current token if this manager issued it. Returns True if revoked."""
        async with self._lock:
            tok = self._token
            body = self._revoke_body(tok) if tok is not None else None
            if tok is None or body is None or self.revoke_endpoint is None:
                return False
            self._token = None
            if self.cache is not None:
                with self.cache.locked():
                    self.cache.discard(tok.value.get_secret_value())
            await self._post(self.revoke_endpoint, body)
            return True

    async def aclose(self) -> None:
        """Revoke a self-issued token if ``revoke_on_close``; errors are logged, not raised."""
        if not self.revoke_on_close:
            return
        try:
            await self.revoke()
        except KiwoomError as exc:
            logger.warning("token revoke on close failed: %s", exc)
