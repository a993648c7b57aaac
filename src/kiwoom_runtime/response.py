"""The raw view of one HTTP answer, and a typed page wrapper.

Why: users need headers and the raw body (paging keys, debugging, fields the models do not know
yet). Every decoded response is built from a :class:`RawResponse`, which generated ``decode``
functions receive and may keep, so ``cont_yn`` / ``next_key`` / ``headers`` stay reachable.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs
import httpx

from kiwoom_runtime import _json

__all__ = ["Page", "RawResponse"]

T = TypeVar("T")


_WANTED = frozenset({b"api-id", b"cont-yn", b"next-key"})


def _paging_headers(headers: httpx.Headers) -> dict[bytes, str]:
    """``api-id``, ``cont-yn`` and ``next-key`` as ``headers.get`` reads them, in one pass.

    Why: each ``httpx.Headers.get`` scans and decodes the whole list; three of them cost more
    than the rest of turning an answer into a :class:`RawResponse`.
    """
    found: dict[bytes, str] = {}
    encoding = None
    for key, value in headers.raw:
        name = key.lower()
        if name in _WANTED:
            encoding = encoding or headers.encoding
            text = value.decode(encoding)
            found[name] = f"{found[name]}, {text}" if name in found else text  # as get() joins
    return found


@attrs.frozen
class RawResponse:
    """One HTTP answer of a TR: status, headers, bytes, the parsed JSON object and paging keys."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    body: dict[str, Any] | None
    api_id: str | None
    cont_yn: bool
    next_key: str | None
    elapsed: float = 0.0
    """Seconds from sending the request to reading the whole body."""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """Parse the body again (the parsed object is also in ``body``)."""
        return _json.loads(self.content)

    @property
    def return_code(self) -> Any:
        return None if self.body is None else self.body.get("return_code")

    @property
    def return_msg(self) -> str | None:
        return None if self.body is None else self.body.get("return_msg")

    @classmethod
    def from_parts(
        cls,
        *,
        status_code: int,
        headers: httpx.Headers,
        content: bytes,
        body: dict[str, Any] | None,
        elapsed: float = 0.0,
    ) -> RawResponse:
        """Read the paging keys from the headers (``cont-yn: Y``, ``next-key``)."""
        found = _paging_headers(headers)
        next_key = found.get(b"next-key")
        return cls(
            status_code=status_code,
            headers=headers,
            content=content,
            body=body,
            api_id=found.get(b"api-id"),
            cont_yn=found.get(b"cont-yn", "").strip().upper() == "Y",
            next_key=next_key.strip() if next_key and next_key.strip() else None,
            elapsed=elapsed,
        )

    def __repr__(self) -> str:
        return (
            f"RawResponse(status_code={self.status_code}, api_id={self.api_id!r}, "
            f"cont_yn={self.cont_yn}, next_key={self.next_key!r}, bytes={len(self.content)})"
        )


@attrs.frozen
class Page(Generic[T]):
    """A decoded response together with its raw view, for models that do not store it."""

    data: T
    raw: RawResponse

    @property
    def cont_yn(self) -> bool:
        return self.raw.cont_yn

    @property
    def next_key(self) -> str | None:
        return self.raw.next_key

    @property
    def headers(self) -> httpx.Headers:
        return self.raw.headers
