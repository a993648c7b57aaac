"""Bad input from users: one clear ``ArgumentError`` naming the argument, before anything is sent.

For the typed methods, ``call()`` and the pagers, for the constructor, and for the CLI (exit
code 2 and one ``error:`` line naming the argument; in-process through
``kiwoom_cli.main.main`` and once as a subprocess). "Before anything is sent" is checked at the
sandbox: not even a token is requested.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from kiwoom_cli.main import main as cli_main
from kiwoom_runtime import ArgumentError
from kiwoom_sandbox import Sandbox
from kiwoom_typed import AsyncClient, Client
from tests.conftest import ROOT
from tests.reliability.conftest import APPKEY, SECRETKEY

LONG = "0" * 21  # stk_cd is documented as at most 20 characters

Call = Callable[[Any], Any]

# (id, call on a client, the argument the message must name)
CLIENT_CASES: list[tuple[str, Call, str]] = [
    ("method-wrong-type", lambda c: c.get_stock_info(stk_cd=5930), "stk_cd"),
    ("method-bytes", lambda c: c.get_stock_info(stk_cd=b"005930"), "stk_cd"),
    ("method-none", lambda c: c.get_stock_info(stk_cd=None), "stk_cd"),
    ("method-too-long", lambda c: c.get_stock_info(stk_cd=LONG), "stk_cd"),
    ("method-empty-required", lambda c: c.get_stock_info(stk_cd=""), "stk_cd"),
    ("pages-wrong-type", lambda c: c.get_stock_daily_weekly_monthly_pages(stk_cd=5930), "stk_cd"),
    ("pages-too-long", lambda c: c.get_stock_daily_weekly_monthly_pages(stk_cd=LONG), "stk_cd"),
    (
        "pages-max-pages-zero",
        lambda c: c.get_stock_daily_weekly_monthly_pages(stk_cd="005930", max_pages=0),
        "max_pages",
    ),
    ("call-missing", lambda c: c.call("ka10001"), "stk_cd"),
    ("call-wrong-type", lambda c: c.call("ka10001", stk_cd=5930), "stk_cd"),
    ("call-too-long", lambda c: c.call("ka10001", stk_cd=LONG), "stk_cd"),
    ("call-empty-required", lambda c: c.call("ka10001", stk_cd=""), "stk_cd"),
    ("call-unknown-argument", lambda c: c.call("ka10001", stk_cd="005930", bogus="1"), "bogus"),
    ("call-unknown-api-id", lambda c: c.call("ka99999", stk_cd="005930"), "api_id"),
    ("call-api-id-not-a-string", lambda c: c.call(10001, stk_cd="005930"), "api_id"),
    ("paginate-missing", lambda c: c.paginate("ka10005"), "stk_cd"),
    ("paginate-too-long", lambda c: c.paginate("ka10005", stk_cd=LONG), "stk_cd"),
    ("paginate-unknown-api-id", lambda c: c.paginate("ka99999", stk_cd="005930"), "api_id"),
]

#: Bad types that once escaped as bare TypeErrors (fixed; kept as regressions).
BUGGY_CASES: list[tuple[str, Call, str]] = [
    (
        "pages-max-pages-wrong-type",
        lambda c: c.get_stock_daily_weekly_monthly_pages(stk_cd="005930", max_pages="3"),
        "max_pages",
    ),
    (
        "method-timeout-wrong-type",
        lambda c: c.get_stock_info(stk_cd="005930", timeout="fast"),
        "timeout",
    ),
]


def _params() -> list[Any]:
    out = [pytest.param(fn, name, id=i) for i, fn, name in CLIENT_CASES]
    out += [pytest.param(fn, name, id=i) for i, fn, name in BUGGY_CASES]
    return out


def _client(sb: Sandbox, **changes: Any) -> Client:
    kwargs: dict[str, Any] = {
        "appkey": APPKEY,
        "secretkey": SECRETKEY,
        "base_url": sb.base_url,
        "rate_limit": None,
        "max_retries": 0,
    }
    kwargs.update(changes)
    return Client(**kwargs)


def _check(exc: BaseException, argument: str) -> None:
    assert isinstance(exc, ArgumentError), f"{type(exc).__name__}: {exc}"
    assert exc.argument == argument
    text = str(exc)
    assert text.startswith(f"{argument}: ") and "\n" not in text
    assert len(text) < 300


@pytest.mark.parametrize(("call", "argument"), _params())
def test_sync_bad_call_names_the_argument_and_sends_nothing(
    sb: Sandbox, call: Call, argument: str
) -> None:
    with _client(sb) as client:
        with pytest.raises(Exception) as info:
            result = call(client)
            iter(result)  # pagers are lazy: building one must already check
        _check(info.value, argument)
    assert sb.requests == [], "nothing may be sent for a bad call, not even a token request"


@pytest.mark.parametrize(
    ("call", "argument"),
    [pytest.param(fn, name, id=i) for i, fn, name in CLIENT_CASES if i.startswith("call-")],
)
def test_async_bad_call_names_the_argument_and_sends_nothing(
    sb: Sandbox, call: Call, argument: str
) -> None:
    async def run() -> BaseException:
        async with AsyncClient(appkey=APPKEY, secretkey=SECRETKEY, base_url=sb.base_url) as c:
            try:
                await call(c)
            except Exception as exc:
                return exc
        raise AssertionError("no error")

    _check(asyncio.run(run()), argument)
    assert sb.requests == []


def test_missing_keyword_of_a_typed_method_names_it(sb: Sandbox) -> None:
    with _client(sb) as client, pytest.raises(TypeError, match="'stk_cd'"):
        client.get_stock_info()  # type: ignore[call-arg]


CONSTRUCTOR_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("env", {"env": "live"}, "env"),
    ("base-url", {"base_url": "ftp://example.com"}, "base_url"),
    ("max-retries-negative", {"max_retries": -1}, "max_retries"),
    ("no-credentials", {"appkey": None, "secretkey": None}, "appkey"),
    ("no-secretkey", {"secretkey": None}, "secretkey"),
]
#: Wrong types that once failed late without naming the argument (fixed).
CONSTRUCTOR_BUGS: list[tuple[str, dict[str, Any], str]] = [
    ("appkey-int", {"appkey": 12345678}, "appkey"),
    ("max-retries-str", {"max_retries": "3"}, "max_retries"),
    ("rate-limit-int", {"rate_limit": 5}, "rate_limit"),
    ("timeout-str", {"timeout": "fast"}, "timeout"),
]


@pytest.mark.parametrize(
    ("changes", "argument"),
    [pytest.param(c, a, id=i) for i, c, a in (*CONSTRUCTOR_CASES, *CONSTRUCTOR_BUGS)],
)
def test_bad_constructor_argument_names_it(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any], argument: str
) -> None:
    monkeypatch.delenv("KIWOOM_APPKEY", raising=False)
    monkeypatch.delenv("KIWOOM_SECRETKEY", raising=False)
    with pytest.raises(Exception) as info:
        with _client(sb, **changes) as client:
            client.get_stock_info(stk_cd="005930")
    _check(info.value, argument)


def test_mock_host_refuses_nxt_codes_before_sending(sb: Sandbox) -> None:
    with _client(sb, env="mock") as client, pytest.raises(ArgumentError) as info:
        client.get_stock_info(stk_cd="005930_NX")
    _check(info.value, "stk_cd")
    assert sb.requests == []


# -- the CLI -----------------------------------------------------------------------------------

CLI_CASES: list[tuple[str, list[str], str]] = [
    ("missing", ["call", "ka10001"], "stk_cd"),
    ("too-long", ["call", "ka10001", f"stk_cd={LONG}"], "stk_cd"),
    ("empty", ["call", "ka10001", "stk_cd="], "stk_cd"),
    ("unknown-api-id", ["call", "ka99999", "stk_cd=005930"], "api_id"),
    ("unknown-argument", ["call", "ka10001", "stk_cd=005930", "bogus=1"], "bogus"),
    ("not-name-value", ["call", "ka10001", "stk_cd"], "stk_cd"),
    ("given-twice", ["call", "ka10001", "stk_cd=1", "stk_cd=2"], "stk_cd"),
]


@pytest.mark.parametrize(("argv", "argument"), [pytest.param(a, n, id=i) for i, a, n in CLI_CASES])
def test_cli_bad_input_exits_2_naming_the_argument(
    sb: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    argument: str,
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", APPKEY)
    monkeypatch.setenv("KIWOOM_SECRETKEY", SECRETKEY)
    code = cli_main([*argv, "--base-url", sb.base_url])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert argument in lines[0] and "Traceback" not in err
    assert sb.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        ["call", "ka10001", "stk_cd=005930", "--format", "xml"],
        ["call", "ka10005", "stk_cd=005930", "--all-pages", "--max-pages", "0"],
        ["call", "ka10001", "stk_cd=005930", "--timeout", "abc"],
    ],
    ids=["format", "max-pages", "timeout"],
)
def test_cli_bad_options_exit_2(
    sb: Sandbox, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli_main([*argv, "--base-url", sb.base_url])
    assert info.value.code == 2
    err = capsys.readouterr().err
    option = argv[-2]
    assert option in err and "Traceback" not in err
    assert sb.requests == []


def test_cli_subprocess_bad_input_exits_2(sb: Sandbox) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIWOOM_")}
    env.update(KIWOOM_APPKEY=APPKEY, KIWOOM_SECRETKEY=SECRETKEY)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "generated"), str(ROOT)])
    base_url = ["--base-url", sb.base_url]
    proc = subprocess.run(
        [sys.executable, "-m", "kiwoom_cli", "call", "ka10001", f"stk_cd={LONG}", *base_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: stk_cd: "), proc.stderr
    assert "21 characters" in lines[0] and "at most 20" in lines[0]
    assert sb.requests == []
