"""Shared fakes for the runtime tests: an in-process Kiwoom server behind httpx.MockTransport."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from kiwoom_runtime import Endpoint, RetryPolicy

APPKEY = "APPKEY-0123456789abcdef"
SECRETKEY = "SECRETKEY-fedcba9876543210"
BASE_URL = "http://kiwoom.test"

QUERY = Endpoint(
    api_id="ka10001", name="주식기본정보요청", path="/api/dostk/stkinfo", code_fields=("stk_cd",)
)
ORDER = Endpoint(
    api_id="kt10000",
    name="주식 매수주문",
    path="/api/dostk/ordr",
    retry_safe=False,
    code_fields=("stk_cd",),
)
LIST = Endpoint(
    api_id="ka10075",
    name="미체결요청",
    path="/api/dostk/acnt",
    paged=True,
    items=lambda page: page["oso"],
)

Handler = Callable[[httpx.Request, dict[str, Any]], httpx.Response]


def ok(headers: dict[str, str] | None = None, **fields: Any) -> httpx.Response:
    body = {"return_code": 0, "return_msg": "정상적으로 처리되었습니다", **fields}
    return httpx.Response(200, json=body, headers=headers or {})


def err(code: str, text: str, return_code: int | str = 2, status: int = 200) -> httpx.Response:
    msg = f"요청이 거부되었습니다[{code}:{text}]"
    return httpx.Response(status, json={"return_code": return_code, "return_msg": msg})


class FakeKiwoom:
    """Issues tokens tok-1, tok-2, ...; checks the bearer token; routes TRs by api-id."""

    def __init__(self, expires_dt: str = "20991231235959") -> None:
        self.expires_dt = expires_dt
        self.lock = threading.Lock()
        self.requests: list[tuple[str, httpx.Headers, dict[str, Any]]] = []
        self.issued: list[str] = []
        self.revoked: list[str] = []
        self.valid: set[str] = set()
        self.check_token = True
        self.handlers: dict[str, Handler] = {}
        self.invalidate_previous = False
        """Reported live behaviour: a new token for the appkey makes the older ones fail 8005."""
        self.on_issue: Callable[[], None] | None = None
        """Runs after each au10001 answer is made (e.g. a rival process issuing its own)."""

    def issue(self) -> str:
        """Issue a token (as another process on the same appkey would, too)."""
        with self.lock:
            token = f"tok-{len(self.issued) + 1}-{'x' * 20}"
            if self.invalidate_previous:
                self.valid.clear()
            self.issued.append(token)
            self.valid.add(token)
        return token

    def calls(self, api_id: str) -> int:
        return sum(1 for a, _, _ in self.requests if a == api_id)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        api_id = request.headers.get("api-id", "")
        with self.lock:
            self.requests.append((api_id, request.headers, body))
        if request.url.path == "/oauth2/token":
            assert body["grant_type"] == "client_credentials"
            if body.get("appkey") != APPKEY:
                return err("8001", "App Key와 Secret Key 검증에 실패했습니다", 3)
            token = self.issue()
            if self.on_issue is not None:
                self.on_issue()
            return ok(expires_dt=self.expires_dt, token_type="bearer", token=token)
        if request.url.path == "/oauth2/revoke":
            with self.lock:
                self.revoked.append(body["token"])
                self.valid.discard(body["token"])
            return ok()
        auth = request.headers.get("authorization", "")
        if self.check_token and auth.removeprefix("Bearer ") not in self.valid:
            return err("8005", "Token이 유효하지 않습니다", 3)
        handler = self.handlers.get(api_id)
        if handler is None:
            return ok(echo=body)
        return handler(request, body)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


FAST_RETRY = RetryPolicy(initial_delay=0.0, jitter=0.0)


def client_kwargs(fake: FakeKiwoom, **overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "appkey": APPKEY,
        "secretkey": SECRETKEY,
        "base_url": BASE_URL,
        "rate_limit": None,
        "retry": FAST_RETRY,
    }
    kwargs.update(overrides)
    return kwargs
