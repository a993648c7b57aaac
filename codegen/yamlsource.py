"""Read YAML while remembering where every value stands, so errors can name a line.

PyYAML's composer gives nodes with marks; we build plain Python data from them ourselves and
keep a map from each value's path (``("response", "body", 3, "length")``) to its line. Duplicate
keys, which PyYAML would silently collapse, are refused here.
"""

from __future__ import annotations

from typing import Any

import yaml

from codegen.errors import SpecError

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """``("response", "body", 3, "length")`` -> ``response.body[3].length``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class LocatedData:
    """Plain data loaded from YAML plus the line of every path in it."""

    def __init__(self, file: str, data: Any, lines: dict[Path, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line_of(self, path: Path) -> int | None:
        """Line of ``path``, or of its nearest ancestor that exists (a missing key's parent)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return line
        return None

    def error(self, path: Path, message: str) -> SpecError:
        return SpecError(self.file, self.line_of(path), format_path(path), message)


# libyaml's parser (when PyYAML was built with it) composes the same nodes with the same marks,
# about six times faster; generation of many specs is dominated by this.
_ComposeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(node: yaml.ScalarNode, loader: yaml.SafeLoader) -> Any:
    return loader.construct_object(node, deep=True)


def load_located(text: str, file: str) -> LocatedData:
    """Parse ``text`` (named ``file`` in errors); raise ``SpecError`` with a line on bad YAML."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = _ComposeLoader(text)  # the reader refuses control characters right here
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(file, line, "", f"invalid YAML: {problem}") from None
    except RecursionError:
        raise SpecError(file, None, "", "invalid YAML: nested too deeply") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise SpecError(file, line, "", f"invalid YAML: {exc.reason} ({exc.character!r})") from None
    except yaml.YAMLError as exc:
        raise SpecError(file, None, "", f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Path, int] = {}
    if root is None:
        return LocatedData(file, None, {(): 1})
    try:
        data = _build(root, (), lines, yaml.SafeLoader(""), file)
    except RecursionError:
        raise SpecError(file, None, "", "nested too deeply") from None
    return LocatedData(file, data, lines)


def _build(
    node: yaml.Node, path: Path, lines: dict[Path, int], loader: yaml.SafeLoader, file: str
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError(
                    file, key_node.start_mark.line + 1, format_path(path), "keys must be plain text"
                )
            try:
                key = _scalar(key_node, loader)
            except yaml.YAMLError as exc:
                raise SpecError(
                    file, key_node.start_mark.line + 1, format_path(path), str(exc)
                ) from None
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise SpecError(
                    file,
                    key_node.start_mark.line + 1,
                    format_path((*path, key)),
                    "duplicate key",
                )
            out[key] = _build(value_node, (*path, key), lines, loader, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, loader, file) for i, item in enumerate(node.value)]
    try:
        return _scalar(node, loader)  # type: ignore[arg-type]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SpecError(file, node.start_mark.line + 1, format_path(path), str(exc)) from None
