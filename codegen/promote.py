"""Turn a reviewed recording into a fixture: ``python -m codegen promote RECORDED.json``.

A recording (``Client(record=DIR)``) becomes ``tests/fixtures/<api_id>/<name>.json``, which the
sandbox serves and ``validate`` checks, only when:

* every value that must be masked is (account numbers, personal values, credentials, order
  numbers; no bearer credential anywhere): located refusals, never showing the values;
* it agrees with its spec (``validate``'s checks), unless ``--accept-findings`` says the
  findings are the documentation's flaws (record them with ``validate --record``);
* the sandbox can serve its pages (cont-yn / next-key chain), and no fixture has its name.

What fixtures do not need is stripped: response headers but ``cont-yn`` / ``next-key``; the
``recorded`` block keeps the provenance (env, host, time, client, masked keys). A recording
that stopped while the service had more pages (``max_pages``) ends at its last page.

Exit codes: 0 promoted, 1 refused, 2 bad input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs

from codegen.errors import SpecError
from codegen.loader import SpecSet, load_specs
from codegen.masking import sensitive_elements, unmasked
from codegen.validate import Finding, _Checker

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_BEARER = re.compile(r"(?i)bearer\s+[^\s*'\",}]")
_KEEP_HEADERS = ("cont-yn", "next-key")
_KEEP_RECORDED = ("env", "host", "at", "client", "status", "partial", "complete", "masked")


class Refused(Exception):
    """The recording is not promoted; the message lists why, located."""


@attrs.frozen
class Promoted:
    path: Path
    pages: int
    findings: tuple[Finding, ...]
    truncated: bool


def _read(recording: Path) -> dict[str, Any]:
    try:
        data = json.loads(recording.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(str(recording), None, "", f"cannot read: {exc}") from None
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, list) or not pages or not isinstance(data.get("request", {}), dict):
        raise SpecError(
            str(recording), None, "", "expected a recording: an object with 'request' and 'pages'"
        )
    for i, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("body"), dict):
            raise SpecError(str(recording), None, f"pages[{i}]", "expected an object with 'body'")
        if not isinstance(page.get("headers", {}), dict):
            raise SpecError(str(recording), None, f"pages[{i}].headers", "expected an object")
    out: dict[str, Any] = data
    return out


def _api_id(data: dict[str, Any], recording: Path, specs: SpecSet) -> str:
    recorded = data.get("recorded")
    api_id = recorded.get("api_id") if isinstance(recorded, dict) else None
    api_id = api_id if isinstance(api_id, str) else recording.parent.name
    if api_id not in specs.specs:
        raise SpecError(str(recording), None, "recorded.api_id", f"no spec for API ID {api_id!r}")
    return api_id


def _unmasked(data: dict[str, Any], sensitive: frozenset[str]) -> list[str]:
    problems = [f"{w}: not masked" for w in unmasked(data.get("request", {}), sensitive, "request")]
    for i, page in enumerate(data["pages"]):
        where = f"pages[{i}]"
        problems += [f"{w}: not masked" for w in unmasked(page["body"], sensitive, f"{where}.body")]
        for name in page.get("headers", {}):
            if str(name).lower() in ("authorization", "cookie", "set-cookie"):
                problems.append(f"{where}.headers.{name}: a credential header is never recorded")
    text = json.dumps(data, ensure_ascii=False)
    if _BEARER.search(text):
        problems.append("a bearer credential appears in the file")
    return problems


def _chain(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """Pages with only the headers the sandbox serves; a last page promising more ends the
    chain (the recording stopped early). Refuses a chain the sandbox cannot follow."""
    out: list[dict[str, Any]] = []
    keys: list[str] = []
    truncated = False
    for i, page in enumerate(pages):
        headers = {str(k).lower(): str(v) for k, v in page.get("headers", {}).items()}
        kept = {k: headers[k] for k in _KEEP_HEADERS if k in headers}
        more = kept.get("cont-yn", "N").strip().upper() == "Y"
        if i == len(pages) - 1 and more:
            kept = {"cont-yn": "N", "next-key": ""}
            truncated = True
        elif i < len(pages) - 1:
            if not more or not kept.get("next-key"):
                raise Refused(f"pages[{i}]: followed by another page but no cont-yn Y / next-key")
            keys.append(kept["next-key"])
        out.append({"headers": kept, "body": page["body"]})
    if len(set(keys)) != len(keys):
        raise Refused("next-key values repeat across pages: the sandbox could not serve them")
    return out, truncated


def promote(
    recording: Path,
    specs: SpecSet,
    fixtures: Path,
    *,
    name: str | None = None,
    accept_findings: bool = False,
) -> Promoted:
    """Check ``recording`` and write it as ``fixtures/<api_id>/<name>.json``; raise
    :class:`Refused` (nothing written) or :class:`SpecError` (bad input)."""
    data = _read(recording)
    api_id = _api_id(data, recording, specs)
    spec = specs.specs[api_id]
    stem = (name or recording.stem).removesuffix(".json")
    if not _NAME.match(stem):
        raise SpecError(str(recording), None, "--name", f"not a file name: {stem!r}")
    problems = _unmasked(data, frozenset(sensitive_elements(spec)))
    if problems:
        raise Refused(
            "values that must be masked are not (the file may hold an account number, a "
            "name or a credential: do not share it):\n"
            + "\n".join(f"  {recording}: {p}" for p in problems)
        )
    checker = _Checker(specs, spec)
    checker.check_fixture(recording)
    findings = tuple(checker.findings)
    if findings and not accept_findings:
        raise Refused(
            f"{len(findings)} finding(s) against specs/{api_id}.yaml; if the documentation is "
            "what is wrong, pass --accept-findings (then record them: python -m codegen "
            "validate --record):\n" + "\n".join(f"  {f.render()}" for f in findings)
        )
    pages, truncated = _chain(data["pages"])
    recorded = data.get("recorded")
    provenance = (
        {k: recorded[k] for k in _KEEP_RECORDED if k in recorded}
        if isinstance(recorded, dict)
        else {}
    )
    description = str(data.get("description") or f"{api_id} {spec.name}: a recorded answer.")
    description = description.replace("; review before promoting.", ".")
    description += " Reviewed and promoted (python -m codegen promote)"
    description += (
        f"; the service had more pages, the recording stops after {len(pages)}."
        if truncated
        else "."
    )
    fixture: dict[str, Any] = {"description": description}
    if provenance:
        fixture["recorded"] = provenance
    fixture["request"] = data.get("request", {})
    fixture["pages"] = pages
    target = fixtures / api_id / f"{stem}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(json.dumps(fixture, ensure_ascii=False, indent=2) + "\n")
    except FileExistsError:
        raise Refused(f"{target} exists; choose another --name") from None
    return Promoted(target, len(pages), findings, truncated)


def run_promote(
    recording: Path,
    specs_dir: Path,
    fixtures: Path,
    *,
    name: str | None = None,
    accept_findings: bool = False,
) -> int:
    """CLI body: promote, or print why not; the exit code."""
    if not recording.is_file():
        raise SpecError(str(recording), None, "", "no such recording")
    try:
        result = promote(
            recording,
            load_specs(specs_dir),
            fixtures,
            name=name,
            accept_findings=accept_findings,
        )
    except Refused as exc:
        print(f"refused: {exc}")
        return 1
    for finding in result.findings:
        print(f"accepted: {finding.render()}")
    note = (
        " (the service had more pages: the last one is kept as the end)" if result.truncated else ""
    )
    print(f"promoted {recording} -> {result.path} ({result.pages} page(s)){note}")
    if result.findings:
        print("record the accepted findings in the spec: python -m codegen validate --record")
    return 0
