"""The spec loader: every spec loads, and every broken spec fails with file:line: path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codegen.errors import SpecError, SpecErrors
from codegen.loader import load_common, load_spec_text, load_specs
from codegen.spec import TrSpec
from tests.conftest import SPEC_IDS, SPECS


def test_every_spec_loads_and_resolves() -> None:
    specs = load_specs(SPECS)
    common = specs.common
    for api_id in SPEC_IDS:
        spec = load_spec_text(
            (SPECS / f"{api_id}.yaml").read_text("utf-8"), f"specs/{api_id}.yaml", common
        )
        assert isinstance(spec, TrSpec) and spec.api_id == api_id
        resolved = specs.specs[api_id]
        assert resolved.response.body or resolved.facts.role is not None
        assert spec.resolved is None  # the raw spec: rules have not run on it


def test_resolved_is_never_read_from_a_file() -> None:
    text = _ka10001_text() + "resolved: {}\n"
    with pytest.raises(SpecError, match="resolved: unknown key"):
        load_spec_text(text, "specs/ka10001.yaml")


def test_load_specs_reads_the_whole_directory() -> None:
    specs = load_specs(SPECS)
    assert sorted(specs.specs) == SPEC_IDS
    assert {f.element for f in specs.common.envelope} == {"return_code", "return_msg"}


def _ka10001_text() -> str:
    return (SPECS / "ka10001.yaml").read_text("utf-8")


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")


def test_bad_length_names_file_line_and_path() -> None:
    text = _ka10001_text()
    # the fourth response body row (index 3) is fav; break its length
    lines = text.splitlines()
    target = _line_of(text, "element: fav") + 4
    assert lines[target - 1].strip() == "length: 20"
    lines[target - 1] = lines[target - 1].replace("20", "abc")
    with pytest.raises(SpecError) as info:
        load_spec_text("\n".join(lines), "specs/ka10001.yaml")
    assert str(info.value) == (
        f"specs/ka10001.yaml:{target}: response.body[3].length: expected an integer, got 'abc'"
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("required: false", "required: maybe", 3),
            r"response\.body\[\d+\]\.required: expected true or false",
        ),
        (
            ("kind: number", "kind: price", 1),
            r"\.kind: expected one of text, code, signed_price",
        ),
        (
            (
                "  python_name: get_stock_info",
                "  python_name: get_stock_info\n  retry_safely: true",
                1,
                1,
            ),
            r"annotations\.retry_safely: unknown key \(allowed: python_name, english_name, paged",
        ),
        (
            ("python_name: get_stock_info", "python_name: 250get", 1),
            r"python_name: '250get' is not a valid Python identifier",
        ),
        (("length: 20", "length: 0", 5), r"\.length: expected > 0, got 0"),
        (
            ("api_id: ka10001", "api_id: KA-1", 1),
            r"api_id: 'KA-1' does not look like a Kiwoom API ID",
        ),
    ],
)
def test_format_violations_are_located(edit: tuple[str, str, int, int], expected: str) -> None:
    old, new, occurrence, *offset = edit
    text = _ka10001_text()
    line = _line_of(text, old, occurrence)
    lines = text.splitlines()
    lines[line - 1] = lines[line - 1].replace(old.strip(), new.strip()) if "\n" not in new else new
    with pytest.raises(SpecError) as info:
        load_spec_text("\n".join(lines), "specs/ka10001.yaml")
    message = str(info.value)
    expected_line = line + (offset[0] if offset else 0)
    assert message.startswith(f"specs/ka10001.yaml:{expected_line}: "), message
    assert re.search(expected, message), message


def test_missing_required_key_points_at_its_parent() -> None:
    text = _ka10001_text().replace("      korean: 종목명\n", "", 1)
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "specs/ka10001.yaml")
    assert re.search(
        r"specs/ka10001\.yaml:\d+: response\.body\[1\]\.korean: required key 'korean' missing",
        str(info.value),
    )


def test_several_problems_are_all_reported() -> None:
    original = _ka10001_text()
    text = original.replace("length: 20", "length: x")
    with pytest.raises(SpecErrors) as info:
        load_spec_text(text, "specs/ka10001.yaml")
    assert len(info.value.errors) == original.count("length: 20") == 45
    assert all(e.line is not None for e in info.value.errors)


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(SpecError) as info:
        load_spec_text("api_id: ka10001\nname: [unclosed\nmenu: x\n", "specs/x.yaml")
    assert str(info.value).startswith("specs/x.yaml:")
    assert "invalid YAML" in str(info.value)
    assert info.value.line is not None


def test_duplicate_keys_are_refused() -> None:
    text = _ka10001_text().replace("method: POST\n", "method: POST\nmethod: GET\n", 1)
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "specs/ka10001.yaml")
    assert "method: duplicate key" in str(info.value)


def test_file_name_must_match_api_id(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_spec_text(_ka10001_text(), str(tmp_path / "ka10002.yaml"))
    assert "api_id: file is named 'ka10002' but api_id is 'ka10001'" in str(info.value)


def test_unknown_header_name_is_refused() -> None:
    common = load_common(SPECS)
    text = _ka10001_text().replace("    - authorization\n", "    - authorisation\n", 1)
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "specs/ka10001.yaml", common)
    assert "request.headers[1]: unknown header 'authorisation'" in str(info.value)


def test_a_list_without_items_loads_and_is_a_finding(tmp_path: Path) -> None:
    """The 2026-05-07 workbook types ka10101's marketCode LIST with no members: import keeps
    what is printed, validate reports it."""
    from codegen.validate import validate

    text = (SPECS / "ka10005.yaml").read_text("utf-8")
    start = text.index("      items:\n")
    end = text.index("examples:")
    (tmp_path / "ka10005.yaml").write_text(text[:start] + text[end:], "utf-8")
    (tmp_path / "_common.yaml").write_bytes((SPECS / "_common.yaml").read_bytes())
    report = validate(load_specs(tmp_path), None)
    assert ("list-without-items", "response.stk_ddwkmm") in {
        (f.check, f.where) for f in report.open
    }


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text", "42"])
def test_non_mapping_documents_are_refused(text: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "specs/x.yaml")
    assert "expected a mapping at the top" in str(info.value)
