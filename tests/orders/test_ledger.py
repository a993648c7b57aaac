"""The client order id ledger: one id, one send, across threads, processes and restarts."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiwoom_orders import DuplicateClientOrderIdError, OrderLedger, Orders
from kiwoom_runtime import OrderRejectedError, OrderStateUnknownError
from kiwoom_sandbox import Sandbox
from kiwoom_typed import Client
from tests.conftest import ROOT
from tests.orders.conftest import CODE, config

SAFETY = 60.0  # seconds; reached only when something is broken


def test_an_id_is_claimed_once(tmp_path: Path) -> None:
    ledger = OrderLedger(tmp_path / "ledger.sqlite")
    ledger.claim("a-1", "kt10000", {"stk_cd": CODE})
    with pytest.raises(DuplicateClientOrderIdError) as caught:
        ledger.claim("a-1", "kt10000", {"stk_cd": CODE})
    assert caught.value.argument == "client_order_id" and caught.value.entry.state == "sending"
    again = OrderLedger(tmp_path / "ledger.sqlite")  # a restart: a new object, the same file
    with pytest.raises(DuplicateClientOrderIdError):
        again.claim("a-1", "kt10001", {})
    assert stat.S_IMODE(os.stat(tmp_path / "ledger.sqlite").st_mode) == 0o600


def test_threads_racing_for_one_id_claim_it_once(tmp_path: Path) -> None:
    ledger = OrderLedger(tmp_path / "ledger.sqlite")
    won: list[str] = []
    start = threading.Barrier(8)

    def race(n: int) -> None:
        start.wait()
        try:
            ledger.claim("same", "kt10000", {"n": n})
            won.append(str(n))
        except DuplicateClientOrderIdError:
            pass

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SAFETY)
    assert len(won) == 1 and len(ledger.entries()) == 1


def test_the_ledger_records_what_happened(tmp_path: Path) -> None:
    with (
        Sandbox(config()) as sb,
        Client(env="sandbox", base_url=sb.base_url, rate_limit=None) as client,
    ):
        orders = Orders(client, ledger=tmp_path / "ledger.sqlite")
        ledger = orders.ledger
        assert ledger is not None
        placed = orders.buy(CODE, 1, kind="3", client_order_id="ok")
        sb.clock.set(dt.time(16, 0))
        with pytest.raises(OrderRejectedError):  # RC4058: closed
            orders.buy(CODE, 1, kind="3", client_order_id="too-late")
        sb.clock.set(dt.time(10, 0))
        sb.inject("kt10000", "reset")
        with pytest.raises(OrderStateUnknownError) as caught:
            orders.buy(CODE, 1, kind="3", client_order_id="cut")
        assert caught.value.client_order_id == "cut" and caught.value.ledger is ledger
        states = {e.client_order_id: e.state for e in ledger.entries()}
        assert states == {"ok": "accepted", "too-late": "rejected", "cut": "unknown"}
        result = caught.value.reconcile()  # excludes what the ledger knows: order "ok"
        assert result.landed
        entry = ledger.get("cut")
        assert entry is not None and (entry.state, entry.order_no) == ("landed", result.order_no)
        assert placed.order_no in ledger.known_order_numbers()
        with pytest.raises(DuplicateClientOrderIdError):
            orders.buy(CODE, 1, kind="3", client_order_id="cut")  # never sent again
        with pytest.raises(DuplicateClientOrderIdError):
            orders.buy(CODE, 1, kind="3", client_order_id="ok", dry_run=True)
        assert len(sb.requests_for("kt10000")) == 3


# One process of the race: warm up (token), wait for the go file, send under one id.
RACER = """
import json, sys, time
from pathlib import Path
from kiwoom_orders import DuplicateClientOrderIdError, Orders
from kiwoom_typed import Client

base_url, ledger, ready, go = sys.argv[1:5]
with Client(env="sandbox", base_url=base_url, rate_limit=None) as client:
    orders = Orders(client, ledger=ledger)
    client.tokens.get()
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.002)
    try:
        placed = orders.buy("005930", 1, kind="3", client_order_id="shared-id")
        print(json.dumps({"sent": placed.order_no}))
    except DuplicateClientOrderIdError as error:
        print(json.dumps({"duplicate": error.entry.state}))
"""


def _racer(sb: Sandbox, ledger: Path, ready: Path, go: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", RACER, sb.base_url, str(ledger), str(ready), str(go)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.slow  # starts three Python processes
def test_two_processes_never_send_one_id_twice(tmp_path: Path) -> None:
    ledger, go = tmp_path / "ledger.sqlite", tmp_path / "go"
    with Sandbox(config()) as sb:
        ready = [tmp_path / "ready-1", tmp_path / "ready-2"]
        racers = [_racer(sb, ledger, r, go) for r in ready]
        deadline = time.monotonic() + SAFETY
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)  # both warmed up: now they race
        go.touch()
        outputs = [json.loads(p.communicate(timeout=SAFETY)[0]) for p in racers]
        assert sorted(outputs, key=str) == [{"duplicate": "sending"}, {"sent": "0000001"}] or (
            sorted(outputs, key=str) == [{"duplicate": "accepted"}, {"sent": "0000001"}]
        )
        # a later run (a restart) is refused too
        late = _racer(sb, ledger, tmp_path / "ready-3", go)
        assert json.loads(late.communicate(timeout=SAFETY)[0]) == {"duplicate": "accepted"}
        assert len(sb.requests_for("kt10000")) == 1  # counted at the server
    (entry,) = OrderLedger(ledger).entries()
    assert (entry.client_order_id, entry.state, entry.order_no) == (
        "shared-id",
        "accepted",
        "0000001",
    )
