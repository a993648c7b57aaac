"""Access tokens: issue, revoke, expire, and the "new token knocks out the old one" rule.

Wall-clock time (``time.time``) is used, not a monotonic clock, because ``expires_dt`` is a
wall-clock value the client reads, and a test with a 2 s lifetime must see both agree.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time

import attrs

KST = dt.timezone(dt.timedelta(hours=9), "KST")


def format_expires_dt(epoch: float) -> str:
    """``YYYYMMDDHHMMSS`` in Korea time, as au10001 reports ``expires_dt``."""
    return dt.datetime.fromtimestamp(epoch, KST).strftime("%Y%m%d%H%M%S")


@attrs.define
class Token:
    value: str
    appkey: str
    expires_at: float
    revoked: bool = False


class TokenStore:
    """All tokens the sandbox has issued; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}

    def issue(self, appkey: str, lifetime: float, *, invalidate_previous: bool) -> Token:
        token = Token(secrets.token_urlsafe(48), appkey, time.time() + lifetime)
        with self._lock:
            if invalidate_previous:
                for old in self._tokens.values():
                    if old.appkey == appkey:
                        old.revoked = True
            self._tokens[token.value] = token
        return token

    def valid(self, value: str) -> bool:
        with self._lock:
            token = self._tokens.get(value)
            return token is not None and not token.revoked and time.time() < token.expires_at

    def revoke(self, value: str, appkey: str) -> bool:
        """Revoke ``value`` if it is a live token of ``appkey``; False otherwise."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None or token.revoked or token.appkey != appkey:
                return False
            token.revoked = True
            return True

    def expire(self, value: str | None = None) -> None:
        """Expire one token now, or every token when ``value`` is None."""
        now = time.time()
        with self._lock:
            for token in self._tokens.values():
                if value is None or token.value == value:
                    token.expires_at = min(token.expires_at, now)
