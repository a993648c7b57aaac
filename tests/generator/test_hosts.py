"""The hosts of ``env="prod"`` / ``env="mock"`` come from the specs, and must agree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen.errors import SpecError
from codegen.loader import load_specs
from codegen.model import build_package
from kiwoom_typed import AsyncClient, Client
from tests.conftest import ROOT, SPECS

GOLDEN_SPECS = ROOT / "tests" / "golden" / "specs"


def test_clients_use_the_documented_hosts() -> None:
    specs = load_specs(SPECS).specs.values()
    (prod_host,) = {spec.hosts.prod for spec in specs}
    (mock_host,) = {spec.hosts.mock for spec in specs} - {None}  # some TRs have no mock host
    with Client(env="prod", token="t" * 20) as prod, Client(env="mock", token="t" * 20) as mock:
        assert prod.base_url == prod_host
        assert mock.base_url == mock_host
    assert AsyncClient.mock_base_url == mock_host


def test_specs_that_disagree_on_hosts_are_refused(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    path = tmp_path / "specs" / "zz00002.yaml"
    path.write_text(
        path.read_text("utf-8").replace("prod: https://api.kiwoom.com", "prod: https://x.example"),
        "utf-8",
    )
    with pytest.raises(SpecError) as info:
        build_package(load_specs(tmp_path / "specs"))
    assert "zz00002.yaml:" in str(info.value)
    assert "hosts.prod: prod host https://x.example differs from zz00001" in str(info.value)
