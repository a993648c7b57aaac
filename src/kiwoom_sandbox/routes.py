"""The route table, built from ``specs/``: which TR answers a (path, api-id) pair.

Several TRs share one URL (``/api/dostk/mrkcond`` serves ka10005 and ka10006) and differ only
by the ``api-id`` header, so routing is two-level: the path must be known, then the api-id must
be a TR of that path. Nothing here is written per TR; a new spec file is a new route.

Start-up only loads the specs (the catalogue has ~300); what a route needs to answer (its
synthesis plan, whether its documentation example fits, which request fields carry stock
codes or dates) is computed on its first request and kept, so a big catalogue starts fast and
no request pays twice.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from codegen.kinds import kind_problem
from codegen.loader import load_specs
from codegen.spec import Field, Role, TrSpec, ValueKind
from kiwoom_sandbox.meaning import infer_kind, is_symbol_field
from kiwoom_sandbox.synth import ObjectPlan, compile_plan

ENVELOPE = frozenset({"return_code", "return_msg"})


def _json_object(text: str | None) -> dict[str, Any] | None:
    """A documentation example if it is a valid JSON object, else None.

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


def fits(fields: Sequence[Field], data: Mapping[str, Any], allowed: frozenset[str]) -> bool:
    """Does every value of ``data`` fit its field (known key, string, length, value kind)?"""
    by_name = {f.element: f for f in fields}
    for key, value in data.items():
        field = by_name.get(key)
        if field is None:
            if key not in allowed:
                return False
            continue
        if field.is_list:
            if not isinstance(value, list) or not all(
                isinstance(row, dict) and fits(field.items, row, frozenset()) for row in value
            ):
                return False
            continue
        if not isinstance(value, str):
            return False
        if field.length is not None and len(value) > field.length:
            return False
        if kind_problem(field, value) is not None:
            return False
    return data.get("return_code", 0) in (0, "0")


class Route:
    """One TR as the sandbox serves it; derived facts are computed on first use."""

    def __init__(self, spec: TrSpec, envelope: frozenset[str] = ENVELOPE) -> None:
        self.spec = spec
        self._envelope = envelope

    @property
    def api_id(self) -> str:
        return self.spec.api_id

    # The TR-level facts as the rules resolved them (hand annotations win): codegen.rules.
    @property
    def role(self) -> Role | None:
        return self.spec.facts.role

    @property
    def mock_supported(self) -> bool:
        return self.spec.facts.mock_supported

    @property
    def paged(self) -> bool:
        return self.spec.facts.paged

    @functools.cached_property
    def list_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.spec.response.body if f.is_list)

    @functools.cached_property
    def plan(self) -> ObjectPlan:
        return compile_plan(self.spec.response.body)

    @functools.cached_property
    def symbol_fields(self) -> tuple[Field, ...]:
        """Request fields that carry stock codes (checked against the universe)."""
        return tuple(f for f in self.spec.request.body if is_symbol_field(f))

    @functools.cached_property
    def date_fields(self) -> tuple[Field, ...]:
        """Request fields holding a date (``base_dt``...): they move the answer's day."""
        return tuple(
            f
            for f in self.spec.request.body
            if not f.is_list and (f.kind or infer_kind(f)) is ValueKind.DATE
        )

    @functools.cached_property
    def example(self) -> dict[str, Any] | None:
        """The documented response, if it fits the spec, as the full body to send."""
        body = _json_object(self.spec.examples.response)
        if body is None or not fits(self.spec.response.body, body, self._envelope):
            return None
        return {
            **body,
            "return_code": body.get("return_code", 0),
            "return_msg": body.get("return_msg", "정상적으로 처리되었습니다"),
        }

    @functools.cached_property
    def example_request(self) -> dict[str, Any] | None:
        """The documented request: the example answers only requests that match it."""
        return _json_object(self.spec.examples.request)

    def example_for(self, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """The documentation's answer if it documents this request (and fits), else None."""
        request = self.example_request
        if request is None or self.example is None:
            return None
        if all(key in body and body[key] == value for key, value in request.items()):
            return self.example
        return None


@attrs.frozen
class RouteTable:
    by_api_id: dict[str, Route]
    paths: frozenset[str]

    @classmethod
    def from_specs(cls, directory: Path) -> RouteTable:
        """Load every spec (a ``SpecError`` names the file, line and path of a bad one)."""
        loaded = load_specs(directory)
        envelope = frozenset(f.element for f in loaded.common.envelope) | ENVELOPE
        routes = {api_id: Route(spec, envelope) for api_id, spec in loaded.specs.items()}
        return cls(routes, frozenset(spec.url for spec in loaded.specs.values()))

    def for_role(self, role: Role) -> Route | None:
        return next((r for r in self.by_api_id.values() if r.role is role), None)
