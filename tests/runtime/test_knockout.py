"""Two clients (or processes) on one appkey, each issuing its own token, knock each other out.

Live reports: a new token for an appkey invalidates the previous one. Without the shared token
cache two processes keep replacing each other's token (measured with the sandbox: 11-16 tokens,
21-26 refusals and up to 3 failed calls for 2 clients x 10 calls). The client cannot prevent it,
but it can recognise the pattern (8005 on a token it obtained right after a refusal) and say
what to do, in the log and in the error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rt_fakes import QUERY, FakeKiwoom, client_kwargs

from kiwoom_runtime import SyncAPIClient, TokenError


def _client(fake: FakeKiwoom, **kw: object) -> SyncAPIClient:
    return SyncAPIClient(transport=fake.transport(), **client_kwargs(fake, **kw))


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_ping_pong_between_two_clients_is_named_in_the_log(
    fake: FakeKiwoom, caplog: pytest.LogCaptureFixture
) -> None:
    fake.invalidate_previous = True
    a, b = _client(fake, revoke_on_close=False), _client(fake, revoke_on_close=False)
    with caplog.at_level("INFO", logger="kiwoom_runtime"), a, b:
        a._call(QUERY, {})
        b._call(QUERY, {})  # B's token knocks out A's
        a._call(QUERY, {})  # 8005, A re-issues (knocking out B's) and replays: a one-off so far
        assert _warnings(caplog) == []
        b._call(QUERY, {})
        a._call(QUERY, {})  # A's replacement token was knocked out too: the pattern
    warnings = _warnings(caplog)
    assert warnings and all("token_cache=True" in w for w in warnings), warnings
    assert "same appkey" in warnings[0]
    assert not any(t in w for t in fake.issued for w in warnings)  # no token in the log


def test_a_replay_refused_right_after_a_fresh_issue_says_what_to_do(
    fake: FakeKiwoom, caplog: pytest.LogCaptureFixture
) -> None:
    fake.invalidate_previous = True
    with _client(fake) as c:
        c._call(QUERY, {})
        fake.issue()  # another process issues: ours is dead
        fake.on_issue = fake.issue  # ... and it issues again right after each of ours
        with caplog.at_level("WARNING", logger="kiwoom_runtime"):
            with pytest.raises(TokenError) as info:
                c._call(QUERY, {})
    text = str(info.value)
    assert info.value.code == "8005"
    assert "token_cache=True" in text and "same appkey" in text
    assert not any(t in text for t in fake.issued)
    assert any("token_cache=True" in w for w in _warnings(caplog))


def test_with_a_cache_the_advice_names_the_shared_directory(
    fake: FakeKiwoom, tmp_path: Path
) -> None:
    fake.invalidate_previous = True
    with _client(fake, token_cache=tmp_path) as c:
        c._call(QUERY, {})
        fake.issue()
        fake.on_issue = fake.issue
        with pytest.raises(TokenError) as info:
            c._call(QUERY, {})
    assert "token_cache" in str(info.value) and "same" in str(info.value)


def test_an_ordinary_expiry_is_refreshed_quietly(
    fake: FakeKiwoom, caplog: pytest.LogCaptureFixture
) -> None:
    with _client(fake) as c, caplog.at_level("WARNING", logger="kiwoom_runtime"):
        clock = c.tokens._clock
        c._call(QUERY, {})
        fake.valid.clear()  # the server expired it once
        c._call(QUERY, {})
        later = clock() + dt.timedelta(hours=20)
        c.tokens._clock = lambda: later
        fake.valid.clear()  # ... and again, a day later
        c._call(QUERY, {})
    assert _warnings(caplog) == [] and c.tokens.knockouts == 0


def test_two_clients_sharing_the_cache_issue_one_token(fake: FakeKiwoom, tmp_path: Path) -> None:
    fake.invalidate_previous = True
    a, b = _client(fake, token_cache=tmp_path), _client(fake, token_cache=tmp_path)
    with a, b:
        for _ in range(10):
            a._call(QUERY, {})
            b._call(QUERY, {})
    assert fake.calls("au10001") == 1 and fake.calls("ka10001") == 20
