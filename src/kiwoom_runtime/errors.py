"""Exceptions raised by the runtime, and the code → class table that classifies server errors.

Why classify by the bracketed code: Kiwoom reports most failures as HTTP 200 with a non-zero
``return_code`` and puts the precise reason in ``return_msg``, e.g.
``인증에 실패했습니다[8005:Token이 유효하지 않습니다]``. Unrelated errors share one
``return_code`` (1700 "rate limit" and 1634 "too many codes" both come with 5), so the
``return_code`` alone would make a client retry a request that can never succeed.

Every exception stores headers and bodies *redacted*: messages end up in logs and bug reports.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import httpx

from kiwoom_runtime._redact import redact_headers, redact_text, redact_value

__all__ = [
    "DEFAULT_ERROR_CODES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ArgumentError",
    "AuthenticationError",
    "ErrorCodeMap",
    "HTTPStatusError",
    "InvalidInputError",
    "InvalidResponseError",
    "KiwoomError",
    "NotSupportedInMockError",
    "OrderRejectedError",
    "OrderStateUnknownError",
    "PagingError",
    "RateLimitError",
    "ResponseDecodeError",
    "TokenEnvironmentError",
    "TokenError",
    "UnknownSymbolError",
    "parse_bracket_code",
]

_SNIPPET_LEN = 300
# ``[CODE:text]`` (the closing bracket may be cut off), or a bare ``[1700]`` / ``[RC4058]``,
# which has been quoted from the live service too. A bare bracket must look like a code
# (digits, at most a short letter prefix) so that a bracketed word is not taken for one.
_BRACKET_RE = re.compile(r"\[(?:(\w+):\s*([^\]]*)\]?|([A-Za-z]{0,3}\d+)\])")
# Order answers put a family code in brackets and the precise one in parentheses after it:
# ``[2000](RC4058:모의투자 장종료)``, ``[2000](800033:매도가능수량이 부족합니다.)`` (recorded from
# the mock host and reported by other clients); the inner code is the one that classifies.
# The text runs to the end (it may hold parentheses of its own), less the closing one.
_FAMILY_RE = re.compile(r"\[\d+\]\(\s*(\w+)\s*:\s*(.*?)\)?\s*$", re.DOTALL)


def parse_bracket_code(return_msg: str | None) -> tuple[str | None, str | None]:
    """The bracketed code and its text from a ``return_msg``; else Nones.

    ``"...[8005:Token이 유효하지 않습니다]"`` → ``("8005", "Token이 ...")``;
    ``"...[1700]"`` → ``("1700", None)``; ``"[2000](RC4058:모의투자 장종료)"`` →
    ``("RC4058", "모의투자 장종료")``.
    """
    if not return_msg:
        return None, None
    family = _FAMILY_RE.search(return_msg)
    if family is not None:
        return family.group(1), family.group(2).strip() or None
    m = _BRACKET_RE.search(return_msg)
    if m is None:
        return None, None
    if m.group(3) is not None:
        return m.group(3), None
    return m.group(1), m.group(2).strip() or None


def _snippet(body: bytes | str | None) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = redact_text(text.strip())
    if len(text) > _SNIPPET_LEN:
        text = text[:_SNIPPET_LEN] + "…"
    return text


class KiwoomError(Exception):
    """Base class of every exception the runtime raises on purpose."""


class ArgumentError(KiwoomError, ValueError):
    """The call itself is wrong (caught before anything is sent); names the argument."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        self.message = message
        super().__init__(f"{argument}: {message}")


class APIError(KiwoomError):
    """The server answered with ``return_code != 0`` (or a classified non-2xx answer).

    Attributes: ``api_id``, ``return_code`` (as received: int or str), ``code`` (the bracketed
    code, str or None), ``return_msg``, ``status_code``, ``headers`` (redacted), ``body``
    (the raw body text, with appkey/secretkey/token values masked), ``data`` (parsed, redacted).
    """

    #: English hint appended to the message, per class; codes may refine it in ``HINTS``.
    hint: str = ""

    def __init__(
        self,
        *,
        api_id: str | None,
        return_code: int | str | None,
        return_msg: str | None,
        code: str | None = None,
        status_code: int | None = None,
        headers: httpx.Headers | Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        data: Any = None,
        hint: str | None = None,
    ) -> None:
        self.api_id = api_id
        self.return_code = return_code
        self.return_msg = redact_text(return_msg) if return_msg else return_msg
        if code is None:
            code, _ = parse_bracket_code(return_msg)
        self.code = code
        self.status_code = status_code
        self.headers = redact_headers(headers)
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        self.body: str | None = redact_text(raw) if raw is not None else None
        self.data = redact_value(data) if data is not None else None
        if hint is None:
            hint = HINTS.get(code or "", self.hint)
        self.hint_text = hint
        super().__init__(self._format())

    def _add_hint(self, text: str) -> None:
        """Append advice the client learned after the error was built (e.g. a knock-out)."""
        self.hint_text = f"{self.hint_text}; {text}" if self.hint_text else text
        self.args = (self._format(),)

    def _format(self) -> str:
        _, text = parse_bracket_code(self.return_msg)
        parts = [f"{self.api_id or '?'}:"]
        if self.code:
            parts.append(f"[{self.code}]")
        parts.append(text or self.return_msg or "(no return_msg)")
        details = []
        if self.return_code is not None:
            details.append(f"return_code={self.return_code}")
        if self.status_code is not None and self.status_code != 200:
            details.append(f"HTTP {self.status_code}")
        msg = " ".join(parts)
        if details:
            msg += f" ({', '.join(details)})"
        if self.hint_text:
            msg += f": {self.hint_text}"
        return msg


class AuthenticationError(APIError):
    """Credentials or device/IP authentication rejected (8001/8002/8040/8050/8103): fail fast."""

    hint = "authentication failed; check the appkey, secretkey and registered IP"


class TokenError(APIError):
    """The access token is invalid, expired (8005) or was issued to another IP (8010)."""

    hint = "token invalid or expired"


class TokenEnvironmentError(APIError):
    """A live token was used on the mock host or the other way round (8030/8031)."""

    hint = (
        "token belongs to the other environment (prod vs mock); "
        "a token cache shared across environments is the usual cause"
    )


class RateLimitError(APIError):
    """Too many requests (1700/1701/1702/1687 or HTTP 429); the request was not processed."""

    hint = "rate limit exceeded; back off and retry"

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class InvalidInputError(APIError):
    """The server refused the request input (15xx); e.g. 1511: a required field is missing."""

    hint = "invalid input; check the request fields"


class UnknownSymbolError(APIError):
    """The stock / symbol code is unknown to the server (1901/1902)."""

    hint = "unknown symbol code"


class NotSupportedInMockError(APIError):
    """The TR is not offered on the mock (모의투자) host (8104, 1999)."""

    hint = "this TR is not available in mock trading (모의투자에서는 제공되지 않습니다)"


class OrderRejectedError(APIError):
    """The order was refused and not placed (RCxxxx codes, e.g. RC4058 after market close,
    RC9000; 800033 not enough shares to sell, 855056 not enough cash)."""

    hint = "order rejected"


class HTTPStatusError(KiwoomError):
    """Non-2xx HTTP answer that carried no classifiable Kiwoom error."""

    def __init__(
        self,
        *,
        api_id: str | None,
        status_code: int,
        headers: httpx.Headers | Mapping[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> None:
        self.api_id = api_id
        self.status_code = status_code
        self.headers = redact_headers(headers)
        self.snippet = _snippet(body)
        super().__init__(f"{api_id or '?'}: HTTP {status_code}: {self.snippet or '(empty body)'}")


class InvalidResponseError(KiwoomError):
    """The body is not a JSON object (HTML error page, truncated body, ...)."""

    def __init__(
        self,
        *,
        api_id: str | None,
        reason: str,
        body: bytes | str | None = None,
        status_code: int | None = None,
        headers: httpx.Headers | Mapping[str, str] | None = None,
    ) -> None:
        self.api_id = api_id
        self.reason = reason
        self.status_code = status_code
        self.headers = redact_headers(headers)
        self.snippet = _snippet(body)
        super().__init__(f"{api_id or '?'}: invalid response: {reason}: {self.snippet!r}")


class ResponseDecodeError(InvalidResponseError):
    """The envelope was fine but the generated ``decode`` could not structure the body."""


class _TransportFailure(KiwoomError):
    """No answer came back: the common part of timeouts and connection errors.

    The message names the URL, how many attempts ran and how long they took in all (retries
    and back-off included), so "it took 4.4 s" is explained by "3 attempts, timeout 1.0 s each".
    The client fills ``attempts``/``elapsed`` when it gives up (:meth:`_gave_up`) and
    ``during`` when the failure happened while getting a token for another TR.
    """

    _what = "transport failure"

    def __init__(
        self,
        *,
        api_id: str | None,
        sent: bool,
        detail: str = "",
        url: str | None = None,
        timeout: str | None = None,
    ) -> None:
        self.api_id = api_id
        self.sent = sent
        self.detail = redact_text(detail)
        self.url = redact_text(url) if url else None
        self.timeout = timeout
        """The per-attempt timeout, described (e.g. ``"1.0 s"``), if known."""
        self.attempts: int | None = None
        self.elapsed: float | None = None
        """Seconds from the first attempt to giving up."""
        self.during: str | None = None
        """The TR whose call needed the token, when this failure is the token TR's."""
        super().__init__(self._format())

    def _format(self) -> str:
        phase = "after sending" if self.sent else "before sending"
        where = f"{self.api_id or '?'}"
        if self.url:
            where += f" POST {self.url}"
        msg = f"{where}: {self._what} ({phase})"
        if self.attempts is not None:
            tries = "attempt" if self.attempts == 1 else "attempts"
            msg += f", {self.attempts} {tries}"
            if self.elapsed is not None:
                msg += f" in {self.elapsed:.1f} s"
        if self.timeout:
            msg += f" (timeout {self.timeout})"
        if self.detail:
            msg += f": {self.detail}"
        if self.during:
            msg += f" (while getting a token for {self.during})"
        return msg

    def _refresh(self) -> None:
        self.args = (self._format(),)

    def _gave_up(self, attempts: int, elapsed: float) -> None:
        """Record how many attempts ran and how long they took (set once, by the client)."""
        if self.attempts is None:
            self.attempts = attempts
            self.elapsed = elapsed
            self._refresh()

    def _while_getting_token_for(self, api_id: str) -> None:
        if self.during is None and api_id != self.api_id:
            self.during = api_id
            self._refresh()


class APITimeoutError(_TransportFailure):
    """The request timed out. ``sent`` tells whether the request may have reached the server.

    Attributes: ``api_id``, ``url``, ``sent``, ``attempts``, ``elapsed``, ``timeout``.
    """

    _what = "request timed out"


class APIConnectionError(_TransportFailure):
    """The connection failed. ``sent`` tells whether the request may have reached the server.

    Attributes: ``api_id``, ``url``, ``sent``, ``attempts``, ``elapsed``, ``timeout``.
    """

    _what = "connection error"


class OrderStateUnknownError(KiwoomError):
    """A non-retry-safe TR (an order) may have been processed, but no answer came back.

    Kiwoom has no idempotency key, so the runtime never resends. The cause is ``__cause__``.
    :meth:`reconcile` (``await`` :meth:`areconcile` on an ``AsyncClient``) asks the
    order-status APIs whether the order landed; ``request`` is the body that was sent,
    ``intent`` what it asked for, ``sent_at`` when (UTC).
    """

    def __init__(
        self,
        *,
        api_id: str | None,
        cause: BaseException,
        request: Mapping[str, Any] | None = None,
        endpoint: Any = None,
        client: Any = None,
    ) -> None:
        self.api_id = api_id
        self.cause = cause
        self.request: dict[str, Any] | None = (
            redact_value(dict(request)) if request is not None else None
        )
        self.sent_at = _dt.datetime.now(_dt.UTC)
        self._endpoint = endpoint
        self._client = client
        self.client_order_id: str | None = None
        """Set when the order was sent under a client order id (``kiwoom_orders``)."""
        self.ledger: Any = None
        """The ``OrderLedger`` that claimed ``client_order_id``; reconcile records into it."""
        self.baseline: frozenset[str] | None = None
        """Order numbers listed before this order was sent (``Orders(baseline=True)``)."""
        super().__init__(
            f"{api_id or '?'}: the order's fate is unknown (주문 처리 여부를 알 수 없습니다): "
            f"{cause}. It was NOT resent automatically; check the order status TRs "
            "(e.g. 미체결/체결 조회) before sending it again: error.reconcile() asks them."
        )

    @property
    def intent(self) -> Any:
        """What the request asked for (``kiwoom_runtime.orders.OrderIntent``), if known."""
        from kiwoom_runtime.orders import order_intent

        if self._endpoint is None or self.request is None:
            return None
        return order_intent(self._endpoint, self.request)

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Leave out the orders known to be others: this client's, the ledger's, the baseline's."""
        known = set(options.get("exclude", ()))
        known |= set(getattr(self._client, "order_numbers", ()))
        if self.ledger is not None:
            known |= self.ledger.known_order_numbers()
        known |= self.baseline or set()
        options["exclude"] = frozenset(known)
        if self.baseline is not None:
            options.setdefault("baseline", True)
        return options

    def _record(self, result: Any) -> None:
        if self.ledger is not None and self.client_order_id is not None:
            self.ledger.record_reconciled(self.client_order_id, result)

    def reconcile(self, **options: Any) -> Any:
        """Ask the order-status APIs, with the client that sent the order, whether it landed:
        a ``ReconcileResult`` (LANDED with the order number, NOT_FOUND or UNKNOWN). Options:
        see ``kiwoom_runtime.orders.reconcile``."""
        from kiwoom_runtime.client import AsyncAPIClient, SyncAPIClient
        from kiwoom_runtime.orders import reconcile

        if isinstance(self._client, AsyncAPIClient):
            raise KiwoomError("this order was sent by an AsyncClient: await error.areconcile()")
        if not isinstance(self._client, SyncAPIClient):
            raise KiwoomError(f"{self.api_id}: no client to reconcile with")
        result = reconcile(self._client, self, **self._options(options))
        self._record(result)
        return result

    async def areconcile(self, **options: Any) -> Any:
        """The asyncio mirror of :meth:`reconcile` (for orders sent by an ``AsyncClient``)."""
        from kiwoom_runtime.client import AsyncAPIClient
        from kiwoom_runtime.orders import areconcile

        if not isinstance(self._client, AsyncAPIClient):
            raise KiwoomError("this order was not sent by an AsyncClient: use error.reconcile()")
        result = await areconcile(self._client, self, **self._options(options))
        self._record(result)
        return result


class PagingError(KiwoomError):
    """The server's paging headers are inconsistent (repeated next-key, cont-yn without key)."""

    def __init__(self, *, api_id: str | None, message: str) -> None:
        self.api_id = api_id
        super().__init__(f"{api_id or '?'}: paging error: {message}")


#: Code-specific hints (English); the class hint is used for codes not listed.
HINTS: dict[str, str] = {
    "8001": "the appkey was rejected (appkey 오류)",
    "8002": "the secretkey was rejected (secretkey 오류)",
    "8005": "token invalid or expired",
    "8010": "token was issued to another IP address",
    "8030": "a live (prod) token was used on the mock host (token cache shared across envs?)",
    "8031": "a mock token was used on the live (prod) host (token cache shared across envs?)",
    "8040": "device authentication failed",
    "8050": "device/IP authentication failed; register this IP address",
    "8103": "IP/device authentication failed",
    "1700": "too many requests for this API; back off and retry",
    "1701": "too many requests in total; back off and retry",
    "1702": "too many requests for this API group; back off and retry",
    "1687": "recursive call limited; back off",
    "1511": "a required field is missing (the manual may mark it optional)",
    "1999": "this TR is not available in mock trading (모의투자에서는 제공되지 않습니다)",
    "RC4003": "the price is off the tick grid (호가단위 오류)",
    "RC4025": "not enough orderable cash (주문가능금액)",
    "RC4027": "the price is outside the daily price limits (상/하한가 오류)",
    "RC4032": "the original order number does not exist (원주문번호)",
    "RC4057": "order before the market opens",
    "RC4058": "order after market close",
    "RC9000": "order refused (e.g. NXT order on the mock host)",
    "800033": "not enough shares to sell (매도가능수량 부족)",
    "855056": "not enough cash or margin to buy (매수증거금 부족)",
}


class ErrorCodeMap:
    """Map a bracketed code to an :class:`APIError` subclass; users may extend it.

    Exact codes win over prefix rules (``"15"`` → :class:`InvalidInputError`, ``"RC"`` →
    :class:`OrderRejectedError`); unknown codes give plain :class:`APIError`.
    """

    def __init__(
        self,
        codes: Mapping[str, type[APIError]] | None = None,
        prefixes: Mapping[str, type[APIError]] | None = None,
    ) -> None:
        self.codes: MutableMapping[str, type[APIError]] = dict(codes or {})
        self.prefixes: MutableMapping[str, type[APIError]] = dict(prefixes or {})

    def copy(self) -> ErrorCodeMap:
        return ErrorCodeMap(self.codes, self.prefixes)

    def register(self, code: str, cls: type[APIError]) -> None:
        self.codes[code] = cls

    def lookup(self, code: str | None) -> type[APIError]:
        if code is None:
            return APIError
        if code in self.codes:
            return self.codes[code]
        for prefix in sorted(self.prefixes, key=len, reverse=True):
            if code.startswith(prefix) and (prefix.isalpha() or len(code) == 4):
                return self.prefixes[prefix]
        return APIError

    def make(self, **kwargs: Any) -> APIError:
        """Build the exception for an envelope (kwargs of :class:`APIError`)."""
        code = kwargs.get("code")
        if code is None:
            code, _ = parse_bracket_code(kwargs.get("return_msg"))
            kwargs["code"] = code
        cls = self.lookup(code)
        factory: Callable[..., APIError] = cls
        return factory(**kwargs)


DEFAULT_ERROR_CODES = ErrorCodeMap(
    codes={
        **dict.fromkeys(("8001", "8002", "8040", "8050", "8103"), AuthenticationError),
        **dict.fromkeys(("8005", "8010"), TokenError),
        **dict.fromkeys(("8030", "8031"), TokenEnvironmentError),
        **dict.fromkeys(("1700", "1701", "1702", "1687"), RateLimitError),
        **dict.fromkeys(("1901", "1902"), UnknownSymbolError),
        **dict.fromkeys(("8104", "1999"), NotSupportedInMockError),
        **dict.fromkeys(("800033", "855056"), OrderRejectedError),
    },
    prefixes={"15": InvalidInputError, "RC": OrderRejectedError},
)
