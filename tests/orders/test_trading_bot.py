"""examples/trading_bot.py against the sandbox: partial fills, a modify, a cancel, a timeout
survived by reconciling, and the account it expects at the end."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kiwoom_orders import OrderLedger
from kiwoom_sandbox import Sandbox, SandboxConfig
from kiwoom_sandbox.orders import TradingConfig
from kiwoom_typed import Client
from tests.conftest import FIXTURES, ROOT, SPECS


def _bot() -> ModuleType:
    path = ROOT / "examples" / "trading_bot.py"
    spec = importlib.util.spec_from_file_location("trading_bot", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # waits out one client timeout (0.5 s) and the sandbox's delayed answer
def test_the_bot_survives_a_timeout_and_ends_with_the_account_it_expects(tmp_path: Path) -> None:
    bot = _bot()
    config = SandboxConfig(
        specs_dir=SPECS, fixtures_dir=FIXTURES, trading=TradingConfig(max_fill_per_minute=4)
    )
    steps: list[str] = []
    with Sandbox(config) as sb:

        def before(step: str) -> None:
            steps.append(step)
            if step == "top-up":
                sb.inject("kt10000", "delay", delay=1.0)

        def wait(minutes: int) -> None:
            sb.clock.advance(minutes=minutes)

        ledger = tmp_path / "ledger.sqlite"
        with Client(env="sandbox", base_url=sb.base_url, timeout=0.5, rate_limit=None) as client:
            report = bot.run(client, wait=wait, ledger=ledger, before=before)
        sb.wait_idle()
        buys = sb.requests_for("kt10000")

    log = "\n".join(report.log)
    assert steps == ["market buy", "patient bid", "offer", "top-up"]
    # partial fills: 4 shares a minute
    assert "0000001: 6 still open" in log and "a minute later 2 still open" in log
    # the top-up timed out, was never resent, and reconciling found it
    assert len(buys) == 3  # bot-1, bot-2, bot-4: one send each
    assert report.reconciled is not None and report.reconciled.landed, log
    assert report.reconciled.order_no == "0000006"
    # the account it expects: 10 + 5 + 2 shares, nothing open, cash down by what was paid
    assert (report.held, report.open_orders) == (17, 0), log
    assert report.end_cash == report.start_cash - report.filled_value - report.fees
    states = {e.client_order_id: (e.state, e.order_no) for e in OrderLedger(ledger).entries()}
    assert states == {
        "bot-1": ("accepted", "0000001"),
        "bot-2": ("accepted", "0000002"),
        "bot-3": ("accepted", "0000004"),
        "bot-4": ("landed", "0000006"),
    }
