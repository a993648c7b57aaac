"""The route table, built from ``specs/``: which TR answers a (path, api-id) pair.

Several TRs share one URL (``/api/dostk/mrkcond`` serves ka10005 and ka10006) and differ only
by the ``api-id`` header, so routing is two-level: the path must be known, then the api-id must
be a TR of that path. Nothing here is written per TR; a new spec file is a new route.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from codegen.loader import load_specs
from codegen.spec import Field, Role, TrSpec


def _example(text: str | None) -> dict[str, Any] | None:
    """The documentation's response example if it is a valid JSON object, else None.

    Examples are printed by hand in the manual and some are invalid (a missing comma in
    au10001); the sandbox then falls back to synthetic data instead of failing.
    """
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


@attrs.frozen
class Route:
    spec: TrSpec
    example: dict[str, Any] | None

    @property
    def api_id(self) -> str:
        return self.spec.api_id

    @property
    def role(self) -> Role | None:
        return None if self.spec.annotations is None else self.spec.annotations.role

    @property
    def mock_supported(self) -> bool:
        return self.spec.annotations is None or self.spec.annotations.mock_supported

    @property
    def list_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.spec.response.body if f.is_list)


@attrs.frozen
class RouteTable:
    by_api_id: dict[str, Route]
    paths: frozenset[str]

    @classmethod
    def from_specs(cls, directory: Path) -> RouteTable:
        specs = load_specs(directory).specs
        routes = {
            api_id: Route(spec, _example(spec.examples.response)) for api_id, spec in specs.items()
        }
        return cls(routes, frozenset(spec.url for spec in specs.values()))

    def for_role(self, role: Role) -> Route | None:
        return next((r for r in self.by_api_id.values() if r.role is role), None)
