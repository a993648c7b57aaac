"""Secrets never leak: appkey, secretkey and every issued token, through whole sessions at DEBUG.

Where we look: every captured log record (all loggers, DEBUG, via caplog; and the stderr handler
``KIWOOM_LOG=debug`` installs, in a subprocess), exception messages, reprs, tracebacks and
stored attributes (``body``, ``headers``, ``data``, ``cause``), client and token-manager reprs,
and the CLI's stdout+stderr (in-process and as a subprocess).

Which tokens: read on the sandbox's side. The sandbox's token store is wrapped so that every
token it issues is recorded (``Sandbox.app.tokens.issue``), so a token the client never exposed
is still known to the test. For the demo, which runs its own sandbox in another process, the
check is by shape instead: the sandbox makes tokens with ``secrets.token_urlsafe(48)``, i.e. 64
characters of ``[A-Za-z0-9_-]``, and no run of that shape may appear in the output.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import pytest

import kiwoom_typed.tr.ka10001 as ka10001
from kiwoom_cli.main import main as cli_main
from kiwoom_runtime import (
    APITimeoutError,
    AuthenticationError,
    InvalidInputError,
    KiwoomError,
    OrderStateUnknownError,
    RetryPolicy,
    TokenError,
)
from kiwoom_sandbox import Sandbox
from kiwoom_typed import AsyncClient, Client
from tests.conftest import FIXTURES, ROOT, SPECS
from tests.reliability.conftest import APPKEY, FAST_RETRY, SECRETKEY

WRONG_SECRETKEY = "RELIABILITY-wrong-secret-0d9e77"
#: secrets.token_urlsafe(48): 64 URL-safe base64 characters, not part of a longer run.
TOKEN_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{64}(?![A-Za-z0-9_-])")
MSG_8005 = "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"
MSG_1511 = "입력 값 오류[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터=stk_cd]"
UNSAFE = attrs.evolve(ka10001.ENDPOINT, retry_safe=False)


@pytest.fixture
def issued(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token the sandbox issues during the test, read on the server side."""
    tokens: list[str] = []
    store = sb.app.tokens
    original = store.issue

    def recording_issue(*args: Any, **kwargs: Any) -> Any:
        token = original(*args, **kwargs)
        tokens.append(token.value)
        return token

    monkeypatch.setattr(store, "issue", recording_issue)
    return tokens


def describe_error(exc: BaseException) -> list[str]:
    """Everything a user may print, log or paste of an exception."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for value in vars(exc).values():
        texts += [str(value), repr(value)]
        if isinstance(value, BaseException):
            texts += describe_error(value)
    return texts


def assert_clean(texts: Iterable[str], secrets: Iterable[str], where: str) -> None:
    secrets = [s for s in secrets if s]
    for text in texts:
        for secret in secrets:
            assert secret not in text, (
                f"{where}: a secret ({secret[:6]}…) leaked in: {text[:300]!r}"
            )


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = [caplog.text]
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_text:
            texts.append(record.exc_text)
    return texts


def _kwargs(sb: Sandbox, **changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "appkey": APPKEY,
        "secretkey": SECRETKEY,
        "base_url": sb.base_url,
        "timeout": 2.0,
        "retry": FAST_RETRY,
        "rate_limit": None,
    }
    settings.update(changes)
    return settings


def _expect(exc_type: type[KiwoomError], fn: Any, *args: Any, **kwargs: Any) -> KiwoomError:
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    return info.value


def test_sync_session_at_debug_leaks_nothing(
    sb: Sandbox, issued: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="kiwoom_runtime")
    sb.configure(valid_keys={APPKEY: SECRETKEY})
    texts: list[str] = []
    errors: list[KiwoomError] = []
    request = ka10001.Ka10001Request(stk_cd="005930")

    client = Client(**_kwargs(sb))
    texts += [repr(client), str(client), repr(client.tokens), repr(client.rate_limiter)]
    info = client.get_stock_info(stk_cd="005930")  # issue
    texts += [repr(info), repr(info.raw), str(info.to_dict()), repr(client.tokens.current)]
    pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930")
    texts += [repr(page) for page in pager] + [repr(pager)]

    sb.inject("ka10001", "expire_token")  # refresh after a real expiry
    client.get_stock_info(stk_cd="005930")
    sb.inject("ka10001", "error", return_code=3, return_msg=MSG_8005)  # refresh after an 8005
    client.get_stock_info(stk_cd="005930")
    sb.inject("ka10001", "error", count=2, return_code=3, return_msg=MSG_8005)
    errors.append(_expect(TokenError, client.get_stock_info, stk_cd="005930"))
    sb.inject("ka10001", "error", return_code=2, return_msg=MSG_1511)
    errors.append(_expect(InvalidInputError, client.get_stock_info, stk_cd="005930"))
    sb.inject("ka10001", "delay", delay=0.6)
    errors.append(_expect(OrderStateUnknownError, client._call, UNSAFE, request, timeout=0.2))
    texts += [repr(client), repr(client.tokens), repr(client.tokens.current)]
    client.close()  # revoke (au10002)
    assert sends_of(sb, "au10002") == 1

    # A timeout on a query (no retries), and a failed revoke on close (logged as a warning).
    other = Client(**_kwargs(sb, retry=RetryPolicy(max_attempts=1)))
    sb.inject("ka10001", "delay", delay=0.6)
    errors.append(_expect(APITimeoutError, other.get_stock_info, stk_cd="005930", timeout=0.2))
    sb.inject("au10002", "error", return_code=3, return_msg=MSG_8005)
    other.close()

    # A rejected secretkey at token issue (8002).
    wrong = Client(**_kwargs(sb, secretkey=WRONG_SECRETKEY))
    errors.append(_expect(AuthenticationError, wrong.get_stock_info, stk_cd="005930"))
    texts += [repr(wrong), repr(wrong.tokens)]
    wrong.close()

    assert len(issued) == 5, "issue, refresh, refresh, refresh (8005 x2), second client"
    assert any("revoke on close failed" in r.getMessage() for r in caplog.records)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    for exc in errors:
        texts += describe_error(exc)
    secrets = [APPKEY, SECRETKEY, WRONG_SECRETKEY, *issued]
    assert_clean(texts, secrets, "exceptions and reprs")
    assert_clean(log_texts(caplog), secrets, "logs")
    assert not TOKEN_SHAPE.search(caplog.text)


def sends_of(sb: Sandbox, api_id: str) -> int:
    return len(sb.requests_for(api_id))


def test_async_session_at_debug_leaks_nothing(
    sb: Sandbox, issued: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="kiwoom_runtime")
    texts: list[str] = []
    errors: list[KiwoomError] = []

    async def session() -> None:
        async with AsyncClient(**_kwargs(sb)) as client:
            texts.append(repr(client))
            await asyncio.gather(*(client.get_stock_info(stk_cd="005930") for _ in range(5)))
            async for page in client.get_stock_daily_weekly_monthly_pages(stk_cd="005930"):
                texts.append(repr(page))
            sb.inject("ka10001", "expire_token")
            await client.get_stock_info(stk_cd="005930")
            sb.inject("ka10001", "error", count=2, return_code=3, return_msg=MSG_8005)
            try:
                await client.get_stock_info(stk_cd="005930")
            except TokenError as exc:
                errors.append(exc)
            sb.inject("ka10001", "delay", delay=0.6)
            try:
                await client._call(UNSAFE, ka10001.Ka10001Request(stk_cd="005930"), timeout=0.2)
            except OrderStateUnknownError as exc:
                errors.append(exc)
            texts.extend([repr(client), repr(client.tokens), repr(client.tokens.current)])

    asyncio.run(session())
    assert len(errors) == 2 and len(issued) == 3
    assert sends_of(sb, "au10002") == 1
    for exc in errors:
        texts += describe_error(exc)
    secrets = [APPKEY, SECRETKEY, *issued]
    assert_clean(texts, secrets, "exceptions and reprs")
    assert_clean(log_texts(caplog), secrets, "logs")


SESSION_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import attrs

    import kiwoom_typed.tr.ka10001 as ka10001
    from kiwoom_runtime import KiwoomError, RetryPolicy
    from kiwoom_sandbox import Sandbox
    from kiwoom_typed import Client

    specs, fixtures, token_file = sys.argv[1:4]
    issued = []
    msg = "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"
    with Sandbox(specs_dir=Path(specs), fixtures_dir=Path(fixtures)) as sb:
        original = sb.app.tokens.issue

        def issue(*args, **kwargs):
            token = original(*args, **kwargs)
            issued.append(token.value)
            return token

        sb.app.tokens.issue = issue
        policy = RetryPolicy(max_attempts=2, initial_delay=0.01, jitter=0.0)
        with Client(base_url=sb.base_url, retry=policy, rate_limit=None, timeout=2.0) as c:
            print(repr(c), repr(c.tokens))
            print(c.get_stock_info(stk_cd="005930").stk_nm)
            sb.inject("ka10001", "expire_token")
            print(c.get_stock_info(stk_cd="005930").cur_prc)
            for fault in (
                {"kind": "error", "count": 2, "return_code": 3, "return_msg": msg},
                {"kind": "delay", "count": 2, "delay": 0.6},
            ):
                sb.inject("ka10001", **fault)
                try:
                    c.get_stock_info(stk_cd="005930", timeout=0.2)
                except KiwoomError as exc:
                    print("error:", exc, repr(exc))
                    print("error:", exc, repr(exc), file=sys.stderr)
            unsafe = attrs.evolve(ka10001.ENDPOINT, retry_safe=False)
            sb.inject("ka10001", "reset")
            try:
                c._call(unsafe, ka10001.Ka10001Request(stk_cd="005930"))
            except KiwoomError as exc:
                print("error:", exc, repr(exc), repr(exc.cause))
        revokes = len(sb.requests_for("au10002"))
    Path(token_file).write_text("\\n".join(issued))
    print("revokes", revokes)
    """
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIWOOM_")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "src"), str(ROOT / "generated"), env.get("PYTHONPATH", "")]
    )
    env.update(extra)
    return env


def test_kiwoom_log_debug_subprocess_session_leaks_nothing(tmp_path: Path) -> None:
    script = tmp_path / "session.py"
    script.write_text(SESSION_SCRIPT, encoding="utf-8")
    token_file = tmp_path / "tokens.txt"
    proc = subprocess.run(
        [sys.executable, str(script), str(SPECS), str(FIXTURES), str(token_file)],
        env=_env(KIWOOM_LOG="debug", KIWOOM_APPKEY=APPKEY, KIWOOM_SECRETKEY=SECRETKEY),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    issued = token_file.read_text().split()
    assert len(issued) == 3, "issue, refresh after expiry, refresh after the first 8005"
    assert "DEBUG kiwoom_runtime" in proc.stderr and "revokes 1" in proc.stdout
    assert proc.stdout.count("error:") == 3
    output = proc.stdout + proc.stderr
    assert_clean([output], [APPKEY, SECRETKEY, *issued], "KIWOOM_LOG=debug subprocess")
    assert not TOKEN_SHAPE.search(output)


def test_cli_output_leaks_nothing(
    sb: Sandbox,
    issued: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", APPKEY)
    monkeypatch.setenv("KIWOOM_SECRETKEY", SECRETKEY)
    base = ["--base-url", sb.base_url, "--timeout", "0.3"]
    outputs = []

    sb.inject("ka10001", "expire_token")
    assert cli_main(["call", "ka10001", "stk_cd=005930", *base]) == 0
    for fmt in ("table", "csv"):
        assert cli_main(["call", "ka10005", "stk_cd=005930", "--format", fmt, *base]) == 0
    sb.inject("ka10001", "error", count=2, return_code=3, return_msg=MSG_8005)
    assert cli_main(["call", "ka10001", "stk_cd=005930", *base]) == 1
    sb.inject("ka10001", "error", return_code=2, return_msg=MSG_1511)
    assert cli_main(["call", "ka10001", "stk_cd=005930", *base]) == 1
    out, err = capsys.readouterr()
    outputs.append(out + err)
    assert err.count("error:") == 2

    proc = subprocess.run(
        [sys.executable, "-m", "kiwoom_cli", "call", "ka10001", "stk_cd=005930", *base],
        env=_env(KIWOOM_LOG="debug", KIWOOM_APPKEY=APPKEY, KIWOOM_SECRETKEY=SECRETKEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "DEBUG kiwoom_runtime" in proc.stderr
    outputs.append(proc.stdout + proc.stderr)

    assert len(issued) >= 6
    assert_clean(outputs, [APPKEY, SECRETKEY, *issued], "CLI output")


@pytest.mark.slow
def test_demo_at_debug_leaks_nothing() -> None:
    appkey, secretkey = "DEMO-appkey-Zq81xW", "DEMO-secretkey-Lp40vR"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        env=_env(KIWOOM_LOG="debug", KIWOOM_APPKEY=appkey, KIWOOM_SECRETKEY=secretkey),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    output = proc.stdout + proc.stderr
    assert "DEBUG kiwoom_runtime" in output and "au10001" in output
    assert appkey not in output and secretkey not in output
    leaked = TOKEN_SHAPE.findall(output)
    assert not leaked, f"token-shaped strings in the demo's output: {leaked[:3]}"


def test_token_cache_file_is_0600(
    sb: Sandbox, issued: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    old = os.umask(0)  # the modes must not depend on a friendly umask
    try:
        with Client(**_kwargs(sb, token_cache=cache_dir)) as client:
            client.get_stock_info(stk_cd="005930")

        async def use_async() -> None:
            async with AsyncClient(**_kwargs(sb, token_cache=cache_dir, appkey=APPKEY + "2")) as c:
                await c.get_stock_info(stk_cd="005930")

        asyncio.run(use_async())
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    files = sorted(p for p in cache_dir.iterdir())
    tokens = [p for p in files if p.suffix == ".json"]
    assert len(tokens) == 2, files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path.name, oct(path.stat().st_mode))
    for path in tokens:
        text = path.read_text("utf-8")
        assert APPKEY not in path.name and APPKEY not in text and SECRETKEY not in text
        assert any(token in text for token in issued)


def test_token_tr_models_do_not_show_credentials(sb: Sandbox, issued: list[str]) -> None:
    """The typed models of au10001/au10002 hold credentials: their reprs must not show them."""
    from kiwoom_typed import Au10001Request, Au10002Request

    with Client(**_kwargs(sb)) as client:
        answer = client.issue_token(
            grant_type="client_credentials", appkey=APPKEY, secretkey=SECRETKEY
        )
        texts = [repr(answer), str(answer)]
        request = Au10001Request(
            grant_type="client_credentials", appkey=APPKEY, secretkey=SECRETKEY
        )
        texts += [repr(request), str(request)]
        revoke = Au10002Request(appkey=APPKEY, secretkey=SECRETKEY, token=issued[-1])
        texts += [repr(revoke), str(revoke)]
    assert_clean(texts, [APPKEY, SECRETKEY, *issued], "token TR models")


def test_credentials_stay_masked_after_many_token_rotations(
    sb: Sandbox, issued: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The redaction registry is bounded (tokens rotate for the life of a daemon); the appkey
    and secretkey must stay masked after more rotations than it holds."""
    caplog.set_level(logging.DEBUG, logger="kiwoom_runtime")
    with Client(**_kwargs(sb)) as client:
        for _ in range(260):  # e.g. 8005 storms, or a daemon running for months
            token = client.tokens.get()
            client.tokens.invalidate(token)
        echo = f"입력 값 오류[1517:앱키 {APPKEY} 형식 오류]"
        sb.inject("ka10001", "error", return_code=2, return_msg=echo)
        with pytest.raises(KiwoomError) as info:
            client.get_stock_info(stk_cd="005930")
    assert len(issued) >= 260
    assert_clean(describe_error(info.value), [APPKEY, SECRETKEY], "exception after rotations")
