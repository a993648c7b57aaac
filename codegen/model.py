"""The intermediate model the templates render: every Python decision is taken here.

``build_package(spec_set, specs_label)`` turns loaded specs into plain attrs records holding
Python names, type annotations, imports and ready-laid-out statements and docstrings, so the
Jinja2 templates only loop and print. Problems the generator cannot resolve on its own (a wire
key that is not a Python identifier and has no ``python_name``, a spec without annotations, names
that collide or are too long for a line) are located ``SpecError``s telling the maintainer what
to add.

Layout: every statement whose length depends on the specs (names, keys, Korean text, values)
is laid out here with the ``fmt_*`` helpers of :mod:`codegen.naming`, which write what ``ruff
format`` writes; the name limits below guarantee that each laid-out line fits. The output is
therefore lint- and format-clean for any spec, with nothing rewritten after rendering.

The TR-level annotations (method name, English name, paging, retry safety, mock support, role)
are read in one place, :func:`tr_facts`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import attrs

from codegen.errors import SpecError, SpecErrors
from codegen.loader import SpecSet
from codegen.masking import sensitive_elements
from codegen.naming import (
    LINE_LENGTH,
    all_key,
    camel,
    doc_text,
    docstring,
    fits,
    fmt_assign,
    fmt_call,
    fmt_def,
    fmt_entry,
    fmt_import,
    fmt_seq,
    fmt_str,
    import_member_key,
    import_module_key,
    is_identifier,
    py_str,
    wrap,
)
from codegen.rules import RESERVED_FIELD_NAMES
from codegen.spec import Field, Role, TrSpec, ValueKind
from codegen.yamlsource import Path as DataPath

#: Method names of the generated clients (and of the runtime base clients) a TR may not take.
RESERVED_METHOD_NAMES = frozenset(
    {
        "call",
        "paginate",
        "close",
        "aclose",
        "request",
        "token",
        "tokens",
        "revoke",
        "endpoint",
        "registry",
        "issue_endpoint",
        "revoke_endpoint",
    }
)

# Longest names the layouts are proven for: with these, every generated line fits LINE_LENGTH
# (tests/generator/test_adversarial.py renders specs at the limits and runs ruff over them).
MAX_FIELD_NAME = 32  # Python names of fields (attributes, arguments, properties)
MAX_METHOD_NAME = 64  # client method names (``_pages`` is added to paged ones)
MAX_CLASS_NAME = 40  # LIST row classes (``Typed`` is added to their views) and Literal aliases
MAX_WIRE_KEY = 60  # wire keys: documented, so a longer one is refused rather than renamed

#: Roles of the token TRs: their client methods send no bearer token.
UNAUTHENTICATED_ROLES = frozenset({Role.TOKEN_ISSUE, Role.TOKEN_REVOKE})

#: Typed accessors: kind -> (parser, return annotation, explanation for the docstring).
TYPED_KINDS: dict[ValueKind, tuple[str, str, str]] = {
    ValueKind.SIGNED_PRICE: (
        "parse_signed_price",
        "SignedPrice | None",
        "a price with its direction: the magnitude is the price, the sign is the direction "
        "against the previous close ('+' up, '-' down, no sign or 0 flat), never a negative "
        "price.",
    ),
    ValueKind.SIGNED_NUMBER: (
        "parse_signed_int",
        "int | None",
        "a true signed integer (a change): '-300' is minus 300.",
    ),
    ValueKind.NUMBER: (
        "parse_int",
        "int | None",
        "an integer (quantity, amount or count); '+' and zero padding are accepted.",
    ),
    ValueKind.DECIMAL: (
        "parse_decimal",
        "Decimal | None",
        "a decimal rate or ratio keeping its sign: '+26.69' is Decimal('26.69').",
    ),
    ValueKind.DATE: ("parse_date", "_dt.date | None", "a date from YYYYMMDD."),
    ValueKind.DATETIME: (
        "parse_datetime_kst",
        "_dt.datetime | None",
        "an aware datetime in Korea time (+09:00) from YYYYMMDDHHMMSS.",
    ),
    ValueKind.TIME: ("parse_time", "_dt.time | None", "a naive time (Korea time) from HHMMSS."),
    ValueKind.SIGN_CODE: (
        "parse_sign_code",
        "Direction | None",
        "the 대비기호 as a direction against the previous close: 1 상한 and 2 상승 are UP, "
        "3 보합 is FLAT, 4 하한 and 5 하락 are DOWN.",
    ),
    ValueKind.DECIMAL_PRICE: (
        "parse_decimal_price",
        "DecimalPrice | None",
        "a price with decimals and its direction (USD prices, index values): the magnitude is "
        "the price, the sign the direction, never a negative price.",
    ),
    ValueKind.SCALED: (
        "parse_scaled",
        "Decimal | None",
        "a decimal sent times 100 without its point: '2658' is Decimal('26.58').",
    ),
    ValueKind.MONTH: ("parse_month", "_dt.date | None", "the first day of the month YYYYMM."),
    ValueKind.SESSION_TIME: (
        "parse_session_time",
        "_dt.timedelta | None",
        "the time since the trading day's midnight, Korea time (may pass 24:00: US sessions).",
    ),
}

#: What the typed view says of a value it returns as sent (kinds without a parser).
AS_SENT_KINDS: dict[str, str] = {
    "text": "free text.",
    "code": "a code, kept as text (leading zeros matter).",
    "secret": "a credential, left out of the view's repr.",
    "account": "an account number, kept as text (masked when answers are recorded).",
    "personal": "a person's name or staff number, kept as text (masked when recorded).",
}

#: Request fields of these kinds also take a datetime object: (converter stem, object type,
#: wire layout). The attribute holds the wire string; the converter turns the object into it.
TIME_ARGUMENTS: dict[ValueKind, tuple[str, str, str]] = {
    ValueKind.DATE: ("date_arg", "_dt.date", "YYYYMMDD"),
    ValueKind.TIME: ("time_arg", "_dt.time", "HHMMSS"),
    ValueKind.DATETIME: ("datetime_arg", "_dt.datetime", "YYYYMMDDHHMMSS"),
}

# Indentation at each place text is printed (see the templates).
_CLASS = 4  # class body: attributes, class docstrings
_METHOD = 8  # method bodies and docstrings, client method parameters
_ARG_DOC = 16  # continuation lines under an ``Args:`` entry


def _fit(text: str, indent: int) -> tuple[str, ...]:
    return tuple(wrap(doc_text(text), LINE_LENGTH - indent - 3))  # 3: the opening """


def _doc(text: str, indent: int) -> str:
    """``text`` as a docstring at ``indent`` (wrapped; the first line carries the indent)."""
    return docstring(_fit(text, indent), indent)


class TrFacts(Protocol):
    """The TR-level annotations the generator reads."""

    @property
    def python_name(self) -> str: ...
    @property
    def english_name(self) -> str: ...
    @property
    def paged(self) -> bool: ...
    @property
    def retry_safe(self) -> bool: ...
    @property
    def mock_supported(self) -> bool: ...
    @property
    def role(self) -> Role | None: ...


def tr_facts(spec: TrSpec) -> TrFacts | None:
    """The one place the generator reads a TR's annotations: as resolved by ``codegen.rules``
    (hand-written ones win), so every loaded spec has them."""
    return spec.resolved


@attrs.frozen
class AllowedValue:
    value: str  # as sent, e.g. "1"
    meaning: str  # e.g. "상한"


@attrs.frozen
class TypedField:
    """A property of a ``typed`` view."""

    name: str
    annotation: str
    parser: str | None  # the runtime parser it calls, None when it returns the value as sent
    head: str  # the ``def`` line(s) at class indentation
    doc: str  # the docstring at method indentation
    body: str  # the return statement at method indentation


@attrs.frozen
class FieldModel:
    name: str  # Python attribute / argument name
    key: str  # wire key, exact
    key_literal: str  # the wire key as a Python literal
    korean: str
    description: str
    note: str | None
    required: bool  # a required argument (requests only)
    length: int | None
    kind: str | None  # ValueKind value
    values: tuple[AllowedValue, ...]
    is_list: bool
    item_class: str | None  # row model of a LIST with documented members; None: rows as sent
    items: tuple[FieldModel, ...]  # LIST members
    annotation: str  # the attribute's type
    typed_annotation: str  # what its typed accessor returns
    arg_type: str  # what a client argument / request model constructor accepts
    attribute: str  # the attribute statement, laid out at class indentation
    doc: str  # its docstring at class indentation
    param: str  # the client method parameter (requests), at method indentation
    arg_doc: tuple[str, ...]  # first line + continuation lines for ``Args:``
    check_call: str  # the argument check in ``__attrs_post_init__`` (requests)
    decode: str  # LIST decoding statement in ``from_dict`` (responses / rows), else ""
    from_dict_arg: str  # ``name=...`` in the ``cls(...)`` call of ``from_dict``
    encode: str  # the ``to_dict`` statements, at method indentation
    converter: str | None  # the attrs converter of a date / time / datetime argument
    alias_def: str  # its definition and docstring (module level), or ""
    values_const: str  # module constant with the allowed values (requests), or ""
    values_def: str  # its definition, or ""


@attrs.frozen
class ClassModel:
    name: str
    role: str  # "request" | "response" | "item"
    doc: str  # class docstring at class indentation
    fields: tuple[FieldModel, ...]
    typed_name: str
    typed_head: str  # ``class XTyped(TypedView[X]):``
    typed_doc: str
    typed_fields: tuple[TypedField, ...]
    typed_hidden: str  # ``_HIDDEN = ...`` of secret fields, or ""
    typed_property: str  # the ``typed`` property of the model (def line(s) + docstring)
    list_field: FieldModel | None  # the rows ``to_dataframe`` uses (responses / rows)
    list_item: ClassModel | None
    frame_columns: str  # ``FRAME_COLUMNS: ... = (...)`` (rows)
    frame_call: str
    frame_rows_head: str
    dataframe_doc: str
    builder: str | None  # the module-level fast ``from_dict`` (flat response / row models)
    builder_name: str | None
    from_dict_head: str
    wire_names: str  # ``WIRE_NAMES`` (requests)
    required_names: str  # ``REQUIRED`` (requests)


@attrs.frozen
class Example:
    title: str
    text: str  # verbatim, as the manual prints it
    fence: str  # a backtick fence longer than any run of backticks in the text
    is_json: bool


@attrs.frozen
class TrModel:
    api_id: str
    api_id_literal: str
    module: str  # module name under kiwoom_typed.tr
    name: str  # Korean name
    english_name: str
    menu: tuple[str, ...]  # menu path, e.g. ("국내주식", "시세", "주식기본정보요청(ka10001)")
    http_method: str
    url: str
    prod_host: str
    mock_host: str | None
    mock_note: str | None
    overview: str
    source: str  # the spec file the TR comes from, e.g. specs/ka10001.yaml
    examples: tuple[Example, ...]
    header: str  # first line of the generated file
    module_doc: str
    paged: bool
    retry_safe: bool
    mock_supported: bool
    role: str | None
    method_name: str
    pages_method_name: str | None
    method_doc: str  # the client method docstring, at method indentation
    pages_doc: str
    request_build: str  # ``request = tr.X(...)`` in client methods
    sync_call: str
    async_call: str
    sync_pages_call: str
    async_pages_call: str
    returns: str  # ``) -> X:`` of the client method
    sync_pages_returns: str
    async_pages_returns: str
    request: ClassModel
    response: ClassModel
    item_classes: tuple[ClassModel, ...]  # definition order: nested rows first
    endpoint_args: tuple[str, ...]  # the keyword arguments of ``Endpoint(...)``, laid out
    info_args: tuple[str, ...]  # those of ``TrInfo(...)``
    exports: tuple[str, ...]  # ``__all__`` of the module
    aliases: tuple[str, ...]  # Literal aliases the client signatures use
    abc_imports: tuple[str, ...]  # from collections.abc
    typing_imports: str  # ``from typing import ...``
    runtime_imports: tuple[str, ...]  # ``from kiwoom_runtime.<module> import ...`` statements
    needs_decimal: bool
    needs_datetime: bool
    needs_pandas: bool
    items_def: str  # ``def _items(...)`` of the endpoint, or ""
    client_imports: str  # the client's ``TYPE_CHECKING`` import of this TR's names
    client_needs_datetime: bool


@attrs.frozen
class TokenEndpoint:
    api_id_literal: str
    name_arg: str  # ``name=...,`` laid out
    path_arg: str


@attrs.frozen
class PackageModel:
    header: str
    trs: tuple[TrModel, ...]
    token_issue: TokenEndpoint | None
    token_revoke: TokenEndpoint | None
    prod_host: str | None  # literal of the 운영 도메인 every spec documents
    mock_host: str | None  # literal of the 모의투자 도메인, None when some spec has none

    @property
    def exports(self) -> tuple[tuple[str, str], ...]:
        """(module, class name) of every public model, sorted by class name."""
        out = [(tr.module, tr.request.name) for tr in self.trs]
        out += [(tr.module, tr.response.name) for tr in self.trs]
        out += [(tr.module, item.name) for tr in self.trs for item in tr.item_classes]
        out += [
            (tr.module, cls.typed_name)
            for tr in self.trs
            for cls in (tr.response, *tr.item_classes)
        ]
        return tuple(sorted(out, key=lambda pair: all_key(pair[1])))

    @property
    def client_needs_datetime(self) -> bool:
        return any(tr.client_needs_datetime for tr in self.trs)

    @property
    def client_typing_imports(self) -> str:
        names = {"TYPE_CHECKING", "Any"}
        if any("Literal[" in f.param for tr in self.trs for f in tr.request.fields):
            names.add("Literal")
        return fmt_import("typing", names)

    @property
    def client_imports(self) -> tuple[str, ...]:
        """The client's ``TYPE_CHECKING`` imports, in isort's (natural) module order."""
        ordered = sorted(self.trs, key=lambda tr: import_module_key(f"kiwoom_typed.tr.{tr.module}"))
        return tuple(tr.client_imports for tr in ordered)


# --------------------------------------------------------------------------------------------


def _values_text(values: Sequence[AllowedValue]) -> str:
    return ", ".join(f'"{v.value}" {v.meaning}'.rstrip() for v in values)


class _Builder:
    def __init__(self, spec_set: SpecSet, api_id: str, spec: TrSpec) -> None:
        self.spec_set = spec_set
        self.api_id = api_id
        self.spec = spec
        self.prefix = camel(api_id)
        self.located = spec_set.located.get(api_id)
        self.errors: list[SpecError] = []
        self.facts = tr_facts(spec)
        self.english = self.facts.english_name if self.facts is not None else ""
        self.aliases: list[str] = []
        self.value_consts: set[str] = set()

    def error(self, path: DataPath, message: str) -> None:
        if self.located is not None:
            self.errors.append(self.located.error(path, message))
        else:
            file = self.spec_set.files.get(self.api_id, self.api_id)
            self.errors.append(SpecError(file, None, ".".join(map(str, path)), message))

    # -- fields -------------------------------------------------------------------------------

    def python_name(self, field: Field, path: DataPath) -> str:
        if field.python_name is not None:
            name = field.python_name
            where: DataPath = (*path, "python_name")
        elif is_identifier(field.element):
            name = field.element
            where = (*path, "element")
        else:
            self.error(
                (*path, "element"),
                f"element {field.element!r} is not a Python identifier: add "
                f"`python_name: <identifier>` to this field (the wire key stays {field.element!r})",
            )
            return f"invalid_{abs(hash(field.element))}"
        if name in RESERVED_FIELD_NAMES or name.startswith("_"):
            self.error(
                where,
                f"Python name {name!r} is reserved in generated models: add a different "
                "`python_name` to this field",
            )
        if len(name) > MAX_FIELD_NAME:
            self.error(
                where,
                f"Python name {name!r} is {len(name)} characters, longer than the "
                f"{MAX_FIELD_NAME} the generated code is laid out for: add a shorter "
                "`python_name` to this field",
            )
        if len(field.element) > MAX_WIRE_KEY:
            self.error(
                (*path, "element"),
                f"wire key of {len(field.element)} characters: the generated code is laid out "
                f"for at most {MAX_WIRE_KEY}",
            )
        return name

    def class_name(self, name: str, path: DataPath, what: str) -> str:
        if len(name) > MAX_CLASS_NAME:
            self.error(
                (*path, "python_name"),
                f"{what} {name!r} is {len(name)} characters, longer than the {MAX_CLASS_NAME} "
                "the generated code is laid out for: give this field a shorter `python_name`",
            )
        return name

    def field_doc(self, field: Field, *, request: bool, item_class: str | None) -> str:
        facts = [f"{self.api_id} {field.korean}".rstrip(), f"wire key ``{field.element}``"]
        facts.append(field.type)
        facts.append(f"length {field.length}" if field.length is not None else "length -")
        facts.append("required" if field.required else "optional")
        paragraphs = [" · ".join(facts)]
        if field.description:
            paragraphs.append(field.description)
        lines: list[str] = []
        if field.is_list:
            rows = (
                f"rows of :class:`{item_class}`"
                if item_class
                else "the manual lists no members: rows are the JSON objects as received"
            )
            lines.append(
                f"LIST: {rows}; an empty sequence when the body leaves the key out (``to_dict()`` "
                "leaves it out too)."
            )
        if field.kind is not None:
            line = f"kind: {field.kind.value}"
            if request and field.kind in TIME_ARGUMENTS and not field.values:
                _, obj, layout = TIME_ARGUMENTS[field.kind]
                line += f" (a {obj.replace('_dt', 'datetime')} or {layout})"
            lines.append(line)
        if field.values:
            values = [AllowedValue(v, m) for v, m in sorted(field.values.items())]
            line = f"values: {_values_text(values)}"
            if fits(line, _ARG_DOC + 3):
                lines.append(line)
            else:  # one per line, so that no value is parted from its meaning
                lines.append("values:")
                lines += [f'- "{v.value}" {v.meaning}'.rstrip() for v in values]
        if field.note:
            lines.append(f"note: {field.note}")
        if lines:
            paragraphs.append("\n".join(lines))
        return "\n\n".join(paragraphs)

    def literal_type(
        self, name: str, values: Sequence[AllowedValue], path: DataPath
    ) -> tuple[str, str | None]:
        """(type, alias): ``Literal[...]`` inline when the longest place it is printed (a client
        parameter) fits, else a module-level alias named after the TR and the field."""
        literal = "Literal[" + ", ".join(py_str(v.value) for v in values) + "]"
        if fits(f"{name}: {literal} | None = None,", _METHOD):
            return literal, None
        alias = self.class_name(f"{self.prefix}{camel(name)}", path, "Literal alias")
        self.aliases.append(alias)
        return alias, alias

    def fields(
        self,
        fields: Sequence[Field],
        path: DataPath,
        *,
        role: str,
        owner: str,
        item_classes: list[ClassModel],
    ) -> tuple[FieldModel, ...]:
        request = role == "request"
        out: list[FieldModel] = []
        seen: dict[str, DataPath] = {}
        for i, field in enumerate(fields):
            here = (*path, i)
            name = self.python_name(field, here)
            if name in seen:
                self.error(
                    (*here, "python_name"),
                    f"Python name {name!r} is already used by another field: add a distinct "
                    "`python_name`",
                )
            seen[name] = here
            out.append(
                self.field(field, name, here, request=request, owner=owner, items=item_classes)
            )
        return tuple(out)

    def field(
        self,
        field: Field,
        name: str,
        here: DataPath,
        *,
        request: bool,
        owner: str,
        items: list[ClassModel],
    ) -> FieldModel:
        key = py_str(field.element)
        kind = field.kind
        values = tuple(AllowedValue(v, m) for v, m in sorted((field.values or {}).items()))
        item_class: str | None = None
        item_models: tuple[FieldModel, ...] = ()
        alias: str | None = None
        alias_def = ""
        converter: str | None = None
        arg_type: str
        if field.is_list:
            if request:
                self.error(here, "LIST fields in a request body are not supported yet")
            if field.items:
                item_class = f"{owner}{camel(name)}Item"
                if len(item_class) > MAX_CLASS_NAME:  # nested rows: drop the parent's name
                    item_class = f"{self.prefix}{camel(name)}Item"
                item_class = self.class_name(item_class, here, "row class")
                item = self.class_model(
                    item_class,
                    "item",
                    field.items,
                    (*here, "items"),
                    f"{self.api_id} {self.spec.name} — one row of ``{field.element}`` "
                    f"({field.korean}).",
                    items,
                )
                items.append(item)
                item_models = item.fields
                annotation = f"Sequence[{item_class}]"
                typed_annotation = f"Sequence[{item_class}Typed]"
            else:
                annotation = typed_annotation = "Sequence[Mapping[str, Any]]"
            arg_type = annotation
        elif request:
            if values:
                base, alias = self.literal_type(name, values, here)
                if alias is not None:
                    alias_def = self.alias_def(alias, field, values)
                arg_type = base
            elif kind in TIME_ARGUMENTS:
                stem, obj, _ = TIME_ARGUMENTS[kind]
                base = "str"
                arg_type = f"str | {obj}"
                converter = stem if field.required else f"optional_{stem}"
            else:
                base = arg_type = "str"
            annotation = base if field.required else f"{base} | None"
            arg_type = arg_type if field.required else f"{arg_type} | None"
            typed_annotation = annotation
        else:
            is_int = field.type.lower() in ("integer", "int", "number")
            annotation = "int | None" if is_int else "str | None"
            typed = TYPED_KINDS.get(kind) if kind is not None else None
            typed_annotation = typed[1] if typed else annotation
            arg_type = annotation
        required = field.required and request
        doc = self.field_doc(field, request=request, item_class=item_class)
        # The first line sits 4 columns left of the continuation lines: one width fits both.
        arg_doc = tuple(wrap(doc_text(f"{name}: {doc}"), LINE_LENGTH - _ARG_DOC))
        values_const, values_def = "", ""
        if request and values:
            values_const = self.values_const(name)
            values_def = fmt_seq(
                "{",
                [fmt_entry(py_str(v.value), v.meaning, 4).removesuffix(",") for v in values],
                "}",
                0,
                head=f"{values_const} = ",
            )
        check_args = [
            "API_ID",
            py_str(name),
            key,
            f"self.{name}",
            f"required={field.required}",
            f"length={field.length}",
        ]
        if values_const:
            check_args.append(f"values={values_const}")
        if request and kind in TIME_ARGUMENTS and not values:
            check_args.append(f"kind={py_str(kind.value)}")
        return FieldModel(
            name=name,
            key=field.element,
            key_literal=key,
            korean=field.korean,
            description=field.description,
            note=field.note,
            required=required,
            length=field.length,
            kind=kind.value if kind is not None else None,
            values=values,
            is_list=field.is_list,
            item_class=item_class,
            items=item_models,
            annotation=annotation,
            typed_annotation=typed_annotation,
            arg_type=arg_type,
            attribute=self.attribute(name, annotation, required, kind, converter, field.is_list),
            doc=_doc(doc, _CLASS),
            param=f"{name}: {arg_type}" + ("" if required else " = None") + ",",
            arg_doc=arg_doc,
            check_call=fmt_call("check_argument", check_args, _METHOD),
            decode=self.decode(name, key, field, item_class) if field.is_list else "",
            from_dict_arg=(
                f"{name}={name},"
                if field.is_list
                else fmt_call(f"{name}=pop", [key, "None"], 12, tail=",")
            ),
            encode=self.encode(name, key, field.is_list, item_class),
            converter=converter,
            alias_def=alias_def,
            values_const=values_const,
            values_def=values_def,
        )

    def values_const(self, name: str) -> str:
        """``_NAME_VALUES``, numbered if two names differ only in case."""
        const = f"_{name.upper()}_VALUES"
        n = 2
        while const in self.value_consts:
            const = f"_{name.upper()}_VALUES_{n}"
            n += 1
        self.value_consts.add(const)
        return const

    def alias_def(self, alias: str, field: Field, values: Sequence[AllowedValue]) -> str:
        literal = fmt_call(f"{alias} = Literal[", [py_str(v.value) for v in values], 0)
        text = f"Allowed values of ``{field.element}`` ({field.korean}): {_values_text(values)}."
        return literal + "\n" + _doc(text, 0)

    def attribute(
        self,
        name: str,
        annotation: str,
        required: bool,
        kind: ValueKind | None,
        converter: str | None,
        is_list: bool,
    ) -> str:
        """``name: annotation[ = default]`` at class indentation; credentials stay out of repr."""
        args: list[str] = []
        if not required:
            args.append("default=None")
        if converter is not None:
            args.append(f"converter={converter}")
        if kind is ValueKind.SECRET:
            args.append("repr=False")
        head = f"{name}: {annotation}"
        if is_list:
            return f"{head} = NO_ROWS"
        if converter is not None or kind is ValueKind.SECRET:
            return fmt_call(f"{head} = attrs.field", args, _CLASS)
        return head if required else f"{head} = None"

    def decode(self, name: str, key: str, field: Field, item_class: str | None) -> str:
        if item_class is None:
            parse = "dict"
        elif any(i.is_list for i in field.items):
            parse = f"{item_class}.from_dict"
        else:
            parse = f"_build_{item_class}"
        return fmt_call(f"{name} = list_field", [f"pop({key}, None)", parse, "d", key], _METHOD)

    def encode(self, name: str, key: str, is_list: bool, item_class: str | None) -> str:
        pad = " " * (_METHOD + 4)
        if is_list:
            rows = "row.to_dict()" if item_class else "dict(row)"
            value = f"[{rows} for row in self.{name}]"
            return (
                f"if self.{name} is not NO_ROWS:\n"
                + pad
                + fmt_assign(f"out[{key}]", value, _METHOD + 4)
            )
        return (
            f"if self.{name} is not None:\n"
            + pad
            + fmt_assign(f"out[{key}]", f"self.{name}", _METHOD + 4)
        )

    def typed_field(self, field: Field, model: FieldModel) -> TypedField:
        kind = field.kind
        where = f"{self.api_id} {field.korean}".rstrip() + f" (``{field.element}``)"
        parser: str | None = None
        if field.is_list:
            if model.item_class:
                text = f"{where}: the rows, each as its typed view."
                body = f"return tuple(row.typed for row in self._m.{model.name})"
            else:
                text = f"{where}: the rows as received (JSON objects: the manual lists no members)."
                body = f"return self._m.{model.name}"
        elif kind is not None and kind in TYPED_KINDS:
            parser, _, meaning = TYPED_KINDS[kind]
            text = (
                f"{where} as {meaning}\n\n"
                f"Returns None when the value is missing or empty; raises ValueKindError "
                f"(a ValueError) naming {self.api_id}, ``{field.element}`` and the raw value "
                "when it does not fit."
            )
            body = fmt_call(
                "return typed_value",
                [parser, f"self._m.{model.name}", "API_ID", model.key_literal],
                _METHOD,
            )
        else:
            if kind is None:
                meaning = "no value kind is declared."
            else:
                meaning = AS_SENT_KINDS.get(
                    kind.value, f"value kind {kind.value!r}, which has no parser yet."
                )
            text = f"{where} as sent: {meaning}"
            body = f"return self._m.{model.name}"
        if field.description:
            text += "\n\n" + field.description
        annotation = model.typed_annotation
        return TypedField(
            name=model.name,
            annotation=annotation,
            parser=parser,
            head=fmt_def(f"def {model.name}", ["self"], annotation, _CLASS),
            doc=_doc(text, _METHOD),
            body=body,
        )

    def envelope_models(self, envelope: Sequence[Field], body_keys: set[str]) -> list[FieldModel]:
        out = []
        for f in envelope:
            if f.element in body_keys:
                continue
            key = py_str(f.element)
            annotation = "int | None" if f.type.lower() == "integer" else "str | None"
            out.append(
                FieldModel(
                    name=f.element,
                    key=f.element,
                    key_literal=key,
                    korean=f.korean,
                    description=f.description,
                    note=f.note,
                    required=False,
                    length=f.length,
                    kind=None,
                    values=(),
                    is_list=False,
                    item_class=None,
                    items=(),
                    annotation=annotation,
                    typed_annotation=annotation,
                    arg_type=annotation,
                    attribute=f"{f.element}: {annotation} = None",
                    doc=_doc(self.field_doc(f, request=False, item_class=None), _CLASS),
                    param="",
                    arg_doc=(),
                    check_call="",
                    decode="",
                    from_dict_arg=fmt_call(f"{f.element}=pop", [key, "None"], 12, tail=","),
                    encode=self.encode(f.element, key, False, None),
                    converter=None,
                    alias_def="",
                    values_const="",
                    values_def="",
                )
            )
        return out

    def class_model(
        self,
        name: str,
        role: str,
        fields: Sequence[Field],
        path: DataPath,
        summary: str,
        item_classes: list[ClassModel],
        envelope: Sequence[Field] = (),
    ) -> ClassModel:
        spec = self.spec
        owner = name.removesuffix("Item").removesuffix("Response")
        models = self.fields(fields, path, role=role, owner=owner, item_classes=item_classes)
        env_fields = [f for f in envelope if f.element not in {g.element for g in fields}]
        env_models = self.envelope_models(env_fields, set())
        all_models = (*models, *env_models)
        typed_name = f"{name}Typed"
        typed: list[TypedField] = []
        if role != "request":
            typed = [
                self.typed_field(f, m)
                for f, m in zip((*fields, *env_fields), all_models, strict=True)
            ]
        doc_lines = [summary, ""]
        if role == "request":
            doc_lines.append(
                f"Request body of {spec.api_id} {spec.name} ({self.english}). Attributes hold "
                "the values as sent; construction checks required fields, documented lengths, "
                "allowed values, kinds and types, raising ArgumentError naming the argument."
            )
        elif role == "response":
            doc_lines.append(
                f"Response body of {spec.api_id} {spec.name} ({self.english}). Attributes hold "
                "the raw strings as sent (missing or null -> None, a missing LIST -> an empty "
                "sequence); keys the documentation does not list are kept in ``extra``; "
                "``to_dict()`` gives back the body as received. ``raw`` is the HTTP answer "
                "(headers, status, bytes); ``cont_yn`` / ``next_key`` are the paging headers."
            )
        else:
            doc_lines.append(
                "Attributes hold the raw strings as sent (missing or null -> None); keys the "
                "documentation does not list are kept in ``extra``."
            )
        if typed:
            doc_lines += ["", "``typed`` gives every value parsed by its kind (prices, numbers, "]
            doc_lines[-1] += "decimals, dates), the others as sent."
        documented = [m for m in models if m.is_list and m.item_class]
        raw_lists = [m for m in models if m.is_list and not m.item_class]
        list_field = next(iter(documented or raw_lists), None)
        list_item = None
        if list_field is not None:
            if list_field.item_class:
                list_item = next(c for c in item_classes if c.name == list_field.item_class)
            doc_lines.append("")
            doc_lines.append(
                f"``to_dataframe()`` turns the ``{list_field.key}`` rows into a pandas DataFrame."
            )
        if spec.overview and role != "item":
            doc_lines += ["", spec.overview]
        columns = [
            fmt_seq(
                "(",
                [py_str(m.name), m.key_literal, py_str(m.kind) if m.kind else "None"],
                ")",
                _METHOD,
                tail=",",
            ).removesuffix(",")
            for m in models
            if not m.is_list
        ]
        frame_columns = fmt_seq(
            "(", columns, ")", _CLASS, head="FRAME_COLUMNS: ClassVar[FrameColumns] = "
        )
        flat = role != "request" and not any(m.is_list for m in all_models)
        builder_name = f"_build_{name}" if flat else None
        builder = None
        if builder_name is not None:
            pairs = [
                fmt_seq("(", [py_str(m.name), m.key_literal], ")", _METHOD, tail=",").removesuffix(
                    ","
                )
                for m in all_models
            ]
            args = [name, fmt_seq("(", pairs, ")", 4)]
            if role == "response":
                args.append("with_raw=True")
            body = "".join(f"    {arg},\n" for arg in args)
            builder = f"{builder_name} = row_builder(\n{body})\n" + _doc(
                f"Compiled ``from_dict`` of :class:`{name}` (no ``__init__`` cost per row).", 0
            )
        secrets = sorted(m.name for m in all_models if m.kind == ValueKind.SECRET.value)
        hidden = ""
        if secrets:
            hidden = fmt_call(
                "_HIDDEN = frozenset",
                [fmt_seq("{", [py_str(s) for s in secrets], "}", _CLASS + 4)],
                _CLASS,
            )
        frame_item = list_item.name if list_item else None
        what = "response" if role == "response" else "row"
        return ClassModel(
            name=name,
            role=role,
            doc=_doc("\n".join(doc_lines), _CLASS),
            fields=all_models,
            typed_name=typed_name,
            typed_head=fmt_call(f"class {typed_name}", [f"TypedView[{name}]"], 0, tail=":"),
            typed_doc=_doc(
                f"Typed values of :class:`{name}` ({spec.api_id} {spec.name}): one property "
                "per field, parsed by its value kind (the others as sent); ``repr`` lists them.",
                _CLASS,
            ),
            typed_fields=tuple(typed),
            typed_hidden=hidden,
            typed_property=(
                "    @property\n"
                + "    "
                + fmt_def("def typed", ["self"], typed_name, _CLASS)
                + "\n"
                + _doc(f"Parsed values of this {what} (see :class:`{typed_name}`).", _METHOD)
            ),
            list_field=list_field,
            list_item=list_item,
            frame_columns=frame_columns,
            frame_call=fmt_call(
                "return rows_to_dataframe",
                [
                    f"self.{list_field.name}" if list_field else "()",
                    f"{frame_item}.FRAME_COLUMNS" if frame_item else "()",
                    "API_ID",
                    "raw=raw",
                ],
                _METHOD,
            ),
            frame_rows_head=fmt_def(
                "def _frame_parts",
                ["self"],
                "tuple[str, FrameColumns, Sequence[Any]]",
                _CLASS,
            ),
            dataframe_doc=_doc(
                (
                    f"The ``{list_field.key}`` rows as a pandas DataFrame (one row per item).\n\n"
                    if list_field
                    else ""
                )
                + "Needs pandas (``pip install kiwoom-typed[pandas]``). With ``raw=False`` the "
                "columns are typed from the value kinds: number, signed_number and signed_price "
                "(its magnitude) as ``Int64``; decimal as ``float64``; date and datetime as "
                "``datetime64``; text, code, sign_code and time as ``object``. Keys the "
                "documentation does not list become extra ``object`` columns. ``raw=True`` gives "
                "every value exactly as sent (``object``).",
                _METHOD,
            ),
            builder=builder,
            builder_name=builder_name,
            from_dict_head=fmt_def(
                "def from_dict",
                ["cls", "data: Mapping[str, Any]", "raw: RawResponse | None = None"]
                if role == "response"
                else ["cls", "data: Mapping[str, Any]"],
                name,
                _CLASS,
            ),
            wire_names=fmt_seq(
                "{",
                [fmt_entry(m.key_literal, m.name, _METHOD).removesuffix(",") for m in models],
                "}",
                _CLASS,
                head="WIRE_NAMES: ClassVar[Mapping[str, str]] = ",
            )
            if role == "request"
            else "",
            required_names=fmt_seq(
                "(",
                [py_str(m.name) for m in models if m.required],
                ")",
                _CLASS,
                head="REQUIRED: ClassVar[tuple[str, ...]] = ",
            ),
        )

    # -- the client method ----------------------------------------------------------------------

    def method_doc(
        self,
        facts: TrFacts,
        summary: str,
        request: ClassModel,
        response: ClassModel,
        *,
        single_page: bool,
    ) -> str:
        lines = [*_fit(summary, _METHOD), "", "Args:"]
        for f in request.fields:
            lines.append("    " + f.arg_doc[0])
            lines += ["        " + line if line else "" for line in f.arg_doc[1:]]
        if single_page and facts.paged:
            lines.append("    cont_yn: True to ask for the next page (request header cont-yn: Y).")
            lines.append("    next_key: the ``next-key`` of the previous response.")
        if not single_page:
            lines.append("    max_pages: stop after this many pages (None: follow to the end).")
        lines.append(
            "    timeout: seconds or httpx.Timeout (None: no timeout; default: the client's)."
        )
        lines += ["", "Returns:"]
        if single_page:
            lines += [
                f"    {line}"
                for line in _fit(
                    f"{response.name}: the decoded response (``.raw`` has the HTTP answer).",
                    _METHOD + 4,
                )
            ]
        else:
            lines += [
                f"    {line}"
                for line in _fit(f"The runtime pager of {response.name} pages.", _METHOD + 4)
            ]
        lines += ["", "Raises:", "    ArgumentError: a bad argument, before anything is sent."]
        if single_page:
            lines += [
                "    APIError: the server refused the call; the subclass follows the",
                "        bracketed code in return_msg (TokenError, RateLimitError, ...).",
                "    KiwoomError: any other failure (HTTP status, a body that is not JSON,",
                "        a timeout, the connection).",
            ]
        else:
            lines.append(
                "    KiwoomError: while iterating, as for one call (APIError, PagingError)."
            )
        return docstring(lines, _METHOD)

    # -- the TR -------------------------------------------------------------------------------

    def build(self, specs_label: str, file_name: str) -> TrModel | None:
        spec = self.spec
        facts = self.facts
        if facts is None:
            self.error(
                ("api_id",),
                "no `annotations:` block: add one with at least `python_name: <method name>` and "
                "`english_name: <short English name>` (and paged / retry_safe / mock_supported)",
            )
            return None
        method = facts.python_name
        if method in RESERVED_METHOD_NAMES or method.startswith("_"):
            self.error(
                ("annotations", "python_name"),
                f"method name {method!r} is reserved on the client: choose another",
            )
        if len(method) > MAX_METHOD_NAME:
            self.error(
                ("annotations", "python_name"),
                f"method name {method!r} is {len(method)} characters, longer than the "
                f"{MAX_METHOD_NAME} the generated code is laid out for: choose a shorter one",
            )
        prefix = self.prefix
        item_classes: list[ClassModel] = []
        request = self.class_model(
            f"{prefix}Request",
            "request",
            spec.request.body,
            ("request", "body"),
            f"{spec.api_id} {spec.name} — request.",
            item_classes,
        )
        response = self.class_model(
            f"{prefix}Response",
            "response",
            spec.response.body,
            ("response", "body"),
            f"{spec.api_id} {spec.name} — response.",
            item_classes,
            envelope=self.spec_set.common.envelope,
        )
        # client method parameters, and the module the method imports as ``tr``
        for reserved in ("timeout", "max_pages", "cont_yn", "next_key", "tr"):
            if any(f.name == reserved for f in request.fields):
                self.error(
                    ("request", "body"), f"request field named {reserved!r}: add python_name"
                )
        classes_with_rows = (response, *item_classes)
        parsers = sorted(
            {t.parser for cls in classes_with_rows for t in cls.typed_fields if t.parser}
        )
        annotations_used = {t.annotation for cls in classes_with_rows for t in cls.typed_fields}
        annotations_used |= {f.annotation for cls in classes_with_rows for f in cls.fields}
        runtime: dict[str, set[str]] = {
            "arguments": {"check_arguments", "request_from_wire"},
            "endpoint": {"Endpoint"},
            "models": {"TypedView"},
            "registry": {"TrInfo"},
            "values": set(parsers),
        }
        if request.fields:
            runtime["arguments"].add("check_argument")
        runtime["arguments"] |= {f.converter for f in request.fields if f.converter}
        all_fields = [f for cls in classes_with_rows for f in cls.fields]
        if any(f.is_list for f in all_fields):
            runtime["models"] |= {"NO_ROWS", "list_field"}
        if any(c.builder for c in classes_with_rows):
            runtime.setdefault("decoding", set()).add("row_builder")
        if item_classes or response.list_field is not None:
            runtime.setdefault("frames", set()).add("FrameColumns")
        if response.list_field is not None:
            runtime["frames"].add("rows_to_dataframe")
        if parsers:
            runtime["values"].add("typed_value")
        if any("SignedPrice" in a for a in annotations_used):
            runtime["values"].add("SignedPrice")
        if any("Direction" in a for a in annotations_used):
            runtime["values"].add("Direction")
        if any("DecimalPrice" in a for a in annotations_used):
            runtime["values"].add("DecimalPrice")
        abc = {"Mapping"}
        if any(f.is_list for f in all_fields) or response.list_field is not None:
            abc.add("Sequence")
        typing_names = {"TYPE_CHECKING", "Any", "ClassVar"}
        if any("Literal[" in f.annotation for f in request.fields) or self.aliases:
            typing_names.add("Literal")
        classes = [request.name, response.name]
        classes += [c.name for c in item_classes]
        classes += [c.typed_name for c in classes_with_rows]
        module_names = [*classes, *self.aliases]
        for name in sorted({n for n in module_names if module_names.count(n) > 1}):
            self.error(
                ("response", "body"),
                f"two generated names are both {name!r} (LIST row classes and Literal aliases "
                "are named after their fields): give one of the fields another `python_name`",
            )
        code_fields = tuple(
            py_str(f.element)
            for f in spec.request.body
            if f.kind is ValueKind.CODE and f.element.endswith("stk_cd")
        )
        sensitive = sensitive_elements(spec)
        english = facts.english_name
        flags = (
            f"{spec.method} {spec.url} · paged: {'yes' if facts.paged else 'no'} · retry-safe: "
            f"{'yes' if facts.retry_safe else 'no'} · mock: "
            + ("yes" if facts.mock_supported else "no")
            + (f" ({spec.hosts.mock_note})" if spec.hosts.mock_note else "")
        )
        method_text = f"{spec.api_id} {spec.name} — {english}.\n\n{spec.menu}\n{flags}"
        unauthenticated = facts.role in UNAUTHENTICATED_ROLES
        if unauthenticated:
            method_text += (
                "\n\nSent without a bearer token (no token is needed to issue or revoke one). "
                "The client runs this TR itself for its token management; call it directly to "
                "inspect the raw exchange or to manage tokens yourself."
            )
        if spec.overview:
            method_text += "\n\n" + spec.overview
        pages_text = (
            f"{spec.api_id} {spec.name} — {english}, every page (cont-yn / next-key).\n\n"
            f"Returns the runtime pager: iterate it for {response.name} pages, ``.items()`` for "
            "the rows; ``max_pages`` stops early and sets ``truncated``.\n" + flags
        )
        list_field = response.list_field
        if facts.role is not None and unauthenticated and facts.paged:
            self.error(
                ("annotations", "paged"),
                f"a token TR (role {facts.role.value!r}) cannot be paged: set `paged: false`",
            )
        call_args = ["tr.ENDPOINT", "request", "timeout=timeout"]
        if facts.paged:
            call_args += ["cont_yn=cont_yn", "next_key=next_key"]
        call = "self._call_unauthenticated" if unauthenticated else "self._call"
        pages_args = ["tr.ENDPOINT", "request", "max_pages=max_pages", "timeout=timeout"]
        module_doc = _doc(
            f"{spec.api_id} {spec.name} ({english}): models and endpoint.\n\n{spec.menu}\n{flags}",
            0,
        )
        items_def = ""
        items_type = ""
        if list_field is not None:
            items_type = (
                f"Sequence[{list_field.item_class}]"
                if list_field.item_class
                else "Sequence[Mapping[str, Any]]"
            )
            items_def = (
                fmt_def("def _items", [f"response: {response.name}"], items_type, 0)
                + f"\n    return response.{list_field.name}"
            )
        endpoint_args = [
            "api_id=API_ID,",
            fmt_str(spec.name, 4, prefix="name=", suffix=","),
            fmt_str(spec.url, 4, prefix="path=", suffix=","),
            f"retry_safe={facts.retry_safe},",
            f"paged={facts.paged},",
            f"mock_supported={facts.mock_supported},",
            f"encode={request.name}.to_dict,",
            f"decode={response.name}.from_dict,",
            f"items={'_items' if list_field else 'None'},",
            f"list_key={list_field.key_literal if list_field else 'None'},",
            fmt_seq("(", list(code_fields), ")", 4, head="code_fields=", tail=","),
        ]
        if sensitive:  # masked in recordings; left out when empty, as most TRs have none
            items = [py_str(key) for key in sensitive]
            endpoint_args.append(fmt_seq("(", items, ")", 4, head="sensitive=", tail=","))
        info_args = [
            "api_id=API_ID,",
            fmt_str(spec.name, 4, prefix="name=", suffix=","),
            fmt_str(english, 4, prefix="english_name=", suffix=","),
            fmt_str(method, 4, prefix="method_name=", suffix=","),
            f"paged={facts.paged},",
            f"role={py_str(facts.role.value) if facts.role is not None else 'None'},",
            f"request_type={request.name},",
            f"response_type={response.name},",
            "endpoint=ENDPOINT,",
        ]
        needs_datetime = any(a.startswith("_dt.") or " _dt." in a for a in annotations_used)
        client_dt = any("_dt." in f.arg_type for f in request.fields)
        menu = tuple(part.strip() for part in spec.menu.split(">") if part.strip())
        return TrModel(
            api_id=spec.api_id,
            api_id_literal=py_str(spec.api_id),
            module=spec.api_id.lower(),
            name=spec.name,
            english_name=english,
            menu=menu,
            http_method=spec.method,
            url=spec.url,
            prod_host=spec.hosts.prod,
            mock_host=spec.hosts.mock,
            mock_note=spec.hosts.mock_note,
            overview=spec.overview,
            source=f"{specs_label}/{file_name}",
            examples=tuple(
                _example(title, text)
                for title, text in (
                    ("Request example", spec.examples.request),
                    ("Response example", spec.examples.response),
                )
                if text is not None
            ),
            header=header_line(f"{specs_label}/{file_name}"),
            module_doc=module_doc,
            paged=facts.paged,
            retry_safe=facts.retry_safe,
            mock_supported=facts.mock_supported,
            role=facts.role.value if facts.role is not None else None,
            method_name=method,
            pages_method_name=f"{method}_pages" if facts.paged else None,
            method_doc=self.method_doc(facts, method_text, request, response, single_page=True),
            pages_doc=self.method_doc(facts, pages_text, request, response, single_page=False),
            request_build=(
                f"request = tr.{request.name}(\n"
                + "".join(f"            {f.name}={f.name},\n" for f in request.fields)
                + "        )"
                if request.fields
                else f"request = tr.{request.name}()"
            ),
            sync_call=fmt_call(f"response: {response.name} = {call}", call_args, _METHOD),
            async_call=fmt_call(f"response: {response.name} = await {call}", call_args, _METHOD),
            sync_pages_call=fmt_call(
                f"pager: SyncPager[{response.name}] = self._paginate", pages_args, _METHOD
            ),
            async_pages_call=fmt_call(
                f"pager: AsyncPager[{response.name}] = self._paginate", pages_args, _METHOD
            ),
            returns=f") -> {response.name}:",
            sync_pages_returns=f") -> SyncPager[{response.name}]:",
            async_pages_returns=f") -> AsyncPager[{response.name}]:",
            request=request,
            response=response,
            item_classes=tuple(item_classes),
            endpoint_args=tuple(endpoint_args),
            info_args=tuple(info_args),
            exports=tuple(
                sorted(["API_ID", "ENDPOINT", "INFO", *classes, *self.aliases], key=all_key)
            ),
            aliases=tuple(self.aliases),
            abc_imports=tuple(sorted(abc, key=import_member_key)),
            typing_imports=fmt_import("typing", typing_names),
            runtime_imports=tuple(
                fmt_import(f"kiwoom_runtime.{module}", names)
                for module, names in sorted(runtime.items())
                if names
            ),
            needs_decimal="Decimal | None" in annotations_used,
            needs_datetime=needs_datetime,
            needs_pandas=list_field is not None,
            items_def=items_def,
            client_imports=fmt_import(
                f"kiwoom_typed.tr.{spec.api_id.lower()}", [response.name, *self.aliases], 4
            ),
            client_needs_datetime=client_dt,
        )


def _example(title: str, text: str) -> Example:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    try:
        json.loads(text)
        is_json = True
    except ValueError:
        is_json = False
    return Example(title, text, "`" * max(3, longest + 1), is_json)


# -- the reference (docs/reference) --------------------------------------------------------------


@attrs.frozen
class MenuGroup:
    name: str
    anchor: str
    trs: tuple[TrModel, ...]


@attrs.frozen
class MenuSection:
    name: str
    anchor: str
    subgroups: tuple[MenuGroup, ...]


@attrs.frozen
class ReferenceModel:
    """The browsable reference: an index by menu and one page per TR (same TrModels)."""

    header: str
    specs_label: str
    trs: tuple[TrModel, ...]
    groups: tuple[MenuSection, ...]


def build_reference(pkg: PackageModel, specs_label: str = "specs") -> ReferenceModel:
    """Group the TRs by the manual's menu: section (국내주식, ...), then group (시세, ...).

    Sections and groups come in the order of their first API ID, so related menus stay
    together and the order never depends on the locale; anchors are numbered, not spelled.
    """
    sections: dict[str, dict[str, list[TrModel]]] = {}
    for tr in sorted(pkg.trs, key=lambda t: t.api_id):
        section = tr.menu[0] if tr.menu else ""
        group = tr.menu[1] if len(tr.menu) > 2 else ""
        sections.setdefault(section, {}).setdefault(group, []).append(tr)
    out = []
    for i, (name, groups) in enumerate(sections.items(), 1):
        out.append(
            MenuSection(
                name or "—",
                f"menu-{i}",
                tuple(
                    MenuGroup(group, f"menu-{i}-{j}", tuple(trs))
                    for j, (group, trs) in enumerate(groups.items(), 1)
                ),
            )
        )
    return ReferenceModel(
        header=header_line(f"{specs_label}/*.yaml"),
        specs_label=specs_label,
        trs=pkg.trs,
        groups=tuple(out),
    )


def header_line(source: str) -> str:
    return f"# Generated by codegen from {source} — do not edit; run `make generate`."


def _token_endpoint(spec: TrSpec) -> TokenEndpoint:
    return TokenEndpoint(
        py_str(spec.api_id),
        fmt_str(spec.name, 4, prefix="name=", suffix=","),
        fmt_str(spec.url, 4, prefix="path=", suffix=","),
    )


def build_package(spec_set: SpecSet, specs_label: str = "specs") -> PackageModel:
    """Build the model of the whole package; raise every located problem at once."""
    errors: list[SpecError] = []
    trs: list[TrModel] = []
    for api_id in sorted(spec_set.specs):
        spec = spec_set.specs[api_id]
        builder = _Builder(spec_set, api_id, spec)
        file_name = Path(spec_set.files.get(api_id, f"{api_id}.yaml")).name
        tr = builder.build(specs_label, file_name)
        errors.extend(builder.errors)
        if tr is not None:
            trs.append(tr)
    errors.extend(_cross_checks(spec_set, trs))
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)
    issue = [spec_set.specs[t.api_id] for t in trs if t.role == Role.TOKEN_ISSUE.value]
    revoke = [spec_set.specs[t.api_id] for t in trs if t.role == Role.TOKEN_REVOKE.value]
    prod = sorted({spec.hosts.prod for spec in spec_set.specs.values()})
    mock = sorted({s.hosts.mock for s in spec_set.specs.values() if s.hosts.mock is not None})
    return PackageModel(
        header=header_line(f"{specs_label}/*.yaml"),
        trs=tuple(trs),
        token_issue=_token_endpoint(issue[0]) if issue else None,
        token_revoke=_token_endpoint(revoke[0]) if revoke else None,
        prod_host=py_str(prod[0]) if prod else None,
        mock_host=py_str(mock[0]) if mock else None,
    )


def _cross_checks(spec_set: SpecSet, trs: Iterable[TrModel]) -> list[SpecError]:
    errors: list[SpecError] = []
    # One client talks to one host per environment: the specs must agree on them (a TR that is
    # not offered in mock may document no mock host at all).
    seen: dict[str, tuple[str, str]] = {}
    for api_id, spec in sorted(spec_set.specs.items()):
        for env, host in (("prod", spec.hosts.prod), ("mock", spec.hosts.mock)):
            if host is None:
                continue
            known_host, known_id = seen.setdefault(env, (host, api_id))
            if known_host != host:
                errors.append(
                    spec_set.located[api_id].error(
                        ("hosts", env), f"{env} host {host} differs from {known_id}'s {known_host}"
                    )
                )
    methods: dict[str, str] = {}
    roles: dict[str, str] = {}
    exported: dict[str, str] = {}
    for tr in trs:
        located = spec_set.located.get(tr.api_id)
        for name in tr.exports:
            first = exported.setdefault(name, tr.api_id)
            if first != tr.api_id and name not in ("API_ID", "ENDPOINT", "INFO"):
                if located is not None:
                    errors.append(
                        located.error(
                            ("api_id",), f"generated name {name!r} is also generated by {first}"
                        )
                    )
    for tr in trs:
        located = spec_set.located.get(tr.api_id)
        for name in filter(None, (tr.method_name, tr.pages_method_name)):
            other = methods.get(name)
            if other is not None and located is not None:
                errors.append(
                    located.error(
                        ("annotations", "python_name"),
                        f"method name {name!r} is already used by {other}: choose another",
                    )
                )
            methods[name] = tr.api_id
        if tr.role is not None:
            other = roles.get(tr.role)
            if other is not None and located is not None:
                errors.append(
                    located.error(
                        ("annotations", "role"), f"role {tr.role!r} is already taken by {other}"
                    )
                )
            roles[tr.role] = tr.api_id
    return errors
