"""The intermediate model the templates render: every Python decision is taken here.

``build_package(spec_set, specs_label)`` turns loaded specs into plain attrs records holding
Python names, type annotations, imports and ready-wrapped docstring/comment lines, so the Jinja2
templates only loop and print. Problems the generator cannot resolve on its own (a wire key that
is not a Python identifier and has no ``python_name``, a spec without ``annotations``, names that
collide) are located ``SpecError``s telling the maintainer what to add.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from codegen.errors import SpecError, SpecErrors
from codegen.loader import SpecSet
from codegen.naming import (
    LINE_LENGTH,
    camel,
    doc_text,
    fmt_call,
    fmt_import,
    fmt_tuple,
    is_identifier,
    isort_key,
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

# Indentation + prefix width at each place text is printed (see the templates).
_CLASS_DOC = 4  # class docstring lines
_ATTR_COMMENT = 4 + len("#: ")  # attribute comments in a class body
_METHOD_DOC = 8  # method / property docstring lines
_ARG_DOC = 16  # continuation lines under an ``Args:`` entry


def _fit(text: str, indent: int) -> tuple[str, ...]:
    return tuple(wrap(doc_text(text), LINE_LENGTH - indent - 3))  # 3: the opening """


@attrs.frozen
class ValueCheck:
    value: str  # literal, e.g. "1"
    meaning: str  # literal, e.g. "상한"


@attrs.frozen
class TypedField:
    """A typed accessor of one field (a property of the ``typed`` view)."""

    name: str
    parser: str
    annotation: str
    doc: tuple[str, ...]  # docstring lines at method indentation
    call: str  # the return statement


@attrs.frozen
class FieldModel:
    name: str  # Python attribute / argument name
    key: str  # wire key, exact
    key_literal: str  # the wire key as a Python literal
    annotation: str  # type annotation of the attribute
    arg_annotation: str  # type annotation as a client method argument
    required: bool
    length: int | None
    kind: str | None  # ValueKind value
    values: tuple[ValueCheck, ...]
    item_class: str | None  # class of the rows when this is a LIST
    comment: tuple[str, ...]  # ``#:`` lines above the attribute
    arg_doc: tuple[str, ...]  # first line + continuation lines for ``Args:``
    values_const: str  # module constant holding the allowed values (requests)
    check_call: str  # the argument check in ``__attrs_post_init__`` (requests)
    rows_call: str  # decoding of a LIST field in ``from_dict``
    default: str  # what follows the annotation: "", " = None", " = attrs.field(...)"


def _default(required: bool, kind: ValueKind | None) -> str:
    """The attribute's default; credentials are left out of the model's repr."""
    if kind is ValueKind.SECRET:
        return (
            " = attrs.field(repr=False)" if required else " = attrs.field(default=None, repr=False)"
        )
    return "" if required else " = None"


@attrs.frozen
class ClassModel:
    name: str
    role: str  # "request" | "response" | "item"
    doc: tuple[str, ...]
    fields: tuple[FieldModel, ...]
    typed_name: str | None
    typed_doc: tuple[str, ...]
    typed_fields: tuple[TypedField, ...]
    list_field: FieldModel | None  # the rows ``to_dataframe`` uses (responses / items)
    list_item: ClassModel | None
    frame_columns: tuple[tuple[str, str, str | None], ...]  # (python name, key, kind)
    frame_call: str
    builder: str | None  # module-level fast ``from_dict`` (flat response / row models)
    required_literal: str

    @property
    def required_fields(self) -> tuple[FieldModel, ...]:
        return tuple(f for f in self.fields if f.required)

    @property
    def optional_fields(self) -> tuple[FieldModel, ...]:
        return tuple(f for f in self.fields if not f.required)


@attrs.frozen
class TrModel:
    api_id: str
    api_id_literal: str
    module: str  # module name under kiwoom_typed.tr
    name_literal: str
    english_name: str
    header: str  # first line of the generated file
    module_doc: tuple[str, ...]
    path_literal: str
    paged: bool
    retry_safe: bool
    mock_supported: bool
    role: str | None
    method_name: str
    pages_method_name: str | None
    method_doc: tuple[str, ...]  # the client method docstring
    pages_doc: tuple[str, ...]
    request_build: str  # ``request = tr.X(...)`` in client methods
    sync_call: str
    async_call: str
    sync_pages_call: str
    async_pages_call: str
    request: ClassModel
    response: ClassModel
    item_classes: tuple[ClassModel, ...]  # definition order: nested rows first
    code_fields_literal: str
    english_name_literal: str
    method_name_literal: str
    role_literal: str
    exports: tuple[str, ...]  # ``__all__`` of the module
    abc_imports: tuple[str, ...]  # from collections.abc
    runtime_imports: tuple[str, ...]  # ``from kiwoom_runtime.<module> import ...`` statements
    needs_decimal: bool
    needs_datetime: bool
    needs_pandas: bool
    items_class: str | None  # the LIST row class the endpoint's ``items`` returns
    list_key_literal: str  # wire key of that LIST as a literal, or "None"
    items_attr: str | None


@attrs.frozen
class TokenEndpoint:
    api_id_literal: str
    name_literal: str
    path_literal: str


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
            if cls.typed_name
        ]
        return tuple(sorted(out, key=lambda pair: pair[1]))


# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, spec_set: SpecSet, api_id: str, spec: TrSpec) -> None:
        self.spec_set = spec_set
        self.api_id = api_id
        self.spec = spec
        self.located = spec_set.located.get(api_id)
        self.errors: list[SpecError] = []

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
            return f"_invalid_{abs(hash(field.element))}"
        if name in RESERVED_FIELD_NAMES or name.startswith("_"):
            self.error(
                where,
                f"Python name {name!r} is reserved in generated models: add a different "
                "`python_name` to this field",
            )
        return name

    def field_doc(self, field: Field, name: str) -> str:
        facts = [f"{self.api_id} {field.korean}", f"wire key ``{field.element}``", field.type]
        facts.append(f"length {field.length}" if field.length is not None else "length -")
        facts.append("required" if field.required else "optional")
        lines = [" · ".join(facts)]
        if field.description:
            lines.append(field.description)
        if field.kind is not None:
            lines.append(f"kind: {field.kind.value}")
        if field.values:
            lines.append(
                "values: " + ", ".join(f"{v!r} {m}" for v, m in sorted(field.values.items()))
            )
        if field.note:
            lines.append(f"note: {field.note}")
        return "\n".join(lines)

    def fields(
        self,
        fields: Sequence[Field],
        path: DataPath,
        *,
        request: bool,
        owner: str,
        item_classes: list[ClassModel],
    ) -> tuple[FieldModel, ...]:
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
            item_class = None
            if field.is_list:
                if request:
                    self.error(here, "LIST fields in a request body are not supported yet")
                item_class = f"{owner}{camel(name)}Item"
                item = self.class_model(
                    item_class,
                    "item",
                    field.items,
                    (*here, "items"),
                    f"{self.api_id} {self.spec.name} — one row of ``{field.element}`` "
                    f"({field.korean}).",
                    item_classes,
                )
                item_classes.append(item)
                annotation = f"Sequence[{item_class}] | None"
            elif request:
                annotation = "str" if field.required else "str | None"
            elif field.type.lower() in ("integer", "int", "number"):
                annotation = "int | None"
            else:
                annotation = "str | None"
            doc = self.field_doc(field, name)
            arg_lines = wrap(doc_text(doc), LINE_LENGTH - _ARG_DOC)
            arg_doc = (f"{name}: {arg_lines[0]}", *arg_lines[1:])
            if len(arg_doc[0]) + 8 > LINE_LENGTH:  # rare: first line too long with the name
                arg_doc = (f"{name}:", *arg_lines)
            values = tuple(
                ValueCheck(py_str(v), py_str(m)) for v, m in sorted((field.values or {}).items())
            )
            values_const = f"_{name.upper()}_VALUES"
            check_args = [
                "API_ID",
                py_str(name),
                py_str(field.element),
                f"self.{name}",
                f"required={field.required}",
                f"length={field.length}",
            ]
            if values:
                check_args.append(f"values={values_const}")
            key = py_str(field.element)
            out.append(
                FieldModel(
                    name=name,
                    key=field.element,
                    key_literal=key,
                    annotation=annotation,
                    arg_annotation=annotation,
                    required=field.required and request,
                    length=field.length,
                    kind=field.kind.value if field.kind is not None else None,
                    values=values,
                    item_class=item_class,
                    comment=_fit(doc, _ATTR_COMMENT),
                    arg_doc=arg_doc,
                    values_const=values_const,
                    check_call=fmt_call("check_argument", check_args, 8),
                    rows_call=fmt_call(
                        f"{name} = list_rows",
                        [
                            f"pop({key}, None)",
                            f"{item_class}.from_dict"
                            if any(i.is_list for i in field.items)
                            else f"_build_{item_class}",
                            "d",
                            key,
                        ],
                        8,
                    ),
                    default=_default(field.required and request, field.kind),
                )
            )
        return tuple(out)

    def typed_fields(
        self, fields: Sequence[Field], models: Sequence[FieldModel]
    ) -> list[TypedField]:
        out: list[TypedField] = []
        for field, model in zip(fields, models, strict=True):
            if field.kind is None or field.kind not in TYPED_KINDS:
                continue
            parser, annotation, meaning = TYPED_KINDS[field.kind]
            text = (
                f"{self.api_id} {field.korean} (``{field.element}``) as {meaning}\n\n"
                f"Returns None when the value is missing or empty; raises ValueKindError "
                f"(a ValueError) naming {self.api_id}, ``{field.element}`` and the raw value "
                "when it does not fit."
            )
            if field.description:
                text += "\n\n" + field.description
            call = fmt_call(
                "return typed_value",
                [parser, f"self._m.{model.name}", "API_ID", py_str(field.element)],
                8,
            )
            out.append(TypedField(model.name, parser, annotation, _fit(text, _METHOD_DOC), call))
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
        body_keys = {f.element for f in fields}
        owner = name.removesuffix("Item").removesuffix("Response")
        models = self.fields(
            fields, path, request=role == "request", owner=owner, item_classes=item_classes
        )
        env_models = tuple(
            FieldModel(
                name=f.element,
                key=f.element,
                key_literal=py_str(f.element),
                annotation="int | None" if f.type.lower() == "integer" else "str | None",
                arg_annotation="",
                required=False,
                length=f.length,
                kind=None,
                values=(),
                item_class=None,
                comment=_fit(self.field_doc(f, f.element), _ATTR_COMMENT),
                arg_doc=(),
                values_const="",
                check_call="",
                rows_call="",
                default=" = None",
            )
            for f in envelope
            if f.element not in body_keys
        )
        all_models = (*models, *env_models)
        typed = self.typed_fields(fields, models) if role != "request" else []
        doc_lines = [summary, ""]
        if role == "request":
            doc_lines.append(
                f"Request body of {spec.api_id} {spec.name} ({self._english()}). Attributes hold "
                "the values as sent; construction checks required fields, documented lengths, "
                "allowed values and types, raising ArgumentError naming the argument."
            )
        elif role == "response":
            doc_lines.append(
                f"Response body of {spec.api_id} {spec.name} ({self._english()}). Attributes hold "
                "the raw strings as sent (missing or null -> None); keys the documentation does "
                "not list are kept in ``extra``; ``to_dict()`` gives back the body as received. "
                "``raw`` is the HTTP answer (headers, status, bytes); ``cont_yn`` / ``next_key`` "
                "are the paging headers."
            )
        else:
            doc_lines.append(
                "Attributes hold the raw strings as sent (missing or null -> None); keys the "
                "documentation does not list are kept in ``extra``."
            )
        if typed:
            doc_lines.append("")
            doc_lines.append("``typed`` gives parsed values (prices, numbers, decimals, dates).")
        list_field = next((m for m in models if m.item_class is not None), None)
        list_item = None
        if list_field is not None:
            list_item = next(c for c in item_classes if c.name == list_field.item_class)
            doc_lines.append("")
            doc_lines.append(
                f"``to_dataframe()`` turns the ``{list_field.key}`` rows into a pandas DataFrame."
            )
        if spec.overview and role != "item":
            doc_lines += ["", spec.overview]
        frame_columns = tuple(
            (m.name, m.key_literal, m.kind) for m in models if m.item_class is None
        )
        typed_name = f"{name}Typed" if typed else None
        return ClassModel(
            name=name,
            role=role,
            doc=_fit("\n".join(doc_lines), _CLASS_DOC),
            fields=all_models,
            typed_name=typed_name,
            typed_doc=_fit(
                f"Typed values of :class:`{name}` ({spec.api_id} {spec.name}).", _CLASS_DOC
            ),
            typed_fields=tuple(typed),
            list_field=list_field,
            list_item=list_item,
            frame_columns=frame_columns,
            builder=None
            if role == "request" or any(m.item_class for m in all_models)
            else f"_build_{name}",
            frame_call=fmt_call(
                "return rows_to_dataframe",
                [
                    "self._frame_rows()",
                    f"{list_item.name}.FRAME_COLUMNS" if list_item else "()",
                    "API_ID",
                    "raw=raw",
                ],
                8,
            ),
            required_literal=fmt_tuple(
                [py_str(m.name) for m in models if m.required and role == "request"]
            ),
        )

    def method_doc(
        self, summary: str, request: ClassModel, response: ClassModel, *, single_page: bool
    ) -> tuple[str, ...]:
        lines = [*_fit(summary, _METHOD_DOC), "", "Args:"]
        for f in request.fields:
            lines.append("    " + f.arg_doc[0])
            lines += ["        " + line if line else "" for line in f.arg_doc[1:]]
        paged = self.spec.facts.paged
        if single_page and paged:
            lines.append("    cont_yn: True to ask for the next page (request header cont-yn: Y).")
            lines.append("    next_key: the ``next-key`` of the previous response.")
        if not single_page:
            lines.append("    max_pages: stop after this many pages (None: follow to the end).")
        lines.append(
            "    timeout: seconds or httpx.Timeout (None: no timeout; default: the client's)."
        )
        lines += ["", "Returns:"]
        if single_page:
            lines.append(
                f"    {response.name}: the decoded response (``.raw`` has the HTTP answer)."
            )
        else:
            lines.append(f"    The runtime pager of {response.name} pages.")
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
        return tuple(lines)

    def _english(self) -> str:
        return self.spec.facts.english_name

    # -- the TR -------------------------------------------------------------------------------

    def build(self, specs_label: str, file_name: str) -> TrModel | None:
        spec = self.spec
        # The TR-level annotations as resolved by codegen.rules (hand-written ones win).
        ann = spec.facts
        if ann.python_name in RESERVED_METHOD_NAMES or ann.python_name.startswith("_"):
            self.error(
                ("annotations", "python_name"),
                f"method name {ann.python_name!r} is reserved on the client: choose another",
            )
        prefix = camel(spec.api_id)
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
        for reserved in ("timeout", "max_pages", "cont_yn", "next_key"):
            if any(f.name == reserved for f in request.fields):
                self.error(
                    ("request", "body"), f"request field named {reserved!r}: add python_name"
                )
        parsers = sorted({t.parser for cls in (response, *item_classes) for t in cls.typed_fields})
        annotations_used = {
            t.annotation for cls in (response, *item_classes) for t in cls.typed_fields
        }
        runtime: dict[str, set[str]] = {
            "arguments": {"check_arguments", "request_from_wire"},
            "endpoint": {"Endpoint"},
            "registry": {"TrInfo"},
            "values": set(parsers),
        }
        if request.fields:
            runtime["arguments"].add("check_argument")
        if item_classes:
            runtime.setdefault("frames", set()).add("FrameColumns")
            runtime["decoding"] = {"list_rows"}
        if any(c.builder for c in (response, *item_classes)):
            runtime.setdefault("decoding", set()).add("row_builder")
        if response.list_field is not None:
            runtime.setdefault("frames", set()).add("rows_to_dataframe")
        if parsers:
            runtime["values"].add("typed_value")
        abc = {"Mapping"}
        if item_classes:
            abc.add("Sequence")
        classes = [request.name, response.name]
        classes += [c.name for c in item_classes]
        classes += [c.typed_name for c in (response, *item_classes) if c.typed_name]
        if "SignedPrice | None" in annotations_used:
            runtime["values"].add("SignedPrice")
        if "Direction | None" in annotations_used:
            runtime["values"].add("Direction")
        if "DecimalPrice | None" in annotations_used:
            runtime["values"].add("DecimalPrice")
        code_fields = tuple(
            py_str(f.element)
            for f in spec.request.body
            if f.kind is ValueKind.CODE and f.element.endswith("stk_cd")
        )
        english = ann.english_name
        flags = (
            f"{spec.method} {spec.url} · paged: {'yes' if ann.paged else 'no'} · retry-safe: "
            f"{'yes' if ann.retry_safe else 'no'} · mock: "
            + ("yes" if ann.mock_supported else "no")
            + (f" ({spec.hosts.mock_note})" if spec.hosts.mock_note else "")
        )
        method_text = f"{spec.api_id} {spec.name} — {english}.\n\n{spec.menu}\n{flags}"
        unauthenticated = ann.role in UNAUTHENTICATED_ROLES
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
        items_class = response.list_field.item_class if response.list_field else None
        if ann.role is not None and unauthenticated and ann.paged:
            self.error(
                ("annotations", "paged"),
                f"a token TR (role {ann.role.value!r}) cannot be paged: set `paged: false`",
            )
        call_args = ["tr.ENDPOINT", "request", "timeout=timeout"]
        if ann.paged:
            call_args += ["cont_yn=cont_yn", "next_key=next_key"]
        call = "self._call_unauthenticated" if unauthenticated else "self._call"
        pages_args = ["tr.ENDPOINT", "request", "max_pages=max_pages", "timeout=timeout"]
        module_doc = _fit(
            f"{spec.api_id} {spec.name} ({english}): models and endpoint.\n\n{spec.menu}\n{flags}",
            0,
        )
        return TrModel(
            api_id=spec.api_id,
            api_id_literal=py_str(spec.api_id),
            module=spec.api_id.lower(),
            name_literal=py_str(spec.name),
            english_name=english,
            header=header_line(f"{specs_label}/{file_name}"),
            module_doc=module_doc,
            path_literal=py_str(spec.url),
            paged=ann.paged,
            retry_safe=ann.retry_safe,
            mock_supported=ann.mock_supported,
            role=ann.role.value if ann.role is not None else None,
            method_name=ann.python_name,
            pages_method_name=f"{ann.python_name}_pages" if ann.paged else None,
            method_doc=self.method_doc(method_text, request, response, single_page=True),
            pages_doc=self.method_doc(pages_text, request, response, single_page=False),
            request_build=(
                f"request = tr.{request.name}(\n"
                + "".join(f"            {f.name}={f.name},\n" for f in request.fields)
                + "        )"
                if request.fields
                else f"request = tr.{request.name}()"
            ),
            sync_call=fmt_call(f"response: {response.name} = {call}", call_args, _METHOD_DOC),
            async_call=fmt_call(
                f"response: {response.name} = await {call}", call_args, _METHOD_DOC
            ),
            sync_pages_call=fmt_call(
                f"pager: SyncPager[{response.name}] = self._paginate", pages_args, _METHOD_DOC
            ),
            async_pages_call=fmt_call(
                f"pager: AsyncPager[{response.name}] = self._paginate", pages_args, _METHOD_DOC
            ),
            request=request,
            response=response,
            item_classes=tuple(item_classes),
            code_fields_literal=fmt_tuple(code_fields),
            english_name_literal=py_str(english),
            method_name_literal=py_str(ann.python_name),
            role_literal=py_str(ann.role.value) if ann.role is not None else "None",
            exports=tuple(sorted(["API_ID", "ENDPOINT", "INFO", *classes], key=isort_key)),
            abc_imports=tuple(sorted(abc, key=isort_key)),
            runtime_imports=tuple(
                fmt_import(f"kiwoom_runtime.{module}", names)
                for module, names in sorted(runtime.items())
                if names
            ),
            needs_decimal="Decimal | None" in annotations_used,
            needs_datetime=any(a.startswith("_dt.") for a in annotations_used),
            needs_pandas=response.list_field is not None,
            items_class=items_class,
            items_attr=response.list_field.name if response.list_field else None,
            list_key_literal=py_str(response.list_field.key) if response.list_field else "None",
        )


def header_line(source: str) -> str:
    return f"# Generated by codegen from {source} — do not edit; run `make generate`."


def _token_endpoint(spec: TrSpec) -> TokenEndpoint:
    return TokenEndpoint(py_str(spec.api_id), py_str(spec.name), py_str(spec.url))


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
