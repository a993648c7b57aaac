"""Golden files: ``tests/golden/specs`` must generate exactly ``tests/golden/expected``.

On a deliberate change of the templates, refresh with ``UPDATE_GOLDEN=1 pytest
tests/generator/test_gen_golden.py`` and review the diff of ``tests/golden/expected``.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from codegen.generate import generate

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _files(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_golden_output(tmp_path: Path) -> None:
    generate(GOLDEN / "specs", tmp_path)
    actual = _files(tmp_path)
    expected_dir = GOLDEN / "expected"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tmp_path, expected_dir)
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


_BEHAVIOUR = """
from kiwoom_runtime import ArgumentError, Direction
from kiwoom_typed import REGISTRY, Client, Zz00001Request, Zz00001Response

try:
    Zz00001Request(stk_cd="005930", qry_tp="9")
except ArgumentError as exc:
    assert exc.argument == "qry_tp" and "'1' (전체)" in str(exc), exc
else:
    raise AssertionError("allowed values not checked")
Zz00001Request(stk_cd="005930", qry_tp="2")
body = {"cur_prc": "-61000", "250hgst_pric_dt": "20240102", "pre_sig": "5"}
resp = Zz00001Response.from_dict(body)
assert resp.hgst_250_pric_dt == "20240102" and resp.typed.hgst_250_pric_dt.day == 2
assert resp.typed.pre_sig is Direction.DOWN and resp.typed.cur_prc.signed == -61000
assert resp.to_dict()["250hgst_pric_dt"] == "20240102"
assert hasattr(Client, "get_golden_list_pages") and not hasattr(Client, "get_golden_basic_pages")
assert REGISTRY["zz00002"].endpoint.mock_supported is False
print("ok")
"""


def test_golden_package_behaviour() -> None:
    import subprocess
    import sys

    root = GOLDEN.parents[1]
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(GOLDEN / "expected"), str(root / "src")]),
        PYTHONDONTWRITEBYTECODE="1",
    )
    done = subprocess.run(
        [sys.executable, "-c", _BEHAVIOUR], env=env, capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
