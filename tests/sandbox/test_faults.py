"""Every fault kind, injected by api-id for the next N calls, seen over real HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

from kiwoom_sandbox import Fault, FaultKind, Sandbox
from tests.sandbox._helpers import bracket, call, issue


@pytest.fixture
def token(sandbox: Sandbox) -> str:
    return sandbox.issue_token()


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_error_for_the_next_two_calls(
    sandbox: Sandbox, client: httpx.Client, token: str, status: int
) -> None:
    sandbox.inject("ka10001", FaultKind.HTTP_ERROR, count=2, status=status)
    assert sandbox.pending_faults("ka10001") == 2
    assert call(client, "ka10006", token).status_code == 200  # other TRs are untouched
    first, second, third = (call(client, "ka10001", token) for _ in range(3))
    assert first.status_code == second.status_code == status
    assert first.headers["content-type"].startswith("text/html")
    assert third.status_code == 200 and third.json()["return_code"] == 0
    assert sandbox.pending_faults("ka10001") == 0


def test_delay_past_the_client_timeout(sandbox: Sandbox, token: str) -> None:
    sandbox.inject("ka10001", "delay", delay=1.0)
    with httpx.Client(base_url=sandbox.base_url, timeout=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            call(c, "ka10001", token)
        assert call(c, "ka10001", token).json()["return_code"] == 0


def test_delay_then_normal_answer(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10001", "delay", delay=0.2)
    response = call(client, "ka10001", token)
    assert response.json()["return_code"] == 0
    assert response.elapsed.total_seconds() >= 0.2


def test_reset_mid_body(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10001", "reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        call(client, "ka10001", token)
    assert call(client, "ka10001", token).json()["return_code"] == 0


def test_html_error_page(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10001", "html")
    response = call(client, "ka10001", token)
    assert response.status_code == 200 and response.text.startswith("<html>")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_truncated_json(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10001", "truncated_json")
    response = call(client, "ka10001", token)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.text.startswith('{"stk_cd":"005930"')
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize(
    ("return_code", "message", "code"),
    [
        (
            5,
            "요청 개수를 초과하였습니다[1634:한번에 조회 가능한 종목코드 개수를 초과하였습니다]",
            "1634",
        ),
        (3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]", "8005"),
        (
            2,
            "입력 값 오류[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터=qry_tp]",
            "1511",
        ),
    ],
)
def test_arbitrary_error(
    sandbox: Sandbox,
    client: httpx.Client,
    token: str,
    return_code: int,
    message: str,
    code: str,
) -> None:
    sandbox.inject("ka10001", "error", return_code=return_code, return_msg=message)
    response = call(client, "ka10001", token)
    assert response.status_code == 200
    assert response.json() == {"return_code": return_code, "return_msg": message}
    assert bracket(response) == code
    assert response.headers["api-id"] == "ka10001"


def test_expire_token_now(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10001", "expire_token")
    assert bracket(call(client, "ka10001", token)) == "8005"
    assert bracket(call(client, "ka10006", token)) == "8005"  # the token stays expired
    fresh = issue(client).json()["token"]
    assert call(client, "ka10001", fresh).json()["return_code"] == 0


def test_repeat_next_key(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    first = call(client, "ka10005", token)
    key1 = first.headers["next-key"]
    sandbox.inject("ka10005", "repeat_next_key")
    second = call(client, "ka10005", token, cont_yn="Y", next_key=key1)
    assert second.headers["cont-yn"] == "Y" and second.headers["next-key"] == key1
    again = call(client, "ka10005", token, cont_yn="Y", next_key=key1)
    assert again.json() == second.json()  # a naive client loops on the same page
    assert again.headers["next-key"] != key1


def test_repeat_next_key_on_a_first_page(
    sandbox: Sandbox, client: httpx.Client, token: str
) -> None:
    sandbox.configure(pages_for={"ka10005": 3})
    sandbox.inject("ka10005", "repeat_next_key")
    first = call(client, "ka10005", token)
    again = call(client, "ka10005", token, cont_yn="Y", next_key=first.headers["next-key"])
    assert again.headers["next-key"] != first.headers["next-key"]  # the bug bit once


def test_missing_list(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10005", "missing_list")
    response = call(client, "ka10005", token)
    assert response.json() == {"return_code": 0, "return_msg": "정상적으로 처리되었습니다"}
    assert response.headers["cont-yn"] == "Y"
    assert "stk_ddwkmm" in call(client, "ka10005", token).json()


@pytest.mark.parametrize("text", ["0", "0000"])
def test_string_return_code(sandbox: Sandbox, client: httpx.Client, token: str, text: str) -> None:
    sandbox.inject("ka10001", "string_return_code", return_code_text=text)
    body = call(client, "ka10001", token).json()
    assert body["return_code"] == text and body["stk_nm"] == "삼성전자"
    assert call(client, "ka10001", token).json()["return_code"] == 0


def test_faults_queue_in_order_and_wildcard(
    sandbox: Sandbox, client: httpx.Client, token: str
) -> None:
    sandbox.inject("ka10001", "http_error", status=502)
    sandbox.inject("ka10001", "html")
    sandbox.inject("*", "http_error", status=503)
    assert call(client, "ka10001", token).status_code == 502
    assert call(client, "ka10001", token).text.startswith("<html>")
    assert call(client, "ka10006", token).status_code == 503
    assert call(client, "ka10001", token).json()["return_code"] == 0


def test_fault_on_token_issue(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.inject("au10001", "http_error", status=503)
    assert issue(client).status_code == 503
    assert issue(client).json()["return_code"] == 0


def test_clear_faults(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.inject("ka10001", "http_error", count=5)
    sandbox.clear_faults()
    assert call(client, "ka10001", token).status_code == 200


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault(kind="no_such_fault")
    with pytest.raises(ValueError):
        Fault(kind=FaultKind.HTML, count=0)
