"""The server itself: request log, keep-alive, lifecycle, fixtures loading, the CLI."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kiwoom_sandbox import FixtureError, Sandbox
from tests.sandbox._helpers import ROOT, call, issue, make_config


def test_request_log_counts_sends_and_redacts(sandbox: Sandbox, client: httpx.Client) -> None:
    token = issue(client).json()["token"]
    call(client, "ka10001", token)
    call(client, "ka10001", token)
    call(client, "ka10005", token, cont_yn="Y", next_key="x")
    log = sandbox.requests
    assert [r.api_id for r in log] == ["au10001", "ka10001", "ka10001", "ka10005"]
    assert len(sandbox.requests_for("ka10001")) == 2
    assert log[0].body["secretkey"] == "<redacted>" and log[0].body["appkey"] == "app"
    assert log[1].headers["authorization"] == "<redacted>"
    assert token not in repr(log)
    assert log[1].path == "/api/dostk/stkinfo" and log[1].body == {"stk_cd": "005930"}
    assert log[3].headers["cont-yn"] == "Y" and log[3].headers["next-key"] == "x"
    assert [r.time for r in log] == sorted(r.time for r in log)
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_keep_alive_reuses_one_connection(sandbox: Sandbox, client: httpx.Client) -> None:
    token = sandbox.issue_token()
    ports = set()
    for _ in range(3):
        with client.stream(
            "POST",
            "/api/dostk/stkinfo",
            json={"stk_cd": "005930"},
            headers={"api-id": "ka10001", "authorization": f"Bearer {token}"},
        ) as r:
            stream = r.extensions["network_stream"]
            ports.add(stream.get_extra_info("client_addr"))
            r.read()
    assert len(ports) == 1


def test_stop_closes_idle_keep_alive_connections() -> None:
    sb = Sandbox(make_config()).start()
    client = httpx.Client(base_url=sb.base_url, timeout=2.0)
    assert issue(client).status_code == 200  # leaves a pooled connection open
    sb.stop()
    with pytest.raises(httpx.TransportError):
        issue(client)
    client.close()


def test_start_twice_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(RuntimeError):
        sandbox.start()


def test_url_for(sandbox: Sandbox) -> None:
    assert sandbox.url_for("ka10006") == sandbox.base_url + "/api/dostk/mrkcond"
    assert sandbox.base_url.startswith("http://127.0.0.1:") and sandbox.port > 0


def test_broken_fixture_is_named(tmp_path: Path) -> None:
    (tmp_path / "ka10001").mkdir()
    bad = tmp_path / "ka10001" / "bad.json"
    bad.write_text(json.dumps({"pages": [{"headers": {"cont-yn": "Y"}, "body": {}}]}))
    with pytest.raises(FixtureError, match=r"bad\.json"):
        Sandbox(make_config(fixtures_dir=tmp_path))


def test_fixture_dir_swapped_at_runtime(
    sandbox: Sandbox, client: httpx.Client, tmp_path: Path
) -> None:
    (tmp_path / "ka10006").mkdir()
    page = {"body": {"date": "20240102", "return_code": 0, "return_msg": "ok"}}
    (tmp_path / "ka10006" / "x.json").write_text(json.dumps({"pages": [page]}))
    sandbox.configure(fixtures_dir=tmp_path)
    token = sandbox.issue_token()
    assert call(client, "ka10006", token).json() == page["body"]


def test_cli_runs_in_the_foreground() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiwoom_sandbox",
            "--port",
            "0",
            "--specs",
            str(ROOT / "specs"),
            "--fixtures",
            str(ROOT / "tests" / "fixtures"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split("listening on ", 1)[1].split()[0]
        with httpx.Client(base_url=url, timeout=5) as client:
            assert issue(client).json()["return_code"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_client_that_times_out_leaves_no_traceback(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The answer is written after the client gave up: a DEBUG line, not a traceback."""
    caplog.set_level(logging.DEBUG, logger="kiwoom_sandbox.server")
    # A big answer (~0.7 MB), so writing it to the closed socket fails for sure.
    config = make_config(pages_for={"ka10005": 1}, rows_per_page=2_000)
    with Sandbox(config) as sb:
        token = sb.issue_token()
        sb.inject("ka10005", "delay", delay=0.3)
        with httpx.Client(base_url=sb.base_url, timeout=0.05) as client:
            with pytest.raises(httpx.TimeoutException):
                call(client, "ka10005", token)
        assert sb.wait_idle(timeout=30)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err
    assert any("went away" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name.startswith("kiwoom_s"))


def test_a_recorded_block_is_accepted_and_ignored(tmp_path: Path) -> None:
    (tmp_path / "ka10006").mkdir()
    page = {"body": {"date": "20240102", "return_code": 0, "return_msg": "ok"}}
    recorded = {"env": "mock", "host": "mockapi.kiwoom.com", "at": "2026-01-02T03:04:05+09:00"}
    (tmp_path / "ka10006" / "x.json").write_text(
        json.dumps({"recorded": recorded, "pages": [page]})
    )
    with Sandbox(make_config(fixtures_dir=tmp_path)) as sb, httpx.Client(base_url=sb.base_url) as c:
        assert call(c, "ka10006", sb.issue_token()).json() == page["body"]
    (tmp_path / "ka10006" / "x.json").write_text(json.dumps({"recorded": 1, "pages": [page]}))
    with pytest.raises(FixtureError, match=r"x\.json: recorded: expected an object"):
        Sandbox(make_config(fixtures_dir=tmp_path))
