"""Render response bodies as JSON, an aligned text table, or CSV.

Works on the bodies exactly as the server sent them (``to_dict()``), so nothing the specs do not
know is lost in the output: unknown keys become extra columns.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ENVELOPE = ("return_code", "return_msg")


def list_key(body: Mapping[str, Any]) -> str | None:
    """The key of the first LIST (array of objects) in a body, if any."""
    for key, value in body.items():
        if isinstance(value, list) and all(isinstance(row, dict) for row in value):
            return key
    return None


def rows_of(bodies: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows: the LIST rows across every page, or one row per body otherwise."""
    key = list_key(bodies[0]) if bodies else None
    rows: list[dict[str, Any]] = []
    if key is not None:
        for body in bodies:
            rows.extend(body.get(key) or [])
    else:
        rows = [{k: v for k, v in body.items() if k not in ENVELOPE} for body in bodies]
    columns: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for column in row:
            if column not in seen:
                seen.add(column)
                columns.append(column)
    return columns, rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _width(text: str) -> int:
    # Hangul and other wide characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _numeric(text: str) -> bool:
    return text.lstrip("+-").replace(".", "", 1).isdigit()


def render_json(bodies: Sequence[Mapping[str, Any]], *, all_pages: bool) -> str:
    data: Any = list(bodies) if all_pages else bodies[0]
    return json.dumps(data, ensure_ascii=False, indent=2)


def render_table(bodies: Sequence[Mapping[str, Any]]) -> str:
    columns, rows = rows_of(bodies)
    if not rows:
        return "(no rows)"
    if list_key(bodies[0]) is None and len(rows) == 1:
        # One object: a key/value listing reads better than one very wide row.
        row = rows[0]
        key_width = max(_width(c) for c in columns)
        return "\n".join(f"{_pad(c, key_width, False)}  {_cell(row.get(c))}" for c in columns)
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    right = [all(_numeric(r[i]) or not r[i] for r in cells) for i in range(len(columns))]
    lines = ["  ".join(_pad(c, widths[i], right[i]) for i, c in enumerate(columns))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(v, widths[i], right[i]) for i, v in enumerate(r)) for r in cells)
    return "\n".join(lines)


def render_csv(bodies: Sequence[Mapping[str, Any]]) -> str:
    columns, rows = rows_of(bodies)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue().rstrip("\n")


def render(bodies: Iterable[Mapping[str, Any]], fmt: str, *, all_pages: bool) -> str:
    pages = list(bodies)
    if fmt == "json":
        return render_json(pages, all_pages=all_pages)
    if fmt == "table":
        return render_table(pages)
    return render_csv(pages)
