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


# Suites that wait on real timeouts, rate limits, token lifetimes or subprocesses. `make check`
# (the quick gate) skips them; `make test` and CI (.ci/run) run every test.
SLOW_MODULES = frozenset(
    {
        "tests/integration/test_client_sandbox.py",
        "tests/integration/test_rate_after_token.py",
        "tests/reliability/test_concurrency.py",
        "tests/reliability/test_fault_matrix.py",
        "tests/reliability/test_secrets.py",
        "tests/sandbox/test_limits.py",
        "tests/sandbox/test_tokens.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(ROOT).as_posix() in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
