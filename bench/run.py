"""The benchmark suite: ``make bench`` (or ``.venv/bin/python bench/run.py``).

One process, against the sandbox over real HTTP on 127.0.0.1 (the sandbox runs in a child
process; see ``bench/_remote.py`` for why). Contenders are interleaved round by round in a
shuffled order, so drift of a shared, noisy machine spreads over all of them; every figure is a
median with its spread. Nothing here asserts on time and nothing reaches the internet.

Sections: 1 per-call overhead (1b: the client's CPU without a network, with a cProfile
breakdown), 2 decoding, 3 paging, 4 rate-limit utilization, 5 codegen scale and start-up (first
call and import beside kiwoom-client, the CLI beside ``python -c pass``), 6 profile (when our
per-call overhead is above 1.10x raw httpx), 8 the catalogue, 9 real-time decoding and latency
(``bench/realtime_bench.py``), 10 market-history downloads (``bench/history_bench.py``).
Writes ``bench/results.json`` and regenerates ``BENCHMARKS.md`` (``bench/_report.py``).

Environment: ``BENCH_RATE_SECONDS`` (default 60) is the length of each rate-limit run;
``BENCH_ROUNDS`` (default 15) the number of interleaved rounds of the per-call section;
``BENCH_STARTUP_ROUNDS`` (default 11) the rounds of fresh interpreters in section 5.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import itertools
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import httpx  # noqa: E402
import realtime_bench  # noqa: E402
from _remote import RemoteSandbox  # noqa: E402
from _report import print_table, write_markdown  # noqa: E402
from _stats import ratio_summary, summary  # noqa: E402

from kiwoom_runtime import DEFAULT_RATE_LIMIT, RateLimiter, RateLimitError, _json  # noqa: E402
from kiwoom_runtime import RateLimit as ClientRateLimit  # noqa: E402
from kiwoom_runtime.response import RawResponse  # noqa: E402
from kiwoom_sandbox import RateLimit as ServerRateLimit  # noqa: E402
from kiwoom_typed import AsyncClient, Client  # noqa: E402

SPECS = ROOT / "specs"
FIXTURES = ROOT / "tests" / "fixtures"
RESULTS = BENCH / "results.json"
CT = "application/json;charset=UTF-8"
STK = "005930"
APPKEY, SECRET = "bench-appkey", "bench-secret"
PATHS = {"ka10001": "/api/dostk/stkinfo", "ka10005": "/api/dostk/mrkcond"}
LIST_ROWS = 100  # rows per ka10005 page in sections 1 and 3
PAGES = 20
ASYNC_N = 10  # concurrent calls per async batch
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "60"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
STARTUP_ROUNDS = int(os.environ.get("BENCH_STARTUP_ROUNDS", "11"))
CALLS_PER_ROUND = 30
BATCHES_PER_ROUND = 6
WARMUP = 50
PER_CALL_TARGET = 1.10


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# contenders


def _kc_sync(base_url: str) -> Any:
    from kiwoom_client import KiwoomAPI

    api = KiwoomAPI(APPKEY, SECRET, base_url=base_url, rate_limit=None)
    # The sandbox requires the api-id header on the token request (au10001); kiwoom-client
    # sends none there, so its token client gets the header. Nothing timed goes through it.
    api._auth._client.headers["api-id"] = "au10001"
    return api


def _kc_async(base_url: str) -> Any:
    from kiwoom_client import AsyncKiwoomAPI

    api = AsyncKiwoomAPI(APPKEY, SECRET, base_url=base_url, rate_limit=None)
    api._auth._client.headers["api-id"] = "au10001"
    return api


def _raw_request(api_id: str, token: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"stk_cd": STK}, separators=(",", ":")).encode()
    headers = {"api-id": api_id, "content-type": CT, "authorization": "Bearer " + token}
    return body, headers


class Contenders:
    """Every client under test, connected and warm, against one sandbox."""

    def __init__(self, base_url: str, token: str, loop: asyncio.AbstractEventLoop) -> None:
        self.base_url = base_url
        self.token = token
        self.loop = loop
        self.raw = httpx.Client(timeout=10.0)
        self.ours = Client(appkey=APPKEY, secretkey=SECRET, base_url=base_url, rate_limit=None)
        self.kc = _kc_sync(base_url)

        async def make() -> tuple[Any, Any, Any]:
            return (
                httpx.AsyncClient(timeout=10.0),
                AsyncClient(appkey=APPKEY, secretkey=SECRET, base_url=base_url, rate_limit=None),
                _kc_async(base_url),
            )

        self.araw, self.aours, self.akc = loop.run_until_complete(make())

    # -- sync: one call --
    def raw_call(self, api_id: str) -> Callable[[], Any]:
        client, url, token = self.raw, self.base_url + PATHS[api_id], self.token

        def call() -> Any:
            # headers and body built by hand, json.loads of the body: the floor
            headers = {"api-id": api_id, "content-type": CT, "authorization": "Bearer " + token}
            content = json.dumps({"stk_cd": STK}, separators=(",", ":")).encode()
            return json.loads(client.post(url, content=content, headers=headers).content)

        return call

    def ours_call(self, api_id: str) -> Callable[[], Any]:
        c = self.ours
        if api_id == "ka10001":
            return lambda: c.get_stock_info(stk_cd=STK)
        # Rows are built on first access: build them all, as a caller reading them would.
        return lambda: _rows(c.get_stock_daily_weekly_monthly(stk_cd=STK))

    def kc_call(self, api_id: str) -> Callable[[], Any]:
        api = self.kc
        if api_id == "ka10001":
            return lambda: api.stock_info.basic_stock_info(stk_cd=STK)
        return lambda: api.market.stock_daily_weekly_monthly(stk_cd=STK, cont_yn="N", next_key="")

    # -- async: one call (coroutine factory) --
    def araw_call(self, api_id: str) -> Callable[[], Awaitable[Any]]:
        client, url, token = self.araw, self.base_url + PATHS[api_id], self.token

        async def call() -> Any:
            headers = {"api-id": api_id, "content-type": CT, "authorization": "Bearer " + token}
            content = json.dumps({"stk_cd": STK}, separators=(",", ":")).encode()
            return json.loads((await client.post(url, content=content, headers=headers)).content)

        return call

    def aours_call(self, api_id: str) -> Callable[[], Awaitable[Any]]:
        c = self.aours
        if api_id == "ka10001":
            return lambda: c.get_stock_info(stk_cd=STK)

        async def call() -> Any:
            return _rows(await c.get_stock_daily_weekly_monthly(stk_cd=STK))

        return call

    def akc_call(self, api_id: str) -> Callable[[], Awaitable[Any]]:
        api = self.akc
        if api_id == "ka10001":
            return lambda: api.stock_info.basic_stock_info(stk_cd=STK)
        return lambda: api.market.stock_daily_weekly_monthly(stk_cd=STK, cont_yn="N", next_key="")

    def close(self) -> None:
        self.raw.close()
        self.ours.close()
        self.kc.close()

        async def aclose() -> None:
            await self.araw.aclose()
            await self.aours.aclose()
            await self.akc.close()

        self.loop.run_until_complete(aclose())


# --------------------------------------------------------------------------------------------
# 1. per-call overhead


def _time_sync(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    clock = time.perf_counter
    for _ in range(n):
        start = clock()
        fn()
        out.append(clock() - start)
    return out


def _time_async(
    loop: asyncio.AbstractEventLoop, fn: Callable[[], Awaitable[Any]], n: int, batches: int
) -> list[float]:
    """Per-call wall time (batch total / n) of ``batches`` batches of ``n`` concurrent calls."""

    async def run() -> list[float]:
        out = []
        for _ in range(batches):
            start = time.perf_counter()
            await asyncio.gather(*(fn() for _ in range(n)))
            out.append((time.perf_counter() - start) / n)
        return out

    return loop.run_until_complete(run())


def bench_per_call(con: Contenders) -> dict[str, Any]:
    loop = con.loop
    result: dict[str, Any] = {}
    for api_id in ("ka10001", "ka10005"):
        sync = {
            "raw_httpx": con.raw_call(api_id),
            "ours": con.ours_call(api_id),
            "kiwoom_client": con.kc_call(api_id),
        }
        asyn = {
            "raw_httpx_async": con.araw_call(api_id),
            "ours_async": con.aours_call(api_id),
            "kiwoom_client_async": con.akc_call(api_id),
        }
        for fn in sync.values():
            _time_sync(fn, WARMUP)
        for afn in asyn.values():
            _time_async(loop, afn, ASYNC_N, 3)
        samples: dict[str, list[float]] = {k: [] for k in (*sync, *asyn)}
        rounds: dict[str, list[float]] = {k: [] for k in samples}  # per-round medians
        names = list(samples)
        for r in range(ROUNDS):
            random.shuffle(names)
            for name in names:
                gc.collect()
                if name in sync:
                    got = _time_sync(sync[name], CALLS_PER_ROUND)
                else:
                    got = _time_async(loop, asyn[name], ASYNC_N, BATCHES_PER_ROUND)
                samples[name] += got
                rounds[name].append(statistics.median(got))
            if r == 0 or (r + 1) % 5 == 0:
                log(f"  {api_id} round {r + 1}/{ROUNDS}")

        def ratio(a: str, b: str, samples: Any = samples, rounds: Any = rounds) -> dict[str, Any]:
            overall = statistics.median(samples[a]) / statistics.median(samples[b])
            per_round = [x / y for x, y in zip(rounds[a], rounds[b], strict=True)]
            return {"ratio": overall, "per_round": ratio_summary(per_round)}

        result[api_id] = {
            "calls_us": {k: summary(v, 1e6) for k, v in samples.items()},
            "ours_vs_raw": ratio("ours", "raw_httpx"),
            "ours_vs_kiwoom_client": ratio("ours", "kiwoom_client"),
            "async_ours_vs_raw": ratio("ours_async", "raw_httpx_async"),
            "async_ours_vs_kiwoom_client": ratio("ours_async", "kiwoom_client_async"),
            "overhead_us": (
                statistics.median(samples["ours"]) - statistics.median(samples["raw_httpx"])
            )
            * 1e6,
            "async_n": ASYNC_N,
            "rows": LIST_ROWS if api_id == "ka10005" else None,
        }
    return result


def bench_no_network(rounds: int = 15, calls: int = 200) -> dict[str, Any]:
    """Client CPU alone: ours vs raw httpx on an ``httpx.MockTransport`` serving the same bytes.

    Separates what our code costs from what a loopback round trip does to it (cold caches
    after every blocking read make the same instructions slower over real HTTP, and the
    server shares the two cores). Timed in process CPU time (everything runs in this
    process), so time the scheduler gives to other processes of a shared machine is not
    counted. The contenders alternate in shuffled order within a round; the ratio is taken
    per round too, so its spread shows what the machine did.
    """
    from _nonet import NoNetwork

    bench = NoNetwork(LIST_ROWS)
    out: dict[str, Any] = {}
    try:
        for api_id in ("ka10001", "ka10005"):
            jobs = bench.jobs(api_id)
            n = calls if api_id == "ka10001" else calls // 10
            for fn in jobs.values():
                _time_sync(fn, WARMUP)
            samples: dict[str, list[float]] = {k: [] for k in jobs}
            per_round: list[float] = []
            names = list(jobs)
            for _ in range(rounds):
                random.shuffle(names)
                got: dict[str, float] = {}
                for name in names:
                    gc.collect()
                    start = time.process_time()
                    for _ in range(n):
                        jobs[name]()
                    got[name] = (time.process_time() - start) / n
                    samples[name].append(got[name])
                per_round.append(got["ours"] / got["raw_httpx"])
            med = {k: statistics.median(v) for k, v in samples.items()}
            out[api_id] = {
                "calls_us": {k: summary(v, 1e6) for k, v in samples.items()},
                "ours_vs_raw": med["ours"] / med["raw_httpx"],
                "ours_vs_raw_rounds": ratio_summary(per_round),
                "overhead_us": (med["ours"] - med["raw_httpx"]) * 1e6,
                "rows": LIST_ROWS if api_id == "ka10005" else None,
            }
    finally:
        bench.close()
    return out


# --------------------------------------------------------------------------------------------
# 2. decoding


def _synthetic_bytes(rows: int) -> bytes:
    from _nonet import list_body

    return list_body(rows)


def _raw_for(data: bytes, body: dict[str, Any]) -> RawResponse:
    headers = httpx.Headers(
        {"api-id": "ka10005", "cont-yn": "N", "next-key": "", "content-type": CT}
    )
    return RawResponse.from_parts(status_code=200, headers=headers, content=data, body=body)


def _rows(model: Any) -> Any:
    """Build every LIST row of a response (rows are models built on first access)."""
    rows = getattr(model, "stk_ddwkmm", None)
    if rows is not None:
        tuple(rows)
    return model


def bench_decode() -> dict[str, Any]:
    from kiwoom_typed.tr.ka10005 import ENDPOINT

    decode = ENDPOINT.decode
    out: dict[str, Any] = {}
    for rows, reps in ((1_000, 21), (10_000, 9)):
        data = _synthetic_bytes(rows)
        body = json.loads(data)
        raw = _raw_for(data, body)
        model = decode(body, raw)
        assert len(model.stk_ddwkmm) == rows
        jobs: dict[str, Callable[[], Any]] = {
            "json_loads": lambda data=data: json.loads(data),
            "decode": lambda body=body, raw=raw: _rows(decode(body, raw)),
            "loads_and_decode": lambda data=data, raw=raw: _rows(decode(json.loads(data), raw)),
        }
        samples: dict[str, list[float]] = {k: [] for k in jobs}
        for _ in range(3):  # warm-up
            for fn in jobs.values():
                fn()
        names = list(jobs)
        per_round: list[float] = []
        for _ in range(reps):
            random.shuffle(names)
            got = {}
            for name in names:
                gc.collect()
                start = time.perf_counter()
                jobs[name]()
                got[name] = time.perf_counter() - start
                samples[name].append(got[name])
            per_round.append(got["decode"] / got["json_loads"])
        loads_med = statistics.median(samples["json_loads"])
        out[str(rows)] = {
            "bytes": len(data),
            "ms": {k: summary(v, 1e3) for k, v in samples.items()},
            "decode_vs_json_loads": statistics.median(samples["decode"]) / loads_med,
            "decode_vs_json_loads_rounds": ratio_summary(per_round),
            "bytes_to_models_vs_json_loads": statistics.median(samples["loads_and_decode"])
            / loads_med,
            "memory": _memory(data, rows),
        }
    return out


def _memory(data: bytes, rows: int) -> dict[str, float]:
    """tracemalloc bytes per row: plain dicts vs models (the input bytes are not counted)."""
    from kiwoom_typed.tr.ka10005 import ENDPOINT

    def traced(fn: Callable[[], Any]) -> tuple[int, int, Any]:
        gc.collect()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            kept = fn()
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return current, peak, kept

    d_cur, d_peak, kept = traced(lambda: json.loads(data))
    del kept

    def models_only() -> Any:
        body = json.loads(data)
        return _rows(ENDPOINT.decode(body, None))  # the models, all rows built

    m_cur, m_peak, kept = traced(models_only)
    del kept

    def as_returned() -> Any:
        body = json.loads(data)
        return _rows(ENDPOINT.decode(body, _raw_for(data, body)))  # .raw keeps the body

    c_cur, c_peak, kept = traced(as_returned)
    del kept
    return {
        "dicts_peak_per_row": d_peak / rows,
        "dicts_retained_per_row": d_cur / rows,
        "models_peak_per_row": m_peak / rows,
        "models_retained_per_row": m_cur / rows,
        "client_result_retained_per_row": c_cur / rows,
        "client_result_peak_per_row": c_peak / rows,
        "wire_bytes_per_row": len(data) / rows,
    }


# --------------------------------------------------------------------------------------------
# 3. paging


def bench_paging(con: Contenders, rounds: int = 7) -> dict[str, Any]:
    url = con.base_url + PATHS["ka10005"]

    def raw_loop() -> int:
        items: list[Any] = []
        key = None
        while True:
            headers = {
                "api-id": "ka10005",
                "content-type": CT,
                "authorization": "Bearer " + con.token,
            }
            if key:
                headers["cont-yn"] = "Y"
                headers["next-key"] = key
            content = json.dumps({"stk_cd": STK}, separators=(",", ":")).encode()
            response = con.raw.post(url, content=content, headers=headers)
            items.extend(json.loads(response.content)["stk_ddwkmm"])
            if response.headers.get("cont-yn") != "Y":
                return len(items)
            key = response.headers["next-key"]

    def ours() -> int:
        pager = con.ours.get_stock_daily_weekly_monthly_pages(stk_cd=STK, max_pages=None)
        return sum(1 for _ in pager.items())

    def kc_loop() -> int:
        items: list[Any] = []
        cont, key = "N", ""
        while True:
            data = con.kc.market.stock_daily_weekly_monthly(stk_cd=STK, cont_yn=cont, next_key=key)
            items.extend(data["stk_ddwkmm"])
            if data.get("cont-yn") != "Y" or not data.get("next-key"):
                return len(items)
            cont, key = "Y", data["next-key"]

    jobs = {"raw_httpx_loop": raw_loop, "ours_pager": ours, "kiwoom_client_loop": kc_loop}
    expected = PAGES * LIST_ROWS
    for fn in jobs.values():
        got = fn()
        assert got == expected, f"paging returned {got} items, expected {expected}"
    samples: dict[str, list[float]] = {k: [] for k in jobs}
    per_round: list[float] = []
    names = list(jobs)
    for _ in range(rounds):
        random.shuffle(names)
        got: dict[str, float] = {}
        for name in names:
            gc.collect()
            start = time.perf_counter()
            jobs[name]()
            got[name] = expected / (time.perf_counter() - start)
            samples[name].append(got[name])
        per_round.append(got["ours_pager"] / got["raw_httpx_loop"])
    return {
        "pages": PAGES,
        "rows_per_page": LIST_ROWS,
        "items_per_s": {k: summary(v) for k, v in samples.items()},
        "ours_vs_raw": statistics.median(samples["ours_pager"])
        / statistics.median(samples["raw_httpx_loop"]),
        "ours_vs_raw_rounds": ratio_summary(per_round),
        "ours_vs_kiwoom_client": statistics.median(samples["ours_pager"])
        / statistics.median(samples["kiwoom_client_loop"]),
    }


# --------------------------------------------------------------------------------------------
# 4. rate-limit utilization


def _record_schedule(limiter: RateLimiter) -> list[float]:
    """Wrap ``limiter.reserve`` (on the instance) to record each slot's scheduled time."""
    slots: list[float] = []
    reserve = limiter.reserve
    clock = time.monotonic

    def recording(api_id: str) -> float:
        delay = reserve(api_id)
        slots.append(clock() + delay)
        return delay

    limiter.reserve = recording  # type: ignore[method-assign]
    return slots


def _bucket_levels(times: list[tuple[float, bool]], limit: ServerRateLimit) -> list[float]:
    """Replay the server bucket: its level (tokens) at each arrival, before taking one."""
    tokens, stamp, levels = float(limit.burst), None, []
    for t, _ in times:
        if stamp is not None:
            tokens = min(float(limit.burst), tokens + max(0.0, t - stamp) * limit.rate)
        stamp = t
        levels.append(tokens)
        if tokens >= 1.0:
            tokens -= 1.0
    return levels


def _analyse(
    decisions: list[tuple[float, str, bool]],
    slots: list[float],
    rate: float,
    client_burst: int,
    server_limit: ServerRateLimit,
    seconds: float,
) -> dict[str, Any]:
    arrivals = sorted((t, ok) for t, api_id, ok in decisions if api_id == "ka10001")
    accepted = [t for t, ok in arrivals if ok]
    rejected = sum(1 for _, ok in arrivals if not ok)
    n = len(accepted)
    span = accepted[-1] - accepted[0] if n > 1 else float("nan")
    steady = (n - client_burst) / (span * rate) if n > client_burst and span > 0 else float("nan")
    gaps = [b - a for a, b in itertools.pairwise(accepted)]
    levels = _bucket_levels(arrivals, server_limit)
    lags: list[float] = []
    if len(slots) >= len(arrivals):  # one slot per attempt; cancelled tasks leave extra slots
        paired = sorted(slots)[: len(arrivals)]
        lags = [t - s for (t, _), s in zip(arrivals, paired, strict=True)]
    rejected_info = []
    prev_ok: float | None = None
    for i, (t, ok) in enumerate(arrivals):
        if not ok and len(rejected_info) < 5:
            rejected_info.append(
                {
                    "index": i,
                    "gap_to_previous_accepted_ms": None if prev_ok is None else (t - prev_ok) * 1e3,
                    "bucket_level": levels[i],
                    "lag_ms": lags[i] * 1e3 if lags else None,
                }
            )
        if ok:
            prev_ok = t
    return {
        "accepted": n,
        "rejections": rejected,
        "achieved_rate": (n - client_burst) / span if n > client_burst else float("nan"),
        "utilization": steady,
        "count_vs_rate_times_seconds": n / (rate * seconds),
        "min_gap_ms": min(gaps) * 1e3 if gaps else None,
        "median_gap_ms": statistics.median(gaps) * 1e3 if gaps else None,
        "min_bucket_level": min(levels[i] for i, (_, ok) in enumerate(arrivals) if ok)
        if n
        else None,
        "lag_ms": summary(lags, 1e3) if lags else None,
        "lag_first_ms": lags[0] * 1e3 if lags else None,
        "first_rejections": rejected_info,
    }


def _rate_sync(sb: RemoteSandbox, client_kwargs: dict[str, Any], seconds: float) -> dict[str, Any]:
    client = Client(appkey=APPKEY, secretkey=SECRET, base_url=sb.base_url, **client_kwargs)
    client.tokens.get()  # token issued before the clock starts
    assert client.rate_limiter is not None
    slots = _record_schedule(client.rate_limiter)
    sb.reset()
    ok = failed = 0
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        try:
            client.get_stock_info(stk_cd=STK)
            ok += 1
        except RateLimitError:
            failed += 1
    elapsed = time.monotonic() - start
    client.close()
    return {"calls_ok": ok, "calls_failed": failed, "elapsed": elapsed, "slots": slots}


def _rate_async(
    sb: RemoteSandbox,
    loop: asyncio.AbstractEventLoop,
    client_kwargs: dict[str, Any],
    seconds: float,
    tasks: int = 20,
) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        client = AsyncClient(appkey=APPKEY, secretkey=SECRET, base_url=sb.base_url, **client_kwargs)
        await client.tokens.get()
        assert client.rate_limiter is not None
        slots = _record_schedule(client.rate_limiter)
        sb.reset()
        counts = {"ok": 0, "failed": 0}

        async def worker() -> None:
            while True:
                try:
                    await client.get_stock_info(stk_cd=STK)
                    counts["ok"] += 1
                except RateLimitError:
                    counts["failed"] += 1

        start = time.monotonic()
        workers = [asyncio.create_task(worker()) for _ in range(tasks)]
        await asyncio.sleep(seconds)
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        elapsed = time.monotonic() - start
        await client.aclose()
        return {
            "calls_ok": counts["ok"],
            "calls_failed": counts["failed"],
            "elapsed": elapsed,
            "slots": slots,
        }

    return loop.run_until_complete(run())


def bench_rate(sb: RemoteSandbox, loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    seconds = RATE_SECONDS
    cases = [
        # name, server config, binding server bucket, client kwargs (factory), rate, client burst
        (
            "global_5_per_s",
            {"global_limit": ServerRateLimit(5.0, 5), "per_api_limit": None},
            ServerRateLimit(5.0, 5),
            lambda: {},  # the client's default limiter: DEFAULT_RATE_LIMIT
            5.0,
            DEFAULT_RATE_LIMIT.burst,
        ),
        (
            "per_tr_1_per_s_burst_2",
            {"global_limit": None, "per_api_limit": ServerRateLimit(1.0, 2)},
            ServerRateLimit(1.0, 2),
            lambda: {
                "rate_limit": RateLimiter(
                    DEFAULT_RATE_LIMIT, default_per_api=ClientRateLimit(1.0, 2)
                )
            },
            1.0,
            2,
        ),
    ]
    out: dict[str, Any] = {"seconds": seconds, "cases": {}}
    for name, server, bucket, kwargs, rate, burst in cases:
        sb.configure(**server)
        for mode in ("one_caller", "async_20_tasks"):
            log(f"  rate {name} {mode}: {seconds:.0f} s")
            if mode == "one_caller":
                run = _rate_sync(sb, kwargs(), seconds)
            else:
                run = _rate_async(sb, loop, kwargs(), seconds)
            analysis = _analyse(sb.decisions(), run.pop("slots"), rate, burst, bucket, seconds)
            analysis.update(run)
            analysis["requests_logged"] = sb.request_count("ka10001")
            analysis["allowed_rate"] = rate
            scan = 2500 / analysis["achieved_rate"] if analysis["achieved_rate"] > 0 else None
            analysis["scan_2500_s"] = scan
            out["cases"][f"{name}/{mode}"] = analysis
    # Diagnostic: the default limiter against a strict server bucket (5/s, burst 1).
    diag_seconds = min(seconds, 10.0)
    sb.configure(global_limit=ServerRateLimit(5.0, 1), per_api_limit=None)
    log(f"  rate diagnostic: server 5/s burst 1, one caller, {diag_seconds:.0f} s")
    run = _rate_sync(sb, {}, diag_seconds)
    analysis = _analyse(
        sb.decisions(), run.pop("slots"), 5.0, 1, ServerRateLimit(5.0, 1), diag_seconds
    )
    analysis.update(run)
    out["diagnostic_strict_burst_1"] = analysis
    sb.configure(global_limit=None, per_api_limit=None)
    sb.reset()
    return out


# --------------------------------------------------------------------------------------------
# 5. codegen scale, import, time to first call


def bench_codegen(base_url: str) -> dict[str, Any]:
    """Generator scale (200 synthetic TRs) and start-up in fresh interpreters, ours beside
    kiwoom-client and the CLI beside ``python -c pass`` (bench/startup.py)."""
    import codegen_bench
    import startup

    gen = codegen_bench.generate_200_seconds()
    imp = codegen_bench.import_ms()
    started = startup.run(base_url, STARTUP_ROUNDS)
    return {
        "generate_200_s": gen,
        "import_ms": imp,
        "first_call": started["first_call"]["ms"],
        "startup": started,
    }


def _per_op_us(fn: Callable[[], Any], number: int = 2000, repeat: int = 7) -> float:
    """Median over ``repeat`` runs of the mean time of ``fn`` (microseconds)."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs) * 1e6


def stage_costs(con: Contenders) -> dict[str, Any]:
    """The client-side steps of one call, each timed alone on a recorded answer (no network).

    Uses the runtime's private steps (``_prepare``, ``_request``, ``_encode_body``,
    ``_process``); a step the runtime no longer has is reported as null.
    """
    import kiwoom_typed.tr.ka10001 as t01
    import kiwoom_typed.tr.ka10005 as t05

    out: dict[str, Any] = {}
    client = con.ours
    for api_id, tr, request in (
        ("ka10001", t01, t01.Ka10001Request(stk_cd=STK)),
        ("ka10005", t05, t05.Ka10005Request(stk_cd=STK)),
    ):
        endpoint = tr.ENDPOINT
        body_bytes, headers = _raw_request(api_id, con.token)
        response = con.raw.post(con.base_url + PATHS[api_id], content=body_bytes, headers=headers)
        response.read()
        steps: dict[str, Callable[[], Any]] = {
            "json.loads (raw pays it)": lambda r=response: json.loads(r.content),
            "kiwoom_runtime._json.loads (orjson)": lambda r=response: _json.loads(r.content),
            "encode request (_prepare)": lambda e=endpoint, q=request: client._prepare(e, q),
            "request body bytes (_encode_body)": lambda: client._encode_body({"stk_cd": STK}),
            "httpx.Request from prepared parts (_request)": lambda e=endpoint: client._request(
                client._http, e, b'{"stk_cd":"005930"}', con.token, False, None, client.timeout
            ),
            "token lookup (tokens.get)": client.tokens.get,
            "status/envelope check + RawResponse (_process, incl. parsing)": (
                lambda e=endpoint, r=response: client._process(e, r, 0.0)
            ),
            "RawResponse.from_parts": lambda r=response: RawResponse.from_parts(
                status_code=200, headers=r.headers, content=r.content, body=None
            ),
        }
        raw = client._process(endpoint, response, 0.0)
        steps["decode into the model, rows built (endpoint.decode)"] = lambda e=endpoint, w=raw: (
            _rows(e.decode(w.body, w))
        )
        costs: dict[str, float | None] = {}
        for name, fn in steps.items():
            try:
                costs[name] = _per_op_us(fn, number=500 if api_id == "ka10005" else 2000)
            except Exception as exc:  # a private step renamed by a runtime refactor
                log(f"  stage {name}: skipped ({type(exc).__name__}: {exc})")
                costs[name] = None
        out[api_id] = costs
    return out


# --------------------------------------------------------------------------------------------
# 6. profile


def _ours(path: str | None) -> str | None:
    if not path:
        return None
    for pkg in ("kiwoom_runtime", "kiwoom_typed"):
        marker = f"/{pkg}/"
        if marker in path:
            return pkg + "/" + path.split(marker, 1)[1]
    return None


def profile_calls(fn: Callable[[], Any], n: int) -> dict[str, Any]:
    """Where our code spends a call, outside the HTTP round trip that raw httpx also pays.

    Every sample is charged to the innermost frame of our code on its stack (so library calls
    our code makes, e.g. ``httpx.Headers.get`` or attrs ``__init__``, count as that function's
    cost), except samples inside ``httpx.Client.post``/``AsyncClient.post``, which are the
    shared transport cost. Shares are of the whole per-call wall time.
    """
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"tool": None, "note": "pyinstrument is not installed (pip install pyinstrument)"}
    for _ in range(WARMUP):
        fn()
    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(n):
        fn()
    session = profiler.stop()
    root = session.root_frame()
    assert root is not None
    total = root.time
    charged: dict[str, float] = {}
    inclusive: dict[str, float] = {}
    transport = 0.0

    def walk(frame: Any, owner: str | None, in_post: bool, seen: frozenset[str]) -> None:
        nonlocal transport
        path = frame.file_path or ""
        rel = _ours(path)
        name = f"{rel}:{frame.function}" if rel else None
        if name is not None and not in_post:
            owner = name
            if name not in seen:
                inclusive[name] = inclusive.get(name, 0.0) + frame.time
                seen = seen | {name}
        if frame.function == "post" and "/httpx/" in path:
            in_post = True
        # self time = own time minus children (synthetic "[self]" children included)
        self_time = frame.time - sum(child.time for child in frame.children)
        if in_post:
            transport += self_time
        elif owner is not None:
            charged[owner] = charged.get(owner, 0.0) + self_time
        for child in frame.children:
            walk(child, owner, in_post, seen)

    walk(root, None, False, frozenset())
    ours_total = sum(charged.values())
    top = sorted(charged.items(), key=lambda kv: -kv[1])[:10]
    return {
        "tool": "pyinstrument",
        "calls": n,
        "per_call_us": total / n * 1e6,
        "transport_share": transport / total,
        "ours_share": ours_total / total,
        "top_self": [{"where": k, "share": v / total, "us_per_call": v / n * 1e6} for k, v in top],
        "top_inclusive": [
            {"where": k, "share": v / total}
            for k, v in sorted(inclusive.items(), key=lambda kv: -kv[1])[:12]
        ],
    }


# --------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import kiwoom_client

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "httpx": httpx.__version__,
        "kiwoom_client": getattr(kiwoom_client, "__version__", "?"),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rate_seconds": RATE_SECONDS,
        "rounds": ROUNDS,
    }


#: The real-time contender the target is about: decoding with the generated typed models.
REALTIME_TYPED = "decode_frame (generated typed models)"


def main() -> None:
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine()}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    sandbox = RemoteSandbox(
        specs_dir=SPECS,
        fixtures_dir=FIXTURES,
        pages_for={"ka10005": PAGES},
        rows_per_page=LIST_ROWS,
    )
    with sandbox as sb:
        token = sb.issue_token()
        con = Contenders(sb.base_url, token, loop)
        try:
            log("1. per-call overhead")
            per_call = bench_per_call(con)
            sb.reset()
            log("3. paging")
            paging = bench_paging(con)
            sb.reset()
            log("6. stage costs")
            stages = stage_costs(con)
            profiles: dict[str, Any] = {}
            for api_id in ("ka10001", "ka10005"):
                if per_call[api_id]["ours_vs_raw"]["ratio"] > PER_CALL_TARGET:
                    log(f"7. profile: ours on {api_id}")
                    profiles[api_id] = profile_calls(con.ours_call(api_id), 3000)
            sb.reset()
        finally:
            con.close()
        log("1b. client CPU without network (MockTransport), and its profile")
        no_network = bench_no_network()
        import _nonet

        nonet_profile = _nonet.profiles()
        log("2. decoding")
        decode = bench_decode()
        log("4. rate limits")
        rate = bench_rate(sb, loop)
        log("5. codegen, import, first call")
        codegen = bench_codegen(sb.base_url)
    loop.close()
    log("8. the catalogue: generate, import, mypy, wheel (beside references)")
    import catalogue_bench

    catalogue = catalogue_bench.run()
    log("9. real-time (bench/realtime_bench.py)")
    realtime = realtime_bench.run()
    log("10. market history downloads (bench/history_bench.py)")
    from history_bench import bench_history

    history = bench_history()

    cases = rate["cases"]
    results.update(
        {
            "call_vs_httpx": per_call["ka10001"]["ours_vs_raw"]["ratio"],
            "call_vs_httpx_list": per_call["ka10005"]["ours_vs_raw"]["ratio"],
            "call_vs_kiwoom_client": per_call["ka10001"]["ours_vs_kiwoom_client"]["ratio"],
            "call_vs_kiwoom_client_list": per_call["ka10005"]["ours_vs_kiwoom_client"]["ratio"],
            "async_call_vs_httpx": per_call["ka10001"]["async_ours_vs_raw"]["ratio"],
            "async_call_vs_httpx_list": per_call["ka10005"]["async_ours_vs_raw"]["ratio"],
            "decode_vs_json_loads": decode["10000"]["decode_vs_json_loads"],
            "decode_vs_json_loads_1000": decode["1000"]["decode_vs_json_loads"],
            "paging_vs_httpx_loop": paging["ours_vs_raw"],
            "rate_utilization": min(c["utilization"] for c in cases.values()),
            "rate_rejections": sum(c["rejections"] for c in cases.values()),
            "generate_200_s": codegen["generate_200_s"],
            "import_ms": codegen["import_ms"],
            "first_call_ms": codegen["first_call"]["kiwoom_typed"]["total_ms"]["median"],
            "cpu_vs_httpx": no_network["ka10001"]["ours_vs_raw"],
            "cpu_vs_httpx_list": no_network["ka10005"]["ours_vs_raw"],
            "first_call_vs_kiwoom_client": codegen["startup"]["first_call"][
                "ours_vs_kiwoom_client"
            ]["total_ms"]["ratio"],
            "import_vs_kiwoom_client": codegen["startup"]["imports"]["ours_vs_kiwoom_client"][
                "ratio"
            ],
            "cli_help_extra_ms": codegen["startup"]["cli"]["help_extra_ms"]["median"],
            "cli_call_extra_ms": codegen["startup"]["cli"]["call_ka10001_extra_ms"]["median"],
            "per_call": per_call,
            "decode": decode,
            "paging": paging,
            "rate": rate,
            "codegen": codegen,
            "profile": profiles,
            "stages_us": stages,
            "no_network": no_network,
            "profile_no_network": nonet_profile,
            "catalogue": catalogue,
            "realtime": realtime,
            "realtime_decode_vs_json_loads": realtime["decode"][REALTIME_TYPED][
                "ratio_vs_json_loads"
            ],
            "history": history,
            "bench_seconds": time.perf_counter() - started,
        }
    )
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(results)
    write_markdown(results, ROOT / "BENCHMARKS.md")
    log(f"wrote {RESULTS.relative_to(ROOT)} and BENCHMARKS.md in {results['bench_seconds']:.0f} s")


if __name__ == "__main__":
    main()
