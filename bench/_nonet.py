"""The client's CPU per call without a network: ours and raw httpx on one ``httpx.MockTransport``
serving the same bytes, and a cProfile breakdown of where each spends a call.

Why a mock transport: over loopback the per-call ratio swings 0.6-2.0 from round to round on a
shared 2-core machine (the server competes for the cores); without a network both contenders run
the same httpx code on the same bytes and only the client's own work differs.

``python bench/_nonet.py`` prints the profile breakdown (``bench/run.py`` puts it in
results.json and BENCHMARKS.md).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SPECS = ROOT / "specs"
CT = "application/json;charset=UTF-8"
STK = "005930"
PATHS = {"ka10001": "/api/dostk/stkinfo", "ka10005": "/api/dostk/mrkcond"}
LIST_ROWS = 100
BASE = "http://127.0.0.1:9"
TOKEN = "T" * 64


def list_body(rows: int) -> bytes:
    """A ka10005 answer of ``rows`` synthetic rows, as the sandbox builds it."""
    from kiwoom_sandbox import codes
    from kiwoom_sandbox.routes import RouteTable
    from kiwoom_sandbox.synth import generate_body

    fields = RouteTable.from_specs(SPECS).by_api_id["ka10005"].spec.response.body
    body = generate_body(
        fields, api_id="ka10005", request={"stk_cd": STK}, page=0, rows_per_page=rows
    )
    return json.dumps(codes.ok(body), ensure_ascii=False, separators=(",", ":")).encode()


def rows(model: Any) -> Any:
    """Build every LIST row of a response (rows are models built on first access)."""
    found = getattr(model, "stk_ddwkmm", None)
    if found is not None:
        tuple(found)
    return model


class NoNetwork:
    """Both contenders on one MockTransport; ``jobs(api_id)`` gives their one-call functions."""

    def __init__(self, rows_per_page: int = LIST_ROWS) -> None:
        import httpx

        from kiwoom_sandbox import codes
        from kiwoom_typed import Client

        fixture = json.loads((FIXTURES / "ka10001" / "samsung.json").read_text(encoding="utf-8"))
        bodies = {
            "ka10001": json.dumps(
                codes.ok(fixture["pages"][0]["body"]), ensure_ascii=False
            ).encode(),
            "ka10005": list_body(rows_per_page),
        }

        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/oauth2/token":
                answer = {"token": TOKEN, "token_type": "bearer", "expires_dt": "20991231235959"}
                return httpx.Response(200, json=codes.ok(answer), headers={"api-id": "au10001"})
            api_id = request.headers["api-id"]
            headers = {"content-type": CT, "api-id": api_id, "cont-yn": "N", "next-key": ""}
            if api_id not in bodies:  # au10002 (revoke on close)
                return httpx.Response(200, json=codes.ok({}), headers=headers)
            return httpx.Response(200, content=bodies[api_id], headers=headers)

        transport = httpx.MockTransport(handler)
        self.ours = Client(
            appkey="bench-appkey",
            secretkey="bench-secret",
            base_url=BASE,
            rate_limit=None,
            transport=transport,
        )
        self.raw = httpx.Client(transport=transport)

    def jobs(self, api_id: str) -> dict[str, Callable[[], Any]]:
        raw, ours, url = self.raw, self.ours, BASE + PATHS[api_id]

        def raw_call() -> Any:
            # headers and body built by hand, json.loads of the body: the floor
            headers = {"api-id": api_id, "content-type": CT, "authorization": "Bearer " + TOKEN}
            content = json.dumps({"stk_cd": STK}, separators=(",", ":")).encode()
            return json.loads(raw.post(url, content=content, headers=headers).content)

        if api_id == "ka10001":
            return {"raw_httpx": raw_call, "ours": lambda: ours.get_stock_info(stk_cd=STK)}
        return {
            "raw_httpx": raw_call,
            "ours": lambda: rows(ours.get_stock_daily_weekly_monthly(stk_cd=STK)),
        }

    def close(self) -> None:
        self.ours.close()
        self.raw.close()


def _component(filename: str, function: str) -> str:
    """Which part of the stack a function belongs to (for the profile breakdown)."""
    if "json" in function or "/json/" in filename:
        return "JSON (parse / serialize)"
    for marker, name in (
        ("/httpx/", "httpx"),
        ("/httpcore/", "httpx"),
        ("/kiwoom_runtime/", "kiwoom_runtime"),
        ("/kiwoom_typed/", "kiwoom_typed (generated)"),
        ("<attrs generated", "attrs-generated methods"),
        ("/attr/", "attrs"),
        ("/bench/", "benchmark harness"),
        ("/http/cookiejar.py", "httpx cookie handling (stdlib)"),
        ("/email/", "httpx cookie handling (stdlib)"),
        ("/urllib/", "httpx cookie handling (stdlib)"),
    ):
        if marker in filename:
            return name
    if filename == "<string>":
        return "kiwoom_runtime"  # the compiled row builders (decoding.row_builder)
    return "stdlib and builtins"


def profile(fn: Callable[[], Any], calls: int) -> dict[str, Any]:
    """cProfile ``calls`` calls of ``fn``: own time by component and the top functions.

    cProfile adds a fixed cost per Python function call, so it overstates code that makes many
    small calls; the shares say where the time goes, the timed ratios say how much.
    """
    for _ in range(50):
        fn()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = 0.0
    by_component: dict[str, float] = {}
    functions: list[tuple[float, int, str]] = []
    for (filename, line, function), (_, ncalls, tottime, _, _) in stats.items():
        total += tottime
        part = _component(filename, function)
        by_component[part] = by_component.get(part, 0.0) + tottime
        short = filename.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
        functions.append((tottime, ncalls, f"{short}:{line}({function})"))
    functions.sort(reverse=True)
    return {
        "calls": calls,
        "function_calls_per_call": sum(v[1] for v in stats.values()) / calls,
        "profiled_us_per_call": total / calls * 1e6,
        "share_by_component": {
            k: v / total for k, v in sorted(by_component.items(), key=lambda kv: -kv[1])
        },
        "us_per_call_by_component": {k: v / calls * 1e6 for k, v in by_component.items()},
        "top_functions": [
            {"where": where, "share": t / total, "calls_per_call": n / calls}
            for t, n, where in functions[:12]
        ],
    }


def profiles(calls: dict[str, int] | None = None) -> dict[str, Any]:
    """Profile both contenders on ka10001 and ka10005 (no network)."""
    calls = calls or {"ka10001": 3000, "ka10005": 300}
    bench = NoNetwork()
    try:
        return {
            api_id: {name: profile(fn, calls[api_id]) for name, fn in bench.jobs(api_id).items()}
            for api_id in ("ka10001", "ka10005")
        }
    finally:
        bench.close()


def markdown(result: dict[str, Any]) -> list[str]:
    """Per TR and contender: Python function calls per call and own time by component."""
    lines: list[str] = []
    for api_id, contenders in result.items():
        parts: list[str] = []
        for c in contenders.values():
            parts += [p for p in c["share_by_component"] if p not in parts]
        lines += [
            f"{api_id}: "
            + ", ".join(
                f"{name} {c['function_calls_per_call']:.0f} Python-level calls per call"
                for name, c in contenders.items()
            ),
            "",
            "| own time per call, by component | " + " | ".join(contenders) + " |",
            "|---|" + "---|" * len(contenders),
        ]
        for part in parts:
            cells = [
                f"{c['us_per_call_by_component'].get(part, 0.0):.1f} us "
                f"({100 * c['share_by_component'].get(part, 0.0):.0f}%)"
                for c in contenders.values()
            ]
            lines.append(f"| {part} | " + " | ".join(cells) + " |")
        totals = [f"{c['profiled_us_per_call']:.1f} us" for c in contenders.values()]
        lines.append("| **all (under cProfile)** | " + " | ".join(totals) + " |")
        lines.append("")
    return lines


if __name__ == "__main__":
    for p in (str(ROOT), str(ROOT / "bench")):
        if p not in sys.path:
            sys.path.insert(0, p)
    out = profiles()
    print(json.dumps(out, indent=2))
    print("\n".join(markdown(out)))
