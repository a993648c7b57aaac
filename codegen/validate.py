"""Check specs against their own documentation examples and against recorded fixtures.

Every problem is a ``Finding`` with a stable key ``(check, where)``. The documentation has real
flaws; once a maintainer has looked at one, they record it in the spec under
``annotations.known_findings`` with a reason, and ``validate`` reports it as recorded instead of
failing. A recorded finding that no longer occurs is itself a finding (``stale-record``), so the
records stay true.

Exit codes: 0 when every finding is recorded, 1 when some are not, 2 for bad input.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from codegen.dump import dump_spec
from codegen.errors import SpecError
from codegen.kinds import kind_problem, measured_length
from codegen.loader import SpecSet, display_path, load_specs
from codegen.spec import Annotations, Field, KnownFinding, Role, TrSpec, ValueKind
from codegen.yamlsource import LocatedData
from codegen.yamlsource import Path as DataPath

DEFAULT_FIXTURES = Path("tests/fixtures")

# What each check means; `python -m codegen validate` prints these with the findings.
CHECKS = {
    "example-missing": "the documentation gives no example",
    "example-invalid-json": "the documentation's example is not valid JSON",
    "example-not-object": "the example is JSON but not an object",
    "key-not-in-table": "a key that the table does not document",
    "required-missing": "a required field is absent",
    "field-absent": "a documented field is absent from the example",
    "value-kind": "a value that breaks the field's kind",
    "value-length": "a value longer than the documented length",
    "value-type": "a value whose JSON type does not match the documented type",
    "value-not-allowed": "a value outside the allowed values the description lists",
    "key-order": "the example lists fields in another order than the table",
    "length-missing": "the table gives no Length for String fields",
    "length-below-format": "a documented Length shorter than the field's format (YYYYMMDD ...)",
    "list-without-items": "a field typed LIST whose member rows the table leaves out",
    "token-issue-needs-token": "the token-issue TR documents a required authorization header",
    "name-untranslated": "a word of the API 명 is not in the glossary: the method is named by ID",
    "method-name-clash": "two TRs get the same method name",
    "field-never-seen": "a documented response field no complete recording carries",
    "fixture-invalid": "a fixture file that cannot be read",
    "fixture-unknown-tr": "a fixture directory for a TR that has no spec",
    "stale-record": "a recorded finding that no longer occurs",
}


def value_problems(field: Field, value: str) -> Iterator[tuple[str, str]]:
    """(check, message) for a string value that breaks its field: too long, not of its kind,
    or not one of its allowed values (대비기호 and empty values are not held to them)."""
    if field.length is not None and measured_length(field, value) > field.length:
        yield "value-length", f"{len(value)} characters, length is {field.length}"
    problem = kind_problem(field, value)
    if problem is not None:
        yield "value-kind", problem
    elif (
        field.values
        and field.kind is not ValueKind.SIGN_CODE
        and value != ""
        and value not in field.values
    ):
        yield "value-not-allowed", f"{value!r} is not one of {', '.join(sorted(field.values))}"


@attrs.frozen
class Finding:
    api_id: str
    check: str
    where: str  # stable key recorded in known_findings
    message: str
    file: str
    line: int | None

    def render(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{loc}: {self.api_id} [{self.check}] {self.where}: {self.message}"


ENVELOPE_KEYS = ("return_code", "return_msg")


class Collector:
    """The findings of one spec (REST or WebSocket), each located in its file."""

    def __init__(self, api_id: str, file: str, located: LocatedData) -> None:
        self.api_id = api_id
        self.file = file
        self.located = located
        self.findings: list[Finding] = []

    def add(
        self, check: str, where: str, message: str, path: DataPath = (), file: str | None = None
    ) -> None:
        line = self.located.line_of(path) if file is None else None
        self.findings.append(Finding(self.api_id, check, where, message, file or self.file, line))

    def add_unmeasured(self, side: str, unmeasured: Sequence[str]) -> None:
        """One length-missing finding per side, naming the first few fields."""
        if unmeasured:
            shown = ", ".join(unmeasured[:6]) + (", ..." if len(unmeasured) > 6 else "")
            self.add(
                "length-missing",
                f"{side}.body",
                f"{len(unmeasured)} String field(s) without a Length: {shown}",
                (side, "body"),
            )

    def _dedupe(self, start: int) -> None:
        """Keep one finding per (check, where, file) among those added since ``start``."""
        seen: set[tuple[str, str, str]] = set()
        kept = self.findings[:start]
        for finding in self.findings[start:]:
            key = (finding.check, finding.where, finding.file)
            if key not in seen:
                seen.add(key)
                kept.append(finding)
        self.findings = kept


class _Checker(Collector):
    """Collects the findings of one REST spec."""

    def __init__(self, specs: SpecSet, spec: TrSpec) -> None:
        super().__init__(spec.api_id, specs.files[spec.api_id], specs.located[spec.api_id])
        self.spec = spec
        self.raw = specs.raw.get(spec.api_id, spec)  # as written, before the rules
        self.envelope = {f.element for f in specs.common.envelope}
        self.seen_keys: set[str] = set()  # response keys of complete recordings
        self.complete_recordings: list[str] = []

    # --- the spec itself ------------------------------------------------------------------

    def check_structure(self) -> None:
        spec = self.spec
        facts = spec.facts
        if facts.role is Role.TOKEN_ISSUE:
            for i, header in enumerate(spec.request.headers):
                name = header if isinstance(header, str) else header.element
                if name == "authorization":
                    self.add(
                        "token-issue-needs-token",
                        "request.headers.authorization",
                        "the token-issue TR cannot require a token; the header is documented "
                        "as required (Y)",
                        ("request", "headers", i),
                    )
        if facts.source.get("python_name", "").endswith("fallback to the API ID"):
            self.add(
                "name-untranslated",
                "annotations.python_name",
                f"a word of {spec.name!r} is not in codegen/rules/glossary.py, so the method is "
                f"{facts.python_name}(): add the word there, or annotations.python_name here",
                ("name",),
            )
        for side in ("request", "response"):
            documented = {w: f for _, w, f in _walk(getattr(self.raw, side).body, (), side)}
            unmeasured: list[str] = []
            for path, where, field in _walk(getattr(spec, side).body, (side, "body"), side):
                printed = documented.get(where)
                if printed is not None and printed.length is not None and field.length is None:
                    self.add(
                        "length-below-format",
                        where,
                        f"Length {printed.length} is shorter than the "
                        f"{field.kind.value if field.kind else ''} format, so the format is "
                        "checked instead",
                        path,
                    )
                if field.type == "String" and (printed or field).length is None:
                    unmeasured.append(field.element)
                if field.is_list and not field.items:
                    self.add(
                        "list-without-items",
                        where,
                        "typed LIST, but the table lists no member rows (- element) under it",
                        path,
                    )
            self.add_unmeasured(side, unmeasured)

    # --- examples and fixtures ----------------------------------------------------------------

    def check_examples(self) -> None:
        for side in ("request", "response"):
            text = getattr(self.spec.examples, side)
            where = f"examples.{side}"
            path: DataPath = ("examples", side)
            if text is None:
                self.add("example-missing", where, f"the documentation has no {side} example", path)
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                self.add(
                    "example-invalid-json",
                    where,
                    f"not valid JSON: {exc.msg} at example line {exc.lineno} column {exc.colno}",
                    path,
                )
                continue
            if not isinstance(data, dict):
                self.add("example-not-object", where, "the example is not a JSON object", path)
                continue
            self.check_body(side, data, where, path, complete=True)

    def check_body(
        self,
        side: str,
        data: Mapping[str, Any],
        where: str,
        path: DataPath,
        *,
        complete: bool,
        file: str | None = None,
    ) -> None:
        fields = getattr(self.spec, side).body
        allowed_extra = self.envelope if side == "response" else set()
        self._check_object(fields, data, where, path, allowed_extra, complete, file)

    def _check_object(
        self,
        fields: Sequence[Field],
        data: Mapping[str, Any],
        where: str,
        path: DataPath,
        allowed_extra: set[str],
        complete: bool,
        file: str | None,
    ) -> None:
        by_name = {f.element: f for f in fields}
        for key in data:
            if key not in by_name and key not in allowed_extra:
                self.add("key-not-in-table", f"{where}.{key}", "key not in the table", path, file)
        for field in fields:
            if field.element not in data:
                if field.required:
                    self.add(
                        "required-missing",
                        f"{where}.{field.element}",
                        "required but absent",
                        path,
                        file,
                    )
                elif complete:
                    self.add(
                        "field-absent",
                        f"{where}.{field.element}",
                        "documented but absent",
                        path,
                        file,
                    )
        documented_order = [f.element for f in fields if f.element in data]
        given_order = [k for k in data if k in by_name]
        if complete and documented_order != given_order:
            first = next(
                i
                for i, (a, b) in enumerate(zip(documented_order, given_order, strict=False))
                if a != b
            )
            self.add(
                "key-order",
                where,
                f"table order has {documented_order[first]!r} where the example has "
                f"{given_order[first]!r}",
                path,
                file,
            )
        for key, value in data.items():
            if key not in by_name:
                continue
            field = by_name[key]
            here = f"{where}.{key}"
            if field.is_list:
                if not isinstance(value, list):
                    self.add("value-type", here, f"expected a list, got {value!r:.40}", path, file)
                    continue
                rows = [row for row in value if isinstance(row, dict)]
                if len(rows) != len(value):
                    self.add("value-type", f"{here}[]", "a LIST row is not an object", path, file)
                # Report each problem once per LIST, not once per row.
                before = len(self.findings)
                for row in rows:
                    self._check_object(field.items, row, f"{here}[]", path, set(), complete, file)
                self._dedupe(before)
                continue
            if not isinstance(value, str):
                self.add(
                    "value-type",
                    here,
                    f"{field.type} expected, got {type(value).__name__} {value!r}",
                    path,
                    file,
                )
                continue
            for check, message in value_problems(field, value):
                self.add(check, here, message, path, file)

    def check_fixture(self, file: Path) -> None:
        """One fixture or recording of this TR.

        Two layouts are read: ours (``request`` + ``pages``: what ``tests/fixtures`` holds and
        what ``Client(record=DIR)`` writes, with a ``recorded`` block) and a single recorded
        body (``body``, ``partial``, ``source``, ``env``: the published answers kept under
        ``tests/live_responses``, the full set in ``../shared/live-responses``). Keys starting
        with ``_`` in a body are notes of whoever collected it, not the service's keys.
        """
        shown = display_path(file)
        name = f"fixture:{file.name}"
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.add("fixture-invalid", name, f"cannot read: {exc}", file=shown)
            return
        if not isinstance(data, dict):
            self.add("fixture-invalid", name, "expected a JSON object", file=shown)
            return
        if "body" in data and "pages" not in data:  # a single recorded body
            data = {
                "request": data.get("request"),
                "pages": [{"headers": data.get("headers") or {}, "body": data.get("body")}],
                "recorded": {"partial": bool(data.get("partial")), "source": data.get("source")},
            }
        pages = data.get("pages")
        request = data.get("request", {})
        if not isinstance(pages, list) or not pages or not isinstance(request, dict | None):
            self.add(
                "fixture-invalid",
                name,
                "expected an object with 'request' (object) and 'pages' (non-empty list)",
                file=shown,
            )
            return
        recorded = data.get("recorded")
        partial = isinstance(recorded, dict) and bool(recorded.get("partial"))
        if request is not None:  # a published body often comes without the request
            self.check_body("request", request, f"{name}.request", (), complete=False, file=shown)
        for i, page in enumerate(pages):
            body = page.get("body") if isinstance(page, dict) else None
            if not isinstance(body, dict):
                self.add("fixture-invalid", f"{name}.pages[{i}]", "page without a body", file=shown)
                continue
            for key in ENVELOPE_KEYS:
                if key not in body and not partial:
                    self.add("fixture-invalid", f"{name}.pages[{i}]", f"no {key}", file=shown)
            if not _succeeded(body):
                continue  # an error answer carries no data fields
            body = {k: v for k, v in body.items() if not k.startswith("_")}
            self.check_body("response", body, f"{name}.response", (), complete=False, file=shown)
            if isinstance(recorded, dict) and not partial:
                self.seen_keys.update(body)
                self.complete_recordings.append(shown)
        self._dedupe(0)

    def check_never_seen(self) -> None:
        """Documented response keys that no complete recording of this TR carries."""
        if not self.complete_recordings:
            return
        for field in self.spec.response.body:
            if field.element not in self.seen_keys:
                self.add(
                    "field-never-seen",
                    f"recordings.response.{field.element}",
                    f"documented, but absent from all {len(self.complete_recordings)} complete "
                    f"recording(s): {', '.join(self.complete_recordings[:3])}",
                    file=self.complete_recordings[0],
                )


def _succeeded(body: Mapping[str, Any]) -> bool:
    code = body.get("return_code", 0)
    return str(code).strip().lstrip("0") == "" if isinstance(code, int | str) else False


def _walk(
    fields: Sequence[Field], path: DataPath, where: str
) -> Iterator[tuple[DataPath, str, Field]]:
    for i, field in enumerate(fields):
        here = (*path, i)
        name = f"{where}.{field.element}"
        yield here, name, field
        yield from _walk(field.items, (*here, "items"), name)


@attrs.frozen
class Report:
    open: list[Finding]
    recorded: list[Finding]

    @property
    def exit_code(self) -> int:
        return 1 if self.open else 0


def validate(specs: SpecSet, fixtures: Path | None) -> Report:
    """Every finding of every spec, split into open and recorded."""
    open_findings: list[Finding] = []
    recorded: list[Finding] = []
    fixture_dirs: dict[str, Path] = {}
    if fixtures is not None and fixtures.is_dir():
        # a folder without answers (say LICENSES/ beside published ones) is no TR's, as in
        # the sandbox's loader
        fixture_dirs = {
            d.name: d for d in sorted(fixtures.iterdir()) if d.is_dir() and any(d.glob("*.json"))
        }
    websocket = specs.websocket.specs if specs.websocket is not None else {}
    for api_id in sorted(fixture_dirs):
        if api_id not in specs.specs and api_id not in websocket:
            open_findings.append(
                Finding(
                    api_id,
                    "fixture-unknown-tr",
                    f"fixtures/{api_id}",
                    "fixtures for a TR that has no spec",
                    display_path(fixture_dirs[api_id]),
                    None,
                )
            )
    for api_id, spec in sorted(specs.specs.items()):
        checker = _Checker(specs, spec)
        checker.check_structure()
        checker.check_examples()
        if api_id in fixture_dirs:
            for file in sorted(fixture_dirs[api_id].glob("*.json")):
                checker.check_fixture(file)
            checker.check_never_seen()
        known = {
            (k.check, k.where): (i, k)
            for i, k in enumerate(spec.annotations.known_findings if spec.annotations else ())
        }
        matched: set[tuple[str, str]] = set()
        for finding in checker.findings:
            key = (finding.check, finding.where)
            if key in known:
                matched.add(key)
                recorded.append(finding)
            else:
                open_findings.append(finding)
        checked = (
            {f.name for f in fixture_dirs[api_id].glob("*.json")}
            if api_id in fixture_dirs
            else set()
        )
        for key, (i, record) in known.items():
            if key not in matched and _evidence_checked(record.where, checked):
                path: DataPath = ("annotations", "known_findings", i)
                open_findings.append(
                    Finding(
                        api_id,
                        "stale-record",
                        f"{record.check} {record.where}",
                        "recorded finding no longer occurs: remove the record",
                        specs.files[api_id],
                        specs.located[api_id].line_of(path),
                    )
                )
    open_findings += _method_clashes(specs)
    if specs.websocket is not None:
        from codegen.realtime.validate import validate_ws

        ws_open, ws_recorded = validate_ws(specs.websocket, fixtures)
        open_findings += ws_open
        recorded += ws_recorded
    return Report(open_findings, recorded)


_RECORDING = re.compile(r"^(fixture:|recordings\.)(?P<file>[^\s]*?\.json)?")


def _evidence_checked(where: str, checked: set[str]) -> bool:
    """Whether a record's evidence was looked at in this run: a finding about a recording (say
    one of ``../shared/live-responses``) cannot be stale when that recording was not read."""
    match = _RECORDING.match(where)
    if match is None:
        return True
    if where.startswith("recordings."):
        return bool(checked)
    return match.group("file") in checked


def _method_clashes(specs: SpecSet) -> list[Finding]:
    """Two TRs whose methods (or pager methods) would share a name; ``generate`` refuses them."""
    from codegen.model import RESERVED_METHOD_NAMES

    owners: dict[str, list[str]] = {}
    for api_id, spec in sorted(specs.specs.items()):
        facts = spec.facts
        names = [facts.python_name] + ([f"{facts.python_name}_pages"] if facts.paged else [])
        for name in names:
            owners.setdefault(name, []).append(api_id)
    out: list[Finding] = []
    for name, api_ids in sorted(owners.items()):
        clash = len(api_ids) > 1 or name in RESERVED_METHOD_NAMES
        for api_id in api_ids if clash else ():
            others = [a for a in api_ids if a != api_id]
            what = f"also the method of {', '.join(others)}" if others else "reserved"
            out.append(
                Finding(
                    api_id,
                    "method-name-clash",
                    "annotations.python_name",
                    f"method name {name}() is {what}: give one of them annotations.python_name",
                    specs.files[api_id],
                    specs.located[api_id].line_of(("name",)),
                )
            )
    return out


#: Findings a maintainer cannot record as documentation flaws: they are ours to fix.
_NOT_RECORDABLE = frozenset(
    {
        "stale-record",
        "fixture-invalid",
        "fixture-unknown-tr",
        "method-name-clash",
        "name-untranslated",
    }
)


def _reason(finding: Finding, spec: TrSpec) -> str:
    """The reason written by ``validate --record``: the evidence, in the documentation's terms.

    Recorded findings are reviewed where they are written (the spec); the text says what the
    documentation shows and what the client does about it, never that the flaw was fixed.
    """
    message = finding.message
    source = spec.source.document or "the documentation"
    templates = {
        "example-missing": f"{source} prints no example here; tests use fixtures instead.",
        "example-invalid-json": (
            f"The example in {source} is not valid JSON ({message.removeprefix('not valid JSON: ')}"
            "); it is kept verbatim, and "
            "neither the client nor the sandbox parses it."
        ),
        "example-not-object": f"The example in {source} is not a JSON object; kept verbatim.",
        "key-not-in-table": (
            f"The example in {source} carries a key its table does not list; the client keeps "
            "such keys in .extra, never drops them."
        ),
        "required-missing": (
            f"The table marks the field required (Y) but the example in {source} leaves it out."
        ),
        "field-absent": (
            f"The table documents the field but the example in {source} leaves it out; an "
            "absent field reads as None."
        ),
        "value-kind": (
            f"The example in {source} gives a value that does not fit the field as documented "
            f"({message}); the value kind follows the table and its description."
        ),
        "value-length": f"The example in {source} exceeds the documented Length ({message}).",
        "value-type": f"The example in {source} has another JSON type than documented ({message}).",
        "value-not-allowed": (
            f"The example in {source} uses a value the description does not list ({message})."
        ),
        "key-order": (
            f"The example in {source} orders keys unlike the table ({message}); order carries "
            "no meaning in JSON."
        ),
        "length-missing": (
            f"The table in {source} prints no Length for these fields ({message}); no length "
            "is checked for them before sending."
        ),
        "length-below-format": (
            f"{source} gives a Length shorter than the field's own format ({message}); checking "
            "the Length would refuse every valid value."
        ),
        "list-without-items": (
            f"{source} types the field LIST but lists no member rows under it; its value is "
            "kept as received."
        ),
        "token-issue-needs-token": (
            f"{source} marks the authorization header required (Y) for the token-issue TR, "
            "which cannot need a token; the client sends none."
        ),
    }
    if finding.where.startswith(("fixture:", "recordings.")):
        return (
            f"A recorded answer ({finding.file}) disagrees with {source}: {message} "
            f"[{CHECKS.get(finding.check, finding.check)}]. The client keeps what the service "
            "sends (unknown keys in .extra); the table is what is wrong or incomplete."
        )
    return templates.get(finding.check, f"Recorded from {source}: {message}")


def record_findings(specs: SpecSet, report: Report) -> dict[str, int]:
    """Write every recordable open finding into its spec (and drop stale records).

    The spec is rewritten through the same dumper as the importer's, so only
    ``annotations.known_findings`` changes. Returns the number of records added per API ID.
    """
    added: dict[str, int] = {}
    by_api: dict[str, list[Finding]] = {}
    for finding in report.open:
        by_api.setdefault(finding.api_id, []).append(finding)
    for api_id, findings in sorted(by_api.items()):
        raw = specs.raw.get(api_id)
        if raw is None:
            continue
        stale = {f.where for f in findings if f.check == "stale-record"}
        kept = [k for k in raw.known_findings if f"{k.check} {k.where}" not in stale]
        seen = {(k.check, k.where) for k in kept}
        new = []
        for finding in findings:
            key = (finding.check, finding.where)
            if finding.check in _NOT_RECORDABLE or key in seen:
                continue
            seen.add(key)
            new.append(
                KnownFinding(check=finding.check, where=finding.where, reason=_reason(finding, raw))
            )
        if not new and len(kept) == len(raw.known_findings):
            continue
        annotations = raw.annotations or Annotations()
        spec = attrs.evolve(
            raw, annotations=attrs.evolve(annotations, known_findings=tuple(kept + new))
        )
        Path(specs.files[api_id]).write_text(dump_spec(spec), encoding="utf-8")
        added[api_id] = len(new)
    return added


_FILE_PREFIX = re.compile(r"^fixture:[^\s]*?\.json\.?")


def recording_summary(report: Report, fixtures: Path) -> list[str]:
    """One line per API with answers under ``fixtures``: how many files, and what in them
    disagrees with the spec (check, field, open or recorded), or that they agree."""
    findings: dict[str, dict[tuple[str, str], list[str]]] = {}
    for status, group in (("open", report.open), ("recorded", report.recorded)):
        for finding in group:
            if not finding.where.startswith(("fixture:", "recordings.", "fixtures/")):
                continue
            where = _FILE_PREFIX.sub("", finding.where).removeprefix("recordings.")
            if finding.check == "fixture-unknown-tr":
                where = "no spec has this API ID"
            fields = findings.setdefault(finding.api_id, {}).setdefault((finding.check, status), [])
            if where not in fields:
                fields.append(where or "(file)")
    lines = []
    for folder in sorted(d for d in fixtures.iterdir() if d.is_dir()):
        files = len(list(folder.glob("*.json")))
        if not files:
            continue
        found = findings.get(folder.name, {})
        if not found:
            lines.append(f"  {folder.name:9} {files:4} file(s): agree with the spec")
            continue
        parts = []
        for (check, status), fields in sorted(found.items()):
            shown = ", ".join(fields[:4]) + (f", ... ({len(fields)})" if len(fields) > 4 else "")
            parts.append(f"{check} [{status}] {shown}")
        lines.append(f"  {folder.name:9} {files:4} file(s): " + "; ".join(parts))
    return lines


def run_validate(
    specs_dir: Path, fixtures: Path | None, *, use_fixtures: bool = True, record: bool = False
) -> int:
    """CLI body: print open findings, a summary per check, and return the exit code."""
    specs = load_specs(specs_dir)
    explicit = fixtures is not None and use_fixtures  # --fixtures DIR: a summary per API
    if not use_fixtures:
        fixtures = None
    elif fixtures is None:
        fixtures = DEFAULT_FIXTURES if DEFAULT_FIXTURES.is_dir() else None
    elif not fixtures.is_dir():
        raise SpecError(str(fixtures), None, "", "no such fixture directory")
    report = validate(specs, fixtures)
    if record:
        added = record_findings(specs, report)
        if specs.websocket is not None:
            from codegen.realtime.validate import record_ws_findings

            added.update(record_ws_findings(specs.websocket, report.open))
        print(f"recorded {sum(added.values())} finding(s) in {len(added)} spec(s)")
        report = validate(load_specs(specs_dir), fixtures)
    for finding in report.open:
        print(finding.render())
    if report.open:
        print(
            "\nTo accept a finding after checking the documentation, record it in the spec:\n"
            "  annotations:\n    known_findings:\n"
            "      - {check: CHECK, where: WHERE, reason: why it is a documentation flaw}\n"
            "(`python -m codegen validate --record` writes them with the evidence as reason; "
            "review each one.)",
            file=sys.stderr,
        )
    counts: dict[str, list[int]] = {}
    for finding in report.open:
        counts.setdefault(finding.check, [0, 0])[0] += 1
    for finding in report.recorded:
        counts.setdefault(finding.check, [0, 0])[1] += 1
    if explicit and fixtures is not None:
        summary = recording_summary(report, fixtures)
        print(f"{len(summary)} API(s) answered under {fixtures} (what the answers disagree with):")
        for line in summary:
            print(line)
    n_ws = len(specs.websocket.specs) if specs.websocket is not None else 0
    print(
        f"{len(specs.specs)} spec(s) and {n_ws} WebSocket spec(s): {len(report.open)} open "
        f"finding(s), {len(report.recorded)} recorded"
    )
    for check, (n_open, n_recorded) in sorted(counts.items()):
        print(f"  {check:24} {n_open:5} open {n_recorded:5} recorded  ({CHECKS.get(check, '')})")
    return report.exit_code
