"""Allowed values by rule: the ``value:meaning`` lists the descriptions print, parsed.

Descriptions enumerate codes in many hands: ``0:전체, 1:코스피, 2:코스닥``, ``1:KRX, 2:NXT 3.통합``,
``KRX,NXT,SOR``, ``0 or 1``, ``금액:0, 수량:1`` (meaning first), one per line, ``;`` for ``:``.
A description is taken as the complete list only when every part of it is an item; a list with
any other text (``0:전체 10,15,20,...(1만단위) 이상``, ``... ※ 업종코드 참고``), or one side of
a flag alone (``Y: 가능``: recorded answers send ``N`` too), is left alone,
because refusing a value the server accepts would be worse than checking nothing. The result
is what client methods check before sending and what ``Literal`` types offer to mypy; a
``values:`` map written on the field in the spec overrides it (``values: {}`` turns it off).
"""

from __future__ import annotations

import re

_KEY = r"(?:[0-9A-Za-z%][0-9A-Za-z%._+\-]{0,11}|[+\-])"
_PAIR = re.compile(rf"^({_KEY})\s*[:;]\s*(.*)$", re.S)
_DOT_PAIR = re.compile(r"^(\d{1,3})\.(?=[^\d\s])(.+)$", re.S)  # "3.통합" (a printed typo of ":")
_REVERSED = re.compile(rf"^([^\x00-\x7f][^:]*?)\s*:\s*({_KEY})$")
_BARE = re.compile(r"^[A-Z%][A-Z0-9]{1,5}$")
_FORMAT = re.compile(r"^(Y{2,4}(MM)?(DD)?|HH|MM|SS)$")
_OR = re.compile(r"^(\w{1,4})\s+or\s+(\w{1,4})(\s*/.*)?$", re.S)
# An item starts after whitespace where a new "key:" (or "3.") begins: "2:NXT 3:통합".
_ITEM_START = re.compile(rf"\s+(?=(?:{_KEY})\s*[:;]|\d{{1,3}}\.[^\d\s])")
# A meaning that itself holds "03시장가" hides a value printed without its colon.
_HIDDEN_KEY = re.compile(r"\s\d{2,}[가-힣A-Za-z]")
# Text after a comma that continues the meaning before it ("4:관리종목,우선주제외"); a part with
# digits or one that allows an empty value says more than a meaning, so it ends the list.
_CONTINUATION = re.compile(r"^[^\x00-\x7f][^0-9:;]*$")
_EMPTY_ALLOWED = re.compile(r"빈값|공백|미입력")
#: Notes that say the list is not the whole story.
_INCOMPLETE = re.compile(r"※|참고|나머지|이상\s*\(")


def parse_values(description: str) -> dict[str, str] | None:
    """The allowed values of a description, or None when it is not a complete list."""
    text = description.strip()
    if not text:
        return None
    match = _OR.match(text)
    if match:
        return {match.group(1): "", match.group(2): ""}
    parts: list[str] = []
    for chunk in re.split(r"[,|\n]", text):
        parts += [p for p in _ITEM_START.split(chunk.strip()) if p.strip()]
    if not parts:
        return None
    pairs: list[tuple[str, str]] = []
    bare: list[str] = []
    reversed_pairs: list[tuple[str, str]] = []
    for raw in parts:
        item = raw.strip().rstrip(".")
        rev = _REVERSED.match(item)
        pair = _PAIR.match(item) or _DOT_PAIR.match(item)
        if pairs and not pair and not rev and _continues(item):
            key, meaning = pairs[-1]
            pairs[-1] = (key, f"{meaning},{item}")
        elif pair and not rev:
            pairs.append((pair.group(1), pair.group(2).strip()))
        elif rev:
            reversed_pairs.append((rev.group(2), rev.group(1).strip()))
        elif _BARE.match(item):
            bare.append(item)
        else:
            return None
    if reversed_pairs and (pairs or bare):
        return None
    found = reversed_pairs or pairs
    if bare and pairs and not any(key == "%" for key, _ in pairs):
        return None  # "USD 0:전체, ...": a word before the list, not a value
    if any(_FORMAT.match(key) for key, _ in found) or any(_FORMAT.match(b) for b in bare):
        return None  # "YYYY:년도", "HH:mm": a format, not a value
    if not bare and [key for key, _ in found] in (["Y"], ["N"]):
        return None  # "Y: 가능" names one side of a flag; answers send "N" too (ka10099)
    out: dict[str, str] = {}
    for key, meaning in [*found, *((b, "") for b in bare)]:
        if _HIDDEN_KEY.search(meaning) or _INCOMPLETE.search(meaning):
            return None
        if key in out and out[key] != meaning:
            return None  # the same value with two meanings: not a list to check against
        out[key] = meaning
    return out or None


def _continues(part: str) -> bool:
    return bool(_CONTINUATION.match(part)) and not _EMPTY_ALLOWED.search(part)
