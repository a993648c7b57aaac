"""Load specs from YAML into the attrs model, with every error located.

``load_spec_text`` is the one entry point that turns text into a ``TrSpec``: YAML syntax errors,
type errors (via cattrs, strict about scalars) and cross-field rules all come back as
``SpecError`` naming ``file:line: path``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override

from codegen.errors import SpecError, SpecErrors
from codegen.rules import resolve
from codegen.spec import IDENT_RE, Check, CommonSpec, Field, TrSpec
from codegen.yamlsource import LocatedData, load_located
from codegen.yamlsource import Path as DataPath

if TYPE_CHECKING:
    from codegen.realtime.loader import WsSpecSet

COMMON_FILE = "_common.yaml"
#: The subdirectory of the WebSocket specs (real-time types, condition search).
WEBSOCKET_DIR = "websocket"
T = TypeVar("T")
S = TypeVar("S")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _strict(kind: type, noun: str) -> Callable[[Any, type], Any]:
    def hook(value: Any, _type: type) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"expected {noun}, got {_describe(value)}")
        return value

    return hook


def _enum_hook(value: Any, enum_type: type[enum.Enum]) -> enum.Enum:
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_type)
        raise ValueError(f"expected one of {allowed}; got {_describe(value)}") from None


def _checked_hook_factory(annotated: Any) -> Callable[[Any, type], Any]:
    base, *metadata = get_args(annotated)
    checks = [m for m in metadata if isinstance(m, Check)]
    base_hook = _strict(base, "an integer" if base is int else "text")

    def hook(value: Any, _type: type) -> Any:
        base_hook(value, base)
        for check in checks:
            problem = check.test(value)
            if problem is not None:
                raise ValueError(problem)
        return value

    return hook


def _header_hook(converter: cattrs.Converter) -> Callable[[Any, type], str | Field]:
    def hook(value: Any, _type: type) -> str | Field:
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping):
            return converter.structure(value, Field)
        raise TypeError(
            f"expected a header name from _common.yaml or a full row, got {_describe(value)}"
        )

    return hook


def _text_mapping(value: Any, _type: type) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping, got {_describe(value)}")
    text = _strict(str, "text")
    return {text(k, str): text(v, str) for k, v in value.items()}


def _is_annotated(type_: Any) -> bool:
    return bool(get_origin(type_) is Annotated)


def make_converter() -> cattrs.Converter:
    """A converter that refuses unknown keys and never coerces between scalar types."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict(str, "text"))
    converter.register_structure_hook(int, _strict(int, "an integer"))
    converter.register_structure_hook(bool, _strict(bool, "true or false"))
    converter.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _enum_hook
    )
    converter.register_structure_hook_factory(_is_annotated, _checked_hook_factory)
    converter.register_structure_hook_func(lambda t: t == str | Field, _header_hook(converter))
    converter.register_structure_hook_func(lambda t: t == dict[str, str], _text_mapping)
    # ``resolved`` is computed by the rules, never read from a file (an unknown key there).
    converter.register_structure_hook(
        TrSpec,
        make_dict_structure_fn(
            TrSpec, converter, _cattrs_forbid_extra_keys=True, resolved=override(omit=True)
        ),
    )
    return converter


CONVERTER = make_converter()

_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\['([^']*)'\]")


def _parse_cattrs_path(text: str) -> DataPath:
    parts: list[str | int] = []
    for name, index, key in _PATH_PART.findall(text.removeprefix("$")):
        if name:
            parts.append(name)
        elif index:
            parts.append(int(index))
        else:
            parts.append(key)
    return tuple(parts)


def _format_exception(exc: BaseException, _type: type | None) -> str:
    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(a.name for a in attrs.fields(exc.cl))
        return f"unknown key(s): {'|'.join(sorted(exc.extra_fields))}; allowed: {allowed}"
    if isinstance(exc, AttributeError) and "'items'" in str(exc):
        return "expected a mapping"
    if isinstance(exc, TypeError) and "not iterable" in str(exc):
        return "expected a list"
    return str(exc) or type(exc).__name__


def structure_located(located: LocatedData, cls: type[T]) -> T:
    """Structure ``located.data`` into ``cls``; every problem becomes a located SpecError."""
    if not isinstance(located.data, dict):
        raise located.error((), f"expected a mapping at the top, got {_describe(located.data)}")
    try:
        return CONVERTER.structure(located.data, cls)
    except Exception as exc:  # cattrs groups every problem; we locate each one
        errors: list[SpecError] = []
        for line in cattrs.transform_error(exc, format_exception=_format_exception):
            message, _, where = line.rpartition(" @ ")
            path = _parse_cattrs_path(where)
            if message.startswith("unknown key(s): "):
                keys, _, allowed = message.removeprefix("unknown key(s): ").partition("; ")
                for key in keys.split("|"):
                    errors.append(located.error((*path, key), f"unknown key ({allowed})"))
                continue
            if message == "required key missing" and path:
                message = f"required key {path[-1]!r} missing"
            errors.append(located.error(path, message))
        raise (errors[0] if len(errors) == 1 else SpecErrors(errors)) from None


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
        name = field.python_name or field.element
        if field.python_name is None and not IDENT_RE.match(field.element):
            pass  # the generator asks for python_name; importing must still work
        elif name in seen_names:
            errors.append(located.error((*here, "python_name"), f"duplicate Python name {name!r}"))
        seen_names.add(name)
        if field.items and not field.is_list:
            errors.append(located.error((*here, "items"), f"items given for type {field.type!r}"))
        if field.items:
            _check_fields(located, field.items, (*here, "items"), errors)


def check_headers(
    located: LocatedData,
    headers: Iterable[Any],
    side: str,
    common: CommonSpec | None,
    errors: list[SpecError],
) -> None:
    """Header rows given by name must be known to ``_common.yaml`` (a push's are looked up
    with the response headers); each unknown one located and appended to ``errors``."""
    if common is None:
        return
    table = common.request_header if side == "request" else common.response_header
    for i, header in enumerate(headers):
        if isinstance(header, str) and table(header) is None:
            errors.append(
                located.error(
                    (side, "headers", i), f"unknown header {header!r} (not in {COMMON_FILE})"
                )
            )


def check_spec(located: LocatedData, spec: TrSpec, common: CommonSpec | None) -> None:
    """Rules that span fields: header names, duplicates, LIST items, file name = API ID."""
    errors: list[SpecError] = []
    stem = Path(located.file).stem
    if stem != spec.api_id and not stem.startswith("<"):
        errors.append(
            located.error(("api_id",), f"file is named {stem!r} but api_id is {spec.api_id!r}")
        )
    for side in ("request", "response"):
        message = getattr(spec, side)
        check_headers(located, message.headers, side, common, errors)
        _check_fields(located, message.body, (side, "body"), errors)
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)


def load_spec_text(text: str, file: str, common: CommonSpec | None = None) -> TrSpec:
    located = load_located(text, file)
    spec = structure_located(located, TrSpec)
    check_spec(located, spec, common)
    return spec


def load_common_text(text: str, file: str) -> CommonSpec:
    return structure_located(load_located(text, file), CommonSpec)


def read_text(path: Path, display: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(display, None, "", f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SpecError(display, None, "", f"cannot read: {exc.strerror}") from None


@attrs.frozen
class SpecSet:
    """Every spec of a directory, by API ID, with the shared rows and where each came from.

    ``specs`` are resolved (every annotation decided, see :mod:`codegen.rules`); ``raw`` are the
    specs exactly as written, for tools that must tell a rule's answer from a hand annotation.
    """

    directory: Path
    common: CommonSpec
    specs: dict[str, TrSpec]
    files: dict[str, str]  # api_id -> display path
    located: dict[str, LocatedData]
    raw: dict[str, TrSpec] = attrs.field(factory=dict)
    #: The WebSocket specs of ``directory/websocket`` (None when there is no such directory).
    websocket: WsSpecSet | None = None

    def __iter__(self) -> Any:
        return iter(self.specs.values())


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_common(directory: Path) -> CommonSpec:
    path = directory / COMMON_FILE
    return load_common_text(read_text(path, display_path(path)), display_path(path))


#: Loaded spec sets by directory and the state of its files: a sandbox, a test module and the
#: generator in one process read 300 specs once (about a second), not once each.
_CACHE: dict[tuple[str, str], tuple[tuple[tuple[str, int, int], ...], SpecSet]] = {}


def _fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    out = []
    paths = sorted(directory.glob("*.yaml")) + sorted(directory.glob(f"{WEBSOCKET_DIR}/*.yaml"))
    for path in paths:
        stat = path.stat()
        out.append((path.relative_to(directory).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def load_specs(directory: Path) -> SpecSet:
    """Load ``directory/_common.yaml`` and every ``directory/*.yaml``; collect all errors.

    The result is shared (its specs are frozen): a second call for an unchanged directory
    returns it at the cost of a ``stat`` per file.
    """
    if not directory.is_dir():
        raise SpecError(display_path(directory), None, "", "no such spec directory")
    key = (str(directory.resolve()), str(Path.cwd()))  # display paths depend on the cwd
    fingerprint = _fingerprint(directory)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    loaded = _load_specs(directory)
    _CACHE[key] = (fingerprint, loaded)
    return loaded


def load_spec_files(
    directory: Path,
    kind: type[S],
    check: Callable[[LocatedData, S], None],
    errors: list[SpecError],
) -> Iterator[tuple[str, LocatedData, S]]:
    """(display path, located data, spec) of each ``directory/*.yaml`` but ``_*`` files, read
    as ``kind`` and checked; a file's problems go into ``errors`` and the file is skipped."""
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        display = display_path(path)
        try:
            located = load_located(read_text(path, display), display)
            spec = structure_located(located, kind)
            check(located, spec)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        except SpecError as exc:
            errors.append(exc)
            continue
        yield display, located, spec


def _load_specs(directory: Path) -> SpecSet:
    common = load_common(directory)
    specs: dict[str, TrSpec] = {}
    files: dict[str, str] = {}
    located_by_id: dict[str, LocatedData] = {}
    errors: list[SpecError] = []
    check = partial(check_spec, common=common)
    for display, located, spec in load_spec_files(directory, TrSpec, check, errors):
        specs[spec.api_id] = spec
        files[spec.api_id] = display
        located_by_id[spec.api_id] = located
    if errors:
        raise errors[0] if len(errors) == 1 else SpecErrors(errors)
    resolved = {api_id: resolve(spec) for api_id, spec in specs.items()}
    websocket = None
    if (directory / WEBSOCKET_DIR).is_dir():
        from codegen.realtime.loader import load_ws_specs
        from codegen.rules.realtime import build_index

        websocket = load_ws_specs(directory / WEBSOCKET_DIR, common, build_index(resolved.values()))
    return SpecSet(
        directory, common, resolved, files, located_by_id, raw=specs, websocket=websocket
    )
