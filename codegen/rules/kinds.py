"""Value kinds by rule: what each documented ``String`` field means, from what the tables say.

Kiwoom's tables type nearly every field ``String``; the meaning is in the element name
(``cur_prc``, ``trde_qty``, ``flu_rt``), the 한글명 (현재가, 거래량, 등락률) and, in newer
editions, a unit note in the description (``단위: 원, 부호가 포함된 숫자``, ``YYYYMMDD``,
``좌측 0-padding 처리된 부호 포함 15자리 숫자``). The rules below read those, in order; the first
that matches gives the kind. A ``kind:`` written on the field in the spec overrides them.

The notes are the strongest evidence, so they come first; the element name and the Korean name
decide only when the description says nothing. Each rule has a name that ``specs/README.md``
lists and ``python -m codegen validate`` can report, so a wrong kind points at its rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

from codegen.spec import Field, ValueKind


@attrs.frozen
class FieldContext:
    """One field and what surrounds it: the side (request/response) and the market."""

    field: Field
    side: str  # "request" | "response"
    us: bool  # an /api/us/ API (prices in USD with decimals)

    @property
    def element(self) -> str:
        return self.field.element

    @property
    def tokens(self) -> tuple[str, ...]:
        """``sel_1bid`` -> ("sel", "1bid"); ``52wk_hgst_pric`` -> ("52wk", "hgst", "pric")."""
        return tuple(t for t in _snake(self.field.element).split("_") if t)

    @property
    def last(self) -> str:
        """The last name token without row numbers: ``cur_prc_n`` / ``buy_1`` / ``sel_1bid`` ->
        ``prc`` / ``buy`` / ``bid``."""
        tokens = [t.lstrip("0123456789") for t in self.tokens]  # 250hgst, 1bid -> hgst, bid
        tokens = [t for t in tokens if t and t != "n"]
        return tokens[-1] if tokens else ""

    @property
    def text(self) -> str:
        return self.field.description

    @property
    def korean(self) -> str:
        """The 한글명 without blanks and without a trailing unit: ``총평가금액(원)`` ->
        ``총평가금액``."""
        return re.sub(r"\([^()]*\)$", "", self.field.korean.replace(" ", "")) or (
            self.field.korean.replace(" ", "")
        )


def _snake(name: str) -> str:
    """``marketCode`` -> ``market_code`` (camelCase keys appear in a few newer APIs)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@attrs.frozen
class KindRule:
    name: str
    kind: ValueKind
    applies: Callable[[FieldContext], bool]
    describe: str


# --- evidence in the description -------------------------------------------------------------

_DATETIME_NOTE = re.compile(r"YYYYMMDDHH")
_DATE_NOTE = re.compile(r"(?<![A-Z])Y{3,4}MMDD(?!H)")
_MONTH_NOTE = re.compile(r"(?<![A-Z])YYYYMM(?!D)")
_YEAR_NOTE = re.compile(r"(?<![A-Z])YYYY(?![MD])")
_TIME_NOTE = re.compile(r"HH:?mm(:?ss)?|HHMMSS", re.IGNORECASE)
_SIGN_CODE_NOTE = re.compile(r"1\s*:\s*상한.*2\s*:\s*상승.*3\s*:\s*보합", re.S)
_SCALED_NOTE = re.compile(r"100배")
_SIGNED_NOTE = re.compile(r"부호(가)?\s*포함")
_DECIMAL_NOTE = re.compile(r"소수점|백분율|단위\s*:\s*%")
_INTEGER_UNIT = re.compile(
    r"단위\s*:\s*(원|1주|주|천주|1000주|100주|백만원|억원|천원|천만|백만주|종목수|천USD|건)"
    r"|0-padding|\d+자리\s*숫자"
)
_USD_NOTE = re.compile(r"USD|달러")
_INDEX_NOTE = re.compile(r"단위\s*:\s*지수")

# --- evidence in the names -------------------------------------------------------------------

_PRICE_TOKENS = {
    "pric",
    "prc",
    "bid",
    "uv",
    "unp",
    "hgst",
    "lwst",
    "upl",
    "lst",
    "open",
    "high",
    "low",
    "close",
    "price",
}
_PRICE_KOREAN = re.compile(
    r"(현재가|시가|고가|저가|종가|기준가|호가|단가|매입가|평균가|상한가|하한가|체결가|최고가|최저가"
    r"|정정가|행사가|이론가|전환가|매수가|매도가|가격|대비가)(\(|$|\d|n$)"
)
_NOT_PRICE_KOREAN = re.compile(r"평가|시가총액|호가잔량|잔량|건수|수량|비율|률|율")
_CODE_TOKENS = {"cd", "code", "no", "tp_cd"}
_CODE_KOREAN = re.compile(r"(코드|번호)$")
_RATE_TOKENS = {
    "rt",
    "rate",
    "wght",
    "str",
    "exrt",
    "pbr",
    "per",
    "eps",
    "roe",
    "bps",
    "ev",
    "delta",
    "gam",
    "theta",
    "vega",
    "poss",
}
_RATE_KOREAN = re.compile(r"(률|율|비중|비율|강도|배율|회전율|변동성)(\(|$|\d|n$)")
_CHANGE_TOKENS = {"pre", "netprps", "irds", "netslmt", "pl", "prft", "evltv"}
_CHANGE_KOREAN = re.compile(r"(대비|순매수|순매도|증감|손익|등락폭|변동)")
_COUNT_TOKENS = {
    "qty",
    "amt",
    "cnt",
    "req",
    "prica",
    "num",
    "sum",
    "tax",
    "cmsn",
    "entr",
    "cap",
    "mac",
    "stkcnt",
    "alowa",
    "alowq",
    "remnq",
    "buyq",
    "sellq",
    "tot",
    "dys",
    "rank",
}
_COUNT_KOREAN = re.compile(
    r"(수량|거래량|잔량|금액|대금|건수|횟수|종목수|주식수|순위|일수|잔고|금|세|세금|세액|료|자산|전잔|금잔"
    r"|누적|주수|매수|매도)$"
)
_DATE_TOKENS = {"dt", "date", "day"}
_DATE_KOREAN = re.compile(r"(일자|날짜|일)$")
_TIME_TOKENS = {"tm", "time"}
_TIME_KOREAN = re.compile(r"(시간|시각)$")
_NAME_TOKENS = {"nm", "enm", "name"}
_PERSONAL_KOREAN = {"계좌명", "입금자", "관리사번", "관리사원번호", "처리자"}
#: Counts that stay integers even in US APIs (whose amounts carry decimals).
_ORDINALS = {"rank", "cnt", "num", "dys"}
_AVERAGE_KOREAN = re.compile(r"(단가|평균가|평균|손익)(\(|$|\d|n$)")
_SECRETS = {"appkey", "secretkey", "token"}


def _price_like(c: FieldContext) -> bool:
    if _NOT_PRICE_KOREAN.search(c.korean) and not _PRICE_KOREAN.search(c.korean):
        return False
    return c.last in _PRICE_TOKENS or bool(_PRICE_KOREAN.search(c.korean))


K = ValueKind

RULES: tuple[KindRule, ...] = (
    KindRule(
        "credential",
        K.SECRET,
        lambda c: c.element in _SECRETS,
        "appkey / secretkey / token: kept out of reprs",
    ),
    KindRule(
        "account",
        K.ACCOUNT,
        lambda c: c.korean.endswith("계좌번호") or c.element.lower() in {"acnt_no", "acctno"},
        "an account number (계좌번호): masked when answers are recorded",
    ),
    KindRule(
        "personal",
        K.PERSONAL,
        lambda c: c.korean in _PERSONAL_KOREAN,
        "a person's name or staff number (계좌명, 입금자, 관리사번, 처리자): masked when recorded",
    ),
    KindRule(
        "name",
        K.TEXT,
        lambda c: c.last in _NAME_TOKENS or c.korean.endswith(("명", "이름")),
        "…_nm / enm / name named …명: a name, text",
    ),
    KindRule(
        "sign-text",
        K.TEXT,
        lambda c: (
            (c.korean.endswith("부호") or c.element.startswith("sign"))
            and not _SIGN_CODE_NOTE.search(c.text)
        ),
        "a sign printed as text (+, -, 순위상승 …), not a 대비기호 code",
    ),
    KindRule(
        "note-datetime",
        K.DATETIME,
        lambda c: bool(_DATETIME_NOTE.search(c.text)),
        "the description says YYYYMMDDHHmmss",
    ),
    KindRule(
        "note-date",
        K.DATE,
        lambda c: bool(_DATE_NOTE.search(c.text)),
        "the description says YYYYMMDD",
    ),
    KindRule(
        "note-month",
        K.MONTH,
        lambda c: bool(_MONTH_NOTE.search(c.text)),
        "the description says YYYYMM",
    ),
    KindRule(
        "note-year",
        K.NUMBER,
        lambda c: bool(_YEAR_NOTE.search(c.text)),
        "the description says YYYY: a year, an integer",
    ),
    KindRule(
        "us-session-time",
        K.SESSION_TIME,
        lambda c: c.us and bool(_TIME_NOTE.search(c.text)),
        "a time of a US API (HHmmss, HH:mm:ss, HH:mm): Korea time, may pass 24:00",
    ),
    KindRule(
        "note-time",
        K.TIME,
        lambda c: bool(_TIME_NOTE.search(c.text)),
        "the description says HHmmss / HH:mm:ss",
    ),
    KindRule(
        "note-sign-code",
        K.SIGN_CODE,
        lambda c: bool(_SIGN_CODE_NOTE.search(c.text)),
        "the description lists 1:상한 2:상승 3:보합 4:하한 5:하락",
    ),
    KindRule(
        "code",
        K.CODE,
        lambda c: (
            (c.last in _CODE_TOKENS or bool(_CODE_KOREAN.search(c.korean)))
            and not _DECIMAL_NOTE.search(c.text)
            and not c.text.lstrip().startswith("[")
        ),  # a JSON list of codes is text
        "a code or number that identifies (…_cd, …_no, 코드, 번호): leading zeros matter",
    ),
    KindRule(
        "note-scaled",
        K.SCALED,
        lambda c: bool(_SCALED_NOTE.search(c.text)),
        "the description says the value is sent times 100 without its decimal point",
    ),
    KindRule(
        "decimal-price",
        K.DECIMAL_PRICE,
        lambda c: (
            c.side == "response"
            and _price_like(c)
            and (c.us or bool(_INDEX_NOTE.search(c.text)) or bool(_USD_NOTE.search(c.text)))
            and not c.last == "pre"
        ),
        "a USD or index price of a response: decimals, the sign is the direction",
    ),
    KindRule(
        "average-or-pnl",
        K.DECIMAL,
        lambda c: (
            c.side == "response"
            and (c.last in {"uv", "unp", "pl", "avg"} or bool(_AVERAGE_KOREAN.search(c.korean)))
        ),
        "unit prices, averages and P&L of a response: the service sends decimals",
    ),
    KindRule(
        "price",
        K.SIGNED_PRICE,
        lambda c: c.side == "response" and not c.us and _price_like(c) and c.last != "pre",
        "a price of a response (…_pric / prc / bid, 현재가, 시가, 호가, …): its sign, when "
        "sent, is the direction; without one it reads as FLAT",
    ),
    KindRule(
        "note-decimal",
        K.DECIMAL,
        lambda c: bool(_DECIMAL_NOTE.search(c.text)),
        "the description gives decimals or a percentage",
    ),
    KindRule(
        "foreign-currency",
        K.DECIMAL,
        lambda c: (
            (c.element.startswith("fc_") or "외화" in c.korean)
            and c.last not in {"tp", "cd", "yn", "nm"}
        ),
        "an amount in a foreign currency (fc_…, 외화…): decimals",
    ),
    KindRule(
        "index-or-usd-change",
        K.DECIMAL,
        lambda c: (
            bool(_INDEX_NOTE.search(c.text) or _USD_NOTE.search(c.text))
            and bool(_SIGNED_NOTE.search(c.text))
        ),
        "a signed index or USD figure (a change, a level): decimals, the sign kept",
    ),
    KindRule(
        "note-signed",
        K.SIGNED_NUMBER,
        lambda c: bool(_SIGNED_NOTE.search(c.text)),
        "the description says the number carries a sign",
    ),
    KindRule(
        "note-integer",
        K.NUMBER,
        lambda c: bool(_INTEGER_UNIT.search(c.text)) and not _USD_NOTE.search(c.text),
        "the description gives an integer unit (원, 1주, 백만원, …) without a sign",
    ),
    KindRule(
        "name-date",
        K.DATE,
        lambda c: c.last in _DATE_TOKENS and bool(_DATE_KOREAN.search(c.korean)),
        "…_dt / date named 일자 or 날짜",
    ),
    KindRule(
        "name-time",
        K.TIME,
        lambda c: (
            not c.us
            and not c.text.strip()
            and c.last in _TIME_TOKENS
            and bool(_TIME_KOREAN.search(c.korean))
        ),
        "…_tm / time named 시간 or 시각, with no description (one would give its format)",
    ),
    KindRule(
        "name-rate",
        K.DECIMAL,
        lambda c: c.last in _RATE_TOKENS or bool(_RATE_KOREAN.search(c.korean)),
        "…_rt / rate / wght named 률, 율, 비중, 비율: a decimal",
    ),
    KindRule(
        "name-us-amount",
        K.DECIMAL,
        lambda c: (
            c.us
            and (
                _price_like(c)
                or c.last in _COUNT_TOKENS | _CHANGE_TOKENS
                or bool(_COUNT_KOREAN.search(c.korean) or _CHANGE_KOREAN.search(c.korean))
            )
            and c.last not in _ORDINALS
        ),
        "a price or amount of a US API: decimals",
    ),
    KindRule(
        "name-request-price",
        K.NUMBER,
        lambda c: c.side == "request" and _price_like(c),
        "a price argument (주문단가, …): an integer in won",
    ),
    KindRule(
        "name-sign-code",
        K.SIGN_CODE,
        lambda c: c.last == "sig" or c.korean.endswith("기호"),
        "…_sig named …기호: a 대비기호 code",
    ),
    KindRule(
        "name-change",
        K.SIGNED_NUMBER,
        lambda c: c.last in _CHANGE_TOKENS or bool(_CHANGE_KOREAN.search(c.korean)),
        "…_pre / netprps named 대비, 순매수, 증감, 손익: a signed change",
    ),
    KindRule(
        "name-count",
        K.NUMBER,
        lambda c: c.last in _COUNT_TOKENS or bool(_COUNT_KOREAN.search(c.korean)),
        "…_qty / amt / cnt named 수량, 금액, 대금, 건수: an integer",
    ),
)


def kind_for(c: FieldContext) -> tuple[ValueKind, str]:
    """(kind, rule name); ``text`` with rule ``default`` when nothing matches."""
    if c.field.is_list:
        return ValueKind.TEXT, "list"
    for rule in RULES:
        if rule.applies(c):
            return rule.kind, rule.name
    return ValueKind.TEXT, "default"
