"""kiwoom_runtime.registry: TR modules load on first access; unknown IDs are ArgumentErrors."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from kiwoom_runtime import ArgumentError, Endpoint
from kiwoom_runtime.registry import TOKEN_ROLES, Registry, TrInfo

_MODULE = """
import attrs
from kiwoom_runtime import Endpoint
from kiwoom_runtime.registry import TrInfo


@attrs.frozen(kw_only=True)
class Request:
    stk_cd: str

    @classmethod
    def from_arguments(cls, arguments):
        return cls(**arguments)


INFO = TrInfo(
    api_id="zz00001",
    name="test",
    english_name="Test",
    method_name="get_test",
    paged=False,
    role=None,
    request_type=Request,
    response_type=dict,
    endpoint=Endpoint(api_id="zz00001", name="test", path="/api/test"),
)
"""


@pytest.fixture
def tr_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = "rt_registry_tr_zz00001"
    (tmp_path / f"{name}.py").write_text(_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_registry_is_a_lazy_mapping(tr_module: str) -> None:
    registry = Registry({"zz00001": tr_module})
    assert isinstance(registry, Mapping) and len(registry) == 1
    assert list(registry) == ["zz00001"] and "zz00001" in registry and "zz2" not in registry
    assert tr_module not in sys.modules  # nothing imported yet
    info = registry["zz00001"]
    assert tr_module in sys.modules
    assert info.api_id == "zz00001" and info.endpoint.path == "/api/test"
    assert registry.info("zz00001") is info
    assert repr(registry) == "Registry(1 TRs)"


def test_registry_unknown_ids(tr_module: str) -> None:
    registry = Registry({"zz00001": tr_module})
    with pytest.raises(KeyError):
        registry["zz99999"]
    with pytest.raises(ArgumentError) as exc:
        registry.info("zz99999")
    assert exc.value.argument == "api_id" and "'zz99999'" in str(exc.value)


def test_build_request_uses_from_arguments(tr_module: str) -> None:
    info = Registry({"zz00001": tr_module}).info("zz00001")
    request: Any = info.build_request({"stk_cd": "005930"})
    assert request.stk_cd == "005930"


def _info(role: str | None) -> TrInfo:
    return TrInfo(
        api_id="zz1",
        name="x",
        english_name="X",
        method_name="x",
        paged=False,
        role=role,
        request_type=dict,
        response_type=dict,
        endpoint=Endpoint(api_id="zz1", name="x", path="/x"),
    )


def test_token_trs_are_not_authenticated() -> None:
    assert TOKEN_ROLES == {"token_issue", "token_revoke"}
    assert _info(None).authenticated
    assert not _info("token_issue").authenticated
    assert not _info("token_revoke").authenticated
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        _info(None).role = "x"  # type: ignore[misc]
