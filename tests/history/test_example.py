"""examples/download_history.py runs offline and prints its query (make demo runs it too)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Real downloads (a sandbox each, seconds): make test, not the quick gate.
pytestmark = pytest.mark.slow


def test_the_example_downloads_and_queries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ROOT / "examples" / "download_history.py"
    spec = importlib.util.spec_from_file_location("download_history", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.main(tmp_path)
    out = capsys.readouterr().out
    assert "stock_daily: 5/5 symbols" in out and "again: 0 requests" in out
    assert "return_pct" in out and "005930" in out
