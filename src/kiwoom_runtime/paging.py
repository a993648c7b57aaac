"""Iterate the pages of a paged TR (``cont-yn`` / ``next-key`` headers).

Why: a client that ignores the paging headers silently returns only the first page (30 rows for
order history). The pagers follow ``next-key`` until ``cont-yn`` is not ``Y``, refuse to loop
when the server repeats a key, and record whether a ``max_pages`` limit cut the list short
(``truncated``) so a partial list is never presented as complete.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

from kiwoom_runtime.endpoint import Endpoint
from kiwoom_runtime.errors import ArgumentError, InvalidResponseError, PagingError
from kiwoom_runtime.response import RawResponse

__all__ = ["AsyncPager", "SyncPager"]

T = TypeVar("T")


class _PagerState:
    def __init__(self, endpoint: Endpoint, max_pages: int | None) -> None:
        if max_pages is not None and (
            isinstance(max_pages, bool) or not isinstance(max_pages, int)
        ):
            raise ArgumentError("max_pages", f"expected an int or None, got {max_pages!r}")
        if max_pages is not None and max_pages < 1:
            raise ArgumentError("max_pages", f"must be >= 1 or None, got {max_pages}")
        self.endpoint = endpoint
        self.max_pages = max_pages
        self.pages_fetched = 0
        self.truncated = False
        self.complete = False
        self.next_key: str | None = None
        """The key for the next page, if any remained (resume point after truncation)."""
        self.last_raw: RawResponse | None = None
        self._seen: set[str] = set()

    def reset(self) -> None:
        self.pages_fetched = 0
        self.truncated = self.complete = False
        self.next_key = None
        self.last_raw = None
        self._seen.clear()

    def advance(self, raw: RawResponse) -> bool:
        """Record a page; return True if another page should be fetched."""
        self.pages_fetched += 1
        self.last_raw = raw
        key = self.endpoint.list_key
        if raw.cont_yn and key is not None and not isinstance((raw.body or {}).get(key), list):
            raise InvalidResponseError(
                api_id=self.endpoint.api_id,
                reason=f"page {self.pages_fetched} promises more pages (cont-yn: Y) but its "
                f"{key!r} list is missing: the rows so far are not the whole list",
                body=raw.content,
                status_code=raw.status_code,
                headers=raw.headers,
            )
        if not raw.cont_yn:
            self.next_key = None
            self.complete = True
            return False
        key = raw.next_key
        if not key:
            raise PagingError(
                api_id=self.endpoint.api_id, message="cont-yn is Y but next-key is empty"
            )
        if key in self._seen:
            raise PagingError(
                api_id=self.endpoint.api_id,
                message=f"the server repeated next-key {key!r} after {self.pages_fetched} pages",
            )
        self._seen.add(key)
        self.next_key = key
        if self.max_pages is not None and self.pages_fetched >= self.max_pages:
            self.truncated = True
            return False
        return True

    def items_of(self, page: Any) -> Any:
        if self.endpoint.items is None:
            raise ArgumentError("endpoint", f"{self.endpoint.api_id} has no LIST items to iterate")
        return self.endpoint.items(page)


class _PagerInfo:
    """Progress attributes shared by both pagers."""

    _state: _PagerState

    @property
    def endpoint(self) -> Endpoint:
        return self._state.endpoint

    @property
    def max_pages(self) -> int | None:
        return self._state.max_pages

    @property
    def pages_fetched(self) -> int:
        """Pages fetched by the last (or current) iteration."""
        return self._state.pages_fetched

    @property
    def truncated(self) -> bool:
        """True if ``max_pages`` stopped the iteration while the server had more pages."""
        return self._state.truncated

    @property
    def complete(self) -> bool:
        """True once the last page (``cont-yn`` not ``Y``) was fetched."""
        return self._state.complete

    @property
    def next_key(self) -> str | None:
        """The next-key of the remaining pages after truncation, else None."""
        return self._state.next_key

    @property
    def last_response(self) -> RawResponse | None:
        return self._state.last_raw


class SyncPager(_PagerInfo, Generic[T]):
    """Iterate decoded pages; ``items()`` iterates LIST items across pages.

    Each iteration starts again from the first page. After iterating, check ``truncated``
    (``max_pages`` stopped while more remained) or ``complete``.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        fetch: Callable[[bool, str | None], tuple[T, RawResponse]],
        *,
        max_pages: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._state = _PagerState(endpoint, max_pages)

    def __iter__(self) -> Iterator[T]:
        state = self._state
        state.reset()
        cont, key = False, None
        while True:
            page, raw = self._fetch(cont, key)
            more = state.advance(raw)
            yield page
            if not more:
                return
            cont, key = True, state.next_key

    def items(self) -> Iterator[Any]:
        for page in self:
            yield from self._state.items_of(page)

    def __repr__(self) -> str:
        s = self._state
        return (
            f"SyncPager({s.endpoint.api_id}, pages_fetched={s.pages_fetched}, "
            f"truncated={s.truncated})"
        )


class AsyncPager(_PagerInfo, Generic[T]):
    """The ``async for`` mirror of :class:`SyncPager`."""

    def __init__(
        self,
        endpoint: Endpoint,
        fetch: Callable[[bool, str | None], Awaitable[tuple[T, RawResponse]]],
        *,
        max_pages: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._state = _PagerState(endpoint, max_pages)

    async def __aiter__(self) -> AsyncIterator[T]:
        state = self._state
        state.reset()
        cont, key = False, None
        while True:
            page, raw = await self._fetch(cont, key)
            more = state.advance(raw)
            yield page
            if not more:
                return
            cont, key = True, state.next_key

    async def items(self) -> AsyncIterator[Any]:
        async for page in self:
            for item in self._state.items_of(page):
                yield item

    def __repr__(self) -> str:
        s = self._state
        return (
            f"AsyncPager({s.endpoint.api_id}, pages_fetched={s.pages_fetched}, "
            f"truncated={s.truncated})"
        )
