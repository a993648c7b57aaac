"""Names and text shaping for generated code: class names, Python literals, wrapped comments.

Everything here is pure and deterministic; the generator's output depends on nothing else.
"""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from codegen.spec import IDENT_RE

#: Line length the generated code must respect (ruff ``line-length``).
LINE_LENGTH = 100


def is_identifier(name: str) -> bool:
    return bool(IDENT_RE.match(name)) and not keyword.iskeyword(name)


def camel(text: str) -> str:
    """``stk_ddwkmm`` -> ``StkDdwkmm``; ``ka10001`` -> ``Ka10001``."""
    return "".join(part[:1].upper() + part[1:] for part in text.split("_") if part)


_WIDE_BELOW_1100 = frozenset(
    ch for ch in map(chr, range(0x1100)) if unicodedata.east_asian_width(ch) in "WF"
)


@functools.lru_cache(maxsize=1 << 16)
def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (and in ruff's E501): wide CJK characters count 2."""
    if text.isascii():
        return len(text)
    width = unicodedata.east_asian_width
    # Below U+1100 (Hangul Jamo) only a few unassigned code points are wide: a set lookup
    # instead of a call for the ASCII and Latin text that most lines are made of.
    return len(text) + sum(
        1 for ch in text if (width(ch) in "WF" if ch >= "\u1100" else ch in _WIDE_BELOW_1100)
    )


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


# Characters that end a line for Python's tokenizer or for editors (form feed, vertical tab,
# the Unicode line separators) and other control characters: never copied into generated text.
_CONTROL = {cp: " " for cp in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, 0x85, 0x2028, 0x2029)}
_CONTROL_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _CONTROL) + "]")


def doc_text(text: str) -> str:
    """Make ``text`` safe inside a ``\"\"\"`` docstring or a ``#`` comment (escapes, no tabs)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    if _CONTROL_RE.search(text):  # rare; translate() costs a dict lookup per character
        text = text.translate(_CONTROL)
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def docstring(lines: Sequence[str], indent: int) -> str:
    """A docstring at ``indent`` from ready-wrapped ``lines`` (as ``ruff format`` leaves it).

    One line when it fits with both quote triples; a longer single line is wrapped (ruff would
    join its closing quotes to it), and several lines end with the closing quotes on their own.
    A quote at either end is escaped: ``\"\"\"\"x\"\"\"`` would not parse, and ruff would
    otherwise pad it with a space.
    """
    pad = " " * indent
    body = list(lines) or [""]
    if len(body) == 1 and not fits(f'"""{body[0]}"""', indent):
        # ruff puts the closing quotes of a one-line docstring on its line whatever the length
        body = wrap(body[0], LINE_LENGTH - indent - 6)
    if body[0].startswith('"'):
        body[0] = "\\" + body[0]
    if body[-1].endswith('"') and not body[-1].endswith('\\"'):
        body[-1] = body[-1][:-1] + '\\"'
    if len(body) == 1 and indent + 6 + display_width(body[0]) <= LINE_LENGTH:
        return f'{pad}"""{body[0]}"""'
    out = [f'{pad}"""{body[0]}']
    out += [f"{pad}{line}" if line else "" for line in body[1:]]
    out.append(f'{pad}"""')
    return "\n".join(out)


def fits(text: str, indent: int = 0) -> bool:
    """Whether ``text`` (one line) fits the line length at ``indent``."""
    return indent + display_width(text) <= LINE_LENGTH


def fmt_call(head: str, args: Sequence[str], indent: int, tail: str = "") -> str:
    """``head(args...)tail`` laid out the way ``ruff format`` does at ``indent``.

    One line if it fits; else the arguments on one line of their own; else one per line with a
    trailing comma. A ``head`` ending in ``[`` makes a subscript (``Literal[...]``). The first
    line carries no indentation (the template supplies it).
    """
    opening, closing = ("[", "]") if head.endswith("[") else ("(", ")")
    head = head.removesuffix("[")
    inner = ", ".join(args)
    one = f"{head}{opening}{inner}{closing}{tail}"
    if "\n" not in one and fits(one, indent):
        return one
    pad = " " * (indent + 4)
    if "\n" not in inner and fits(inner, indent + 4):
        return f"{head}{opening}\n{pad}{inner}\n{' ' * indent}{closing}{tail}"
    body = "".join(f"{pad}{arg},\n" for arg in args)
    return f"{head}{opening}\n{body}{' ' * indent}{closing}{tail}"


def fmt_def(head: str, params: Sequence[str], returns: str, indent: int) -> str:
    """``def head(params) -> returns:`` as ``ruff format`` lays it out at ``indent``.

    One line if it fits; else the parameters one per line with a trailing comma (ruff hugs
    several parameters on one line when that fits, but keeps a magic trailing comma's layout).
    """
    arrow = f" -> {returns}" if returns else ""
    one = f"{head}({', '.join(params)}){arrow}:"
    if fits(one, indent):
        return one
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{param},\n" for param in params)
    return f"{head}(\n{body}{' ' * indent}){arrow}:"


def fmt_seq(
    opening: str, items: Sequence[str], closing: str, indent: int, head: str = "", tail: str = ""
) -> str:
    """``head`` + a tuple / list / dict / set display + ``tail``, laid out at ``indent``.

    One line if it fits, else one item per line with a trailing comma: ``ruff format`` never
    packs several items of a broken display on one line. A one-item tuple keeps its comma.
    Items may span lines (laid out one level in); the first line carries no indentation.
    """
    inner = f"{items[0]}," if opening == "(" and len(items) == 1 else ", ".join(items)
    one = f"{head}{opening}{inner}{closing}{tail}"
    if not items or ("\n" not in one and fits(one, indent)):
        return one
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{item},\n" for item in items)
    return f"{head}{opening}\n{body}{' ' * indent}{closing}{tail}"


def fmt_entry(key: str, value: str, indent: int) -> str:
    """``key: "value",`` — one entry of a broken dict display at ``indent`` (``value`` raw text).

    A value that does not fit goes in parentheses, as :func:`fmt_str` lays it out.
    """
    return fmt_str(value, indent, prefix=f"{key}: ", suffix=",")


def fmt_str(value: str, indent: int, prefix: str = "", suffix: str = "") -> str:
    """``prefix`` + the literal of ``value`` + ``suffix``, laid out at ``indent``.

    One line when it fits; else the literal goes in parentheses one level in (``name=(`` ...
    ``),``), cut after spaces into an implicit concatenation only where a piece would not fit
    (inside a word only when a word is wider than a line). ``ruff format`` keeps that layout:
    it joins the pieces only when they fit on one line, which greedy cutting rules out.
    """
    one = f"{prefix}{py_str(value)}{suffix}"
    if fits(one, indent):
        return one
    room = LINE_LENGTH - indent - 4 - 2  # one level in, inside the quotes
    pieces: list[str] = []
    current = ""
    for word in _split_keep_spaces(value):
        if current and display_width(py_str(current + word)) - 2 > room:
            pieces.append(current)
            current = ""
        while display_width(py_str(current + word)) - 2 > room and len(word) > 1:
            head, word = _cut(word, room - (display_width(py_str(current)) - 2))
            pieces.append(current + head)
            current = ""
        current += word
    if current:
        pieces.append(current)
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{py_str(piece)}\n" for piece in pieces)
    return f"{prefix}(\n{body}{' ' * indent}){suffix}"


def _split_keep_spaces(text: str) -> list[str]:
    """``"a b  c"`` -> ``["a ", "b  ", "c"]``: words with the blanks that follow them."""
    out: list[str] = []
    current = ""
    for ch in text:
        if current and ch != " " and current.endswith(" "):
            out.append(current)
            current = ""
        current += ch
    if current:
        out.append(current)
    return out


def _cut(word: str, room: int) -> tuple[str, str]:
    """The longest head of ``word`` whose literal fits ``room`` columns (at least one char)."""
    for end in range(len(word) - 1, 0, -1):  # long words are rare; linear is fine
        if display_width(py_str(word[:end])) - 2 <= room:
            return word[:end], word[end:]
    return word[:1], word[1:]


def fmt_assign(target: str, value: str, indent: int) -> str:
    """``target = value`` (a one-line value) laid out as ruff does when it is too long: a value
    in brackets (a list comprehension) is split inside them, any other goes in parentheses."""
    one = f"{target} = {value}"
    if fits(one, indent):
        return one
    if value.startswith("[") and value.endswith("]"):
        return f"{target} = [\n{' ' * (indent + 4)}{value[1:-1]}\n{' ' * indent}]"
    return f"{target} = (\n{' ' * (indent + 4)}{value}\n{' ' * indent})"


def fmt_import(module: str, names: Iterable[str], indent: int = 0) -> str:
    """``from module import names`` sorted and laid out the way ruff (isort + format) does.

    One line if it fits, else one name per line with a trailing comma.
    """
    ordered = sorted(set(names), key=import_member_key)
    one = f"from {module} import {', '.join(ordered)}"
    if fits(one, indent):
        return one
    pad = " " * (indent + 4)
    names_block = "".join(f"{pad}{name},\n" for name in ordered)
    return f"from {module} import (\n{names_block}{' ' * indent})"


def fmt_tuple(items: Sequence[str]) -> str:
    """A tuple literal on one line: ``()``, ``("a",)``, ``("a", "b")``."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


# -- the orders ruff checks (isort's I001 and RUF022's ``__all__``) ------------------------------


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def natural_compare(a: str, b: str) -> int:
    """Natural order as ruff sorts names (the ``natord`` crate, after Martin Pool's strnatcmp).

    Runs of digits compare as numbers (``x2 < x10``); a run starting with ``0`` compares
    left-aligned, digit by digit (``015 < 12``); whitespace is skipped; other characters compare
    by code point.
    """
    i = j = 0
    la, lb = len(a), len(b)
    while True:
        while i < la and a[i].isspace():
            i += 1
        while j < lb and b[j].isspace():
            j += 1
        if i >= la or j >= lb:
            return (i < la) - (j < lb)
        ca, cb = a[i], b[j]
        if _digit(ca) and _digit(cb):
            if ca == "0" or cb == "0":
                while True:  # left-aligned: the first different digit decides
                    if ca != cb:
                        return -1 if ca < cb else 1
                    i, j = i + 1, j + 1
                    da, db = i < la and _digit(a[i]), j < lb and _digit(b[j])
                    if da != db:
                        return 1 if da else -1
                    if not da:
                        break
                    ca, cb = a[i], b[j]
            else:
                last = (ca > cb) - (ca < cb)  # right-aligned: the longer run wins, then the first
                while True:  # difference
                    i, j = i + 1, j + 1
                    da, db = i < la and _digit(a[i]), j < lb and _digit(b[j])
                    if da != db:
                        return 1 if da else -1
                    if not da:
                        break
                    if last == 0:
                        last = (a[i] > b[j]) - (a[i] < b[j])
                if last:
                    return last
            continue
        if ca != cb:
            return -1 if ca < cb else 1
        i, j = i + 1, j + 1


_natural = functools.cmp_to_key(natural_compare)


def member_type(name: str) -> int:
    """isort's ``order-by-type`` class: 0 CONSTANT, 1 Class, 2 everything else."""
    if len(name) > 1 and name.isupper():
        return 0
    return 1 if name[:1].isupper() else 2


def import_member_key(name: str) -> tuple[Any, ...]:
    """Order of the names in ``from m import a, B, C`` (ruff's isort, case-insensitive)."""
    return (member_type(name), _natural(name.lower()), _natural(name))


def import_module_key(module: str) -> tuple[Any, ...]:
    """Order of ``from module import ...`` statements within one section."""
    return (_natural(module.lower()), _natural(module))


def all_key(name: str) -> tuple[Any, ...]:
    """Order of ``__all__`` (RUF022): CONSTANTS, Classes, others; natural order within each."""
    return (member_type(name), _natural(name))


def isort_key(name: str) -> tuple[Any, ...]:
    """Kept for callers of the old name: the order of imported names."""
    return import_member_key(name)
