"""Where the session gets its access token: the REST client's token manager, never a copy.

Why: a token issued here and another issued by the REST client for the same appkey have been
reported to knock each other out, and the runtime's managers already do single-flight issue,
the shared on-disk cache, clock-skew and knock-out handling. The session therefore takes a
``kiwoom_typed.Client`` / ``AsyncClient`` (any ``kiwoom_runtime`` base client), a
``TokenManager`` / ``AsyncTokenManager``, or a fixed token string, and adapts it to
:class:`TokenProvider`: ``get()`` a current token, ``invalidate(token)`` after the server
refused it (R10005, or a LOGIN answered with 8005), so the next ``get()`` issues exactly one new
token however many callers saw the refusal.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

from kiwoom_runtime.auth import AsyncTokenManager, Secret, TokenManager
from kiwoom_runtime.client import AsyncAPIClient, SyncAPIClient
from kiwoom_runtime.errors import ArgumentError, TokenError

__all__ = ["StaticToken", "TokenProvider", "TokenSource", "token_provider"]


@runtime_checkable
class TokenProvider(Protocol):
    """What the session needs from a token source."""

    async def get(self) -> str:
        """A token to LOGIN with (issued if needed)."""
        ...

    def invalidate(self, token: str) -> bool:
        """The server refused ``token``: forget it if it is still current (True if it was)."""
        ...

    @property
    def can_renew(self) -> bool:
        """Whether a refused token can be replaced by a new one."""
        ...


class _AsyncManager:
    def __init__(self, manager: AsyncTokenManager) -> None:
        self.manager = manager

    async def get(self) -> str:
        return await self.manager.get()

    def invalidate(self, token: str) -> bool:
        return self.manager.invalidate(token, refused_with="8005")

    @property
    def can_renew(self) -> bool:
        return self.manager.can_issue

    def __repr__(self) -> str:
        return f"token_provider({self.manager!r})"


class _SyncManager:
    """A sync manager issues over blocking HTTP: run it off the event loop."""

    def __init__(self, manager: TokenManager) -> None:
        self.manager = manager

    async def get(self) -> str:
        return await asyncio.to_thread(self.manager.get)

    def invalidate(self, token: str) -> bool:
        return self.manager.invalidate(token, refused_with="8005")

    @property
    def can_renew(self) -> bool:
        return self.manager.can_issue

    def __repr__(self) -> str:
        return f"token_provider({self.manager!r})"


class StaticToken:
    """A fixed token (``token="..."``): used until refused, then the session fails clearly."""

    def __init__(self, token: str | Secret) -> None:
        self._secret = token if isinstance(token, Secret) else Secret(token)
        self._refused = False

    async def get(self) -> str:
        if self._refused:
            raise TokenError(
                api_id="LOGIN",
                return_code=None,
                return_msg="[8005:Token이 유효하지 않습니다]",
                hint="the fixed token given to the session was refused and it cannot issue "
                "another: pass the REST client (or its token manager) instead",
            )
        return self._secret.get_secret_value()

    def invalidate(self, token: str) -> bool:
        if token == self._secret.get_secret_value():
            self._refused = True
            return True
        return False

    @property
    def can_renew(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "StaticToken(***)"


TokenSource = (
    AsyncAPIClient | SyncAPIClient | AsyncTokenManager | TokenManager | TokenProvider | str | Secret
)
"""Anything :func:`token_provider` accepts."""


def token_provider(source: object) -> TokenProvider:
    """Adapt a client, a token manager, a provider or a fixed token to :class:`TokenProvider`."""
    if isinstance(source, AsyncAPIClient | SyncAPIClient):
        source = source.tokens
    if isinstance(source, AsyncTokenManager):
        return _AsyncManager(source)
    if isinstance(source, TokenManager):
        return _SyncManager(source)
    if isinstance(source, str | Secret):
        if not source:
            raise ArgumentError("tokens", "the token is empty")
        return StaticToken(source)
    if isinstance(source, TokenProvider):
        return source
    raise ArgumentError(
        "tokens",
        "expected a kiwoom_typed Client / AsyncClient, a TokenManager / AsyncTokenManager, "
        f"a token string or a TokenProvider, got {type(source).__name__}",
    )
