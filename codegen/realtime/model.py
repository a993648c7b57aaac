"""What the generator renders for the WebSocket specs (``generated/kiwoom_typed/realtime``).

For each real-time type (and each condition search's REAL push) one module with a frozen model
(:class:`kiwoom_realtime.models.RealtimeModel`): a property per documented field id, named by
the rules (:mod:`codegen.rules.realtime`), documented with the type, the 한글명, the field id,
the kind and the description, and a ``typed`` view parsing each value by its kind with the
runtime's parsers, as REST models do. For a condition search whose answer rows are keyed by
field id (ka10172), a row model (:class:`kiwoom_realtime.models.FieldRow`). Then the
``AsyncRealtimeStream`` / ``RealtimeStream`` sessions with ``subscribe_<name>`` /
``unsubscribe_<name>`` helpers per type, and ``DECODERS`` (type -> ``Model.from_record``),
which kiwoom_realtime uses by default through its entry point.

Everything here is decided and laid out (``codegen.naming``'s ``fmt_*``) so the templates only
print, and the output is ruff- and mypy-clean for any spec, as for REST; names longer than the
layouts allow are located errors.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from codegen.errors import SpecError, SpecErrors
from codegen.loader import SpecSet
from codegen.model import AS_SENT_KINDS, MAX_FIELD_NAME, TYPED_KINDS, header_line
from codegen.naming import (
    LINE_LENGTH,
    all_key,
    doc_text,
    docstring,
    fits,
    fmt_call,
    fmt_def,
    fmt_import,
    fmt_seq,
    fmt_str,
    import_member_key,
    is_identifier,
    py_str,
    wrap,
)
from codegen.realtime.loader import WsSpecSet
from codegen.realtime.spec import WsSpec, file_stem, is_container
from codegen.rules.realtime import RESERVED_REALTIME_NAMES
from codegen.spec import Field

__all__ = ["RealtimeModule", "RealtimePackage", "build_realtime"]

#: Helper stems a type may not take: the session's own methods would be shadowed.
RESERVED_STEMS = frozenset({"type"})
#: ``subscribe_`` + stem: the layouts below are proven for this length.
MAX_STEM = 48
#: Model classes (``Row`` included): ``class XTyped(TypedView[X]):`` must fit one line.
MAX_MODEL_CLASS = 37


def _doc(text: str, indent: int) -> str:
    return docstring(tuple(wrap(doc_text(text), LINE_LENGTH - indent - 3)), indent)


@attrs.frozen
class PropertyModel:
    head: str
    doc: str
    body: str


@attrs.frozen
class RealtimeModule:
    """One generated module: a REAL model (or a row model) and its typed view."""

    module: str  # kiwoom_typed.realtime.<module>
    source: str  # specs/websocket/0B.yaml
    header: str
    module_doc: str
    imports: tuple[str, ...]
    all_names: tuple[str, ...]
    all_line: str
    const_name: str  # TYPE or API_ID
    const_value: str
    class_name: str
    base: str  # RealtimeModel | FieldRow
    class_doc: str
    class_vars: tuple[str, ...]
    properties: tuple[PropertyModel, ...]
    typed_name: str
    typed_doc: str
    typed_accessor_doc: str
    typed_properties: tuple[PropertyModel, ...]
    type_code: str | None  # the REAL type it decodes (None for a row model)
    api_id: str


@attrs.frozen
class HelperModel:
    """``subscribe_<stem>`` / ``unsubscribe_<stem>`` of one type, async and blocking."""

    subscribe_async: str
    subscribe_sync: str
    unsubscribe_async: str
    unsubscribe_sync: str
    doc_subscribe: str
    doc_unsubscribe: str
    call_subscribe_async: str
    call_subscribe_sync: str
    call_unsubscribe_async: str
    call_unsubscribe_sync: str


@attrs.frozen
class RealtimePackage:
    modules: tuple[RealtimeModule, ...]
    helpers: tuple[HelperModel, ...]
    stream_imports: tuple[str, ...]
    header: str
    init_imports: tuple[str, ...]
    init_all: tuple[str, ...]
    decoders: str  # the DECODERS display, laid out
    models: str  # MODELS
    rows: str  # ROWS

    @property
    def exports(self) -> tuple[tuple[str, str], ...]:
        """(module, name) of the names the package re-exports lazily."""
        return (
            ("kiwoom_typed.realtime", "AsyncRealtimeStream"),
            ("kiwoom_typed.realtime", "RealtimeStream"),
        )


def _typed_property(field: Field, name: str, where: str, const: str) -> PropertyModel:
    """The ``typed`` view's property; ``const`` names the type (or API ID) in errors."""
    kind = field.kind
    getter = f"self._m.values.get({py_str(field.element)})"
    if kind is not None and kind in TYPED_KINDS:
        parser, annotation, meaning = TYPED_KINDS[kind]
        text = (
            f"{where} as {meaning}\n\nReturns None when the value is missing or empty; raises "
            f"ValueKindError (a ValueError) naming {const}, field "
            f"``{field.element}`` and the raw value when it does not fit."
        )
        body = fmt_call("return typed_value", [parser, getter, "TYPE", py_str(field.element)], 8)
    else:
        annotation = "str | None"
        meaning = AS_SENT_KINDS.get(kind.value if kind else "text", "as sent.")
        text = f"{where} as sent: {meaning}"
        body = f"return {getter}"
    if field.description:
        text += "\n\n" + field.description
    return PropertyModel(
        head=fmt_def(f"def {name}", ["self"], annotation, 4), doc=_doc(text, 8), body=body
    )


def _field_doc(spec: WsSpec, field: Field) -> str:
    kind = field.kind.value if field.kind else "text"
    text = f"{spec.api_id} {field.korean} · field ``{field.element}`` · kind: {kind}".replace(
        "  ", " "
    )
    if field.values:
        listed = ", ".join(f'"{k}" {v}'.rstrip() for k, v in field.values.items())
        text += f"\n\nvalues: {listed}"
    if field.description:
        text += "\n\n" + field.description
    if field.note:
        text += "\n\nnote: " + field.note
    return _doc(text, 8)


class _Builder:
    def __init__(self, ws: WsSpecSet, errors: list[SpecError]) -> None:
        self.ws = ws
        self.errors = errors

    def error(self, api_id: str, path: tuple[str | int, ...], message: str) -> None:
        self.errors.append(self.ws.located[api_id].error(path, message))

    def check_names(self, spec: WsSpec, fields: Sequence[Field]) -> None:
        for field in fields:
            name = field.python_name or ""
            if name in RESERVED_REALTIME_NAMES:
                self.error(
                    spec.api_id,
                    ("response", "body"),
                    f"field {field.element}: {name!r} is a name the model uses itself "
                    "(type, name, item, values, extra, typed, get, ...): choose another",
                )
            elif not is_identifier(name) or len(name) > MAX_FIELD_NAME:
                self.error(
                    spec.api_id,
                    ("response", "body"),
                    f"field {field.element}: name {name!r} is not an identifier of at most "
                    f"{MAX_FIELD_NAME} characters: give it a python_name",
                )

    def check_class(self, spec: WsSpec, class_name: str) -> None:
        if len(class_name) > MAX_MODEL_CLASS or not is_identifier(class_name):
            self.error(
                spec.api_id,
                ("annotations", "class_name"),
                f"class name {class_name!r} is not an identifier of at most {MAX_MODEL_CLASS} "
                "characters: give a shorter annotations.class_name",
            )

    def module(
        self,
        spec: WsSpec,
        fields: Sequence[Field],
        *,
        module: str,
        class_name: str,
        row: bool,
        type_code: str | None,
        specs_label: str,
    ) -> RealtimeModule:
        self.check_names(spec, fields)
        self.check_class(spec, class_name)
        facts = spec.facts
        const_value = type_code if type_code is not None else spec.api_id
        typed_name = f"{class_name}Typed"
        properties = []
        typed_properties = []
        parsers: set[str] = set()
        annotations: set[str] = set()
        for field in fields:
            name = field.python_name or f"f{field.element}"
            where = f"{const_value} {field.korean} (field ``{field.element}``)"
            properties.append(
                PropertyModel(
                    head=fmt_def(f"def {name}", ["self"], "str | None", 4),
                    doc=_field_doc(spec, field),
                    body=f"return self.values.get({py_str(field.element)})",
                )
            )
            typed = _typed_property(field, name, where, const_value)
            typed_properties.append(typed)
            if field.kind is not None and field.kind in TYPED_KINDS:
                parser, annotation, _ = TYPED_KINDS[field.kind]
                parsers.add(parser)
                annotations.add(annotation)
        entries = [f"{py_str(f.element)}: {py_str(f.python_name or '')}" for f in fields]
        kinds = [
            f"{py_str(f.element)}: {py_str(f.kind.value if f.kind else 'text')}" for f in fields
        ]
        class_vars: list[str] = []
        if not row:
            class_vars += [
                f"TYPE: ClassVar[str] = {py_str(const_value)}",
                fmt_str(facts.record_name, 4, prefix="NAME: ClassVar[str] = "),
                f"MARKET: ClassVar[str] = {py_str(facts.market)}",
            ]
        class_vars += [
            fmt_seq("{", entries, "}", 4, head="FIELDS: ClassVar[Mapping[str, str]] = "),
            fmt_seq("{", kinds, "}", 4, head="KINDS: ClassVar[Mapping[str, str]] = "),
        ]
        for line in class_vars:
            if "\n" not in line and not fits(line, 4):
                self.error(spec.api_id, ("name",), f"a class attribute does not fit: {line}")
        values_names = sorted(
            parsers | ({"typed_value"} if parsers else set()), key=import_member_key
        )
        value_types = sorted(
            {
                t
                for a in annotations
                for t in ("SignedPrice", "DecimalPrice", "Direction")
                if t in a
            },
            key=import_member_key,
        )
        imports: list[str] = ["from __future__ import annotations", ""]
        stdlib: list[str] = []
        if any("_dt." in a for a in annotations):
            stdlib.append("import datetime as _dt")
        stdlib.append("from collections.abc import Mapping")
        if any("Decimal |" in a for a in annotations):
            stdlib.append("from decimal import Decimal")
        stdlib.append("from typing import ClassVar")
        imports += [*stdlib, ""]
        base = "FieldRow" if row else "RealtimeModel"
        imports.append(fmt_import("kiwoom_realtime.models", [base]))
        imports.append(fmt_import("kiwoom_runtime.models", ["TypedView"]))
        if values_names:
            imports.append(
                fmt_import(
                    "kiwoom_runtime.values",
                    sorted(set(values_names) | set(value_types), key=import_member_key),
                )
            )
        source = f"{specs_label}/websocket/{file_stem(spec.api_id)}.yaml"
        what = "a row of the answer" if row else "one REAL record"
        english = facts.english_name
        module_text = f"{spec.api_id} {spec.name} ({english}): {what}, typed.\n\n{spec.menu}\n" + (
            f"REAL type ``{type_code}`` on {spec.url} · {len(fields)} fields"
            if type_code is not None
            else f"{spec.url} · {len(fields)} fields"
        )
        if row:
            intro = (
                f"{spec.api_id} {spec.name} ({english}): one hit of the answer, keyed by field id."
                "\n\nProperties read the values as sent (missing -> None); ``typed`` parses them "
                "by kind; ``values`` holds the row as received and ``extra`` the field ids the "
                "documentation does not list."
            )
        else:
            intro = (
                f"{const_value} {facts.record_name} ({english}): one REAL record.\n\nProperties "
                "read the values as sent (field id -> string; missing -> None); ``typed`` "
                "parses them by kind; ``values`` holds every value received, ``extra`` the "
                "field ids the documentation does not list, ``record_extra`` other keys of the "
                "record."
            )
        if spec.overview.strip():
            intro += "\n\n" + spec.overview.strip()
        return RealtimeModule(
            module=module,
            source=source,
            header=header_line(source),
            module_doc=_doc(module_text, 0),
            imports=tuple(imports),
            all_names=(class_name, typed_name),
            all_line=fmt_seq(
                "[", [py_str(class_name), py_str(typed_name)], "]", 0, head="__all__ = "
            ),
            const_name="TYPE",
            const_value=py_str(const_value),
            class_name=class_name,
            base=base,
            class_doc=_doc(intro, 4),
            class_vars=tuple(class_vars),
            properties=tuple(properties),
            typed_name=typed_name,
            typed_doc=_doc(
                f"Typed values of :class:`{class_name}` ({const_value} {spec.name}): one "
                "property per field, parsed by its value kind (the others as sent); ``repr`` "
                "lists them.",
                4,
            ),
            typed_properties=tuple(typed_properties),
            typed_accessor_doc=_doc(
                f"Parsed values of this record (see :class:`{typed_name}`).", 8
            ),
            type_code=type_code,
            api_id=spec.api_id,
        )

    def helper(self, spec: WsSpec, module: RealtimeModule) -> HelperModel:
        facts = spec.facts
        stem = facts.python_name
        if stem in RESERVED_STEMS or len(stem) > MAX_STEM or not is_identifier(stem):
            self.error(
                spec.api_id,
                ("annotations", "python_name"),
                f"helper name {stem!r} is reserved, too long or not an identifier",
            )
        code = py_str(facts.push_type or spec.api_id)
        market = py_str(facts.market)
        if facts.account_wide:
            params = ["self", "*", 'group: str = "1"']
            items_arg = "None"
            what = "for the token's account (no item: records come whatever is registered)"
        else:
            kind = "Item | Iterable[Item]" if facts.market == "us" else "str | Iterable[str]"
            params = ["self", f"items: {kind}", "*", 'group: str = "1"']
            items_arg = "items"
            what = (
                "for ``items`` (maps such as ``{'jmcode': 'NVDA', 'stex_tp': 'ND'}``)"
                if facts.market == "us"
                else "for ``items`` (codes: ``005930``, ``005930_NX``, sector codes)"
            )
        sub_params = [*params, "refresh: bool = True"]
        name = f"{facts.english_name}"
        doc_sub = _doc(
            f"Register {spec.api_id} {spec.name} ({name}) {what}; its records are "
            f":class:`~kiwoom_typed.realtime.{module.class_name}`.",
            8,
        )
        doc_unsub = _doc(f"REMOVE the registration of {spec.api_id} {spec.name}.", 8)
        sub_args = [code, items_arg, f"market={market}", "group=group", "refresh=refresh"]
        unsub_args = [code, items_arg, f"market={market}", "group=group"]
        return HelperModel(
            subscribe_async=fmt_def(f"async def subscribe_{stem}", sub_params, "None", 4),
            subscribe_sync=fmt_def(f"def subscribe_{stem}", sub_params, "None", 4),
            unsubscribe_async=fmt_def(f"async def unsubscribe_{stem}", params, "None", 4),
            unsubscribe_sync=fmt_def(f"def unsubscribe_{stem}", params, "None", 4),
            doc_subscribe=doc_sub,
            doc_unsubscribe=doc_unsub,
            call_subscribe_async=fmt_call("await self.subscribe_type", sub_args, 8),
            call_subscribe_sync=fmt_call("self.subscribe_type", sub_args, 8),
            call_unsubscribe_async=fmt_call("await self.unsubscribe_type", unsub_args, 8),
            call_unsubscribe_sync=fmt_call("self.unsubscribe_type", unsub_args, 8),
        )


def _module_name(spec: WsSpec, suffix: str = "") -> str:
    stem = spec.facts.python_name
    if not spec.is_type:
        for verb in ("get_", "list_"):
            stem = stem.removeprefix(verb)
    return stem + suffix


def build_realtime(spec_set: SpecSet, specs_label: str = "specs") -> RealtimePackage | None:
    """The model of ``kiwoom_typed.realtime``; None when there are no WebSocket specs."""
    ws = spec_set.websocket
    if ws is None or not ws.specs:
        return None
    errors: list[SpecError] = []
    builder = _Builder(ws, errors)
    modules: list[RealtimeModule] = []
    helpers: list[HelperModel] = []
    for api_id in sorted(ws.specs, key=lambda a: (not ws.specs[a].is_type, a.upper(), a)):
        spec = ws.specs[api_id]
        facts = spec.facts
        values = spec.value_fields()
        if values and facts.push_type is not None:
            module = builder.module(
                spec,
                values,
                module=_module_name(spec),
                class_name=facts.class_name,
                row=False,
                type_code=facts.push_type,
                specs_label=specs_label,
            )
            modules.append(module)
            if spec.is_type:
                helpers.append(builder.helper(spec, module))
        rows = _id_rows(spec)
        if rows:
            modules.append(
                builder.module(
                    spec,
                    rows,
                    module=_module_name(spec, "_row"),
                    class_name=f"{facts.class_name}Row",
                    row=True,
                    type_code=None,
                    specs_label=specs_label,
                )
            )
    seen: dict[str, str] = {}
    for module in modules:
        for name in (module.module, module.class_name):
            if name in seen and seen[name] != module.api_id:
                builder.error(
                    module.api_id,
                    ("annotations",),
                    f"{name!r} is also generated for {seen[name]}: give one a python_name / "
                    "class_name",
                )
            seen[name] = module.api_id
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)
    header = header_line(f"{specs_label}/websocket/*.yaml")
    init_imports = [
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "",
        fmt_import("kiwoom_realtime.decoders", ["Decoder"]),
        fmt_import("kiwoom_realtime.models", ["FieldRow", "RealtimeModel"]),
        fmt_import("kiwoom_typed.realtime._stream", ["AsyncRealtimeStream", "RealtimeStream"]),
    ]
    for module in sorted(modules, key=lambda m: m.module):
        init_imports.append(
            fmt_import(
                f"kiwoom_typed.realtime.{module.module}",
                sorted(module.all_names, key=import_member_key),
            )
        )
    names = ["AsyncRealtimeStream", "RealtimeStream", "DECODERS", "MODELS", "ROWS"]
    names += [n for m in modules for n in m.all_names]
    typed_modules = [m for m in modules if m.type_code is not None]
    decoders = fmt_seq(
        "{",
        [f"{py_str(m.type_code or '')}: {m.class_name}.from_record" for m in typed_modules],
        "}",
        0,
        head="DECODERS: Mapping[str, Decoder] = ",
    )
    models = fmt_seq(
        "{",
        [f"{py_str(m.type_code or '')}: {m.class_name}" for m in typed_modules],
        "}",
        0,
        head="MODELS: Mapping[str, type[RealtimeModel]] = ",
    )
    row_modules = [m for m in modules if m.type_code is None]
    rows_display = fmt_seq(
        "{",
        [f"{py_str(m.api_id)}: {m.class_name}" for m in row_modules],
        "}",
        0,
        head="ROWS: Mapping[str, type[FieldRow]] = ",
    )
    uses_item = any("Item |" in h.subscribe_async for h in helpers)
    uses_iterable = any("Iterable[" in h.subscribe_async for h in helpers)
    stream_imports = ["from __future__ import annotations", ""]
    if uses_iterable:
        stream_imports += ["from collections.abc import Iterable", ""]
    if uses_item:
        stream_imports.append(fmt_import("kiwoom_realtime.events", ["Item"]))
    stream_imports += [
        fmt_import("kiwoom_realtime.session", ["AsyncRealtimeSession"]),
        fmt_import("kiwoom_realtime.sync", ["RealtimeSession"]),
    ]
    return RealtimePackage(
        modules=tuple(modules),
        helpers=tuple(helpers),
        stream_imports=tuple(stream_imports),
        header=header,
        init_imports=tuple(init_imports),
        init_all=tuple(sorted(set(names), key=all_key)),
        decoders=decoders,
        models=models,
        rows=rows_display,
    )


def _id_rows(spec: WsSpec) -> tuple[Field, ...]:
    """Answer rows keyed by field id (ka10172's hits): the members of a ``data`` LIST."""
    if spec.is_type:
        return ()
    for field in spec.response.body:
        if field.element == "data" and is_container(field):
            members = field.items
            if members and all(m.element.isdigit() or m.element.isidentifier() for m in members):
                if any(m.element.isdigit() for m in members):
                    return members
    return ()
