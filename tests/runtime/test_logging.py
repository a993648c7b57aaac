from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rt_fakes import APPKEY, QUERY, SECRETKEY, FakeKiwoom, client_kwargs, err

from kiwoom_runtime import (
    AuthenticationError,
    InvalidResponseError,
    RedactingFilter,
    Secret,
    SyncAPIClient,
    logger,
    redact_text,
    register_secret,
)
from kiwoom_runtime._redact import redact_headers, redact_value


def test_registered_secret_replaced_anywhere() -> None:
    register_secret("zz-registered-secret-zz")
    assert redact_text("a zz-registered-secret-zzb c") == "a ***b c"


def test_patterns_masked_without_registration() -> None:
    text = (
        'authorization: Bearer abc.def.ghi {"appkey": "AK1", "secretkey":"SK1", '
        "'token': 'TK1', \"token_type\": \"bearer\"}"
    )
    out = redact_text(text)
    for leaked in ("abc.def.ghi", "AK1", "SK1", "TK1"):
        assert leaked not in out
    assert '"token_type": "bearer"' in out


def test_redact_headers_and_values() -> None:
    h = redact_headers(httpx.Headers({"Authorization": "Bearer T0KEN-VALUE", "api-id": "ka10001"}))
    assert h["authorization"] == "Bearer ***" and h["api-id"] == "ka10001"
    v = redact_value({"token": "x1", "nested": [{"appkey": "y"}], "expires_dt": "2024"})
    assert v == {"token": "***", "nested": [{"appkey": "***"}], "expires_dt": "2024"}


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    Secret("my-very-secret-appkey")
    with caplog.at_level(logging.DEBUG, logger="kiwoom_runtime"):
        logger.info("key=%s header=%s", "my-very-secret-appkey", "Bearer eyJhbGciOi")
        try:
            raise RuntimeError("boom my-very-secret-appkey")
        except RuntimeError:
            logger.exception("failed")
    text = caplog.text
    assert "my-very-secret-appkey" not in text and "eyJhbGciOi" not in text
    assert "key=***" in text


def test_filter_on_foreign_handler() -> None:
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "%s", ("Bearer abcdefg",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "Bearer ***"


def test_client_debug_logs_never_contain_secrets(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeKiwoom()
    fake.handlers["ka10001"] = lambda r, b: err("1700", "too many", 5)
    with caplog.at_level(logging.DEBUG):
        with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            with pytest.raises(Exception):  # noqa: B017
                c._call(QUERY, {})
    text = caplog.text
    assert "ka10001" in text  # the logs do say something
    for secret in (APPKEY, SECRETKEY, fake.issued[0]):
        assert secret not in text


def test_exceptions_never_contain_secrets() -> None:
    fake = FakeKiwoom()

    def leaky(request: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "return_code": 3,
                "return_msg": f"[8050:인증 실패 {request.headers['authorization']}]",
                "token": "leaked-token-value",
                "appkey": APPKEY,
            },
            headers={"authorization": request.headers["authorization"]},
        )

    fake.handlers["ka10001"] = leaky
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        with pytest.raises(AuthenticationError) as info:
            c._call(QUERY, {})
    e = info.value
    dumped = " ".join(
        [str(e), repr(e), str(e.body), str(e.data), str(dict(e.headers)), str(e.return_msg)]
    )
    for secret in (APPKEY, SECRETKEY, fake.issued[0], "leaked-token-value"):
        assert secret not in dumped


def test_token_issue_error_body_redacted() -> None:
    fake = FakeKiwoom()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            return httpx.Response(200, text='{"token": "half-a-token-value", "expires_dt"')
        return fake(request)

    with SyncAPIClient(transport=httpx.MockTransport(handler), **client_kwargs(fake)) as c:
        with pytest.raises(InvalidResponseError) as info:
            c._call(QUERY, {})
    assert "half-a-token-value" not in str(info.value)
    assert "half-a-token-value" not in info.value.snippet


def test_kiwoom_log_env_enables_stderr_handler(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    code = (
        f"import sys; sys.path.insert(0, {str(src)!r})\n"
        "from kiwoom_runtime import logger, Secret\n"
        "Secret('cafebabe-secret')\n"
        "logger.debug('hello cafebabe-secret')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"KIWOOM_LOG": "debug", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "hello ***" in out.stderr and "cafebabe" not in out.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", code], env={"PATH": ""}, capture_output=True, text=True, check=True
    )
    assert "hello" not in quiet.stderr


def test_credentials_outlive_any_number_of_rotating_tokens() -> None:
    from kiwoom_runtime._redact import register_secret
    from kiwoom_runtime.auth import Secret

    appkey = Secret("pinned-appkey-3c9d1e", pinned=True)
    for i in range(1000):  # a daemon's worth of token rotations
        register_secret(f"rotating-token-{i:06d}")
    assert redact_text(f"echo {appkey.get_secret_value()}") == "echo ***"
    assert "rotating-token-000000" in redact_text("rotating-token-000000")  # evicted: bounded
    assert redact_text("rotating-token-000999") == "***"
