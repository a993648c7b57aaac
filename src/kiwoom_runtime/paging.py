"""Iterate the pages of a paged TR (``cont-yn`` / ``next-key`` headers).

Why: a client that ignores the paging headers silently returns only the first page (30 rows for
order history). The pagers follow ``next-key`` until ``cont-yn`` is not ``Y``, refuse to loop
when the server repeats a key, and record whether a ``max_pages`` limit cut the list short
(``truncated``) so a partial list is never presented as complete.

A pager keeps the pages it fetched: iterating it again, ``items()`` and ``to_dataframe()``
after a loop over the pages give the same pages without asking the server again (a user who
looped over the pages and then asked for the items expects the same rows, not a second round
of requests and possibly different data). An interrupted iteration resumes where it stopped;
``reset()`` forgets the pages so that the next iteration starts again from the server.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kiwoom_runtime.endpoint import Endpoint
from kiwoom_runtime.errors import ArgumentError, InvalidResponseError, PagingError
from kiwoom_runtime.response import RawResponse

if TYPE_CHECKING:
    import asyncio

    import pandas as pd

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

    @property
    def done(self) -> bool:
        """No page is left to fetch: the last one came, or ``max_pages`` stopped."""
        return self.complete or self.truncated

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

    def frame(self, pages: Sequence[Any], raw: bool) -> pd.DataFrame:
        from kiwoom_runtime.frames import pages_to_dataframe

        if any(not hasattr(page, "_frame_parts") for page in pages):
            raise ArgumentError(
                "pager",
                f"{self.endpoint.api_id} pages have no LIST rows to put in a DataFrame",
            )
        return pages_to_dataframe(pages, raw=raw)


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
        """Pages fetched from the server so far (kept by the pager)."""
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
    """Iterate decoded pages; ``items()`` iterates LIST items across pages;
    ``to_dataframe()`` gives every page's rows in one DataFrame.

    Pages are fetched lazily, once, and kept: iterating again (or ``items()`` /
    ``to_dataframe()`` after a loop) replays them without new requests; ``reset()`` forgets
    them. After iterating, check ``truncated`` (``max_pages`` stopped while more remained) or
    ``complete``.
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
        self._pages: list[T] = []
        self._lock = threading.Lock()

    @property
    def pages(self) -> tuple[T, ...]:
        """The pages fetched so far, in order."""
        return tuple(self._pages)

    def _page(self, index: int) -> T | None:
        """Page ``index`` (0-based), fetching it if it is the next one; None past the end."""
        with self._lock:  # two threads iterating one pager fetch each page once
            if index < len(self._pages):
                return self._pages[index]
            state = self._state
            if state.done:
                return None
            more = bool(self._pages)
            page, raw = self._fetch(more, state.next_key if more else None)
            state.advance(raw)
            self._pages.append(page)
            return page

    def __iter__(self) -> Iterator[T]:
        index = 0
        while (page := self._page(index)) is not None:
            yield page
            index += 1

    def items(self) -> Iterator[Any]:
        """The LIST items of every page, in order."""
        for page in self:
            yield from self._state.items_of(page)

    def to_dataframe(self, raw: bool = False) -> pd.DataFrame:
        """Every page's LIST rows in one DataFrame (needs pandas); fetches what is missing.

        Columns are typed from the value kinds as in each page's own ``to_dataframe``; each
        signed_price column ``x`` is followed by ``x_direction`` (``"up"`` / ``"down"`` /
        ``"flat"``), since the wire sign is a direction, not a negative price. ``raw=True``
        gives every value as sent. See :func:`kiwoom_runtime.frames.rows_to_dataframe`.
        Check ``truncated`` afterwards when ``max_pages`` was set.
        """
        return self._state.frame(list(self), raw)

    def reset(self) -> None:
        """Forget the fetched pages: the next iteration asks the server from the first page."""
        with self._lock:
            self._pages.clear()
            self._state.reset()

    def __repr__(self) -> str:
        s = self._state
        return (
            f"SyncPager({s.endpoint.api_id}, pages_fetched={s.pages_fetched}, "
            f"truncated={s.truncated})"
        )


class AsyncPager(_PagerInfo, Generic[T]):
    """The ``async for`` mirror of :class:`SyncPager` (``await pager.to_dataframe()``)."""

    def __init__(
        self,
        endpoint: Endpoint,
        fetch: Callable[[bool, str | None], Awaitable[tuple[T, RawResponse]]],
        *,
        max_pages: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._state = _PagerState(endpoint, max_pages)
        self._pages: list[T] = []
        self._lock: asyncio.Lock | None = None

    @property
    def pages(self) -> tuple[T, ...]:
        """The pages fetched so far, in order."""
        return tuple(self._pages)

    async def _page(self, index: int) -> T | None:
        if index < len(self._pages):
            return self._pages[index]
        if self._lock is None:
            import asyncio  # here, not at import: a sync program never needs it

            self._lock = asyncio.Lock()
        async with self._lock:  # tasks iterating one pager fetch each page once
            if index < len(self._pages):
                return self._pages[index]
            state = self._state
            if state.done:
                return None
            more = bool(self._pages)
            page, raw = await self._fetch(more, state.next_key if more else None)
            state.advance(raw)
            self._pages.append(page)
            return page

    async def __aiter__(self) -> AsyncIterator[T]:
        index = 0
        while (page := await self._page(index)) is not None:
            yield page
            index += 1

    async def items(self) -> AsyncIterator[Any]:
        """The LIST items of every page, in order."""
        async for page in self:
            for item in self._state.items_of(page):
                yield item

    async def to_dataframe(self, raw: bool = False) -> pd.DataFrame:
        """The async mirror of :meth:`SyncPager.to_dataframe` (fetches, then builds)."""
        return self._state.frame([page async for page in self], raw)

    def reset(self) -> None:
        """Forget the fetched pages: the next iteration asks the server from the first page."""
        self._pages.clear()
        self._state.reset()

    def __repr__(self) -> str:
        s = self._state
        return (
            f"AsyncPager({s.endpoint.api_id}, pages_fetched={s.pages_fetched}, "
            f"truncated={s.truncated})"
        )
