from __future__ import annotations

import httpx
import pytest
from rt_fakes import APPKEY, QUERY, client_kwargs, err, ok

from kiwoom_runtime import (
    DEFAULT_ERROR_CODES,
    APIError,
    ArgumentError,
    AuthenticationError,
    HTTPStatusError,
    InvalidInputError,
    InvalidResponseError,
    KiwoomError,
    NotSupportedInMockError,
    OrderRejectedError,
    RateLimitError,
    RetryPolicy,
    SyncAPIClient,
    TokenEnvironmentError,
    TokenError,
    UnknownSymbolError,
    parse_bracket_code,
)
from kiwoom_runtime.errors import ErrorCodeMap


def test_parse_bracket_code() -> None:
    assert parse_bracket_code("인증에 실패했습니다[8005:Token이 유효하지 않습니다]") == (
        "8005",
        "Token이 유효하지 않습니다",
    )
    assert parse_bracket_code("[RC4058:장이 종료되었습니다]")[0] == "RC4058"
    assert parse_bracket_code("정상적으로 처리되었습니다") == (None, None)
    assert parse_bracket_code(None) == (None, None)


@pytest.mark.parametrize(
    ("msg", "code", "text"),
    [
        # recorded from the mock host (shared/live-responses/kt10000)
        ("[2000](RC4058:모의투자 장종료)", "RC4058", "모의투자 장종료"),
        # reported by other clients of the mock and live hosts
        (
            "[2000](800033:모의투자 매도가능수량이 부족합니다.)",
            "800033",
            "모의투자 매도가능수량이 부족합니다.",
        ),
        (
            "[2000](855056:매수증거금이 부족합니다. 6주 매수가능)",
            "855056",
            "매수증거금이 부족합니다. 6주 매수가능",
        ),
        ("[2000](1511:입력값을 확인하세요.)", "1511", "입력값을 확인하세요."),
    ],
)
def test_the_family_code_defers_to_the_code_in_parentheses(msg: str, code: str, text: str) -> None:
    assert parse_bracket_code(msg) == (code, text)


def test_order_rejections_in_the_family_form_are_order_rejected_errors() -> None:
    for msg in ("[2000](RC4058:모의투자 장종료)", "[2000](800033:매도가능수량이 부족합니다.)"):
        error = DEFAULT_ERROR_CODES.make(api_id="kt10001", return_code=20, return_msg=msg)
        assert type(error) is OrderRejectedError
        assert error.return_code == 20


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("8001", AuthenticationError),
        ("8002", AuthenticationError),
        ("8040", AuthenticationError),
        ("8050", AuthenticationError),
        ("8103", AuthenticationError),
        ("8005", TokenError),
        ("8010", TokenError),
        ("8030", TokenEnvironmentError),
        ("8031", TokenEnvironmentError),
        ("1700", RateLimitError),
        ("1701", RateLimitError),
        ("1702", RateLimitError),
        ("1687", RateLimitError),
        ("1511", InvalidInputError),
        ("1517", InvalidInputError),
        ("1901", UnknownSymbolError),
        ("1902", UnknownSymbolError),
        ("8104", NotSupportedInMockError),
        ("1999", NotSupportedInMockError),
        ("RC4058", OrderRejectedError),
        ("RC9000", OrderRejectedError),
        ("RC4003", OrderRejectedError),
        ("800033", OrderRejectedError),
        ("855056", OrderRejectedError),
        ("1634", APIError),
        ("9999", APIError),
        (None, APIError),
    ],
)
def test_code_map(code: str | None, cls: type[APIError]) -> None:
    assert DEFAULT_ERROR_CODES.lookup(code) is cls


def test_code_map_is_extensible_without_touching_default() -> None:
    class TooManyCodes(InvalidInputError):
        pass

    custom = DEFAULT_ERROR_CODES.copy()
    custom.register("1634", TooManyCodes)
    assert custom.lookup("1634") is TooManyCodes
    assert DEFAULT_ERROR_CODES.lookup("1634") is APIError
    assert ErrorCodeMap().lookup("8005") is APIError


def test_message_format() -> None:
    e = DEFAULT_ERROR_CODES.make(
        api_id="ka10001",
        return_code=3,
        return_msg="인증에 실패했습니다[8005:Token이 유효하지 않습니다]",
    )
    assert isinstance(e, TokenError)
    assert (
        str(e)
        == "ka10001: [8005] Token이 유효하지 않습니다 (return_code=3): token invalid or expired"
    )
    e2 = DEFAULT_ERROR_CODES.make(api_id="au10001", return_code=3, return_msg="[8002:secret]")
    assert isinstance(e2, AuthenticationError) and "secretkey" in str(e2)
    e1 = DEFAULT_ERROR_CODES.make(api_id="au10001", return_code=3, return_msg="[8001:appkey]")
    assert "appkey" in str(e1) and "secretkey" not in str(e1)


def test_argument_error_is_value_error() -> None:
    e = ArgumentError("stk_cd", "bad")
    assert isinstance(e, ValueError) and isinstance(e, KiwoomError)
    assert e.argument == "stk_cd" and str(e) == "stk_cd: bad"


def _client(handler: object, **kw: object) -> SyncAPIClient:
    from rt_fakes import FakeKiwoom

    fake = FakeKiwoom()
    fake.handlers["ka10001"] = handler  # type: ignore[assignment]
    return SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, **kw))


@pytest.mark.parametrize("rc", [0, "0", "0000", " 0 "])
def test_success_return_codes(rc: object) -> None:
    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(200, json={"return_code": rc, "return_msg": "ok", "x": 1})

    with _client(handler) as c:
        assert c._call(QUERY, {"stk_cd": "005930"}) == {
            "return_code": rc,
            "return_msg": "ok",
            "x": 1,
        }


@pytest.mark.parametrize("rc", [5, "5", "0005", "E"])
def test_nonzero_return_codes_raise(rc: object) -> None:
    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(
            200, json={"return_code": rc, "return_msg": "실패[1901:종목코드 없음]"}
        )

    with _client(handler) as c, pytest.raises(UnknownSymbolError) as info:
        c._call(QUERY, {"stk_cd": "999999"})
    e = info.value
    assert (e.api_id, e.code, e.return_code) == ("ka10001", "1901", rc)
    assert e.headers is not None and e.body is not None and "1901" in e.body


def test_1634_with_return_code_5_is_not_rate_limit_and_not_retried() -> None:
    calls = []

    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        calls.append(1)
        return err("1634", "종목코드 개수 초과", return_code=5)

    with _client(handler) as c, pytest.raises(APIError) as info:
        c._call(QUERY, {"stk_cd": "005930"})
    assert not isinstance(info.value, RateLimitError)
    assert info.value.code == "1634"
    assert len(calls) == 1


def test_envelope_checked_before_decode() -> None:
    decoded = []
    ep = QUERY.__class__(
        api_id="ka10001", name="x", path="/p", decode=lambda b, r: decoded.append(b) or b
    )
    fake_handler = lambda req, body: err("1511", "필수 입력값 누락(stk_cd)", 2)  # noqa: E731
    with _client(fake_handler) as c, pytest.raises(InvalidInputError):
        c._call(ep, {})
    assert decoded == []


def test_http_429_is_rate_limit_with_retry_after() -> None:
    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(429, text="slow down", headers={"retry-after": "2"})

    with (
        _client(handler, retry=RetryPolicy(max_attempts=1)) as c,
        pytest.raises(RateLimitError) as info,
    ):
        c._call(QUERY, {})
    assert info.value.status_code == 429 and info.value.retry_after == 2.0


def test_http_status_error_with_snippet() -> None:
    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(404, text="<html>not found</html>")

    with _client(handler) as c, pytest.raises(HTTPStatusError) as info:
        c._call(QUERY, {})
    assert info.value.status_code == 404 and "not found" in info.value.snippet
    assert "HTTP 404" in str(info.value)


def test_non_2xx_with_known_code_is_classified() -> None:
    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return err("8050", "지정단말기 인증 실패", 3, status=403)

    with _client(handler) as c, pytest.raises(AuthenticationError) as info:
        c._call(QUERY, {})
    assert info.value.status_code == 403


@pytest.mark.parametrize(
    ("content", "reason"), [(b"<html>502</html>", "not JSON"), (b"[1, 2]", "not an object")]
)
def test_invalid_response(content: bytes, reason: str) -> None:
    def handler(req: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(200, content=content)

    with _client(handler) as c, pytest.raises(InvalidResponseError) as info:
        c._call(QUERY, {})
    assert reason in str(info.value)
    assert info.value.snippet


def test_decode_failure_is_wrapped() -> None:
    def bad_decode(body: dict[str, object], raw: object) -> object:
        raise KeyError("stk_nm")

    ep = QUERY.__class__(api_id="ka10001", name="x", path="/p", decode=bad_decode)
    with _client(lambda r, b: ok()) as c, pytest.raises(InvalidResponseError) as info:
        c._call(ep, {})
    assert "stk_nm" in str(info.value) and isinstance(info.value.__cause__, KeyError)


def test_bad_credentials_fail_fast_naming_appkey() -> None:
    from rt_fakes import FakeKiwoom

    fake = FakeKiwoom()
    kw = client_kwargs(fake, appkey="WRONG-" + APPKEY)
    with (
        SyncAPIClient(transport=fake.transport(), **kw) as c,
        pytest.raises(AuthenticationError) as info,
    ):
        c._call(QUERY, {})
    assert info.value.code == "8001" and "appkey" in str(info.value)
    assert fake.calls("au10001") == 1  # not retried


# -- a bare bracketed code ([1700], no ":text") has been quoted from the live service -----------


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        ("허용된 요청 개수를 초과하였습니다[1700]", "1700"),
        ("[8005]", "8005"),
        ("주문 거부 [RC4058]", "RC4058"),
        ("[1700:허용된 요청 개수를 초과하였습니다. API ID=ka10001]", "1700"),
        ("[API ID=ka10001] 허용된 요청 개수를 초과하였습니다[1700]", "1700"),
        ("정상[처리]", None),  # a bracketed word is not a code
    ],
    ids=["bare", "only", "bare-RC", "with-text", "after-other-brackets", "word"],
)
def test_parse_bracket_code_accepts_the_bare_form(msg: str, code: str | None) -> None:
    parsed, text = parse_bracket_code(msg)
    assert parsed == code
    if code is not None and f"[{code}]" in msg:
        assert text is None


def _bare_1700_server(failures: int) -> tuple[httpx.MockTransport, list[str]]:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            return ok(token="tok-bare-1700-xxxxxxxx", expires_dt="20991231235959")
        if request.url.path == "/oauth2/revoke":
            return ok()
        sent.append(request.headers["api-id"])
        if len(sent) <= failures:
            return httpx.Response(200, json={"return_code": 5, "return_msg": "요청 초과[1700]"})
        return ok(stk_nm="삼성전자")

    return httpx.MockTransport(handler), sent


def test_bare_1700_is_a_rate_limit_and_retried() -> None:
    transport, sent = _bare_1700_server(failures=2)
    kw = client_kwargs(None, retry=RetryPolicy(initial_delay=0.0, jitter=0.0))  # type: ignore[arg-type]
    with SyncAPIClient(transport=transport, **kw) as c:
        assert c._call(QUERY, {"stk_cd": "005930"})["stk_nm"] == "삼성전자"
    assert sent == ["ka10001"] * 3

    transport, sent = _bare_1700_server(failures=9)
    kw = client_kwargs(None, retry=None, max_retries=0)  # type: ignore[arg-type]
    with SyncAPIClient(transport=transport, **kw) as c, pytest.raises(RateLimitError) as info:
        c._call(QUERY, {})
    assert info.value.code == "1700" and sent == ["ka10001"]
