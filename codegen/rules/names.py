"""Python names by rule: a method name and an English name for every TR, a Python name for
every field.

Method names follow one scheme: a verb, then the API 명 translated word by word with
:mod:`codegen.rules.glossary`:

* orders: ``place_…_buy_order`` / ``place_…_sell_order`` / ``modify_…_order`` /
  ``cancel_…_order`` (``신용 매수주문`` -> ``place_credit_buy_order``);
* ``리스트`` / ``목록`` -> ``list_…``; ``발급`` -> ``issue_…``; ``폐기`` -> ``revoke_…``;
  ``신청`` -> ``apply_for_…``;
* everything else -> ``get_…`` (``주식일봉차트조회요청`` -> ``get_stock_daily_chart``).

US APIs read ``미국주식`` as ``us`` (``get_us_daily_chart``), so domestic and US names stay
apart; a parenthesised variant becomes a suffix (``(ETF)`` -> ``_etf``). Two TRs that still get
the same name are reported by ``validate`` and refused by ``generate`` (a located error on both
specs): give one an ``annotations.python_name``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping

from codegen.rules.glossary import ORDER_VERBS, VARIANTS, VERBS, WORDS

_VARIANT = re.compile(r"\(([^()]*)\)\s*$")
_SEPARATORS = re.compile(r"[\s/,·&+]+")
_ACRONYMS = {"us", "etf", "etn", "elw", "nav", "lp", "per", "krw", "pnl"}
#: The longest glossary word, to bound the greedy cut.
_LONGEST = max(len(word) for word in WORDS)


def segment(text: str, vocabulary: Mapping[str, str] = WORDS) -> list[str] | None:
    """Cut ``text`` into glossary words (longest first); None when a part is unknown."""
    out: list[str] = []
    longest = _LONGEST if vocabulary is WORDS else max(map(len, vocabulary))
    for chunk in _SEPARATORS.split(text):
        i = 0
        while i < len(chunk):
            for size in range(min(longest, len(chunk) - i), 0, -1):
                if chunk[i : i + size] in vocabulary:
                    out.append(chunk[i : i + size])
                    i += size
                    break
            else:
                return None
    return out


#: Words that lead an English name although Korean puts them last (상위 -> "top …").
_FRONT = {"top", "bottom", "top10", "top50"}


def _english(words: list[str], vocabulary: Mapping[str, str] = WORDS) -> list[str]:
    """English tokens in English order: ``종목별기관매매추이`` -> institution trading trend by
    stock, ``거래대금상위`` -> top trading value."""
    phrases = [vocabulary[word] for word in words if vocabulary[word]]
    market = phrases[:1] if phrases[:1] == ["us"] else []  # the market prefix stays first
    phrases = phrases[len(market) :]
    front = market + [p for p in phrases if p in _FRONT]
    by = [p for p in phrases if p.startswith("by_")]
    rest = [p for p in phrases if p not in _FRONT and not p.startswith("by_")]
    tokens: list[str] = []
    for phrase in front + rest + by:
        for token in phrase.split("_"):
            if token and (not tokens or tokens[-1] != token):
                tokens.append(token)
    return tokens


def translate(name: str, vocabulary: Mapping[str, str] = WORDS) -> tuple[str, list[str]] | None:
    """(verb, English tokens of the object) of an API 명, or None when a word is unknown."""
    variant = ""
    while match := _VARIANT.search(name):
        inner = match.group(1).strip()
        name = name[: match.start()].rstrip()
        if inner in VARIANTS:
            variant = "_".join(filter(None, (VARIANTS[inner], variant)))
        else:
            words = segment(inner, vocabulary)
            if words is None:
                return None
            variant = "_".join(filter(None, ("_".join(_english(words, vocabulary)), variant)))
    head, _, tail = name.partition("_")  # 실현손익요청_일자 / _기간: a variant after "_"
    if tail:
        words = segment(tail, vocabulary)
        if words is None:
            return None
        variant = "_".join(filter(None, ("_".join(_english(words, vocabulary)), variant)))
        name = head
    compact = re.sub(r"(조회|요청)+$", "", name.replace(" ", ""))
    verb = "get"
    suffix: list[str] = []
    for korean, order_verb, obj in ORDER_VERBS:
        if compact.endswith(korean):
            verb, suffix = order_verb, obj.split("_")
            name = compact[: -len(korean)]
            break
    else:
        for korean, word_verb in VERBS:
            if compact.endswith(korean):
                verb = word_verb
                break
    words = segment(name, vocabulary)
    if words is None:
        return None
    tokens = _english(words, vocabulary) + suffix
    if variant:
        tokens += variant.split("_")
    return verb, tokens


def method_name(api_id: str, name: str) -> tuple[str, str, bool]:
    """(method name, English name, translated?) of a TR; the API ID stands in when a word of
    the name is not in the glossary."""
    result = translate(name)
    if result is None or not result[1]:
        return f"call_{api_id.lower()}", api_id, False
    verb, tokens = result
    method = "_".join([verb, *tokens])
    if keyword.iskeyword(method) or not method.isidentifier():  # pragma: no cover - defensive
        return f"call_{api_id.lower()}", api_id, False
    shown = [t.upper() if t in _ACRONYMS else t for t in tokens]
    english = " ".join(shown).replace("vs", "vs.")
    return method, english[:1].upper() + english[1:], True


# --- fields ------------------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_LEADING_DIGITS = re.compile(r"^(\d+)([A-Za-z_].*)$")


def field_name(element: str, reserved: frozenset[str]) -> str | None:
    """A Python name for a wire key that is not one, or None when the key is fine as it is.

    ``250hgst_pric_dt`` -> ``hgst_250_pric_dt`` (a name cannot start with a digit),
    ``marketCode`` -> ``market_code`` (snake_case like every other field), a keyword or a
    reserved name gets a trailing ``_`` (``from`` -> ``from_``, ``list`` -> ``list_``), other
    characters become ``_``.
    """
    name = _CAMEL.sub(r"_\1", element).lower()
    name = re.sub(r"[^0-9a-z_]", "_", name)
    match = _LEADING_DIGITS.match(name)
    if match:  # the digits go behind the first word: 250hgst_pric_dt -> hgst_250_pric_dt
        first, _, rest = match.group(2).strip("_").partition("_")
        name = "_".join(filter(None, (first, match.group(1), rest)))
    if name and name[0].isdigit():
        name = f"f_{name}"
    name = name.strip("_") or "field"
    if keyword.iskeyword(name) or name in reserved:
        name += "_"
    return None if name == element else name


#: Names a field may not take in Python: model attributes/methods the generator adds, client
#: method parameters, and names the generated class bodies use (a field named ``str`` would
#: shadow the builtin inside the class body). The rule appends ``_``.
RESERVED_FIELD_NAMES = frozenset(
    {
        "Any",
        "attrs",
        "bool",
        "classmethod",
        "ClassVar",
        "cls",
        "cont_yn",
        "date_arg",
        "datetime_arg",
        "Decimal",
        "DecimalPrice",
        "dict",
        "Direction",
        "extra",
        "float",
        "FRAME_COLUMNS",
        "from_arguments",
        "from_dict",
        "int",
        "list",
        "Literal",
        "Mapping",
        "max_pages",
        "next_key",
        "NO_ROWS",
        "object",
        "optional_date_arg",
        "optional_datetime_arg",
        "optional_time_arg",
        "property",
        "raw",
        "RawResponse",
        "REQUIRED",
        "self",
        "Sequence",
        "SignedPrice",
        "staticmethod",
        "str",
        "time_arg",
        "timeout",
        "to_dataframe",
        "to_dict",
        "tuple",
        "type",
        "typed",
        "TypedView",
        "WIRE_NAMES",
    }
)
