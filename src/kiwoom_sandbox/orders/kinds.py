"""Order kinds (매매구분) as the specs list them, read into how the engine treats each one.

The engine never names a ``trde_tp`` code: it reads the allowed values of the order API's
``trde_tp`` field (``0:보통 , 3:시장가 , 5:조건부지정가 , ... , 10:보통(IOC) , ...``), or, where
the rules found no clean list (the US order APIs print ``00:지정가 03시장가 ...``), the
description, and classifies each meaning by its words. A new kind the documentation adds is
served as a limit order until a word here says otherwise.
"""

from __future__ import annotations

import enum
import re

import attrs

from codegen.spec import Field


class Pricing(enum.Enum):
    """How an order's price is set."""

    LIMIT = "limit"  # 보통, 지정가: the price given
    MARKET = "market"  # 시장가: whatever the market gives
    BEST = "best"  # 최유리지정가: the best opposite price (marketable at once)
    PRIORITY = "priority"  # 최우선지정가: the best price on its own side (rests)
    MID = "mid"  # 중간가: the mid price (here: the last price)
    CONDITIONAL = "conditional"  # 조건부지정가: a limit that turns market at the close
    STOP = "stop"  # 스톱지정가: a limit that wakes when the price reaches cond_uv
    PRE_MARKET = "pre_market"  # 장시작전시간외: at the previous close, before the open
    POST_MARKET = "post_market"  # 장마감후시간외: at the close, after it
    SINGLE_PRICE = "single_price"  # 시간외단일가: at the close, within the limit given
    ON_CLOSE = "on_close"  # LOC (US): a limit executed at the close


class Duration(enum.Enum):
    """How long the unfilled rest lives."""

    DAY = "day"
    IOC = "ioc"  # fill what you can now, cancel the rest
    FOK = "fok"  # all now or nothing


@attrs.frozen
class OrderKind:
    code: str
    name: str
    pricing: Pricing
    duration: Duration

    @property
    def needs_price(self) -> bool:
        """Does the order carry its own price (``ord_uv``)?"""
        return self.pricing in (
            Pricing.LIMIT,
            Pricing.CONDITIONAL,
            Pricing.STOP,
            Pricing.SINGLE_PRICE,
            Pricing.ON_CLOSE,
        )


# First match wins: the specific words before the generic 지정가 / 보통.
_WORDS: tuple[tuple[str, Pricing], ...] = (
    ("장시작전시간외", Pricing.PRE_MARKET),
    ("장마감후시간외", Pricing.POST_MARKET),
    ("시간외단일가", Pricing.SINGLE_PRICE),
    ("조건부", Pricing.CONDITIONAL),
    ("스톱", Pricing.STOP),
    ("STOP", Pricing.STOP),
    ("최유리", Pricing.BEST),
    ("최우선", Pricing.PRIORITY),
    ("중간가", Pricing.MID),
    ("LOC", Pricing.ON_CLOSE),
    ("시장가", Pricing.MARKET),
    ("MOC", Pricing.MARKET),
)


def classify(code: str, name: str) -> OrderKind:
    pricing = next((p for word, p in _WORDS if word in name.upper()), Pricing.LIMIT)
    duration = Duration.DAY
    if "IOC" in name.upper():
        duration = Duration.IOC
    elif "FOK" in name.upper():
        duration = Duration.FOK
    return OrderKind(code, name, pricing, duration)


# ``00:지정가 03시장가 26:VWAP지정가``: a code, an optional colon, the meaning up to the next.
_LOOSE = re.compile(r"(\d{1,2})\s*[:.]?\s*([^\d,]+?)\s*(?=,|\s\d|$)")


def order_kinds(field: Field) -> dict[str, OrderKind]:
    """The kinds of one ``trde_tp`` field: its allowed values, else its description read
    loosely; empty if neither lists any."""
    listed = field.values or {
        m.group(1): m.group(2).strip() for m in _LOOSE.finditer(field.description or "")
    }
    return {code: classify(code, name) for code, name in listed.items()}
