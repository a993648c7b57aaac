"""What to retry, how long to wait, and when a resend would be dangerous.

Why: Kiwoom has no idempotency key. Queries can be resent freely, but resending an order after a
lost answer may buy twice. So the policy distinguishes answers that *prove* the request was not
processed (rate-limit codes, HTTP 429, token errors, a connection that never opened) from
failures after the request may have reached the server (read timeouts, dropped connections,
5xx). For ``retry_safe=False`` endpoints the latter become :class:`OrderStateUnknownError`.

Token errors (8005/8010) are handled by the client, not by the attempt counter: refresh the
token once and replay once, never in a loop.
"""

from __future__ import annotations

import email.utils
import enum
import random
import time
from collections.abc import Callable

import attrs

from kiwoom_runtime.errors import (
    APIConnectionError,
    APITimeoutError,
    HTTPStatusError,
    InvalidResponseError,
    RateLimitError,
)

__all__ = ["Decision", "RetryPolicy", "parse_retry_after"]


class Decision(enum.Enum):
    RETRY = "retry"
    RAISE = "raise"
    UNKNOWN_STATE = "unknown_state"
    """Unsafe endpoint, request possibly processed: raise OrderStateUnknownError."""


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


@attrs.frozen
class RetryPolicy:
    """Retry configuration. ``max_attempts`` counts the first try (1 disables retries)."""

    max_attempts: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.25
    """Fraction of each delay that is randomised (full jitter on that fraction)."""
    respect_retry_after: bool = True
    max_retry_after: float = 60.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    retry_unsent_unsafe: bool = True
    """Retry an unsafe TR when the connection failed before anything was sent."""
    refresh_token_once: bool = True
    """On 8005/8010: invalidate the token, issue a new one and replay the call once."""
    rng: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be >= 1")

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Delay before attempt ``attempt + 1`` (``attempt`` is the 1-based failed attempt)."""
        if retry_after is not None and self.respect_retry_after:
            return min(retry_after, self.max_retry_after)
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        spread = base * self.jitter
        return max(0.0, base - spread + 2 * spread * self.rng())

    def decide(self, exc: BaseException, *, retry_safe: bool) -> Decision:
        """Classify a failed attempt (independently of the attempt count)."""
        if isinstance(exc, RateLimitError):
            return Decision.RETRY
        if isinstance(exc, (APITimeoutError, APIConnectionError)):
            if not exc.sent and (retry_safe or self.retry_unsent_unsafe):
                return Decision.RETRY
            return Decision.RETRY if retry_safe else Decision.UNKNOWN_STATE
        if isinstance(exc, HTTPStatusError):
            if exc.status_code >= 500:
                if not retry_safe:
                    return Decision.UNKNOWN_STATE
                return Decision.RETRY if exc.status_code in self.retry_statuses else Decision.RAISE
            return Decision.RAISE
        if isinstance(exc, InvalidResponseError) and not retry_safe:
            return Decision.UNKNOWN_STATE
        return Decision.RAISE

    def retry_after_of(self, exc: BaseException) -> float | None:
        return exc.retry_after if isinstance(exc, RateLimitError) else None
