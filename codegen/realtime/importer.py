"""Write WebSocket specs: YAML like the REST specs', re-import keeping hand annotations.

The file of each page is ``specs/websocket/<file_stem>.yaml``
(:func:`~codegen.realtime.spec.file_stem`). Re-importing replaces the documented keys, keeps
hand annotations (``annotations:``; ``python_name``, ``kind``, ``values``, ``note`` on a field,
matched by element name) and reports each change, as the REST importer does; identical input
gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from codegen.diff import _TR_ATTRS, Change, _field_changes
from codegen.dump import (
    _examples_to_data,
    _finding_to_data,
    dump_data,
    field_to_data,
    page_to_data,
)
from codegen.importer import (
    ImportResult,
    _lost_annotations,
    _merge_field_annotations,
    _refer_headers,
)
from codegen.loader import read_text
from codegen.realtime.build import ImportedWs
from codegen.realtime.spec import WsAnnotations, WsMessage, WsSpec, file_stem
from codegen.spec import CommonSpec

__all__ = ["dump_ws_spec", "import_ws", "ws_changes", "ws_spec_to_data"]

#: The spec directory's subdirectory of the WebSocket specs.
WEBSOCKET_DIR = "websocket"


def _message_to_data(message: WsMessage) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if message.title is not None:
        data["title"] = message.title
    data["headers"] = [h if isinstance(h, str) else field_to_data(h) for h in message.headers]
    data["body"] = [field_to_data(f) for f in message.body]
    return data


def _annotations_to_data(annotations: WsAnnotations) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("python_name", "class_name", "english_name"):
        value = getattr(annotations, key)
        if value is not None:
            data[key] = value
    if annotations.known_findings:
        data["known_findings"] = [_finding_to_data(f) for f in annotations.known_findings]
    return data


def ws_spec_to_data(spec: WsSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        **page_to_data(spec),
        "request": _message_to_data(spec.request),
        "response": _message_to_data(spec.response),
    }
    if spec.push is not None:
        data["push"] = _message_to_data(spec.push)
    data["examples"] = _examples_to_data(spec.examples)
    if spec.annotations is not None and (written := _annotations_to_data(spec.annotations)):
        data["annotations"] = written
    return data


def dump_ws_spec(spec: WsSpec) -> str:
    head = (
        f"# {spec.api_id} {spec.name}: transcribed from Kiwoom's documentation (WebSocket).\n"
        "# Documented keys are rewritten by `python -m codegen import`; hand annotations\n"
        "# (annotations:, python_name, kind, values, note) are kept. See specs/README.md.\n"
    )
    return head + dump_data(ws_spec_to_data(spec))


def _titles(message: WsMessage | None) -> str | None:
    return None if message is None else message.title


def ws_changes(old: WsSpec, new: WsSpec) -> list[Change]:
    """Every documented difference between two versions of a WebSocket spec."""
    out: list[Change] = []
    for attr in _TR_ATTRS:
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            out.append(Change(attr, "changed", "", a, b))
    for attr in ("prod", "mock", "mock_note"):
        a, b = getattr(old.hosts, attr), getattr(new.hosts, attr)
        if a != b:
            out.append(Change(f"hosts.{attr}", "changed", "", a, b))
    for side in ("request", "response", "push"):
        a_msg: WsMessage | None = getattr(old, side)
        b_msg: WsMessage | None = getattr(new, side)
        if (a_msg is None) != (b_msg is None):
            out.append(Change(side, "added" if a_msg is None else "removed"))
            continue
        if a_msg is None or b_msg is None:
            continue
        if a_msg.title != b_msg.title:
            out.append(Change(f"{side}.title", "changed", "", a_msg.title, b_msg.title))
        if a_msg.headers != b_msg.headers:
            out.append(Change(f"{side}.headers", "text"))
        out += _field_changes(a_msg.body, b_msg.body, f"{side}.body")
    for side in ("request", "response"):
        a, b = getattr(old.examples, side), getattr(new.examples, side)
        if a != b:
            what = "added" if a is None else "removed" if b is None else "text"
            out.append(Change(f"examples.{side}", what, "", a, b))
    if old.source != new.source:
        out.append(Change("source", "changed", "", old.source, new.source))
    return out


def _render(change: Change) -> str:
    if change.where.endswith(".headers"):
        return f"{change.where}: a header row's text changed"
    if change.where in ("push", "request", "response") and change.what in ("added", "removed"):
        return f"{change.where}: section {change.what}"
    return change.render()


def merge_ws_annotations(new: WsSpec, old: WsSpec) -> WsSpec:
    """``new``'s documentation with ``old``'s hand annotations (matched by element name)."""

    def merged(a: WsMessage | None, b: WsMessage | None) -> WsMessage | None:
        if a is None:
            return None
        before = b.body if b is not None else ()
        return attrs.evolve(a, body=_merge_field_annotations(a.body, before))

    request = merged(new.request, old.request)
    response = merged(new.response, old.response)
    assert request is not None and response is not None
    return attrs.evolve(
        new,
        annotations=old.annotations,
        request=request,
        response=response,
        push=merged(new.push, old.push),
    )


def import_ws(
    pages: Sequence[ImportedWs], out: Path, common: CommonSpec, *, write: bool = True
) -> list[ImportResult]:
    """Write ``pages`` as specs under ``out`` (``specs/websocket``), keeping hand annotations;
    header rows equal to the shared ones (``specs/_common.yaml``) are named, others written
    in full. Returns one result per page, with every documented change."""
    from codegen.realtime.loader import load_ws_spec_text

    if write:
        out.mkdir(parents=True, exist_ok=True)
    results: list[ImportResult] = []
    for page in pages:
        spec = page.spec
        spec = attrs.evolve(
            spec,
            request=attrs.evolve(
                spec.request,
                headers=_refer_headers(page.request_headers, common.request_headers),
            ),
            response=attrs.evolve(
                spec.response,
                headers=_refer_headers(page.response_headers, common.response_headers),
            ),
        )
        path = out / f"{file_stem(spec.api_id)}.yaml"
        changes: list[str] = []
        status = "new"
        if path.exists():
            old = load_ws_spec_text(read_text(path, str(path)), str(path), common)
            changes = [_render(c) for c in ws_changes(old, spec)]
            for side in ("request", "response", "push"):
                before: WsMessage | None = getattr(old, side)
                after: WsMessage | None = getattr(spec, side)
                changes += _lost_annotations(
                    before.body if before else (), after.body if after else (), f"{side}.body"
                )
            spec = merge_ws_annotations(spec, old)
            status = "updated" if changes else "unchanged"
        text = dump_ws_spec(spec)
        if write and (not path.exists() or path.read_text(encoding="utf-8") != text):
            path.write_text(text, encoding="utf-8")
        results.append(ImportResult(spec.api_id, spec.name, status, tuple(changes), path))
    return results
