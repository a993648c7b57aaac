"""The base clients' public surface: sentinels, typed constructors, class-level token TRs, the
unauthenticated call path of the token TRs and paging of any TR."""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, ClassVar

import httpx
import pytest
from rt_fakes import APPKEY, LIST, QUERY, SECRETKEY, FakeKiwoom, client_kwargs, ok

import kiwoom_runtime
from kiwoom_runtime import (
    DEFAULT_ISSUE_ENDPOINT,
    DEFAULT_REVOKE_ENDPOINT,
    NOT_GIVEN,
    AsyncAPIClient,
    AuthenticationError,
    Endpoint,
    HTTPStatusError,
    NotGiven,
    SyncAPIClient,
    TimeoutTypes,
    redact_text,
)

ISSUE = Endpoint(api_id="au10001", name="접근토큰 발급", path="/oauth2/token")
REVOKE = Endpoint(api_id="au10002", name="접근토큰폐기", path="/oauth2/revoke")


def test_public_sentinel_and_timeout_names() -> None:
    assert isinstance(NOT_GIVEN, NotGiven) and not NOT_GIVEN and repr(NOT_GIVEN) == "NOT_GIVEN"
    assert {"NOT_GIVEN", "NotGiven", "TimeoutTypes"} <= set(kiwoom_runtime.__all__)
    timeout: TimeoutTypes = httpx.Timeout(1.0)
    assert timeout is not None


@pytest.mark.parametrize("cls", [SyncAPIClient, AsyncAPIClient])
def test_constructors_are_keyword_only_and_fully_typed(cls: type[Any]) -> None:
    params = inspect.signature(cls).parameters
    kinds = {p.kind for p in params.values()}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}  # no *args / **kwargs
    for name in ("appkey", "secretkey", "token", "env", "base_url", "timeout", "rate_limit"):
        assert name in params and params[name].annotation != inspect.Parameter.empty
    assert "http_client" in params and "transport" in params
    assert "issue_endpoint" not in params and "revoke_endpoint" not in params
    assert "appkey" in (cls.__init__.__doc__ or "")


def test_token_endpoints_are_class_attributes(fake: FakeKiwoom) -> None:
    assert SyncAPIClient.issue_endpoint is DEFAULT_ISSUE_ENDPOINT
    assert AsyncAPIClient.revoke_endpoint is DEFAULT_REVOKE_ENDPOINT

    other_issue = Endpoint(api_id="au10001", name="issue", path="/oauth2/token")

    class Custom(SyncAPIClient):
        issue_endpoint = other_issue
        revoke_endpoint: ClassVar[Endpoint | None] = None

    with Custom(transport=fake.transport(), **client_kwargs(fake)) as c:
        assert c.tokens.issue_endpoint is other_issue and c.tokens.revoke_endpoint is None
        c._call(QUERY, {"stk_cd": "005930"})
    assert fake.revoked == []  # no revoke endpoint: nothing revoked on close


def _sent(fake: FakeKiwoom, api_id: str) -> list[httpx.Headers]:
    return [headers for a, headers, _ in fake.requests if a == api_id]


def test_call_unauthenticated_sends_no_token(fake: FakeKiwoom) -> None:
    body = {"grant_type": "client_credentials", "appkey": APPKEY, "secretkey": SECRETKEY}
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        result = c._call_unauthenticated(ISSUE, body)
        assert c.tokens.current is None and c.tokens.issue_count == 0  # the manager's untouched
    assert result["token"] == fake.issued[0] and result["token_type"] == "bearer"
    (headers,) = _sent(fake, "au10001")
    assert "authorization" not in headers
    assert headers["api-id"] == "au10001"
    assert redact_text(f"got {result['token']}") == "got ***"  # registered as a secret


def test_call_unauthenticated_checks_the_envelope_and_redacts(
    fake: FakeKiwoom, caplog: pytest.LogCaptureFixture
) -> None:
    appkey = "WRONG-APPKEY-0123456789"
    body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": SECRETKEY}
    with (
        caplog.at_level(logging.DEBUG, logger="kiwoom_runtime"),
        SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c,
    ):
        with pytest.raises(AuthenticationError) as exc:
            c._call_unauthenticated(ISSUE, body)
        c.tokens.close()
    assert exc.value.code == "8001" and exc.value.api_id == "au10001"
    assert redact_text(f"x {appkey} y") == "x *** y"
    assert appkey not in caplog.text and appkey not in str(exc.value)


def test_call_unauthenticated_masks_request_credentials_echoed_in_errors(
    fake: FakeKiwoom,
) -> None:
    # a plain-str token passed to revoke is registered, so an echo anywhere is masked
    token = "LEAKED-TOKEN-abcdef0123456789"
    fake.check_token = False
    fake.handlers["au10002"] = lambda r, b: httpx.Response(
        500, json={"token": token, "return_code": 9, "return_msg": f"bad {token}"}
    )
    revoke = Endpoint(api_id="au10002", name="x", path="/api/revoke-like")
    with SyncAPIClient(
        transport=fake.transport(), **client_kwargs(fake, retry=None, max_retries=0)
    ) as c:
        with pytest.raises(HTTPStatusError) as exc:
            c._call_unauthenticated(
                revoke, {"appkey": APPKEY, "secretkey": SECRETKEY, "token": token}
            )
    assert token not in str(exc.value) and "***" in str(exc.value)


def test_async_call_unauthenticated(fake: FakeKiwoom) -> None:
    async def main() -> dict[str, Any]:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            result: dict[str, Any] = await c._call_unauthenticated(
                REVOKE, {"appkey": APPKEY, "secretkey": SECRETKEY, "token": "tok-x-123456"}
            )
            assert c.tokens.issue_count == 0
            return result

    result = asyncio.run(main())
    assert result["return_code"] == 0 and fake.revoked == ["tok-x-123456"]
    assert all("authorization" not in h for h in _sent(fake, "au10002"))
    assert fake.issued == []


def test_paginate_a_tr_that_does_not_page(fake: FakeKiwoom) -> None:
    fake.handlers["ka10001"] = lambda r, b: ok({"cont-yn": "N"}, stk_nm="삼성전자")
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(QUERY, {"stk_cd": "005930"})
        pages = list(pager)
    assert len(pages) == 1 and pages[0]["stk_nm"] == "삼성전자"
    assert pager.complete and not pager.truncated


def test_paginate_unauthenticated(fake: FakeKiwoom) -> None:
    fake.check_token = False
    fake.handlers["ka10075"] = lambda r, b: ok(oso=[{"n": 1}])
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        items = list(c._paginate(LIST, {}, authenticated=False).items())
    assert items == [{"n": 1}] and fake.issued == []
    assert all("authorization" not in h for h in _sent(fake, "ka10075"))


def test_async_paginate_unauthenticated(fake: FakeKiwoom) -> None:
    fake.check_token = False
    fake.handlers["ka10075"] = lambda r, b: ok(oso=[{"n": 1}])

    async def main() -> list[Any]:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            return [i async for i in c._paginate(LIST, {}, authenticated=False).items()]

    assert asyncio.run(main()) == [{"n": 1}] and fake.issued == []
