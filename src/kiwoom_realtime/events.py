"""What ``async for event in session`` yields.

Data events come from REAL frames: one event per element of the frame's ``data`` list, built
by the decoder registered for its ``type`` (:mod:`kiwoom_realtime.decoders`) or, without one,
the generic :class:`RealtimeData`, which keeps every value as the raw string it was sent as
and every field id, known or not. Control events tell what happened to the stream itself:
:class:`Gap` after a reconnect, :class:`Dropped` when a slow consumer lost events,
:class:`ConditionSnapshot` when a real-time condition search was restarted, and
:class:`SystemNotice` for SYSTEM frames that need no action.

All events are frozen (attrs, slots): they are shared between the session and the consumer.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "ConditionChange",
    "ConditionSnapshot",
    "Dropped",
    "Gap",
    "Item",
    "RealtimeData",
    "Subscription",
    "SystemNotice",
    "UnknownMessage",
]

Item = str | Mapping[str, str]
"""A registration item: a code (``"005930"``, ``"005930_NX"``, ``""`` for account-wide types
such as 00), or for the US host a map such as ``{"jmcode": "NVDA", "stex_tp": "ND"}``."""

_EMPTY: Mapping[str, Any] = {}


@attrs.frozen(slots=True)
class RealtimeData:
    """One real-time record, undecoded: ``values`` maps field ids to the strings as sent.

    ``values["10"]`` of a 0B frame is ``"-20800"``: a price of 20800 whose sign is the
    direction against the previous close (see :func:`kiwoom_runtime.parse_signed_price`).
    ``extra`` holds keys of the record besides type/name/item/values (the US host sends
    ``stexTp``).
    """

    type: str
    name: str
    item: str
    values: Mapping[str, str]
    extra: Mapping[str, Any] = _EMPTY

    def get(self, field_id: str, default: str | None = None) -> str | None:
        """``values.get(field_id, default)``."""
        return self.values.get(field_id, default)


@attrs.frozen(slots=True)
class ConditionChange:
    """A stock entered (``action == "I"``) or left (``"D"``) a real-time condition search.

    From a REAL frame of type ``02`` (US: ``S2``): field 841 ``seq``, 9001 ``code``, 843
    ``action``, 20 ``time`` (HHMMSS), 907 ``side`` (1 sell, 2 buy). ``code`` is kept as sent;
    see :func:`kiwoom_realtime.strip_code_prefix`.
    """

    seq: str
    code: str
    action: str
    time: str
    side: str
    values: Mapping[str, str]

    @property
    def inserted(self) -> bool:
        return self.action == "I"

    @property
    def removed(self) -> bool:
        return self.action == "D"


@attrs.frozen(slots=True)
class ConditionSnapshot:
    """The hits of real-time condition ``seq`` when it was restarted (after a :class:`Gap`).

    Changes that happened while the connection was down were not received: replace the set
    you keep for ``seq`` with ``codes``.
    """

    seq: str
    codes: tuple[str, ...]


@attrs.frozen(slots=True)
class Subscription:
    """Registrations of one group: every item of ``items`` for every type of ``types``."""

    group: str
    items: tuple[Item, ...]
    types: tuple[str, ...]


@attrs.frozen(slots=True)
class Gap:
    """The stream was interrupted and has been resumed: data in between was not received.

    ``started_at`` / ``ended_at`` are wall-clock times (UTC) of the loss and of the resume
    (LOGIN and every registration sent again); ``duration`` is measured on the monotonic clock
    (seconds). ``subscriptions`` and ``conditions`` (real-time condition seqs) are what was
    registered again. ``reason`` says why, ``attempts`` how many connections it took.
    """

    started_at: _dt.datetime
    ended_at: _dt.datetime
    duration: float
    reason: str
    subscriptions: tuple[Subscription, ...]
    conditions: tuple[str, ...]
    attempts: int


@attrs.frozen(slots=True)
class Dropped:
    """``count`` data events were dropped (the oldest first) because the consumer was slower
    than the feed and the queue was full; ``total`` since the session opened."""

    count: int
    total: int


@attrs.frozen(slots=True)
class SystemNotice:
    """A SYSTEM frame that needed no action from the session (e.g. ``R00000``)."""

    code: str
    message: str
    frame: Mapping[str, Any]


@attrs.frozen(slots=True)
class UnknownMessage:
    """A frame whose ``trnm`` the session does not know; kept rather than dropped."""

    trnm: str
    frame: Mapping[str, Any]
