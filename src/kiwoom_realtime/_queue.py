"""The bounded queue between the socket reader and ``async for``.

Why not ``asyncio.Queue``: the policy when the consumer is slower than the feed must be explicit
and visible. ``drop_oldest`` drops the oldest *data* event (control events such as ``Gap`` are
never dropped; there are few of them), counts every drop, tells the consumer in-band with a
``Dropped`` event and logs a warning on the first drop and every ``warn_every`` drops after it.
``block`` makes the reader wait for room, which stops reading the socket (TCP back-pressure):
nothing is lost, memory stays bounded, but the server sees no PING echo while the consumer
stalls. Either way memory is bounded by ``maxsize`` data events.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from kiwoom_realtime.events import (
    ConditionSnapshot,
    Dropped,
    Gap,
    SystemNotice,
    UnknownMessage,
)
from kiwoom_runtime import logger

NOTHING = object()
"""What :meth:`EventQueue.get_nowait` returns when no event is waiting."""

_CONTROL = frozenset({Gap, Dropped, ConditionSnapshot, SystemNotice, UnknownMessage})


class EventQueue:
    def __init__(self, maxsize: int, overflow: str, warn_every: int) -> None:
        self.maxsize = maxsize
        self.block = overflow == "block"
        self.warn_every = warn_every
        self._events: deque[Any] = deque()
        self._data = 0  # data events in _events (control events do not count)
        self._getter: asyncio.Future[None] | None = None
        self._putter: asyncio.Future[None] | None = None
        self.dropped = 0
        self._dropped_unreported = 0
        self.high_water = 0
        self._closed = False
        self._error: BaseException | None = None

    def __len__(self) -> int:
        return len(self._events)

    def _wake_getter(self) -> None:
        getter = self._getter
        if getter is not None and not getter.done():
            getter.set_result(None)

    def put_control(self, event: Any) -> None:
        self._events.append(event)
        self._wake_getter()

    def put_nowait(self, event: Any) -> None:
        """A data event under ``drop_oldest`` (never waits)."""
        if self._data >= self.maxsize:
            self._drop_oldest()
        self._events.append(event)
        self._data += 1
        if self._data > self.high_water:
            self.high_water = self._data
        self._wake_getter()

    async def put(self, event: Any) -> None:
        """A data event under either policy (waits for room under ``block``)."""
        if not self.block:
            self.put_nowait(event)
            return
        while self._data >= self.maxsize and not self._closed:
            self._putter = asyncio.get_running_loop().create_future()
            await self._putter
        self._events.append(event)
        self._data += 1
        if self._data > self.high_water:
            self.high_water = self._data
        self._wake_getter()

    def _drop_oldest(self) -> None:
        events = self._events
        if type(events[0]) in _CONTROL:  # rare: keep control events, drop the oldest data
            for i, event in enumerate(events):
                if type(event) not in _CONTROL:
                    del events[i]
                    break
        else:
            events.popleft()
        self._data -= 1
        self.dropped += 1
        self._dropped_unreported += 1
        if (self.dropped - 1) % self.warn_every == 0:
            logger.warning(
                "real-time: the consumer is slower than the feed; %d event(s) dropped so far "
                "(oldest first, queue_size=%d, overflow='drop_oldest'); a Dropped event says "
                "how many. Consume faster, raise queue_size, or use overflow='block'",
                self.dropped,
                self.maxsize,
            )

    def get_nowait(self) -> Any:
        """The next event if one is waiting (or a pending ``Dropped``), else :data:`NOTHING`."""
        if self._dropped_unreported or not self._events:
            if self._dropped_unreported:
                count, self._dropped_unreported = self._dropped_unreported, 0
                return Dropped(count, self.dropped)
            return NOTHING
        event = self._events.popleft()
        if type(event) not in _CONTROL:
            self._data -= 1
            putter = self._putter
            if putter is not None and not putter.done():
                putter.set_result(None)
        return event

    async def get(self) -> Any:
        while True:
            if self._dropped_unreported:
                count, self._dropped_unreported = self._dropped_unreported, 0
                return Dropped(count, self.dropped)
            if self._events:
                event = self._events.popleft()
                if type(event) not in _CONTROL:
                    self._data -= 1
                    putter = self._putter
                    if putter is not None and not putter.done():
                        putter.set_result(None)
                return event
            if self._error is not None:
                raise self._error
            if self._closed:
                raise StopAsyncIteration
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None

    def close(self, error: BaseException | None = None) -> None:
        """No more events: the consumer drains what is queued, then stops (or gets ``error``)."""
        self._closed = True
        if error is not None and self._error is None:
            self._error = error
        self._wake_getter()
        putter = self._putter
        if putter is not None and not putter.done():
            putter.set_result(None)
