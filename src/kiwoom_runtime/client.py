"""The base clients generated code subclasses: one call = check, throttle, authenticate, POST,
classify, decode.

Why this order: the cheap client-side checks (mock host accepts KRX codes only) run before
anything is spent; the rate-limiter slot is taken *after* the token is in hand, right before the
request leaves, because the server judges arrival times: a call that took its slot and then
waited for a token issue would leave late and squeeze the gap to the next request (a server
counting "at most 5 in any second" then refuses one). The HTTP status and the JSON envelope are
checked *before* ``endpoint.decode`` so a token error is reported as a token error, not as a
confusing "missing field" from the response model.

:class:`SyncAPIClient` and :class:`AsyncAPIClient` mirror each other; what they share (config,
request building, response classification) lives in :class:`BaseClient`.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar, Final, Literal, Self

import httpx

from kiwoom_runtime import _json
from kiwoom_runtime._logging import logger
from kiwoom_runtime._redact import SENSITIVE_KEYS, register_secret
from kiwoom_runtime._requests import RequestBuilder
from kiwoom_runtime.auth import (
    DEFAULT_ISSUE_ENDPOINT,
    DEFAULT_REVOKE_ENDPOINT,
    AsyncTokenManager,
    Secret,
    TokenManager,
)
from kiwoom_runtime.embedded import sandbox_base_url
from kiwoom_runtime.endpoint import Endpoint
from kiwoom_runtime.errors import (
    DEFAULT_ERROR_CODES,
    APIConnectionError,
    APIError,
    APITimeoutError,
    ArgumentError,
    ErrorCodeMap,
    HTTPStatusError,
    InvalidResponseError,
    KiwoomError,
    NotSupportedInMockError,
    OrderStateUnknownError,
    RateLimitError,
    ResponseDecodeError,
    TokenError,
    parse_bracket_code,
)
from kiwoom_runtime.paging import AsyncPager, SyncPager
from kiwoom_runtime.ratelimit import DEFAULT_RATE_LIMIT, RateLimit, RateLimiter
from kiwoom_runtime.recording import Recording, recorder_for
from kiwoom_runtime.response import Page, RawResponse
from kiwoom_runtime.retry import Decision, RetryPolicy, parse_retry_after

__all__ = [
    "DEFAULT_TIMEOUT",
    "MOCK_BASE_URL",
    "NOT_GIVEN",
    "PROD_BASE_URL",
    "SANDBOX_APPKEY",
    "SANDBOX_SECRETKEY",
    "AsyncAPIClient",
    "BaseClient",
    "Env",
    "NotGiven",
    "SyncAPIClient",
    "Target",
    "TimeoutTypes",
]

PROD_BASE_URL: Final = "https://api.kiwoom.com"
MOCK_BASE_URL: Final = "https://mockapi.kiwoom.com"
DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
CONTENT_TYPE: Final = "application/json;charset=UTF-8"
MOCK_FORBIDDEN_SUFFIXES: Final = ("_NX", "_AL")
_MOCK_UNSUPPORTED_MSG: Final = "[1999:모의투자에서는 해당업무가 제공되지 않습니다]"

Env = Literal["prod", "mock", "sandbox"]
"""``"prod"`` (실전투자, api.kiwoom.com), ``"mock"`` (모의투자, mockapi.kiwoom.com) or
``"sandbox"`` (a local sandbox: ``KIWOOM_SANDBOX_URL`` or one embedded in this process)."""
Target = Literal["prod", "mock", "sandbox", "custom"]
"""What a client talks to: an :data:`Env`, or ``"custom"`` for a ``base_url=`` of your own."""
#: Placeholder credentials for a sandbox, which accepts any (they are not secrets).
SANDBOX_APPKEY: Final = "sandbox-appkey"
SANDBOX_SECRETKEY: Final = "sandbox-secretkey"
TimeoutTypes = float | httpx.Timeout | None
"""A timeout: seconds, an ``httpx.Timeout``, or None for no timeout."""


def check_timeout(value: object, argument: str = "timeout") -> None:
    """Refuse a timeout that can only fail, before anything is sent.

    Why: httpx accepts 0 and negative seconds and fails only at send time, after a token was
    issued, with a confusing ``ConnectError: [Errno 115]``. So a timeout must be positive
    seconds, None (no timeout), or an ``httpx.Timeout`` whose every phase is positive or None.
    """
    if value is None or isinstance(value, NotGiven):
        return
    if isinstance(value, httpx.Timeout):
        phases = {
            "connect": value.connect,
            "read": value.read,
            "write": value.write,
            "pool": value.pool,
        }
        for phase, seconds in phases.items():
            if seconds is not None and seconds <= 0:
                raise ArgumentError(
                    argument,
                    f"httpx.Timeout {phase}={seconds!r} would fail every request; "
                    "use seconds > 0, or None for no timeout",
                )
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ArgumentError(
            argument,
            f"expected seconds (> 0), an httpx.Timeout or None (no timeout), got {value!r}",
        )


def _describe_timeout(timeout: TimeoutTypes, exc: httpx.TimeoutException) -> str:
    """The timeout that ran out, for messages: ``"1.5 s"`` or ``"connect 5 s"``."""
    if timeout is None:
        return "none"
    if not isinstance(timeout, httpx.Timeout):
        return f"{timeout:g} s"
    phase = {
        httpx.ConnectTimeout: "connect",
        httpx.WriteTimeout: "write",
        httpx.PoolTimeout: "pool",
    }.get(type(exc), "read")
    seconds = getattr(timeout, phase)
    return f"{phase} {'none' if seconds is None else f'{seconds:g} s'}"


def _expect(argument: str, value: object, types: type | tuple[type, ...], what: str) -> None:
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ArgumentError(argument, f"expected {what}, got {value!r}")
    if not isinstance(value, types):
        shown = "***" if argument in ("appkey", "secretkey", "token") else repr(value)
        raise ArgumentError(argument, f"expected {what}, got {type(value).__name__} {shown}")


class NotGiven:
    """Type of :data:`NOT_GIVEN`: "argument not passed" where ``None`` has a meaning.

    ``timeout=None`` means "no timeout" and ``rate_limit=None`` "no rate limit", so the default
    of such arguments is ``NOT_GIVEN`` (falsy) and their annotation ``X | NotGiven``.
    """

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven()
"""The "argument not passed" default (see :class:`NotGiven`)."""


def _is_ok(return_code: Any) -> bool:
    """``0``, ``"0"`` and ``"0000"`` are success; a missing return_code is tolerated."""
    if return_code is None:
        return True
    if isinstance(return_code, bool):
        return False
    if isinstance(return_code, int):
        return return_code == 0
    if isinstance(return_code, str):
        text = return_code.strip()
        return text.isdigit() and int(text) == 0
    return False


def _iter_codes(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        for part in value.replace(",", "|").split("|"):
            if part.strip():
                yield part.strip()
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _iter_codes(v)


class BaseClient:
    """Configuration and the transport-independent half of a call.

    The token TRs are class-level: a subclass generated from specs sets ``issue_endpoint`` /
    ``revoke_endpoint`` as class attributes (the runtime's defaults are au10001 / au10002).
    """

    #: The token-issue TR the token manager calls (plain dict bodies in and out).
    issue_endpoint: ClassVar[Endpoint] = DEFAULT_ISSUE_ENDPOINT
    #: The token-revoke TR, or None when tokens cannot be revoked.
    revoke_endpoint: ClassVar[Endpoint | None] = DEFAULT_REVOKE_ENDPOINT
    #: Hosts for ``env="prod"`` / ``env="mock"``; the generated client sets them from the specs.
    prod_base_url: ClassVar[str] = PROD_BASE_URL
    mock_base_url: ClassVar[str | None] = MOCK_BASE_URL

    #: The token manager (set by the sync / async subclass).
    tokens: TokenManager | AsyncTokenManager
    #: Requests from prepared parts, for an httpx client this client created (else None).
    _requests: RequestBuilder | None = None

    def __init__(
        self,
        *,
        appkey: str | Secret | None = None,
        secretkey: str | Secret | None = None,
        token: str | Secret | None = None,
        env: Env | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimiter | RateLimit | NotGiven | None = NOT_GIVEN,
        token_cache: bool | str | os.PathLike[str] | None = None,
        token_margin: _dt.timedelta = _dt.timedelta(minutes=5),
        revoke_on_close: bool | None = None,
        error_codes: ErrorCodeMap | None = None,
        check_mock_support: bool = True,
        record: str | os.PathLike[str] | bool | None = None,
    ) -> None:
        for name, value in (("appkey", appkey), ("secretkey", secretkey), ("token", token)):
            _expect(name, value, (str, Secret, type(None)), "str or None")
        _expect("base_url", base_url, (str, type(None)), "str or None")
        _expect("max_retries", max_retries, (int, type(None)), "an int or None")
        _expect("retry", retry, (RetryPolicy, type(None)), "a RetryPolicy or None")
        _expect(
            "rate_limit",
            rate_limit,
            (RateLimiter, RateLimit, NotGiven, type(None)),
            "a RateLimiter, a RateLimit or None",
        )
        _expect("token_margin", token_margin, _dt.timedelta, "a datetime.timedelta")
        _expect("revoke_on_close", revoke_on_close, (bool, type(None)), "True, False or None")
        _expect("check_mock_support", check_mock_support, bool, "True or False")
        _expect("record", record, (str, os.PathLike, bool, type(None)), "a directory or False")
        if record is True:
            raise ArgumentError("record", "expected a directory to record into, or False")
        check_timeout(timeout)
        if env is not None and env not in ("prod", "mock", "sandbox"):
            raise ArgumentError(
                "env",
                f"must be 'prod', 'mock' or 'sandbox', got {env!r}; "
                "for another host pass base_url= (e.g. base_url='http://127.0.0.1:8080')",
            )
        if base_url is not None:
            url = httpx.URL(base_url)
            if url.scheme not in ("http", "https") or not url.host:
                raise ArgumentError("base_url", f"not an http(s) URL: {base_url!r}")
        elif env == "mock" and self.mock_base_url is None:
            raise ArgumentError("env", "no mock host is documented; pass base_url=")
        #: What this client talks to: "prod", "mock", "sandbox", or "custom" (a base_url=
        #: without env=). "mock" also turns on the mock host's client-side rules.
        self.env: Target = env if env is not None else ("prod" if base_url is None else "custom")
        if self.env == "sandbox" and token is None:
            # A sandbox accepts any credentials, so none are needed to try the client offline;
            # KIWOOM_APPKEY / KIWOOM_SECRETKEY are not read, so real keys never go to a test
            # server unless passed explicitly.
            appkey = SANDBOX_APPKEY if appkey is None else appkey
            secretkey = SANDBOX_SECRETKEY if secretkey is None else secretkey
        if retry is not None and max_retries is not None:
            raise ArgumentError("max_retries", "pass either max_retries= or retry=, not both")
        if max_retries is not None:
            if max_retries < 0:
                raise ArgumentError("max_retries", f"must be >= 0, got {max_retries}")
            retry = RetryPolicy(max_attempts=max_retries + 1)
        self.retry = retry or RetryPolicy()
        if isinstance(rate_limit, NotGiven):
            rate_limit = RateLimiter(DEFAULT_RATE_LIMIT)
        elif isinstance(rate_limit, RateLimit):
            rate_limit = RateLimiter(rate_limit)
        self.rate_limiter: RateLimiter | None = rate_limit
        self._timeout_arg = timeout
        self.error_codes = error_codes or DEFAULT_ERROR_CODES
        self.check_mock_support = check_mock_support
        self._closed = False
        #: Order numbers this client got back from order TRs: reconciling an ambiguous failure
        #: leaves them out, since they are other orders (``OrderStateUnknownError.reconcile``).
        self.order_numbers: set[str] = set()
        # After the argument checks above, so that those never start an embedded sandbox.
        environment: str = self.env  # the token cache namespace
        if base_url is None and self.env in ("prod", "mock"):
            base_url = self.prod_base_url if self.env == "prod" else self.mock_base_url
        else:
            base_url = sandbox_base_url() if base_url is None else base_url
            url = httpx.URL(base_url)
            environment = f"{self.env}-{url.host}-{url.port or ''}"
        assert base_url is not None
        self.base_url = base_url.rstrip("/")
        # Answers written as fixtures (record= or KIWOOM_RECORD), masked; None: not recorded.
        self._recorder = recorder_for(record, env=self.env, base_url=self.base_url)
        self._token_kwargs: dict[str, Any] = {
            "appkey": appkey,
            "secretkey": secretkey,
            "token": token,
            "issue_endpoint": self.issue_endpoint,
            "revoke_endpoint": self.revoke_endpoint,
            "margin": token_margin,
            "environment": environment,
            "token_cache": token_cache,
            "revoke_on_close": revoke_on_close,
        }

    # -- request side -----------------------------------------------------------------------

    def _prepare(self, endpoint: Endpoint, request: Any) -> dict[str, Any]:
        """Encode the request and run the client-side checks (mock host rules)."""
        if self._closed:
            raise KiwoomError(f"{type(self).__name__} is closed")
        body = endpoint.encode(request)
        if not isinstance(body, dict):
            raise ArgumentError("request", f"{endpoint.api_id}: encode() must return a dict")
        if self.env == "mock":
            if not endpoint.mock_supported and self.check_mock_support:
                raise NotSupportedInMockError(
                    api_id=endpoint.api_id,
                    return_code=None,
                    return_msg=f"{_MOCK_UNSUPPORTED_MSG} {endpoint.name}",
                    hint="refused client-side: this TR is marked mock_supported=False "
                    "(pass check_mock_support=False to send it anyway)",
                )
            for field in endpoint.code_fields:
                for code in _iter_codes(body.get(field)):
                    if code.upper().endswith(MOCK_FORBIDDEN_SUFFIXES):
                        raise ArgumentError(
                            field,
                            f"{endpoint.api_id}: {code!r} is an NXT/SOR code; the mock host "
                            "supports KRX codes only (모의투자는 KRX 종목코드만 지원합니다). "
                            "Use the bare code (e.g. '005930') with env='mock'.",
                        )
        return body

    def _headers(
        self, endpoint: Endpoint, token: str | None, cont_yn: bool, next_key: str | None
    ) -> dict[str, str]:
        headers = {"api-id": endpoint.api_id, "content-type": CONTENT_TYPE}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        if cont_yn:
            if not next_key:
                raise ArgumentError("next_key", "cont_yn=True needs the next-key of the last page")
            headers["cont-yn"] = "Y"
            headers["next-key"] = next_key
        return headers

    def _request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        endpoint: Endpoint,
        content: bytes,
        token: str | None,
        cont_yn: bool,
        next_key: str | None,
        timeout: TimeoutTypes,
    ) -> httpx.Request:
        """The request of one attempt: from the prepared parts for the httpx client this client
        created (:mod:`~kiwoom_runtime._requests`), else as ``post`` builds it."""
        builder = self._requests
        if builder is not None and builder.usable():
            return builder.build(
                endpoint.path,
                endpoint.api_id,
                content,
                token=token,
                cont_yn=cont_yn,
                next_key=next_key,
                timeout=timeout,
            )
        return http.build_request(
            "POST",
            self.base_url + endpoint.path,
            content=content,
            headers=self._headers(endpoint, token, cont_yn, next_key),
            timeout=timeout,
        )

    @staticmethod
    def _register_secrets(body: Mapping[str, Any]) -> None:
        """Register the credential values of a token TR body (appkey, secretkey, token), so
        that logs and exception texts mask them wherever they appear later."""
        for key, value in body.items():
            if isinstance(value, str) and key.lower() in SENSITIVE_KEYS:
                register_secret(value)

    def _recording(self, endpoint: Endpoint, body: dict[str, Any]) -> Recording | None:
        """A recording for a pager's pages (one file), or None when not recording."""
        if self._recorder is None:
            return None
        try:
            return self._recorder.session(endpoint, body)
        except Exception as exc:  # recording must never break a call
            self._recorder.failed(exc)
            return None

    def _record(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        raw: RawResponse,
        recording: Recording | None,
        cont_yn: bool,
    ) -> RawResponse:
        """Write an accepted answer to the recording directory, if any; never raises."""
        if self._recorder is not None:
            recording = recording or self._recording(endpoint, body)
            if recording is not None:
                recording.add(raw, first_page=not cont_yn)
        return raw

    @staticmethod
    def _encode_body(body: dict[str, Any]) -> bytes:
        return _json.dumps(body)

    # -- response side ----------------------------------------------------------------------

    def _transport_error(
        self, endpoint: Endpoint, exc: httpx.TransportError, timeout: TimeoutTypes
    ) -> KiwoomError:
        detail = f"{type(exc).__name__}: {exc}"
        url = self.base_url + endpoint.path
        if isinstance(exc, httpx.TimeoutException):
            sent = not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            return APITimeoutError(
                api_id=endpoint.api_id,
                sent=sent,
                detail=detail,
                url=url,
                timeout=_describe_timeout(timeout, exc),
            )
        sent = not isinstance(exc, httpx.ConnectError)
        return APIConnectionError(api_id=endpoint.api_id, sent=sent, detail=detail, url=url)

    def _api_error(
        self, endpoint: Endpoint, response: httpx.Response, data: Mapping[str, Any]
    ) -> APIError:
        return self.error_codes.make(
            api_id=endpoint.api_id,
            return_code=data.get("return_code"),
            return_msg=str(data.get("return_msg") or ""),
            status_code=response.status_code,
            headers=response.headers,
            body=response.content,
            data=dict(data),
        )

    def _process(
        self, endpoint: Endpoint, response: httpx.Response, elapsed: float, body: dict[str, Any]
    ) -> RawResponse:
        """:meth:`_classify`, recording the first error answer of each code when recording."""
        try:
            return self._classify(endpoint, response, elapsed)
        except APIError as exc:
            if self._recorder is not None:
                self._recorder.error(endpoint, body, response, exc)
            raise

    def _classify(
        self, endpoint: Endpoint, response: httpx.Response, elapsed: float
    ) -> RawResponse:
        """HTTP status → JSON object → envelope; raise the classified error or return the raw."""
        content = response.content
        data: Any = None
        try:
            data = _json.loads(content) if content else None
        except ValueError:
            data = None
        status = response.status_code
        if status == 429 or not 200 <= status < 300:
            envelope = data if isinstance(data, dict) and "return_msg" in data else None
            if status == 429:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                d: Mapping[str, Any] = envelope or {}
                raise RateLimitError(
                    retry_after=retry_after,
                    api_id=endpoint.api_id,
                    return_code=d.get("return_code"),
                    return_msg=str(d.get("return_msg") or "HTTP 429 Too Many Requests"),
                    status_code=status,
                    headers=response.headers,
                    body=content,
                    data=envelope,
                )
            if envelope is not None:
                code, _ = parse_bracket_code(str(envelope.get("return_msg")))
                if self.error_codes.lookup(code) is not APIError:
                    raise self._api_error(endpoint, response, envelope)
            raise HTTPStatusError(
                api_id=endpoint.api_id, status_code=status, headers=response.headers, body=content
            )
        if not isinstance(data, dict):
            reason = "body is not JSON" if data is None else "JSON body is not an object"
            raise InvalidResponseError(
                api_id=endpoint.api_id,
                reason=reason,
                body=content,
                status_code=status,
                headers=response.headers,
            )
        if not _is_ok(data.get("return_code")):
            err = self._api_error(endpoint, response, data)
            if isinstance(err, RateLimitError):
                err.retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise err
        return RawResponse.from_parts(
            status_code=status,
            headers=response.headers,
            content=content,
            body=data,
            elapsed=elapsed,
        )

    def _remember(self, endpoint: Endpoint, raw: RawResponse) -> RawResponse:
        """Keep the order number of an order TR's answer (see ``order_numbers``)."""
        number = (raw.body or {}).get("ord_no") if not endpoint.retry_safe else None
        if isinstance(number, str) and number.strip():
            self.order_numbers.add(number.strip())
        return raw

    def _decode(self, endpoint: Endpoint, raw: RawResponse) -> Any:
        assert raw.body is not None
        try:
            return endpoint.decode(raw.body, raw)
        except KiwoomError:
            raise
        except Exception as exc:
            raise ResponseDecodeError(
                api_id=endpoint.api_id,
                reason=f"cannot decode the response: {type(exc).__name__}: {exc}",
                body=raw.content,
                status_code=raw.status_code,
                headers=raw.headers,
            ) from exc

    # -- retry bookkeeping -------------------------------------------------------------------

    def _after_failure(
        self,
        endpoint: Endpoint,
        exc: KiwoomError,
        attempt: int,
        started: float,
        body: Mapping[str, Any] | None = None,
    ) -> float:
        """Return the delay before the next attempt, or raise the final exception.

        A final timeout or connection error records the attempts and the time they took.
        """
        decision = self.retry.decide(exc, retry_safe=endpoint.retry_safe)
        final = decision is not Decision.RETRY or attempt >= self.retry.max_attempts
        if final and isinstance(exc, APITimeoutError | APIConnectionError):
            exc._gave_up(attempt, time.monotonic() - started)
        if decision is Decision.UNKNOWN_STATE:
            raise OrderStateUnknownError(
                api_id=endpoint.api_id, cause=exc, request=body, endpoint=endpoint, client=self
            ) from exc
        if final:
            raise exc
        delay = self.retry.backoff(attempt, self.retry.retry_after_of(exc))
        logger.info(
            "%s: attempt %d failed (%s); retrying in %.2fs", endpoint.api_id, attempt, exc, delay
        )
        return delay

    def _refused_after_refresh(self, exc: TokenError, token: str | None, refreshed: bool) -> None:
        """The replay's token, obtained right after an 8005, was refused too: say why.

        Two issuers on one appkey (processes without a shared token cache) knock each other's
        tokens out: the log and the error say what to do.
        """
        if not refreshed or token is None or exc.code != "8005":
            return
        self.tokens.note_refusal(token, exc.code)
        exc._add_hint("a token obtained just now was refused too: " + self.tokens.knockout_advice())

    def _should_refresh(self, exc: TokenError, token: str | None, refreshed: bool) -> bool:
        return (
            token is not None
            and not refreshed
            and self.retry.refresh_token_once
            and exc.code in ("8005", "8010")
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(env={self.env!r}, base_url={self.base_url!r})"


class SyncAPIClient(BaseClient):
    """Blocking client. Use as a context manager or call :meth:`close`.

    Pass ``http_client=`` to use your own ``httpx.Client`` (it is not closed by us, and its own
    timeout applies unless ``timeout=`` is given), or ``transport=`` for a custom transport.
    """

    def __init__(
        self,
        *,
        appkey: str | Secret | None = None,
        secretkey: str | Secret | None = None,
        token: str | Secret | None = None,
        env: Env | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimiter | RateLimit | NotGiven | None = NOT_GIVEN,
        token_cache: bool | str | os.PathLike[str] | None = None,
        token_margin: _dt.timedelta = _dt.timedelta(minutes=5),
        revoke_on_close: bool | None = None,
        error_codes: ErrorCodeMap | None = None,
        check_mock_support: bool = True,
        record: str | os.PathLike[str] | bool | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Configure the client; nothing is sent until the first call.

        Args:
            appkey: the app key (default: ``KIWOOM_APPKEY``); never shown in reprs or logs.
            secretkey: the secret key (default: ``KIWOOM_SECRETKEY``).
            token: an access token to use instead of issuing one (not revoked on close).
            env: ``"prod"`` (실전투자, the default), ``"mock"`` (모의투자) or ``"sandbox"``
                (a local sandbox: ``KIWOOM_SANDBOX_URL``, else one started in this process on
                127.0.0.1 and stopped at exit; placeholder credentials unless ``appkey=`` /
                ``secretkey=`` are passed, the KIWOOM_* variables are not read); picks the
                host, the token cache namespace and, for mock, the mock host's rules.
            base_url: another host instead of the ``env``'s; without ``env`` the client
                reports ``env == "custom"``.
            timeout: per request: seconds (> 0), ``httpx.Timeout`` or None (no timeout); default
                10 s (5 s to connect), or ``http_client``'s own timeout.
            max_retries: retries after a failed attempt (shorthand for ``retry=``).
            retry: the full retry policy (orders are never resent).
            rate_limit: a ``RateLimit`` or shared ``RateLimiter``; None disables throttling;
                default: Kiwoom's documented per-second limits.
            token_cache: share tokens between processes through a file: True for
                ``~/.cache/kiwoom-typed``, or a directory; off by default.
            token_margin: refresh a token this long before it expires.
            revoke_on_close: revoke a token this client issued on close (default: True unless
                a token cache is used).
            error_codes: the return_msg code -> exception class table (default:
                ``DEFAULT_ERROR_CODES``).
            check_mock_support: on ``env="mock"``, refuse TRs the specs mark unsupported there
                before sending.
            record: a directory: write every accepted answer there as a fixture
                (``<dir>/<api_id>/*.json``), account numbers, personal values, credentials
                and order numbers masked; default ``KIWOOM_RECORD``; False: never.
            http_client: your own ``httpx.Client`` (not closed by the client).
            transport: a custom ``httpx.BaseTransport`` (e.g. a ``MockTransport`` in tests).
        """
        super().__init__(
            appkey=appkey,
            secretkey=secretkey,
            token=token,
            env=env,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            rate_limit=rate_limit,
            token_cache=token_cache,
            token_margin=token_margin,
            revoke_on_close=revoke_on_close,
            error_codes=error_codes,
            check_mock_support=check_mock_support,
            record=record,
        )
        if http_client is not None and transport is not None:
            raise ArgumentError("transport", "pass either http_client= or transport=, not both")
        timeout = self._timeout_arg
        if http_client is not None:
            self._http = http_client
            self._owns_http = False
            self.timeout: TimeoutTypes = (
                http_client.timeout if isinstance(timeout, NotGiven) else timeout
            )
        else:
            self.timeout = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
            self._http = httpx.Client(transport=transport, timeout=self.timeout)
            self._owns_http = True
            self._requests = RequestBuilder(self._http, self.base_url, CONTENT_TYPE, self.timeout)
        self._sleep: Callable[[float], None] = time.sleep
        self.tokens: TokenManager = TokenManager(self._post_unauthenticated, **self._token_kwargs)

    # -- one request, with retries ------------------------------------------------------------

    def _send(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        cont_yn: bool,
        next_key: str | None,
        authenticated: bool,
        recording: Recording | None = None,
    ) -> RawResponse:
        check_timeout(timeout)
        if cont_yn and not next_key:
            raise ArgumentError("next_key", "cont_yn=True needs the next-key of the last page")
        content = self._encode_body(body)
        effective_timeout = self.timeout if isinstance(timeout, NotGiven) else timeout
        attempt, refreshed = 1, False
        started = time.monotonic()
        while True:
            token: str | None = None
            if authenticated:
                token = self._token_then_slot(endpoint)
            try:
                logger.debug(
                    "POST %s%s api-id=%s attempt=%d",
                    self.base_url,
                    endpoint.path,
                    endpoint.api_id,
                    attempt,
                )
                start = time.monotonic()
                try:
                    request = self._request(
                        self._http, endpoint, content, token, cont_yn, next_key, effective_timeout
                    )
                    response = self._http.send(request)
                except httpx.TransportError as exc:
                    raise self._transport_error(endpoint, exc, effective_timeout) from exc
                elapsed = time.monotonic() - start
                logger.debug("%s: HTTP %d in %.3fs", endpoint.api_id, response.status_code, elapsed)
                raw = self._remember(endpoint, self._process(endpoint, response, elapsed, body))
                return self._record(endpoint, body, raw, recording, cont_yn)
            except TokenError as exc:
                if self._should_refresh(exc, token, refreshed) and self.tokens.can_issue:
                    assert token is not None
                    refreshed = True
                    self.tokens.invalidate(token, refused_with=exc.code)
                    logger.info(
                        "%s: %s; refreshing the token and replaying once", endpoint.api_id, exc.code
                    )
                    continue
                self._refused_after_refresh(exc, token, refreshed)
                raise
            except KiwoomError as exc:
                delay = self._after_failure(endpoint, exc, attempt, started, body)
                attempt += 1
                if delay > 0:
                    self._sleep(delay)

    def _token_then_slot(self, endpoint: Endpoint) -> str:
        """The token first, then the rate-limit slot, so the request leaves on its slot.

        If the token was replaced while this call waited for its slot (another call got 8005),
        the new token is fetched and a new slot taken: a known-dead token is never sent.
        """
        while True:
            try:
                token = self.tokens.get()
            except (APITimeoutError, APIConnectionError) as exc:
                exc._while_getting_token_for(endpoint.api_id)
                raise
            if self.rate_limiter is None:
                return token
            self.rate_limiter.acquire(endpoint.api_id)
            if self.tokens.is_current(token):
                return token

    def _post_unauthenticated(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        """Token issue / revoke: no bearer token, same error pipeline."""
        raw = self._send(
            endpoint, body, timeout=NOT_GIVEN, cont_yn=False, next_key=None, authenticated=False
        )
        assert raw.body is not None
        return raw.body

    # -- for generated subclasses ---------------------------------------------------------------

    def _call_raw(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        cont_yn: bool = False,
        next_key: str | None = None,
    ) -> RawResponse:
        """Send one TR request and return the raw view (errors already raised)."""
        body = self._prepare(endpoint, request)
        return self._send(
            endpoint, body, timeout=timeout, cont_yn=cont_yn, next_key=next_key, authenticated=True
        )

    def _call(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        cont_yn: bool = False,
        next_key: str | None = None,
    ) -> Any:
        """Send one TR request and return ``endpoint.decode(body, raw)``."""
        raw = self._call_raw(endpoint, request, timeout=timeout, cont_yn=cont_yn, next_key=next_key)
        return self._decode(endpoint, raw)

    def _call_unauthenticated(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """Send a token TR (issue / revoke) without a bearer token; return the decoded body.

        Issuing a token must not need a token: no ``authorization`` header is sent and no token
        is fetched; the rate limiter is not consulted. The HTTP status and the envelope are
        checked and errors classified as for any call (exceptions and logs are redacted), and
        the credentials in the request and the response are registered as secrets.
        """
        body = self._prepare(endpoint, request)
        self._register_secrets(body)
        raw = self._send(
            endpoint, body, timeout=timeout, cont_yn=False, next_key=None, authenticated=False
        )
        assert raw.body is not None
        self._register_secrets(raw.body)
        return self._decode(endpoint, raw)

    def _call_page(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        cont_yn: bool = False,
        next_key: str | None = None,
    ) -> Page[Any]:
        """Like :meth:`_call` but returns the decoded data together with the raw response."""
        raw = self._call_raw(endpoint, request, timeout=timeout, cont_yn=cont_yn, next_key=next_key)
        return Page(self._decode(endpoint, raw), raw)

    def _paginate(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        max_pages: int | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        authenticated: bool = True,
    ) -> SyncPager[Any]:
        """A pager over all pages of a TR (lazy: nothing is sent until iteration).

        A TR that does not page gives one page (its answer carries no ``cont-yn: Y``).
        ``authenticated=False`` sends no bearer token (the token TRs, see
        :meth:`_call_unauthenticated`).
        """
        check_timeout(timeout)
        body = self._prepare(endpoint, request)
        if not authenticated:
            self._register_secrets(body)
        recording = self._recording(endpoint, body)

        def fetch(cont_yn: bool, next_key: str | None) -> tuple[Any, RawResponse]:
            raw = self._send(
                endpoint,
                body,
                timeout=timeout,
                cont_yn=cont_yn,
                next_key=next_key,
                authenticated=authenticated,
                recording=recording,
            )
            return self._decode(endpoint, raw), raw

        return SyncPager(endpoint, fetch, max_pages=max_pages)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Revoke a self-issued token (if configured) and close our own HTTP client."""
        if self._closed:
            return
        try:
            self.tokens.close()
        finally:
            self._closed = True
            if self._owns_http:
                self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIClient(BaseClient):
    """The asyncio mirror of :class:`SyncAPIClient`. Close with ``async with`` or
    :meth:`aclose`; there is deliberately no ``__del__`` (it fails when the loop is closed).
    """

    def __init__(
        self,
        *,
        appkey: str | Secret | None = None,
        secretkey: str | Secret | None = None,
        token: str | Secret | None = None,
        env: Env | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimiter | RateLimit | NotGiven | None = NOT_GIVEN,
        token_cache: bool | str | os.PathLike[str] | None = None,
        token_margin: _dt.timedelta = _dt.timedelta(minutes=5),
        revoke_on_close: bool | None = None,
        error_codes: ErrorCodeMap | None = None,
        check_mock_support: bool = True,
        record: str | os.PathLike[str] | bool | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Configure the client; nothing is sent until the first call.

        Args:
            appkey: the app key (default: ``KIWOOM_APPKEY``); never shown in reprs or logs.
            secretkey: the secret key (default: ``KIWOOM_SECRETKEY``).
            token: an access token to use instead of issuing one (not revoked on close).
            env: ``"prod"`` (실전투자, the default), ``"mock"`` (모의투자) or ``"sandbox"``
                (a local sandbox: ``KIWOOM_SANDBOX_URL``, else one started in this process on
                127.0.0.1 and stopped at exit; placeholder credentials unless ``appkey=`` /
                ``secretkey=`` are passed, the KIWOOM_* variables are not read); picks the
                host, the token cache namespace and, for mock, the mock host's rules.
            base_url: another host instead of the ``env``'s; without ``env`` the client
                reports ``env == "custom"``.
            timeout: per request: seconds (> 0), ``httpx.Timeout`` or None (no timeout); default
                10 s (5 s to connect), or ``http_client``'s own timeout.
            max_retries: retries after a failed attempt (shorthand for ``retry=``).
            retry: the full retry policy (orders are never resent).
            rate_limit: a ``RateLimit`` or shared ``RateLimiter``; None disables throttling;
                default: Kiwoom's documented per-second limits.
            token_cache: share tokens between processes through a file: True for
                ``~/.cache/kiwoom-typed``, or a directory; off by default.
            token_margin: refresh a token this long before it expires.
            revoke_on_close: revoke a token this client issued on close (default: True unless
                a token cache is used).
            error_codes: the return_msg code -> exception class table (default:
                ``DEFAULT_ERROR_CODES``).
            check_mock_support: on ``env="mock"``, refuse TRs the specs mark unsupported there
                before sending.
            record: a directory: write every accepted answer there as a fixture
                (``<dir>/<api_id>/*.json``), account numbers, personal values, credentials
                and order numbers masked; default ``KIWOOM_RECORD``; False: never.
            http_client: your own ``httpx.AsyncClient`` (not closed by the client).
            transport: a custom ``httpx.AsyncBaseTransport`` (e.g. a ``MockTransport`` in tests).
        """
        super().__init__(
            appkey=appkey,
            secretkey=secretkey,
            token=token,
            env=env,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            rate_limit=rate_limit,
            token_cache=token_cache,
            token_margin=token_margin,
            revoke_on_close=revoke_on_close,
            error_codes=error_codes,
            check_mock_support=check_mock_support,
            record=record,
        )
        if http_client is not None and transport is not None:
            raise ArgumentError("transport", "pass either http_client= or transport=, not both")
        timeout = self._timeout_arg
        if http_client is not None:
            self._http = http_client
            self._owns_http = False
            self.timeout: TimeoutTypes = (
                http_client.timeout if isinstance(timeout, NotGiven) else timeout
            )
        else:
            self.timeout = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
            self._http = httpx.AsyncClient(transport=transport, timeout=self.timeout)
            self._owns_http = True
            self._requests = RequestBuilder(self._http, self.base_url, CONTENT_TYPE, self.timeout)
        import asyncio  # here, not at import: a sync program never needs it

        self._sleep: Callable[[float], Any] = asyncio.sleep
        self._to_thread = asyncio.to_thread
        self.tokens: AsyncTokenManager = AsyncTokenManager(
            self._post_unauthenticated, **self._token_kwargs
        )

    async def _send(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        cont_yn: bool,
        next_key: str | None,
        authenticated: bool,
        recording: Recording | None = None,
    ) -> RawResponse:
        check_timeout(timeout)
        if cont_yn and not next_key:
            raise ArgumentError("next_key", "cont_yn=True needs the next-key of the last page")
        content = self._encode_body(body)
        effective_timeout = self.timeout if isinstance(timeout, NotGiven) else timeout
        attempt, refreshed = 1, False
        started = time.monotonic()
        while True:
            token: str | None = None
            if authenticated:
                token = await self._token_then_slot(endpoint)
            try:
                logger.debug(
                    "POST %s%s api-id=%s attempt=%d",
                    self.base_url,
                    endpoint.path,
                    endpoint.api_id,
                    attempt,
                )
                start = time.monotonic()
                try:
                    request = self._request(
                        self._http, endpoint, content, token, cont_yn, next_key, effective_timeout
                    )
                    response = await self._http.send(request)
                except httpx.TransportError as exc:
                    raise self._transport_error(endpoint, exc, effective_timeout) from exc
                elapsed = time.monotonic() - start
                logger.debug("%s: HTTP %d in %.3fs", endpoint.api_id, response.status_code, elapsed)
                raw = self._remember(endpoint, self._process(endpoint, response, elapsed, body))
                if self._recorder is None:
                    return raw
                # Files are written on a worker thread: a 600-row page costs ~6 ms of disk
                # work that must not stall the event loop.
                return await self._to_thread(self._record, endpoint, body, raw, recording, cont_yn)
            except TokenError as exc:
                if self._should_refresh(exc, token, refreshed) and self.tokens.can_issue:
                    assert token is not None
                    refreshed = True
                    self.tokens.invalidate(token, refused_with=exc.code)
                    logger.info(
                        "%s: %s; refreshing the token and replaying once", endpoint.api_id, exc.code
                    )
                    continue
                self._refused_after_refresh(exc, token, refreshed)
                raise
            except KiwoomError as exc:
                delay = self._after_failure(endpoint, exc, attempt, started, body)
                attempt += 1
                if delay > 0:
                    await self._sleep(delay)

    async def _token_then_slot(self, endpoint: Endpoint) -> str:
        """The async mirror of :meth:`SyncAPIClient._token_then_slot`."""
        while True:
            try:
                token = await self.tokens.get()
            except (APITimeoutError, APIConnectionError) as exc:
                exc._while_getting_token_for(endpoint.api_id)
                raise
            if self.rate_limiter is None:
                return token
            await self.rate_limiter.acquire_async(endpoint.api_id)
            if self.tokens.is_current(token):
                return token

    async def _post_unauthenticated(
        self, endpoint: Endpoint, body: dict[str, Any]
    ) -> dict[str, Any]:
        raw = await self._send(
            endpoint, body, timeout=NOT_GIVEN, cont_yn=False, next_key=None, authenticated=False
        )
        assert raw.body is not None
        return raw.body

    async def _call_raw(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        cont_yn: bool = False,
        next_key: str | None = None,
    ) -> RawResponse:
        body = self._prepare(endpoint, request)
        return await self._send(
            endpoint, body, timeout=timeout, cont_yn=cont_yn, next_key=next_key, authenticated=True
        )

    async def _call(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        cont_yn: bool = False,
        next_key: str | None = None,
    ) -> Any:
        raw = await self._call_raw(
            endpoint, request, timeout=timeout, cont_yn=cont_yn, next_key=next_key
        )
        return self._decode(endpoint, raw)

    async def _call_unauthenticated(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """The async mirror of :meth:`SyncAPIClient._call_unauthenticated` (token TRs)."""
        body = self._prepare(endpoint, request)
        self._register_secrets(body)
        raw = await self._send(
            endpoint, body, timeout=timeout, cont_yn=False, next_key=None, authenticated=False
        )
        assert raw.body is not None
        self._register_secrets(raw.body)
        return self._decode(endpoint, raw)

    async def _call_page(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        cont_yn: bool = False,
        next_key: str | None = None,
    ) -> Page[Any]:
        raw = await self._call_raw(
            endpoint, request, timeout=timeout, cont_yn=cont_yn, next_key=next_key
        )
        return Page(self._decode(endpoint, raw), raw)

    def _paginate(
        self,
        endpoint: Endpoint,
        request: Any,
        *,
        max_pages: int | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        authenticated: bool = True,
    ) -> AsyncPager[Any]:
        """The async mirror of :meth:`SyncAPIClient._paginate`."""
        check_timeout(timeout)
        body = self._prepare(endpoint, request)
        if not authenticated:
            self._register_secrets(body)
        recording = self._recording(endpoint, body)

        async def fetch(cont_yn: bool, next_key: str | None) -> tuple[Any, RawResponse]:
            raw = await self._send(
                endpoint,
                body,
                timeout=timeout,
                cont_yn=cont_yn,
                next_key=next_key,
                authenticated=authenticated,
                recording=recording,
            )
            return self._decode(endpoint, raw), raw

        return AsyncPager(endpoint, fetch, max_pages=max_pages)

    async def aclose(self) -> None:
        if self._closed:
            return
        try:
            await self.tokens.aclose()
        finally:
            self._closed = True
            if self._owns_http:
                await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
