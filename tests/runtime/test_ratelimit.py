from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Sequence

import pytest

from kiwoom_runtime import RateLimit, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def max_in_window(times: Sequence[float], window: float) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_even_spacing_with_burst_one() -> None:
    clock = FakeClock()
    rl = RateLimiter(RateLimit(5, 1, margin=0), clock=clock)
    delays = [rl.reserve("ka10001") for _ in range(10)]
    assert delays == pytest.approx([i * 0.2 for i in range(10)])


def test_burst_then_rate() -> None:
    clock = FakeClock()
    rl = RateLimiter(RateLimit(5, 3, margin=0), clock=clock)
    delays = [rl.reserve("x") for _ in range(6)]
    assert delays == pytest.approx([0, 0, 0, 0.2, 0.4, 0.6])
    clock.t += 10  # an idle period refills the burst, but not beyond it
    assert [rl.reserve("x") for _ in range(4)] == pytest.approx([0, 0, 0, 0.2])


def test_per_api_and_global_limits_combine() -> None:
    clock = FakeClock()
    rl = RateLimiter(
        RateLimit(5, 1, margin=0), per_api={"ka10081": RateLimit(1, 2, margin=0)}, clock=clock
    )
    a = [rl.reserve("ka10081") for _ in range(4)]
    assert a == pytest.approx([0.0, 0.2, 1.0, 2.0])  # burst 2 but global spacing 0.2
    assert rl.reserve("ka10001") == pytest.approx(2.2)  # global budget shared


def test_default_per_api() -> None:
    clock = FakeClock()
    rl = RateLimiter(None, default_per_api=RateLimit(1, 1, margin=0), clock=clock)
    assert rl.reserve("a") == 0 and rl.reserve("b") == 0
    assert rl.reserve("a") == pytest.approx(1.0)


def test_disabled() -> None:
    rl = RateLimiter(None)
    assert all(rl.reserve("x") == 0 for _ in range(100))


@pytest.mark.parametrize(("rate", "burst"), [(5.0, 1), (5.0, 5), (20.0, 2)])
def test_16_threads_hold_rate_fake_clock(rate: float, burst: int) -> None:
    clock = FakeClock()
    rl = RateLimiter(RateLimit(rate, burst, margin=0), clock=clock)
    times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        for _ in range(25):
            d = rl.reserve("x")
            with lock:
                times.append(clock.t + d)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(times) == 400
    span = max(times) - min(times)
    assert (400 - burst) / span == pytest.approx(rate, rel=1e-9)
    assert max_in_window(times, 1.0) <= rate + burst


def test_100_tasks_hold_rate_fake_sleep() -> None:
    clock = FakeClock()
    sent: list[float] = []

    async def fake_sleep(d: float) -> None:
        await asyncio.sleep(0)
        sent.append(clock.t + d)

    rl = RateLimiter(RateLimit(5, 1, margin=0), clock=clock, async_sleep=fake_sleep)

    async def task() -> None:
        for _ in range(3):
            await rl.acquire_async("x")

    async def main() -> None:
        await asyncio.gather(*(task() for _ in range(100)))

    asyncio.run(main())
    times = [clock.t, *sent]  # the first acquire does not sleep
    assert len(times) == 300
    assert 299 / (max(times) - min(times)) == pytest.approx(5.0, rel=0.05)
    assert max_in_window(times, 1.0) <= 5


def test_real_threads_never_exceed_rate() -> None:
    # Only the lower bound on elapsed time is asserted: sleeps never return early, so this
    # cannot flake on a slow machine, yet a broken limiter (no waiting) fails it.
    rl = RateLimiter(RateLimit(200, 1))
    start = time.monotonic()

    def worker() -> None:
        for _ in range(5):
            rl.acquire("x")

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert 79 / elapsed <= 200 * 1.05


def test_bad_limits() -> None:
    with pytest.raises(ValueError):
        RateLimit(0)
    with pytest.raises(ValueError):
        RateLimit(5, 0)


def test_the_margin_spaces_requests_a_little_wider_than_the_rate() -> None:
    clock = FakeClock()
    rl = RateLimiter(RateLimit(5, 1), clock=clock)  # default margin: 2 %
    times = [clock.t + rl.reserve("x") for _ in range(11)]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == pytest.approx([0.204] * 10)
    assert 10 / (times[-1] - times[0]) == pytest.approx(5 / 1.02)  # 98 % of the allowed rate
    with pytest.raises(ValueError, match="margin"):
        RateLimit(5, margin=1.0)
