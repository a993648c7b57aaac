"""Names and text shaping for generated code: class names, Python literals, wrapped comments.

Everything here is pure and deterministic; the generator's output depends on nothing else.
"""

from __future__ import annotations

import functools
import keyword
import unicodedata
from collections.abc import Iterable

from codegen.spec import IDENT_RE

#: Line length the generated code must respect (ruff ``line-length``).
LINE_LENGTH = 100


def is_identifier(name: str) -> bool:
    return bool(IDENT_RE.match(name)) and not keyword.iskeyword(name)


def camel(text: str) -> str:
    """``stk_ddwkmm`` -> ``StkDdwkmm``; ``ka10001`` -> ``Ka10001``."""
    return "".join(part[:1].upper() + part[1:] for part in text.split("_") if part)


@functools.lru_cache(maxsize=1 << 16)
def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (and in ruff's E501): wide CJK characters count 2."""
    if text.isascii():
        return len(text)
    width = unicodedata.east_asian_width
    return len(text) + sum(1 for ch in text if width(ch) in "WF")


def _hard_split(word: str, width: int) -> list[str]:
    pieces: list[str] = []
    current, current_width = "", 0
    for ch in word:
        ch_width = display_width(ch)
        if current and current_width + ch_width > width:
            pieces.append(current)
            current, current_width = "", 0
        current += ch
        current_width += ch_width
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: int) -> list[str]:
    """Wrap ``text`` to ``width`` display columns, keeping its own line breaks and words.

    Only extra breaks are inserted (at spaces; inside a word only when a single word is wider
    than a line), so documentation text stays verbatim apart from trailing blanks.
    """
    out: list[str] = []
    for raw_line in text.split("\n"):
        line = raw_line.rstrip()
        if display_width(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        indent_width = display_width(indent)
        # Widths are kept incrementally: measuring every candidate line again made wrapping
        # quadratic in the line length (the generator's hottest spot on long documentation).
        current, current_width = indent, indent_width
        for word in line.split():
            word_width = display_width(word)
            if current == indent:
                candidate, candidate_width = current + word, current_width + word_width
            else:
                candidate, candidate_width = current + " " + word, current_width + 1 + word_width
            if candidate_width <= width:
                current, current_width = candidate, candidate_width
                continue
            if current.strip():
                out.append(current)
            if indent_width + word_width <= width:
                current, current_width = indent + word, indent_width + word_width
            else:
                *full, last = _hard_split(word, max(width - len(indent), 10))
                out.extend(indent + piece for piece in full)
                current, current_width = indent + last, indent_width + display_width(last)
        if current.strip():
            out.append(current)
    return out


def py_str(value: str) -> str:
    """A string literal the way ``ruff format`` writes it (double quotes preferred)."""
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def doc_text(text: str) -> str:
    """Make ``text`` safe inside a ``\"\"\"`` docstring or a ``#`` comment (escapes, no tabs)."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').replace("\t", "    ")


def fmt_call(head: str, args: list[str] | tuple[str, ...], indent: int) -> str:
    """``head(args...)`` laid out the way ``ruff format`` does at ``indent``.

    One line if it fits; else the arguments on one line of their own; else one per line with a
    trailing comma. The first line carries no indentation (the template supplies it).
    """
    inner = ", ".join(args)
    one = f"{head}({inner})"
    if indent + display_width(one) <= LINE_LENGTH:
        return one
    pad = " " * (indent + 4)
    if indent + 4 + display_width(inner) <= LINE_LENGTH:
        return f"{head}(\n{pad}{inner}\n{' ' * indent})"
    return f"{head}(\n" + "".join(f"{pad}{arg},\n" for arg in args) + " " * indent + ")"


def fmt_import(module: str, names: Iterable[str]) -> str:
    """``from module import names`` sorted and laid out the way ruff (isort + format) does.

    One line if it fits, else one name per line with a trailing comma.
    """
    ordered = sorted(names, key=isort_key)
    one = f"from {module} import {', '.join(ordered)}"
    if display_width(one) <= LINE_LENGTH:
        return one
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in ordered) + ")"


def fmt_tuple(items: list[str] | tuple[str, ...]) -> str:
    """A tuple literal on one line: ``()``, ``("a",)``, ``("a", "b")``."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def isort_key(name: str) -> tuple[int, str]:
    """Order of imported names and ``__all__`` (ruff): CONSTANTS, then Classes, then others."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)
