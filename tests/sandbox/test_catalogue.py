"""At catalogue size (the 306 committed specs) the sandbox loads every spec and serves each
route.

Start-up time is measured by ``bench/sandbox_startup.py`` (timings are not asserted here: the
machine is shared); this test only proves that a big catalogue works and that per-route work
is done on first use and kept.
"""

from __future__ import annotations

import httpx
import pytest

from kiwoom_sandbox import Sandbox
from kiwoom_sandbox.routes import Route
from tests.arguments import valid_value
from tests.conftest import SPEC_IDS, SPECS
from tests.sandbox._helpers import make_config


@pytest.mark.slow  # ~0.7 s of YAML
def test_the_catalogue_loads_and_every_route_answers() -> None:
    with Sandbox(make_config(specs_dir=SPECS, fixtures_dir=None)) as sb:
        routes = sb.app.routes.by_api_id
        assert len(routes) == len(SPEC_IDS)
        # nothing per route is computed at start: plans and examples wait for a request
        assert all("plan" not in vars(route) for route in routes.values())
        token = sb.issue_token()
        with httpx.Client(base_url=sb.base_url, timeout=10) as client:
            for api_id in sorted(routes)[::7]:
                route = routes[api_id]
                if route.role is not None:
                    continue
                body = {f.element: valid_value(f) for f in route.spec.request.body if f.required}
                body.update({f.element: "000660" for f in route.symbol_fields})
                headers = {"api-id": api_id, "authorization": f"Bearer {token}"}
                answer = client.post(route.spec.url, json=body, headers=headers).json()
                if api_id in sb.orders.order_apis:  # orders depend on the account: tests/orders
                    assert answer["return_code"] in (0, 20), (api_id, answer)
                    continue
                assert answer["return_code"] == 0, (api_id, answer)
                # what the first request worked out is kept (a plan, or the fitting example);
                # the paper account answers its APIs from its state instead
                assert {"plan", "example_request"} & set(vars(route)) or sb.orders.handles(api_id)
                assert isinstance(route, Route)
