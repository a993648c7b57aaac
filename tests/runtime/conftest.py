"""Make ``src/`` and the test helpers importable; provide the fake-server fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for p in (HERE.parents[1] / "src", HERE):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from rt_fakes import FakeKiwoom  # noqa: E402


@pytest.fixture
def fake() -> FakeKiwoom:
    return FakeKiwoom()
