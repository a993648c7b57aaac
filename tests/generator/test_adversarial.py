"""The generator stays lint-, format- and type-clean for any spec.

Synthetic specs push every name, key and text to the limits the layouts are proven for
(``codegen.model.MAX_*``): 32-character field names, 40-character method, class and alias
names, 60-character wire keys, Korean names and descriptions hundreds of columns wide, words
wider than a line, quotes and backslashes at the ends of docstrings, control characters, dozens
of allowed values with long meanings, nested LISTs, a LIST without members, names Python
reserves and API IDs and names that sort differently by code point and by isort's natural
order. ``ruff check`` and ``ruff format --check`` (with the project's settings) must pass over
the output, and ``mypy --strict`` over a smaller set (slow).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from codegen.dump import dump_data
from codegen.errors import SpecError
from codegen.generate import render_all, write_files
from codegen.loader import SpecSet, load_specs
from codegen.model import (
    MAX_CLASS_NAME,
    MAX_FIELD_NAME,
    MAX_METHOD_NAME,
    MAX_WIRE_KEY,
    build_package,
)
from codegen.naming import camel

ROOT = Path(__file__).resolve().parents[2]
COMMON = ROOT / "tests" / "golden" / "specs" / "_common.yaml"
PYPROJECT = ROOT / "pyproject.toml"
VENV_BIN = Path(sys.executable).parent

KOREAN_WORD = "수정주가적용을원하시는경우권리발생일이후일자를" * 6  # one word, wider than a line
KOREAN = (
    "수정주가 적용을 원하시는 경우, 권리발생일 이후 일자를 base_dt에 넣어 조회 또는 "
    "연속조회해주시기 바랍니다. "
) * 5
NASTY = (
    f'"starts with a quote {KOREAN} ends with a backslash \\ and """triple""" quotes\t'
    '\r\nform\x0cfeed\x00nul\u2028separator ends with a quote"'
)


def _field(element: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "element": element,
        "korean": extra.pop("korean", "한글명"),
        "type": extra.pop("type", "String"),
        "required": extra.pop("required", False),
    }
    if "items" not in extra and data["type"] == "String":
        data["length"] = extra.pop("length", 20)
    data.update(extra)
    return data


def _name(prefix: str, length: int) -> str:
    return (prefix + "_" + "x" * length)[:length]


def _values(count: int, meaning: str) -> dict[str, str]:
    return {f"{i:03d}": f"{meaning} {i}" for i in range(count)}


def _long_tr(api_id: str, method: str) -> dict[str, Any]:
    """Every field at the limits."""
    long_field = _name("f", MAX_FIELD_NAME)
    list_name = _name("l", MAX_CLASS_NAME - len(camel(api_id)) - len("Item"))
    alias_name = "a" + "b" * (min(MAX_FIELD_NAME, MAX_CLASS_NAME - len(camel(api_id))) - 1)
    key = "k" * MAX_WIRE_KEY
    request = [
        _field(key, python_name=long_field, required=True, description=NASTY, kind="code"),
        _field("w" * MAX_WIRE_KEY, python_name=_name("d", MAX_FIELD_NAME), kind="date", length=8),
        _field("t" * MAX_WIRE_KEY, python_name=_name("t", MAX_FIELD_NAME), kind="time", length=6),
        _field(
            "dt" * (MAX_WIRE_KEY // 2),
            python_name=_name("dtm", MAX_FIELD_NAME),
            kind="datetime",
            length=14,
            required=True,
        ),
        _field(
            "v" * MAX_WIRE_KEY,
            python_name=alias_name,
            length=3,
            values=_values(40, KOREAN),
            description=KOREAN_WORD,
        ),
        _field(
            "s" * MAX_WIRE_KEY,
            python_name=_name("s", MAX_FIELD_NAME),
            length=3,
            required=True,
            values={"0": "", "1": '"quoted" \\ meaning', "2": KOREAN_WORD},
        ),
        _field("appkey", kind="secret", required=True, length=None),
    ]
    rows = [
        _field(key, python_name=long_field, kind="signed_price", description=NASTY),
        _field("list", python_name="list_kind", values=_values(30, KOREAN)),
        _field("from", python_name="start", kind="time"),
        _field(
            "n" * MAX_WIRE_KEY,
            python_name="nested",
            type="LIST",
            items=[_field(key, python_name=long_field, kind="decimal", korean=KOREAN)],
        ),
    ]
    response = [
        _field(key, python_name=long_field, kind="signed_number", korean=KOREAN),
        _field("X", kind="sign_code"),
        _field("ABC", kind="number"),
        _field("f10", kind="text"),
        _field("f2", kind="secret"),
        _field("l" * MAX_WIRE_KEY, python_name=list_name, type="LIST", items=rows),
    ]
    return _spec(api_id, method, request, response, name=KOREAN[:60], english=KOREAN_WORD)


def _spec(
    api_id: str,
    method: str,
    request: list[dict[str, Any]],
    response: list[dict[str, Any]],
    *,
    name: str = "골든요청",
    english: str = "Golden",
    paged: bool = True,
) -> dict[str, Any]:
    return {
        "api_id": api_id,
        "name": name,
        "menu": f"국내주식 > {name} > {name}({api_id})",
        "method": "POST",
        "url": "/api/" + "segment/" * 20 + api_id,
        "hosts": {"prod": "https://api.kiwoom.com", "mock": "https://mockapi.kiwoom.com"},
        "format": "JSON",
        "content_type": "application/json;charset=UTF-8",
        "overview": NASTY,
        "request": {"body": request},
        "response": {"body": response},
        "examples": {"request": '{"x": "```"}', "response": "not json ``` \n  <b>|</b>"},
        "annotations": {"python_name": method, "english_name": english, "paged": paged},
    }


# API IDs (and so module and class names) whose code-point order differs from the natural
# order isort and RUF022 use: ka99x < ka100, kaA10 vs ka0010, digits against letters.
ODD_IDS = ["ka100", "ka99x", "ka0010", "kaA10", "kab00", "ka9z9", "ka010", "zz10a", "ka1b2c3d4"]


def _write(directory: Path, specs: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True)
    (directory / "_common.yaml").write_text(COMMON.read_text("utf-8"), "utf-8")
    for spec in specs:
        (directory / f"{spec['api_id']}.yaml").write_text(dump_data(spec), "utf-8")
    return directory


def _without_members(spec_set: SpecSet, api_id: str) -> SpecSet:
    """Give ``api_id`` a LIST without member rows (the loader of this branch refuses them)."""
    spec = spec_set.specs[api_id]
    raw = attrs.evolve(spec.response.body[0], element="raw_rows", type="LIST", items=())
    body = (*spec.response.body, raw)
    spec_set.specs[api_id] = attrs.evolve(spec, response=attrs.evolve(spec.response, body=body))
    return spec_set


def _adversarial_set(tmp_path: Path) -> SpecSet:
    specs = [_long_tr("kz00001", "m" * MAX_METHOD_NAME)]
    for i, api_id in enumerate(ODD_IDS):
        request = [_field("stk_cd", required=True, kind="code"), _field(f"f{i}", values={"1": "a"})]
        response = [
            _field("rows", type="LIST", items=[_field("dt", kind="date")]),
            _field(f"F{i}", kind="number"),
        ]
        specs.append(_spec(api_id, f"get_{api_id.lower()}_{i}", request, response))
    return _without_members(load_specs(_write(tmp_path / "specs", specs)), "ka100")


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = VENV_BIN / "ruff"
    if not ruff.exists():
        pytest.skip("ruff not installed")
    return subprocess.run(
        [str(ruff), *args, "--config", str(PYPROJECT)], capture_output=True, text=True, cwd=ROOT
    )


def test_adversarial_specs_give_lint_and_format_clean_code(tmp_path: Path) -> None:
    package, reference = render_all(_adversarial_set(tmp_path))
    out = tmp_path / "out"
    write_files(package, out)
    check = _ruff("check", "--no-cache", str(out))
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _ruff("format", "--check", "--no-cache", str(out))
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    for rel, text in package.items():
        compile(text, rel, "exec")  # the syntax ruff's E501 exemptions would not catch
    # the reference: verbatim examples in fences longer than any backtick run, tables intact
    page = reference["kz00001.md"]
    assert "````\nnot json ``` \n  <b>|</b>\n````" in page
    widths = []  # cells per row, table by table: text never adds a cell
    for line in page.splitlines():
        if line.startswith("|"):
            widths.append(len(re.split(r"(?<!\\)\|", line)))
        elif widths:
            assert len(set(widths)) == 1, widths
            widths = []


def test_adversarial_package_imports_and_works(tmp_path: Path) -> None:
    package, _ = render_all(_adversarial_set(tmp_path))
    out = tmp_path / "out"
    write_files(package, out)
    script = f"""
import datetime as dt
from kiwoom_typed import REGISTRY, Client
from kiwoom_typed.tr.kz00001 import Kz00001Request, Kz00001Response
long = {_name("f", MAX_FIELD_NAME)!r}
when = {_name("dtm", MAX_FIELD_NAME)!r}
choice = {_name("s", MAX_FIELD_NAME)!r}
request = Kz00001Request(
    **{{long: "005930", when: dt.datetime(2025, 1, 2), choice: "1", "appkey": "k"}}
)
assert request.to_dict()["k" * {MAX_WIRE_KEY}] == "005930"
body = {{"k" * {MAX_WIRE_KEY}: "-5", "X": "4", "f2": "hidden-value"}}
response = Kz00001Response.from_dict(body)
assert response.to_dict() == body and getattr(response.typed, long) == -5
assert "hidden-value" not in repr(response.typed) + repr(response)
raw = REGISTRY["ka100"].response_type.from_dict({{"raw_rows": [{{"a": 1}}]}})
assert list(raw.raw_rows) == [{{"a": 1}}] and raw.rows == ()
assert raw.to_dict() == {{"raw_rows": [{{"a": 1}}]}}
assert len(REGISTRY) == {len(ODD_IDS) + 1}
print("ok")
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(out), str(ROOT / "src")]))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


@pytest.mark.slow
def test_adversarial_package_passes_mypy_strict(tmp_path: Path) -> None:
    mypy = VENV_BIN / "mypy"
    if not mypy.exists():
        pytest.skip("mypy not installed")
    package, _ = render_all(_adversarial_set(tmp_path))
    out = tmp_path / "out"
    write_files(package, out)
    done = subprocess.run(
        [str(mypy), "--strict", "--no-incremental", str(out / "kiwoom_typed")],
        env=dict(os.environ, MYPYPATH=str(ROOT / "src")),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"python_name": "x" * (MAX_FIELD_NAME + 1)}, "add a shorter `python_name`"),
        ({"element": "k" * (MAX_WIRE_KEY + 1)}, "laid out for at most"),
        ({"python_name": "tr"}, "request field named 'tr'"),
    ],
)
def test_names_beyond_the_limits_are_located_errors(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    fields = dict(change)
    request = [_field(fields.pop("element", "stk_cd"), required=True, **fields)]
    specs = [_spec("kz00002", "get_x", request, [_field("a")])]
    with pytest.raises(SpecError) as info:
        build_package(load_specs(_write(tmp_path / "specs", specs)))
    assert message in str(info.value) and "kz00002.yaml:" in str(info.value)


def test_long_method_and_clashing_names_are_located_errors(tmp_path: Path) -> None:
    clash = [
        _field("a_b", type="LIST", items=[_field("x")]),
        _field("A_b", type="LIST", items=[_field("y")]),
    ]
    specs = [
        _spec("kz00003", "m" * (MAX_METHOD_NAME + 1), [], [_field("a")]),
        _spec("kz00004", "get_y", [], clash),
    ]
    with pytest.raises(SpecError) as info:
        build_package(load_specs(_write(tmp_path / "specs", specs)))
    text = str(info.value)
    assert "kz00003.yaml:" in text and "choose a shorter one" in text
    assert "kz00004.yaml:" in text and "'Kz00004ABItem'" in text


def test_the_limits_leave_room_for_real_names() -> None:
    """The longest names of the catalogue (306 TRs) fit: 31-character wire keys used as Python
    names, row classes such as ``Kt00008AcntNxdySetlFrcsPrpsArrayItem``."""
    assert MAX_FIELD_NAME >= len("sel_prica_grnt_loan_int_amt_amt")
    assert MAX_CLASS_NAME >= len("Kt00008AcntNxdySetlFrcsPrpsArrayItem")
