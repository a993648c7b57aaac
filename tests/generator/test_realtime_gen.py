"""The real-time part of the generator (``kiwoom_typed.realtime``): clean for any WebSocket spec,
and the generated models read what the documentation shows.

Adversarial WebSocket specs push names to the limits the layouts are proven for (32-character
field names, 37-character model classes, 48-character helper stems), Korean text wider than a
line, quotes and backslashes, every value kind, twin type codes that differ by case only, a US
type, an account-wide type and a condition search with a REAL push and answer rows. ``ruff``
and (slow) ``mypy --strict`` must pass over the output, and the package must work.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.dump import dump_data
from codegen.errors import SpecError
from codegen.generate import render_all, write_files
from codegen.loader import load_specs
from codegen.model import MAX_FIELD_NAME
from codegen.realtime.model import MAX_MODEL_CLASS, MAX_STEM, build_realtime
from codegen.realtime.spec import file_stem
from codegen.rules.realtime import example_frames
from kiwoom_runtime.values import ValueKindError
from tests.conftest import SPECS, per_tr
from tests.generator.test_adversarial import KOREAN, KOREAN_WORD, NASTY, VENV_BIN, _ruff

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "specs"
KINDS = [
    "signed_price", "decimal_price", "signed_number", "number", "decimal", "scaled", "date",
    "datetime", "month", "time", "session_time", "sign_code", "text", "code", "secret",
    "account", "personal",
]  # fmt: skip


def _row(element: str, **extra: Any) -> dict[str, Any]:
    data = {"element": element, "korean": extra.pop("korean", "현재가"), "type": "String"}
    data["required"] = extra.pop("required", False)
    data.update(extra)
    return data


def _type_page(api_id: str, values: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    us = options.pop("us", False)
    record = [
        _row("type", korean="실시간항목"),
        _row("name", korean="실시간 항목명"),
        _row("item", korean="실시간 등록 요소"),
        {"element": "values", "korean": "값", "type": "LIST", "required": False, "items": values},
    ]
    return {
        "api_id": api_id,
        "name": options.pop("name", "주식체결"),
        "menu": f"국내주식 > 실시간시세 > 테스트({api_id})",
        "method": "POST",
        "url": "/api/us/websocket" if us else "/api/dostk/websocket",
        "hosts": {"prod": "wss://api.kiwoom.com:10000"},
        "format": "JSON",
        "content_type": "application/json;charset=UTF-8",
        "overview": options.pop("overview", NASTY),
        "request": {
            "body": [
                _row("trnm", korean="서비스명", required=True, length=10),
                {
                    "element": "data",
                    "korean": "실시간 등록 리스트",
                    "type": "LIST",
                    "required": False,
                    "items": [_row("item", length=100), _row("type", length=2)],
                },
            ]
        },
        "response": {
            "body": [
                _row("trnm", korean="서비스명"),
                {
                    "element": "data",
                    "korean": "리스트",
                    "type": "LIST",
                    "required": False,
                    "items": record,
                },
            ]
        },
        "examples": {"request": None, "response": None},
        **({"annotations": options.pop("annotations")} if "annotations" in options else {}),
    }


def _long_type() -> dict[str, Any]:
    """A type at every limit: names, text, every kind, allowed values."""
    values = [
        _row("10", python_name="p" * MAX_FIELD_NAME, kind="signed_price", description=NASTY),
        _row("11", korean=KOREAN, kind="decimal_price", description=KOREAN_WORD),
        _row("12", korean="전일대비기호", kind="sign_code", values={"1": KOREAN, "5": '"q" \\'}),
    ]
    values += [
        _row(str(100 + i), python_name=f"k_{kind}", kind=kind) for i, kind in enumerate(KINDS)
    ]
    values.append(_row("999999999", korean='"quoted" \\ name', description='ends with "'))
    annotations = {
        "python_name": "s" * MAX_STEM,
        "class_name": "C" + "x" * (MAX_MODEL_CLASS - 1),
    }
    return _type_page("0z", values, annotations=annotations, name=KOREAN[:40])


def _twin() -> dict[str, Any]:
    """0Z beside 0z: a US, account-wide type (the 개요 says item registration does not matter)."""
    return _type_page(
        "0Z",
        [_row("10", kind="decimal_price"), _row("9001", korean="종목코드")],
        us=True,
        overview="종목코드(item) 등록과 상관 없이 데이터가 수신됩니다.",
        annotations={"python_name": "twin", "class_name": "Twin"},
    )


def _condition_page() -> dict[str, Any]:
    page = _type_page("kz10173", [], name="조건검색 요청 실시간")
    page["menu"] = "국내주식 > 조건검색 > 조건검색 요청 실시간(kz10173)"
    page["response"] = {
        "title": "조회 데이터",
        "body": [
            _row("seq", korean="조건검색식 일련번호"),
            {
                "element": "data",
                "korean": "검색결과데이터",
                "type": "LIST",
                "required": False,
                "items": [_row("9001", korean="종목코드"), _row("10", korean="현재가")],
            },
        ],
    }
    page["push"] = {
        "title": "실시간 데이터",
        "body": [
            {
                "element": "data",
                "korean": "검색결과데이터",
                "type": "List<Map>",
                "required": True,
                "items": [
                    _row("type", korean="실시간 항목"),
                    {
                        "element": "values",
                        "korean": "실시간 수신 값",
                        "type": "Object",
                        "required": True,
                        "items": [
                            _row("841", korean="일련번호"),
                            _row("843", korean="삽입삭제 구분"),
                        ],
                    },
                ],
            }
        ],
    }
    page["examples"] = {
        "request": None,
        "response": "#실시간데이터\n{'data': [{'type': 'Z2', 'name': '조건검색'}], 'trnm': 'REAL'}",
    }
    page.pop("annotations", None)
    return page


def _write(tmp_path: Path, pages: list[dict[str, Any]]) -> Path:
    specs = tmp_path / "specs"
    (specs / "websocket").mkdir(parents=True)
    for name in ("_common.yaml", "zz00001.yaml"):
        (specs / name).write_text((GOLDEN / name).read_text("utf-8"), "utf-8")
    for page in pages:
        path = specs / "websocket" / f"{file_stem(page['api_id'])}.yaml"
        path.write_text(dump_data(page), "utf-8")
    return specs


def _render(tmp_path: Path) -> Path:
    specs = _write(tmp_path, [_long_type(), _twin(), _condition_page()])
    package, _ = render_all(load_specs(specs))
    out = tmp_path / "out"
    write_files(package, out)
    return out


def test_adversarial_websocket_specs_give_lint_and_format_clean_code(tmp_path: Path) -> None:
    out = _render(tmp_path)
    realtime = out / "kiwoom_typed" / "realtime"
    modules = sorted(p.name for p in realtime.glob("*.py"))
    assert modules == [
        "__init__.py", "_stream.py", "condition_search_realtime.py",
        "condition_search_realtime_row.py", "s" * MAX_STEM + ".py", "twin.py",
    ]  # fmt: skip
    check = _ruff("check", "--no-cache", str(out))
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _ruff("format", "--check", "--no-cache", str(out))
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_the_adversarial_package_imports_and_works(tmp_path: Path) -> None:
    out = _render(tmp_path)
    script = f"""
import inspect
from kiwoom_typed import AsyncRealtimeStream, RealtimeStream
from kiwoom_typed.realtime import DECODERS, MODELS, ROWS
long = {"p" * MAX_FIELD_NAME!r}
assert sorted(DECODERS) == ["0Z", "0z", "Z2"], sorted(DECODERS)
model = MODELS["0z"]
record = {{"type": "0z", "name": "n", "item": "005930",
          "values": {{"10": "-2080", "11": "+1.5", "12": "5", "100": "bad", "7": "new"}},
          "stexTp": "ND"}}
event = DECODERS["0z"](record)
assert type(event) is model and getattr(event, long) == "-2080"
assert getattr(event.typed, long).price == 2080 and event.typed.k_number is None
assert event.extra == {{"7": "new"}} and event.record_extra == {{"stexTp": "ND"}}
assert event.to_record() == record and event.get("7") == "new"
try:
    event.typed.k_signed_price
    raise SystemExit("no error")
except Exception as exc:
    assert type(exc).__name__ == "ValueKindError" and "0z" in str(exc), exc
assert MODELS["0Z"].MARKET == "us" and MODELS["0z"].MARKET == "domestic"
twin = inspect.signature(AsyncRealtimeStream.subscribe_twin)
assert list(twin.parameters) == ["self", "group", "refresh"]  # account-wide: no items
helper = "subscribe_" + {"s" * MAX_STEM!r}
assert inspect.iscoroutinefunction(getattr(AsyncRealtimeStream, helper))
assert not inspect.iscoroutinefunction(getattr(RealtimeStream, helper))
row = ROWS["kz10173"].from_row({{"9001": "A005930", "10": "1", "x": "y"}})
assert row.extra == {{"x": "y"}} and row.typed is not None
print("ok")
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(out), str(ROOT / "src")]))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


@pytest.mark.slow
def test_the_adversarial_realtime_package_passes_mypy_strict(tmp_path: Path) -> None:
    mypy = VENV_BIN / "mypy"
    if not mypy.exists():
        pytest.skip("mypy not installed")
    out = _render(tmp_path)
    done = subprocess.run(
        [str(mypy), "--strict", "--no-incremental", str(out / "kiwoom_typed" / "realtime")],
        env=dict(os.environ, MYPYPATH=str(ROOT / "src") + os.pathsep + str(out)),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("annotations", "field", "message"),
    [
        ({"class_name": "C" * (MAX_MODEL_CLASS + 1)}, {}, "at most 37 characters"),
        ({"python_name": "type"}, {}, "helper name 'type' is reserved"),
        ({}, {"python_name": "values"}, "a name the model uses itself"),
        ({}, {"python_name": "x" * (MAX_FIELD_NAME + 1)}, "give it a python_name"),
    ],
)
def test_names_beyond_the_limits_are_located_errors(
    tmp_path: Path, annotations: dict[str, str], field: dict[str, str], message: str
) -> None:
    page = _type_page("0y", [_row("10", **field)], annotations=annotations)
    specs = _write(tmp_path, [page])
    with pytest.raises(SpecError) as info:
        build_realtime(load_specs(specs))
    assert message in str(info.value) and "0y_.yaml:" in str(info.value)


def test_two_types_with_one_class_name_are_a_located_error(tmp_path: Path) -> None:
    pages = [
        _type_page("0y", [_row("10")], annotations={"class_name": "Same", "python_name": "a"}),
        _type_page("0Y", [_row("10")], annotations={"class_name": "Same", "python_name": "b"}),
    ]
    with pytest.raises(SpecError, match="'Same' is also generated for"):
        build_realtime(load_specs(_write(tmp_path, pages)))


# --- the committed specs: the models read what the documentation shows -------------------------

_WS = load_specs(SPECS).websocket
TYPE_IDS = sorted(a for a, s in (_WS.specs.items() if _WS else ()) if s.value_fields())


@pytest.mark.parametrize("api_id", per_tr(TYPE_IDS))
def test_the_documented_example_decodes_into_the_typed_model(api_id: str) -> None:
    """The REAL record of the page's example (read leniently: it is not JSON) becomes the
    generated model; every documented id has its property; every value parses by its kind
    unless the spec records that the example breaks it."""
    from kiwoom_typed.realtime import MODELS

    assert _WS is not None
    spec = _WS.specs[api_id]
    model = MODELS[spec.facts.push_type or ""]
    assert set(model.FIELDS) == {f.element for f in spec.value_fields()}
    records = [
        record
        for frame in example_frames(spec.examples.response)
        if isinstance(frame, dict) and frame.get("trnm") == "REAL"
        for record in frame.get("data") or ()
        if isinstance(record, dict) and isinstance(record.get("values"), dict)
    ]
    if not records:
        pytest.skip(f"{api_id}'s example shows no REAL record")
    event = model.from_record(records[0])
    broken = {k.where.rsplit(".", 1)[-1] for k in spec.known_findings if k.check == "value-kind"}
    for field_id, name in model.FIELDS.items():
        assert getattr(event, name) == records[0]["values"].get(field_id)
        try:
            getattr(event.typed, name)
        except ValueKindError:
            assert field_id in broken, f"{api_id} {field_id} {name}"
