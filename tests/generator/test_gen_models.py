"""The committed generated package, checked against every spec in ``specs/``.

Parametrized over the spec files, so a new TR gets these checks by being added; no test assumes
a particular TR: the end-to-end tests pick a plain and a paged TR from the specs, and requests
are built from each TR's own fields (``tests.arguments``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

import kiwoom_typed
from codegen.loader import load_specs
from codegen.model import TYPED_KINDS
from codegen.spec import Field, TrSpec, ValueKind
from kiwoom_runtime import ArgumentError, ValueKindError
from kiwoom_runtime.models import NO_ROWS
from kiwoom_typed import REGISTRY, AsyncClient, Client
from tests.arguments import AS_SENT, contradictions, python_name, valid_arguments, valid_value
from tests.conftest import per_tr

ROOT = Path(__file__).resolve().parents[2]
SPEC_SET = load_specs(ROOT / "specs")
SPECS: dict[str, TrSpec] = SPEC_SET.specs
IDS = sorted(SPECS)


def _json_example(api_id: str, side: str) -> dict[str, Any] | None:
    text = getattr(SPECS[api_id].examples, side)
    try:
        data = json.loads(text) if text is not None else None
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _example(api_id: str, side: str) -> dict[str, Any]:
    text = getattr(SPECS[api_id].examples, side)
    if text is None:
        pytest.skip(f"{api_id} has no {side} example")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        pytest.skip(f"{api_id}'s documented {side} example is not valid JSON ({exc.msg})")
    assert isinstance(data, dict)
    return data


_python_name = python_name


def _list_fields(spec: TrSpec) -> list[Field]:
    return [f for f in spec.response.body if f.is_list]


def _plain_tr() -> str:
    """A data TR that does not page, with a JSON response example (the end-to-end tests)."""
    return next(
        a
        for a in IDS
        if REGISTRY[a].role is None
        and not REGISTRY[a].paged
        and _json_example(a, "response") is not None
    )


def _paged_tr() -> str:
    """A paged TR with documented LIST rows and a JSON response example carrying some."""
    return next(
        a
        for a in IDS
        if REGISTRY[a].paged
        and any(f.items for f in _list_fields(SPECS[a]))
        and any((_json_example(a, "response") or {}).get(f.element) for f in _list_fields(SPECS[a]))
    )


PLAIN = _plain_tr()
PAGED = _paged_tr()
ROLES = {info.role: info for info in (REGISTRY[a] for a in IDS) if info.role}


def _for_every_tr(check: Callable[[str], None], ids: Iterable[str] = IDS) -> None:
    """Run ``check`` for each TR (one that skips is left out); fail once, listing every TR
    that failed and how. At 300 TRs a test per TR costs more in pytest's bookkeeping than in
    the check itself."""
    failures: list[str] = []
    for api_id in ids:
        try:
            check(api_id)
        except pytest.skip.Exception:
            continue
        except Exception as exc:
            failures.append(f"{api_id}: {type(exc).__name__}: {exc}")
    assert not failures, f"{len(failures)} TR(s) failed:\n" + "\n".join(failures)


def _arguments(api_id: str) -> dict[str, str]:
    return valid_arguments(SPECS[api_id])


def _rows_attr(api_id: str) -> str:
    return REGISTRY[api_id].endpoint.list_key and next(
        _python_name(f)
        for f in _list_fields(SPECS[api_id])
        if f.element == REGISTRY[api_id].endpoint.list_key
    )


# -- registry and clients ---------------------------------------------------------------------


def _check_registry_and_methods(api_id: str) -> None:
    spec = SPECS[api_id]
    info = REGISTRY[api_id]
    assert info.api_id == api_id and info.name == spec.name
    assert info.endpoint.path == spec.url
    assert info.endpoint.paged == spec.facts.paged
    assert info.endpoint.retry_safe == spec.facts.retry_safe
    assert info.endpoint.mock_supported == spec.facts.mock_supported
    assert (info.endpoint.items is not None) == bool(_list_fields(spec))
    method = spec.facts.python_name
    for cls in (Client, AsyncClient):
        assert callable(getattr(cls, method))
        assert hasattr(cls, f"{method}_pages") == spec.facts.paged
    assert asyncio.iscoroutinefunction(getattr(AsyncClient, method))
    doc = getattr(Client, method).__doc__
    assert api_id in doc and spec.name in doc
    for field in spec.request.body:
        assert _python_name(field) in doc and field.korean in doc
    # models are exported at top level
    assert getattr(kiwoom_typed, info.request_type.__name__) is info.request_type
    assert getattr(kiwoom_typed, info.response_type.__name__) is info.response_type


def test_registry_and_methods() -> None:
    _for_every_tr(_check_registry_and_methods, IDS)


def test_token_endpoints_passed_to_runtime() -> None:
    roles = {s.facts.role.value: s for s in SPECS.values() if s.facts.role}
    client = Client(appkey="a", secretkey="b")
    try:
        assert client.tokens.issue_endpoint.api_id == roles["token_issue"].api_id
        assert client.tokens.issue_endpoint.path == roles["token_issue"].url
        assert client.tokens.revoke_endpoint is not None
        assert client.tokens.revoke_endpoint.path == roles["token_revoke"].url
    finally:
        client.close()


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("api_id", per_tr(IDS))
def test_response_example_round_trips(api_id: str) -> None:
    body = _example(api_id, "response")
    model = REGISTRY[api_id].response_type.from_dict(body)
    assert model.to_dict() == body
    assert list(model.to_dict()) == list(body) or set(model.to_dict()) == set(body)
    for field in SPECS[api_id].response.body:
        if field.element in body and not field.is_list:
            assert getattr(model, _python_name(field)) == body[field.element]


@pytest.mark.parametrize("api_id", per_tr(IDS))
def test_request_example_round_trips(api_id: str) -> None:
    body = _example(api_id, "request")
    try:
        request = REGISTRY[api_id].request_type.from_dict(body)
    except ArgumentError as exc:
        field = next(f for f in SPECS[api_id].request.body if _python_name(f) == exc.argument)
        assert field.values or field.kind or field.length, exc  # a documented constraint
        pytest.skip(f"{api_id}'s documented request example breaks its spec: {exc}")
    assert request.to_dict() == body
    assert REGISTRY[api_id].endpoint.encode(request) == body


def _check_unknown_keys_are_kept(api_id: str) -> None:
    try:
        body = _example(api_id, "response")
    except pytest.skip.Exception:
        body = {"return_code": 0, "return_msg": "ok"}
    body = dict(body, zz_new_field="1", zz_obj={"a": [1, 2]})
    for field in _list_fields(SPECS[api_id]):
        rows = body.get(field.element) or [{}]
        body[field.element] = [dict(row, zz_row_extra="+5") for row in rows]
    model = REGISTRY[api_id].response_type.from_dict(body)
    assert model.extra["zz_new_field"] == "1" and model.extra["zz_obj"] == {"a": [1, 2]}
    assert model.to_dict() == body
    for field in _list_fields(SPECS[api_id]):
        for row in getattr(model, _python_name(field)):
            # rows of a LIST without documented members are the JSON objects themselves
            assert (row.extra if field.items else row)["zz_row_extra"] == "+5"


def test_unknown_keys_are_kept() -> None:
    _for_every_tr(_check_unknown_keys_are_kept, IDS)


def _check_missing_keys_are_none_and_not_invented(api_id: str) -> None:
    model = REGISTRY[api_id].response_type.from_dict({})
    assert model.to_dict() == {}
    assert model.raw is None and model.cont_yn is False and model.next_key is None
    for field in SPECS[api_id].response.body:
        value = getattr(model, _python_name(field))
        if field.is_list:  # an absent LIST reads as no rows, and stays absent in to_dict()
            assert value == () and value is NO_ROWS
        else:
            assert value is None


def test_missing_keys_are_none_and_not_invented() -> None:
    _for_every_tr(_check_missing_keys_are_none_and_not_invented, IDS)


def _check_list_that_is_not_a_list_is_kept(api_id: str) -> None:
    key = _list_fields(SPECS[api_id])[0]
    body = {key.element: "", "return_code": 0}
    model = REGISTRY[api_id].response_type.from_dict(body)
    assert getattr(model, _python_name(key)) == () and model.extra == {key.element: ""}
    assert model.to_dict() == body


def test_list_that_is_not_a_list_is_kept() -> None:
    _for_every_tr(
        _check_list_that_is_not_a_list_is_kept, [a for a in IDS if _list_fields(SPECS[a])]
    )


def _check_empty_list_is_kept_apart_from_an_absent_one(api_id: str) -> None:
    key = _list_fields(SPECS[api_id])[0]
    empty = REGISTRY[api_id].response_type.from_dict({key.element: []})
    rows = getattr(empty, _python_name(key))
    assert rows == () and rows is not NO_ROWS and len(rows) == 0
    assert empty.to_dict() == {key.element: []}
    assert REGISTRY[api_id].endpoint.items is not None
    assert list(REGISTRY[api_id].endpoint.items(empty)) == []


def test_empty_list_is_kept_apart_from_an_absent_one() -> None:
    _for_every_tr(
        _check_empty_list_is_kept_apart_from_an_absent_one,
        [a for a in IDS if _list_fields(SPECS[a])],
    )


# -- typed accessors --------------------------------------------------------------------------


@pytest.mark.parametrize("api_id", per_tr(IDS))
def test_typed_accessors_parse_or_name_the_problem(api_id: str) -> None:
    body = _example(api_id, "response")
    model = REGISTRY[api_id].response_type.from_dict(body)
    spec = SPECS[api_id]

    def check(obj: Any, fields: tuple[Field, ...], data: dict[str, Any]) -> None:
        for field in fields:
            if field.is_list:
                rows = data.get(field.element)
                for row, row_data in zip(
                    getattr(obj, _python_name(field)),
                    rows if isinstance(rows, list) else (),
                    strict=True,
                ):
                    if field.items:
                        check(row, field.items, row_data)
                continue
            if field.kind in AS_SENT:
                continue
            raw = data.get(field.element)
            try:
                value = getattr(obj.typed, _python_name(field))
            except ValueKindError as exc:
                text = str(exc)
                assert api_id in text and field.element in text and repr(raw) in text
                assert isinstance(exc, ValueError)
            else:
                if raw is None or not str(raw).strip():
                    assert value is None

    check(model, spec.response.body, body)


def _check_typed_view_exposes_every_field(api_id: str) -> None:
    spec = SPECS[api_id]
    body = {f.element: valid_value(f) for f in spec.response.body if not f.is_list}
    body.update({f.element: [] for f in _list_fields(spec)})
    model = REGISTRY[api_id].response_type.from_dict(body)
    typed = model.typed
    for field in spec.response.body:
        value = getattr(typed, _python_name(field))
        if field.is_list:
            assert list(value) == []
        elif field.kind in AS_SENT:
            assert value == body[field.element]  # as sent
        else:
            assert value is not None
    for envelope in SPEC_SET.common.envelope:
        assert hasattr(typed, envelope.element)
    text = repr(typed)
    assert text.startswith(f"{type(typed).__name__}(") and "<invalid" not in text
    for field in spec.response.body:
        shown = f"{_python_name(field)}=" in text
        assert shown == (field.kind is not ValueKind.SECRET), (field.element, text)
    assert typed == model.typed


def test_typed_view_exposes_every_field() -> None:
    _for_every_tr(_check_typed_view_exposes_every_field, IDS)


def _check_typed_view_repr_never_raises(api_id: str) -> None:
    spec = SPECS[api_id]
    body = {f.element: "not a value" for f in spec.response.body if not f.is_list}
    text = repr(REGISTRY[api_id].response_type.from_dict(body).typed)
    parsed = [f for f in spec.response.body if f.kind in TYPED_KINDS and not f.is_list]
    assert ("<invalid" in text) == bool(parsed), text  # kinds with a parser refuse the text


def test_typed_view_repr_never_raises() -> None:
    _for_every_tr(_check_typed_view_repr_never_raises, IDS)


def test_typed_docstrings_explain_the_kinds() -> None:
    for api_id in IDS:
        typed_class = type(REGISTRY[api_id].response_type.from_dict({}).typed)
        for field in SPECS[api_id].response.body:
            doc = " ".join((getattr(typed_class, _python_name(field)).__doc__ or "").split())
            assert field.element in doc and field.korean in doc
            if field.kind is ValueKind.SIGNED_PRICE:
                assert "direction against the previous close" in doc
            if field.kind is ValueKind.SIGNED_NUMBER:
                assert "true signed integer" in doc


# -- argument checks --------------------------------------------------------------------------


def _skip_contradictions(api_id: str) -> None:
    if problems := contradictions(SPECS[api_id]):
        pytest.skip(f"no valid request: {'; '.join(problems)}")


def _check_argument_errors_name_the_argument(api_id: str) -> None:
    _skip_contradictions(api_id)
    info = REGISTRY[api_id]
    fields = SPECS[api_id].request.body
    required = [f for f in fields if f.required]
    good = _arguments(api_id)
    info.build_request(good)
    info.build_request(valid_arguments(SPECS[api_id], optional=True))
    with pytest.raises(ArgumentError) as unknown:
        info.build_request(dict(good, no_such_argument="1"))
    assert unknown.value.argument == "no_such_argument"
    for field in required:
        name = _python_name(field)
        with pytest.raises(ArgumentError) as missing:
            info.build_request({k: v for k, v in good.items() if k != name})
        assert missing.value.argument == name
        with pytest.raises(ArgumentError) as wrong_type:
            info.build_request(dict(good, **{name: 5}))
        assert wrong_type.value.argument == name and "str" in str(wrong_type.value)
    for field in fields:
        name = _python_name(field)
        if field.length is not None:
            with pytest.raises(ArgumentError) as too_long:
                info.build_request(dict(good, **{name: "9" * (field.length + 1)}))
            assert too_long.value.argument == name
        if field.values:
            with pytest.raises(ArgumentError) as not_allowed:
                info.build_request(dict(good, **{name: "\u2603"}))
            assert not_allowed.value.argument == name and "is not one of" in str(not_allowed.value)


def test_argument_errors_name_the_argument() -> None:
    _for_every_tr(_check_argument_errors_name_the_argument, IDS)


def _check_allowed_values_are_literal_types(api_id: str) -> None:
    """Client signatures and request models type allowed values as ``Literal`` (mypy catches a
    wrong one), directly or through a ``Literal`` alias of the TR module, and list them."""
    module = inspect.getmodule(REGISTRY[api_id].request_type)
    method = getattr(Client, REGISTRY[api_id].method_name)
    annotations = method.__annotations__
    doc = method.__doc__ or ""
    for field in SPECS[api_id].request.body:
        if not field.values:
            continue
        annotation = annotations[_python_name(field)]
        alias = annotation.split(" | ")[0]
        literal = annotation if alias.startswith("Literal[") else str(getattr(module, alias))
        for value in field.values:
            assert json.dumps(value) in literal or repr(value) in literal, (value, literal)
            assert f'"{value}"' in " ".join(doc.split())


def test_allowed_values_are_literal_types() -> None:
    _for_every_tr(
        _check_allowed_values_are_literal_types,
        [a for a in IDS if any(f.values for f in SPECS[a].request.body)],
    )


def _check_date_arguments_take_datetime_objects(api_id: str) -> None:
    _skip_contradictions(api_id)
    info = REGISTRY[api_id]
    good = valid_arguments(SPECS[api_id], optional=True)
    moment = dt.datetime(2025, 1, 2, 9, 30, 15)
    objects = {
        ValueKind.DATE: (moment.date(), "20250102"),
        ValueKind.TIME: (moment.time(), "093015"),
        ValueKind.DATETIME: (moment, "20250102093015"),
    }
    for field in SPECS[api_id].request.body:
        if field.kind not in objects or field.values:
            continue
        name = _python_name(field)
        obj, wire = objects[field.kind]
        request = info.build_request(dict(good, **{name: obj}))
        assert getattr(request, name) == wire and request.to_dict()[field.element] == wire
        with pytest.raises(ArgumentError) as bad:
            info.build_request(dict(good, **{name: "2025-1-2"[: field.length]}))
        assert bad.value.argument == name


def test_date_arguments_take_datetime_objects() -> None:
    _for_every_tr(
        _check_date_arguments_take_datetime_objects,
        [
            a
            for a in IDS
            if any(
                f.kind in (ValueKind.DATE, ValueKind.TIME, ValueKind.DATETIME) and not f.values
                for f in SPECS[a].request.body
            )
        ],
    )


def _check_request_from_wire_refuses_unknown_keys(api_id: str) -> None:
    _skip_contradictions(api_id)
    request_type = REGISTRY[api_id].request_type
    wire = {
        f.element: v for f in SPECS[api_id].request.body for v in [valid_value(f)] if f.required
    }
    assert request_type.from_dict(wire).to_dict() == wire
    with pytest.raises(ArgumentError) as exc:
        request_type.from_dict(dict(wire, bogus="1"))
    assert exc.value.argument == "bogus"


def test_request_from_wire_refuses_unknown_keys() -> None:
    _for_every_tr(_check_request_from_wire_refuses_unknown_keys, IDS)


# -- DataFrames -------------------------------------------------------------------------------

#: The dtype of a typed DataFrame column, by value kind (kiwoom_runtime.frames).
DTYPES = {
    "number": "Int64",
    "signed_number": "Int64",
    "signed_price": "Int64",
    "decimal": "float64",
    "date": "datetime64[ns]",
}
FRAME_IDS = [
    a
    for a in IDS
    if any(f.items for f in _list_fields(SPECS[a])) and _json_example(a, "response") is not None
]


@pytest.mark.parametrize("api_id", per_tr(FRAME_IDS))
def test_dataframe_columns_follow_the_kinds(api_id: str) -> None:
    pytest.importorskip("pandas")
    from kiwoom_typed import pages_to_dataframe

    body = _json_example(api_id, "response") or {}
    model = REGISTRY[api_id].response_type.from_dict(body)
    rows = body.get(REGISTRY[api_id].endpoint.list_key or "")
    try:
        frame = model.to_dataframe()
    except ValueKindError as exc:
        assert api_id in str(exc)
        pytest.skip(f"{api_id}'s documented example breaks a kind: {exc}")
    assert len(frame) == (len(rows) if isinstance(rows, list) else 0)
    item = next(f for f in _list_fields(SPECS[api_id]) if f.items)
    for field in item.items:
        if field.kind is not None and field.kind.value in DTYPES and not field.is_list:
            assert str(frame[_python_name(field)].dtype) == DTYPES[field.kind.value]
    raw = model.to_dataframe(raw=True)
    assert all(str(dtype) == "object" for dtype in raw.dtypes)
    both = pages_to_dataframe([model, model])
    assert len(both) == 2 * len(frame) and list(both.columns) == list(frame.columns)
    assert pages_to_dataframe([]).empty


def test_dataframe_malformed_value_names_field() -> None:
    pytest.importorskip("pandas")
    cases = [
        (a, f, g)
        for a in IDS
        for f in _list_fields(SPECS[a])
        if f is _list_fields(SPECS[a])[0]
        for g in f.items
        if g.kind in (ValueKind.DATE, ValueKind.NUMBER, ValueKind.SIGNED_PRICE)
    ]
    if not cases:
        pytest.skip("no LIST row has a date, number or signed_price field")
    api_id, rows, field = cases[0]
    model = REGISTRY[api_id].response_type.from_dict({rows.element: [{field.element: "x-1"}]})
    with pytest.raises(ValueKindError, match=f"{api_id} {field.element}: 'x-1'"):
        model.to_dataframe()
    assert model.to_dataframe(raw=True)[_python_name(field)][0] == "x-1"


# -- end to end through the runtime (httpx mock transport) --------------------------------------


def _server(requests: list[tuple[str, dict[str, str], Any]]) -> httpx.MockTransport:
    plain = _example(PLAIN, "response")
    paged = _example(PAGED, "response")

    def handler(request: httpx.Request) -> httpx.Response:
        api_id = request.headers.get("api-id", "")
        body = json.loads(request.content or b"{}")
        requests.append((api_id, dict(request.headers), body))
        if request.url.path == "/oauth2/token":
            return httpx.Response(
                200,
                json={
                    "expires_dt": "20991231235959",
                    "token_type": "bearer",
                    "token": "T0",
                    "return_code": 0,
                    "return_msg": "ok",
                },
            )
        if request.url.path == "/oauth2/revoke":
            return httpx.Response(200, json={"return_code": 0, "return_msg": "ok"})
        if api_id == PLAIN:
            return httpx.Response(200, json=dict(plain, zz_new="x"), headers={"api-id": api_id})
        if api_id == PAGED:
            first = request.headers.get("cont-yn") != "Y"
            headers = {
                "api-id": api_id,
                "cont-yn": "Y" if first else "N",
                "next-key": "K1" if first else "",
            }
            return httpx.Response(200, json=paged, headers=headers)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def _wire(api_id: str, arguments: dict[str, str]) -> dict[str, str]:
    names = {_python_name(f): f.element for f in SPECS[api_id].request.body}
    return {names[k]: v for k, v in arguments.items()}


def _bad_arguments(api_id: str) -> tuple[dict[str, Any], str]:
    """Arguments with one wrong value, and the argument an ArgumentError must name."""
    good = _arguments(api_id)
    if good:
        name = next(iter(good))
        return dict(good, **{name: 5}), name
    return dict(good, no_such_argument="1"), "no_such_argument"


def test_client_end_to_end() -> None:
    requests: list[tuple[str, dict[str, str], Any]] = []
    plain, paged = REGISTRY[PLAIN], REGISTRY[PAGED]
    with Client(appkey="a", secretkey="b", transport=_server(requests), rate_limit=None) as client:
        info = getattr(client, plain.method_name)(**_arguments(PLAIN))
        assert info.to_dict() == dict(_example(PLAIN, "response"), zz_new="x")
        assert info.extra == {"zz_new": "x"}
        assert info.raw is not None and info.raw.status_code == 200
        assert info.raw.headers["api-id"] == PLAIN
        generic = client.call(PLAIN, **_arguments(PLAIN))
        assert generic == info
        bad, argument = _bad_arguments(PLAIN)
        with pytest.raises(ArgumentError) as exc:
            getattr(client, plain.method_name)(**bad)
        assert exc.value.argument == argument
        with pytest.raises(ArgumentError):
            client.call("zz99999")
        page = getattr(client, paged.method_name)(**_arguments(PAGED))
        assert page.cont_yn is True and page.next_key == "K1"
        pager = getattr(client, f"{paged.method_name}_pages")(**_arguments(PAGED))
        pages = list(pager)
        assert len(pages) == 2 and pager.complete
        rows = getattr(pages[0], _rows_attr(PAGED))
        assert rows and len(list(pager.items())) == 2 * len(rows)
    sent = [(api_id, body) for api_id, _h, body in requests if api_id == PLAIN]
    assert sent[0][1] == _wire(PLAIN, _arguments(PLAIN))


def test_async_client_end_to_end() -> None:
    async def main() -> None:
        requests: list[tuple[str, dict[str, str], Any]] = []
        plain, paged = REGISTRY[PLAIN], REGISTRY[PAGED]
        async with AsyncClient(
            appkey="a", secretkey="b", transport=_server(requests), rate_limit=None
        ) as client:
            info = await getattr(client, plain.method_name)(**_arguments(PLAIN))
            assert info.extra == {"zz_new": "x"}
            generic = await client.call(PLAIN, **_arguments(PLAIN))
            assert generic == info
            pager = getattr(client, f"{paged.method_name}_pages")(**_arguments(PAGED), max_pages=1)
            pages = [p async for p in pager]
            assert len(pages) == 1

    asyncio.run(main())


# -- constructor, token TRs and generic paging ------------------------------------------------


def test_client_constructor_is_the_runtimes_typed_one() -> None:
    import inspect

    from kiwoom_runtime import AsyncAPIClient, SyncAPIClient

    assert Client.__init__ is SyncAPIClient.__init__
    assert AsyncClient.__init__ is AsyncAPIClient.__init__
    params = inspect.signature(Client).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert {"appkey", "secretkey", "env", "base_url", "transport"} <= set(params)


def test_token_trs_are_class_attributes() -> None:
    for cls in (Client, AsyncClient):
        assert cls.issue_endpoint.api_id == ROLES["token_issue"].api_id
        assert cls.issue_endpoint.path == ROLES["token_issue"].endpoint.path
        assert cls.revoke_endpoint is not None
        assert cls.revoke_endpoint.path == ROLES["token_revoke"].endpoint.path


def _auth_headers(requests: list[tuple[str, dict[str, str], Any]], api_id: str) -> list[str]:
    return [h.get("authorization", "") for a, h, _ in requests if a == api_id]


def test_token_trs_need_no_token() -> None:
    issue, revoke = ROLES["token_issue"], ROLES["token_revoke"]
    requests: list[tuple[str, dict[str, str], Any]] = []
    with Client(appkey="a", secretkey="b", transport=_server(requests), rate_limit=None) as client:
        issued = getattr(client, issue.method_name)(**_arguments(issue.api_id))
        assert issued.token == "T0" and issued.typed.expires_dt is not None
        generic = client.call(issue.api_id, **_arguments(issue.api_id))
        assert generic.token == "T0"
        revoked = getattr(client, revoke.method_name)(**_arguments(revoke.api_id))
        assert revoked.return_code == 0
        assert client.tokens.issue_count == 0  # the client's own token was never needed
    assert _auth_headers(requests, issue.api_id) == ["", ""]
    assert _auth_headers(requests, revoke.api_id) == [""]


def test_async_token_trs_need_no_token() -> None:
    issue, revoke = ROLES["token_issue"], ROLES["token_revoke"]

    async def main() -> list[tuple[str, dict[str, str], Any]]:
        requests: list[tuple[str, dict[str, str], Any]] = []
        async with AsyncClient(
            appkey="a", secretkey="b", transport=_server(requests), rate_limit=None
        ) as client:
            issued = await getattr(client, issue.method_name)(**_arguments(issue.api_id))
            assert issued.token == "T0"
            await client.call(revoke.api_id, **_arguments(revoke.api_id))
            assert client.tokens.issue_count == 0
        return requests

    requests = asyncio.run(main())
    assert _auth_headers(requests, issue.api_id) == [""]
    assert _auth_headers(requests, revoke.api_id) == [""]


def test_generic_paginate() -> None:
    requests: list[tuple[str, dict[str, str], Any]] = []
    with Client(appkey="a", secretkey="b", transport=_server(requests), rate_limit=None) as client:
        pager = client.paginate(PAGED, **_arguments(PAGED))
        pages = list(pager)
        assert len(pages) == 2 and pager.complete and getattr(pages[0], _rows_attr(PAGED))
        assert len(list(client.paginate(PAGED, **_arguments(PAGED), max_pages=1))) == 1
        single = client.paginate(PLAIN, **_arguments(PLAIN))
        (page,) = list(single)
        assert page.extra == {"zz_new": "x"} and single.complete
        with pytest.raises(ArgumentError) as exc:
            client.paginate(PAGED, bogus="1")
        assert exc.value.argument == "bogus"
        with pytest.raises(ArgumentError):
            client.paginate("zz99999")
    sent = [h for a, h, _ in requests if a == PAGED]
    assert sent[1]["cont-yn"] == "Y" and sent[1]["next-key"] == "K1"


def test_async_generic_paginate() -> None:
    async def main() -> None:
        requests: list[tuple[str, dict[str, str], Any]] = []
        async with AsyncClient(
            appkey="a", secretkey="b", transport=_server(requests), rate_limit=None
        ) as client:
            pages = [p async for p in client.paginate(PAGED, **_arguments(PAGED))]
            assert len(pages) == 2
            rows = [r async for r in client.paginate(PAGED, **_arguments(PAGED)).items()]
            assert len(rows) == 2 * len(getattr(pages[0], _rows_attr(PAGED)))
            single = [p async for p in client.paginate(PLAIN, **_arguments(PLAIN))]
            assert len(single) == 1

    asyncio.run(main())
