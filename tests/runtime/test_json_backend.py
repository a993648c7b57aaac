"""kiwoom_runtime._json: orjson and the standard library give the same objects and bytes; what
orjson refuses is the stdlib's to answer, and the client decodes the same with either."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiwoom_runtime import _json

orjson = pytest.importorskip("orjson")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LIVE = Path(__file__).resolve().parents[1] / "live_responses"

# What a Kiwoom body or request holds: strings (any text), integers, booleans, null, arrays and
# objects; floats are left out of the byte comparison (both spell the same number, not alike).
_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=25,
)


@pytest.fixture
def stdlib_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as on a platform without orjson."""
    monkeypatch.setattr(_json, "_orjson", None)


def test_orjson_is_the_backend_on_cpython() -> None:
    assert _json.BACKEND == "orjson"


@settings(max_examples=150, deadline=None)
@given(_documents)
def test_both_backends_give_the_same_bytes_and_objects(document: Any) -> None:
    stdlib = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert orjson.dumps(document) == stdlib
    assert _json.dumps(document) == stdlib
    assert orjson.loads(stdlib) == json.loads(stdlib) == _json.loads(stdlib)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_parse_to_the_same_number(value: float) -> None:
    text = json.dumps({"x": value}).encode()
    assert _json.loads(text) == json.loads(text)
    assert json.loads(_json.dumps({"x": value})) == {"x": value}


def test_every_recorded_answer_parses_the_same() -> None:
    """The fixtures the sandbox serves and the live answers others published (a 900-row page
    among them), each body re-encoded as the server sends it (compact UTF-8)."""
    files = sorted(FIXTURES.glob("*/*.json")) + sorted(LIVE.glob("*/*.json"))
    assert len(files) >= 8
    for path in files:
        data = path.read_bytes()
        assert orjson.loads(data) == json.loads(data), path
        document = json.loads(data)
        for body in [document.get("body"), *(p.get("body") for p in document.get("pages", []))]:
            if body is not None:
                wire = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
                assert _json.dumps(body) == wire and _json.loads(wire) == body, path


@pytest.mark.parametrize(
    "body",
    [
        b'{"x": NaN}',
        b'{"x": Infinity}',
        b'{"x": 1e400}',
        b'{"x": "\\ud800"}',
        b'{"x": 1, "x": 2}',
    ],
)
def test_what_orjson_refuses_gets_the_stdlib_answer(body: bytes) -> None:
    got, expected = _json.loads(body), json.loads(body)
    assert repr(got) == repr(expected)  # NaN != NaN: compare the spelling
    if isinstance(expected["x"], float) and math.isnan(expected["x"]):
        assert math.isnan(got["x"])


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"[1,]", b'{"a":1}x'])
def test_what_neither_parses_raises_the_stdlib_error(body: bytes) -> None:
    with pytest.raises(ValueError) as expected:
        json.loads(body)
    with pytest.raises(type(expected.value)):
        _json.loads(body)


def test_the_one_difference_integers_beyond_64_bits() -> None:
    """orjson reads them as floats (documented in _json); Kiwoom sends figures as strings."""
    assert _json.loads(b"18446744073709551615") == 2**64 - 1
    assert _json.loads(b"18446744073709551616") == float(2**64)


def test_requests_orjson_cannot_encode_are_the_stdlib_s() -> None:
    big = {"n": 2**70}
    assert _json.dumps(big) == b'{"n":1180591620717411303424}'
    with pytest.raises(TypeError):
        _json.dumps({1.5j: "x"})  # neither encodes it: the stdlib's error


def test_the_fallback_alone(stdlib_only: None) -> None:
    assert _json.loads(b'{"a":"\xed\x95\x9c"}') == {"a": "한"}
    assert _json.dumps({"a": "한", "b": [1, None]}) == '{"a":"한","b":[1,null]}'.encode()
    with pytest.raises(ValueError):
        _json.loads(b"{")


def _decoded_with(backend: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """ka10001 and a ka10005 page through the typed client on a MockTransport."""
    from kiwoom_typed import Client

    if backend == "json":
        monkeypatch.setattr(_json, "_orjson", None)
    fixture = json.loads((FIXTURES / "ka10001" / "samsung.json").read_text("utf-8"))
    bodies = {
        "ka10001": fixture["pages"][0]["body"],
        "ka10005": {
            "stk_ddwkmm": [{"date": "20250131", "close_pric": "-53400", "new": "한"}] * 3,
            "return_code": 0,
            "return_msg": "정상적으로 처리되었습니다",
        },
    }
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        if request.url.path == "/oauth2/token":
            token = {"token": "T" * 40, "expires_dt": "20991231235959", "return_code": 0}
            return httpx.Response(200, json=token)
        api_id = request.headers["api-id"]
        return httpx.Response(200, content=json.dumps(bodies.get(api_id, {})).encode())

    with Client(
        appkey="k", secretkey="s", base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(handler), rate_limit=None, revoke_on_close=False,
    ) as client:  # fmt: skip
        info = client.get_stock_info(stk_cd="005930")
        page = client.get_stock_daily_weekly_monthly(stk_cd="005930")
        return [info, info.to_dict(), page, page.to_dict(), list(page.stk_ddwkmm), sent]


def test_the_client_decodes_the_same_with_either_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _decoded_with("orjson", monkeypatch)
    slow = _decoded_with("json", monkeypatch)
    assert fast == slow
