"""Errors of the real-time session, built on :mod:`kiwoom_runtime.errors`.

Why subclasses of the runtime's classes: a caller that already handles ``KiwoomError``,
``AuthenticationError`` or ``TokenError`` for the REST client handles the WebSocket the same
way. A SYSTEM frame becomes an :class:`~kiwoom_runtime.errors.APIError` whose ``api_id`` is the
frame's ``trnm`` (``"SYSTEM"``), ``code`` the ``R1000x`` code and ``return_msg`` its message;
a refused LOGIN / REG / CNSRREQ is classified by the bracketed code in its ``return_msg``
through the runtime's :class:`~kiwoom_runtime.errors.ErrorCodeMap` (so ``[8005:...]`` is a
``TokenError``), with the answer's ``trnm`` as ``api_id``.
"""

from __future__ import annotations

from typing import Any

from kiwoom_runtime.errors import APIError, AuthenticationError, KiwoomError

__all__ = [
    "ConnectionRestrictedError",
    "RealtimeAuthenticationError",
    "RealtimeClosedError",
    "RealtimeError",
    "RealtimeSystemError",
    "system_error",
]


class RealtimeError(KiwoomError):
    """Base of the errors only the real-time session raises (besides the runtime's)."""


class RealtimeClosedError(RealtimeError):
    """The session was closed (``aclose()``) or failed for good; nothing more can be sent."""


class RealtimeSystemError(APIError):
    """A SYSTEM frame that ends the session (or an unknown one that was fatal).

    ``code`` is the frame's code (``R10002``, ...), ``return_msg`` its message, ``data`` the
    whole frame.
    """

    hint = "the WebSocket server ended the session"


class RealtimeAuthenticationError(RealtimeSystemError, AuthenticationError):
    """SYSTEM R10002: authentication failed. Retrying with the same credentials cannot help."""

    hint = (
        "WebSocket authentication failed (R10002): check that the token belongs to this "
        "environment (prod vs mock) and that the appkey may use real-time data"
    )


class ConnectionRestrictedError(RealtimeSystemError):
    """SYSTEM R10003: the connection is restricted (too many connections, or blocked)."""

    hint = (
        "the server restricts this connection (R10003): close other WebSocket sessions of "
        "this appkey (one session per appkey is the safe assumption) and retry later"
    )


_FATAL: dict[str, type[RealtimeSystemError]] = {
    "R10002": RealtimeAuthenticationError,
    "R10003": ConnectionRestrictedError,
}


def system_error(frame: dict[str, Any]) -> RealtimeSystemError:
    """The exception for a fatal SYSTEM frame (``{"trnm": "SYSTEM", "code", "message"}``)."""
    code = str(frame.get("code") or "") or None
    cls = _FATAL.get(code or "", RealtimeSystemError)
    return cls(
        api_id=str(frame.get("trnm") or "SYSTEM"),
        return_code=frame.get("return_code"),
        return_msg=str(frame.get("message") or frame.get("return_msg") or ""),
        code=code,
        data=frame,
    )
