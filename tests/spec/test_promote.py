"""``python -m codegen promote``: a reviewed recording becomes a fixture, or is refused with
located reasons (unmasked values, findings against the spec, an existing file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codegen.cli import main as codegen_main
from codegen.errors import SpecError
from codegen.loader import SpecSet, load_specs
from codegen.promote import Refused, promote
from kiwoom_sandbox.fixtures import load_fixture
from tests.conftest import SPECS

ACCOUNT = "5012345610"


@pytest.fixture(scope="module")
def specs() -> SpecSet:
    return load_specs(SPECS)


def recording(
    directory: Path, api_id: str, pages: list[dict[str, Any]], request: dict[str, Any] | None = None
) -> Path:
    folder = directory / "recorded" / api_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "20260102-030405-abcdef.json"
    data = {
        "description": f"{api_id}: recorded ...; review before promoting.",
        "recorded": {
            "api_id": api_id,
            "path": "/x",
            "env": "mock",
            "host": "mockapi.kiwoom.com",
            "at": "2026-01-02T03:04:05+09:00",
            "client": "kiwoom-typed 0.1.0",
            "status": 200,
            "partial": False,
            "complete": True,
            "masked": ["acctNo"],
        },
        "request": request or {},
        "pages": pages,
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def page(headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
    envelope = {"return_code": 0, "return_msg": "정상적으로 처리되었습니다"}
    return {"headers": {"api-id": "x", "resp-cnt": "1", **(headers or {})}, "body": envelope | body}


def test_a_masked_recording_becomes_a_fixture_the_sandbox_reads(
    specs: SpecSet, tmp_path: Path
) -> None:
    path = recording(tmp_path, "ka00001", [page(acctNo="**********")])
    result = promote(path, specs, tmp_path / "fixtures", name="masked")
    assert result.path == tmp_path / "fixtures" / "ka00001" / "masked.json"
    data = json.loads(result.path.read_text(encoding="utf-8"))
    assert list(data) == ["description", "recorded", "request", "pages"]
    assert data["pages"] == [{"headers": {}, "body": page(acctNo="**********")["body"]}]
    assert "api_id" not in data["recorded"] and data["recorded"]["env"] == "mock"
    assert "review before promoting" not in data["description"]
    assert load_fixture(result.path, "ka00001").pages[0].body["acctNo"] == "**********"
    with pytest.raises(Refused, match="exists; choose another --name"):
        promote(path, specs, tmp_path / "fixtures", name="masked")
    assert promote(path, specs, tmp_path / "fixtures").path.name == path.name


def test_unmasked_values_are_refused_by_place_never_shown(specs: SpecSet, tmp_path: Path) -> None:
    rows = [{"acnt_no": "**********", "mang_empno": "A1234", "ord_no": "0000000"}]
    path = recording(
        tmp_path,
        "ka10075",
        [page(oso=rows, return_msg="Bearer abcdef")],
        request={"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0", "acnt_no": ACCOUNT},
    )
    with pytest.raises(Refused) as info:
        promote(path, specs, tmp_path / "fixtures")
    message = str(info.value)
    assert "request.acnt_no: not masked" in message
    assert "pages[0].body.oso[0].mang_empno: not masked" in message
    assert "a bearer credential appears" in message
    assert ACCOUNT not in message and "A1234" not in message
    assert not (tmp_path / "fixtures").exists()


def test_findings_refuse_unless_accepted(specs: SpecSet, tmp_path: Path) -> None:
    path = recording(tmp_path, "ka00001", [page(acctNo="**********", surprise="1")])
    with pytest.raises(Refused, match=r"key-not-in-table\] fixture:.*surprise"):
        promote(path, specs, tmp_path / "fixtures")
    result = promote(path, specs, tmp_path / "fixtures", accept_findings=True)
    assert [f.check for f in result.findings] == ["key-not-in-table"]


def test_a_recording_cut_short_ends_at_its_last_page(specs: SpecSet, tmp_path: Path) -> None:
    pages = [
        page({"cont-yn": "Y", "next-key": "K1"}, acctNo="*"),
        page({"cont-yn": "Y", "next-key": "K2"}, acctNo="*"),
    ]
    result = promote(recording(tmp_path, "ka00001", pages), specs, tmp_path / "fixtures")
    assert result.truncated and result.pages == 2
    served = load_fixture(result.path, "ka00001").pages
    assert [(p.cont_yn, p.next_key) for p in served] == [("Y", "K1"), ("N", "")]
    broken = [page({"cont-yn": "N"}, acctNo="*"), page(acctNo="*")]
    with pytest.raises(Refused, match=r"pages\[0\]: followed by another page"):
        promote(recording(tmp_path, "ka00001", broken), specs, tmp_path / "other")


def test_bad_input(specs: SpecSet, tmp_path: Path) -> None:
    path = recording(tmp_path, "ka00001", [page(acctNo="*")])
    with pytest.raises(SpecError, match="not a file name"):
        promote(path, specs, tmp_path / "fixtures", name="../escape")
    unknown = recording(tmp_path, "zz99999", [page()])
    with pytest.raises(SpecError, match="no spec for API ID 'zz99999'"):
        promote(unknown, specs, tmp_path / "fixtures")
    junk = tmp_path / "junk.json"
    junk.write_text("[1]")
    with pytest.raises(SpecError, match="expected a recording"):
        promote(junk, specs, tmp_path / "fixtures")


def test_command_line_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = recording(tmp_path, "ka00001", [page(acctNo="**********")])
    fixtures = str(tmp_path / "fixtures")
    argv = ["promote", str(path), "--specs", str(SPECS), "--fixtures", fixtures]
    assert codegen_main([*argv, "--name", "one"]) == 0
    assert "promoted" in capsys.readouterr().out
    assert codegen_main([*argv, "--name", "one"]) == 1  # never overwrites
    assert "refused" in capsys.readouterr().out
    assert codegen_main([*argv, "--name", "a b"]) == 2
    assert codegen_main(["promote", str(tmp_path / "none.json"), "--specs", str(SPECS)]) == 2
