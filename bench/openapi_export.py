"""The specs as an OpenAPI 3.0 document, for one purpose: timing openapi-python-client on an
input the size and shape of ours (306 operations, their request and response schemas, LIST rows
as arrays of objects) beside our own generator in the same run.

Kiwoom serves several APIs on one URL and tells them apart by the ``api-id`` header, which
OpenAPI cannot express, so each API gets its own path here (``/api/dostk/chart/ka10081``): the
document is comparable in size and shape, not a usable description of the service.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codegen.loader import load_specs
from codegen.spec import Field, TrSpec


def _schema(fields: tuple[Field, ...], name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in fields:
        if field.is_list:
            item = f"{name}_{field.python_name or field.element}"
            schemas[item] = _schema(field.items, item, schemas)
            prop: dict[str, Any] = {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{item}"},
            }
        else:
            prop = {"type": "string"}
            if field.length is not None:
                prop["maxLength"] = field.length
            if field.values:
                prop["enum"] = sorted(field.values)
        prop["description"] = f"{field.korean} {field.description}".strip()
        properties[field.element] = prop
        if field.required:
            required.append(field.element)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


def _operation(spec: TrSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    request = f"{spec.api_id}_request"
    response = f"{spec.api_id}_response"
    schemas[request] = _schema(spec.request.body, request, schemas)
    schemas[response] = _schema(spec.response.body, response, schemas)
    return {
        "operationId": spec.facts.python_name,
        "summary": f"{spec.api_id} {spec.name}",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}
            },
        },
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{response}"}}
                },
            }
        },
    }


def export(specs_dir: Path, out: Path) -> int:
    """Write the document to ``out``; return the number of operations."""
    spec_set = load_specs(specs_dir)
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for api_id, spec in sorted(spec_set.specs.items()):
        paths[f"{spec.url}/{api_id}"] = {"post": _operation(spec, schemas)}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Kiwoom REST API (shape only)", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(paths)
