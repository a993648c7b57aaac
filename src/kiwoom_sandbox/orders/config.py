"""What the paper-trading engine can be told: hours, fees, the account, how fast orders fill.

Defaults imitate the services as far as they are known (sources in the comments); where nothing
is known the choice is ours and says so. Every knob is a frozen attrs class so that
``SandboxConfig`` stays a frozen snapshot (``Sandbox.configure(trading=...)``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

T = dt.time


@attrs.frozen(kw_only=True)
class MarketHours:
    """Trading hours, Korea time for KRX / NXT, New York time for US listings.

    KRX: the regular session runs 09:00-15:30 with the closing auction from 15:20; orders for
    the opening auction are taken from 08:30 (a mock order at 06:33 was refused with RC4057
    장시작전, one at 15:21 accepted: reported by another client). After-hours sessions: 장전
    시간외 08:30-08:40 at the previous close, 장후 시간외 15:40-16:00 at the close, 시간외
    단일가 16:00-18:00 (KRX rules). NXT: 08:00-20:00 (pre-market 08:00-08:50, after-market
    15:30-20:00). US: 09:30-16:00 New York time.
    """

    krx_orders_from: T = attrs.field(default=T(8, 30))
    """Regular orders are taken from here (queued for the opening auction) ..."""
    krx_open: T = attrs.field(default=T(9, 0))
    krx_close: T = attrs.field(default=T(15, 30))
    """... to here; the session's prices run from the open to the close."""
    pre_market: tuple[T, T] = attrs.field(default=(T(8, 30), T(8, 40)))
    """장시작전시간외 (trde_tp 61): filled at the previous close."""
    post_market: tuple[T, T] = attrs.field(default=(T(15, 40), T(16, 0)))
    """장마감후시간외 (trde_tp 81): filled at the close."""
    single_price: tuple[T, T] = attrs.field(default=(T(16, 0), T(18, 0)))
    """시간외단일가 (trde_tp 62): filled at the close when the limit allows."""
    nxt: tuple[T, T] = attrs.field(default=(T(8, 0), T(20, 0)))
    """NXT takes orders in this window; outside the KRX session it trades at the last price."""
    us: tuple[T, T] = attrs.field(default=(T(9, 30), T(16, 0)))
    """US regular session, New York time."""
    enforce: bool = True
    """False: every order is taken whatever the clock says (the price is the nearest one)."""


@attrs.frozen(kw_only=True)
class Fees:
    """Commission and tax rates (fractions), and the commission's rounding step (won)."""

    commission: Decimal
    tax: Decimal
    """Securities transaction tax, on sells."""
    commission_step: int = 10
    us_commission: Decimal = Decimal("0.0025")
    """US trades (commission in USD cents, rounded down to the cent)."""


#: The mock host's rates as its answers show them: 272,750 won bought, 950 commission;
#: 260,000 won valued, 910 commission and 520 tax if sold (shared/live-responses/kt00018):
#: 0.35 % commission rounded down to 10 won, 0.2 % tax.
MOCK_FEES = Fees(commission=Decimal("0.0035"), tax=Decimal("0.0020"))
#: Kiwoom's online rate (0.015 %, published) and the 2025 transaction tax (0.15 %, KRX).
PROD_FEES = Fees(commission=Decimal("0.00015"), tax=Decimal("0.0015"))


@attrs.frozen(kw_only=True)
class TradingConfig:
    """The paper-trading account and the engine's behaviour."""

    cash: int = 10_000_000
    """Won on deposit at the start (an empty mock account showed 10,000,000: kt00018 capture)."""
    usd_cash: Decimal = Decimal("10000.00")
    """Dollars on deposit for US orders."""
    fees: Fees | None = None
    """None: ``MOCK_FEES`` in mode "mock", ``PROD_FEES`` otherwise."""
    hours: MarketHours = attrs.field(factory=MarketHours)
    clock_start: dt.time = attrs.field(default=dt.time(10, 0))
    """The sandbox clock starts at this time of ``market_date`` (Korea time), inside the
    session, so an order placed right away is taken; move it with ``Sandbox.clock``."""
    wall_clock: bool = False
    """Follow the real Korea time instead (``kiwoom-typed sandbox --clock now``)."""
    clock_speed: float = 0.0
    """Run the clock from its start at this many market seconds a real second (60: a market
    minute a second; ``--clock-speed``); 0: it moves only when set or advanced (tests)."""
    quotes_follow_clock: bool = True
    """Quote answers (ka10001, ...) show the market date as it stands on the clock, where the
    engine matches; False: the whole day (its close), as without paper trading."""
    fill_share: float = 0.05
    """At most this share of a minute's volume fills one order in that minute (our choice)."""
    max_fill_per_minute: int | None = None
    """A hard cap on shares filled per order and minute, for partial fills in tests."""
    credit_margin: Decimal = Decimal("0.40")
    """Share of a credit buy paid in cash; the rest is the loan (our choice)."""
    page_rows: int = 100
    """Rows per page of the account lists (ka10075, ka10076, kt00007, ...)."""

    def __attrs_post_init__(self) -> None:
        if self.cash < 0 or self.usd_cash < 0:
            raise ValueError("cash must be >= 0")
        if not 0 < self.fill_share <= 1:
            raise ValueError("fill_share must be in (0, 1]")
        if self.max_fill_per_minute is not None and self.max_fill_per_minute < 1:
            raise ValueError("max_fill_per_minute must be >= 1 or None")
        if self.page_rows < 1:
            raise ValueError("page_rows must be >= 1")
        if self.clock_speed < 0:
            raise ValueError("clock_speed must be >= 0")

    def fees_for(self, mode: str) -> Fees:
        if self.fees is not None:
            return self.fees
        return MOCK_FEES if mode == "mock" else PROD_FEES
