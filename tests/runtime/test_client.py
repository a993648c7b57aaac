from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from rt_fakes import APPKEY, BASE_URL, ORDER, QUERY, SECRETKEY, FakeKiwoom, client_kwargs, err, ok

from kiwoom_runtime import (
    MOCK_BASE_URL,
    PROD_BASE_URL,
    APIConnectionError,
    APITimeoutError,
    ArgumentError,
    AsyncAPIClient,
    Endpoint,
    HTTPStatusError,
    NotSupportedInMockError,
    OrderStateUnknownError,
    RateLimitError,
    RetryPolicy,
    SyncAPIClient,
    TokenEnvironmentError,
    TokenError,
)


def sync_client(fake: FakeKiwoom, **kw: Any) -> SyncAPIClient:
    return SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, **kw))


def async_client(fake: FakeKiwoom, **kw: Any) -> AsyncAPIClient:
    return AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake, **kw))


def test_request_wire_format(fake: FakeKiwoom) -> None:
    with sync_client(fake) as c:
        result = c._call(QUERY, {"stk_cd": "005930"})
    assert result["echo"] == {"stk_cd": "005930"}
    api_id, headers, body = fake.requests[-2]  # the last one is the revoke on close
    assert api_id == "ka10001"
    assert headers["authorization"] == f"Bearer {fake.issued[0]}"
    assert headers["content-type"] == "application/json;charset=UTF-8"
    assert "cont-yn" not in headers and "next-key" not in headers
    assert body == {"stk_cd": "005930"}


def test_raw_view_and_page(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = lambda r, b: ok(
        {"api-id": "ka10001", "cont-yn": "Y", "next-key": "K1", "x-extra": "1"}, stk_nm="삼성전자"
    )
    with sync_client(fake) as c:
        raw = c._call_raw(QUERY, {"stk_cd": "005930"})
        page = c._call_page(QUERY, {"stk_cd": "005930"}, cont_yn=True, next_key="K0")
    assert raw.status_code == 200 and raw.api_id == "ka10001"
    assert raw.cont_yn is True and raw.next_key == "K1"
    assert raw.headers["x-extra"] == "1" and raw.body is not None
    assert raw.body["stk_nm"] == "삼성전자" and raw.json()["stk_nm"] == "삼성전자"
    assert "삼성전자" in raw.text
    assert page.data["stk_nm"] == "삼성전자" and page.next_key == "K1" and page.cont_yn
    _, headers, _ = [r for r in fake.requests if r[0] == "ka10001"][-1]
    assert headers["cont-yn"] == "Y" and headers["next-key"] == "K0"


def test_decode_receives_raw(fake: FakeKiwoom) -> None:
    seen: list[Any] = []
    ep = Endpoint(api_id="ka10001", name="x", path="/p", decode=lambda b, r: seen.append(r) or b)
    with sync_client(fake) as c:
        c._call(ep, {})
    assert seen and seen[0].status_code == 200


def test_token_single_flight_through_client_50_threads(fake: FakeKiwoom) -> None:
    with sync_client(fake) as c:
        barrier = threading.Barrier(50)

        def worker() -> None:
            barrier.wait()
            c._call(QUERY, {"stk_cd": "005930"})

        threads = [threading.Thread(target=worker) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert fake.calls("au10001") == 1 and fake.calls("ka10001") == 50


def test_token_single_flight_through_client_50_tasks(fake: FakeKiwoom) -> None:
    async def main() -> None:
        async with async_client(fake) as c:
            await asyncio.gather(*(c._call(QUERY, {"stk_cd": "005930"}) for _ in range(50)))

    asyncio.run(main())
    assert fake.calls("au10001") == 1 and fake.calls("ka10001") == 50


def test_8005_refreshes_once_and_replays_once(fake: FakeKiwoom) -> None:
    with sync_client(fake) as c:
        c._call(QUERY, {})
        fake.valid.clear()  # server forgets the token (expired early / reissued elsewhere)
        result = c._call(QUERY, {"stk_cd": "005930"})
    assert result["echo"] == {"stk_cd": "005930"}
    assert fake.calls("au10001") == 2 and fake.calls("ka10001") == 3


def test_8005_does_not_loop(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = lambda r, b: err("8005", "Token이 유효하지 않습니다", 3)
    with sync_client(fake) as c, pytest.raises(TokenError):
        c._call(QUERY, {})
    assert fake.calls("ka10001") == 2 and fake.calls("au10001") == 2


def test_8005_replays_an_unsafe_order_once(fake: FakeKiwoom) -> None:
    with sync_client(fake) as c:
        c._call(QUERY, {})
        fake.valid.clear()
        c._call(ORDER, {"stk_cd": "005930", "ord_qty": "1"})
    assert fake.calls("kt10000") == 2


def test_8005_async_refresh(fake: FakeKiwoom) -> None:
    async def main() -> None:
        async with async_client(fake) as c:
            await c._call(QUERY, {})
            fake.valid.clear()
            await c._call(QUERY, {})

    asyncio.run(main())
    assert fake.calls("au10001") == 2 and fake.calls("ka10001") == 3


def test_static_token_8005_raises_without_issue(fake: FakeKiwoom) -> None:
    kw = client_kwargs(fake, appkey=None, secretkey=None, token="user-token-abcdef")
    with (
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.delenv("KIWOOM_APPKEY", raising=False)
        mp.delenv("KIWOOM_SECRETKEY", raising=False)
        with SyncAPIClient(transport=fake.transport(), **kw) as c, pytest.raises(TokenError) as e:
            c._call(QUERY, {})
    assert fake.calls("au10001") == 0 and fake.calls("au10002") == 0
    assert "user-token-abcdef" not in str(e.value)


def test_8030_token_environment_fails_clearly(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = lambda r, b: err("8030", "실전/모의 토큰 불일치", 3)
    with sync_client(fake) as c, pytest.raises(TokenEnvironmentError) as info:
        c._call(QUERY, {})
    assert "cache" in str(info.value)
    assert fake.calls("ka10001") == 1


def test_revoke_on_close_only_self_issued(fake: FakeKiwoom) -> None:
    with sync_client(fake) as c:
        c._call(QUERY, {})
    assert fake.revoked == [fake.issued[0]]
    fake2 = FakeKiwoom()
    fake2.valid.add("user-token-abcdef")
    kw = client_kwargs(fake2, token="user-token-abcdef")
    with SyncAPIClient(transport=fake2.transport(), **kw) as c:
        c._call(QUERY, {})
    assert fake2.revoked == [] and fake2.issued == []


def sequence_handler(*responses: Any) -> Any:
    """Return (or raise) the given responses in order; the last one repeats."""
    items = list(responses)

    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            if isinstance(item, httpx.RequestError):
                item._request = request
            raise item
        return item  # type: ignore[no-any-return]

    return handler


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.Response(503, text="busy"),
        httpx.Response(429, text="slow"),
        err("1700", "허용된 요청 개수를 초과하였습니다", 5),
    ],
)
def test_safe_endpoint_retries(fake: FakeKiwoom, failure: Any) -> None:
    fake.handlers["ka10001"] = sequence_handler(failure, failure, ok(v=1))
    with sync_client(fake) as c:
        assert c._call(QUERY, {})["v"] == 1
    assert fake.calls("ka10001") == 3


def test_safe_endpoint_gives_up_after_max_attempts(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = sequence_handler(httpx.ReadTimeout("t"))
    with sync_client(fake, retry=RetryPolicy(max_attempts=2, initial_delay=0)) as c:
        with pytest.raises(APITimeoutError) as info:
            c._call(QUERY, {})
    assert info.value.sent is True
    assert fake.calls("ka10001") == 2


def test_max_retries_zero(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = sequence_handler(httpx.Response(503))
    with sync_client(fake, retry=None, max_retries=0) as c, pytest.raises(HTTPStatusError):
        c._call(QUERY, {})
    assert fake.calls("ka10001") == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.Response(500, text="oops"),
        httpx.Response(200, text="<html>proxy</html>"),
    ],
)
def test_unsafe_endpoint_never_resent_after_possible_processing(
    fake: FakeKiwoom, failure: Any
) -> None:
    fake.handlers["kt10000"] = sequence_handler(failure, ok(ord_no="0000001"))
    with sync_client(fake) as c, pytest.raises(OrderStateUnknownError) as info:
        c._call(ORDER, {"stk_cd": "005930"})
    assert fake.calls("kt10000") == 1
    assert "order status" in str(info.value) and "NOT resent" in str(info.value)
    assert info.value.__cause__ is not None


def test_unsafe_endpoint_async_timeout(fake: FakeKiwoom) -> None:
    fake.handlers["kt10000"] = sequence_handler(httpx.ReadTimeout("t"), ok())

    async def main() -> None:
        async with async_client(fake) as c:
            await c._call(ORDER, {"stk_cd": "005930"})

    with pytest.raises(OrderStateUnknownError):
        asyncio.run(main())
    assert fake.calls("kt10000") == 1


@pytest.mark.parametrize(
    "failure",
    [
        err("1700", "허용된 요청 개수를 초과하였습니다", 5),
        httpx.Response(429, headers={"retry-after": "0"}),
        httpx.ConnectError("refused before sending"),
    ],
)
def test_unsafe_endpoint_resent_when_not_processed(fake: FakeKiwoom, failure: Any) -> None:
    fake.handlers["kt10000"] = sequence_handler(failure, ok(ord_no="0000001"))
    with sync_client(fake) as c:
        assert c._call(ORDER, {"stk_cd": "005930"})["ord_no"] == "0000001"
    assert fake.calls("kt10000") == 2


def test_unsafe_connect_error_not_retried_if_disabled(fake: FakeKiwoom) -> None:
    fake.handlers["kt10000"] = sequence_handler(httpx.ConnectError("refused"), ok())
    policy = RetryPolicy(initial_delay=0, retry_unsent_unsafe=False)
    with sync_client(fake, retry=policy) as c, pytest.raises(OrderStateUnknownError):
        c._call(ORDER, {})
    assert fake.calls("kt10000") == 1


def test_rate_limit_exhausted_raises_rate_limit_error(fake: FakeKiwoom) -> None:
    fake.handlers["kt10000"] = sequence_handler(err("1700", "초과", 5))
    with sync_client(fake) as c, pytest.raises(RateLimitError):
        c._call(ORDER, {})
    assert fake.calls("kt10000") == 3


def test_retry_sleeps_use_backoff_and_retry_after(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = sequence_handler(
        httpx.Response(429, headers={"retry-after": "7"}), httpx.Response(503), ok()
    )
    policy = RetryPolicy(initial_delay=0.5, jitter=0.0)
    with sync_client(fake, retry=policy) as c:
        slept: list[float] = []
        c._sleep = slept.append
        c._call(QUERY, {})
    assert slept == [7.0, 1.0]


def test_connection_error_is_typed(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = sequence_handler(httpx.ConnectError("refused"))
    with sync_client(fake) as c, pytest.raises(APIConnectionError) as info:
        c._call(QUERY, {})
    assert info.value.sent is False


def test_per_call_timeout_is_passed(fake: FakeKiwoom) -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok()

    fake.handlers["ka10001"] = handler
    with sync_client(fake) as c:
        c._call(QUERY, {})
        c._call(QUERY, {}, timeout=1.5)
    assert seen[0]["read"] == 10.0 and seen[0]["connect"] == 5.0
    assert seen[1]["read"] == 1.5


# -- mock host -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["005930_NX", "005930_AL", "000660|005930_NX"])
def test_mock_refuses_nxt_and_sor_codes(fake: FakeKiwoom, code: str) -> None:
    with sync_client(fake, env="mock") as c, pytest.raises(ArgumentError) as info:
        c._call(QUERY, {"stk_cd": code})
    assert info.value.argument == "stk_cd" and "KRX" in str(info.value)
    assert fake.requests == []  # refused before anything was sent


def test_prod_accepts_nxt_codes_and_mock_accepts_krx(fake: FakeKiwoom) -> None:
    with sync_client(fake) as c:
        c._call(QUERY, {"stk_cd": "005930_NX"})
    with sync_client(fake, env="mock") as c:
        c._call(QUERY, {"stk_cd": "005930"})
    assert fake.calls("ka10001") == 2


def test_mock_unsupported_tr_refused_client_side(fake: FakeKiwoom) -> None:
    ep = Endpoint(api_id="ka90001", name="x", path="/p", mock_supported=False)
    with sync_client(fake, env="mock") as c, pytest.raises(NotSupportedInMockError):
        c._call(ep, {})
    with sync_client(fake, env="mock", check_mock_support=False) as c:
        c._call(ep, {})
    assert fake.calls("ka90001") == 1


def test_default_hosts_and_repr(fake: FakeKiwoom) -> None:
    c1 = SyncAPIClient(appkey=APPKEY, secretkey=SECRETKEY)
    c2 = SyncAPIClient(appkey=APPKEY, secretkey=SECRETKEY, env="mock")
    try:
        assert c1.base_url == PROD_BASE_URL and c2.base_url == MOCK_BASE_URL
        assert repr(c2) == f"SyncAPIClient(env='mock', base_url='{MOCK_BASE_URL}')"
        assert APPKEY not in repr(c1) and SECRETKEY not in repr(c1)
    finally:
        c1.tokens.revoke_on_close = c2.tokens.revoke_on_close = False
        c1.close()
        c2.close()


def test_bad_arguments() -> None:
    with pytest.raises(ArgumentError) as info:
        SyncAPIClient(appkey=APPKEY, secretkey=SECRETKEY, env="live")  # type: ignore[arg-type]
    assert info.value.argument == "env"
    with pytest.raises(ArgumentError) as info:
        SyncAPIClient(appkey=APPKEY, secretkey=SECRETKEY, base_url="ftp://x")
    assert info.value.argument == "base_url"


def test_user_http_client_is_not_closed(fake: FakeKiwoom) -> None:
    http = httpx.Client(transport=fake.transport(), timeout=3.0)
    with SyncAPIClient(http_client=http, **client_kwargs(fake)) as c:
        c._call(QUERY, {})
        assert c.timeout == http.timeout
    assert not http.is_closed
    http.close()

    own = SyncAPIClient(transport=fake.transport(), **client_kwargs(fake))
    own.close()
    assert own._http.is_closed
    with pytest.raises(Exception, match="closed"):
        own._call(QUERY, {})


def test_async_user_http_client_is_not_closed(fake: FakeKiwoom) -> None:
    async def main() -> bool:
        http = httpx.AsyncClient(transport=fake.transport())
        async with AsyncAPIClient(http_client=http, **client_kwargs(fake)) as c:
            await c._call(QUERY, {})
        closed = http.is_closed
        await http.aclose()
        return closed

    assert asyncio.run(main()) is False
    assert fake.revoked == fake.issued  # aclose revoked the self-issued token


def test_base_url_trailing_slash(fake: FakeKiwoom) -> None:
    with sync_client(fake, base_url=BASE_URL + "/") as c:
        c._call(QUERY, {})
    assert c.base_url == BASE_URL


# -- timeouts: 0 would fail every request later (as "ConnectError: [Errno 115]") ---------------


@pytest.mark.parametrize(
    "timeout",
    [0, 0.0, -1, httpx.Timeout(0), httpx.Timeout(5.0, connect=0), httpx.Timeout(5.0, read=-1.0)],
    ids=["0", "0.0", "-1", "Timeout(0)", "connect=0", "read=-1"],
)
def test_a_timeout_that_cannot_work_is_refused_up_front(fake: FakeKiwoom, timeout: Any) -> None:
    with pytest.raises(ArgumentError, match="timeout") as info:
        SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, timeout=timeout))
    assert info.value.argument == "timeout" and "None" in str(info.value)
    with sync_client(fake) as c, pytest.raises(ArgumentError, match="timeout"):
        c._call(QUERY, {}, timeout=timeout)
    with pytest.raises(ArgumentError, match="timeout"):
        c2 = sync_client(fake)
        try:
            c2._paginate(QUERY, {}, timeout=timeout)
        finally:
            c2.close()
    assert fake.requests == []  # refused before a token was issued


def test_a_timeout_that_cannot_work_is_refused_async(fake: FakeKiwoom) -> None:
    async def main() -> None:
        async with async_client(fake) as c:
            await c._call(QUERY, {}, timeout=0)

    with pytest.raises(ArgumentError, match="timeout"):
        asyncio.run(main())
    with pytest.raises(ArgumentError, match="timeout"):
        AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake, timeout=0))
    assert fake.requests == []


def test_none_and_positive_timeouts_are_accepted(fake: FakeKiwoom) -> None:
    for timeout in (None, 0.001, 3, httpx.Timeout(None), httpx.Timeout(5.0, pool=None)):
        SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, timeout=timeout)).close()


# -- transport failures name the URL, the attempts and the time they took ----------------------


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused")


def test_connection_error_names_url_attempts_and_elapsed() -> None:
    kw = client_kwargs(None, base_url="http://10.9.8.7:8443")  # type: ignore[arg-type]
    with SyncAPIClient(transport=httpx.MockTransport(_unreachable), **kw) as c:
        c.tokens.revoke_on_close = False
        with pytest.raises(APIConnectionError) as info:
            c._call(QUERY, {"stk_cd": "005930"})
    e = info.value
    text = str(e)
    assert e.url == "http://10.9.8.7:8443/oauth2/token" and e.url in text
    assert e.attempts == 3 and "3 attempts" in text
    assert e.elapsed is not None and f"{e.elapsed:.1f} s" in text
    assert "au10001" in text and "getting a token for ka10001" in text
    assert "Connection refused" in text
    assert APPKEY not in text and SECRETKEY not in text


def test_timeout_error_names_url_attempts_elapsed_and_timeout(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = sequence_handler(httpx.ReadTimeout("read timed out"))
    with sync_client(fake, timeout=1.5) as c, pytest.raises(APITimeoutError) as info:
        c._call(QUERY, {})
    e = info.value
    text = str(e)
    assert e.url == BASE_URL + QUERY.path and e.url in text
    assert e.attempts == 3 and "3 attempts" in text and "timeout 1.5 s" in text
    assert e.elapsed is not None and f"{e.elapsed:.1f} s" in text
    assert "getting a token" not in text  # the token was fine: the TR itself timed out


def test_one_attempt_and_async_transport_errors_are_located(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = sequence_handler(httpx.ConnectError("refused"))
    with sync_client(fake, retry=None, max_retries=0) as c, pytest.raises(APIConnectionError) as e:
        c._call(QUERY, {})
    assert e.value.attempts == 1 and "1 attempt " in str(e.value)

    async def main() -> None:
        async with async_client(fake) as c:
            await c._call(QUERY, {})

    with pytest.raises(APIConnectionError) as info:
        asyncio.run(main())
    assert info.value.attempts == 3 and (BASE_URL + QUERY.path) in str(info.value)


def test_order_state_unknown_names_the_url(fake: FakeKiwoom) -> None:
    fake.handlers["kt10000"] = sequence_handler(httpx.ReadTimeout("t"), ok())
    with sync_client(fake) as c, pytest.raises(OrderStateUnknownError) as info:
        c._call(ORDER, {"stk_cd": "005930"})
    assert (BASE_URL + ORDER.path) in str(info.value) and "1 attempt " in str(info.value)


def test_a_token_stale_on_arrival_is_not_reissued_on_every_call() -> None:
    fake = FakeKiwoom(expires_dt="20000101000000")  # the server's clock is far behind ours
    with sync_client(fake) as c:
        for _ in range(5):
            c._call(QUERY, {})
        assert fake.calls("au10001") == 1
        fake.valid.clear()  # the server does refuse it one day: then a new one is issued
        c._call(QUERY, {})
    assert fake.calls("au10001") == 2 and fake.calls("ka10001") == 7


# -- what a client talks to: env and repr ------------------------------------------------------


def test_unknown_env_points_to_base_url() -> None:
    with pytest.raises(ArgumentError) as info:
        SyncAPIClient(appkey=APPKEY, secretkey=SECRETKEY, env="live")  # type: ignore[arg-type]
    assert info.value.argument == "env"
    assert "'sandbox'" in str(info.value) and "base_url=" in str(info.value)


def test_repr_shows_the_real_target(fake: FakeKiwoom) -> None:
    with SyncAPIClient(
        transport=fake.transport(),
        appkey=APPKEY,
        secretkey=SECRETKEY,
        base_url="http://127.0.0.1:8080",
    ) as c:
        assert c.env == "custom"
        assert repr(c) == "SyncAPIClient(env='custom', base_url='http://127.0.0.1:8080')"
        assert c.tokens.environment == "custom-127.0.0.1-8080"
    with sync_client(fake, env="mock") as c:  # mock rules against another host: still "mock"
        assert repr(c) == f"SyncAPIClient(env='mock', base_url='{BASE_URL}')"
    c = SyncAPIClient(appkey=APPKEY, secretkey=SECRETKEY, revoke_on_close=False)
    assert repr(c) == f"SyncAPIClient(env='prod', base_url='{PROD_BASE_URL}')"
    c.close()
