"""codegen.naming: the linear-time wrapping gives exactly the lines of the simple definition."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.naming import display_width, fmt_import, wrap


def _reference_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _reference_wrap(text: str, width: int) -> list[str]:
    """The original (quadratic) definition: measure every candidate line from scratch."""

    def hard_split(word: str, limit: int) -> list[str]:
        pieces: list[str] = []
        current = ""
        for ch in word:
            if current and _reference_width(current + ch) > limit:
                pieces.append(current)
                current = ""
            current += ch
        if current:
            pieces.append(current)
        return pieces

    out: list[str] = []
    for raw_line in text.split("\n"):
        line = raw_line.rstrip()
        if _reference_width(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        current = indent
        for word in line.split():
            candidate = current + word if current == indent else current + " " + word
            if _reference_width(candidate) <= width:
                current = candidate
                continue
            if current.strip():
                out.append(current)
            if _reference_width(indent + word) <= width:
                current = indent + word
            else:
                *full, last = hard_split(word, max(width - len(indent), 10))
                out.extend(indent + piece for piece in full)
                current = indent + last
        if current.strip():
            out.append(current)
    return out


_PIECES = [
    "a",
    "b",
    "가",
    "나",
    "長",
    " ",
    "  ",
    ".",
    "·",
    "\n",
    "-",
    "_",
    "abcdefghij",
    "가나다라마",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.integers(min_value=1, max_value=120))
def test_wrap_matches_the_reference(text: str, width: int) -> None:
    assert wrap(text, width) == _reference_wrap(text, width)


@given(st.text(max_size=50))
def test_display_width_matches_the_reference(text: str) -> None:
    assert display_width(text) == _reference_width(text)


def test_fmt_import() -> None:
    assert fmt_import("m", ["typed_value", "SignedPrice", "KST"]) == (
        "from m import KST, SignedPrice, typed_value"
    )
    names = [f"parse_something_{i}" for i in range(6)]
    assert fmt_import("kiwoom_runtime.values", names) == (
        "from kiwoom_runtime.values import (\n" + "".join(f"    {n},\n" for n in names) + ")"
    )
