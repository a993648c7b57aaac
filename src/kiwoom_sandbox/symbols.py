"""The symbols the sandbox lists: a small, deterministic KRX-like universe with Korean names.

Why a universe at all: the live service answers an unknown stock code with an error
(``[1901:...]``), and a client must be able to show that error (``UnknownSymbolError``) without a
fault being injected. So the sandbox needs to know which codes exist. The default universe
holds well-known KRX listings (005930 삼성전자, 000660 SK하이닉스, a few ETFs, ...) with a
realistic price level each, plus a few hundred made-up ones (6-digit codes ending in 0, names
such as 한빛전자) whose price level comes from the code. It never changes with the seed, so a
code that works today works tomorrow.

Codes are matched on their KRX part: ``005930_NX`` (NXT) and ``005930_AL`` (SOR) are the same
symbol as ``005930``; responses echo the code as sent, as the live service does.

Public API: ``Symbol``, ``Universe`` (``Universe.default()``, ``Universe.of_size(n)``,
``.get(code)``, ``.with_symbols``), ``split_code``, ``well_formed``, ``DEFAULT_UNIVERSE``.

Every symbol has a listing date (``Symbol.listed_on``, derived from the code unless given):
charts stop there and ``ka10099`` reports it as 상장일.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal

import attrs

Market = Literal["KOSPI", "KOSDAQ", "ETF", "US"]
SUFFIXES = ("_NX", "_AL")
_CODE_RE = re.compile(r"^[0-9A-Z]{6}$")
_TICKER_RE = re.compile(r"^[A-Z]{1,5}$")  # US tickers (the US APIs take them as stk_cd)


def split_code(code: str) -> tuple[str, str]:
    """``"005930_NX"`` -> ``("005930", "_NX")``; ``"005930"`` -> ``("005930", "")``."""
    text = code.strip().upper()
    for suffix in SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)], suffix
    return text, ""


def well_formed(code: str) -> bool:
    """Six digits or capitals (KRX short codes, new ones carry letters), optional _NX/_AL; or
    a US ticker (1-5 capitals)."""
    base, suffix = split_code(code)
    return bool(_CODE_RE.match(base)) or (not suffix and bool(_TICKER_RE.match(base)))


def _digest(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


@attrs.frozen
class Symbol:
    """One listing. ``base_price`` is the close on the price path's anchor day (see market)."""

    code: str
    name: str
    market: Market = "KOSPI"
    base_price: int | None = None
    """None: derived from the code (log-uniform, 1,000 to 300,000 won)."""
    listed: dt.date | None = None
    """상장일; None: derived from the code (see ``listed_on``)."""

    @property
    def listed_on(self) -> dt.date:
        """The listing date: charts go back no further. Derived from the code when not given:
        uniform over 1990-01-02 .. 2024-06-28, so most symbols have decades of history and a
        few are young (a history download must stop at their start, not fail)."""
        if self.listed is not None:
            return self.listed
        span = _LAST_DERIVED_LISTING.toordinal() - _FIRST_DERIVED_LISTING.toordinal()
        day = dt.date.fromordinal(
            _FIRST_DERIVED_LISTING.toordinal() + _digest("listed", self.code) % (span + 1)
        )
        while day.weekday() >= 5:  # a listing day is a business day
            day += dt.timedelta(days=1)
        return day

    @property
    def anchor_price(self) -> int:
        if self.base_price is not None:
            return self.base_price
        # Log-uniform, so cheap and dear stocks are both common, as on KRX.
        fraction = (_digest("price", self.code) % 10_000) / 10_000
        return int(1_000 * 300**fraction)

    @property
    def is_etf(self) -> bool:
        return self.market == "ETF"

    @property
    def is_us(self) -> bool:
        """A US listing: its price path runs in cents (``23000`` is $230.00)."""
        return self.market == "US"

    @classmethod
    def made_up(cls, code: str) -> Symbol:
        """A symbol for a well-formed code outside the universe (``symbol_policy="any"``)."""
        base, _ = split_code(code)
        rng = random.Random(_digest("name", base))
        name = rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS)
        return cls(base, name, "KOSDAQ" if rng.random() < 0.5 else "KOSPI")


_FIRST_DERIVED_LISTING = dt.date(1990, 1, 2)
_LAST_DERIVED_LISTING = dt.date(2024, 6, 28)

# Real KRX listings: code, name, market, a plausible price level (won) for the anchor day.
_WELL_KNOWN: tuple[tuple[str, str, Market, int], ...] = (
    ("005930", "삼성전자", "KOSPI", 54_400),
    ("000660", "SK하이닉스", "KOSPI", 173_900),
    ("373220", "LG에너지솔루션", "KOSPI", 345_500),
    ("207940", "삼성바이오로직스", "KOSPI", 956_000),
    ("005380", "현대차", "KOSPI", 208_000),
    ("000270", "기아", "KOSPI", 99_600),
    ("068270", "셀트리온", "KOSPI", 186_200),
    ("005490", "POSCO홀딩스", "KOSPI", 254_000),
    ("035420", "NAVER", "KOSPI", 198_600),
    ("035720", "카카오", "KOSPI", 38_000),
    ("051910", "LG화학", "KOSPI", 250_000),
    ("006400", "삼성SDI", "KOSPI", 247_500),
    ("105560", "KB금융", "KOSPI", 83_000),
    ("055550", "신한지주", "KOSPI", 47_750),
    ("086790", "하나금융지주", "KOSPI", 56_900),
    ("316140", "우리금융지주", "KOSPI", 15_380),
    ("012330", "현대모비스", "KOSPI", 236_000),
    ("028260", "삼성물산", "KOSPI", 115_300),
    ("066570", "LG전자", "KOSPI", 83_500),
    ("003550", "LG", "KOSPI", 72_000),
    ("096770", "SK이노베이션", "KOSPI", 111_100),
    ("034730", "SK", "KOSPI", 137_900),
    ("017670", "SK텔레콤", "KOSPI", 55_500),
    ("030200", "KT", "KOSPI", 45_750),
    ("015760", "한국전력", "KOSPI", 20_550),
    ("032830", "삼성생명", "KOSPI", 88_300),
    ("000810", "삼성화재", "KOSPI", 358_000),
    ("033780", "KT&G", "KOSPI", 104_100),
    ("009150", "삼성전기", "KOSPI", 123_600),
    ("018260", "삼성에스디에스", "KOSPI", 127_800),
    ("010130", "고려아연", "KOSPI", 1_002_000),
    ("011200", "HMM", "KOSPI", 17_620),
    ("003670", "포스코퓨처엠", "KOSPI", 148_300),
    ("259960", "크래프톤", "KOSPI", 312_000),
    ("352820", "하이브", "KOSPI", 180_000),
    ("323410", "카카오뱅크", "KOSPI", 21_100),
    ("251270", "넷마블", "KOSPI", 52_200),
    ("036570", "엔씨소프트", "KOSPI", 185_600),
    ("010950", "S-Oil", "KOSPI", 55_600),
    ("090430", "아모레퍼시픽", "KOSPI", 103_900),
    ("097950", "CJ제일제당", "KOSPI", 256_000),
    ("042660", "한화오션", "KOSPI", 37_650),
    ("012450", "한화에어로스페이스", "KOSPI", 356_500),
    ("329180", "HD현대중공업", "KOSPI", 291_500),
    ("009540", "HD한국조선해양", "KOSPI", 214_500),
    ("034020", "두산에너빌리티", "KOSPI", 21_800),
    ("047050", "포스코인터내셔널", "KOSPI", 45_700),
    ("024110", "기업은행", "KOSPI", 14_300),
    ("138040", "메리츠금융지주", "KOSPI", 105_200),
    ("011170", "롯데케미칼", "KOSPI", 63_300),
    ("004020", "현대제철", "KOSPI", 23_550),
    ("021240", "코웨이", "KOSPI", 66_600),
    ("161390", "한국타이어앤테크놀로지", "KOSPI", 38_200),
    ("271560", "오리온", "KOSPI", 102_000),
    ("008770", "호텔신라", "KOSPI", 44_050),
    ("139480", "이마트", "KOSPI", 65_300),
    ("282330", "BGF리테일", "KOSPI", 102_400),
    ("180640", "한진칼", "KOSPI", 83_000),
    ("003490", "대한항공", "KOSPI", 23_250),
    ("039490", "키움증권", "KOSPI", 127_600),
    ("247540", "에코프로비엠", "KOSDAQ", 114_100),
    ("086520", "에코프로", "KOSDAQ", 61_600),
    ("196170", "알테오젠", "KOSDAQ", 319_000),
    ("028300", "HLB", "KOSDAQ", 71_300),
    ("293490", "카카오게임즈", "KOSDAQ", 16_430),
    ("263750", "펄어비스", "KOSDAQ", 34_650),
    ("035900", "JYP Ent.", "KOSDAQ", 56_500),
    ("041510", "에스엠", "KOSDAQ", 70_000),
    ("122870", "와이지엔터테인먼트", "KOSDAQ", 44_350),
    ("058470", "리노공업", "KOSDAQ", 173_000),
    ("357780", "솔브레인", "KOSDAQ", 186_800),
    ("240810", "원익IPS", "KOSDAQ", 24_000),
    ("039030", "이오테크닉스", "KOSDAQ", 119_000),
    ("145020", "휴젤", "KOSDAQ", 294_500),
    ("214150", "클래시스", "KOSDAQ", 49_150),
    ("069500", "KODEX 200", "ETF", 32_310),
    ("229200", "KODEX 코스닥150", "ETF", 10_855),
    ("122630", "KODEX 레버리지", "ETF", 15_320),
    ("114800", "KODEX 인버스", "ETF", 4_830),
    ("102110", "TIGER 200", "ETF", 32_330),
    ("360750", "TIGER 미국S&P500", "ETF", 20_620),
)

# Made-up names: a head and a tail, as many KRX names are built (한국+전력, 대한+항공).
_NAME_HEADS = (
    "한빛", "대성", "세원", "동양", "미래", "신성", "삼화", "우성", "태광", "동원",
    "성우", "금강", "서해", "한결", "다온", "새한", "청람", "백제", "가람", "누리",
    "한솔", "대림", "동방", "국제", "대양", "한일", "성진", "유진", "보람", "진흥",
)  # fmt: skip
_NAME_TAILS = (
    "전자", "화학", "제약", "바이오", "건설", "중공업", "식품", "물산", "정밀", "소재",
    "에너지", "통신", "로직스", "테크", "산업", "홀딩스", "반도체", "시스템", "모빌리티",
    "머티리얼즈",
)  # fmt: skip
GENERATED_COUNT = 300


# US listings the US APIs answer for: ticker, Korean name, a price level in cents.
_US_WELL_KNOWN: tuple[tuple[str, str, int], ...] = (
    ("AAPL", "애플", 23_600),
    ("MSFT", "마이크로소프트", 41_500),
    ("NVDA", "엔비디아", 12_000),
    ("TSLA", "테슬라", 40_400),
    ("AMZN", "아마존닷컴", 23_700),
    ("GOOGL", "알파벳 A", 20_400),
    ("META", "메타 플랫폼스", 68_900),
    ("QQQ", "인베스코 QQQ", 52_200),
    ("SPY", "SPDR S&P 500", 60_100),
)


def _names(rng: random.Random) -> Iterator[str]:
    """Made-up names: every head+tail pair in a shuffled order, then (for big universes)
    head+head+tail ones in a shuffled order of their own."""
    names = [head + tail for head in _NAME_HEADS for tail in _NAME_TAILS]
    rng.shuffle(names)
    yield from names
    longer = [a + b + tail for a in _NAME_HEADS for b in _NAME_HEADS for tail in _NAME_TAILS]
    random.Random(20250201).shuffle(longer)
    yield from longer


def _generated(taken: set[str], count: int = GENERATED_COUNT) -> list[Symbol]:
    """``count`` made-up listings, the same on every machine (a fixed-seed generator, not
    ``seed``); the first 300 are the default universe's, whatever ``count`` is."""
    rng = random.Random(20250131)
    used_names = {name for _, name, _, _ in _WELL_KNOWN}
    out: list[Symbol] = []
    for name in _names(rng):
        if len(out) == count:
            break
        if name in used_names:
            continue
        code = f"{rng.randrange(1, 99_999):05d}0"  # common stocks end in 0
        while code in taken:
            code = f"{rng.randrange(1, 99_999):05d}0"
        taken.add(code)
        used_names.add(name)
        out.append(Symbol(code, name, "KOSDAQ" if len(out) % 3 else "KOSPI"))
    return out


@attrs.frozen
class Universe:
    """The listed symbols, looked up by code (``_NX``/``_AL`` accepted). ``symbols`` are the
    KRX listings (rows of lists that name many symbols come from them); ``us`` the US ones."""

    symbols: tuple[Symbol, ...]
    us: tuple[Symbol, ...] = ()
    _by_code: dict[str, Symbol] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # A frozen class computes its index once; lookups happen on every request.
        object.__setattr__(self, "_by_code", {s.code: s for s in (*self.symbols, *self.us)})

    @classmethod
    def default(cls) -> Universe:
        return DEFAULT_UNIVERSE

    @classmethod
    def of_size(cls, count: int) -> Universe:
        """``count`` KRX listings (and the US ones): the well-known names first, then made-up
        ones, deterministically, so ``of_size(2500)`` extends the default universe (every
        default code stays listed when ``count`` is at least its size)."""
        if count < 1:
            raise ValueError(f"a universe needs at least one symbol, got {count}")
        known = [Symbol(code, name, market, price) for code, name, market, price in _WELL_KNOWN]
        if count <= len(known):
            return Universe(tuple(known[:count]), DEFAULT_UNIVERSE.us)
        if count == len(DEFAULT_UNIVERSE):
            return DEFAULT_UNIVERSE
        made_up = _generated({s.code for s in known}, count - len(known))
        return Universe(tuple(known) + tuple(made_up), DEFAULT_UNIVERSE.us)

    def get(self, code: str) -> Symbol | None:
        base, _ = split_code(code)
        return self._by_code.get(base)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __len__(self) -> int:
        return len(self.symbols)

    def __iter__(self) -> Iterator[Symbol]:
        return iter(self.symbols)

    def at(self, index: int) -> Symbol:
        """The ``index``-th symbol, wrapping around (rows of lists that name many symbols)."""
        return self.symbols[index % len(self.symbols)]

    def with_symbols(self, extra: Mapping[str, str] | Iterable[Symbol]) -> Universe:
        """A copy with more symbols (``{"123450": "샌드박스전자"}`` or ``Symbol`` objects);
        a code already listed is replaced."""
        added = (
            [Symbol(split_code(c)[0], n) for c, n in extra.items()]
            if isinstance(extra, Mapping)
            else list(extra)
        )
        for symbol in added:
            if not _CODE_RE.match(symbol.code):
                raise ValueError(f"{symbol.code!r} is not a 6-character KRX code")
        codes = {s.code for s in added}
        kept = tuple(s for s in self.symbols if s.code not in codes)
        return Universe(kept + tuple(added), self.us)


def _default() -> Universe:
    known = [Symbol(code, name, market, price) for code, name, market, price in _WELL_KNOWN]
    us = tuple(Symbol(code, name, "US", price) for code, name, price in _US_WELL_KNOWN)
    return Universe(tuple(known) + tuple(_generated({s.code for s in known})), us)


DEFAULT_UNIVERSE = _default()
