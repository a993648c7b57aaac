"""kiwoom_runtime._requests: a request built from prepared parts is the one ``post`` builds:
method, URL, every header in the same order, body and timeout; cookies fall back to ``post``."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kiwoom_runtime import DEFAULT_TIMEOUT, AsyncAPIClient, Endpoint, SyncAPIClient

QUERY = Endpoint(api_id="ka10001", name="주식기본정보요청", path="/api/dostk/stkinfo")
PAGED = Endpoint(api_id="ka10005", name="주식일주월시분요청", path="/api/dostk/mrkcond", paged=True)
BASE = "http://127.0.0.1:9"


class Recorder:
    """A MockTransport that keeps every request and answers like Kiwoom."""

    def __init__(self, cookie: str | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.cookie = cookie

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth2/token":
            body = {"token": "T" * 40, "expires_dt": "20991231235959", "return_code": 0}
            return httpx.Response(200, json=body)
        headers = {"api-id": request.headers["api-id"], "cont-yn": "N", "next-key": ""}
        if self.cookie:
            headers["set-cookie"] = self.cookie
        return httpx.Response(200, json={"return_code": 0, "stk_cd": "005930"}, headers=headers)

    def seen(self) -> list[tuple[Any, ...]]:
        return [
            (r.method, str(r.url), r.headers.raw, r.content, r.extensions.get("timeout"))
            for r in self.requests
        ]


def _calls(client: Any) -> None:
    client._call(QUERY, {"stk_cd": "005930"})
    client._call(PAGED, {"stk_cd": "005930"}, cont_yn=True, next_key="K1")
    client._call(QUERY, {"stk_cd": "한글"}, timeout=2.5)
    client._call(QUERY, {"stk_cd": "005930"}, timeout=None)
    client._call(QUERY, {"stk_cd": "005930"}, timeout=httpx.Timeout(3.0, connect=1.0))


def _sync(own: bool, recorder: Recorder) -> list[tuple[Any, ...]]:
    kwargs: dict[str, Any] = {"appkey": "k", "secretkey": "s", "base_url": BASE}
    transport = httpx.MockTransport(recorder)
    if own:
        client = SyncAPIClient(transport=transport, rate_limit=None, **kwargs)
    else:  # the user's httpx client: post() builds every request
        http = httpx.Client(transport=transport, timeout=DEFAULT_TIMEOUT)
        client = SyncAPIClient(http_client=http, rate_limit=None, **kwargs)
    with client:
        assert (client._requests is not None) is own
        _calls(client)
    return recorder.seen()


def test_prepared_requests_are_what_post_sends() -> None:
    ours, theirs = _sync(True, Recorder()), _sync(False, Recorder())
    assert len(ours) == len(theirs) == 7  # token, five calls, revoke
    assert ours == theirs
    method, url, headers, content, _ = ours[2]
    assert (method, url, content) == ("POST", BASE + "/api/dostk/mrkcond", b'{"stk_cd":"005930"}')
    names = [k for k, _ in headers]
    assert names[0] == b"Host" and names[-3:] == [b"cont-yn", b"next-key", b"Content-Length"]
    assert dict(headers)[b"authorization"] == b"Bearer " + b"T" * 40


def test_async_prepared_requests_are_what_post_sends() -> None:
    async def run(own: bool) -> list[tuple[Any, ...]]:
        recorder = Recorder()
        kwargs: dict[str, Any] = {"appkey": "k", "secretkey": "s", "base_url": BASE}
        transport = httpx.MockTransport(recorder)
        if own:
            client = AsyncAPIClient(transport=transport, rate_limit=None, **kwargs)
        else:
            http = httpx.AsyncClient(transport=transport, timeout=DEFAULT_TIMEOUT)
            client = AsyncAPIClient(http_client=http, rate_limit=None, **kwargs)
        async with client:
            await client._call(QUERY, {"stk_cd": "005930"})
            await client._call(PAGED, {"stk_cd": "005930"}, cont_yn=True, next_key="K1")
            await client._call(QUERY, {"stk_cd": "005930"}, timeout=2.5)
        if not own:
            await http.aclose()
        return recorder.seen()

    assert asyncio.run(run(True)) == asyncio.run(run(False))


def test_a_new_token_is_sent_at_once() -> None:
    recorder = Recorder()
    with SyncAPIClient(
        appkey="k", secretkey="s", base_url=BASE, rate_limit=None,
        transport=httpx.MockTransport(recorder),
    ) as client:  # fmt: skip
        client._call(QUERY, {"stk_cd": "005930"})
        client.tokens.invalidate(client.tokens.get())
        recorder.requests.clear()
        client._call(QUERY, {"stk_cd": "005930"})
    assert [r.url.path for r in recorder.requests][:2] == ["/oauth2/token", "/api/dostk/stkinfo"]


def test_cookies_a_server_sets_are_sent_back_as_post_would() -> None:
    recorder = Recorder(cookie="AWSALB=abc; Path=/")
    with SyncAPIClient(
        appkey="k", secretkey="s", base_url=BASE, rate_limit=None,
        transport=httpx.MockTransport(recorder),
    ) as client:  # fmt: skip
        client._call(QUERY, {"stk_cd": "005930"})
        client._call(QUERY, {"stk_cd": "005930"})
    assert "cookie" not in recorder.requests[0].headers
    assert recorder.requests[-2].headers["cookie"] == "AWSALB=abc"


def test_paging_headers_need_a_key() -> None:
    from kiwoom_runtime import ArgumentError

    with SyncAPIClient(
        appkey="k", secretkey="s", base_url=BASE, rate_limit=None,
        transport=httpx.MockTransport(Recorder()),
    ) as client:  # fmt: skip
        with pytest.raises(ArgumentError, match="next-key"):
            client._call(QUERY, {"stk_cd": "005930"}, cont_yn=True)
