"""Shared test setup: where the project's inputs live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SEED = ROOT / "tests" / "seed" / "kiwoom_manual_extract.txt"
FIXTURES = ROOT / "tests" / "fixtures"

SPEC_IDS = sorted(p.stem for p in SPECS.glob("*.yaml") if not p.name.startswith("_"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
