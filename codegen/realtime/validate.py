"""``python -m codegen validate`` for the WebSocket specs.

The same checks as for REST specs, where they mean something for frames:

* structure: containers without member rows, request fields without a Length (the client sends
  them), names the glossary cannot translate, two pages with one helper or class name;
* examples: the documentation's examples are not JSON (single quotes, ``#요청`` / ``#실시간
  수신`` comments between frames): that is a finding, and the frames are then read as a reader
  would (:func:`~codegen.rules.realtime.example_frames`) and checked against the tables: keys
  the tables do not list, values that break their field's kind or allowed values, JSON types
  (``values`` is printed ``LIST`` but sent as an object keyed by field id);
* recordings: ``<fixtures>/<api_id>/*.json`` bodies (what other people recorded from the live
  service, ``../shared/live-responses``) against the answer's table.

Findings are recorded under ``annotations.known_findings`` like REST ones (``--record``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from codegen.loader import display_path
from codegen.realtime.importer import dump_ws_spec
from codegen.realtime.loader import WsSpecSet
from codegen.realtime.spec import WsAnnotations, WsMessage, WsSpec, is_container
from codegen.rules.realtime import example_frames
from codegen.spec import Field, KnownFinding
from codegen.validate import (
    Collector,
    Finding,
    _evidence_checked,
    _reason,
    _succeeded,
    value_problems,
)

__all__ = ["record_ws_findings", "validate_ws"]


class _WsChecker(Collector):
    def __init__(self, specs: WsSpecSet, spec: WsSpec) -> None:
        super().__init__(spec.api_id, specs.files[spec.api_id], specs.located[spec.api_id])
        self.spec = spec

    # --- the spec itself ---------------------------------------------------------------------

    def check_structure(self) -> None:
        spec = self.spec
        if spec.facts.source.get("python_name", "").endswith("fallback to the API ID"):
            self.add(
                "name-untranslated",
                "annotations.python_name",
                f"a word of {spec.name!r} is not in codegen/rules/glossary.py "
                "(REALTIME_WORDS), so the names fall back to the API ID",
                ("name",),
            )
        for side in ("request", "response", "push"):
            message: WsMessage | None = getattr(spec, side)
            if message is None:
                continue
            unmeasured: list[str] = []
            for path, where, field in _walk(message.body, (side, "body"), side):
                if is_container(field) and not field.items:
                    self.add(
                        "list-without-items",
                        where,
                        f"typed {field.type}, but the table lists no member rows under it",
                        path,
                    )
                if side == "request" and field.type == "String" and field.length is None:
                    unmeasured.append(field.element)
            self.add_unmeasured(side, unmeasured)

    # --- examples ------------------------------------------------------------------------------

    def check_examples(self) -> None:
        for side in ("request", "response"):
            text = getattr(self.spec.examples, side)
            where = f"examples.{side}"
            path = ("examples", side)
            if text is None:
                self.add("example-missing", where, f"the documentation has no {side} example", path)
                continue
            try:
                frames: list[object] = [json.loads(text)]
            except json.JSONDecodeError as exc:
                self.add(
                    "example-invalid-json",
                    where,
                    f"not valid JSON: {exc.msg} at example line {exc.lineno} column {exc.colno}",
                    path,
                )
                frames = example_frames(text)
            for frame in frames:
                if isinstance(frame, dict):
                    self.check_frame(side, frame, where, path)

    def check_frame(
        self,
        side: str,
        frame: Mapping[str, Any],
        where: str,
        path: tuple[str | int, ...],
        file: str | None = None,
    ) -> None:
        spec = self.spec
        if side == "request":
            self._object(spec.request.body, frame, where, path, file)
            return
        if frame.get("trnm") == "REAL":
            message = spec.push if spec.push is not None else spec.response
            self._object(message.body, frame, f"{where}[REAL]", path, file)
        else:
            self._object(spec.response.body, frame, where, path, file)

    def _object(
        self,
        fields: Sequence[Field],
        data: Mapping[str, Any],
        where: str,
        path: tuple[str | int, ...],
        file: str | None,
    ) -> None:
        by_name = {f.element: f for f in fields}
        for key, value in data.items():
            here = f"{where}.{key}"
            field = by_name.get(key)
            if field is None:
                self.add("key-not-in-table", here, "key not in the table", path, file)
                continue
            if is_container(field):
                self._container(field, value, here, path, file)
                continue
            if not isinstance(value, str):
                if value is None:
                    continue
                self.add(
                    "value-type",
                    here,
                    f"{field.type} expected, got {type(value).__name__} {value!r:.40}",
                    path,
                    file,
                )
                continue
            for check, message in value_problems(field, value):
                self.add(check, here, message, path, file)

    def _container(
        self,
        field: Field,
        value: Any,
        where: str,
        path: tuple[str | int, ...],
        file: str | None,
    ) -> None:
        if value is None:
            return  # "data": null when nothing matched (a recorded answer)
        if isinstance(value, dict):
            if field.type.lower() != "object":
                self.add(
                    "value-type",
                    where,
                    f"typed {field.type}, sent as an object (keyed by field id)",
                    path,
                    file,
                )
            self._object(field.items, value, where, path, file)
            return
        if not isinstance(value, list):
            self.add("value-type", where, f"expected a list, got {value!r:.40}", path, file)
            return
        before = len(self.findings)
        for row in value:
            if isinstance(row, dict):
                self._object(field.items, row, f"{where}[]", path, file)
            elif not field.items:
                continue  # CNSRLST's rows are [seq, name] pairs; the table lists no members
            else:
                self.add("value-type", f"{where}[]", "a LIST row is not an object", path, file)
        self._dedupe(before)

    # --- recordings ------------------------------------------------------------------------------

    def check_recording(self, file: Path) -> None:
        shown = display_path(file)
        name = f"fixture:{file.name}"
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.add("fixture-invalid", name, f"cannot read: {exc}", file=shown)
            return
        body = data.get("body") if isinstance(data, dict) else None
        if not isinstance(body, dict):
            self.add("fixture-invalid", name, "expected an object with a 'body'", file=shown)
            return
        if not _succeeded(body):
            return  # an error answer carries no data fields
        body = {k: v for k, v in body.items() if not k.startswith("_")}
        self.check_frame("response", body, f"{name}.response", (), shown)
        self._dedupe(0)


def _walk(
    fields: Sequence[Field], path: tuple[str | int, ...], where: str
) -> list[tuple[tuple[str | int, ...], str, Field]]:
    out: list[tuple[tuple[str | int, ...], str, Field]] = []
    for i, field in enumerate(fields):
        here = (*path, i)
        name = f"{where}.{field.element}"
        out.append((here, name, field))
        out += _walk(field.items, (*here, "items"), name)
    return out


def _name_clashes(specs: WsSpecSet) -> list[Finding]:
    """Two pages whose helpers, modules or classes would share a name."""
    owners: dict[tuple[str, str], list[str]] = {}
    for api_id, spec in sorted(specs.specs.items()):
        facts = spec.facts
        owners.setdefault(("python_name", facts.python_name), []).append(api_id)
        if facts.push_type is not None:
            owners.setdefault(("class_name", facts.class_name), []).append(api_id)
    out: list[Finding] = []
    for (what, name), api_ids in sorted(owners.items()):
        if len(api_ids) < 2:
            continue
        for api_id in api_ids:
            others = ", ".join(a for a in api_ids if a != api_id)
            out.append(
                Finding(
                    api_id,
                    "method-name-clash",
                    f"annotations.{what}",
                    f"{what} {name} is also that of {others}: give one annotations.{what}",
                    specs.files[api_id],
                    specs.located[api_id].line_of(("name",)),
                )
            )
    return out


def validate_ws(specs: WsSpecSet, fixtures: Path | None) -> tuple[list[Finding], list[Finding]]:
    """(open, recorded) findings of every WebSocket spec."""
    open_findings: list[Finding] = []
    recorded: list[Finding] = []
    for api_id, spec in sorted(specs.specs.items()):
        checker = _WsChecker(specs, spec)
        checker.check_structure()
        checker.check_examples()
        checked: set[str] = set()
        folder = fixtures / api_id if fixtures is not None else None
        if folder is not None and folder.is_dir():
            for file in sorted(folder.glob("*.json")):
                checker.check_recording(file)
                checked.add(file.name)
        known = {(k.check, k.where): (i, k) for i, k in enumerate(spec.known_findings)}
        matched: set[tuple[str, str]] = set()
        for finding in checker.findings:
            key = (finding.check, finding.where)
            if key in known:
                matched.add(key)
                recorded.append(finding)
            else:
                open_findings.append(finding)
        for key, (i, record) in known.items():
            if key not in matched and _evidence_checked(record.where, checked):
                open_findings.append(
                    Finding(
                        api_id,
                        "stale-record",
                        f"{record.check} {record.where}",
                        "recorded finding no longer occurs: remove the record",
                        specs.files[api_id],
                        specs.located[api_id].line_of(("annotations", "known_findings", i)),
                    )
                )
    open_findings += _name_clashes(specs)
    return open_findings, recorded


_NOT_RECORDABLE = frozenset(
    {"stale-record", "fixture-invalid", "method-name-clash", "name-untranslated"}
)
#: Reasons for findings only WebSocket pages have, in the documentation's terms.
_WS_REASONS = {
    "example-invalid-json": (
        "The example in {source} is not JSON ({message}): it prints Python literals (single "
        "quotes) and '#요청' / '#실시간 수신' comments between the frames it shows. It is kept "
        "verbatim; validate reads each frame leniently and checks it against the tables."
    ),
    "value-type": (
        "The example in {source} sends another JSON type than the table prints ({message}); "
        "the client reads what the service sends."
    ),
}


def _ws_reason(finding: Finding, spec: WsSpec) -> str:
    source = spec.source.document or "the documentation"
    if finding.check == "key-not-in-table" and finding.where.startswith("examples.request.- "):
        return (
            f"The request example in {source} flattens the data LIST: it prints data as null "
            "or empty and its member rows as '- item' / '- type' keys, which is not the frame "
            "to send; the client sends data: [{item: [...], type: [...]}] as the table says."
        )
    if finding.check == "value-type" and finding.where.endswith(".values"):
        return (
            f"The table in {source} types values LIST, but the example (like the live service) "
            "sends one object keyed by field id; the client reads that object."
        )
    template = _WS_REASONS.get(finding.check)
    if template is None or finding.where.startswith(("fixture:", "recordings.")):
        return _reason(finding, spec)  # type: ignore[arg-type]  # reads .source only
    return template.format(source=source, message=finding.message)


def record_ws_findings(specs: WsSpecSet, open_findings: Sequence[Finding]) -> dict[str, int]:
    """Write every recordable open finding into its spec (and drop stale records)."""
    added: dict[str, int] = {}
    by_api: dict[str, list[Finding]] = {}
    for finding in open_findings:
        if finding.api_id in specs.raw:
            by_api.setdefault(finding.api_id, []).append(finding)
    for api_id, findings in sorted(by_api.items()):
        raw = specs.raw[api_id]
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
                KnownFinding(
                    check=finding.check, where=finding.where, reason=_ws_reason(finding, raw)
                )
            )
        if not new and len(kept) == len(raw.known_findings):
            continue
        annotations = raw.annotations or WsAnnotations()
        spec = attrs.evolve(
            raw, annotations=attrs.evolve(annotations, known_findings=tuple(kept + new))
        )
        Path(specs.files[api_id]).write_text(dump_ws_spec(spec), encoding="utf-8")
        added[api_id] = len(new)
    return added
