"""Recording answers as fixtures (``record=DIR``, ``KIWOOM_RECORD``): layout, masking, file
names, pagers, and that recording never breaks a call. Over httpx.MockTransport; the canary
session over real HTTP is tests/reliability/test_recording_secrets.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from rt_fakes import APPKEY, LIST, QUERY, SECRETKEY, FakeKiwoom, client_kwargs, err, ok
from test_paging import pages_handler

from kiwoom_runtime import ArgumentError, AsyncAPIClient, SyncAPIClient
from kiwoom_runtime import recording as rec
from kiwoom_runtime.recording import RECORD_ENV, mask_body
from kiwoom_runtime.values import KST

FROZEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=KST)


def files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- masking ------------------------------------------------------------------------------------


def test_mask_body_masks_sensitive_keys_at_any_depth_and_keeps_lengths() -> None:
    body = {
        "acnt_no": "5012-3456-10 [A]",
        "acnt_nm": "홍길동",
        "token": "abc-DEF_123",
        "ord_no": "0012345",
        "stk_cd": "005930",
        "rows": [{"mang_empno": "A1234", "cur_prc": "+100"}, {"acctNo": 1234567890}],
        "empty": {"acnt_no": ""},
        "none": {"acnt_no": None},
    }
    masked: set[str] = set()
    out = mask_body(body, frozenset({"acnt_nm", "mang_empno"}), masked)
    assert out["acnt_no"] == "****-****-** [*]"  # separators kept: the shape stays visible
    assert out["acnt_nm"] == "***"
    assert out["token"] == "*" * 11  # credentials entirely
    assert out["ord_no"] == "0000000"  # order numbers still read as codes
    assert out["stk_cd"] == "005930"
    assert out["rows"] == [{"mang_empno": "*****", "cur_prc": "+100"}, {"acctNo": "*" * 10}]
    assert out["empty"] == {"acnt_no": ""} and out["none"] == {"acnt_no": None}
    assert masked == {"acnt_no", "acnt_nm", "token", "ord_no", "mang_empno", "acctNo"}
    assert body["acnt_no"] == "5012-3456-10 [A]"  # a copy: the answer itself is untouched


def test_the_tooling_masks_what_the_runtime_masks() -> None:
    from codegen import masking

    assert masking.ALWAYS_MASKED == rec.ALWAYS_MASKED
    assert masking.ORDER_NUMBER_KEYS == rec.ORDER_NUMBER_KEYS


# --- files ----------------------------------------------------------------------------------------


def test_a_call_is_one_file_in_the_fixture_layout(fake: FakeKiwoom, tmp_path: Path) -> None:
    def answer(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        headers = {
            "api-id": "ka10001",
            "cont-yn": "N",
            "next-key": "",
            "resp-cnt": "1",
            "set-cookie": "session=abc",
            "date": "Mon, 01 Jan 2026 00:00:00 GMT",
        }
        return ok(headers, stk_cd=body["stk_cd"], acnt_no="5012345610", msg=f"key {APPKEY}")

    fake.handlers["ka10001"] = answer
    endpoint = attrs.evolve(QUERY, sensitive=("acnt_no",))
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, record=tmp_path)) as c:
        raw = c._call_raw(endpoint, {"stk_cd": "005930"})
    assert raw.body is not None and raw.body["acnt_no"] == "5012345610"  # the caller's is whole
    found = {p.parent.name: p for p in files(tmp_path)}
    assert set(found) == {"au10001", "ka10001", "au10002"}  # token issue and revoke too
    data = load(found["ka10001"])
    assert list(data) == ["description", "recorded", "request", "pages"]
    recorded = data["recorded"]
    assert recorded["api_id"] == "ka10001" and recorded["path"] == "/api/dostk/stkinfo"
    assert recorded["env"] == "custom" and recorded["host"] == "kiwoom.test"
    assert recorded["client"].startswith("kiwoom-typed ")
    assert recorded["at"].endswith("+09:00")  # Korea time
    assert recorded["status"] == 200 and recorded["partial"] is False
    assert recorded["complete"] is True and recorded["masked"] == ["acnt_no"]
    assert data["request"] == {"stk_cd": "005930"}
    (page,) = data["pages"]
    assert page["headers"] == {"api-id": "ka10001", "cont-yn": "N", "next-key": "", "resp-cnt": "1"}
    assert page["body"]["acnt_no"] == "**********"
    text = "\n".join(p.read_text(encoding="utf-8") for p in files(tmp_path))
    for secret in (APPKEY, SECRETKEY, *fake.issued, "5012345610", "session=abc"):
        assert secret not in text
    token_file = load(found["au10001"])
    assert token_file["request"]["appkey"] == "*" * len(APPKEY)
    assert set(token_file["pages"][0]["body"]["token"]) == {"*"}


def test_calls_never_share_or_overwrite_a_file(
    fake: FakeKiwoom, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = iter(["aaaaaa", "aaaaaa", "bbbbbb", "cccccc", "dddddd", "eeeeee"])
    monkeypatch.setattr(rec.secrets, "token_hex", lambda n: next(names))
    monkeypatch.setattr(
        rec._dt, "datetime", type("Frozen", (), {"now": staticmethod(lambda tz: FROZEN)})
    )
    with SyncAPIClient(
        transport=fake.transport(), **client_kwargs(fake, token="given", record=tmp_path)
    ) as c:
        fake.check_token = False
        c._call(QUERY, {"stk_cd": "005930"})
        c._call(QUERY, {"stk_cd": "000660"})
    found = files(tmp_path / "ka10001")
    assert [p.name for p in found] == ["20260102-030405-aaaaaa.json", "20260102-030405-bbbbbb.json"]
    assert [load(p)["request"]["stk_cd"] for p in found] == ["005930", "000660"]


def test_a_pager_is_one_file_with_its_pages(fake: FakeKiwoom, tmp_path: Path) -> None:
    fake.handlers["ka10075"] = pages_handler([[1, 2], [3], [4]])
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, record=tmp_path)) as c:
        assert [i["n"] for i in c._paginate(LIST, {"qry_tp": "0"}).items()] == [1, 2, 3, 4]
        short = c._paginate(LIST, {"qry_tp": "1"}, max_pages=2)
        list(short)
        short.reset()
        list(short)  # from the server again: a new file
    by_type: dict[str, list[dict[str, Any]]] = {}
    for path in files(tmp_path / "ka10075"):
        data = load(path)
        by_type.setdefault(data["request"]["qry_tp"], []).append(data)
    (whole,) = by_type["0"]
    assert [p["body"]["page"] for p in whole["pages"]] == [0, 1, 2]
    assert [p["headers"]["cont-yn"] for p in whole["pages"]] == ["Y", "Y", "N"]
    assert whole["recorded"]["complete"] is True
    assert len(by_type["1"]) == 2
    for data in by_type["1"]:
        assert [p["body"]["page"] for p in data["pages"]] == [0, 1]
        assert data["recorded"]["complete"] is False  # the service had more pages
    assert not list(tmp_path.rglob("*.tmp"))


def test_kiwoom_record_turns_it_on_and_record_false_off(
    fake: FakeKiwoom, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RECORD_ENV, str(tmp_path / "env"))
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        c._call(QUERY, {"stk_cd": "005930"})
    assert files(tmp_path / "env" / "ka10001")
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, record=False)) as c:
        c._call(QUERY, {"stk_cd": "005930"})
    assert len(files(tmp_path / "env" / "ka10001")) == 1
    with pytest.raises(ArgumentError, match="record"):
        SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, record=True))


def test_a_recording_failure_is_logged_once_and_calls_go_on(
    fake: FakeKiwoom, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    caplog.set_level(logging.DEBUG, logger="kiwoom_runtime")
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, record=blocker)) as c:
        for _ in range(3):
            assert c._call(QUERY, {"stk_cd": "005930"})["return_code"] == 0
        assert [p["return_code"] for p in c._paginate(LIST, {})] == [0]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "recording to" in warnings[0].getMessage()
    assert blocker.read_text() == "x"


def test_an_api_id_is_never_a_path(fake: FakeKiwoom, tmp_path: Path) -> None:
    odd = attrs.evolve(QUERY, api_id="../escape")
    kwargs = client_kwargs(fake, token="given", record=tmp_path / "rec")
    fake.check_token = False
    with SyncAPIClient(transport=fake.transport(), **kwargs) as c:
        assert c._call(odd, {"stk_cd": "005930"})["return_code"] == 0
    assert not (tmp_path / "escape").exists() and not files(tmp_path)


def test_the_async_client_records_too(fake: FakeKiwoom, tmp_path: Path) -> None:
    fake.handlers["ka10075"] = pages_handler([[1], [2]])

    async def main() -> None:
        kwargs = client_kwargs(fake, record=tmp_path)
        async with AsyncAPIClient(transport=fake.transport(), **kwargs) as c:
            await c._call(QUERY, {"stk_cd": "005930"})
            [p async for p in c._paginate(LIST, {})]

    asyncio.run(main())
    assert len(files(tmp_path / "ka10001")) == 1
    (pager,) = files(tmp_path / "ka10075")
    assert len(load(pager)["pages"]) == 2


def test_error_answers_are_recorded_once_per_api_and_code(fake: FakeKiwoom, tmp_path: Path) -> None:
    """A 1700 storm leaves one file, a 1511 another; each is a fixture the sandbox can serve."""
    from kiwoom_runtime import InvalidInputError, RateLimitError

    fake.handlers["ka10001"] = lambda request, body: err("1700", "허용된 요청 개수를 초과")
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, record=tmp_path)) as c:
        with pytest.raises(RateLimitError):
            c._call(QUERY, {"stk_cd": "005930"})  # the retries meet 1700 again and again
        assert fake.calls("ka10001") > 1
        fake.handlers["ka10001"] = lambda request, body: err("1511", "필수입력값")
        for _ in range(2):
            with pytest.raises(InvalidInputError):
                c._call(QUERY, {"stk_cd": "005930"})
    recorded = [load(p) for p in files(tmp_path / "ka10001")]
    by_code = {r["recorded"]["error"]["code"]: r for r in recorded}
    assert sorted(by_code) == ["1511", "1700"] and len(recorded) == 2
    assert by_code["1700"]["recorded"]["error"]["class"] == "RateLimitError"
    assert by_code["1700"]["recorded"]["complete"] is True
    (page,) = by_code["1511"]["pages"]
    assert page["body"]["return_code"] == 2 and "[1511:" in page["body"]["return_msg"]
    assert by_code["1511"]["request"] == {"stk_cd": "005930"}
