"""The blocking mirror of :class:`~kiwoom_realtime.session.AsyncRealtimeSession`.

Why a loop thread: the session must echo PINGs and read the socket while your code does
something else, which a blocking API cannot do on the caller's thread. One daemon thread runs an
event loop with the async session; each method hands it a coroutine and waits for the result.
``close()`` (or the ``with`` block) stops the loop and joins the thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

from kiwoom_realtime.errors import RealtimeClosedError
from kiwoom_realtime.events import Item, Subscription
from kiwoom_realtime.session import (
    AsyncRealtimeSession,
    Condition,
    ConditionSearchResult,
    RealtimeStats,
)

__all__ = ["RealtimeSession"]

T = TypeVar("T")
_JOIN_TIMEOUT = 10.0


class RealtimeSession:
    """Blocking real-time session; same arguments as :class:`AsyncRealtimeSession`.

    ::

        with Client(env="mock") as client, RealtimeSession(client) as rt:
            rt.subscribe(["005930"], ["0B"])
            for event in rt:
                print(event)
    """

    def __init__(self, tokens: object, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kiwoom-realtime-loop", daemon=True
        )
        self._thread.start()
        self._closed = False

        async def make() -> AsyncRealtimeSession:
            return AsyncRealtimeSession(tokens, **kwargs)

        try:
            self._session = self._run(make())
        except BaseException:
            self._stop_loop()
            raise

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        if self._closed and not self._loop.is_running():
            coro.close()
            raise RealtimeClosedError("the session is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # -- lifecycle ----------------------------------------------------------------------------

    def open(self) -> Self:
        self._run(self._session.open())
        return self

    def close(self) -> None:
        """Close the session and stop its thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._run(self._session.aclose())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_JOIN_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> Self:
        try:
            return self.open()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- events -------------------------------------------------------------------------------

    def get(self, timeout: float | None = None) -> object:
        """The next event; ``TimeoutError`` after ``timeout`` seconds (no event is lost: the
        wait is cancelled); :class:`RealtimeClosedError` once the session is closed and
        drained."""
        if self._closed:
            raise RealtimeClosedError("the session is closed")
        future = asyncio.run_coroutine_threadsafe(self._session.__anext__(), self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise
        except StopAsyncIteration:
            raise RealtimeClosedError("the session is closed") from None

    def __iter__(self) -> Iterator[object]:
        while True:
            try:
                yield self._run(self._session.__anext__())
            except StopAsyncIteration:
                return

    # -- requests -----------------------------------------------------------------------------

    def subscribe(
        self,
        items: Item | Iterable[Item],
        types: str | Iterable[str],
        *,
        group: str = "1",
        refresh: bool = True,
    ) -> None:
        self._run(self._session.subscribe(items, types, group=group, refresh=refresh))

    def unsubscribe(
        self, items: Item | Iterable[Item], types: str | Iterable[str], *, group: str = "1"
    ) -> None:
        self._run(self._session.unsubscribe(items, types, group=group))

    def subscribe_type(
        self,
        type_code: str,
        items: Item | Iterable[Item] | None = None,
        *,
        market: str = "domestic",
        group: str = "1",
        refresh: bool = True,
    ) -> None:
        self._run(
            self._session.subscribe_type(
                type_code, items, market=market, group=group, refresh=refresh
            )
        )

    def unsubscribe_type(
        self,
        type_code: str,
        items: Item | Iterable[Item] | None = None,
        *,
        market: str = "domestic",
        group: str = "1",
    ) -> None:
        self._run(self._session.unsubscribe_type(type_code, items, market=market, group=group))

    def list_conditions(self) -> list[Condition]:
        return self._run(self._session.list_conditions())

    def search(
        self, seq: str, *, exchange: str = "K", max_pages: int | None = None
    ) -> ConditionSearchResult:
        return self._run(self._session.search(seq, exchange=exchange, max_pages=max_pages))

    def start_condition(self, seq: str, *, exchange: str = "K") -> tuple[str, ...]:
        return self._run(self._session.start_condition(seq, exchange=exchange))

    def stop_condition(self, seq: str) -> None:
        self._run(self._session.stop_condition(seq))

    # -- state --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._session.url

    @property
    def market(self) -> str:
        return self._session.market

    @property
    def stats(self) -> RealtimeStats:
        return self._session.stats

    @property
    def connected(self) -> bool:
        return self._session.connected

    def subscriptions(self) -> tuple[Subscription, ...]:
        return self._session.subscriptions()

    @property
    def conditions(self) -> tuple[str, ...]:
        return self._session.conditions

    def __repr__(self) -> str:
        return repr(self._session).replace("AsyncRealtimeSession", "RealtimeSession", 1)
