"""What the sandbox answers, independent of sockets: request in, ``Reply`` out.

The order of checks follows what a client can observe from the live service: routing (path,
then api-id), injected faults, rate limit, authentication, required fields, mock-only rules,
then the data. Keeping this apart from ``server.py`` lets the HTTP layer stay a thin writer
that only knows how to send bytes, delay, and break the connection on purpose.

Where the data comes from, first match wins:

1. ``pages_for`` names the api-id: synthetic pages, always (benchmarks);
2. a fixture whose ``request`` matches: served as recorded, whatever code it names;
3. a stock code the sandbox does not list (``symbol_policy``, ``universe``): ``[1901:...]``;
   then, for the order APIs and the account APIs it covers, the paper account
   (``kiwoom_sandbox.orders``, unless ``paper_trading=False``);
4. a chart (menu 차트) or a market's symbol list: history from the price path, paged back
   to the listing date (``history.py``; ``SandboxConfig.chart_history``);
5. the documentation example, if it documents this request and every value fits the spec;
6. synthetic pages (``synth.py``), over the price path of ``market.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from codegen.spec import Role, ValueKind
from kiwoom_sandbox import codes
from kiwoom_sandbox.config import Fault, FaultKind, SandboxConfig
from kiwoom_sandbox.fixtures import Fixture, find_fixture, load_fixtures
from kiwoom_sandbox.history import chart_page, chart_plan, listing_page, listing_plan
from kiwoom_sandbox.limits import RateLimiter
from kiwoom_sandbox.market import Market
from kiwoom_sandbox.orders.engine import OrderEngine
from kiwoom_sandbox.routes import Route, RouteTable
from kiwoom_sandbox.symbols import well_formed
from kiwoom_sandbox.synth import generate_body
from kiwoom_sandbox.tokens import TokenStore, format_expires_dt

JSON_TYPE = "application/json;charset=UTF-8"
REDACTED = "<redacted>"
_SECRET_BODY_KEYS = ("secretkey",)
_MOCK_REFUSED_SUFFIXES = ("_NX", "_AL")


@attrs.frozen
class RequestRecord:
    """One request as received, for tests that count sends or check what was sent."""

    api_id: str | None
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names; ``authorization`` redacted."""
    body: Any
    """The parsed JSON (``secretkey`` redacted), or the raw text if it was not JSON."""
    time: float


@attrs.define
class Reply:
    """What the HTTP layer must do: status, headers, body, and optional misbehaviour."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    delay: float = 0.0
    reset_after: int | None = None
    """Send only this many body bytes, then reset the connection."""


def _html_page(status: int, title: str) -> bytes:
    return (
        f"<html><head><title>{status} {title}</title></head><body><center><h1>{status} {title}"
        f"</h1></center><hr><center>nginx</center></body></html>\n"
    ).encode()


_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
}


class FaultQueue:
    """Faults waiting for calls of an api-id (``"*"``: any api-id), first in first out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[list[Any]]] = {}

    def add(self, api_id: str, fault: Fault) -> None:
        with self._lock:
            self._queues.setdefault(api_id, deque()).append([fault, fault.count])

    def take(self, api_id: str) -> Fault | None:
        with self._lock:
            for key in (api_id, "*"):
                queue = self._queues.get(key)
                if queue:
                    entry = queue[0]
                    entry[1] -= 1
                    if entry[1] <= 0:
                        queue.popleft()
                    fault: Fault = entry[0]
                    return fault
        return None

    def pending(self, api_id: str) -> int:
        with self._lock:
            return sum(entry[1] for entry in self._queues.get(api_id, ()))

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _synthetic_key(api_id: str, request: Mapping[str, Any], page: int) -> str:
    """A stateless next-key that names the page and is bound to the request it pages."""
    digest = hashlib.sha256(repr((api_id, sorted(request.items()))).encode()).hexdigest()
    return f"SBX{page:05d}{digest[:12]}"


class App:
    """The sandbox's state (config, tokens, limits, faults, log) and its request handling."""

    def __init__(self, config: SandboxConfig, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._config = config
        self._clock = clock
        self.routes = RouteTable.from_specs(config.specs_dir)
        self.fixtures: dict[str, list[Fixture]] = load_fixtures(config.fixtures_dir)
        self.tokens = TokenStore()
        self.limiter = RateLimiter()
        self.faults = FaultQueue()
        self._log: list[RequestRecord] = []
        self._market_cache: Market | None = None
        self.orders = OrderEngine(
            self.routes, lambda: self.config, lambda: self._market(self.config)
        )

    # --- configuration and log, thread-safe ---
    @property
    def config(self) -> SandboxConfig:
        with self._lock:
            return self._config

    def configure(self, **changes: Any) -> SandboxConfig:
        with self._lock:
            new = attrs.evolve(self._config, **changes)
            reload = new.fixtures_dir != self._config.fixtures_dir
            moved = new.market_date != self._config.market_date
            self._config = new
        if reload:
            self.reload_fixtures()
        clock = self.orders.clock
        if moved and not clock.wall:  # a new market date is a new today: the clock goes along
            clock.set(dt.datetime.combine(new.market_date, clock.now().time()))
        return new

    def reload_fixtures(self) -> None:
        fixtures = load_fixtures(self.config.fixtures_dir)
        with self._lock:
            self.fixtures = fixtures

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, method: str, path: str, headers: Mapping[str, str], body: Any) -> None:
        shown = dict(headers)
        if "authorization" in shown:
            shown["authorization"] = REDACTED
        if isinstance(body, dict):
            body = {k: REDACTED if k in _SECRET_BODY_KEYS else v for k, v in body.items()}
        record = RequestRecord(headers.get("api-id"), method, path, shown, body, self._clock())
        with self._lock:
            self._log.append(record)

    # --- request handling ---
    def handle(self, method: str, path: str, headers: Mapping[str, str], raw: bytes) -> Reply:
        headers = {k.lower(): v for k, v in headers.items()}
        path = path.split("?", 1)[0]
        text = raw.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            body = None
        self._record(method, path, headers, text if body is None else body)
        config = self.config
        api_id = headers.get("api-id", "").strip()

        if method != "POST":
            return self._json(405, api_id, codes.NO_SUCH_URI.body(f" ({method} is not supported)"))
        if path not in self.routes.paths:
            return self._json(404, api_id, codes.NO_SUCH_URI.body(f" (URI={path})"))
        if not api_id:
            return self._json(200, "", codes.NO_API_ID.body())
        route = self.routes.by_api_id.get(api_id)
        if route is None:
            return self._json(200, api_id, codes.UNKNOWN_API_ID.body(f" (API ID={api_id})"))
        if route.spec.url != path:
            return self._json(200, api_id, codes.WRONG_URI.body(f" (API ID={api_id}, URI={path})"))

        fault = self.faults.take(api_id)
        delay = 0.0
        if fault is not None:
            early = self._early_fault(fault, api_id, headers)
            if early is not None:
                return early
            if fault.kind is FaultKind.DELAY:
                delay = fault.delay

        reply = self._answer(config, route, headers, body)
        reply.delay = delay
        if fault is not None:
            self._late_fault(fault, route, headers, reply)
        return reply

    def _early_fault(self, fault: Fault, api_id: str, headers: Mapping[str, str]) -> Reply | None:
        """Faults that replace the answer, or (EXPIRE_TOKEN) change state before it."""
        kind = fault.kind
        if kind is FaultKind.HTTP_ERROR:
            title = _REASONS.get(fault.status, "Error")
            return Reply(
                fault.status, [("content-type", "text/html")], _html_page(fault.status, title)
            )
        if kind is FaultKind.HTML:
            page = _html_page(200, "Service Unavailable - please retry later")
            return Reply(200, [("content-type", "text/html;charset=UTF-8")], page)
        if kind is FaultKind.ERROR:
            envelope = {"return_code": fault.return_code, "return_msg": fault.return_msg}
            return self._json(fault.http_status, api_id, envelope)
        if kind is FaultKind.EXPIRE_TOKEN:
            token = _bearer(headers)
            if token is not None:
                self.tokens.expire(token)
        return None

    def _late_fault(
        self, fault: Fault, route: Route, headers: Mapping[str, str], reply: Reply
    ) -> None:
        """Faults that bend a normal answer: paging bug, missing LIST, odd envelope, cut body."""
        kind = fault.kind
        if kind is FaultKind.RESET:
            reply.reset_after = len(reply.body) // 2
            return
        if kind is FaultKind.TRUNCATED_JSON:
            reply.body = reply.body[: max(1, len(reply.body) // 2)]
            return
        try:
            body = json.loads(reply.body)
        except json.JSONDecodeError:
            return
        if kind is FaultKind.STRING_RETURN_CODE and isinstance(body, dict):
            if body.get("return_code") == 0:
                body["return_code"] = fault.return_code_text
        elif kind is FaultKind.MISSING_LIST and isinstance(body, dict):
            for field in route.list_fields:
                body.pop(field.element, None)
        elif kind is FaultKind.REPEAT_NEXT_KEY:
            sent = headers.get("next-key", "") if headers.get("cont-yn") == "Y" else ""
            current = dict(reply.headers).get("next-key", "")
            reply.headers = [h for h in reply.headers if h[0] not in ("cont-yn", "next-key")]
            reply.headers += [("cont-yn", "Y"), ("next-key", sent or current or "SBXREPEAT")]
        reply.body = _dump(body)

    def _json(
        self,
        status: int,
        api_id: str,
        body: Mapping[str, Any],
        cont_yn: str = "N",
        next_key: str = "",
    ) -> Reply:
        headers = [
            ("content-type", JSON_TYPE),
            ("api-id", api_id),
            ("cont-yn", cont_yn),
            ("next-key", next_key),
        ]
        return Reply(status, headers, _dump(body))

    def _answer(
        self, config: SandboxConfig, route: Route, headers: Mapping[str, str], body: Any
    ) -> Reply:
        api_id = route.api_id
        if not self.limiter.allow(
            api_id, config.global_limit, config.per_api_limit, config.api_limits
        ):
            detail = f". API ID={api_id}"
            return self._json(config.rate_limit_status, api_id, codes.RATE_LIMIT.body(detail))
        if not isinstance(body, dict):
            return self._json(200, api_id, codes.BAD_BODY.body(" (the body is not a JSON object)"))
        role = route.role
        if role is None:
            token = _bearer(headers)
            if token is None or not self.tokens.valid(token):
                return self._json(200, api_id, codes.TOKEN_INVALID.body())
        for field in route.spec.request.body:
            if field.required and body.get(field.element) in (None, ""):
                detail = f". 필수입력 파라미터={field.element}"
                return self._json(200, api_id, codes.MISSING_FIELD.body(detail))
        if role is Role.TOKEN_ISSUE:
            return self._issue(config, api_id, body)
        if role is Role.TOKEN_REVOKE:
            return self._revoke(config, api_id, body)
        if config.mode == "mock":
            refused = self._mock_refusal(route, body)
            if refused is not None:
                return self._json(200, api_id, refused)
        if self._paper(config, route, body):
            _, unknown = self._symbols(config, route, body)
            if unknown is not None:
                return self._json(200, api_id, unknown)
            traded = self.orders.answer(api_id, body, headers)
            if traded is not None:
                return self._json(200, api_id, *traded)
        return self._page(config, route, headers, body)

    def _paper(self, config: SandboxConfig, route: Route, body: Mapping[str, Any]) -> bool:
        """Does the paper account answer? Not when ``pages_for`` forces synthetic pages, nor
        when a fixture recorded this very request (first match wins, as for every TR)."""
        if not config.paper_trading or not self.orders.handles(route.api_id):
            return False
        if route.api_id in config.pages_for:
            return False
        if not config.use_fixtures:
            return True
        with self._lock:
            return find_fixture(self.fixtures, route.api_id, body) is None

    def _key_problem(self, config: SandboxConfig, body: Mapping[str, Any]) -> dict[str, Any] | None:
        if config.valid_keys is None:
            return None
        appkey = str(body.get("appkey"))
        if appkey not in config.valid_keys:
            return codes.BAD_APPKEY.body()
        if config.valid_keys[appkey] != body.get("secretkey"):
            return codes.BAD_SECRETKEY.body()
        return None

    def _issue(self, config: SandboxConfig, api_id: str, body: Mapping[str, Any]) -> Reply:
        if body.get("grant_type") != "client_credentials":
            return self._json(200, api_id, codes.BAD_BODY.body(" (grant_type=client_credentials)"))
        problem = self._key_problem(config, body)
        if problem is not None:
            return self._json(200, api_id, problem)
        token = self.tokens.issue(
            str(body["appkey"]),
            config.token_lifetime,
            invalidate_previous=config.invalidate_previous_token,
        )
        answer = {
            "expires_dt": format_expires_dt(token.expires_at),
            "token_type": "bearer",
            "token": token.value,
        }
        return self._json(200, api_id, codes.ok(answer))

    def _revoke(self, config: SandboxConfig, api_id: str, body: Mapping[str, Any]) -> Reply:
        problem = self._key_problem(config, body)
        if problem is not None:
            return self._json(200, api_id, problem)
        if not self.tokens.revoke(str(body["token"]), str(body["appkey"])):
            return self._json(200, api_id, codes.TOKEN_INVALID.body())
        return self._json(200, api_id, codes.ok({}))

    def _mock_refusal(self, route: Route, body: Mapping[str, Any]) -> dict[str, Any] | None:
        if not route.mock_supported:
            return codes.MOCK_NOT_SUPPORTED.body()
        for field in route.spec.request.body:
            value = body.get(field.element)
            if field.kind is ValueKind.CODE and isinstance(value, str):
                if value.upper().endswith(_MOCK_REFUSED_SUFFIXES):
                    return codes.MOCK_KRX_ONLY.body(f" ({field.element}={value})")
        return None

    def _market(self, config: SandboxConfig) -> Market:
        """The price paths for the configured seed and universe (kept while those stay)."""
        with self._lock:
            market = self._market_cache
            if (
                market is None
                or market.seed != config.seed
                or market.universe is not config.universe
            ):
                market = self._market_cache = Market(config.seed, config.universe)
            return market

    def _symbols(
        self, config: SandboxConfig, route: Route, body: Mapping[str, Any]
    ) -> tuple[list[str], dict[str, Any] | None]:
        """The stock codes the request names (``a|b`` lists too), or the 1901 answer."""
        found: list[str] = []
        for field in route.symbol_fields:
            value = body.get(field.element)
            if not isinstance(value, str):
                continue
            for code in (part.strip() for part in value.split("|")):
                if not code:
                    continue
                listed = config.symbol_policy == "any" or code in config.universe
                if not (well_formed(code) and listed):
                    return found, codes.UNKNOWN_SYMBOL.body(f" ({field.element}={code})")
                found.append(code)
        return found, None

    @staticmethod
    def _day(config: SandboxConfig, route: Route, body: Mapping[str, Any]) -> dt.date:
        """The market date, or the latest earlier date the request asks for (``base_dt``)."""
        asked: list[dt.date] = []
        for field in route.date_fields:
            value = body.get(field.element)
            if isinstance(value, str) and len(value) == 8 and value.isdigit():
                try:
                    asked.append(dt.datetime.strptime(value, "%Y%m%d").date())
                except ValueError:
                    continue
        earlier = [day for day in asked if day <= config.market_date]
        return max(earlier) if earlier else config.market_date

    def _page(
        self, config: SandboxConfig, route: Route, headers: Mapping[str, str], body: dict[str, Any]
    ) -> Reply:
        """Fixture, else (for a known symbol) the fitting example, else synthetic pages."""
        api_id = route.api_id
        follow = headers.get("cont-yn", "").strip().upper() == "Y"
        next_key = headers.get("next-key", "").strip()
        bad_key = self._json(200, api_id, codes.BAD_NEXT_KEY.body(f" (next-key={next_key!r})"))
        forced = config.pages_for.get(api_id)
        fixture = None
        if forced is None and config.use_fixtures:
            with self._lock:
                fixture = find_fixture(self.fixtures, api_id, body)
        if fixture is not None:  # a recording answers the request it recorded, whatever it is
            index = fixture.page_after(next_key) if follow else 0
            if index is None:
                return bad_key
            page = fixture.pages[index]
            return self._json(200, api_id, page.body, page.cont_yn, page.next_key)
        requested, unknown = self._symbols(config, route, body)
        if unknown is not None:
            return self._json(200, api_id, unknown)
        if forced is None and config.chart_history:
            served = self._history(config, route, body, next_key if follow else None)
            if served is not None:
                return served
        example = route.example_for(body) if forced is None and config.use_examples else None
        if example is not None:
            return bad_key if follow else self._json(200, api_id, example)
        pages = forced or (config.synthetic_pages if route.paged and route.list_fields else 1)
        index = 0
        if follow:
            index = int(next_key[3:8]) if next_key[3:8].isdigit() else 0
            if not 0 < index < pages or _synthetic_key(api_id, body, index) != next_key:
                return bad_key
        data = generate_body(
            route.spec.response.body,
            api_id=api_id,
            request=body,
            page=index,
            rows_per_page=config.rows_per_page,
            market=self._market(config),
            day=self._day(config, route, body),
            codes=requested,
            plan=route.plan,
            account=config.account_number,
            as_of=None if forced else self._as_of(config, requested),
        )
        more = index + 1 < pages
        key = _synthetic_key(api_id, body, index + 1) if more else ""
        return self._json(200, api_id, codes.ok(data), "Y" if more else "N", key)

    @staticmethod
    def quotes_follow_clock(config: SandboxConfig) -> bool:
        """Do quotes (and the real-time feed) show the paper-trading clock's minute?"""
        return config.paper_trading and config.trading.quotes_follow_clock

    def _as_of(self, config: SandboxConfig, requested: Sequence[str]) -> tuple[dt.date, int] | None:
        """With paper trading, quotes show the day as it stands on the sandbox clock, the
        moment the order engine matches at (a 10:00 quote is the 10:00 price, not the close)."""
        if not self.quotes_follow_clock(config):
            return None
        market = self._market(config)
        us = bool(requested) and market.symbol(requested[0]).is_us
        moment = self.orders.moment("us" if us else "krx")
        return moment.day, moment.minute

    def _history(
        self, config: SandboxConfig, route: Route, body: dict[str, Any], next_key: str | None
    ) -> Reply | None:
        """A chart page or a market's symbol list (``history.py``); None for other TRs."""
        api_id = route.api_id
        bad_key = self._json(200, api_id, codes.BAD_NEXT_KEY.body(f" (next-key={next_key!r})"))
        day = self._day(config, route, body)
        chart = chart_plan(route)
        if chart is not None:
            code = str(body.get(chart.code_field, "")).strip()
            as_of = self._as_of(config, [code] if code else [])
            market = self._market(config)
            page = chart_page(config, market, route, chart, body, day, next_key, as_of=as_of)
            if page is None:
                return bad_key
            more = page.next_key is not None
            return self._json(
                200, api_id, codes.ok(page.body), "Y" if more else "N", page.next_key or ""
            )
        listing = listing_plan(route)
        if listing is not None:
            if next_key is not None:  # the whole market comes in one page
                return bad_key
            data = listing_page(self._market(config), route, listing, body, day)
            return self._json(200, api_id, codes.ok(data))
        return None


def _dump(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
