"""Rate limits: 1700 with return_code 5, per api-id and global, HTTP 200 or 429."""

from __future__ import annotations

import time

import httpx

from kiwoom_sandbox import RateLimit, Sandbox
from tests.sandbox._helpers import bracket, call


def test_per_api_limit_one_per_second_burst_two(sandbox: Sandbox, client: httpx.Client) -> None:
    token = sandbox.issue_token()
    sandbox.configure(per_api_limit=RateLimit(1.0, burst=2))
    answers = [call(client, "ka10001", token) for _ in range(3)]
    assert [a.json()["return_code"] for a in answers] == [0, 0, 5]
    refused = answers[2]
    assert refused.status_code == 200
    assert refused.json()["return_msg"] == (
        "허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID=ka10001]"
    )
    # another TR has its own bucket
    assert call(client, "ka10006", token).json()["return_code"] == 0
    time.sleep(1.1)
    assert call(client, "ka10001", token).json()["return_code"] == 0


def test_override_for_one_api_id(sandbox: Sandbox, client: httpx.Client) -> None:
    token = sandbox.issue_token()
    sandbox.configure(api_limits={"ka10006": RateLimit(1.0, burst=1)})
    assert call(client, "ka10006", token).json()["return_code"] == 0
    assert bracket(call(client, "ka10006", token)) == "1700"
    assert all(call(client, "ka10001", token).json()["return_code"] == 0 for _ in range(5))


def test_global_limit_and_429(sandbox: Sandbox, client: httpx.Client) -> None:
    token = sandbox.issue_token()
    sandbox.configure(global_limit=RateLimit(5.0, burst=5), rate_limit_status=429)
    answers = [call(client, api, token) for api in ["ka10001", "ka10006"] * 3]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json()["return_code"] == 5 and bracket(answers[-1]) == "1700"
    assert "API ID=ka10006" in answers[-1].json()["return_msg"]


def test_limits_can_be_lifted_at_runtime(sandbox: Sandbox, client: httpx.Client) -> None:
    token = sandbox.issue_token()
    sandbox.configure(per_api_limit=RateLimit(0.1, burst=1))
    call(client, "ka10001", token)
    assert bracket(call(client, "ka10001", token)) == "1700"
    sandbox.configure(per_api_limit=None)
    assert call(client, "ka10001", token).json()["return_code"] == 0
