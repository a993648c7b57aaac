"""At catalogue size (~300 specs) the sandbox loads every spec and serves each route.

Start-up time is measured by ``bench/sandbox_startup.py`` (timings are not asserted here: the
machine is shared); this test only proves that a big catalogue works and that per-route work
is done on first use and kept.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.routes import Route
from tests.sandbox._helpers import make_catalogue, make_config


@pytest.mark.slow  # ~0.7 s of YAML
def test_300_specs_load_and_every_route_answers(tmp_path: Path) -> None:
    specs = make_catalogue(tmp_path / "specs", count=300)
    with Sandbox(make_config(specs_dir=specs, fixtures_dir=None)) as sb:
        routes = sb.app.routes.by_api_id
        assert sum(api_id.startswith("kz") for api_id in routes) == 300
        # nothing per route is computed at start: plans and examples wait for a request
        assert all("plan" not in vars(route) for route in routes.values())
        token = sb.issue_token()
        with httpx.Client(base_url=sb.base_url, timeout=10) as client:
            for api_id in sorted(routes)[::7]:
                route = routes[api_id]
                if route.role is not None:
                    continue
                body = {f.element: "000660" for f in route.symbol_fields}
                headers = {"api-id": api_id, "authorization": f"Bearer {token}"}
                answer = client.post(route.spec.url, json=body, headers=headers).json()
                assert answer["return_code"] == 0, (api_id, answer)
                assert "plan" in vars(route)  # kept for the next request
                assert isinstance(route, Route)
