"""``python -m codegen validate``: each documentation flaw is a finding; recorded ones pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codegen.cli import main
from codegen.loader import load_specs
from codegen.validate import Report, validate
from tests.conftest import FIXTURES, SPECS

#: The specs these tests edit; a copy of the few is enough (and keeps the tests fast).
SAMPLE = ("au10001", "ka10001", "ka10005", "ka10006")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    for name in ("_common.yaml", *(f"{a}.yaml" for a in SAMPLE)):
        shutil.copy(SPECS / name, tmp_path / "specs" / name)
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for api_id in SAMPLE:
        if (FIXTURES / api_id).is_dir():
            shutil.copytree(FIXTURES / api_id, fixtures / api_id)
    return tmp_path


def _run(workdir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(
        ["validate", "--specs", str(workdir / "specs"), "--fixtures", str(workdir / "fixtures")]
    )
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def committed() -> Report:
    return validate(load_specs(SPECS), FIXTURES)


def test_committed_specs_validate_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--specs", str(SPECS), "--fixtures", str(FIXTURES)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 open finding(s)" in out


def test_every_recorded_finding_still_occurs(committed: Report) -> None:
    specs = load_specs(SPECS)
    recorded = {(f.api_id, f.check, f.where) for f in committed.recorded}
    written = {
        (api_id, k.check, k.where)
        for api_id, spec in specs.specs.items()
        for k in spec.known_findings
        # records about published recordings (tests/live_responses, ../shared/live-responses)
        # are checked by test_live_responses.py, where those recordings are read
        if not k.where.startswith("fixture:")
        or (FIXTURES / api_id / k.where.removeprefix("fixture:").split(".json")[0])
        .with_suffix(".json")
        .is_file()
    }
    assert recorded == written


EXPECTED_FLAWS = {
    ("au10001", "example-invalid-json", "examples.response"),
    ("au10001", "token-issue-needs-token", "request.headers.authorization"),
    ("ka10001", "value-kind", "examples.response.cur_prc"),
    ("ka10001", "value-kind", "examples.response.250hgst_pric_dt"),
    ("ka10005", "key-not-in-table", "examples.response.stk_ddwkmm[].cntr_str"),
}


def test_the_known_documentation_flaws_are_found(committed: Report) -> None:
    found = {(f.api_id, f.check, f.where) for f in committed.recorded}
    assert EXPECTED_FLAWS <= found


def _drop_records(workdir: Path, api_id: str) -> None:
    path = workdir / "specs" / f"{api_id}.yaml"
    text = path.read_text("utf-8")
    head, _, _ = text.partition("  known_findings:")
    path.write_text(head + "  known_findings: []\n", "utf-8")


def test_unrecorded_findings_fail_with_location(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop_records(workdir, "ka10005")
    code, out = _run(workdir, capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if "[key-not-in-table]" in x)
    assert line.startswith(f"{workdir}/specs/ka10005.yaml:") or "specs/ka10005.yaml:" in line
    assert "examples.response.stk_ddwkmm[].cntr_str: key not in the table" in line


def test_stale_records_are_findings(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workdir / "specs" / "ka10006.yaml"
    text = path.read_text("utf-8")
    record = (
        "  known_findings:\n    - check: example-missing\n      where: examples.request\n"
        "      reason: a record that no longer matches anything\n"
    )
    text = text.replace("annotations:\n", "annotations:\n" + record, 1)
    path.write_text(text, "utf-8")
    code, out = _run(workdir, capsys)
    assert code == 1
    assert "[stale-record] example-missing examples.request" in out


def test_record_writes_findings_with_their_evidence(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop_records(workdir, "ka10005")
    code = main(["validate", "--specs", str(workdir / "specs"), "--no-fixtures", "--record"])
    out = capsys.readouterr().out
    assert code == 0, out
    spec = load_specs(workdir / "specs").specs["ka10005"]
    reasons = {(k.check, k.where): k.reason for k in spec.known_findings}
    reason = reasons[("key-not-in-table", "examples.response.stk_ddwkmm[].cntr_str")]
    assert "carries a key its table does not list" in reason


def _set_example(workdir: Path, api_id: str, side: str, example: str) -> None:
    import yaml

    path = workdir / "specs" / f"{api_id}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["examples"][side] = example
    data.setdefault("annotations", {})["known_findings"] = []
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.mark.parametrize(
    ("example", "check", "where"),
    [
        ('{"stk_cd": "005930", "zzz": "1"}', "key-not-in-table", "examples.request.zzz"),
        ("{}", "required-missing", "examples.request.stk_cd"),
        ('{"stk_cd": "005930005930005930005930X"}', "value-length", "examples.request.stk_cd"),
        ('{"stk_cd": "00 5930"}', "value-kind", "examples.request.stk_cd"),
        ('{"stk_cd": 5930}', "value-type", "examples.request.stk_cd"),
        ('{"stk_cd": "005930",}', "example-invalid-json", "examples.request"),
        ('["005930"]', "example-not-object", "examples.request"),
    ],
)
def test_each_check_finds_its_flaw(workdir: Path, example: str, check: str, where: str) -> None:
    _set_example(workdir, "ka10006", "request", example)
    report = validate(load_specs(workdir / "specs"), workdir / "fixtures")
    assert (check, where) in {(f.check, f.where) for f in report.open if f.api_id == "ka10006"}


def test_fixtures_are_checked(workdir: Path) -> None:
    target = workdir / "fixtures" / "ka10001"
    target.mkdir(parents=True, exist_ok=True)
    (target / "bad.json").write_text(
        json.dumps(
            {
                "request": {"stk_cd": "005930"},
                "pages": [
                    {
                        "headers": {},
                        "body": {
                            "cur_prc": "12.5x",
                            "new_key": "1",
                            "return_code": 0,
                            "return_msg": "",
                        },
                    }
                ],
            }
        ),
        "utf-8",
    )
    (target / "broken.json").write_text("{", "utf-8")
    (workdir / "fixtures" / "kz00000").mkdir()
    (workdir / "fixtures" / "kz00000" / "answer.json").write_text("{}", "utf-8")
    (workdir / "fixtures" / "LICENSES").mkdir()  # no answers in it: no TR's folder
    (workdir / "fixtures" / "LICENSES" / "someone.txt").write_text("MIT License", "utf-8")
    report = validate(load_specs(workdir / "specs"), workdir / "fixtures")
    got = {(f.api_id, f.check, f.where) for f in report.open}
    assert not any(f.api_id == "LICENSES" for f in report.open)
    assert ("ka10001", "value-kind", "fixture:bad.json.response.cur_prc") in got
    assert ("ka10001", "key-not-in-table", "fixture:bad.json.response.new_key") in got
    assert ("ka10001", "fixture-invalid", "fixture:broken.json") in got
    assert ("kz00000", "fixture-unknown-tr", "fixtures/kz00000") in got


def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    path = tmp_path / "specs" / "ka10001.yaml"
    path.write_text(path.read_text("utf-8").replace("length: 40", "length: forty"), "utf-8")
    assert main(["validate", "--specs", str(tmp_path / "specs")]) == 2
    err = capsys.readouterr().err
    assert "ka10001.yaml:" in err and "length: expected an integer, got 'forty'" in err
    assert main(["validate", "--specs", str(tmp_path / "nowhere")]) == 2


def test_fixtures_given_get_a_summary_per_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    envelope = {"return_code": 0, "return_msg": "ok"}
    answers = {
        "ka00001": {"acctNo": "**********"},
        "ka10001": {"stk_cd": "005930", "cur_prc": "12.5", "surprise": "1"},
    }
    for api_id, body in answers.items():
        (tmp_path / api_id).mkdir()
        recording = {"recorded": {"partial": True}, "pages": [{"body": body | envelope}]}
        (tmp_path / api_id / "r.json").write_text(json.dumps(recording), encoding="utf-8")
    assert main(["validate", "--specs", str(SPECS), "--fixtures", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"2 API(s) answered under {tmp_path}" in out
    assert "  ka00001      1 file(s): agree with the spec" in out
    line = next(x for x in out.splitlines() if x.startswith("  ka10001"))
    assert "key-not-in-table [open] response.surprise" in line
    assert "value-kind [open] response.cur_prc" in line
    assert main(["validate", "--specs", str(SPECS)]) == 0  # no --fixtures: no summary
    assert "answered under" not in capsys.readouterr().out


def test_a_method_name_clash_is_a_finding_as_generate_refuses_it(workdir: Path) -> None:
    """issue 10 #8: validate passed a spec whose method name clashed; generate refused it."""
    path = workdir / "specs" / "ka10006.yaml"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace("python_name: get_stock_time_quote", "python_name: get_stock_info")
    )
    report = validate(load_specs(workdir / "specs"), None)
    clashes = {(f.api_id, f.check) for f in report.open}
    assert {("ka10001", "method-name-clash"), ("ka10006", "method-name-clash")} <= clashes


def test_a_spec_without_annotations_is_no_finding(workdir: Path) -> None:
    """issue 10 #8: 'not-annotated' was listed among recorded findings with advice that did not
    fit; the rules now decide what a spec leaves out."""
    path = workdir / "specs" / "ka10006.yaml"
    text = path.read_text("utf-8")
    path.write_text(text[: text.index("\nannotations:") + 1], "utf-8")
    report = validate(load_specs(workdir / "specs"), None)
    assert [f for f in report.open if f.api_id == "ka10006"] == []


def test_no_fixtures_means_none(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """issue 10 #8: `validate --specs DIR` read ./tests/fixtures with no way to say none."""
    broken = workdir / "specs" / "broken"
    broken.mkdir()
    code = main(["validate", "--specs", str(workdir / "specs"), "--no-fixtures"])
    assert code == 0, capsys.readouterr().out
    fixtures = workdir / "fixtures" / "ka10001"
    fixtures.mkdir(parents=True, exist_ok=True)
    (fixtures / "bad.json").write_text("{", "utf-8")
    assert main(["validate", "--specs", str(workdir / "specs"), "--no-fixtures"]) == 0
    args = ["validate", "--specs", str(workdir / "specs"), "--fixtures", str(workdir / "fixtures")]
    assert main(args) == 1


def test_every_option_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    """issue 10 #14: `python -m codegen ... --help` showed options without help or defaults."""
    import argparse

    from codegen.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, f"{name} {action.dest} has no help text"
            if action.default not in (None, False) and action.option_strings:
                shown = action.help.replace("%(default)s", str(action.default))
                assert str(action.default) in shown, f"{name} {action.dest}: say the default"
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert all(form in out for form in (".txt", ".xlsx", ".json", ".whl"))
