"""Shared test setup: where the project's inputs live."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
#: The user's input: the text extract of Kiwoom's manual, read where it is shared, never
#: copied into the project (like ../shared/kiwoom-docs).
SEED = ROOT.parent / "shared" / "seed" / "000_0b9518e4a2945ffd.txt"
FIXTURES = ROOT / "tests" / "fixtures"

SPEC_IDS = sorted(p.stem for p in SPECS.glob("*.yaml") if not p.name.startswith("_"))

#: How many TRs the quick gate (``make check``) runs each per-TR test on; ``make test`` (CI)
#: runs every TR. The sample is spread over the sorted IDs, so every menu is covered.
QUICK_SAMPLE = 16
#: TRs always in the quick sample: the first five, which the demo and the README use.
ALWAYS_QUICK = frozenset({"au10001", "au10002", "ka10001", "ka10005", "ka10006"})


def per_tr(ids: Iterable[str]) -> list[Any]:
    """Parameters for a per-TR test: every TR, those outside the quick sample marked slow."""
    ordered = sorted(ids)
    step = max(1, len(ordered) // QUICK_SAMPLE)
    quick = set(ordered[::step]) | (ALWAYS_QUICK & set(ordered))
    return [pytest.param(i, marks=() if i in quick else pytest.mark.slow) for i in ordered]


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
        "tests/reliability/test_order_fault_matrix.py",
        "tests/reliability/test_recording_secrets.py",
        "tests/reliability/test_secrets.py",
        "tests/sandbox/test_limits.py",
        "tests/sandbox/test_tokens.py",
    }
)


# Suites whose assertions measure time (rates, spacing, timeouts): `make test` runs them alone,
# after the rest ran on two workers, so another test's load cannot skew what they measure.
TIMING_MODULES = frozenset(
    {
        "tests/integration/test_rate_after_token.py",
        "tests/integration/test_two_issuers.py",
        "tests/reliability/test_concurrency.py",
        "tests/reliability/test_fault_matrix.py",
        "tests/reliability/test_order_fault_matrix.py",
        "tests/sandbox/test_limits.py",
        "tests/sandbox/test_tokens.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.relative_to(ROOT).as_posix()
        if module in SLOW_MODULES or module in TIMING_MODULES:
            item.add_marker(pytest.mark.slow)
        if module in TIMING_MODULES:
            item.add_marker(pytest.mark.timing)
