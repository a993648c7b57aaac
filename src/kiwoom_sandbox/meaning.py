"""What a response field shows, read from its value kind and its names, never from its TR.

The catalogue has ~9,000 fields; the sandbox cannot know them one by one. Kiwoom's names are
regular, though: ``*_pric``/``*prc`` and 가 (현재가, 시가, 고가, 저가, 종가) are prices,
``stk_cd``/종목코드 the symbol, ``stk_nm``/종목명 its name, ``pre``/대비 the change,
``flu_rt``/등락률 the change rate, ``*_sig``/대비기호 the sign code, ``*_qty``/수량 quantities,
``*_amt``/금액 amounts, ``*_dt``/일자 dates. ``classify(field)`` turns those rules into a
``Meaning``; the value kind (``Field.kind``) decides the wire format and wins over the names
when both speak. A field without a kind gets one inferred from its names (``infer_kind``), so
it still receives a plausible string.

Rules are tried in order, first match wins; each is one line below, so a wrong guess found
later is a one-line fix that helps every TR at once.
"""

from __future__ import annotations

import enum
import re

import attrs

from codegen.rules.kinds import FieldContext, kind_for
from codegen.spec import Field, ValueKind


class Role(enum.Enum):
    """What a field shows. The synthesizer (``synth.py``) maps each role to a value."""

    SYMBOL_CODE = "symbol_code"
    SYMBOL_NAME = "symbol_name"
    # prices of the subject's bar
    PRICE = "price"  # current price / close (현재가, 종가, 체결가, 예상체결가, ...)
    OPEN = "open"
    HIGH = "high"
    LOW = "low"
    PREVIOUS_CLOSE = "previous_close"  # 기준가, 전일종가
    UPPER_LIMIT = "upper_limit"
    LOWER_LIMIT = "lower_limit"
    ASK = "ask"  # 매도호가, level n
    BID = "bid"  # 매수호가, level n
    WINDOW_HIGH = "window_high"  # 250최고, 연중최고
    WINDOW_LOW = "window_low"
    WINDOW_HIGH_DATE = "window_high_date"
    WINDOW_LOW_DATE = "window_low_date"
    WINDOW_HIGH_RATE = "window_high_rate"  # 250최고가대비율: current vs the high, percent
    WINDOW_LOW_RATE = "window_low_rate"
    CHANGE = "change"  # 전일대비
    CHANGE_RATE = "change_rate"  # 등락률
    SIGN = "sign"  # 대비기호
    VOLUME = "volume"  # 거래량
    TRADE_VALUE = "trade_value"  # 거래대금 (millions of won)
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    MONTH = "month"  # 결산월
    CHOICE = "choice"  # one of the documented values
    FLAG = "flag"  # Y/N
    NAME = "name"  # any other *_nm
    QUANTITY = "quantity"
    AMOUNT = "amount"
    COUNT = "count"
    NUMBER = "number"  # any other unsigned integer
    SIGNED = "signed"  # any other signed integer
    RATIO = "ratio"  # any other decimal
    SIGNED_RATIO = "signed_ratio"  # a decimal change (증감률, 대비율)
    CODE = "code"  # any other code
    ACCOUNT = "account"  # the sandbox's account number
    TEXT = "text"


PRICE_ROLES = frozenset(
    {
        Role.PRICE,
        Role.OPEN,
        Role.HIGH,
        Role.LOW,
        Role.PREVIOUS_CLOSE,
        Role.UPPER_LIMIT,
        Role.LOWER_LIMIT,
        Role.ASK,
        Role.BID,
        Role.WINDOW_HIGH,
        Role.WINDOW_LOW,
    }
)
WINDOW_ROLES = frozenset(
    {
        Role.WINDOW_HIGH,
        Role.WINDOW_LOW,
        Role.WINDOW_HIGH_DATE,
        Role.WINDOW_LOW_DATE,
        Role.WINDOW_HIGH_RATE,
        Role.WINDOW_LOW_RATE,
    }
)
YEAR_TO_DATE = -1
"""``Meaning.window`` for 연중 (since January 1st)."""


@attrs.frozen
class Meaning:
    """A field's role, its effective kind (wire format), and role parameters."""

    role: Role
    kind: ValueKind
    level: int = 1
    """Order-book level of ASK/BID (1 = best)."""
    window: int = 250
    """Business days of WINDOW_* roles, or ``YEAR_TO_DATE``."""


_PRICE_SUFFIXES = (
    "현재가", "시가", "고가", "저가", "종가", "기준가", "상한가", "하한가", "호가", "체결가",
    "단가", "평균가", "매입가", "주문가", "대용가", "주가", "가격", "최고", "최저", "최고가",
    "최저가", "매도가", "매수가", "예상가", "정산가", "이론가", "행사가", "시초가",
)  # fmt: skip
_PRICE_ELEMENT = re.compile(r"(pric|prc)$|hgst$|lwst$|(^|_)(bid|ask)$")
_LEVEL = re.compile(r"(\d+)")
_NUMBER_IN_NAME = re.compile(r"\d+")


def _norm_korean(text: str) -> str:
    return re.sub(r"[\s()\[\]]", "", text)


def _is_price_name(element: str, korean: str) -> bool:
    if element.endswith(("_prica", "prica")):  # 거래대금 (trde_prica) is an amount
        return False
    return bool(_PRICE_ELEMENT.search(element)) or korean.endswith(_PRICE_SUFFIXES)


def _window(element: str, korean: str) -> int:
    if "oyr" in element or "연중" in korean:
        return YEAR_TO_DATE
    if "52" in element or "52주" in korean:
        return 260
    found = _NUMBER_IN_NAME.search(element) or _NUMBER_IN_NAME.search(korean)
    return int(found.group()) if found else 250


def _extreme(element: str, korean: str) -> str | None:
    if "hgst" in element or "최고" in korean:
        return "high"
    if "lwst" in element or "최저" in korean:
        return "low"
    return None


def infer_kind(field: Field) -> ValueKind:
    """The kind of a field that carries none: the rules that resolve every spec
    (``codegen.rules.kinds``), so the sandbox reads names the way the client does."""
    kind, _rule = kind_for(FieldContext(field, "response", us=False))
    if kind is ValueKind.CODE and field.values:
        return ValueKind.TEXT  # a list of choices such as "+:상승, -:하락": not a code
    return kind


def classify(field: Field) -> Meaning:
    """The meaning of one (non-LIST) response field."""
    kind = field.kind or infer_kind(field)
    element, korean = field.element.lower(), _norm_korean(field.korean)
    extreme = _extreme(element, korean)

    def window_meaning(high: Role, low: Role) -> Meaning:
        return Meaning(high if extreme == "high" else low, kind, window=_window(element, korean))

    # --- identity ---
    if kind is ValueKind.SIGN_CODE or element.endswith("_sig") or korean.endswith("대비기호"):
        return Meaning(Role.SIGN, ValueKind.SIGN_CODE)
    if kind in (ValueKind.CODE, ValueKind.TEXT) and (
        element == "stk_cd" or element.endswith("_stk_cd") or "종목코드" in korean
    ):
        return Meaning(Role.SYMBOL_CODE, kind)
    if kind is ValueKind.TEXT and (
        element == "stk_nm" or element.endswith("_stk_nm") or "종목명" in korean
    ):
        return Meaning(Role.SYMBOL_NAME, kind)
    # --- time ---
    if kind is ValueKind.DATE:
        if extreme is not None:
            return window_meaning(Role.WINDOW_HIGH_DATE, Role.WINDOW_LOW_DATE)
        return Meaning(Role.DATE, kind)
    if kind is ValueKind.TIME:
        return Meaning(Role.TIME, kind)
    if kind is ValueKind.DATETIME:
        return Meaning(Role.DATETIME, kind)
    # --- documented values ---
    if field.values:
        return Meaning(Role.CHOICE, kind)
    # --- rates ---
    if kind is ValueKind.DECIMAL:
        if element.endswith("flu_rt") or "등락률" in korean or "등락율" in korean:
            return Meaning(Role.CHANGE_RATE, kind)
        if extreme is not None and ("pre_rt" in element or "대비" in korean):
            return window_meaning(Role.WINDOW_HIGH_RATE, Role.WINDOW_LOW_RATE)
        if "증감" in korean or "대비" in korean or element.endswith("pre_rt"):
            return Meaning(Role.SIGNED_RATIO, kind)
        return Meaning(Role.RATIO, kind)
    # --- prices ---
    if kind is ValueKind.DECIMAL_PRICE or (
        kind is ValueKind.SCALED and _is_price_name(element, korean)
    ):  # a USD price, or an index value sent x100 (업종 charts): the path's price either way
        return _price_meaning(element, korean, kind, extreme)
    if kind is ValueKind.ACCOUNT:
        return Meaning(Role.ACCOUNT, kind)
    if kind is ValueKind.PERSONAL:
        return Meaning(Role.NAME, kind)
    if kind is ValueKind.SIGNED_PRICE or (
        kind in (ValueKind.NUMBER, ValueKind.TEXT) and _is_price_name(element, korean)
    ):
        if kind is ValueKind.TEXT:
            kind = ValueKind.NUMBER
        return _price_meaning(element, korean, kind, extreme)
    # --- changes and sizes ---
    if kind is ValueKind.SIGNED_NUMBER:
        if element in ("pre", "pred_pre") or korean in ("대비", "전일대비"):
            return Meaning(Role.CHANGE, kind)
        if korean.endswith("대비") and not any(w in korean for w in ("량", "잔량", "대금")):
            return Meaning(Role.CHANGE, kind)
        return Meaning(Role.SIGNED, kind)
    if kind is ValueKind.NUMBER:
        if element.endswith("trde_qty") or korean in ("거래량", "누적거래량"):
            return Meaning(Role.VOLUME, kind)
        if element.endswith("trde_prica") or korean.endswith("거래대금"):
            return Meaning(Role.TRADE_VALUE, kind)
        if element.endswith("_mm") or korean.endswith("월"):
            return Meaning(Role.MONTH, kind)
        return Meaning(_size_role(element, korean), kind)
    # --- text and codes ---
    if element.endswith("_yn") or korean.endswith("여부"):
        return Meaning(Role.FLAG, kind)
    if kind is ValueKind.CODE:
        return Meaning(Role.CODE, kind)
    if element.endswith("_nm") or korean.endswith("명"):
        return Meaning(Role.NAME, kind)
    return Meaning(Role.TEXT, kind)


def _price_meaning(element: str, korean: str, kind: ValueKind, extreme: str | None) -> Meaning:
    if extreme is not None:
        return Meaning(
            Role.WINDOW_HIGH if extreme == "high" else Role.WINDOW_LOW,
            kind,
            window=_window(element, korean),
        )
    if "upl" in element or "상한" in korean:
        return Meaning(Role.UPPER_LIMIT, kind)
    if element.startswith("lst_") or "하한" in korean:
        return Meaning(Role.LOWER_LIMIT, kind)
    if "호가" in korean or element.endswith(("_bid", "_ask")):
        found = _LEVEL.search(element) or _LEVEL.search(korean)
        level = int(found.group()) if found else 1
        if "매도" in korean or element.startswith("sel"):
            return Meaning(Role.ASK, kind, level=level)
        if "매수" in korean or element.startswith("buy"):
            return Meaning(Role.BID, kind, level=level)
    if "기준가" in korean or "전일종가" in korean or element.startswith(("base_", "pred_close")):
        return Meaning(Role.PREVIOUS_CLOSE, kind)
    if element.startswith("open") or korean.endswith(("시가", "시초가")):
        return Meaning(Role.OPEN, kind)
    if element.startswith("high") or korean.endswith("고가"):
        return Meaning(Role.HIGH, kind)
    if element.startswith("low") or korean.endswith("저가"):
        return Meaning(Role.LOW, kind)
    return Meaning(Role.PRICE, kind)


def _size_role(element: str, korean: str) -> Role:
    if element.endswith("_qty") or korean.endswith(("수량", "잔량", "주식수", "량")):
        return Role.QUANTITY
    if element.endswith(("_amt", "_prica")) or korean.endswith(("금액", "대금", "액", "금")):
        return Role.AMOUNT
    if element.endswith("_cnt") or korean.endswith(("건수", "횟수", "수")):
        return Role.COUNT
    return Role.NUMBER


def is_symbol_field(field: Field) -> bool:
    """Does this (request or response) field carry a stock code?"""
    if field.is_list or field.kind not in (None, ValueKind.CODE, ValueKind.TEXT):
        return False
    element = field.element.lower()
    return element == "stk_cd" or element.endswith("_stk_cd") or "종목코드" in field.korean
