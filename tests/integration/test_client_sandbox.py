"""The runtime's promises, shown end to end: tokens, paging, errors, retries, secrets."""

from __future__ import annotations

import asyncio
import logging

import attrs
import httpx
import pytest

import kiwoom_typed.tr.ka10001 as ka10001
from kiwoom_runtime import errors
from kiwoom_sandbox import Sandbox
from kiwoom_typed import AsyncClient, Client
from tests.integration.conftest import FAST_RETRY

APPKEY = "it-appkey-7f3a9c"
SECRETKEY = "it-secretkey-b81e2d"


def _client(sandbox: Sandbox, **options: object) -> Client:
    options.setdefault("retry", FAST_RETRY)
    return Client(appkey=APPKEY, secretkey=SECRETKEY, base_url=sandbox.base_url, **options)  # type: ignore[arg-type]


def _async_client(sandbox: Sandbox, **options: object) -> AsyncClient:
    options.setdefault("retry", FAST_RETRY)
    return AsyncClient(appkey=APPKEY, secretkey=SECRETKEY, base_url=sandbox.base_url, **options)  # type: ignore[arg-type]


def test_token_issued_once_reused_and_revoked_on_close(sandbox: Sandbox) -> None:
    with _client(sandbox) as client:
        for _ in range(5):
            client.get_stock_info(stk_cd="005930")
        token = client.tokens.current
        assert token is not None
    assert len(sandbox.requests_for("au10001")) == 1
    (revoke,) = sandbox.requests_for("au10002")
    assert revoke.body["token"] == token.value.get_secret_value()
    # the revoked token is refused afterwards
    answer = httpx.post(
        sandbox.url_for("ka10001"),
        headers={"api-id": "ka10001", "authorization": f"Bearer {token.value.get_secret_value()}"},
        json={"stk_cd": "005930"},
    )
    assert "[8005:" in answer.json()["return_msg"]


def test_user_token_is_never_revoked(sandbox: Sandbox) -> None:
    token = sandbox.issue_token(appkey=APPKEY)
    with Client(token=token, base_url=sandbox.base_url) as client:
        client.get_stock_info(stk_cd="005930")
    assert sandbox.requests_for("au10002") == []


def test_expiry_refreshes_once_under_50_concurrent_calls(sandbox: Sandbox) -> None:
    async def run() -> int:
        async with _async_client(sandbox, rate_limit=None) as client:
            await client.get_stock_info(stk_cd="005930")
            sandbox.expire_tokens()
            await asyncio.gather(*(client.get_stock_info(stk_cd="005930") for _ in range(50)))
            return client.tokens.issue_count

    assert asyncio.run(run()) == 2
    assert len(sandbox.requests_for("au10001")) == 2


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_paging_across_three_pages(sandbox: Sandbox, mode: str) -> None:
    if mode == "sync":
        with _client(sandbox) as client:
            pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930")
            pages = list(pager)
            rows = [row for page in pages for row in page.stk_ddwkmm or ()]
    else:

        async def run() -> tuple[list[object], list[object], object]:
            async with _async_client(sandbox) as client:
                pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930")
                got = [page async for page in pager]
                return got, [r for p in got for r in p.stk_ddwkmm or ()], pager  # type: ignore[attr-defined]

        pages, rows, pager = asyncio.run(run())  # type: ignore[assignment]
    assert len(pages) == 3 and len(rows) == 9
    assert pager.complete and not pager.truncated  # type: ignore[attr-defined]
    dates = [row.date for row in rows]  # type: ignore[attr-defined]
    assert dates == sorted(dates, reverse=True)
    sent = sandbox.requests_for("ka10005")
    assert [r.headers.get("cont-yn") for r in sent] == [None, "Y", "Y"]
    assert [r.headers.get("next-key") for r in sent] == [
        None,
        pages[0].next_key,  # type: ignore[attr-defined]
        pages[1].next_key,  # type: ignore[attr-defined]
    ]


def test_max_pages_says_the_list_is_partial(sandbox: Sandbox) -> None:
    with _client(sandbox) as client:
        pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930", max_pages=2)
        assert len(list(pager.items())) == 6
        assert pager.truncated and not pager.complete


ERROR_CASES = [
    (
        "error",
        {"return_code": 2, "return_msg": "입력값 오류[1511:필수입력 파라미터=stk_cd]"},
        errors.InvalidInputError,
    ),
    (
        "error",
        {"return_code": 5, "return_msg": "종목수 초과[1634:한 번에 조회 가능한 종목 수 초과]"},
        errors.APIError,
    ),
    (
        "error",
        {
            "return_code": 3,
            "return_msg": "인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]",
        },
        errors.AuthenticationError,
    ),
    (
        "error",
        {
            "return_code": 5,
            "return_msg": "요청 초과[1700:허용된 요청 개수를 초과하였습니다]",
        },
        errors.RateLimitError,
    ),
    ("http_error", {"status": 503}, errors.HTTPStatusError),
    ("html", {}, errors.InvalidResponseError),
    ("truncated_json", {}, errors.InvalidResponseError),
    ("delay", {"delay": 1.0}, errors.APITimeoutError),
    ("reset", {}, errors.APIConnectionError),
]


@pytest.mark.parametrize(
    ("kind", "params", "error"), ERROR_CASES, ids=[f"{c[0]}-{c[2].__name__}" for c in ERROR_CASES]
)
def test_each_error_class(
    sandbox: Sandbox, kind: str, params: dict[str, object], error: type[Exception]
) -> None:
    sandbox.inject("ka10001", kind, count=10, **params)
    with _client(sandbox, timeout=0.3) as client, pytest.raises(error) as info:
        client.get_stock_info(stk_cd="005930")
    assert isinstance(info.value, errors.KiwoomError)
    assert "ka10001" in str(info.value)
    if isinstance(info.value, errors.APIError):
        assert info.value.code in str(info.value)
    if error is errors.APIError:  # 1634 shares return_code 5 with 1700 but is not a rate limit
        assert not isinstance(info.value, errors.RateLimitError)
        assert len(sandbox.requests_for("ka10001")) == 1


def test_expired_token_error_after_refresh_is_a_token_error(sandbox: Sandbox) -> None:
    sandbox.inject(
        "ka10001",
        "error",
        count=5,
        return_code=3,
        return_msg="인증에 실패했습니다[8005:Token이 유효하지 않습니다]",
    )
    with _client(sandbox) as client, pytest.raises(errors.TokenError):
        client.get_stock_info(stk_cd="005930")
    assert len(sandbox.requests_for("ka10001")) == 2  # one replay, never a loop


def test_queries_retry_and_unsafe_trs_are_never_resent(sandbox: Sandbox) -> None:
    sandbox.inject("ka10001", "http_error", count=1, status=503)
    with _client(sandbox) as client:
        assert client.get_stock_info(stk_cd="005930").stk_nm == "삼성전자"
        assert len(sandbox.requests_for("ka10001")) == 2
        unsafe = attrs.evolve(ka10001.ENDPOINT, retry_safe=False)
        sandbox.clear_requests()
        sandbox.inject("ka10001", "http_error", count=1, status=503)
        with pytest.raises(errors.OrderStateUnknownError) as info:
            client._call(unsafe, ka10001.Ka10001Request(stk_cd="005930"))
        assert len(sandbox.requests_for("ka10001")) == 1
        assert "unknown" in str(info.value).lower()
        sandbox.clear_requests()
        sandbox.inject(
            "ka10001",
            "error",
            count=1,
            return_code=5,
            return_msg="초과[1700:허용된 요청 개수를 초과하였습니다]",
        )
        client._call(
            unsafe, ka10001.Ka10001Request(stk_cd="005930")
        )  # 1700 proves it was not processed
        assert len(sandbox.requests_for("ka10001")) == 2


def test_repeated_next_key_is_a_paging_error(sandbox: Sandbox) -> None:
    with _client(sandbox) as client:
        pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930")
        iterator = iter(pager)
        next(iterator)
        sandbox.inject("ka10005", "repeat_next_key")
        with pytest.raises(errors.PagingError):
            list(iterator)
        assert not pager.complete


def test_secrets_absent_from_debug_logs(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tokens: list[str] = []
    with _client(sandbox) as client:
        client.get_stock_info(stk_cd="005930")
        tokens.append(client.tokens.current.value.get_secret_value())  # type: ignore[union-attr]
        sandbox.inject("ka10001", "expire_token")
        client.get_stock_info(stk_cd="005930")
        tokens.append(client.tokens.current.value.get_secret_value())  # type: ignore[union-attr]
        text = repr(client)
    assert len(set(tokens)) == 2
    logged = "\n".join(r.getMessage() for r in caplog.records) + text
    assert caplog.records, "debug logging produced nothing to check"
    for secret in (APPKEY, SECRETKEY, *tokens):
        assert secret not in logged
