"""Answers for any spec, over real HTTP: they fit the spec, parse as typed values, echo the
requested code, agree with the price path across TRs, and an unknown code answers 1901.

Parametrized over whatever specs exist; ka10001/ka10005 appear only in the tests named after
the issue and are skipped when absent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from codegen.kinds import kind_problem, measured_length
from codegen.loader import load_specs
from codegen.spec import Examples, Field, TrSpec, ValueKind
from kiwoom_runtime import UnknownSymbolError
from kiwoom_runtime.values import (
    Direction,
    parse_decimal,
    parse_decimal_price,
    parse_signed_int,
    parse_signed_price,
)
from kiwoom_sandbox import Sandbox, SandboxConfig
from kiwoom_sandbox.history import chart_plan, period_start
from kiwoom_sandbox.market import DEFAULT_MARKET_DATE, Market
from kiwoom_sandbox.meaning import Role, classify, is_symbol_field
from kiwoom_sandbox.orders import TradingConfig
from kiwoom_sandbox.routes import Route
from kiwoom_sandbox.symbols import Universe
from kiwoom_typed import REGISTRY, Client
from tests.conftest import SPEC_IDS, per_tr
from tests.sandbox._helpers import SPECS, bracket, make_config

SPEC_SET = load_specs(SPECS)
QUERY_IDS = [api_id for api_id in SPEC_IDS if SPEC_SET.specs[api_id].facts.role is None]
SYMBOL_IDS = [
    a for a in QUERY_IDS if any(is_symbol_field(f) for f in SPEC_SET.specs[a].request.body)
]
CODE = "000660"  # listed, and no fixture records it


def request_for(spec: TrSpec, code: str) -> dict[str, str]:
    """A request any spec accepts: the documented example, the code, required fields filled."""
    try:
        example = json.loads(spec.examples.request or "{}")
    except json.JSONDecodeError:
        example = {}
    body: dict[str, str] = {}
    for field in spec.request.body:
        documented = example.get(field.element) if isinstance(example, dict) else None
        if is_symbol_field(field):
            body[field.element] = code
        elif field.kind is ValueKind.DATE and (field.required or documented):
            body[field.element] = _filler(field)  # the market date, not the example's
        elif isinstance(documented, str) and (documented or not field.required):
            body[field.element] = documented
        elif field.required:
            body[field.element] = _filler(field)
    return body


def _price(text: str) -> int | None:
    """A synthetic price as the path's integer: decimal prices are hundredths of it."""
    if "." in text:
        price = parse_decimal_price(text)
        return None if price is None else int(price.price * 100)
    signed = parse_signed_price(text)
    return None if signed is None else signed.price


def _filler(field: Field) -> str:
    if field.values:
        return next(iter(field.values))
    if field.kind is ValueKind.DATE:
        return DEFAULT_MARKET_DATE.strftime("%Y%m%d")
    return "0"


@pytest.fixture(scope="module")
def synthetic() -> Iterator[Sandbox]:
    """Answers built from the specs only (no fixture, no example), over the shipped specs."""
    # stateless answers for every TR: the paper account (tests/orders) would answer orders
    with Sandbox(make_config(use_fixtures=False, use_examples=False, paper_trading=False)) as sb:
        yield sb


def post(sb: Sandbox, api_id: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"api-id": api_id, "authorization": f"Bearer {sb.issue_token()}"}
    response = httpx.post(sb.url_for(api_id), json=body, headers=headers, timeout=10)
    answer: dict[str, Any] = response.json()
    return answer


def check_fits(fields: tuple[Field, ...], body: dict[str, Any], where: str) -> None:
    """Every documented field present, no other key, every value fits its kind and length."""
    documented = {f.element for f in fields}
    assert set(body) - {"return_code", "return_msg"} <= documented, where
    for field in fields:
        assert field.element in body, f"{where}.{field.element} missing"
        value = body[field.element]
        if field.is_list:
            assert isinstance(value, list) and value, f"{where}.{field.element}"
            for row in value:
                check_fits(field.items, row, f"{where}.{field.element}[]")
            continue
        assert isinstance(value, str), f"{where}.{field.element}"
        assert field.length is None or measured_length(field, value) <= field.length, (
            where,
            field.element,
            value,
        )
        assert kind_problem(field, value) is None, (where, field.element, value)


def parse_all_typed(model: Any) -> int:
    """Read every ``.typed`` property of a model and of its LIST rows; how many were read."""
    typed = getattr(model, "typed", None)  # a model holding only a LIST has no scalars
    read = 0
    for name in dir(type(typed)) if typed is not None else ():
        if isinstance(getattr(type(typed), name), property):
            getattr(typed, name)  # raises ValueKindError for a value that does not fit
            read += 1
    for attribute in attrs.fields(type(model)):
        value = getattr(model, attribute.name)
        if isinstance(value, tuple | list) or type(value).__name__ == "LazyRows":
            for row in value:
                if hasattr(row, "typed"):
                    read += parse_all_typed(row)
    return read


@pytest.mark.parametrize("api_id", per_tr(QUERY_IDS))
def test_synthetic_answers_fit_every_spec(synthetic: Sandbox, api_id: str) -> None:
    spec = SPEC_SET.specs[api_id]
    for code in (CODE, "005930_NX"):
        body = post(synthetic, api_id, request_for(spec, code))
        assert body["return_code"] == 0, body
        check_fits(spec.response.body, body, api_id)
        assert post(synthetic, api_id, request_for(spec, code)) == body  # deterministic
        for field in spec.response.body:
            if is_symbol_field(field) and any(is_symbol_field(f) for f in spec.request.body):
                assert body[field.element] == code  # echoed as sent, suffix included
        if api_id in REGISTRY:
            model = REGISTRY[api_id].response_type.from_dict(body)
            assert parse_all_typed(model) > 0


def _objects(fields: tuple[Field, ...], body: dict[str, Any]) -> Iterator[dict[str, Field]]:
    """Each object of a body (top level, LIST rows) as role -> field, for objects with prices."""
    top = {classify(f).role: f for f in fields if not f.is_list}
    yield top
    for field in fields:
        if field.is_list:
            for _row in body[field.element]:
                yield {classify(f).role: f for f in field.items if not f.is_list}


def _check_object(obj: dict[str, Any], roles: dict[Role, Field]) -> None:
    """Sign of the price, the change, its rate and the sign code tell one story."""
    if Role.PRICE not in roles or Role.CHANGE not in roles:
        return
    price_field = roles[Role.PRICE]
    if price_field.kind is ValueKind.DECIMAL_PRICE:
        return  # USD / index prices: hundredths of the path, changes in other units
    price = parse_signed_price(obj[price_field.element])
    change = parse_signed_int(obj[roles[Role.CHANGE].element])
    assert price is not None and change is not None
    if price_field.kind is ValueKind.SIGNED_PRICE:
        expected = Direction.UP if change > 0 else Direction.DOWN if change < 0 else Direction.FLAT
        assert price.direction is expected, obj
    if Role.SIGN in roles:
        sign = obj[roles[Role.SIGN].element]
        assert sign in (("1", "2") if change > 0 else ("4", "5") if change < 0 else ("3",)), obj
    if Role.CHANGE_RATE in roles:
        rate = parse_decimal(obj[roles[Role.CHANGE_RATE].element])
        previous = price.price - change
        assert rate is not None and previous > 0
        assert abs(rate - Decimal(change) * 100 / previous) <= Decimal("0.005"), obj


@pytest.mark.parametrize("api_id", per_tr(SYMBOL_IDS))
def test_prices_agree_with_the_price_path(synthetic: Sandbox, api_id: str) -> None:
    """Current prices and the latest daily close are the market's close of the market date."""
    spec = SPEC_SET.specs[api_id]
    body = post(synthetic, api_id, request_for(spec, CODE))
    close = Market().close(CODE, DEFAULT_MARKET_DATE)
    top = {classify(f).role: f for f in spec.response.body if not f.is_list}
    if Role.PRICE in top:
        assert _price(body[top[Role.PRICE].element]) == close
    _check_object(body, top)
    for field in spec.response.body:
        if not field.is_list:
            continue
        roles = {classify(f).role: f for f in field.items if not f.is_list}
        rows = body[field.element]
        for row in rows:
            _check_object(row, roles)
        if Role.PRICE in roles and Role.DATE in roles and Role.SYMBOL_CODE not in roles:
            latest = rows[0]
            # A weekly / monthly / yearly chart row is dated by its period's first business day.
            plan = chart_plan(Route(spec))
            first = period_start(DEFAULT_MARKET_DATE, plan.interval) if plan else None
            expected = first or DEFAULT_MARKET_DATE
            assert latest[roles[Role.DATE].element] == expected.strftime("%Y%m%d")
            assert _price(latest[roles[Role.PRICE].element]) == close


@pytest.mark.parametrize("api_id", per_tr(SYMBOL_IDS))
def test_unknown_symbol_answers_1901(synthetic: Sandbox, api_id: str) -> None:
    body = post(synthetic, api_id, request_for(SPEC_SET.specs[api_id], "999990"))
    assert body["return_code"] != 0 and "[1901:" in body["return_msg"]
    assert "999990" in body["return_msg"]


@pytest.mark.parametrize("api_id", per_tr(SYMBOL_IDS))
def test_malformed_code_answers_1901(synthetic: Sandbox, api_id: str) -> None:
    body = post(synthetic, api_id, request_for(SPEC_SET.specs[api_id], "ABC"))
    assert "[1901:" in body["return_msg"]


# --- through the typed client, as a quant's first script does -----------------------------------

APPKEY, SECRETKEY = "answers-appkey", "answers-secretkey"


@pytest.fixture(scope="module")
def shipped() -> Iterator[Sandbox]:
    """The default sandbox: shipped fixtures and examples, listed symbols."""
    with Sandbox(make_config()) as sb:
        yield sb


@pytest.fixture
def client(shipped: Sandbox) -> Iterator[Client]:
    with Client(appkey=APPKEY, secretkey=SECRETKEY, base_url=shipped.base_url) as c:
        yield c


def _need(*api_ids: str) -> None:
    missing = [a for a in api_ids if a not in SPEC_SET.specs or a not in REGISTRY]
    if missing:
        pytest.skip(f"no spec or generated client for {', '.join(missing)}")


def quoted(day: dt.date) -> int:
    """The price a quote shows: the path's at the paper-trading clock (10:00 of the day)."""
    start = TradingConfig().clock_start
    minute = (start.hour - 9) * 60 + start.minute
    return Market().price_at(CODE, day, minute)


def test_get_stock_info_for_another_code_parses(client: Client) -> None:
    """issue 10 #5: 000660 used to get Samsung's broken example ('0.00' as a price)."""
    _need("ka10001")
    info = client.get_stock_info(stk_cd=CODE)  # type: ignore[attr-defined]
    assert info.stk_cd == CODE and info.stk_nm == "SK하이닉스"
    price = info.typed.cur_prc
    assert price is not None and price.price == quoted(DEFAULT_MARKET_DATE)
    assert parse_all_typed(info) > 0


def test_one_price_across_stock_info_and_daily_rows(client: Client) -> None:
    _need("ka10001", "ka10005")
    current = client.call("ka10001", stk_cd=CODE).typed.cur_prc
    daily = client.call("ka10005", stk_cd=CODE)
    latest = next(iter(daily.stk_ddwkmm))
    assert current is not None and latest.typed.close_pric is not None
    assert latest.typed.close_pric.price == current.price
    assert latest.typed.date == DEFAULT_MARKET_DATE


def test_unknown_symbol_raises_unknown_symbol_error(client: Client) -> None:
    _need("ka10001")
    with pytest.raises(UnknownSymbolError) as info:
        client.call("ka10001", stk_cd="999990")
    assert info.value.code == "1901" and "999990" in str(info.value)


def test_exchange_suffixes_are_the_same_symbol(client: Client) -> None:
    _need("ka10001")
    krx = client.call("ka10001", stk_cd=CODE)
    for code in (f"{CODE}_NX", f"{CODE}_AL"):
        other = client.call("ka10001", stk_cd=code)
        assert other.stk_cd == code and other.cur_prc == krx.cur_prc


def test_every_code_when_asked() -> None:
    _need("ka10001")
    with (
        Sandbox(make_config(symbol_policy="any")) as sb,
        Client(appkey=APPKEY, secretkey=SECRETKEY, base_url=sb.base_url) as c,
    ):
        info = c.call("ka10001", stk_cd="999990")
        assert info.stk_cd == "999990" and info.stk_nm and info.typed.cur_prc is not None
        with pytest.raises(UnknownSymbolError):
            c.call("ka10001", stk_cd="12")  # not a KRX code at all


def test_added_symbols_are_listed() -> None:
    _need("ka10001")
    universe = Universe.default().with_symbols({"999990": "샌드박스전자"})
    with (
        Sandbox(make_config(universe=universe)) as sb,
        Client(appkey=APPKEY, secretkey=SECRETKEY, base_url=sb.base_url) as c,
    ):
        assert c.call("ka10001", stk_cd="999990").stk_nm == "샌드박스전자"


def test_fixtures_win_for_the_request_they_recorded(shipped: Sandbox) -> None:
    _need("ka10001")
    recorded = json.loads((SPECS.parent / "tests/fixtures/ka10001/samsung.json").read_text("utf-8"))
    assert post(shipped, "ka10001", {"stk_cd": "005930"}) == recorded["pages"][0]["body"]


def test_market_date_moves_every_answer() -> None:
    _need("ka10001")
    later = DEFAULT_MARKET_DATE.replace(day=28)
    with Sandbox(make_config(market_date=later, use_fixtures=False)) as sb:
        body = post(sb, "ka10001", {"stk_cd": CODE})
    shown = parse_signed_price(body["cur_prc"])
    assert shown is not None and shown.price == quoted(later)


# --- documentation examples: served only where they fit, for the request they document ----------


def _with_example(spec: TrSpec, response: dict[str, Any]) -> TrSpec:
    request = json.dumps({"stk_cd": "005930"})
    return attrs.evolve(spec, examples=Examples(request=request, response=json.dumps(response)))


def test_a_fitting_example_answers_only_its_request() -> None:
    _need("ka10001")
    spec = SPEC_SET.specs["ka10001"]
    with Sandbox(make_config(use_fixtures=False)) as sb:
        synthetic = post(sb, "ka10001", {"stk_cd": "005930"})
    fitting = {k: v for k, v in synthetic.items() if k not in ("return_code", "return_msg")}
    route = Route(_with_example(spec, fitting))
    assert route.example_for({"stk_cd": "005930"}) == synthetic
    assert route.example_for({"stk_cd": CODE}) is None


def test_an_example_that_breaks_a_kind_is_never_served() -> None:
    _need("ka10001")
    spec = SPEC_SET.specs["ka10001"]
    route = Route(_with_example(spec, {"stk_cd": "005930", "cur_prc": "0.00"}))
    assert route.example_for({"stk_cd": "005930"}) is None
    shipped_route = Route(spec)  # the manual's own ka10001 example is broken the same way
    assert shipped_route.example_for({"stk_cd": "005930"}) is None


def test_unknown_symbol_is_checked_after_fixtures(shipped: Sandbox) -> None:
    """A fixture may record any code; everything else goes through the universe."""
    _need("ka10001")
    assert bracket_of(post(shipped, "ka10001", {"stk_cd": "999990"})) == "1901"


def bracket_of(body: dict[str, Any]) -> str:
    return bracket(httpx.Response(200, json=body))


def test_config_refuses_an_unknown_policy() -> None:
    with pytest.raises(ValueError, match="symbol_policy"):
        SandboxConfig(symbol_policy="some")  # type: ignore[arg-type]


def test_account_fields_answer_the_configured_account_number() -> None:
    _need("ka00001")
    with Sandbox(make_config(account_number="99887766554433")) as sb:
        assert post(sb, "ka00001", {})["acctNo"] == "99887766554433"
    with Sandbox(make_config()) as sb:
        assert post(sb, "ka00001", {})["acctNo"] == "5012345610"
