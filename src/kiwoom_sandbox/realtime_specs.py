"""The WebSocket sandbox driven by the specs: every documented real-time type, values by kind
on the REST sandbox's price path.

:func:`field_table` reads ``specs/websocket`` (through the spec loader, as the REST routes do)
into the :data:`~kiwoom_sandbox.realtime_fields.FieldTable` seam: type -> (the name REAL
records carry, [(field id, value kind), ...]). :class:`MarketValues` makes each frame's values
the way the REST sandbox makes answers (:mod:`kiwoom_sandbox.synth`): every field classified
by its kind and names (현재가 a price, 전일대비 the change, 누적거래량 the volume, ...), prices
from ``Market(seed).price_at(code, day, minute)``, signed against the previous close: either a
frame per minute of the session (a replay of the market date), or, given ``moment`` (the paper-
trading clock), the minute the clock shows. So a 0B 현재가 agrees with ka10001's, with the
minute chart of the same day and, on the clock, with the price an order fills at.
:func:`realtime_sandbox` builds a :class:`RealtimeSandbox` that does all this.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from codegen.loader import load_specs
from codegen.spec import Field
from kiwoom_sandbox.market import (
    SESSION_MINUTES,
    Market,
    business_day,
    business_day_index,
    mix64,
)
from kiwoom_sandbox.realtime_fields import RealtimeType

# The REST synthesizer's building blocks: one way to make a value from a field, for both sides.
from kiwoom_sandbox.synth import ObjectPlan, Scene, Subject, _object, compile_plan

__all__ = ["MarketValues", "SpecTable", "field_table", "realtime_sandbox", "spec_table"]


@attrs.frozen
class SpecType:
    """One real-time type as the sandbox serves it: its name, fields and compiled plan."""

    name: str
    fields: tuple[Field, ...]
    plan: ObjectPlan
    ids: Mapping[str, str]  # the plan's element (the field's Python name) -> field id
    account_wide: bool = False  # 00, 04, F4, F5: records of the token's account


SpecTable = Mapping[str, SpecType]


def spec_table(specs_dir: Path) -> dict[str, SpecType]:
    """Every real-time type of ``specs_dir/websocket`` (the condition search's push too)."""
    spec_set = load_specs(specs_dir)
    out: dict[str, SpecType] = {}
    if spec_set.websocket is None:
        return out
    for spec in spec_set.websocket:
        facts = spec.facts
        fields = spec.value_fields()
        if facts.push_type is None or not fields:
            continue
        # Classified by the names the rules gave them (cur_prc, pred_pre, ...), as REST fields
        # are by their wire keys; a field id alone says nothing.
        named = tuple(attrs.evolve(f, element=f.python_name or f.element) for f in fields)
        out[facts.push_type] = SpecType(
            facts.record_name,
            fields,
            compile_plan(named),
            {n.element: f.element for n, f in zip(named, fields, strict=True)},
            facts.account_wide,
        )
    return out


def field_table(specs_dir: Path) -> dict[str, RealtimeType]:
    """The sandbox's field table from the specs: type -> (name, [(field id, kind), ...])."""
    return {
        code: RealtimeType(
            t.name, [(f.element, f.kind.value if f.kind else "text") for f in t.fields]
        )
        for code, t in spec_table(specs_dir).items()
    }


Moment = Callable[[str], tuple[dt.date, int]]
"""``product ("krx" or "us") -> (trading day, session minute)``: where a clock stands."""


class MarketValues:
    """Values of one (item, type) stream: frame ``n`` shows minute ``n`` of the market day, or
    with ``moment`` the day and minute of the clock (clamped to the session: before the open
    the first minute, after the close the last)."""

    def __init__(
        self,
        market: Market,
        day: dt.date,
        item: str,
        type_code: str,
        spec: SpecType,
        positions: dict[tuple[str, str], int] | None = None,
        moment: Moment | None = None,
    ) -> None:
        self.code = item.split("_")[0] if item else "005930"
        self.moment = moment
        self.product = "us" if market.symbol(self.code).is_us else "krx"
        self.spec = spec
        self.day_index = business_day_index(day)
        key = zlib.crc32(f"{item}|{type_code}".encode())
        self.scene = Scene(market, day, (self.code,), {}, mix64(market.seed ^ key))
        # Where the stream of (item, type) stands, shared by connections: a client that
        # reconnects sees the day go on, not start again at 09:00.
        self.positions = positions if positions is not None else {}
        self.key = (item, type_code)
        self.frame = self.positions.get(self.key, 0)

    def next_values(self) -> dict[str, str]:
        if self.moment is None:
            day_index, minute = self.day_index, 1 + self.frame % SESSION_MINUTES
        else:
            day, at = self.moment(self.product)
            day_index, minute = business_day_index(day), min(SESSION_MINUTES, max(1, at))
        # The day so far: 현재가 the minute's price, 시가/고가/저가 and 누적거래량 up to it.
        so_far = self.scene.market.bar_until(self.code, business_day(day_index), minute)
        subject = Subject(self.scene, self.code, self.frame, day_index, minute, so_far)
        self.frame += 1
        self.positions[self.key] = max(self.positions.get(self.key, 0), self.frame)
        made = _object(self.spec.plan, subject, echo=False)
        ids = self.spec.ids
        return {ids[k]: v if isinstance(v, str) else str(v) for k, v in made.items()}


def source_factory(
    table: SpecTable, market: Market, day: dt.date, moment: Moment | None = None
) -> Callable[[int, str, str, Sequence[tuple[str, str]]], Any]:
    """What :class:`RealtimeSandbox` calls for a new (item, type) stream."""
    positions: dict[tuple[str, str], int] = {}

    def make(seed: int, item: str, type_code: str, fields: Sequence[tuple[str, str]]) -> Any:
        spec = table.get(type_code)
        if spec is None:
            from kiwoom_sandbox.realtime_fields import ValueSource

            return ValueSource(seed, item, type_code, fields)
        return MarketValues(market, day, item, type_code, spec, positions, moment)

    return make


def realtime_sandbox(
    specs_dir: Path,
    *,
    market: Market | None = None,
    day: dt.date | None = None,
    account_wide: bool = True,
    moment: Moment | None = None,
    **options: Any,
) -> Any:
    """A :class:`~kiwoom_sandbox.realtime.RealtimeSandbox` serving every documented type.

    ``account_wide=False`` leaves out the synthetic records of the account-wide types (00, 04,
    F4, F5): with paper trading their records are the account's real order events
    (:mod:`kiwoom_sandbox.orders.realtime`), not noise. ``moment``: values at the minute a
    clock shows (the paper-trading clock) instead of a replay of ``day``.
    """
    from kiwoom_sandbox.market import DEFAULT_MARKET_DATE
    from kiwoom_sandbox.realtime import RealtimeSandbox

    table = {
        code: t for code, t in spec_table(specs_dir).items() if account_wide or not t.account_wide
    }
    market = market if market is not None else Market(int(options.get("seed", 0)))
    fields = {
        code: RealtimeType(
            t.name, [(f.element, f.kind.value if f.kind else "text") for f in t.fields]
        )
        for code, t in table.items()
    }
    return RealtimeSandbox(
        field_table=fields,
        source_factory=source_factory(table, market, day or DEFAULT_MARKET_DATE, moment),
        **options,
    )
