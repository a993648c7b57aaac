"""Names and text shaping for generated code: class names, Python literals, wrapped comments.

Everything here is pure and deterministic; the generator's output depends on nothing else.
"""

from __future__ import annotations

import keyword
import unicodedata

from codegen.spec import IDENT_RE

#: Line length the generated code must respect (ruff ``line-length``).
LINE_LENGTH = 100


def is_identifier(name: str) -> bool:
    return bool(IDENT_RE.match(name)) and not keyword.iskeyword(name)


def camel(text: str) -> str:
    """``stk_ddwkmm`` -> ``StkDdwkmm``; ``ka10001`` -> ``Ka10001``."""
    return "".join(part[:1].upper() + part[1:] for part in text.split("_") if part)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (and in ruff's E501): wide CJK characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _hard_split(word: str, width: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and display_width(current + ch) > width:
            pieces.append(current)
            current = ""
        current += ch
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
        current = indent
        for word in line.split():
            candidate = current + word if current == indent else current + " " + word
            if display_width(candidate) <= width:
                current = candidate
                continue
            if current.strip():
                out.append(current)
            if display_width(indent + word) <= width:
                current = indent + word
            else:
                *full, last = _hard_split(word, max(width - len(indent), 10))
                out.extend(indent + piece for piece in full)
                current = indent + last
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
