"""Property tests (hypothesis) of what the client does with bodies it did not expect.

* The generated response decoders (``ENDPOINT.decode`` = ``<Response>.from_dict``) of every TR,
  on arbitrary JSON objects and on mutations of recorded fixture bodies: they keep every key
  (``to_dict()`` gives the body back, unknown keys land in ``extra``) and raise nothing, except
  ``TypeError``/``ValueError`` when a LIST holds a non-object row, which the runtime turns into
  the documented ``ResponseDecodeError``. Typed accessors raise only ``ValueKindError``.
* The runtime's envelope handling (HTTP status, JSON, ``return_code``, paging headers) on
  arbitrary statuses, headers and bytes through ``httpx.MockTransport``: only ``KiwoomError``
  subclasses come out, and a call that returns had a 2xx JSON object with a success code.

The spec loader and importer have their own property tests (tests/spec/test_fuzz.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.loader import load_specs
from kiwoom_runtime import (
    APIError,
    HTTPStatusError,
    InvalidResponseError,
    KiwoomError,
    OrderStateUnknownError,
    RawResponse,
    ResponseDecodeError,
    RetryPolicy,
    ValueKindError,
)
from kiwoom_typed import REGISTRY, AsyncClient, Client
from tests.arguments import sendable, valid_arguments
from tests.conftest import FIXTURES, SPECS

SPEC_SET = load_specs(SPECS).specs
# TRs a valid request can be built for (tests.arguments.contradictions lists the others)
DATA_IDS = sorted(a for a in REGISTRY if REGISTRY[a].role is None and sendable(SPEC_SET[a]))
ALL_IDS = sorted(REGISTRY)
LIST_KEYS = {
    api_id: {f.element for f in SPEC_SET[api_id].response.body if f.is_list} for api_id in ALL_IDS
}
#: A paged TR with a LIST (the pager and LIST-row tests need one).
PAGED_ID = next(a for a in DATA_IDS if REGISTRY[a].paged and LIST_KEYS[a])
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _fixture_bodies() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(Path(FIXTURES).glob("*/*.json")):
        data = json.loads(path.read_text("utf-8"))
        for page in data["pages"]:
            out.append((path.parent.name, page["body"]))
    return out


FIXTURE_BODIES = [(a, b) for a, b in _fixture_bodies() if a in REGISTRY]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "+72100", "-239500", "0", "20250131", "1.5", "-", "abc", "+-1"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _documented_keys(api_id: str) -> list[str]:
    return [f.element for f in SPEC_SET[api_id].response.body] + ["return_code", "return_msg"]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """(api_id, body): arbitrary objects over documented and unknown keys, or mutated fixtures."""
    if FIXTURE_BODIES and draw(st.booleans()):
        api_id, base = draw(st.sampled_from(FIXTURE_BODIES))
        body = json.loads(json.dumps(base))
        keys = sorted(body)
        for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
            del body[key]
        for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
            body[key] = draw(json_values)
        for list_key in LIST_KEYS[api_id] & set(body):
            rows = body[list_key]
            if isinstance(rows, list) and rows and draw(st.booleans()):
                i = draw(st.integers(0, len(rows) - 1))
                if isinstance(rows[i], dict) and rows[i]:
                    field = draw(st.sampled_from(sorted(rows[i])))
                    rows[i][field] = draw(json_values)
                    rows[i][draw(st.text(min_size=1, max_size=8))] = draw(json_values)
        body.update(draw(st.dictionaries(st.text(max_size=10), json_values, max_size=3)))
        return api_id, body
    api_id = draw(st.sampled_from(ALL_IDS))
    keys = st.sampled_from(_documented_keys(api_id)) | st.text(max_size=10)
    return api_id, draw(st.dictionaries(keys, json_values, max_size=8))


ITEM_KEYS = {
    (api_id, f.element): {i.element for i in f.items}
    for api_id in ALL_IDS
    for f in SPEC_SET[api_id].response.body
    if f.is_list
}


def _as_model_sees_it(api_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body with documented keys that are null removed: the models document "missing or
    null -> None", so ``to_dict()`` cannot tell the two apart (the only loss allowed)."""
    documented = set(_documented_keys(api_id))
    out = {k: v for k, v in body.items() if not (k in documented and v is None)}
    for key in LIST_KEYS[api_id]:
        rows = out.get(key)
        if isinstance(rows, list):
            item_keys = ITEM_KEYS[(api_id, key)]
            out[key] = [
                {k: v for k, v in r.items() if not (k in item_keys and v is None)}
                if isinstance(r, dict)
                else r
                for r in rows
            ]
    return out


def _has_non_object_row(api_id: str, body: dict[str, Any]) -> bool:
    return any(
        isinstance(body.get(k), list) and any(not isinstance(r, dict) for r in body[k])
        for k in LIST_KEYS[api_id]
    )


def _raw(body: dict[str, Any]) -> RawResponse:
    content = json.dumps(body, ensure_ascii=False).encode()
    return RawResponse.from_parts(
        status_code=200, headers=httpx.Headers({"api-id": "x"}), content=content, body=body
    )


def _typed_properties(obj: Any) -> list[str]:
    cls = type(obj)
    return [n for n in dir(cls) if isinstance(getattr(cls, n, None), property)]


def _touch_typed(model: Any) -> None:
    """Read every typed accessor of the model and of its LIST rows: only ValueKindError."""
    targets = [model]
    for value in attrs.asdict(model, recurse=False).values():
        if isinstance(value, Sequence) and not isinstance(value, str):  # LIST rows
            targets.extend(v for v in value if attrs.has(type(v)))
    for obj in targets:
        typed = getattr(obj, "typed", None)
        if typed is None:
            continue
        for name in _typed_properties(typed):
            try:
                getattr(typed, name)
            except ValueKindError as exc:
                assert isinstance(exc, ValueError)


@FUZZ
@given(bodies())
def test_decoder_keeps_everything_and_raises_only_documented_errors(
    case: tuple[str, dict[str, Any]],
) -> None:
    api_id, body = case
    endpoint = REGISTRY[api_id].endpoint
    original = json.loads(json.dumps(body))
    if _has_non_object_row(api_id, body):
        # A row that is not an object is refused (the client turns it into ResponseDecodeError).
        with pytest.raises(TypeError, match="is not an object"):
            endpoint.decode(body, _raw(body))
        return
    model = endpoint.decode(body, _raw(body))
    assert body == original, "decode mutated its input"
    assert model.to_dict() == _as_model_sees_it(api_id, original), "decode lost or changed keys"
    documented = set(_documented_keys(api_id))
    for key in set(original) - documented:
        assert key in model.extra and model.extra[key] == original[key]
    _touch_typed(model)


@settings(max_examples=25, deadline=None, database=None)
@given(st.sampled_from([a for a in DATA_IDS if LIST_KEYS[a]]))
def test_non_object_rows_become_response_decode_error(api_id: str) -> None:
    """What the decoder may raise (a LIST of non-objects) reaches the user as a typed error.

    A sample of the LIST TRs (one client per example: every TR would be slow at 300 TRs)."""
    key = sorted(LIST_KEYS[api_id])[0]
    body = {key: [1, "x"], "return_code": 0, "return_msg": "ok"}
    with _mock_client(lambda request: httpx.Response(200, json=body)) as client:
        with pytest.raises(ResponseDecodeError) as info:
            client._call(REGISTRY[api_id].endpoint, _request(api_id))
    assert info.value.api_id == api_id


def test_non_object_rows_are_not_rewritten() -> None:
    api_id = PAGED_ID
    key = sorted(LIST_KEYS[api_id])[0]
    body = {key: [[], [["date", "20250101"]]], "return_code": 0, "return_msg": "ok"}
    with _mock_client(lambda request: httpx.Response(200, json=body)) as client:
        with pytest.raises(ResponseDecodeError) as info:
            client._call(REGISTRY[api_id].endpoint, _request(api_id))
    assert f"{key}[0] is not an object" in str(info.value)


# -- the envelope, on arbitrary answers -----------------------------------------------------------

CODES = ["1700", "1701", "1634", "1511", "1901", "1999", "8005", "8001", "8030", "RC4058", "9999"]


@st.composite
def answers(draw: st.DrawFn) -> tuple[int, dict[str, str], bytes]:
    status = draw(
        st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 404, 429, 500, 502, 503])
        | st.integers(100, 599)
    )
    headers: dict[str, str] = {}
    if draw(st.booleans()):
        headers["cont-yn"] = draw(st.sampled_from(["Y", "N", "y", "", " Y "]))
        headers["next-key"] = draw(
            st.sampled_from(["", "K1", "K2", " "])
            | st.from_regex(r"[A-Za-z0-9_]{0,12}", fullmatch=True)
        )
    if draw(st.booleans()):
        headers["retry-after"] = draw(
            st.sampled_from(["0", "1", "-5", "abc", "Wed, 21 Oct 2015 07:28:00 GMT", "1e9"])
        )
    kind = draw(st.sampled_from(["bytes", "envelope", "truncated", "json"]))
    if kind == "bytes":
        content = draw(st.binary(max_size=64))
    elif kind == "json":
        content = json.dumps(draw(json_values)).encode()
    else:
        code = draw(st.sampled_from(CODES))
        envelope: dict[str, Any] = draw(
            st.dictionaries(st.text(max_size=6), json_values, max_size=3)
        )
        envelope["return_code"] = draw(
            st.sampled_from([0, "0", "0000", 1, 2, 3, 5, "5", "abc", None, True, 0.0, -1])
        )
        envelope["return_msg"] = draw(
            st.sampled_from([f"msg[{code}:text]", f"[{code}:", "plain", "", None])
        )
        content = json.dumps(envelope, ensure_ascii=False).encode()
        if kind == "truncated":
            content = content[: draw(st.integers(0, max(0, len(content) - 1)))]
    return status, headers, content


NO_WAIT = RetryPolicy(max_attempts=2, initial_delay=0.0, jitter=0.0, max_retry_after=0.0)


def _mock_client(handler: Any) -> Client:
    return Client(
        token="static-token-for-fuzzing",
        base_url="http://kiwoom.invalid",
        transport=httpx.MockTransport(handler),
        retry=NO_WAIT,
        rate_limit=None,
    )


def _request(api_id: str) -> Any:
    """A valid request of any TR, built from its own required fields."""
    return REGISTRY[api_id].build_request(valid_arguments(SPEC_SET[api_id]))


def _success_was_legitimate(status: int, content: bytes) -> bool:
    if not 200 <= status < 300:
        return False
    try:
        data = json.loads(content)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    rc = data.get("return_code")
    if rc is None or (type(rc) is int and rc == 0):
        return True
    return isinstance(rc, str) and rc.strip().isdigit() and int(rc.strip()) == 0


@FUZZ
@given(st.sampled_from(DATA_IDS), st.booleans(), st.lists(answers(), min_size=1, max_size=3))
def test_envelope_raises_only_kiwoom_errors(
    api_id: str, unsafe: bool, script: list[tuple[int, dict[str, str], bytes]]
) -> None:
    queue = list(script)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, content = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(status, headers=headers, content=content)

    endpoint = REGISTRY[api_id].endpoint
    if unsafe:
        endpoint = attrs.evolve(endpoint, retry_safe=False)
    unsafe = not endpoint.retry_safe  # orders are unsafe as documented
    with _mock_client(handler) as client:
        try:
            client._call(endpoint, _request(api_id))
        except KiwoomError as exc:
            str(exc), repr(exc)
            if unsafe and isinstance(exc, OrderStateUnknownError):
                assert isinstance(exc.cause, KiwoomError)
            elif isinstance(exc, HTTPStatusError):
                assert not 200 <= exc.status_code < 300
            else:
                assert isinstance(exc, (APIError, InvalidResponseError)), repr(exc)
        else:
            assert any(_success_was_legitimate(s, c) for s, _, c in script), (
                "the call returned although no answer was a 2xx JSON object with a success code"
            )


@FUZZ
@given(st.lists(answers(), min_size=1, max_size=6))
def test_pager_on_arbitrary_pages_raises_only_kiwoom_errors(
    script: list[tuple[int, dict[str, str], bytes]],
) -> None:
    queue = list(script)

    def handler(request: httpx.Request) -> httpx.Response:
        if not queue:
            return httpx.Response(200, json={"return_code": 0, "return_msg": "ok"})
        status, headers, content = queue.pop(0)
        return httpx.Response(status, headers=headers, content=content)

    info = REGISTRY[PAGED_ID]
    with _mock_client(handler) as client:
        pager = client._paginate(info.endpoint, _request(PAGED_ID), max_pages=5)
        try:
            for _ in pager.items():
                pass
        except KiwoomError:
            assert not pager.complete
        else:
            assert pager.complete or pager.truncated


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(DATA_IDS), st.lists(answers(), min_size=1, max_size=2))
def test_async_envelope_raises_only_kiwoom_errors(
    api_id: str, script: list[tuple[int, dict[str, str], bytes]]
) -> None:
    queue = list(script)

    async def handler(request: httpx.Request) -> httpx.Response:
        status, headers, content = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(status, headers=headers, content=content)

    async def run() -> None:
        async with AsyncClient(
            token="static-token-for-fuzzing",
            base_url="http://kiwoom.invalid",
            transport=httpx.MockTransport(handler),
            retry=NO_WAIT,
            rate_limit=None,
        ) as client:
            try:
                await client._call(REGISTRY[api_id].endpoint, _request(api_id))
            except KiwoomError:
                pass

    asyncio.run(run())
