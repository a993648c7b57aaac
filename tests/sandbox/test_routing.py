"""Routing by path and api-id, request validation, mock-mode refusals."""

from __future__ import annotations

import httpx
import pytest

from kiwoom_sandbox import Sandbox
from tests.sandbox._helpers import bracket, call, make_config


@pytest.fixture
def token(sandbox: Sandbox) -> str:
    return sandbox.issue_token()


def test_shared_path_routes_by_api_id(client: httpx.Client, token: str) -> None:
    daily = call(client, "ka10005", token, path="/api/dostk/mrkcond")
    quote = call(client, "ka10006", token, path="/api/dostk/mrkcond")
    assert daily.headers["api-id"] == "ka10005" and "stk_ddwkmm" in daily.json()
    assert quote.headers["api-id"] == "ka10006" and "cntr_str" in quote.json()
    assert "stk_ddwkmm" not in quote.json()


def test_api_id_on_the_wrong_path(client: httpx.Client, token: str) -> None:
    response = call(client, "ka10001", token, path="/api/dostk/mrkcond")
    assert response.status_code == 200
    assert response.json()["return_code"] == 2 and bracket(response) == "1504"


def test_unknown_api_id(client: httpx.Client, token: str) -> None:
    response = call(client, "ka99999", token, path="/api/dostk/mrkcond")
    assert bracket(response) == "1505" and "ka99999" in response.json()["return_msg"]


def test_missing_api_id(client: httpx.Client, token: str) -> None:
    response = client.post(
        "/api/dostk/mrkcond",
        json={"stk_cd": "005930"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert bracket(response) == "1501"


def test_unknown_path_is_404(client: httpx.Client, token: str) -> None:
    response = call(client, "ka10001", token, path="/api/nowhere")
    assert response.status_code == 404 and bracket(response) == "1500"


def test_get_is_405(client: httpx.Client) -> None:
    assert client.get("/api/dostk/stkinfo", headers={"api-id": "ka10001"}).status_code == 405


def test_missing_required_field_names_it(client: httpx.Client, token: str) -> None:
    response = call(client, "ka10001", token, body={})
    assert response.json()["return_code"] == 2
    assert bracket(response) == "1511" and "stk_cd" in response.json()["return_msg"]


def test_body_not_json(client: httpx.Client, token: str) -> None:
    headers = {"api-id": "ka10001", "authorization": f"Bearer {token}"}
    response = client.post("/api/dostk/stkinfo", content=b"{oops", headers=headers)
    assert bracket(response) == "1517"


def test_auth_is_checked_before_fields(client: httpx.Client) -> None:
    assert bracket(call(client, "ka10001", None, body={})) == "8005"


def test_mock_refuses_nx_and_al_codes() -> None:
    with Sandbox(make_config(mode="mock")) as sb, httpx.Client(base_url=sb.base_url) as c:
        token = sb.issue_token()
        for code in ("005930_NX", "005930_AL"):
            response = call(c, "ka10001", token, body={"stk_cd": code})
            assert response.json()["return_code"] == 20
            assert bracket(response) == "RC9000" and code in response.json()["return_msg"]
        assert call(c, "ka10001", token).json()["return_code"] == 0


def test_prod_echoes_nx_codes(client: httpx.Client, token: str) -> None:
    response = call(client, "ka10006", token, body={"stk_cd": "005930_NX"})
    assert response.json()["return_code"] == 0


def test_synthetic_answers_echo_the_request_code(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(pages_for={"ka10001": 1})
    response = call(client, "ka10001", sandbox.issue_token(), body={"stk_cd": "000660_NX"})
    assert response.json()["stk_cd"] == "000660_NX"
