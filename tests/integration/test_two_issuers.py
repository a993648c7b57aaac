"""Over real HTTP: two clients on one appkey, each issuing its own token, against a sandbox where
a new token invalidates the previous one (a reported live behaviour).

Without a shared token cache they knock each other out; the client says so in the log and in
the errors, naming ``token_cache=True``. With the cache they share one token.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiwoom_runtime import KiwoomError
from kiwoom_sandbox import Sandbox
from kiwoom_typed import Client
from tests.conftest import FIXTURES, SPECS

CALLS = 10


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES, invalidate_previous_token=True) as sb:
        yield sb


def _client(sb: Sandbox, cache: Path | None = None) -> Client:
    return Client(
        appkey="shared-appkey-0001",
        secretkey="shared-secretkey-0001",
        base_url=sb.base_url,
        rate_limit=None,
        token_cache=cache,
    )


def test_alternating_clients_without_cache_are_told_to_share_the_token(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="kiwoom_runtime"), _client(sb) as a, _client(sb) as b:
        for _ in range(CALLS):
            a.get_stock_info(stk_cd="005930")
            b.get_stock_info(stk_cd="005930")
        knockouts = a.tokens.knockouts + b.tokens.knockouts
    warnings = [r.getMessage() for r in caplog.records if "refused (8005)" in r.getMessage()]
    assert knockouts > 0 and len(warnings) == knockouts
    assert all("token_cache=True" in w and "same appkey" in w for w in warnings)


def _two_threads(sb: Sandbox, cache: Path | None) -> list[str]:
    failures: list[str] = []

    def worker() -> None:
        with _client(sb, cache) as client:
            for _ in range(CALLS):
                try:
                    client.get_stock_info(stk_cd="005930")
                except KiwoomError as exc:
                    failures.append(str(exc))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def test_concurrent_clients_without_cache_fail_with_the_advice(sb: Sandbox) -> None:
    failures = _two_threads(sb, None)
    assert all("token_cache=True" in f for f in failures), failures


def test_concurrent_clients_with_the_cache_share_one_token(sb: Sandbox, tmp_path: Path) -> None:
    failures = _two_threads(sb, tmp_path)
    assert failures == []
    assert len(sb.requests_for("au10001")) == 1
    assert len(sb.requests_for("ka10001")) == 2 * CALLS  # no refusal, no replay
