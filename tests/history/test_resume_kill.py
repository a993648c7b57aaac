"""kill -9 at a random page, then rerun: nothing lost, nothing stored twice.

The download runs as ``kiwoom-typed download`` in a child process against a sandbox this test
starts; the test counts the chart requests the sandbox receives and sends SIGKILL when a
randomly chosen one arrives. The rerun must leave the file equal, row for row (every value but
the download time), to a run that was never interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiwoom_history import HistoryStore, download
from kiwoom_sandbox import Sandbox
from tests.history.conftest import client_options, fingerprint, history_config

pytestmark = pytest.mark.slow

CODES = ["005930", "000660", "035720", "005380", "051910", "123450"]
FROM, TO = "20230102", "20250131"
SEED = 13  # the kill points are random, and reproducible


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(history_config(chart_page_rows=50)) as sb:
        yield sb


@pytest.fixture(scope="module")
def clean(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """An uninterrupted run, and how many pages it took."""
    import datetime as dt

    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    report = download(
        codes=CODES,
        start=dt.date(2023, 1, 2),
        end=dt.date(2025, 1, 31),
        db=db,
        **client_options(sandbox),
    )
    assert report.ok
    return db, report.pages


def _command(sandbox: Sandbox, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kiwoom_cli",
        "download",
        "daily",
        "--codes",
        ",".join(CODES),
        "--from",
        FROM,
        "--to",
        TO,
        "--db",
        str(db),
        "--base-url",
        sandbox.base_url,
        "--rate",
        "60",
        "--quiet",
    ]


def _run_and_kill(sandbox: Sandbox, db: Path, at: int) -> int:
    """Start the download; SIGKILL it once the sandbox has received ``at`` chart requests.
    Returns how many it had received by then (a request may be on the wire)."""
    sandbox.clear_requests()
    child = subprocess.Popen(
        _command(sandbox, db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while len(sandbox.requests_for("ka10081")) < at:
            if child.poll() is not None:
                raise AssertionError(f"finished before request {at}: {child.stderr!r}")
            assert time.monotonic() < deadline, "the download did not reach the kill point"
            time.sleep(0.002)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        assert child.stderr is not None
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return len(sandbox.requests_for("ka10081"))


def test_a_run_killed_at_random_pages_resumes_without_loss_or_duplicates(
    sandbox: Sandbox, clean: tuple[Path, int], tmp_path: Path
) -> None:
    clean_db, pages = clean
    rng = random.Random(SEED)
    for round_ in range(2):
        at = rng.randrange(2, pages - 2)
        db = tmp_path / f"killed{round_}.duckdb"
        _run_and_kill(sandbox, db, at)
        with HistoryStore(db) as store:  # opening replays DuckDB's log of the killed process
            stored = sum(p.pages for p in store.all_progress())
        assert 0 < stored < pages, f"kill at request {at} (seed {SEED})"
        sandbox.clear_requests()
        rerun = subprocess.run(_command(sandbox, db), capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert fingerprint(db) == fingerprint(clean_db), f"kill at request {at} (seed {SEED})"
        # The rerun asked again for at most one page per symbol it had started (the overlap).
        asked = len(sandbox.requests_for("ka10081"))
        assert asked <= pages - stored + len(CODES), (asked, pages, stored)
