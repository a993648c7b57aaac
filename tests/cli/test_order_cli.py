"""``kiwoom-typed order``: dry run, confirmation before production, modify / cancel by order
number, refusals and an ambiguous failure, all against a sandbox on 127.0.0.1 (production is
imitated by ``--env prod --base-url <sandbox>``; nothing leaves this machine)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from kiwoom_cli.main import main
from kiwoom_sandbox import Sandbox
from tests.orders.conftest import config


@pytest.fixture(scope="module")
def _sandbox() -> Iterator[Sandbox]:
    with Sandbox(config()) as sb:
        yield sb


@pytest.fixture
def sb(_sandbox: Sandbox) -> Sandbox:
    _sandbox.clear_faults()
    _sandbox.orders.reset()
    _sandbox.clear_requests()
    return _sandbox


def order(sb: Sandbox, *argv: str) -> int:
    return main(["order", *argv, "--base-url", sb.base_url])


def test_a_dry_run_prints_the_request_and_sends_nothing(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert order(sb, "buy", "005930", "10", "--price", "62000", "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"POST {sb.base_url}/api/dostk/ordr\napi-id: kt10000\n")
    assert "authorization: Bearer ***" in out
    assert json.loads(out.split("\n\n", 1)[1]) == {
        "dmst_stex_tp": "KRX",
        "stk_cd": "005930",
        "ord_qty": "10",
        "ord_uv": "62000",
        "trde_tp": "0",
    }
    assert sb.requests == []


def test_buy_modify_and_cancel_by_order_number(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert order(sb, "buy", "005930", "10", "--price", "44000") == 0
    placed = json.loads(capsys.readouterr().out)
    assert placed["ord_no"] == "0000001"
    assert order(sb, "modify", "0000001", "--price", "44100", "--qty", "4") == 0
    modified = json.loads(capsys.readouterr().out)
    assert (modified["ord_no"], modified["base_orig_ord_no"]) == ("0000002", "0000001")
    assert order(sb, "cancel", "0000001") == 0  # the code comes from the open order
    assert json.loads(capsys.readouterr().out)["cncl_qty"] == "000000000006"
    assert order(sb, "sell", "005930", "1", "--market") == 1  # nothing held
    assert "[800033]" in capsys.readouterr().err


def test_bad_input_is_refused_before_sending(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert order(sb, "buy", "005930", "0", "--market") == 2
    assert order(sb, "buy", "005930", "1", "--price", "62050", "--tick-table", "stock") == 2
    assert "62000 or 62100" in capsys.readouterr().err
    assert sb.requests_for("kt10000") == []


@pytest.mark.parametrize(("answer", "sent"), [("n\n", 0), ("", 0), ("y\n", 1)])
def test_production_asks_first(
    sb: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    sent: int,
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", "cli-prod-appkey-123456")
    monkeypatch.setenv("KIWOOM_SECRETKEY", "cli-prod-secretkey-123456")
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    code = order(sb, "buy", "005930", "1", "--market", "--env", "prod")
    err = capsys.readouterr().err
    assert "production" in err and "Send it? [y/N]" in err
    assert code == (0 if sent else 1)
    assert len(sb.requests_for("kt10000")) == sent
    if not sent:
        assert "aborted: nothing was sent" in err and sb.requests == []


def test_yes_skips_the_question(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", "cli-prod-appkey-123456")
    monkeypatch.setenv("KIWOOM_SECRETKEY", "cli-prod-secretkey-123456")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert order(sb, "buy", "005930", "1", "--market", "--env", "prod", "--yes") == 0
    assert "Send it?" not in capsys.readouterr().err


def test_an_ambiguous_failure_is_reconciled_not_resent(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sb.inject("kt10000", "reset")  # the order was taken, the answer cut
    assert order(sb, "buy", "005930", "1", "--market") == 0
    captured = capsys.readouterr()
    assert "NOT resent" in captured.err and "reconciled: landed 0000001" in captured.err
    assert json.loads(captured.out) == {"ord_no": "0000001", "reconciled": True}
    sb.inject("kt10000", "http_error", status=502)  # a proxy answered: nothing was taken
    assert order(sb, "buy", "005930", "1", "--market") == 3
    assert "reconciled: not_found" in capsys.readouterr().err
    assert len(sb.requests_for("kt10000")) == 2  # one send per command


def test_the_ledger_refuses_a_client_order_id_twice(
    sb: Sandbox, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = str(tmp_path) + "/ledger.sqlite"
    argv = ("buy", "005930", "1", "--market", "--client-order-id", "cli-1", "--ledger", ledger)
    assert order(sb, *argv) == 0
    assert order(sb, *argv) == 2
    assert "'cli-1' was already used" in capsys.readouterr().err
    assert len(sb.requests_for("kt10000")) == 1
