"""The description of one TR that generated code hands to the runtime.

Why: the runtime is TR-agnostic. Everything it needs to know about a TR — where to POST, whether
a resend is safe, whether it pages, how to turn models into wire dicts and back — travels in one
immutable :class:`Endpoint` built by the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from kiwoom_runtime.response import RawResponse

__all__ = ["Endpoint", "identity_decode", "identity_encode"]


def identity_encode(request: Any) -> dict[str, Any]:
    """Encode a plain mapping request as-is (for hand-written or raw calls)."""
    return dict(request or {})


def identity_decode(body: dict[str, Any], raw: RawResponse) -> dict[str, Any]:
    """Return the body dict unchanged (raw calls, token endpoints)."""
    return body


@attrs.frozen
class Endpoint:
    """One Kiwoom TR.

    ``retry_safe`` is False for orders: Kiwoom has no idempotency key, so a lost answer must
    never cause a resend. ``code_fields`` names the request wire keys holding stock codes, so the
    client can refuse NXT/SOR codes (``_NX``/``_AL``) on the KRX-only mock host before sending.
    ``sensitive`` names the wire keys a recording masks.
    """

    api_id: str
    name: str
    path: str
    retry_safe: bool = True
    paged: bool = False
    mock_supported: bool = True
    encode: Callable[[Any], dict[str, Any]] = identity_encode
    decode: Callable[[dict[str, Any], RawResponse], Any] = identity_decode
    items: Callable[[Any], Sequence[Any]] | None = None
    list_key: str | None = None
    """Wire key of the LIST ``items`` reads: a page that promises more (``cont-yn: Y``) but
    lacks it is refused, so a partial list never passes as whole."""
    code_fields: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    """Wire keys (request and response, LIST rows included) holding account numbers, personal
    names or credentials (spec kinds ``account``, ``personal``, ``secret``): masked before a
    recorded answer is written (``record=``). The runtime adds keys it always masks."""

    def __attrs_post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ValueError(f"Endpoint {self.api_id}: path must start with '/': {self.path!r}")
