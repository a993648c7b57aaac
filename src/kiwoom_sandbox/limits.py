"""Token-bucket rate limits, global and per api-id, as the live 1700 answers suggest.

Published terms say 5 queries/s; one client measured about 1/s per TR with a burst of 2. Both
are buckets, checked global first. A refused call consumes nothing, like a server that drops it
before work. Buckets are rebuilt (full) when the configured limit changes at runtime.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from kiwoom_sandbox.config import RateLimit

GLOBAL = "*"


class _Bucket:
    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.tokens = float(limit.burst)
        self.stamp = time.monotonic()

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(float(self.limit.burst), self.tokens + elapsed * self.limit.rate)
        self.stamp = now


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def _bucket(self, key: str, limit: RateLimit) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.limit != limit:
            bucket = self._buckets[key] = _Bucket(limit)
        return bucket

    def allow(
        self,
        api_id: str,
        global_limit: RateLimit | None,
        per_api: RateLimit | None,
        overrides: Mapping[str, RateLimit],
    ) -> bool:
        """Take one token from each bucket that applies, or none if any is empty."""
        per = overrides.get(api_id, per_api)
        now = time.monotonic()
        with self._lock:
            buckets = []
            if global_limit is not None:
                buckets.append(self._bucket(GLOBAL, global_limit))
            if per is not None:
                buckets.append(self._bucket("api:" + api_id, per))
            for bucket in buckets:
                bucket.refill(now)
            if any(b.tokens < 1.0 for b in buckets):
                return False
            for bucket in buckets:
                bucket.tokens -= 1.0
            return True

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
