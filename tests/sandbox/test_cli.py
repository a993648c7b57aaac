"""One sandbox command line for ``python -m kiwoom_sandbox`` and ``kiwoom-typed sandbox``:
the same flags, and bad input exits 2 with one located message and no traceback."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kiwoom_cli.main import build_parser as kiwoom_typed_parser
from kiwoom_cli.main import main as kiwoom_typed_main
from kiwoom_sandbox.cli import build_parser
from kiwoom_sandbox.cli import main as sandbox_main
from tests.sandbox._helpers import FIXTURES, ROOT, SPECS, issue

LENGTH = re.compile(r"^(\s+length: )\d+$", re.M)
Entry = Callable[[list[str]], int]
ENTRIES: dict[str, Entry] = {
    "python -m kiwoom_sandbox": sandbox_main,
    "kiwoom-typed sandbox": lambda argv: kiwoom_typed_main(["sandbox", *argv]),
}
COMMANDS = {
    "python -m kiwoom_sandbox": [sys.executable, "-m", "kiwoom_sandbox"],
    "kiwoom-typed sandbox": [
        os.path.join(os.path.dirname(sys.executable), "kiwoom-typed"),
        "sandbox",
    ],
}


def _options(parser: argparse.ArgumentParser) -> dict[str, object]:
    return {
        option: (action.default, getattr(action.type, "__name__", None), action.choices)
        for action in parser._actions
        for option in action.option_strings
    }


def test_both_entry_points_take_the_same_flags() -> None:
    sub = next(
        a for a in kiwoom_typed_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    assert _options(sub.choices["sandbox"]) == _options(build_parser())


@pytest.fixture
def bad_spec(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    # Any spec with a documented length will do: its first length becomes text.
    victim = next(
        p
        for p in sorted(specs.glob("*.yaml"))
        if not p.name.startswith("_") and LENGTH.search(p.read_text("utf-8"))
    )
    victim.write_text(LENGTH.sub(r"\1abc", victim.read_text("utf-8"), count=1), "utf-8")
    return specs


@pytest.fixture
def bad_fixtures(tmp_path: Path) -> Path:
    fixtures = tmp_path / "fixtures"
    (fixtures / "ka10001").mkdir(parents=True)
    (fixtures / "ka10001" / "broken.json").write_text(json.dumps({"pages": []}))
    return fixtures


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def _cases(
    tmp: Path, bad_spec: Path, bad_fixtures: Path, port: int
) -> dict[str, tuple[list[str], str]]:
    return {
        "missing specs": (["--specs", str(tmp / "nope")], r"nope: no such spec directory"),
        "bad spec": (
            ["--specs", str(bad_spec)],
            r"\.yaml:\d+: (request|response)\.body\[\d+\]\.length: expected an integer, got 'abc'",
        ),
        "bad fixture": (
            ["--fixtures", str(bad_fixtures)],
            r"broken\.json: pages: expected a non-empty list",
        ),
        "missing fixtures": (["--fixtures", str(tmp / "none")], r"none: no such fixture directory"),
        "port in use": (["--port", str(port)], rf"cannot listen on 127\.0\.0\.1:{port}: "),
    }


CASES = ["missing specs", "bad spec", "bad fixture", "missing fixtures", "port in use"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("entry", list(ENTRIES))
def test_bad_input_exits_2_with_a_located_message(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    bad_spec: Path,
    bad_fixtures: Path,
    busy_port: int,
    entry: str,
    case: str,
) -> None:
    argv, message = _cases(tmp_path, bad_spec, bad_fixtures, busy_port)[case]
    if "--port" not in argv:
        argv = [*argv, "--port", "0"]
    assert ENTRIES[entry](argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ")
    assert re.search(message, err), err
    assert "Traceback" not in err


@pytest.mark.slow  # a subprocess each
@pytest.mark.parametrize("entry", list(COMMANDS))
def test_a_bad_spec_prints_no_traceback_from_the_process(entry: str, bad_spec: Path) -> None:
    result = subprocess.run(
        [*COMMANDS[entry], "--port", "0", "--specs", str(bad_spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and ".yaml:" in result.stderr


@pytest.mark.slow  # a subprocess each
@pytest.mark.parametrize("entry", list(COMMANDS))
def test_serves_until_terminated_then_exits_0(entry: str) -> None:
    command = [*COMMANDS[entry], "--port", "0", "--specs", str(SPECS), "--fixtures", str(FIXTURES)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split("listening on ", 1)[1].split()[0]
        with httpx.Client(base_url=url, timeout=5) as client:
            assert issue(client).json()["return_code"] == 0
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0 and "Traceback" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--port", "70000"], ["--date", "2025"], ["--rows-per-page", "0"]):
        with pytest.raises(SystemExit) as info:
            sandbox_main(argv)
        assert info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err
