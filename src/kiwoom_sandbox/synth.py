"""Synthetic response bodies that fit the spec and agree with the market, for any TR.

When no fixture and no fitting documentation example answers a request, the sandbox builds
the body from the spec's fields. Each field's meaning comes from its value kind and names
(``meaning.classify``); its value comes from the symbol's price path (``market.Market``), so
the current price of 주식기본정보 is the latest close of a daily chart, signs follow the change
against the previous close, and 대비기호 agrees with both.

Shapes, decided per LIST from the roles of its items (never per TR):

* rows naming a symbol (종목코드/종목명): one row per requested code, or, when the request
  names none, successive symbols of the universe (rankings, lists);
* rows with a time (HHMMSS or YYYYMMDDHHMMSS) and no symbol: one-minute bars going back from
  the close, across days;
* any other rows: daily bars going back one business day per row, across pages.

Scalars describe the requested symbol (the first, if several) on the answer's day: the
sandbox's ``market_date``, or the latest date the request asks for, if earlier. Request
values are echoed into top-level fields of the same name when they fit (``stk_cd``:
``005930_NX`` comes back as sent). Everything is a pure function of (seed, api-id, request,
page), so a failing test is reproducible and benchmarks compare like with like.

``compile_plan(fields)`` does the per-field work once; the sandbox caches the plan per route.
``account`` is what account-number fields answer (``SandboxConfig.account_number``).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import zlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from codegen.kinds import kind_problem, measured_length
from codegen.spec import Field, ValueKind
from kiwoom_sandbox.market import (
    DEFAULT_MARKET_DATE,
    SESSION_MINUTES,
    DailyBar,
    Extremes,
    Market,
    business_day,
    business_day_index,
    minute_time,
    mix64,
    sign_code,
    tick_size,
)
from kiwoom_sandbox.meaning import YEAR_TO_DATE, Meaning, Role, classify
from kiwoom_sandbox.symbols import Symbol

BASE_DATE = DEFAULT_MARKET_DATE
"""The default day of answers (``generate_body(day=...)``); see ``SandboxConfig.market_date``."""


DEFAULT_ACCOUNT = "5012345610"
"""The account number of answers unless the sandbox is told another."""


def _hhmmss(minute: int) -> str:
    return minute_time(minute).strftime("%H%M%S")


Producer = Callable[["Subject", "Slot"], Any]


class Series(enum.Enum):
    """How the rows of one LIST follow each other."""

    SYMBOLS = "symbols"
    MINUTES = "minutes"
    DAYS = "days"


@attrs.frozen
class Slot:
    """One field of an object, with everything computed once per route."""

    field: Field
    meaning: Meaning
    salt: int
    """A per-field number, so two generic fields of a row get different noise."""
    rows: ObjectPlan | None = None
    series: Series = Series.DAYS
    element: str = attrs.field(init=False)
    length: int | None = attrs.field(init=False)
    """The documented length a string value must fit (None: a JSON number, or no length)."""
    produce: Producer = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        # Looked up once here rather than per value: a 10,000-row page has 170,000 values.
        number = self.field.type.lower() in ("integer", "int", "number", "long")
        setters = {
            "element": self.field.element,
            "length": None if number else self.field.length,
            "produce": _json_number if number else _PRODUCERS[self.meaning.role],
        }
        for name, value in setters.items():
            object.__setattr__(self, name, value)


@attrs.frozen
class ObjectPlan:
    """The slots of one object (a body, or the rows of one LIST), in spec order."""

    slots: tuple[Slot, ...]
    scalars: tuple[Slot, ...] = attrs.field(init=False)
    lists: bool = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "scalars", tuple(s for s in self.slots if s.rows is None))
        object.__setattr__(self, "lists", len(self.scalars) < len(self.slots))


def compile_plan(fields: Sequence[Field]) -> ObjectPlan:
    """Classify every field (LIST items too) once; the result is reused for every request."""
    slots: list[Slot] = []
    for field in fields:
        salt = zlib.crc32(field.element.encode())
        if field.is_list:
            rows = compile_plan(field.items)
            roles = {s.meaning.role for s in rows.slots}
            if roles & {Role.SYMBOL_CODE, Role.SYMBOL_NAME}:
                series = Series.SYMBOLS
            elif roles & {Role.TIME, Role.DATETIME}:
                series = Series.MINUTES
            else:
                series = Series.DAYS
            slots.append(Slot(field, Meaning(Role.TEXT, ValueKind.TEXT), salt, rows, series))
        else:
            slots.append(Slot(field, classify(field), salt))
    return ObjectPlan(tuple(slots))


class Scene:
    """What one answer is about: the market, the day, the requested codes, the request."""

    def __init__(
        self,
        market: Market,
        day: dt.date,
        codes: Sequence[str],
        request: Mapping[str, Any],
        key: int,
        account: str = DEFAULT_ACCOUNT,
        as_of: tuple[dt.date, int] | None = None,
    ) -> None:
        self.account = account
        self.as_of = as_of
        """(day, session minute) of the paper-trading clock: that day reads as it stands then."""
        self.market = market
        self.day = day
        self.codes = tuple(codes)
        self.echo = {str(k): v for k, v in request.items() if isinstance(v, str) and v != ""}
        self.key = key
        self._symbols: dict[str, Symbol] = {}

    def symbol(self, code: str) -> Symbol:
        found = self._symbols.get(code)
        if found is None:
            found = self._symbols[code] = self.market.symbol(code)
        return found


class Subject:
    """One object of the body (the top level, or one row): a symbol at a moment."""

    __slots__ = ("_bar", "_extremes", "code", "day", "index", "key", "minute", "scene", "symbol")

    def __init__(
        self,
        scene: Scene,
        code: str,
        index: int,
        day_index: int,
        minute: int | None,
        bar: DailyBar | None = None,
    ) -> None:
        """``bar``: the bar to describe when it is not the day's own (an aggregate, the day so
        far); otherwise worked out on first use."""
        self.scene = scene
        self.code = code
        self.symbol: Symbol = scene.symbol(code)
        self.index = index
        self.key = mix64(scene.key ^ mix64(index & 0xFFFFFFFF))
        self.day = business_day(day_index)
        self.minute = minute
        self._bar: DailyBar | None = bar
        self._extremes: dict[int, Extremes] = {}

    @property
    def bar(self) -> DailyBar:
        if self._bar is None:
            market = self.scene.market
            as_of = self.scene.as_of
            if self.minute is None and as_of is not None and as_of[0] == self.day:
                bar = market.bar_until(self.code, self.day, as_of[1])  # today, so far
            else:
                bar = market.bar(self.code, self.day)
            if self.minute is not None:
                minute = market.minute_bar(self.code, self.day, self.minute)
                bar = attrs.evolve(
                    bar,
                    open=minute.open,
                    high=minute.high,
                    low=minute.low,
                    close=minute.close,
                    volume=minute.volume,
                    value=minute.volume * minute.close,
                )
            self._bar = bar
        return self._bar

    def extremes(self, window: int) -> Extremes:
        found = self._extremes.get(window)
        if found is None:
            days = window
            if window == YEAR_TO_DATE:
                first = dt.date(self.day.year, 1, 1)
                days = business_day_index(self.day) - business_day_index(first) + 1
            found = self._extremes[window] = self.scene.market.extremes(self.code, self.day, days)
        return found

    def noise(self, salt: int) -> int:
        return mix64(self.key ^ salt)


# --- formatting --------------------------------------------------------------------------------


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _price(slot: Slot, value: int, reference: int) -> str:
    """A price as the wire shows it: signed by direction against ``reference`` if the kind
    says so (``"+181400"``), plain digits otherwise; a decimal price (USD, an index) is the
    path's price in hundredths (``"+1814.00"``)."""
    if slot.meaning.kind is ValueKind.DECIMAL_PRICE:
        text = f"{Decimal(value) / 100:.2f}"
        return f"+{text}" if value > reference else f"-{text}" if value < reference else text
    if slot.meaning.kind is not ValueKind.SIGNED_PRICE:
        return str(value)
    if value > reference:
        return f"+{value}"
    if value < reference:
        return f"-{value}"
    return str(value)


def _rate(value: Decimal) -> str:
    return f"+{value:.2f}" if value > 0 else f"{value:.2f}"


def _percent(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal("0")
    return Decimal(part) * 100 / Decimal(whole)


def _digits(slot: Slot, default: int) -> int:
    """How many digits a generic number may have: its habit, capped by the field's length."""
    length = slot.field.length
    return max(1, min(default, length - 1 if length else default))


def _number(subject: Subject, slot: Slot, digits: int) -> str:
    return str(subject.noise(slot.salt) % 10 ** _digits(slot, digits))


# --- roles -> values ---------------------------------------------------------------------------

_NAME_POOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("업종", ("종합(KOSPI)", "전기전자", "화학", "의약품", "운수장비", "금융업", "서비스업")),
    ("지수", ("코스피", "코스닥", "코스피200", "KRX300")),
    ("회원사", ("키움증권", "미래에셋증권", "삼성증권", "NH투자증권", "한국투자증권", "KB증권")),
    ("증권사", ("키움증권", "미래에셋증권", "삼성증권", "NH투자증권", "한국투자증권", "KB증권")),
    ("거래원", ("키움증권", "미래에셋증권", "모간스탠리", "JP모간", "메릴린치", "골드만삭스")),
    ("시장", ("코스피", "코스닥")),
    ("테마", ("반도체", "2차전지", "바이오", "인공지능", "조선", "방산", "원자력")),
    ("조건", ("조건1", "조건2", "조건3")),
    ("계좌", ("키움샌드박스",)),
    ("입금자", ("키움샌드박스",)),
    ("처리자", ("키움샌드박스",)),
    ("고객", ("키움샌드박스",)),
)


def _name(subject: Subject, slot: Slot) -> str:
    korean = slot.field.korean.replace(" ", "")
    for word, pool in _NAME_POOLS:
        if word in korean:
            return pool[subject.noise(slot.salt) % len(pool)]
    stem = korean.removesuffix("명") or slot.element
    return f"{stem}{subject.index % 9 + 1}"


def _choice(subject: Subject, slot: Slot) -> str:
    values = list(slot.field.values or {"": ""})
    return values[subject.noise(slot.salt) % len(values)]


def _order_book(subject: Subject, slot: Slot, ask: bool) -> str:
    bar = subject.bar
    price, etf = bar.close, subject.symbol.is_etf
    steps = slot.meaning.level if ask else slot.meaning.level - 1
    for _ in range(max(0, steps)):
        if ask:
            price = min(bar.upper_limit, price + tick_size(price, etf=etf))
        else:
            price = max(bar.lower_limit, price - tick_size(price - 1, etf=etf))
    return _price(slot, price, bar.previous_close)


def _window_price(subject: Subject, slot: Slot, high: bool) -> str:
    found = subject.extremes(slot.meaning.window)
    return _price(slot, found.high if high else found.low, subject.bar.previous_close)


def _window_rate(subject: Subject, slot: Slot, high: bool) -> str:
    found = subject.extremes(slot.meaning.window)
    extreme = found.high if high else found.low
    return _rate(_percent(subject.bar.close - extreme, extreme).quantize(Decimal("0.01")))


def _sign(subject: Subject, slot: Slot) -> str:
    bar = subject.bar
    code = sign_code(bar.close, bar.previous_close, bar.lower_limit, bar.upper_limit)
    allowed = slot.field.values
    if allowed and code not in allowed:
        return next(iter(allowed))
    return code


def _code(subject: Subject, slot: Slot) -> str:
    digits = min(6, slot.field.length or 6)
    return f"{subject.noise(slot.salt) % 10**digits:0{digits}d}"


def _time(subject: Subject) -> str:
    return _hhmmss(SESSION_MINUTES if subject.minute is None else subject.minute)


def _text(subject: Subject, slot: Slot) -> str:
    korean = slot.field.korean.replace(" ", "")
    if korean.endswith("단위"):
        return "원"
    if korean.endswith("구분") or slot.element.endswith("_tp"):
        return "0"
    return korean or slot.element


_PRODUCERS: dict[Role, Producer] = {
    Role.SYMBOL_CODE: lambda s, f: s.code,
    Role.SYMBOL_NAME: lambda s, f: s.symbol.name,
    Role.PRICE: lambda s, f: _price(f, s.bar.close, s.bar.previous_close),
    Role.OPEN: lambda s, f: _price(f, s.bar.open, s.bar.previous_close),
    Role.HIGH: lambda s, f: _price(f, s.bar.high, s.bar.previous_close),
    Role.LOW: lambda s, f: _price(f, s.bar.low, s.bar.previous_close),
    Role.PREVIOUS_CLOSE: lambda s, f: str(s.bar.previous_close),
    Role.UPPER_LIMIT: lambda s, f: _price(f, s.bar.upper_limit, s.bar.previous_close),
    Role.LOWER_LIMIT: lambda s, f: _price(f, s.bar.lower_limit, s.bar.previous_close),
    Role.ASK: lambda s, f: _order_book(s, f, ask=True),
    Role.BID: lambda s, f: _order_book(s, f, ask=False),
    Role.WINDOW_HIGH: lambda s, f: _window_price(s, f, high=True),
    Role.WINDOW_LOW: lambda s, f: _window_price(s, f, high=False),
    Role.WINDOW_HIGH_DATE: lambda s, f: s.extremes(f.meaning.window).high_day.strftime("%Y%m%d"),
    Role.WINDOW_LOW_DATE: lambda s, f: s.extremes(f.meaning.window).low_day.strftime("%Y%m%d"),
    Role.WINDOW_HIGH_RATE: lambda s, f: _window_rate(s, f, high=True),
    Role.WINDOW_LOW_RATE: lambda s, f: _window_rate(s, f, high=False),
    Role.CHANGE: lambda s, f: _signed(s.bar.close - s.bar.previous_close),
    Role.CHANGE_RATE: lambda s, f: _rate(
        _percent(s.bar.close - s.bar.previous_close, s.bar.previous_close).quantize(Decimal("0.01"))
    ),
    Role.SIGN: _sign,
    Role.VOLUME: lambda s, f: str(s.bar.volume),
    Role.TRADE_VALUE: lambda s, f: str(s.bar.value // 1_000_000),
    Role.DATE: lambda s, f: s.day.strftime("%Y%m%d"),
    Role.TIME: lambda s, f: _time(s),
    Role.DATETIME: lambda s, f: s.day.strftime("%Y%m%d") + _time(s),
    Role.MONTH: lambda s, f: "12",
    Role.CHOICE: _choice,
    Role.FLAG: lambda s, f: "N",
    Role.NAME: _name,
    Role.QUANTITY: lambda s, f: _number(s, f, 7),
    Role.AMOUNT: lambda s, f: _number(s, f, 10),
    Role.COUNT: lambda s, f: _number(s, f, 3),
    Role.NUMBER: lambda s, f: _number(s, f, 5),
    Role.SIGNED: lambda s, f: _signed(
        s.noise(f.salt) % 10 ** _digits(f, 7) * (1 if s.noise(f.salt + 1) & 1 else -1)
    ),
    Role.RATIO: lambda s, f: f"{s.noise(f.salt) % 10_000 / 100:.2f}",
    Role.SIGNED_RATIO: lambda s, f: _rate(Decimal(s.noise(f.salt) % 6_000 - 3_000) / 100),
    Role.CODE: _code,
    Role.ACCOUNT: lambda s, f: s.scene.account[: f.field.length or len(s.scene.account)],
    Role.TEXT: _text,
}


def _conform(subject: Subject, slot: Slot, value: str) -> str:
    """A value the role produced, made to fit the field's kind when the role spoke for another
    (a month, a session time, an account number, a decimal where a count was produced, ...)."""
    kind = slot.meaning.kind
    field = slot.field if slot.field.kind is kind else attrs.evolve(slot.field, kind=kind)
    if kind_problem(field, value) is None:
        return value
    noise = subject.noise(slot.salt + 7)
    if kind is ValueKind.MONTH:
        return subject.day.strftime("%Y%m")
    if kind in (ValueKind.TIME, ValueKind.SESSION_TIME):
        return _time(subject)
    if kind is ValueKind.DATE:
        return subject.day.strftime("%Y%m%d")
    if kind is ValueKind.DATETIME:
        return subject.day.strftime("%Y%m%d") + _time(subject)
    if kind in (ValueKind.NUMBER, ValueKind.SIGNED_NUMBER, ValueKind.SCALED):
        return str(noise % 10 ** _digits(slot, 5))
    if kind in (ValueKind.DECIMAL, ValueKind.DECIMAL_PRICE):
        return f"{noise % 100_000 / 100:.2f}"
    if kind is ValueKind.SIGNED_PRICE:
        return str(subject.bar.close)
    if kind is ValueKind.CODE:
        return _code(subject, slot)
    if kind is ValueKind.SIGN_CODE:
        return _sign(subject, slot)
    return value


def _fit(slot: Slot, value: str) -> str:
    """Keep a value within the documented length (a last resort; roles aim inside it)."""
    length = slot.field.length
    if length is None or len(value) <= length:
        return value
    if slot.meaning.kind in (ValueKind.TEXT, ValueKind.SECRET, ValueKind.CODE):
        return value[:length]
    sign = value[0] if value[:1] in "+-" else ""
    return sign + "9" * max(1, length - len(sign))


def _json_number(subject: Subject, slot: Slot) -> Any:
    return subject.noise(slot.salt) % 1000  # a field documented as a JSON number


def _echo(scene: Scene, slot: Slot) -> str | None:
    value = scene.echo.get(slot.element)
    if not isinstance(value, str):
        return None
    field = slot.field
    if (field.length is not None and measured_length(field, value) > field.length) or (
        kind_problem(field, value)
    ):
        return None
    return value


# --- bodies ------------------------------------------------------------------------------------


def _object(
    plan: ObjectPlan, subject: Subject, *, echo: bool, start: int = 0, count: int = 0
) -> dict[str, Any]:
    """One object in spec order; its LISTs get ``count`` rows from global index ``start``."""
    out: dict[str, Any] = {}
    scene = subject.scene
    slots = plan.slots if plan.lists else plan.scalars  # rows rarely nest: skip the check
    for slot in slots:
        if slot.rows is not None:
            out[slot.element] = _rows(slot, scene, subject.code, start, count)
            continue
        value = _echo(scene, slot) if echo else None
        if value is None:
            value = slot.produce(subject, slot)
            if isinstance(value, str):
                value = _conform(subject, slot, value)
            if slot.length is not None and len(value) > slot.length:
                value = _fit(slot, value)
        out[slot.element] = value
    return out


def _rows(slot: Slot, scene: Scene, code: str, start: int, count: int) -> list[dict[str, Any]]:
    """The rows of one LIST; a LIST nested in a row gets ``count`` rows of that row's symbol."""
    plan = slot.rows
    assert plan is not None
    end_index = business_day_index(scene.day)
    if slot.series is Series.SYMBOLS:
        if scene.codes:  # one row per requested code (on every page: the list is the request)
            codes = list(scene.codes)
        else:
            first = scene.key % len(scene.market.universe)
            codes = [scene.market.universe.at(first + start + i).code for i in range(count)]
        return [
            _object(plan, Subject(scene, c, start + i, end_index, None), echo=False, count=count)
            for i, c in enumerate(codes)
        ]
    rows: list[dict[str, Any]] = []
    for index in range(start, start + count):
        if slot.series is Series.MINUTES:
            back, offset = divmod(index, SESSION_MINUTES)
            subject = Subject(scene, code, index, end_index - back, SESSION_MINUTES - offset)
        else:
            subject = Subject(scene, code, index, end_index - index, None)
        rows.append(_object(plan, subject, echo=False, count=count))
    return rows


def _scene_key(seed: int, api_id: str, request: Mapping[str, Any]) -> int:
    """One number per (seed, TR, request), the same on every page: rows carry the page."""
    request_key = repr(sorted((str(k), str(v)) for k, v in request.items()))
    digest = hashlib.sha256(repr((seed, api_id, request_key)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def generate_body(
    fields: Sequence[Field],
    *,
    api_id: str,
    request: Mapping[str, Any],
    page: int = 0,
    rows_per_page: int = 3,
    seed: int = 0,
    market: Market | None = None,
    day: dt.date = BASE_DATE,
    codes: Sequence[str] = (),
    plan: ObjectPlan | None = None,
    account: str | None = None,
    as_of: tuple[dt.date, int] | None = None,
) -> dict[str, Any]:
    """The body (without ``return_code``/``return_msg``) for one page of a TR.

    ``codes`` are the stock codes the request names (as sent; the first is the subject of the
    scalars and of time-series rows); without one, a made-up symbol stands in, so answers of
    TRs that name no stock still carry consistent prices. Rows of page ``p`` start at global
    index ``p * rows_per_page``, so dates keep descending across pages. ``market`` defaults to
    ``Market(seed)``; ``plan`` to ``compile_plan(fields)`` (the sandbox passes a cached one).
    ``as_of`` (day, session minute): that day's prices and volumes as they stand at that
    minute (the paper-trading clock), not the whole day.
    """
    market = market if market is not None else Market(seed)
    plan = plan if plan is not None else compile_plan(fields)
    key = _scene_key(market.seed, api_id, request)
    scene = Scene(market, day, codes, request, key, account or DEFAULT_ACCOUNT, as_of)
    default_code = codes[0] if codes else f"{key % 100_000:05d}0"
    top = Subject(scene, default_code, page, business_day_index(day), None)
    # Spec order, like the live answers; rows of page p start at global index p * rows.
    return _object(plan, top, echo=True, start=page * rows_per_page, count=rows_per_page)


@attrs.frozen
class ChartRow:
    """One row of a chart page: the bar and where it sits (``history.py`` computes them)."""

    day_index: int
    """Business-day index of the row's date (a period's first business day)."""
    minute: int | None
    """The session minute the bar ends at (intraday rows), else None."""
    bar: DailyBar


def chart_body(
    fields: Sequence[Field],
    *,
    api_id: str,
    request: Mapping[str, Any],
    market: Market,
    day: dt.date,
    code: str,
    plan: ObjectPlan,
    rows: Sequence[ChartRow],
    row_request: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A chart page: the scalars as :func:`generate_body` makes them, and in each LIST one row
    per given bar, its values produced by the same roles (prices signed against the bar's
    previous close, volumes, dates and times of the bar).

    The rows' other values (a 회전율, ...) are noise keyed by ``row_request`` (default: the
    request) and the bar's day and minute, not by the page: a bar fetched again from another
    page or ``base_dt`` reads the same."""
    body = generate_body(
        fields,
        api_id=api_id,
        request=request,
        rows_per_page=0,
        market=market,
        day=day,
        codes=(code,),
        plan=plan,
    )
    keyed = request if row_request is None else row_request
    scene = Scene(market, day, (code,), request, _scene_key(market.seed, api_id, keyed))
    for slot in plan.slots:
        if slot.rows is None:
            continue
        out: list[dict[str, Any]] = []
        for row in rows:
            index = row.day_index * 4096 + (row.minute or 0)  # the bar, not its place on a page
            # the bar is given (aggregated), not the day's own
            subject = Subject(scene, code, index, row.day_index, row.minute, row.bar)
            out.append(_object(slot.rows, subject, echo=False))
        body[slot.element] = out
    return body


__all__ = [
    "BASE_DATE",
    "ChartRow",
    "ObjectPlan",
    "Series",
    "chart_body",
    "compile_plan",
    "generate_body",
]
