"""The ``kiwoom-typed`` command line against the embedded sandbox."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiwoom_cli.main import main
from kiwoom_sandbox import Sandbox
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
    assert "http://127.0.0.1:9/oauth2/token" in err and "3 attempts" in err  # where, how often
    assert "cli-appkey" not in err and "cli-secretkey" not in err


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


# -- a paged TR without --all-pages says that more pages exist; --max-pages implies paging -----


def test_first_page_only_says_more_pages_exist(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "call", "ka10005", "stk_cd=005930", *SANDBOX)
    assert code == 0
    fixture = json.loads((FIXTURES / "ka10005" / "samsung_daily.json").read_text("utf-8"))
    assert json.loads(out) == fixture["pages"][0]["body"]  # still page 1, as asked
    assert "more pages" in err and "--all-pages" in err and "cont-yn" in err


def test_a_single_page_answer_adds_no_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "call", "ka10001", "stk_cd=005930", *SANDBOX)
    assert code == 0 and err == ""


def test_max_pages_implies_paging(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "call", "ka10005", "stk_cd=005930", "--max-pages", "2", *SANDBOX)
    assert code == 0
    assert len(json.loads(out)) == 2  # a list of pages, as with --all-pages
    assert "stopped after 2 page(s)" in err


# -- a sandbox target needs no credentials: --env sandbox, or a loopback --base-url -------------


@pytest.fixture
def running_sandbox() -> Iterator[Sandbox]:
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sb:
        yield sb


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_base_url_needs_no_credentials(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    running_sandbox: Sandbox,
    host: str,
) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    url = f"http://{host}:{running_sandbox.port}"
    code, out, err = run(capsys, "call", "ka10001", "stk_cd=005930", "--base-url", url)
    assert code == 0, err
    assert json.loads(out)["stk_cd"] == "005930"
    assert len(running_sandbox.requests_for("ka10001")) == 1


def test_env_sandbox_with_a_base_url_needs_no_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, running_sandbox: Sandbox
) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    argv = ["--env", "sandbox", "--base-url", running_sandbox.base_url]
    code, _, err = run(capsys, "call", "ka10001", "stk_cd=005930", *argv)
    assert code == 0, err


def test_another_host_still_needs_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    for argv in (
        ["--base-url", "https://kiwoom-proxy.example"],
        ["--env", "prod", "--base-url", "http://127.0.0.1:9"],  # e.g. a tunnel to the live host
    ):
        code, _, err = run(capsys, "call", "ka10001", "stk_cd=005930", *argv)
        assert code == 2 and "KIWOOM_APPKEY" in err, err


def test_real_credentials_are_not_sent_to_a_loopback_sandbox(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, running_sandbox: Sandbox
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", "REAL-cli-appkey")
    monkeypatch.setenv("KIWOOM_SECRETKEY", "REAL-cli-secretkey")
    argv = ["--base-url", running_sandbox.base_url]
    code, _, err = run(capsys, "call", "ka10001", "stk_cd=005930", *argv)
    assert code == 0, err
    assert [r.body["appkey"] for r in running_sandbox.requests_for("au10001")] == ["sandbox-appkey"]


def test_record_writes_each_answer_as_a_masked_fixture(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["call", "ka10005", "stk_cd=005930", "--all-pages", "--record", str(tmp_path)]
    code, out, _ = run(capsys, *argv, *SANDBOX)
    assert code == 0
    (recorded,) = (tmp_path / "ka10005").glob("*.json")
    data = json.loads(recorded.read_text("utf-8"))
    assert [p["body"] for p in data["pages"]] == json.loads(out)
    assert data["recorded"]["env"] == "sandbox" and data["recorded"]["complete"]
    (token,) = (tmp_path / "au10001").glob("*.json")
    assert set(json.loads(token.read_text("utf-8"))["request"]["appkey"]) == {"*"}
