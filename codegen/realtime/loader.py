"""Load ``specs/websocket/*.yaml`` with every error located, and apply the rules.

:func:`codegen.loader.load_specs` calls :func:`load_ws_specs` for the ``websocket``
subdirectory, so one load gives both sets (``SpecSet.websocket``); REST tools iterate the REST
specs only. The rules need the REST specs: a field keyed by id is named as the REST specs name
its 한글명 (:mod:`codegen.rules.realtime`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

import attrs
from cattrs.gen import make_dict_structure_fn, override

from codegen.errors import SpecError, SpecErrors
from codegen.loader import (
    CONVERTER,
    check_headers,
    load_spec_files,
    structure_located,
)
from codegen.realtime.spec import WsMessage, WsSpec, file_stem, is_container
from codegen.rules.realtime import NameIndex, resolve_ws
from codegen.spec import CommonSpec, Field
from codegen.yamlsource import LocatedData, load_located
from codegen.yamlsource import Path as DataPath

__all__ = ["WsSpecSet", "load_ws_spec_text", "load_ws_specs"]

# ``resolved`` is decided by the rules, never read from a file.
CONVERTER.register_structure_hook(
    WsSpec,
    make_dict_structure_fn(
        WsSpec, CONVERTER, _cattrs_forbid_extra_keys=True, resolved=override(omit=True)
    ),
)


@attrs.frozen
class WsSpecSet:
    """Every WebSocket spec of a directory, by API ID (resolved), and where each came from.

    ``field_rules`` says, per API ID, which naming rule gave each field keyed by id its name
    (``response.body.data.values.10`` -> ``rest``).
    """

    directory: Path
    specs: dict[str, WsSpec]
    files: dict[str, str]
    located: dict[str, LocatedData]
    raw: dict[str, WsSpec] = attrs.field(factory=dict)
    field_rules: dict[str, dict[str, str]] = attrs.field(factory=dict)

    def __iter__(self) -> Iterator[WsSpec]:
        return iter(self.specs.values())

    def __len__(self) -> int:
        return len(self.specs)


def _check_fields(
    located: LocatedData, fields: Iterable[Field], path: DataPath, errors: list[SpecError]
) -> None:
    seen_elements: set[str] = set()
    seen_names: set[str] = set()
    for i, field in enumerate(fields):
        here = (*path, i)
        if field.element in seen_elements:
            errors.append(located.error((*here, "element"), f"duplicate element {field.element!r}"))
        seen_elements.add(field.element)
        if field.python_name is not None:
            if field.python_name in seen_names:
                errors.append(
                    located.error(
                        (*here, "python_name"), f"duplicate Python name {field.python_name!r}"
                    )
                )
            seen_names.add(field.python_name)
        if field.items and not is_container(attrs.evolve(field, items=())):
            errors.append(located.error((*here, "items"), f"items given for type {field.type!r}"))
        _check_fields(located, field.items, (*here, "items"), errors)


def check_ws_spec(located: LocatedData, spec: WsSpec, common: CommonSpec | None) -> None:
    """File name = the API ID's file stem, known header names, no duplicate rows or names."""
    errors: list[SpecError] = []
    stem = Path(located.file).stem
    if stem != file_stem(spec.api_id) and not stem.startswith("<"):
        errors.append(
            located.error(
                ("api_id",),
                f"file is named {stem!r} but {spec.api_id!r} belongs in "
                f"{file_stem(spec.api_id)}.yaml (see specs/README.md: file names)",
            )
        )
    for side in ("request", "response", "push"):
        message: WsMessage | None = getattr(spec, side)
        if message is not None:
            check_headers(located, message.headers, side, common, errors)
            _check_fields(located, message.body, (side, "body"), errors)
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)


def load_ws_spec_text(text: str, file: str, common: CommonSpec | None = None) -> WsSpec:
    located = load_located(text, file)
    spec = structure_located(located, WsSpec)
    check_ws_spec(located, spec, common)
    return spec


def load_ws_specs(
    directory: Path, common: CommonSpec | None, index: NameIndex | None = None
) -> WsSpecSet:
    """Every ``directory/*.yaml``, checked and resolved; all errors at once."""
    specs: dict[str, WsSpec] = {}
    files: dict[str, str] = {}
    located_by_id: dict[str, LocatedData] = {}
    errors: list[SpecError] = []
    check = partial(check_ws_spec, common=common)
    for display, located, spec in load_spec_files(directory, WsSpec, check, errors):
        if spec.api_id in specs:
            errors.append(located.error(("api_id",), f"{spec.api_id} also in {files[spec.api_id]}"))
            continue
        specs[spec.api_id] = spec
        files[spec.api_id] = display
        located_by_id[spec.api_id] = located
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)
    index = index or NameIndex.empty()
    resolved: dict[str, WsSpec] = {}
    rules: dict[str, dict[str, str]] = {}
    for api_id, spec in specs.items():
        resolved[api_id], rules[api_id] = resolve_ws(spec, index)
    return WsSpecSet(directory, resolved, files, located_by_id, raw=specs, field_rules=rules)
