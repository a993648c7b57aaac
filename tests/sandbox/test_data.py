"""Where answers come from: fixtures, documentation examples, synthetic data and pages."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from kiwoom_sandbox import Sandbox
from tests.sandbox._helpers import FIXTURES, OK_MSG, bracket, call


@pytest.fixture
def token(sandbox: Sandbox) -> str:
    return sandbox.issue_token()


def _fixture(path: str) -> dict[str, object]:
    value = json.loads((FIXTURES / path).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def test_ka10001_fixture_served_exactly(client: httpx.Client, token: str) -> None:
    recorded = _fixture("ka10001/samsung.json")
    response = call(client, "ka10001", token)
    assert response.json() == recorded["pages"][0]["body"]  # type: ignore[index]
    assert response.json()["stk_nm"] == "삼성전자"
    assert response.headers["cont-yn"] == "N"


def test_ka10006_fixture_served(client: httpx.Client, token: str) -> None:
    recorded = _fixture("ka10006/samsung.json")
    response = call(client, "ka10006", token)
    assert response.json() == recorded["pages"][0]["body"]  # type: ignore[index]


def test_another_code_is_not_answered_with_the_manuals_example(
    client: httpx.Client, token: str
) -> None:
    """issue 10 #5: the broken 005930 example (cur_prc '0.00') was served for every code."""
    body = call(client, "ka10001", token, body={"stk_cd": "000660"}).json()
    assert body["stk_cd"] == "000660" and body["stk_nm"] == "SK하이닉스"
    assert re.fullmatch(r"[+-]?\d+", body["cur_prc"]) and body["oyr_hgst"] != "+181400"


def test_synthetic_when_no_fixture_nor_example(client: httpx.Client, token: str) -> None:
    body = call(client, "ka10006", token, body={"stk_cd": "000660"}).json()
    assert body["return_code"] == 0 and body["return_msg"] == OK_MSG
    assert re.fullmatch(r"\d{8}", body["date"])
    assert re.fullmatch(r"[+-]?\d+", body["close_pric"])
    assert re.fullmatch(r"[+-]?\d+\.\d\d", body["flu_rt"])


def test_three_fixture_pages_with_cont_yn_and_next_key(client: httpx.Client, token: str) -> None:
    recorded = _fixture("ka10005/samsung_daily.json")["pages"]
    assert isinstance(recorded, list)
    dates: list[str] = []
    response = call(client, "ka10005", token)
    served = 0
    for page in recorded:
        served += 1
        assert response.json() == page["body"]
        assert response.headers["cont-yn"] == page["headers"]["cont-yn"]
        dates += [row["date"] for row in response.json()["stk_ddwkmm"]]
        if response.headers["cont-yn"] != "Y":
            break
        response = call(
            client, "ka10005", token, cont_yn="Y", next_key=response.headers["next-key"]
        )
    assert served == 3
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates) >= 9


def test_wrong_next_key_is_an_error(client: httpx.Client, token: str) -> None:
    response = call(client, "ka10005", token, cont_yn="Y", next_key="not-a-key")
    assert response.json()["return_code"] != 0 and bracket(response) == "1518"
    assert bracket(call(client, "ka10005", token, cont_yn="Y")) == "1518"


def _collect(client: httpx.Client, token: str, api_id: str) -> list[httpx.Response]:
    pages = [call(client, api_id, token)]
    while pages[-1].headers["cont-yn"] == "Y":
        assert len(pages) < 100, "the pager does not end"
        pages.append(
            call(client, api_id, token, cont_yn="Y", next_key=pages[-1].headers["next-key"])
        )
    return pages


def test_synthetic_pager_20_pages(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    sandbox.configure(pages_for={"ka10005": 20}, rows_per_page=5)
    pages = _collect(client, token, "ka10005")
    assert len(pages) == 20
    assert pages[-1].headers["next-key"] == ""
    dates = [row["date"] for p in pages for row in p.json()["stk_ddwkmm"]]
    assert len(dates) == 100 and dates == sorted(dates, reverse=True) and len(set(dates)) == 100
    assert all(p.json()["return_code"] == 0 for p in pages)


def test_synthetic_is_deterministic_and_seeded(
    sandbox: Sandbox, client: httpx.Client, token: str
) -> None:
    sandbox.configure(pages_for={"ka10005": 1})
    first = call(client, "ka10005", token).json()
    assert call(client, "ka10005", token).json() == first
    sandbox.configure(seed=7)
    assert call(client, "ka10005", token).json() != first


def test_synthetic_next_key_is_bound_to_the_request(
    sandbox: Sandbox, client: httpx.Client, token: str
) -> None:
    sandbox.configure(pages_for={"ka10005": 3})
    key = call(client, "ka10005", token).headers["next-key"]
    other = call(client, "ka10005", token, body={"stk_cd": "000660"}, cont_yn="Y", next_key=key)
    assert bracket(other) == "1518"


def test_10000_rows(sandbox: Sandbox, client: httpx.Client, token: str) -> None:
    # Size, not speed, is under test (make bench measures speed): a loaded machine may take
    # longer than the fixture client's 5 s timeout to build 10,000 rows.
    sandbox.configure(pages_for={"ka10005": 1}, rows_per_page=10_000)
    client.timeout = httpx.Timeout(60.0)
    body = call(client, "ka10005", token).json()
    rows = body["stk_ddwkmm"]
    assert len(rows) == 10_000 and len({r["date"] for r in rows}) == 10_000
    assert set(rows[0]) >= {"date", "open_pric", "close_pric", "trde_qty"}


def test_high_is_not_below_low_in_synthetic_rows(
    sandbox: Sandbox, client: httpx.Client, token: str
) -> None:
    sandbox.configure(pages_for={"ka10005": 1}, rows_per_page=200)
    for row in call(client, "ka10005", token).json()["stk_ddwkmm"]:
        assert abs(int(row["high_pric"])) >= abs(int(row["low_pric"]))
