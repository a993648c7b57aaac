"""``kiwoom-typed stream`` and ``kiwoom-typed conditions`` against the embedded sandbox (its
WebSocket side, real sockets on 127.0.0.1); ``--count`` ends the streams, never a timer."""

from __future__ import annotations

import json

import pytest

from kiwoom_cli.main import main
from tests.conftest import FIXTURES, SPECS

SANDBOX = ["--env", "sandbox", "--specs", str(SPECS), "--fixtures", str(FIXTURES)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stream_prints_json_lines_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "stream", "0B", "005930", "000660", "--count", "4", *SANDBOX)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 4
    assert {r["item"] for r in records} == {"005930", "000660"}
    assert all(r["type"] == "0B" and r["name"] == "주식체결" for r in records)
    assert all(r["values"]["10"].lstrip("+-").isdigit() for r in records)  # 현재가, signed
    assert "streaming 0B 주식체결" in err


def test_stream_as_a_table_shows_the_latest_row_per_item(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "stream", "0B", "005930", "--count", "2", "--format", "table",
        "--fields", "cur_prc,12,acc_trde_qty", *SANDBOX,
    )  # fmt: skip
    assert code == 0
    header, _rule, *rows = out.splitlines()
    assert header.split() == ["item", "cur_prc", "flu_rt", "acc_trde_qty"]
    assert len(rows) == 1 and rows[0].split()[0] == "005930"
    assert "\x1b[" not in out  # no terminal control codes when not on a terminal


def test_an_account_wide_type_needs_no_item(capsys: pytest.CaptureFixture[str]) -> None:
    # the sandbox's paper account sends 04 only when an order fills: none here, so the
    # stream ends after --seconds with nothing printed
    code, out, err = run(capsys, "stream", "04", "--seconds", "0.5", *SANDBOX)
    assert code == 0 and out == "" and "for the account" in err and "streaming 04" in err


def test_bad_input_is_exit_2_with_one_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "stream", "ZZ", "005930", "--count", "1", *SANDBOX)
    assert code == 2 and "unknown real-time type 'ZZ'" in err and "0B" in err
    code, _, err = run(
        capsys, "stream", "0B", "005930", "--fields", "nope", "--count", "1", *SANDBOX
    )
    assert code == 2 and "'nope' is neither a field of 0B" in err
    code, _, err = run(capsys, "stream", "0B", "005930", "--count", "0", *SANDBOX)
    assert code == 2 and "--count must be at least 1" in err


def test_conditions_list_and_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "conditions", "list", "--format", "json", *SANDBOX)
    assert code == 0
    conditions = json.loads(out)
    assert conditions[0] == {"seq": "0", "name": "골든크로스"}
    code, out, err = run(capsys, "conditions", "run", "1", "--format", "json", *SANDBOX)
    assert code == 0
    hits = json.loads(out)
    assert hits and all(h["stk_cd"].startswith("A") and "cur_prc" in h for h in hits)
    assert f"{len(hits)} hit(s)" in err


def test_a_realtime_condition_prints_its_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "conditions", "run", "0", "--realtime", "--count", "1", "--format", "json",
        *SANDBOX,
    )  # fmt: skip
    assert code == 0
    first, change = (json.loads(line) for line in out.splitlines())
    assert first["seq"] == "0" and first["codes"]
    assert change["seq"] == "0" and change["action"] in ("I", "D")


def test_an_embedded_sandbox_streams_a_moving_market(capsys: pytest.CaptureFixture[str]) -> None:
    """Its clock runs a market minute a second, so successive records show later minutes."""
    code, out, _ = run(capsys, "stream", "0B", "005930", "--count", "3", *SANDBOX)
    assert code == 0
    times = [json.loads(line)["values"]["20"] for line in out.splitlines()]  # 체결시간
    assert times == sorted(times) and len(set(times)) >= 2
