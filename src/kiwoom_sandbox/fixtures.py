"""Recorded answers: ``tests/fixtures/<api_id>/*.json``.

A fixture is one recorded conversation for one request, possibly over several pages::

    {
      "description": "what was recorded, and when",
      "request": {"stk_cd": "005930"},
      "pages": [
        {"headers": {"cont-yn": "Y", "next-key": "K1"}, "body": {..., "return_code": 0, ...}},
        {"headers": {"cont-yn": "N", "next-key": ""}, "body": {...}}
      ]
    }

A recording (``Client(record=DIR)``, promoted with ``python -m codegen promote``) also carries
a ``recorded`` object (env, host, time, client version, ...), which serving ignores.
``request`` matches a call when every key it names has the same value in the call's body
(extra keys in the call are ignored; the fixture naming the most keys wins, then the file name).
Page ``i + 1`` is served to a call carrying ``cont-yn: Y`` and the ``next-key`` of page ``i``.
The format is shared with ``python -m codegen validate``, which checks the bodies against the
spec; this module checks only what serving needs and names the file and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs


class FixtureError(ValueError):
    """A fixture file the sandbox cannot serve, with its path in the message."""


@attrs.frozen
class Page:
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def cont_yn(self) -> str:
        return self.headers.get("cont-yn", "N")

    @property
    def next_key(self) -> str:
        return self.headers.get("next-key", "")


@attrs.frozen
class Fixture:
    path: Path
    api_id: str
    description: str
    request: dict[str, Any]
    pages: tuple[Page, ...]

    def matches(self, body: Mapping[str, Any]) -> bool:
        return all(key in body and body[key] == value for key, value in self.request.items())

    def page_after(self, next_key: str) -> int | None:
        """Index of the page that follows the page announcing ``next_key``; None if none does."""
        for i, page in enumerate(self.pages[:-1]):
            if page.cont_yn == "Y" and page.next_key == next_key:
                return i + 1
        return None


def _fail(path: Path, problem: str) -> FixtureError:
    return FixtureError(f"{path}: {problem}")


def _page(path: Path, index: int, raw: Any) -> Page:
    where = f"pages[{index}]"
    if not isinstance(raw, dict) or set(raw) - {"headers", "body"} or "body" not in raw:
        raise _fail(path, f"{where}: expected an object with 'body' and optional 'headers'")
    headers = raw.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise _fail(path, f"{where}.headers: expected an object of strings")
    if not isinstance(raw["body"], dict):
        raise _fail(path, f"{where}.body: expected an object")
    if "return_code" not in raw["body"]:
        raise _fail(path, f"{where}.body: the full body is recorded, return_code included")
    return Page({k.lower(): v for k, v in headers.items()}, raw["body"])


def load_fixture(path: Path, api_id: str) -> Fixture:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"cannot read: {exc}") from None
    if not isinstance(raw, dict):
        raise _fail(path, "expected an object at the top")
    unknown = set(raw) - {"description", "request", "pages", "recorded"}
    if unknown:
        raise _fail(path, f"unknown key(s): {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("recorded", {}), dict):  # provenance of a recording; not served
        raise _fail(path, "recorded: expected an object")
    request, pages = raw.get("request", {}), raw.get("pages")
    if not isinstance(request, dict):
        raise _fail(path, "request: expected an object")
    if not isinstance(pages, list) or not pages:
        raise _fail(path, "pages: expected a non-empty list")
    parsed = tuple(_page(path, i, p) for i, p in enumerate(pages))
    for i, page in enumerate(parsed):
        last = i == len(parsed) - 1
        if last and page.cont_yn == "Y":
            raise _fail(path, f"pages[{i}]: the last page says cont-yn Y")
        if not last and (page.cont_yn != "Y" or not page.next_key):
            raise _fail(path, f"pages[{i}]: a page followed by another needs cont-yn Y, next-key")
    keys = [p.next_key for p in parsed[:-1]]
    if len(set(keys)) != len(keys):
        raise _fail(path, "next-key values repeat across pages")
    return Fixture(path, api_id, str(raw.get("description", "")), request, parsed)


def load_fixtures(directory: Path | None) -> dict[str, list[Fixture]]:
    """Every fixture under ``directory``, by api-id, most specific request first."""
    found: dict[str, list[Fixture]] = {}
    if directory is None or not directory.is_dir():
        return found
    for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
        fixtures = [load_fixture(path, sub.name) for path in sorted(sub.glob("*.json"))]
        if fixtures:
            fixtures.sort(key=lambda f: (-len(f.request), f.path.name))
            found[sub.name] = fixtures
    return found


def find_fixture(
    fixtures: Mapping[str, list[Fixture]], api_id: str, body: Mapping[str, Any]
) -> Fixture | None:
    return next((f for f in fixtures.get(api_id, []) if f.matches(body)), None)
