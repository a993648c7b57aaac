"""The committed generated package, checked against every spec in ``specs/``.

Parametrized over the spec files, so a new TR gets these checks by being added.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import kiwoom_typed
from codegen.loader import load_specs
from codegen.spec import Field, TrSpec, ValueKind
from kiwoom_runtime import ArgumentError, Direction, SignedPrice, ValueKindError
from kiwoom_runtime.models import NO_ROWS
from kiwoom_typed import REGISTRY, AsyncClient, Client

ROOT = Path(__file__).resolve().parents[2]
SPEC_SET = load_specs(ROOT / "specs")
SPECS: dict[str, TrSpec] = SPEC_SET.specs
IDS = sorted(SPECS)


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


def _python_name(field: Field) -> str:
    return field.python_name or field.element


def _list_fields(spec: TrSpec) -> list[Field]:
    return [f for f in spec.response.body if f.is_list]


# -- registry and clients ---------------------------------------------------------------------


@pytest.mark.parametrize("api_id", IDS)
def test_registry_and_methods(api_id: str) -> None:
    spec = SPECS[api_id]
    assert spec.annotations is not None
    info = REGISTRY[api_id]
    assert info.api_id == api_id and info.name == spec.name
    assert info.endpoint.path == spec.url
    assert info.endpoint.paged == spec.annotations.paged
    assert info.endpoint.retry_safe == spec.annotations.retry_safe
    assert info.endpoint.mock_supported == spec.annotations.mock_supported
    assert (info.endpoint.items is not None) == bool(_list_fields(spec))
    method = spec.annotations.python_name
    for cls in (Client, AsyncClient):
        assert callable(getattr(cls, method))
        assert hasattr(cls, f"{method}_pages") == spec.annotations.paged
    assert asyncio.iscoroutinefunction(getattr(AsyncClient, method))
    doc = getattr(Client, method).__doc__
    assert api_id in doc and spec.name in doc
    for field in spec.request.body:
        assert _python_name(field) in doc and field.korean in doc
    # models are exported at top level
    assert getattr(kiwoom_typed, info.request_type.__name__) is info.request_type
    assert getattr(kiwoom_typed, info.response_type.__name__) is info.response_type


def test_token_endpoints_passed_to_runtime() -> None:
    roles = {
        s.annotations.role.value: s for s in SPECS.values() if s.annotations and s.annotations.role
    }
    client = Client(appkey="a", secretkey="b")
    try:
        assert client.tokens.issue_endpoint.api_id == roles["token_issue"].api_id
        assert client.tokens.issue_endpoint.path == roles["token_issue"].url
        assert client.tokens.revoke_endpoint is not None
        assert client.tokens.revoke_endpoint.path == roles["token_revoke"].url
    finally:
        client.close()


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("api_id", IDS)
def test_response_example_round_trips(api_id: str) -> None:
    body = _example(api_id, "response")
    model = REGISTRY[api_id].response_type.from_dict(body)
    assert model.to_dict() == body
    assert list(model.to_dict()) == list(body) or set(model.to_dict()) == set(body)
    for field in SPECS[api_id].response.body:
        if field.element in body and not field.is_list:
            assert getattr(model, _python_name(field)) == body[field.element]


@pytest.mark.parametrize("api_id", IDS)
def test_request_example_round_trips(api_id: str) -> None:
    body = _example(api_id, "request")
    request = REGISTRY[api_id].request_type.from_dict(body)
    assert request.to_dict() == body
    assert REGISTRY[api_id].endpoint.encode(request) == body


@pytest.mark.parametrize("api_id", IDS)
def test_unknown_keys_are_kept(api_id: str) -> None:
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
            assert row.extra["zz_row_extra"] == "+5"


@pytest.mark.parametrize("api_id", IDS)
def test_missing_keys_are_none_and_not_invented(api_id: str) -> None:
    model = REGISTRY[api_id].response_type.from_dict({})
    assert model.to_dict() == {}
    assert model.raw is None and model.cont_yn is False and model.next_key is None
    for field in SPECS[api_id].response.body:
        value = getattr(model, _python_name(field))
        if field.is_list:  # an absent LIST reads as no rows, and stays absent in to_dict()
            assert value == () and value is NO_ROWS
        else:
            assert value is None


@pytest.mark.parametrize("api_id", [a for a in IDS if _list_fields(SPECS[a])])
def test_list_that_is_not_a_list_is_kept(api_id: str) -> None:
    key = _list_fields(SPECS[api_id])[0]
    body = {key.element: "", "return_code": 0}
    model = REGISTRY[api_id].response_type.from_dict(body)
    assert getattr(model, _python_name(key)) == () and model.extra == {key.element: ""}
    assert model.to_dict() == body


@pytest.mark.parametrize("api_id", [a for a in IDS if _list_fields(SPECS[a])])
def test_empty_list_is_kept_apart_from_an_absent_one(api_id: str) -> None:
    key = _list_fields(SPECS[api_id])[0]
    empty = REGISTRY[api_id].response_type.from_dict({key.element: []})
    rows = getattr(empty, _python_name(key))
    assert rows == () and rows is not NO_ROWS and len(rows) == 0
    assert empty.to_dict() == {key.element: []}
    assert REGISTRY[api_id].endpoint.items is not None
    assert list(REGISTRY[api_id].endpoint.items(empty)) == []


# -- typed accessors --------------------------------------------------------------------------


@pytest.mark.parametrize("api_id", IDS)
def test_typed_accessors_parse_or_name_the_problem(api_id: str) -> None:
    body = _example(api_id, "response")
    model = REGISTRY[api_id].response_type.from_dict(body)
    spec = SPECS[api_id]

    def check(obj: Any, fields: tuple[Field, ...], data: dict[str, Any]) -> None:
        for field in fields:
            if field.is_list:
                for row, row_data in zip(
                    getattr(obj, _python_name(field)) or (),
                    data.get(field.element) or (),
                    strict=True,
                ):
                    check(row, field.items, row_data)
                continue
            if field.kind in (None, ValueKind.TEXT, ValueKind.CODE):
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


def test_ka10001_typed_values() -> None:
    from kiwoom_typed.tr.ka10001 import Ka10001Response

    model = Ka10001Response.from_dict(_example("ka10001", "response"))
    typed = model.typed
    assert typed.oyr_hgst == SignedPrice(181400, Direction.UP)
    assert typed.oyr_lwst == SignedPrice(91200, Direction.DOWN)
    assert typed.oyr_lwst is not None and typed.oyr_lwst.signed == -91200
    assert typed.hgst_250 == SignedPrice(124000, Direction.UP)  # wire key "250hgst"
    assert str(typed.crd_rt) == "0.08"
    assert typed.setl_mm == 12
    assert typed.mac_wght is None  # "" -> None
    assert typed.pre_sig is None
    assert model.hgst_250 == "+124000"
    # the documentation's example carries values that do not fit their fields
    with pytest.raises(
        ValueKindError, match=r"ka10001 cur_prc: '0\.00' is not a valid signed price"
    ):
        _ = typed.cur_prc
    with pytest.raises(ValueError, match=r"ka10001 250hgst_pric_dt: '3' is not a valid date"):
        _ = typed.hgst_250_pric_dt
    with pytest.raises(ValueError, match=r"lst_pric: '-47\.41'"):
        _ = typed.lst_pric
    with pytest.raises(ValueError, match=r"250lwst_pric_dt: '0\.00'"):
        _ = typed.lwst_250_pric_dt


def test_typed_docstrings_explain_signs() -> None:
    from kiwoom_typed.tr.ka10001 import Ka10001ResponseTyped

    price_doc = Ka10001ResponseTyped.cur_prc.__doc__ or ""
    assert "direction against the previous close" in price_doc and "현재가" in price_doc
    number_doc = Ka10001ResponseTyped.pred_pre.__doc__ or ""
    assert "true signed integer" in number_doc


# -- argument checks --------------------------------------------------------------------------


@pytest.mark.parametrize("api_id", IDS)
def test_argument_errors_name_the_argument(api_id: str) -> None:
    info = REGISTRY[api_id]
    fields = SPECS[api_id].request.body
    required = [f for f in fields if f.required]
    good = {_python_name(f): "1" for f in required}
    info.build_request(good)
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
        if field.length is not None:
            name = _python_name(field)
            with pytest.raises(ArgumentError) as too_long:
                info.build_request(dict(good, **{name: "9" * (field.length + 1)}))
            assert too_long.value.argument == name and str(field.length) in str(too_long.value)


def test_request_from_wire_refuses_unknown_keys() -> None:
    from kiwoom_typed.tr.ka10001 import Ka10001Request

    with pytest.raises(ArgumentError) as exc:
        Ka10001Request.from_dict({"stk_cd": "005930", "bogus": "1"})
    assert exc.value.argument == "bogus"


# -- DataFrames -------------------------------------------------------------------------------


def test_dataframe_dtypes() -> None:
    pd = pytest.importorskip("pandas")
    from kiwoom_typed import pages_to_dataframe
    from kiwoom_typed.tr.ka10005 import Ka10005Response

    body = _example("ka10005", "response")
    model = Ka10005Response.from_dict(body)
    frame = model.to_dataframe()
    assert len(frame) == len(body["stk_ddwkmm"])
    assert str(frame["date"].dtype) == "datetime64[ns]"
    assert frame["date"][0] == pd.Timestamp("2024-10-28")
    assert str(frame["close_pric"].dtype) == "Int64" and frame["close_pric"][2] == 95400
    assert str(frame["pre"].dtype) == "Int64" and frame["pre"].isna()[1]
    assert str(frame["flu_rt"].dtype) == "float64"
    assert str(frame["trde_qty"].dtype) == "Int64"
    assert str(frame["cntr_str"].dtype) == "object"  # not documented on this page: kept, raw
    raw = model.to_dataframe(raw=True)
    assert all(str(dtype) == "object" for dtype in raw.dtypes)
    assert raw["close_pric"][2] == "+95400" and raw["pre"][1] == ""
    both = pages_to_dataframe([model, model])
    assert len(both) == 2 * len(frame) and list(both.columns) == list(frame.columns)
    assert pages_to_dataframe([]).empty


def test_dataframe_malformed_value_names_field() -> None:
    pytest.importorskip("pandas")
    from kiwoom_typed.tr.ka10005 import Ka10005Response

    model = Ka10005Response.from_dict({"stk_ddwkmm": [{"date": "2024-10-28"}]})
    with pytest.raises(ValueKindError, match="ka10005 date: '2024-10-28'"):
        model.to_dataframe()
    assert model.to_dataframe(raw=True)["date"][0] == "2024-10-28"


# -- end to end through the runtime (httpx mock transport) --------------------------------------


def _server(requests: list[tuple[str, dict[str, str], Any]]) -> httpx.MockTransport:
    stkinfo = _example("ka10001", "response")
    daily = _example("ka10005", "response")

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
        if api_id == "ka10001":
            return httpx.Response(200, json=dict(stkinfo, zz_new="x"), headers={"api-id": api_id})
        if api_id == "ka10005":
            first = request.headers.get("cont-yn") != "Y"
            headers = {
                "api-id": api_id,
                "cont-yn": "Y" if first else "N",
                "next-key": "K1" if first else "",
            }
            return httpx.Response(200, json=daily, headers=headers)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def test_client_end_to_end() -> None:
    requests: list[tuple[str, dict[str, str], Any]] = []
    with Client(appkey="a", secretkey="b", transport=_server(requests), rate_limit=None) as client:
        info = client.get_stock_info(stk_cd="005930")
        assert info.stk_nm == "삼성전자" and info.extra == {"zz_new": "x"}
        assert info.raw is not None and info.raw.status_code == 200
        assert info.raw.headers["api-id"] == "ka10001"
        generic = client.call("ka10001", stk_cd="005930")
        assert generic == info
        with pytest.raises(ArgumentError) as exc:
            client.get_stock_info(stk_cd="0" * 21)
        assert exc.value.argument == "stk_cd"
        with pytest.raises(ArgumentError):
            client.call("zz99999")
        page = client.get_stock_daily_weekly_monthly(stk_cd="005930")
        assert page.cont_yn is True and page.next_key == "K1"
        pager = client.get_stock_daily_weekly_monthly_pages(stk_cd="005930")
        pages = list(pager)
        assert len(pages) == 2 and pager.complete
        assert len(list(pager.items())) == 2 * len(pages[0].stk_ddwkmm or ())
    sent = [(api_id, body) for api_id, _h, body in requests if api_id == "ka10001"]
    assert sent[0][1] == {"stk_cd": "005930"}


def test_async_client_end_to_end() -> None:
    async def main() -> None:
        requests: list[tuple[str, dict[str, str], Any]] = []
        async with AsyncClient(
            appkey="a", secretkey="b", transport=_server(requests), rate_limit=None
        ) as client:
            info = await client.get_stock_info(stk_cd="005930")
            assert info.stk_nm == "삼성전자"
            generic = await client.call("ka10001", stk_cd="005930")
            assert generic == info
            pages = [
                p
                async for p in client.get_stock_daily_weekly_monthly_pages(
                    stk_cd="005930", max_pages=1
                )
            ]
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
    roles = {
        s.annotations.role.value: s for s in SPECS.values() if s.annotations and s.annotations.role
    }
    for cls in (Client, AsyncClient):
        assert cls.issue_endpoint.api_id == roles["token_issue"].api_id
        assert cls.revoke_endpoint is not None
        assert cls.revoke_endpoint.path == roles["token_revoke"].url


def _auth_headers(requests: list[tuple[str, dict[str, str], Any]], api_id: str) -> list[str]:
    return [h.get("authorization", "") for a, h, _ in requests if a == api_id]


def test_token_trs_need_no_token() -> None:
    requests: list[tuple[str, dict[str, str], Any]] = []
    with Client(appkey="a", secretkey="b", transport=_server(requests), rate_limit=None) as client:
        issued = client.issue_token(grant_type="client_credentials", appkey="a", secretkey="b")
        assert issued.token == "T0" and issued.typed.expires_dt is not None
        generic = client.call("au10001", grant_type="client_credentials", appkey="a", secretkey="b")
        assert generic.token == "T0"
        revoked = client.revoke_token(appkey="a", secretkey="b", token="T0")
        assert revoked.return_code == 0
        assert client.tokens.issue_count == 0  # the client's own token was never needed
    assert _auth_headers(requests, "au10001") == ["", ""]
    assert _auth_headers(requests, "au10002") == [""]


def test_async_token_trs_need_no_token() -> None:
    async def main() -> list[tuple[str, dict[str, str], Any]]:
        requests: list[tuple[str, dict[str, str], Any]] = []
        async with AsyncClient(
            appkey="a", secretkey="b", transport=_server(requests), rate_limit=None
        ) as client:
            issued = await client.issue_token(
                grant_type="client_credentials", appkey="a", secretkey="b"
            )
            assert issued.token == "T0"
            await client.call("au10002", appkey="a", secretkey="b", token="T0")
            assert client.tokens.issue_count == 0
        return requests

    requests = asyncio.run(main())
    assert _auth_headers(requests, "au10001") == [""]
    assert _auth_headers(requests, "au10002") == [""]


def test_generic_paginate() -> None:
    requests: list[tuple[str, dict[str, str], Any]] = []
    with Client(appkey="a", secretkey="b", transport=_server(requests), rate_limit=None) as client:
        pager = client.paginate("ka10005", stk_cd="005930")
        pages = list(pager)
        assert len(pages) == 2 and pager.complete and pages[0].stk_ddwkmm
        assert len(list(client.paginate("ka10005", stk_cd="005930", max_pages=1))) == 1
        single = client.paginate("ka10001", stk_cd="005930")
        (page,) = list(single)
        assert page.stk_nm == "삼성전자" and single.complete
        with pytest.raises(ArgumentError) as exc:
            client.paginate("ka10005", bogus="1")
        assert exc.value.argument == "bogus"
        with pytest.raises(ArgumentError):
            client.paginate("zz99999")
    sent = [h for a, h, _ in requests if a == "ka10005"]
    assert sent[1]["cont-yn"] == "Y" and sent[1]["next-key"] == "K1"


def test_async_generic_paginate() -> None:
    async def main() -> None:
        requests: list[tuple[str, dict[str, str], Any]] = []
        async with AsyncClient(
            appkey="a", secretkey="b", transport=_server(requests), rate_limit=None
        ) as client:
            pages = [p async for p in client.paginate("ka10005", stk_cd="005930")]
            assert len(pages) == 2
            rows = [r async for r in client.paginate("ka10005", stk_cd="005930").items()]
            assert len(rows) == 2 * len(pages[0].stk_ddwkmm or ())
            single = [p async for p in client.paginate("ka10001", stk_cd="005930")]
            assert len(single) == 1

    asyncio.run(main())
