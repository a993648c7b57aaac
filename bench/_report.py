"""Render ``bench/results.json`` as the stdout table and as ``BENCHMARKS.md``.

Everything printed comes from the results dict, so the Markdown can be regenerated from a saved
``results.json`` (``python bench/_report.py``) without running the benchmarks again.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_CONTENDERS = {
    "raw_httpx": "raw httpx (floor)",
    "ours": "kiwoom_typed Client",
    "kiwoom_client": "kiwoom-client 0.4.0",
    "raw_httpx_async": "raw httpx.AsyncClient",
    "ours_async": "kiwoom_typed AsyncClient",
    "kiwoom_client_async": "kiwoom-client AsyncKiwoomAPI",
}


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}f}"


def _ok(good: bool | None) -> str:
    return "n/a" if good is None else ("met" if good else "MISSED")


def _rng(x: dict[str, Any]) -> str:
    pr = x["per_round"]
    return f"{_f(x['ratio'])}x (rounds {_f(pr['min'])}-{_f(pr['max'])})"


def target_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, status) for every target."""
    pc = r["per_call"]
    rate = r["rate"]["cases"]
    rows: list[tuple[str, str, str, str]] = []
    for api_id, label in (
        ("ka10001", "ka10001"),
        ("ka10005", f"ka10005 ({pc['ka10005']['rows']} rows)"),
    ):
        x = pc[api_id]["ours_vs_raw"]
        rows.append(
            (
                f"per call {label}: Client / raw httpx",
                _rng(x),
                "<= 1.10x",
                _ok(x["ratio"] <= 1.10),
            )
        )
        y = pc[api_id]["async_ours_vs_raw"]
        rows.append(
            (
                f"per call {label}: AsyncClient / raw AsyncClient, N={pc[api_id]['async_n']}",
                _rng(y),
                "<= 1.10x",
                _ok(y["ratio"] <= 1.10),
            )
        )
        z = pc[api_id]["ours_vs_kiwoom_client"]
        rows.append(
            (
                f"per call {label}: Client / kiwoom-client",
                _rng(z),
                "< 1.00x",
                _ok(z["ratio"] < 1.0),
            )
        )
    for api_id, label in (("ka10001", "ka10001"), ("ka10005", "ka10005 (100 rows)")):
        nn = r["no_network"][api_id]
        spread = nn.get("ours_vs_raw_rounds")
        rows.append(
            (
                f"client CPU per call {label}, no network: Client / raw httpx + json.loads",
                f"{_f(nn['ours_vs_raw'])}x"
                + (f" (rounds {_f(spread['min'])}-{_f(spread['max'])})" if spread else ""),
                "<= 1.00x",
                _ok(nn["ours_vs_raw"] <= 1.0),
            )
        )
    for rows_n in ("1000", "10000"):
        d = r["decode"][rows_n]
        rows.append(
            (
                f"decode {int(rows_n):,} rows: models / json.loads",
                f"{_f(d['decode_vs_json_loads'])}x "
                f"(bytes->models {_f(d['bytes_to_models_vs_json_loads'])}x)",
                "<= 3x",
                _ok(d["decode_vs_json_loads"] <= 3.0),
            )
        )
    rows.append(
        (
            "paging 20 pages: pager items/s / httpx loop items/s (higher is better)",
            f"{_f(r['paging_vs_httpx_loop'])}",
            "-",
            "-",
        )
    )
    for name, case in rate.items():
        rows.append(
            (
                f"rate {name}: utilization, 1700 answers",
                f"{_f(case['utilization'], 3)}, {case['rejections']}",
                ">= 0.95, 0",
                _ok(case["utilization"] >= 0.95 and case["rejections"] == 0),
            )
        )
    rows += history_target_rows(r)
    rows.append(
        (
            "generate 200 TRs",
            f"{_f(r['generate_200_s'])} s",
            "< 2 s",
            _ok(r["generate_200_s"] < 2.0),
        )
    )
    rows.append(
        (
            "import (200-TR package, fresh interpreter)",
            f"{_f(r['import_ms'], 1)} ms",
            "< 150 ms",
            _ok(r["import_ms"] < 150.0),
        )
    )
    rows += realtime_target_rows(r)
    fc = r["codegen"]["first_call"]["kiwoom_typed"]
    started = r["codegen"].get("startup")
    if started is None:  # a results.json from before the start-up rounds
        rows.append(
            (
                "time to first call (import + construct + token + ka10001)",
                f"{_f(fc['total_ms']['median'], 1)} ms "
                f"({_f(fc['process_wall_ms']['median'], 0)} ms with interpreter start)",
                "-",
                "-",
            )
        )
        return rows
    first = started["first_call"]["ours_vs_kiwoom_client"]["total_ms"]
    rows.append(
        (
            "first call in a fresh interpreter (import + construct + token + ka10001): "
            "kiwoom_typed / kiwoom-client",
            f"{_rng(first)}; {_f(fc['total_ms']['median'], 0)} ms",
            "<= 1.00x",
            _ok(first["ratio"] <= 1.0),
        )
    )
    imp = started["imports"]["ours_vs_kiwoom_client"]
    rows.append(
        (
            "import at catalogue size: `from kiwoom_typed import Client` / `import kiwoom_client`",
            _rng(imp),
            "-",
            "-",
        )
    )
    cli = started["cli"]
    for key, label in (("help", "--help"), ("call_ka10001", "call ka10001 (a sandbox)")):
        rows.append(
            (
                f"CLI `kiwoom-typed {label}` / `python -c pass`, whole process",
                f"{_rng(cli[f'{key}_vs_python'])}; +{_f(cli[f'{key}_extra_ms']['median'], 0)} ms",
                "-",
                "-",
            )
        )
    return rows


#: Real-time decode contenders (bench/realtime_bench.py) and the one the target is about.
RT_TYPED = "decode_frame (generated typed models)"
RT_SESSION = "session path (typed models + queue + consumer)"


def realtime_target_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rt = r.get("realtime")
    if not rt:
        return []
    d = rt["decode"]
    rows = []
    for name, label, target in (
        (RT_TYPED, "real-time decode, generated typed models / json.loads", 1.5),
        (RT_SESSION, "real-time session path (decode + queue + consumer) / json.loads", None),
    ):
        x = d.get(name)
        if x is None:
            continue
        rows.append(
            (
                label,
                f"{_f(x['ratio_vs_json_loads'])}x (rounds {_f(x['ratio_min'])}-"
                f"{_f(x['ratio_max'])})",
                "<= 1.5x" if target else "-",
                _ok(x["ratio_vs_json_loads"] <= target) if target else "-",
            )
        )
    for load in rt["latency"]:
        rows.append(
            (
                f"real-time latency, sandbox send -> async for, {load['items']} item(s) at "
                f"{_f(load['offered_per_s'], 0)} frames/s",
                f"{_f(load['median_ms'], 3)} ms (p99 {_f(load['p99_ms'], 3)} ms)",
                "-",
                "-",
            )
        )
    return rows


def realtime_lines(r: dict[str, Any]) -> list[str]:
    """The "Real-time" section of BENCHMARKS.md (empty without real-time results)."""
    rt = r.get("realtime")
    if not rt:
        return []
    d = rt["decode"]
    contenders = [k for k, v in d.items() if isinstance(v, dict)]
    return [
        "## Real-time",
        "",
        f"`bench/realtime_bench.py`: {d['frames']:,} REAL frames (4 of 5 0B 주식체결 with 43 "
        "fields, 1 of 5 0D 호가잔량 with 163, values as the sandbox serves them from the specs), "
        f"{d['rounds']} interleaved rounds. The generated models (`kiwoom_typed.realtime`, the "
        "session's default decoders) parse nothing when built: a property reads `values` on "
        "access and `.typed` parses one value when asked.",
        "",
        *_md(
            ["contender", "frames/s", "us/frame", "x json.loads", "rounds"],
            [
                [
                    name,
                    _f(d[name]["frames_per_s"], 0),
                    _f(d[name]["us_per_frame"]),
                    _f(d[name]["ratio_vs_json_loads"]),
                    f"{_f(d[name]['ratio_min'])}-{_f(d[name]['ratio_max'])}",
                ]
                for name in contenders
            ],
        ),
        "",
        "Latency: the WebSocket sandbox runs in a child process and stamps each REAL record with "
        "`time.perf_counter_ns()` just before sending; the consumer of `async for` takes the "
        "difference (the clock is system-wide on Linux).",
        "",
        *_md(
            [
                "items",
                "offered frames/s",
                "received frames/s",
                "median ms",
                "p99 ms",
                "max ms",
                "dropped",
            ],
            [
                [
                    str(x["items"]),
                    _f(x["offered_per_s"], 0),
                    _f(x["frames_per_s"], 0),
                    _f(x["median_ms"], 3),
                    _f(x["p99_ms"], 3),
                    _f(x["max_ms"], 3),
                    str(x["dropped"]),
                ]
                for x in rt["latency"]
            ],
        ),
        "",
    ]


def _table(header: list[str], rows: list[list[str]] | list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return out


def _md(header: list[str], rows: list[list[str]] | list[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def call_rows(r: dict[str, Any]) -> list[list[str]]:
    rows = []
    for api_id in ("ka10001", "ka10005"):
        for key, s in r["per_call"][api_id]["calls_us"].items():
            rows.append(
                [
                    api_id,
                    _CONTENDERS.get(key, key),
                    _f(s["median"], 0),
                    _f(s["iqr"], 0),
                    _f(s["p10"], 0),
                    _f(s["p90"], 0),
                    str(s["n"]),
                ]
            )
    return rows


CALL_HEADER = ["TR", "contender", "median us", "IQR us", "p10 us", "p90 us", "samples"]


def rate_rows(r: dict[str, Any]) -> list[list[str]]:
    rows = []
    cases = dict(r["rate"]["cases"])
    cases["diagnostic: server 5/s burst 1 (one caller)"] = r["rate"]["diagnostic_strict_burst_1"]
    for name, c in cases.items():
        lag = c.get("lag_ms") or {}
        rows.append(
            [
                name,
                _f(c["achieved_rate"], 3),
                _f(c["utilization"], 3),
                str(c["rejections"]),
                str(c["accepted"]),
                _f(c.get("min_bucket_level"), 4),
                f"{_f(lag.get('median'))} / {_f(lag.get('p90'))}",
                _f((c.get("scan_2500_s") or float("nan")) / 60, 1),
            ]
        )
    return rows


RATE_HEADER = [
    "case",
    "achieved req/s",
    "utilization",
    "1700s",
    "accepted",
    "min bucket level",
    "lag ms p50/p90",
    "2,500-stock scan min",
]


def stage_rows(r: dict[str, Any]) -> list[list[str]]:
    stages = r.get("stages_us") or {}
    names: list[str] = []
    for costs in stages.values():
        names += [n for n in costs if n not in names]
    return [[n] + [_f(stages[a].get(n), 1) for a in stages] for n in names]


def profile_lines(r: dict[str, Any]) -> list[str]:
    out = []
    for api_id, p in (r.get("profile") or {}).items():
        if not p.get("tool"):
            out.append(f"{api_id}: {p.get('note')}")
            continue
        out.append(
            f"{api_id}: {p['calls']} calls under pyinstrument ({_f(p['per_call_us'], 0)} us/call "
            f"with the profiler on); inside httpx.Client.post (shared with raw httpx): "
            f"{_f(100 * p['transport_share'], 1)}%; charged to our code: "
            f"{_f(100 * p['ours_share'], 1)}%"
        )
        for row in p["top_self"][:8]:
            out.append(
                f"  {row['where']}: {_f(100 * row['share'], 1)}% "
                f"({_f(row['us_per_call'], 1)} us/call)"
            )
    return out


def history_target_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    h = r.get("history")
    if not h:
        return []
    st, ut, re = h["storage"], h["utilization"], h["resume"]
    return [
        (
            "history: rows/s into DuckDB per page (transaction + progress) / to_parquet per page",
            f"{_f(st['duckdb']['rows_per_s'], 0)} / {_f(st['parquet']['rows_per_s'], 0)} "
            f"({_f(st['duckdb_vs_parquet'])}x)",
            "-",
            "-",
        ),
        (
            f"history download at 5/s ({ut['symbols']} symbols): utilization, 1700 answers",
            f"{_f(ut['utilization'], 3)}, {ut['rejections']}",
            ">= 0.95, 0",
            _ok(ut["utilization"] >= 0.95 and ut["rejections"] == 0),
        ),
        (
            "history resume after kill -9: process start to first chart request",
            f"{_f(re['time_to_first_request_s'])} s ({_f(re['pages_fetched_again'], 0)} pages "
            "fetched again)",
            "-",
            "-",
        ),
    ]


def history_lines(r: dict[str, Any]) -> list[str]:
    h = r.get("history")
    if not h:
        return []
    st, ut, re = h["storage"], h["utilization"], h["resume"]
    rows = [
        [
            name,
            _f(st[key]["rows_per_s"], 0),
            f"{_f(st[key]['range_rows_per_s'][0], 0)}-{_f(st[key]['range_rows_per_s'][1], 0)}",
        ]
        for name, key in (
            ("DuckDB, page by page (transaction with the progress row)", "duckdb"),
            ("pandas to_parquet, a file per page", "parquet"),
            ("DuckDB, one insert", "duckdb_bulk"),
            ("pandas to_parquet, one file", "parquet_bulk"),
        )
    ]
    return [
        "## Market history (kiwoom_history)",
        "",
        f"Storage: {st['rows']:,} rows in {st['pages']} daily pages of 600 (as the sandbox "
        f"serves them, parsed by the history schema at {_f(st['parse_rows_per_s'], 0)} rows/s), "
        f"{st['rounds']} rounds, median.",
        "",
        *_md(["writer", "rows/s", "range"], rows),
        "",
        f"Download: {ut['symbols']} symbols x 2 years of daily bars ({ut['pages']} pages, "
        f"{ut['rows']:,} rows) from a sandbox allowing 5 requests/s, {ut['concurrency']} symbols "
        f"in flight: {_f(ut['elapsed_s'], 1)} s, {_f(ut['rows_per_s'], 0)} rows/s, utilization "
        f"{_f(ut['utilization'], 3)}, {ut['rejections']} answers 1700, {ut['failed']} symbols "
        "failed.",
        "",
        f"Resume: a download of {re['pages_uninterrupted']} pages killed with SIGKILL after "
        f"{re['kill_after_pages']} chart requests, then run again ({re['rounds']} rounds): "
        f"{_f(re['time_to_first_request_s'])} s from starting the process to its first chart "
        f"request (range {_f(re['time_to_first_request_range_s'][0])}-"
        f"{_f(re['time_to_first_request_range_s'][1])} s: interpreter, imports, DuckDB opening "
        f"the file and replaying its log, the progress, a token); the rerun took "
        f"{_f(re['rerun_s'], 1)} s and fetched {_f(re['pages_fetched_again'], 0)} pages more "
        "than were left.",
        "",
    ]


def print_table(r: dict[str, Any]) -> None:
    m = r["machine"]
    lines = [
        "",
        f"kiwoom-typed benchmarks — {m['cpu']}, {m['cores']} cores, "
        f"Python {m['python']}, {m['date']}",
        "",
    ]
    lines += _table(["measure", "measured", "target", "status"], target_rows(r))
    lines += ["", "Per call (sync: each call; async: batch wall / N)", ""]
    lines += _table(CALL_HEADER, call_rows(r))
    lines += ["", f"Rate limits ({_f(r['rate']['seconds'], 0)} s per case)", ""]
    lines += _table(RATE_HEADER, rate_rows(r))
    stages = stage_rows(r)
    if stages:
        lines += ["", "Client-side steps, each alone (us)", ""]
        lines += _table(["step", *r["stages_us"].keys()], stages)
    lines += realtime_lines(r)
    prof = profile_lines(r)
    if prof:
        lines += ["", "Profile (top self cost in our code):", *prof]
    print("\n".join(lines))


def _reading(r: dict[str, Any]) -> list[str]:
    pc = r["per_call"]
    a, b = pc["ka10001"], pc["ka10005"]
    rate = r["rate"]["cases"]
    diag = r["rate"]["diagnostic_strict_burst_1"]
    d10k = r["decode"]["10000"]
    mem = d10k["memory"]
    per_tr = [c for k, c in rate.items() if k.startswith("per_tr")]
    nn = r["no_network"]
    out = [
        f"- **Per call.** Our sync client costs {_f(a['overhead_us'], 0)} us more than the "
        f"hand-written httpx call on ka10001 ({_f(a['calls_us']['ours']['median'], 0)} vs "
        f"{_f(a['calls_us']['raw_httpx']['median'], 0)} us, {_f(a['ours_vs_raw']['ratio'])}x) and "
        f"{_f(b['overhead_us'], 0)} us more on a {b['rows']}-row ka10005 page "
        f"({_f(b['ours_vs_raw']['ratio'])}x). The round-to-round range of the ratio "
        f"({_f(a['ours_vs_raw']['per_round']['min'])}-{_f(a['ours_vs_raw']['per_round']['max'])} "
        f"on ka10001) shows how much of that is machine noise. Without the network "
        f"(httpx.MockTransport, same bytes) our client's CPU per call is "
        f"{_f(nn['ka10001']['ours_vs_raw'])}x the hand-written call's on ka10001 "
        f"({_f(nn['ka10001']['overhead_us'], 0)} us) and {_f(nn['ka10005']['ours_vs_raw'])}x on "
        f"ka10005 ({_f(nn['ka10005']['overhead_us'], 0)} us): the CPU ratio is the stable one; "
        "over loopback the server shares the two cores and every call resumes with cold caches "
        "after the blocking read. Against kiwoom-client, which "
        f"returns plain dicts, we are at {_f(a['ours_vs_kiwoom_client']['ratio'])}x on ka10001 "
        f"and {_f(b['ours_vs_kiwoom_client']['ratio'])}x on ka10005: the difference on the LIST "
        "TR is the price of building typed row models and keeping the raw response.",
        f"- **Async.** With N={a['async_n']} concurrent calls the per-call wall time of every "
        f"contender ({_f(a['calls_us']['raw_httpx_async']['median'], 0)} us for raw httpx on "
        f"ka10001) is *higher* than a sequential call: the sandbox is a single Python process "
        f"(ThreadingHTTPServer) and is the bottleneck on 2 cores, so the async ratios "
        f"({_f(a['async_ours_vs_raw']['ratio'])}x, {_f(b['async_ours_vs_raw']['ratio'])}x) "
        "measure client CPU competing with a saturated server, not concurrency gains.",
        f"- **Decoding.** Turning the parsed 10,000-row body into models, every row built, takes "
        f"{_f(d10k['decode_vs_json_loads'])}x the time of json.loads itself (bytes to models: "
        f"{_f(d10k['bytes_to_models_vs_json_loads'])}x). Rows are built on first access (every "
        "figure here and in the per-call table builds them all); their values stay the raw "
        "strings (typed values are parsed on access via `.typed`), and a compiled builder sets "
        "each row's attributes as one dict (the row merged over the defaults), without attrs' "
        "`__init__`; the attribute dict costs more memory than slots did. Memory: "
        f"{_f(mem['models_retained_per_row'], 0)} B/row for the models (the JSON objects they "
        "were built from are kept for `rows_as_sent` and DataFrames) vs "
        f"{_f(mem['dicts_retained_per_row'], 0)} B/row for plain dicts (the strings are shared); "
        f"the client's result keeps the parsed body in `.raw` as well, "
        f"{_f(mem['client_result_retained_per_row'], 0)} B/row. The peak during parsing is "
        f"{_f(mem['dicts_peak_per_row'], 0)} B/row either way.",
        f"- **Paging.** The pager reaches {_f(r['paging_vs_httpx_loop'])}x the items/s of a "
        "hand-written cont-yn/next-key loop; the server's synthetic page generation dominates "
        "both.",
    ]
    g = rate.get("global_5_per_s/one_caller")
    if g:
        out.append(
            f"- **Rate limits.** Against 5/s global (server burst 5) the default client limiter "
            f"(5/s, burst 1) reached {_f(g['utilization'], 3)} of the allowed rate with "
            f"{g['rejections']} rejections from one caller "
            f"({_f(rate['global_5_per_s/async_20_tasks']['utilization'], 3)} and "
            f"{rate['global_5_per_s/async_20_tasks']['rejections']} from 20 tasks); a 2,500-stock "
            f"scan takes {_f(g['scan_2500_s'] / 60, 1)} min at that rate, "
            f"{_f(per_tr[0]['scan_2500_s'] / 60, 1) if per_tr else 'n/a'} min under 1/s per TR."
        )
    if per_tr:
        levels = [c["min_bucket_level"] for c in per_tr if c.get("min_bucket_level") is not None]
        out.append(
            f"- **Arrival jitter.** The server's bucket judges *arrivals*, which lag the client's "
            f"scheduled slot by about a millisecond, with jitter. The client limiter therefore "
            f"spaces sends 2 % wider than 1/rate (`RateLimit.margin`): with the client burst "
            f"equal to the server burst (1/s, burst 2) the lowest bucket level an arrival met "
            f"was {_f(min(levels) if levels else None, 4)} tokens (1.0 would be refused; "
            f"{sum(c['rejections'] for c in per_tr)} refusals in these runs). Against a strict "
            f"server (5/s, burst 1) the default limiter got {diag['rejections']} refusals out of "
            f"{diag['accepted'] + diag['rejections']} sends and "
            f"{_f(diag['utilization'], 2)} utilization; without the margin it was 11 of 39 and "
            f"0.50, each 1700 costing a 0.5 s back-off."
        )
    gen = r["generate_200_s"]
    out.append(
        f"- **Codegen.** 200 TRs generate in {_f(gen)} s "
        f"({'over' if gen >= 2 else 'under'} the 2 s target) and the 200-TR package imports in "
        f"{_f(r['import_ms'], 0)} ms (lazy names). Time to first call in a fresh interpreter is "
        f"{_f(r['first_call_ms'], 0)} ms, of which constructing the client is "
        f"{_f(r['codegen']['first_call']['kiwoom_typed']['construct_ms']['median'], 0)} ms "
        f"(kiwoom-client: "
        f"{_f(r['codegen']['first_call']['kiwoom_client']['total_ms']['median'], 0)} ms in total)."
    )
    return out


def _no_network_rows(r: dict[str, Any]) -> list[list[str]]:
    rows = []
    for k, v in r["no_network"].items():
        spread = v.get("ours_vs_raw_rounds")
        rows.append(
            [
                k,
                _f(v["calls_us"]["raw_httpx"]["median"], 1),
                _f(v["calls_us"]["ours"]["median"], 1),
                _f(v["ours_vs_raw"]),
                f"{_f(spread['min'])}-{_f(spread['max'])}" if spread else "n/a",
                _f(v["overhead_us"], 1),
            ]
        )
    return rows


def _extra_sections(r: dict[str, Any]) -> list[str]:
    """Start-up rounds, the no-network profile, and the notes on what changed (when present)."""
    lines: list[str] = []
    started = r.get("codegen", {}).get("startup")
    if started:
        import startup

        lines += startup.markdown(started)
    prof = r.get("profile_no_network")
    if prof:
        import _nonet

        lines += [
            "## Where a call's CPU goes (cProfile, no network)",
            "",
            "`bench/_nonet.py`: own time per call by component under cProfile, on the "
            "MockTransport of the CPU section. cProfile adds a fixed cost to every Python-level "
            "call, so the absolute figures are inflated and code making many small calls is "
            "overstated; the function-call counts are exact and the split says where the time "
            "goes. The timed ratios above say how much.",
            "",
            *_nonet.markdown(prof),
        ]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.is_file():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return lines


def _catalogue_lines(r: dict[str, Any]) -> list[str]:
    """The catalogue section (bench/catalogue_bench.py), when this run measured it."""
    if "catalogue" not in r:
        return []
    import catalogue_bench

    return catalogue_bench.markdown(r["catalogue"])


def write_markdown(r: dict[str, Any], path: Path) -> None:
    m = r["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`bench/run.py`) from `bench/results.json`; "
        "do not edit by hand.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['platform']}); shared and noisy",
        f"- Python {m['python']}, httpx {m['httpx']}, kiwoom-client {m['kiwoom_client']}",
        f"- Date: {m['date']}; {m['rounds']} interleaved rounds per per-call contender; "
        f"{_f(m['rate_seconds'], 0)} s per rate-limit case (`BENCH_RATE_SECONDS`); whole run "
        f"{_f(r['bench_seconds'], 0)} s",
        "",
        "## Targets",
        "",
        *_md(["measure", "measured (median)", "target", "status"], target_rows(r)),
        "",
        "Ratios are ours first: time ratios (lower is better) except paging, which is items/s "
        "(higher is better). Every ratio is of medians; the range is the lowest and highest "
        "per-round ratio.",
        "",
        "## Reading",
        "",
        *_reading(r),
        "",
        *_catalogue_lines(r),
        "## How it is measured",
        "",
        "- One process, against the sandbox over real HTTP on 127.0.0.1. The sandbox runs in a "
        "child process (`bench/_remote.py`): on a thread it would share the GIL with the client "
        "under test. It serves ka10001 from the recorded fixture and ka10005 as "
        f"{r['paging']['pages']} synthetic pages of {r['paging']['rows_per_page']} rows.",
        "- Contenders are interleaved round by round in a shuffled order, each warmed up first. "
        "Sync figures are single calls; async figures are the wall time of N concurrent calls "
        "divided by N.",
        "- raw httpx is the floor: one `httpx.Client`, headers built by hand, `json.loads` of "
        "the body. kiwoom-client runs with `rate_limit=None`. The sandbox refuses requests "
        "without an `api-id` header and kiwoom-client sends none on `POST /oauth2/token`, so the "
        "benchmark adds `api-id: au10001` to kiwoom-client's token client (setup only, untimed).",
        "- Decoding uses bytes built with `kiwoom_sandbox.synth.generate_body` and "
        "`kiwoom_typed.tr.ka10005.ENDPOINT.decode`; memory is tracemalloc's count, the input "
        "bytes excluded.",
        "- Rate limits: the sandbox's limiter is wrapped in the child to stamp every decision "
        "with `time.monotonic()` (system-wide, so comparable with the client's schedule). "
        "Utilization = (accepted - client burst) / (span of accepted arrivals x allowed rate), "
        "i.e. the steady-state rate after the initial burst. The global case uses server burst "
        "5 (the published 5/s read as 'at most 5 in any second'); the per-TR case 1/s burst 2 "
        "as measured live. The client uses its default limiter (5/s, burst 1) for the global "
        "case and adds a per-TR RateLimit(1, 2) for the second. Rejections are the sandbox's "
        "1700 answers; our client retries them, so they cost time, not errors.",
        "",
        "## Per call",
        "",
        *_md(CALL_HEADER, call_rows(r)),
        "",
        "## Client CPU without the network (httpx.MockTransport serving the same bytes)",
        "",
        "Process CPU time per call (`bench/_nonet.py`): both contenders run in the benchmark "
        "process on one MockTransport, in shuffled order within each of 15 rounds; the "
        "per-round range is the lowest and highest ratio of a round. Ours builds every row "
        "of the ka10005 page; raw httpx is `httpx.Client.post` + `json.loads`.",
        "",
        *_md(
            ["TR", "raw httpx us", "ours us", "ours / raw", "per-round range", "overhead us"],
            _no_network_rows(r),
        ),
        "",
        "## Client-side steps (each timed alone on a recorded answer, microseconds)",
        "",
        *_md(["step", *r.get("stages_us", {}).keys()], stage_rows(r)),
        "",
        "## Decoding",
        "",
        *_md(
            [
                "rows",
                "bytes",
                "json.loads ms",
                "decode ms",
                "loads+decode ms",
                "decode / loads",
                "B/row dicts",
                "B/row models",
                "B/row client result",
                "peak B/row",
            ],
            [
                [
                    f"{int(n):,}",
                    f"{d['bytes']:,}",
                    _f(d["ms"]["json_loads"]["median"]),
                    _f(d["ms"]["decode"]["median"]),
                    _f(d["ms"]["loads_and_decode"]["median"]),
                    _f(d["decode_vs_json_loads"]),
                    _f(d["memory"]["dicts_retained_per_row"], 0),
                    _f(d["memory"]["models_retained_per_row"], 0),
                    _f(d["memory"]["client_result_retained_per_row"], 0),
                    _f(d["memory"]["models_peak_per_row"], 0),
                ]
                for n, d in r["decode"].items()
            ],
        ),
        "",
        "## Paging",
        "",
        *_md(
            ["contender", "items/s median", "IQR", "p10", "p90"],
            [
                [k, _f(s["median"], 0), _f(s["iqr"], 0), _f(s["p10"], 0), _f(s["p90"], 0)]
                for k, s in r["paging"]["items_per_s"].items()
            ],
        ),
        "",
        "## Rate limits",
        "",
        *_md(RATE_HEADER, rate_rows(r)),
        "",
        "Lag is the time from the slot the client limiter scheduled to the server's decision. "
        "'min bucket level' is the server bucket's level at the least favourable accepted "
        "arrival (1.0 means no slack at all).",
        "",
        *_extra_sections(r),
        "## Codegen and start-up",
        "",
        *_md(
            [
                "contender",
                "import ms",
                "construct ms",
                "first call ms",
                "total ms",
                "process wall ms",
            ],
            [
                [
                    k,
                    *[
                        _f(v[x]["median"], 1)
                        for x in (
                            "import_ms",
                            "construct_ms",
                            "first_call_ms",
                            "total_ms",
                            "process_wall_ms",
                        )
                    ],
                ]
                for k, v in r["codegen"]["first_call"].items()
            ],
        ),
        "",
    ]
    lines += realtime_lines(r)
    lines += history_lines(r)
    prof = profile_lines(r)
    if prof:
        lines += [
            "## Profile",
            "",
            "Where our per-call overhead is above 1.10x raw httpx. Each pyinstrument sample is "
            "charged to the innermost frame of our code on its stack (library calls it makes "
            "count as its cost), except samples inside `httpx.Client.post` (the round trip raw "
            "httpx pays too). `_process` includes `json.loads` of the body, which raw httpx also "
            "pays; see the step table above for the split.",
            "",
            "```",
            *prof,
            "```",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "BENCHMARKS.md"
    print_table(results)
    write_markdown(results, out)
