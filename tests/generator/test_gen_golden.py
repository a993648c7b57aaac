"""Golden files: ``tests/golden/specs`` must generate exactly ``tests/golden/expected`` (the
package) and ``tests/golden/reference`` (the API reference).

On a deliberate change of the templates, refresh with ``UPDATE_GOLDEN=1 pytest
tests/generator/test_gen_golden.py`` and review the diff of ``tests/golden``.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.generate import generate

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ROOT = GOLDEN.parents[1]
VENV_BIN = Path(sys.executable).parent


def _files(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _compare(actual_dir: Path, expected_dir: Path) -> None:
    actual = _files(actual_dir)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(actual_dir, expected_dir)
    expected = _files(expected_dir)
    assert sorted(actual) == sorted(expected), "generated file set differs from the golden set"
    diffs = []
    for rel in sorted(actual):
        if actual[rel] != expected[rel]:
            diffs.append(
                "".join(
                    difflib.unified_diff(
                        expected[rel].splitlines(keepends=True),
                        actual[rel].splitlines(keepends=True),
                        f"expected/{rel}",
                        f"actual/{rel}",
                    )
                )
            )
    assert not diffs, "golden output differs (UPDATE_GOLDEN=1 to accept):\n" + "\n".join(diffs)


def test_golden_output(tmp_path: Path) -> None:
    generate(GOLDEN / "specs", tmp_path / "package", docs_dir=tmp_path / "reference")
    _compare(tmp_path / "package", GOLDEN / "expected")
    _compare(tmp_path / "reference", GOLDEN / "reference")


_BEHAVIOUR = """
import datetime as dt
import inspect
from decimal import Decimal

from kiwoom_runtime import ArgumentError, Direction, SignedPrice, ValueKindError
from kiwoom_runtime.models import NO_ROWS
from kiwoom_typed import (
    REGISTRY, Client, Zz00001Request, Zz00001Response, Zz00001ResponseTyped, Zz00003Request,
    Zz00003Response,
)

# allowed values: checked before sending, naming the argument
try:
    Zz00001Request(stk_cd="005930", qry_tp="9")
except ArgumentError as exc:
    assert exc.argument == "qry_tp" and "'1' (전체)" in str(exc), exc
else:
    raise AssertionError("allowed values not checked")
Zz00001Request(stk_cd="005930", qry_tp="2")
Zz00001Request(stk_cd="005930", qry_tp="")  # "": no value

# typed values: every field, parsed by its kind; the others as sent
body = {
    "cur_prc": "-61000", "250hgst_pric_dt": "20240102", "pre_sig": "5", "oyr_lwst": "-91200",
    "crd_rt": "+0.08", "setl_mm": "12", "stk_nm": "골든", "return_code": 0,
}
resp = Zz00001Response.from_dict(body)
typed = resp.typed
assert resp.hgst_250_pric_dt == "20240102" and typed.hgst_250_pric_dt == dt.date(2024, 1, 2)
assert typed.pre_sig is Direction.DOWN and typed.cur_prc.signed == -61000
assert typed.oyr_lwst == SignedPrice(91200, Direction.DOWN) and typed.oyr_lwst.signed == -91200
assert typed.crd_rt == Decimal("0.08") and typed.setl_mm == 12
assert typed.stk_nm == "골든" and typed.return_code == 0 and typed.return_msg is None
assert resp.to_dict() == body and resp.to_dict()["250hgst_pric_dt"] == "20240102"
assert repr(typed).startswith("Zz00001ResponseTyped(cur_prc=SignedPrice(price=61000"), repr(typed)
bad = Zz00001Response.from_dict({"cur_prc": "0.00", "250hgst_pric_dt": "3", "crd_rt": ""})
assert bad.typed.crd_rt is None  # "" -> None
for name, message in (
    ("cur_prc", "zz00001 cur_prc: '0.00' is not a valid signed price"),
    ("hgst_250_pric_dt", "zz00001 250hgst_pric_dt: '3' is not a valid date"),
):
    try:
        getattr(bad.typed, name)
    except ValueKindError as exc:
        assert isinstance(exc, ValueError) and str(exc).startswith(message), exc
    else:
        raise AssertionError(name)
assert "cur_prc=<invalid signed price: '0.00'>" in repr(bad.typed)
price_doc = Zz00001ResponseTyped.cur_prc.__doc__
assert "direction against the previous close" in price_doc and "현재가" in price_doc

# paging methods, mock flag
assert hasattr(Client, "get_golden_list_pages") and not hasattr(Client, "get_golden_basic_pages")
assert REGISTRY["zz00002"].endpoint.mock_supported is False

# dates, times and datetimes as objects or wire strings; Literal types
req = Zz00003Request(
    base_dt=dt.date(2025, 1, 2), upd_stkpc_tp="1", tm=dt.time(9, 5), qry_dtm=dt.datetime(
        2025, 1, 2, 0, 30, tzinfo=dt.timezone.utc
    ),
)
assert req.to_dict() == {
    "base_dt": "20250102", "upd_stkpc_tp": "1", "tm": "090500", "qry_dtm": "20250102093000",
}
for arguments, argument in (
    ({"base_dt": "2025-01-02", "upd_stkpc_tp": "1"}, "base_dt"),
    ({"base_dt": "20250102", "upd_stkpc_tp": "3"}, "upd_stkpc_tp"),
    ({"base_dt": "20250102", "upd_stkpc_tp": "1", "mrkt_tp": "999"}, "mrkt_tp"),
    ({"base_dt": 20250102, "upd_stkpc_tp": "1"}, "base_dt"),
):
    try:
        Zz00003Request(**arguments)
    except ArgumentError as exc:
        assert exc.argument == argument, exc
    else:
        raise AssertionError(arguments)
hints = Client.get_golden_chart.__annotations__
assert hints["upd_stkpc_tp"] == "Literal['0', '1']" and hints["mrkt_tp"] == "Zz00003MrktTp | None"
assert hints["base_dt"] == "str | _dt.date"
assert '"903" 인프라투융자회사' in inspect.getdoc(Client.get_golden_chart)

# nested rows, names Python reserves, absent LISTs
chart = {"chart": [{"dt": "20250908", "list": "1", "ticks": [{"from": "090000"}]}]}
resp3 = Zz00003Response.from_dict(chart)
assert resp3.chart[0].list_kind == "1" and resp3.chart[0].ticks[0].start_tm == "090000"
assert resp3.typed.chart[0].ticks[0].start_tm == dt.time(9, 0)
assert resp3.to_dict() == chart
empty = Zz00003Response.from_dict({})
assert empty.chart == () and empty.chart is NO_ROWS and empty.to_dict() == {}
assert len(empty.to_dataframe()) == 0
print("ok")
"""


def _golden_env() -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(GOLDEN / "expected"), str(ROOT / "src")]),
        PYTHONDONTWRITEBYTECODE="1",
    )


def test_golden_package_behaviour() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BEHAVIOUR],
        env=_golden_env(),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


_USER_CODE = """
import datetime as dt

from kiwoom_typed import Client

with Client(appkey="a", secretkey="b") as client:
    client.get_golden_chart(base_dt=dt.date.today(), upd_stkpc_tp="1", mrkt_tp="001")
    client.get_golden_chart(base_dt="20250102", upd_stkpc_tp="3")  # line 8: not allowed
    client.get_golden_chart(base_dt=dt.time(9, 0), upd_stkpc_tp="0")  # line 9: not a date
    client.get_golden_chart(base_dt="20250102", upd_stkpc_tp="0", mrkt_tp="999")  # line 10
"""


@pytest.mark.slow
def test_mypy_catches_values_that_are_not_allowed(tmp_path: Path) -> None:
    """``mypy --strict`` passes the golden package and flags user code passing a value that
    is not allowed or a wrong datetime object."""
    mypy = VENV_BIN / "mypy"
    if not mypy.exists():
        pytest.skip("mypy not installed")
    user = tmp_path / "user_code.py"
    user.write_text(_USER_CODE, encoding="utf-8")
    done = subprocess.run(
        [str(mypy), "--strict", "--no-incremental", str(user)],
        env=dict(
            _golden_env(), MYPYPATH=os.pathsep.join([str(GOLDEN / "expected"), str(ROOT / "src")])
        ),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in lines] == ["8", "9", "10"], done.stdout + done.stderr
    assert all("user_code.py" in line for line in lines), done.stdout
