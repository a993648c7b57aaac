"""The ``kiwoom-typed`` command line against the embedded sandbox."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from kiwoom_cli.main import main
from tests.conftest import FIXTURES, ROOT, SPECS

SANDBOX = ["--env", "sandbox", "--specs", str(SPECS), "--fixtures", str(FIXTURES)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_call_prints_the_body_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "call", "ka10001", "stk_cd=005930", *SANDBOX)
    assert code == 0
    fixture = json.loads((FIXTURES / "ka10001" / "samsung.json").read_text("utf-8"))
    assert json.loads(out) == fixture["pages"][0]["body"]


def test_all_pages_as_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "call", "ka10005", "stk_cd=005930", "--all-pages", "--format", "csv", *SANDBOX
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    fixture = json.loads((FIXTURES / "ka10005" / "samsung_daily.json").read_text("utf-8"))
    expected = [row for page in fixture["pages"] for row in page["body"]["stk_ddwkmm"]]
    assert [r["date"] for r in rows] == [r["date"] for r in expected]
    assert rows[0]["close_pric"] == expected[0]["close_pric"]


def test_max_pages_notes_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "call", "ka10005", "stk_cd=005930", "--all-pages", "--max-pages", "1", *SANDBOX
    )
    assert code == 0
    assert len(json.loads(out)) == 1
    assert "stopped after 1 page(s)" in err


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "call", "ka10001", "stk_cd=005930", "--format", "table", *SANDBOX)
    assert code == 0
    assert any(line.split() == ["stk_nm", "삼성전자"] for line in out.splitlines())


def test_list_names_every_tr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(
        p.stem for p in SPECS.glob("*.yaml") if not p.name.startswith("_")
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["call", "ka99999"], "api_id: unknown TR 'ka99999'"),
        (["call", "ka10001"], "stk_cd"),
        (
            ["call", "ka10001", "stk_cd=" + "1" * 21],
            "stk_cd: '111111111111111111111' is 21 characters",
        ),
        (["call", "ka10001", "stk_cd"], "expected NAME=VALUE, got 'stk_cd'"),
        (["call", "ka10001", "stk_cd=1", "stk_cd=2"], "argument 'stk_cd' given twice"),
        (["call", "ka10001", "stk_cd=005930", "zzz=1"], "zzz"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, *SANDBOX)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_credentials_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    code, _, err = run(capsys, "call", "ka10001", "stk_cd=005930", "--env", "prod")
    assert code == 2
    assert "appkey" in err and "KIWOOM_APPKEY" in err


def test_server_errors_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", "cli-appkey")
    monkeypatch.setenv("KIWOOM_SECRETKEY", "cli-secretkey")
    code, _, err = run(
        capsys,
        "call",
        "ka10001",
        "stk_cd=005930",
        "--base-url",
        "http://127.0.0.1:9",
        "--timeout",
        "0.5",
    )
    assert code == 1
    assert err.startswith("error: ")


def test_the_installed_command_runs() -> None:
    exe = os.path.join(os.path.dirname(sys.executable), "kiwoom-typed")
    result = subprocess.run(
        [exe, "call", "ka10001", "stk_cd=", *SANDBOX],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "stk_cd" in result.stderr


def test_timeout_zero_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "call", "ka10001", "stk_cd=005930", "--timeout", "0", *SANDBOX)
    assert code == 2 and out == ""
    assert err.startswith("error: timeout:") and "> 0" in err
