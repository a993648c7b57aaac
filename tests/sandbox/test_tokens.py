"""Token issue, revoke, expiry, invalidation by re-issue, and authentication errors."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest

from kiwoom_sandbox import Sandbox
from tests.sandbox._helpers import OK_MSG, bracket, call, issue, make_config

KST = dt.timezone(dt.timedelta(hours=9))


def test_issue_answers_like_au10001(client: httpx.Client) -> None:
    response = issue(client)
    assert response.status_code == 200
    assert response.headers["api-id"] == "au10001"
    body = response.json()
    assert body["return_code"] == 0 and body["return_msg"] == OK_MSG
    assert body["token_type"] == "bearer" and len(body["token"]) > 20
    expires = dt.datetime.strptime(body["expires_dt"], "%Y%m%d%H%M%S").replace(tzinfo=KST)
    left = (expires - dt.datetime.now(KST)).total_seconds()
    assert 86400 - 5 < left <= 86400


def test_token_opens_calls(client: httpx.Client) -> None:
    token = issue(client).json()["token"]
    assert call(client, "ka10001", token).json()["return_code"] == 0


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nope", "Basic abc", "Bearer", "bearer-without-space"]
)
def test_missing_or_unknown_token_is_8005(client: httpx.Client, authorization: str | None) -> None:
    headers = {"api-id": "ka10001"}
    if authorization is not None:
        headers["authorization"] = authorization
    response = client.post("/api/dostk/stkinfo", json={"stk_cd": "005930"}, headers=headers)
    assert response.status_code == 200
    assert response.json()["return_code"] == 3
    assert response.json()["return_msg"] == "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"


def test_short_lifetime_expires_and_expires_dt_reflects_it() -> None:
    with Sandbox(make_config(token_lifetime=1.5)) as sb, httpx.Client(base_url=sb.base_url) as c:
        body = issue(c).json()
        expires = dt.datetime.strptime(body["expires_dt"], "%Y%m%d%H%M%S").replace(tzinfo=KST)
        assert abs((expires - dt.datetime.now(KST)).total_seconds()) < 3
        assert call(c, "ka10001", body["token"]).json()["return_code"] == 0
        time.sleep(1.7)
        assert bracket(call(c, "ka10001", body["token"])) == "8005"


def test_lifetime_changed_at_runtime(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(token_lifetime=0.5)
    token = issue(client).json()["token"]
    time.sleep(0.7)
    assert bracket(call(client, "ka10001", token)) == "8005"


def test_revoke_then_8005(client: httpx.Client) -> None:
    token = issue(client).json()["token"]
    body = {"appkey": "app", "secretkey": "secret", "token": token}
    response = client.post("/oauth2/revoke", json=body, headers={"api-id": "au10002"})
    assert response.json() == {"return_code": 0, "return_msg": OK_MSG}
    assert bracket(call(client, "ka10001", token)) == "8005"
    again = client.post("/oauth2/revoke", json=body, headers={"api-id": "au10002"})
    assert bracket(again) == "8005"


def test_revoke_with_another_appkey_is_refused(client: httpx.Client) -> None:
    token = issue(client, appkey="a1").json()["token"]
    body = {"appkey": "a2", "secretkey": "s", "token": token}
    assert (
        bracket(client.post("/oauth2/revoke", json=body, headers={"api-id": "au10002"})) == "8005"
    )
    assert call(client, "ka10001", token).json()["return_code"] == 0


def test_reissue_keeps_old_token_by_default(client: httpx.Client) -> None:
    first = issue(client).json()["token"]
    second = issue(client).json()["token"]
    assert first != second
    assert call(client, "ka10001", first).json()["return_code"] == 0


def test_reissue_invalidates_previous_token_of_same_appkey(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.configure(invalidate_previous_token=True)
    first = issue(client, appkey="k1").json()["token"]
    other = issue(client, appkey="k2").json()["token"]
    second = issue(client, appkey="k1").json()["token"]
    assert bracket(call(client, "ka10001", first)) == "8005"
    assert call(client, "ka10001", second).json()["return_code"] == 0
    assert call(client, "ka10001", other).json()["return_code"] == 0


def test_valid_keys_8001_and_8002(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(valid_keys={"good": "sesame"})
    assert bracket(issue(client, appkey="bad", secretkey="sesame")) == "8001"
    assert bracket(issue(client, appkey="good", secretkey="wrong")) == "8002"
    assert issue(client, appkey="good", secretkey="sesame").json()["return_code"] == 0


def test_token_issue_requires_its_fields(client: httpx.Client) -> None:
    body = {"grant_type": "client_credentials", "appkey": "a"}
    response = client.post("/oauth2/token", json=body, headers={"api-id": "au10001"})
    assert bracket(response) == "1511"
    assert "secretkey" in response.json()["return_msg"]


def test_expire_tokens_helper(sandbox: Sandbox, client: httpx.Client) -> None:
    token = sandbox.issue_token()
    assert call(client, "ka10001", token).json()["return_code"] == 0
    sandbox.expire_tokens()
    assert bracket(call(client, "ka10001", token)) == "8005"
