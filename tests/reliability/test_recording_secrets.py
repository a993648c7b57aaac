"""Recordings hold no secret, validate against the specs, and promote into fixtures the sandbox
serves: one recorded session over real HTTP on 127.0.0.1.

The session (sync and async clients, ``record=``, ``KIWOOM_RECORD`` and the CLI's ``--record``)
runs against a sandbox that accepts only canary credentials, answers every account-number
field with a canary account (``SandboxConfig.account_number``) and echoes request values, such
as the canary order numbers the session sends, into answers. Tokens are read on the sandbox's
side as it issues them. Then every recorded byte is searched for each canary and for every
12-character fragment of those long enough to have one.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen.loader import load_specs
from codegen.masking import sensitive_elements, unmasked
from codegen.promote import promote
from codegen.validate import run_validate, validate
from kiwoom_cli.main import main as cli_main
from kiwoom_sandbox import Sandbox, SandboxConfig
from kiwoom_sandbox.fixtures import load_fixture
from kiwoom_typed import AsyncClient, Client
from tests.conftest import SPECS
from tests.reliability.conftest import base_config
from tests.reliability.test_secrets import TOKEN_SHAPE

APPKEY = "CANARY-appkey-3f9c2e7a1b5d40"
SECRETKEY = "CANARY-secretkey-8e4d0c6b2a9713"
ACCOUNT = "73190462855208"  # fits every account field (lengths 20 and 62)
ORDER_7 = "4815162"  # orig_ord_no / fr_ord_no: 7 digits documented
ORDER_10 = "5550199123"  # ka10076 ord_no: length 10
ORDER_20 = "ORDCANARY8675309X"  # ka10088 ord_no: length 20
CANARIES = [APPKEY, SECRETKEY, ACCOUNT, ORDER_7, ORDER_10, ORDER_20]

#: What the session calls (api_id, arguments): every TR with an account or personal field the
#: sandbox fills, and order numbers sent in requests.
CALLS: list[tuple[str, dict[str, str]]] = [
    ("ka00001", {}),
    ("ka10076", {"qry_tp": "1", "sell_tp": "0", "stex_tp": "0", "ord_no": ORDER_10}),
    ("ka10088", {"ord_no": ORDER_20}),
    ("kt00004", {"qry_tp": "0", "dmst_stex_tp": "KRX"}),
    (
        "kt00015",
        {
            "strt_dt": "20250102",
            "end_dt": "20250131",
            "tp": "0",
            "gds_tp": "0",
            "dmst_stex_tp": "%",
        },
    ),
    ("kt00016", {"fr_dt": "20250102", "to_dt": "20250131"}),
    ("kt50032", {}),
    ("ust21100", {}),
    (
        "kt00007",
        {
            "qry_tp": "1",
            "stk_bond_tp": "0",
            "sell_tp": "0",
            "dmst_stex_tp": "KRX",
            "fr_ord_no": ORDER_7,
        },
    ),
    (
        "kt10002",
        {
            "dmst_stex_tp": "KRX",
            "orig_ord_no": ORDER_7,
            "stk_cd": "005930",
            "mdfy_qty": "1",
            "mdfy_uv": "60000",
        },
    ),
]
PAGED = ("ka10075", {"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"})


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str], Sandbox]]:
    """The recorded directory, the tokens the sandbox issued, and the sandbox."""
    directory = tmp_path_factory.mktemp("recorded")
    config = base_config(valid_keys={APPKEY: SECRETKEY}, account_number=ACCOUNT, synthetic_pages=2)
    with Sandbox(config) as sb:
        issued: list[str] = []
        original = sb.app.tokens.issue

        def issue(*args: Any, **kwargs: Any) -> Any:
            token = original(*args, **kwargs)
            issued.append(token.value)
            return token

        sb.app.tokens.issue = issue  # type: ignore[method-assign]
        settings: dict[str, Any] = {
            "appkey": APPKEY,
            "secretkey": SECRETKEY,
            "base_url": sb.base_url,
            "rate_limit": None,
            "timeout": 5.0,
        }
        with Client(record=directory, **settings) as client:
            for api_id, arguments in CALLS:
                client.call(api_id, **arguments)
            assert len(list(client.paginate(PAGED[0], **PAGED[1]))) == 2

        async def run_async() -> None:
            async with AsyncClient(record=directory, **settings) as client:
                await client.call("ka00001")
                [page async for page in client.paginate(PAGED[0], **PAGED[1])]

        asyncio.run(run_async())
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KIWOOM_RECORD", str(directory))
            with Client(**settings) as client:
                client.call("ka10076", qry_tp="1", sell_tp="0", stex_tp="0", ord_no=ORDER_10)
            patch.setenv("KIWOOM_APPKEY", APPKEY)
            patch.setenv("KIWOOM_SECRETKEY", SECRETKEY)
            patch.delenv("KIWOOM_RECORD")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                argv = ["call", "ka00001", "--env", "prod", "--base-url", sb.base_url]
                assert cli_main([*argv, "--record", str(directory)]) == 0
            assert ACCOUNT in out.getvalue()  # the CLI shows the answer as it came
        yield directory, issued, sb


def recorded_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.json"))


def test_no_secret_or_account_number_reaches_a_recorded_file(
    session: tuple[Path, list[str], Sandbox],
) -> None:
    directory, issued, _ = session
    assert len(issued) == 4  # sync, async, KIWOOM_RECORD and CLI clients
    files = recorded_files(directory)
    written = {p.parent.name for p in files}
    assert written == {"au10001", "au10002", "ka10075"} | {api_id for api_id, _ in CALLS}
    data = b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())
    text = data.decode("utf-8")
    for canary in [*CANARIES, *issued]:
        fragments = {canary[i : i + 12] for i in range(max(1, len(canary) - 11))}
        for fragment in fragments:
            assert fragment not in text, f"{fragment[:4]}… of a canary is in a recording"
    assert not TOKEN_SHAPE.search(text)
    assert "authorization" not in text.lower()
    assert not re.search(r'(?i)bearer\s+[^\s*"]', text)  # token_type "bearer" is fine


def test_every_sensitive_value_is_masked_not_missing(
    session: tuple[Path, list[str], Sandbox],
) -> None:
    directory, _, _ = session
    specs = load_specs(SPECS)
    masked: dict[str, set[str]] = {}
    for path in recorded_files(directory):
        data = json.loads(path.read_text(encoding="utf-8"))
        api_id = data["recorded"]["api_id"]
        masked.setdefault(api_id, set()).update(data["recorded"]["masked"])
        sensitive = frozenset(sensitive_elements(specs.specs[api_id]))
        places = list(unmasked(data["request"], sensitive, "request"))
        for i, page in enumerate(data["pages"]):
            places += unmasked(page["body"], sensitive, f"pages[{i}]")
        assert places == [], path
    # The fields were there and masked: the test is not vacuous.
    assert masked["ka10075"] >= {"acnt_no", "mang_empno", "ord_no", "orig_ord_no"}
    assert masked["kt00015"] >= {"prcsr", "rcpmnyer"}
    assert masked["kt10002"] >= {"orig_ord_no", "ord_no", "base_orig_ord_no"}
    assert masked["au10001"] == {"appkey", "secretkey", "token"}
    assert masked["au10002"] == {"appkey", "secretkey", "token"}
    assert {"acctNo"} <= masked["ka00001"] and {"acnt_print"} <= masked["kt50032"]


def test_recordings_validate_against_the_specs(
    session: tuple[Path, list[str], Sandbox], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _, _ = session
    report = validate(load_specs(SPECS), directory)
    assert [f.render() for f in report.open] == []
    assert run_validate(SPECS, directory) == 0
    out = capsys.readouterr().out
    assert f"API(s) answered under {directory}" in out
    pagers = len(recorded_files(directory / "ka10075"))  # the sync and the async pager
    assert f"  ka10075   {pagers:4} file(s): agree with the spec" in out
    # A complete recording is a fixture as it stands (page 1 of a paged TR promises more: the
    # sandbox refuses it until promote ends the chain there).
    for path in recorded_files(directory):
        if json.loads(path.read_text(encoding="utf-8"))["recorded"]["complete"]:
            assert load_fixture(path, path.parent.name).pages


def test_a_promoted_recording_is_served_by_the_sandbox(
    session: tuple[Path, list[str], Sandbox], tmp_path: Path
) -> None:
    directory, _, _ = session
    specs = load_specs(SPECS)
    fixtures = tmp_path / "fixtures"
    account = recorded_files(directory / "ka00001")[0]
    promoted = promote(account, specs, fixtures, name="masked-account")
    pager = recorded_files(directory / "ka10075")[0]
    paged = promote(pager, specs, fixtures, name="two-pages")
    assert promoted.path == fixtures / "ka00001" / "masked-account.json" and paged.pages == 2
    recorded_pages = [p["body"] for p in json.loads(pager.read_text(encoding="utf-8"))["pages"]]
    config = SandboxConfig(specs_dir=SPECS, fixtures_dir=fixtures, account_number=ACCOUNT)
    with Sandbox(config) as sb:
        with Client(env="sandbox", base_url=sb.base_url, rate_limit=None) as client:
            # Synthetic answers carry the account; the fixture its masked form.
            assert client.call("ka00001").to_dict()["acctNo"] == "*" * len(ACCOUNT)
            served = [p.to_dict() for p in client.paginate(PAGED[0], **PAGED[1])]
    assert served == recorded_pages
