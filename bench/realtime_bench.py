"""Real-time benchmarks: decoding throughput and loopback delivery latency.

``make bench`` runs it (``bench/run.py``, section "Real-time" of BENCHMARKS.md); alone,
``.venv/bin/python bench/realtime_bench.py`` writes ``bench/realtime_results.json``. Nothing
asserts on time and nothing leaves 127.0.0.1.

1. **Decode.** The same REAL frames (0B 주식체결 and 0D 호가잔량 records as the sandbox serves
   them from the specs: 43 and 163 fields) are decoded by five contenders, interleaved round by
   round in a shuffled order: ``json.loads`` alone (the floor), ``decode_frame`` with the
   generic :class:`RealtimeData`, ``decode_frame`` with the models generated from the specs
   (``kiwoom_typed.realtime``: ``StockTrade``, ``OrderBook``; the session's default), the same
   plus reading one typed value per record (a parse), and the session's own per-frame path with
   the generated models (``json.loads`` + decode + the bounded queue, drained by a consumer).
   Figures are frames per second (median of the rounds) and the per-round ratio of time
   against ``json.loads`` (target: within 1.5x).
2. **Latency.** The WebSocket sandbox runs in a child process (on a thread here it would share
   the GIL with the session under test) and stamps every REAL record with
   ``time.perf_counter_ns()`` just before sending it; the session's consumer takes the
   difference when ``async for`` hands it the event (``CLOCK_MONOTONIC`` is system-wide on
   Linux). Median, p99 and max per load.

Environment: ``BENCH_RT_ROUNDS`` (default 15), ``BENCH_RT_SECONDS`` (default 5, per latency load).
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing as mp
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for p in (str(ROOT / "src"), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from _stats import quantile  # noqa: E402

from kiwoom_realtime import AsyncRealtimeSession, DecoderRegistry, RealtimeData  # noqa: E402
from kiwoom_realtime import decode_frame as decode_real_frame  # noqa: E402

RESULTS = BENCH / "realtime_results.json"
ROUNDS = int(os.environ.get("BENCH_RT_ROUNDS", "15"))
SECONDS = float(os.environ.get("BENCH_RT_SECONDS", "5"))
FRAMES = 2000
TARGET = 1.5
#: The consumer catches up every BATCH frames (websockets buffers 16 frames per connection):
#: events are consumed while they are young, as in a session, not after all 2000 piled up.
BATCH = 16
STAMP = "_sent_ns"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# 1. decode


def make_frames(n: int) -> list[str]:
    """``n`` REAL frames, one record each: 4 of 5 are 0B (43 fields), 1 of 5 is 0D (163), with
    values as the sandbox makes them from the specs (the REST price path)."""
    import datetime as dt

    from kiwoom_sandbox.market import Market
    from kiwoom_sandbox.realtime_specs import MarketValues, spec_table

    table = spec_table(ROOT / "specs")
    market = Market(0)
    day = dt.date(2025, 1, 31)
    sources = {
        (t, code): MarketValues(market, day, code, t, table[t])
        for t in ("0B", "0D")
        for code in ("005930", "000660", "035420")
    }
    rng = random.Random(0)
    out = []
    for i in range(n):
        type_code = "0D" if i % 5 == 4 else "0B"
        code = rng.choice(("005930", "000660", "035420"))
        record = {
            "type": type_code,
            "name": table[type_code].name,
            "item": code,
            "values": sources[(type_code, code)].next_values(),
        }
        out.append(json.dumps({"trnm": "REAL", "data": [record]}, ensure_ascii=False))
    return out


def _session_path(decoders: DecoderRegistry) -> Callable[[list[str]], int]:
    """The session's per-frame work without the socket: parse, decode, queue, consume."""
    loop = asyncio.new_event_loop()
    rt = AsyncRealtimeSession(
        "bench-token-0123456789", env="prod", queue_size=2 * FRAMES, decoders=decoders
    )
    queue = rt._queue  # the benchmark drives the session's own code, without a socket
    rt._supervisor = loop.create_future()  # counts as open

    def run(frames: list[str]) -> int:
        async def go() -> int:
            loads, on_real, anext = json.loads, rt._on_real, rt.__anext__
            n = 0
            for raw in frames:  # what the reader does per frame
                frame = loads(raw)
                if frame.get("trnm") == "REAL":
                    on_real(frame)
                if len(queue) >= BATCH:
                    while len(queue):  # what `async for event in session` does per event
                        await anext()
                        n += 1
            while len(queue):
                await anext()
                n += 1
            return n

        return loop.run_until_complete(go())

    return run


def bench_decode() -> dict[str, Any]:
    from kiwoom_typed.realtime import DECODERS, OrderBook, StockTrade

    frames = make_frames(FRAMES)
    typed = DecoderRegistry(DECODERS)  # the generated models, as sessions use them by default
    generic = DecoderRegistry()

    def loads_only(fs: list[str]) -> int:
        loads = json.loads
        for raw in fs:
            loads(raw)
        return len(fs)

    def generic_decode(fs: list[str]) -> int:
        for raw in fs:
            decode_real_frame(raw, generic)
        return len(fs)

    def typed_decode(fs: list[str]) -> int:
        for raw in fs:
            decode_real_frame(raw, typed)
        return len(fs)

    def typed_read(fs: list[str]) -> int:
        for raw in fs:
            for event in decode_real_frame(raw, typed):
                if isinstance(event, StockTrade):
                    event.typed.cur_prc  # noqa: B018 - the parse is what is measured
                elif isinstance(event, OrderBook):
                    event.typed.sel_bid_1  # noqa: B018
        return len(fs)

    contenders: dict[str, Callable[[list[str]], int]] = {
        "json.loads": loads_only,
        "decode_frame (RealtimeData)": generic_decode,
        "decode_frame (generated typed models)": typed_decode,
        "typed models + one typed value read": typed_read,
        "session path (typed models + queue + consumer)": _session_path(typed),
    }
    sample = decode_real_frame(frames[0], generic)[0]
    assert isinstance(sample, RealtimeData)
    assert isinstance(decode_real_frame(frames[0], typed)[0], StockTrade | OrderBook)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up
        fn(frames[:200])
    order = list(contenders)
    for _ in range(ROUNDS):
        random.shuffle(order)
        for name in order:
            gc.collect()
            start = time.perf_counter()
            contenders[name](frames)
            times[name].append(time.perf_counter() - start)
    base = times["json.loads"]
    out: dict[str, Any] = {"frames": FRAMES, "rounds": ROUNDS, "target_ratio": TARGET}
    for name, samples in times.items():
        ratios = [t / b for t, b in zip(samples, base, strict=True)]
        out[name] = {
            "frames_per_s": FRAMES / statistics.median(samples),
            "us_per_frame": statistics.median(samples) / FRAMES * 1e6,
            "ratio_vs_json_loads": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
        }
    return out


# --------------------------------------------------------------------------------------------
# 2. latency


def _serve(conn: Connection, kwargs: dict[str, Any]) -> None:
    from kiwoom_sandbox.realtime import RealtimeSandbox

    with RealtimeSandbox(**kwargs) as sandbox:
        conn.send(sandbox.url)
        conn.recv()  # "stop"
        conn.send(sandbox.stats.real_frames)


async def _measure(url: str, items: int, seconds: float, warmup: float) -> dict[str, Any]:
    from kiwoom_typed.realtime import StockTrade as StockTradeModel  # the session's default

    latencies: list[float] = []
    codes = [f"{i:06d}" for i in range(items)]
    async with AsyncRealtimeSession("bench-token-0123456789", url=url, keepalive=None) as rt:
        await rt.subscribe(codes, "0B")
        start = time.perf_counter()
        async for event in rt:
            now = time.perf_counter_ns()
            elapsed = time.perf_counter() - start
            if not isinstance(event, RealtimeData | StockTradeModel):
                continue  # a control event
            if elapsed >= warmup:
                latencies.append((now - int(event.values[STAMP])) / 1e6)
            if elapsed >= warmup + seconds:
                break
        dropped = rt.stats.dropped
    return {
        "items": items,
        "frames_per_s": len(latencies) / seconds,
        "n": len(latencies),
        "median_ms": statistics.median(latencies),
        "p99_ms": quantile(latencies, 0.99),
        "max_ms": max(latencies),
        "dropped": dropped,
    }


def bench_latency() -> list[dict[str, Any]]:
    out = []
    for items, rate in ((1, 100.0), (50, 20.0)):
        parent, child = mp.Pipe()
        kwargs = {"rate": rate, "stamp_field": STAMP, "ping_interval": 5.0, "seed": 0}
        proc = mp.get_context("spawn").Process(target=_serve, args=(child, kwargs), daemon=True)
        proc.start()
        try:
            url = parent.recv()
            result = asyncio.run(_measure(url, items, SECONDS, warmup=0.5))
            result["offered_per_s"] = items * rate
            out.append(result)
            log(
                f"latency {items} item(s) x {rate:g}/s: median {result['median_ms']:.3f} ms, "
                f"p99 {result['p99_ms']:.3f} ms, max {result['max_ms']:.3f} ms "
                f"(n={result['n']})"
            )
        finally:
            parent.send("stop")
            parent.recv()
            proc.join(10)
    return out


def run() -> dict[str, Any]:
    """Both parts; ``make bench`` keeps them in bench/results.json (``realtime``)."""
    log(f"decode: {FRAMES} frames x {ROUNDS} rounds")
    decode = bench_decode()
    for name, row in decode.items():
        if isinstance(row, dict):
            log(
                f"  {name:44s} {row['frames_per_s']:>10,.0f} frames/s  "
                f"{row['us_per_frame']:6.2f} us/frame  x{row['ratio_vs_json_loads']:.2f} "
                f"(x{row['ratio_min']:.2f}-x{row['ratio_max']:.2f}) of json.loads"
            )
    latency = bench_latency()
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "decode": decode,
        "latency": latency,
    }
    return results


def main() -> None:
    results = run()
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    log(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
