"""Write specs back to YAML, deterministically and readably.

Key order follows the documentation (documented keys first, hand annotations after), multi-line
text is written as literal blocks, and nothing depends on dict order from elsewhere, so the
importer produces byte-identical files for identical input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from codegen.spec import (
    Annotations,
    CommonSpec,
    Examples,
    Field,
    KnownFinding,
    Message,
    Source,
    TrSpec,
)

if TYPE_CHECKING:
    from codegen.realtime.spec import WsSpec


class _Dumper(yaml.SafeDumper):
    """Literal blocks for multi-line text; no aliases; lists indented under their key."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal style only round-trips when no line has trailing blanks; else fall back to quotes.
    if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def field_to_data(field: Field) -> dict[str, Any]:
    data: dict[str, Any] = {
        "element": field.element,
        "korean": field.korean,
        "type": field.type,
        "required": field.required,
    }
    if field.length is not None:
        data["length"] = field.length
    if field.description:
        data["description"] = field.description
    if field.items:
        data["items"] = [field_to_data(item) for item in field.items]
    if field.python_name is not None:
        data["python_name"] = field.python_name
    if field.kind is not None:
        data["kind"] = field.kind.value
    if field.values is not None:
        data["values"] = dict(field.values)
    if field.note is not None:
        data["note"] = field.note
    return data


def _message_to_data(message: Message) -> dict[str, Any]:
    return {
        "headers": [h if isinstance(h, str) else field_to_data(h) for h in message.headers],
        "body": [field_to_data(f) for f in message.body],
    }


def _examples_to_data(examples: Examples) -> dict[str, Any]:
    return {"request": examples.request, "response": examples.response}


def _source_to_data(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"document": source.document}
    if source.pages:
        data["pages"] = list(source.pages)
    if source.entry:
        data["entry"] = source.entry
    return data


def _finding_to_data(finding: KnownFinding) -> dict[str, Any]:
    return {"check": finding.check, "where": finding.where, "reason": finding.reason}


def annotations_to_data(annotations: Annotations) -> dict[str, Any]:
    """Only what was written by hand: a key left out is decided by the rules."""
    data: dict[str, Any] = {}
    for key in ("python_name", "english_name", "paged", "retry_safe", "mock_supported"):
        value = getattr(annotations, key)
        if value is not None:
            data[key] = value
    if annotations.role is not None:
        data["role"] = annotations.role.value
    if annotations.known_findings:
        data["known_findings"] = [_finding_to_data(f) for f in annotations.known_findings]
    return data


def page_to_data(spec: TrSpec | WsSpec) -> dict[str, Any]:
    """What every page of the documentation has, REST or WebSocket, in file order."""
    hosts: dict[str, Any] = {"prod": spec.hosts.prod}
    if spec.hosts.mock is not None:
        hosts["mock"] = spec.hosts.mock
    if spec.hosts.mock_note is not None:
        hosts["mock_note"] = spec.hosts.mock_note
    return {
        "api_id": spec.api_id,
        "name": spec.name,
        "menu": spec.menu,
        "method": spec.method,
        "url": spec.url,
        "hosts": hosts,
        "format": spec.format,
        "content_type": spec.content_type,
        "overview": spec.overview,
        "source": _source_to_data(spec.source),
    }


def spec_to_data(spec: TrSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        **page_to_data(spec),
        "request": _message_to_data(spec.request),
        "response": _message_to_data(spec.response),
        "examples": _examples_to_data(spec.examples),
    }
    if spec.annotations is not None and (written := annotations_to_data(spec.annotations)):
        data["annotations"] = written
    return data


def dump_data(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)


def dump_spec(spec: TrSpec) -> str:
    head = (
        f"# {spec.api_id} {spec.name}: transcribed from the Kiwoom REST API manual.\n"
        "# Documented keys are rewritten by `python -m codegen import`; hand annotations\n"
        "# (annotations:, python_name, kind, values, note) are kept. See specs/README.md.\n"
    )
    return head + dump_data(spec_to_data(spec))


def dump_common(common: CommonSpec) -> str:
    head = (
        "# Rows shared by every TR of the Kiwoom REST API manual. A spec names the headers that\n"
        "# apply to it; a TR whose header row differs carries the full row instead.\n"
        "# envelope: return_code / return_msg appear in every response example but in no table.\n"
    )
    data = {
        "request_headers": [field_to_data(f) for f in common.request_headers],
        "response_headers": [field_to_data(f) for f in common.response_headers],
        "envelope": [field_to_data(f) for f in common.envelope],
    }
    return head + dump_data(data)
