"""Over real HTTP: a burst right after a token issue keeps the configured spacing at the server.

The sandbox judges the arrival gaps of ka10001 (a bucket of 7/s, burst 1: a gap under 0.143 s
is refused with 1700) and answers au10001 after 100 ms, as a slow live token issue would. The
client's limiter spaces requests 0.204 s apart (5/s plus its 2 % margin). Before the fix the
first call took its slot, then waited for the token, and the gap to the second request shrank
to about 0.104 s. The bound on the gaps (0.15 s) sits halfway between, so scheduler noise on a
busy machine does not flip it either way.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator

import pytest

from kiwoom_sandbox import RateLimit, Sandbox
from kiwoom_typed import AsyncClient, Client
from tests.conftest import FIXTURES, SPECS

CALLS = 6
TOKEN_DELAY = 0.1
MIN_GAP = 0.15


@pytest.fixture
def strict_sandbox() -> Iterator[Sandbox]:
    limits = {"ka10001": RateLimit(rate=7.0, burst=1)}
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES, api_limits=limits) as sb:
        sb.inject("au10001", "delay", delay=TOKEN_DELAY)
        yield sb


def _kwargs(sb: Sandbox) -> dict[str, object]:
    # Default rate limit (5/s); no retries, so a refusal would surface as RateLimitError.
    return {"appkey": "gap-appkey", "secretkey": "gap-secretkey", "base_url": sb.base_url,
            "max_retries": 0}  # fmt: skip


def _gaps(sb: Sandbox) -> list[float]:
    times = sorted(r.time for r in sb.requests_for("ka10001"))
    assert len(times) == CALLS
    return [b - a for a, b in itertools.pairwise(times)]


def test_sequential_burst_after_token_issue(strict_sandbox: Sandbox) -> None:
    with Client(**_kwargs(strict_sandbox)) as client:  # type: ignore[arg-type]
        for _ in range(CALLS):
            client.get_stock_info(stk_cd="005930")
    gaps = _gaps(strict_sandbox)
    assert min(gaps) >= MIN_GAP, gaps


def test_threaded_burst_after_token_issue(strict_sandbox: Sandbox) -> None:
    errors: list[BaseException] = []
    with Client(**_kwargs(strict_sandbox)) as client:  # type: ignore[arg-type]

        def worker() -> None:
            try:
                client.get_stock_info(stk_cd="005930")
            except BaseException as exc:  # reported below with the gaps
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(CALLS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    gaps = _gaps(strict_sandbox)
    assert min(gaps) >= MIN_GAP, gaps


def test_async_burst_after_token_issue(strict_sandbox: Sandbox) -> None:
    async def main() -> None:
        async with AsyncClient(**_kwargs(strict_sandbox)) as client:  # type: ignore[arg-type]
            await asyncio.gather(*(client.get_stock_info(stk_cd="005930") for _ in range(CALLS)))

    asyncio.run(main())
    gaps = _gaps(strict_sandbox)
    assert min(gaps) >= MIN_GAP, gaps
