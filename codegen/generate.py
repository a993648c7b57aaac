"""``python -m codegen generate``: specs -> ``generated/kiwoom_typed`` and ``docs/reference``.

Two steps: :func:`codegen.model.build_package` decides everything (names, types, imports, text);
the Jinja2 templates in ``codegen/templates`` only print it. Output is deterministic (sorted,
no timestamps) and already formatted the way ``ruff format`` would write it. The reference
(one Markdown page per TR and an index by menu, ``codegen/templates/reference``) is rendered
from the same model.

``--check`` renders in memory and compares with the disk, listing files that differ, are
missing or are stale (on disk but no longer generated); it exits 1 when anything differs.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from pathlib import Path

import jinja2

from codegen.loader import SpecSet, load_specs
from codegen.model import FieldModel, PackageModel, build_package, build_reference
from codegen.naming import all_key, fmt_import, import_module_key, py_str
from codegen.realtime.model import RealtimePackage, build_realtime

PACKAGE = "kiwoom_typed"
TEMPLATES = Path(__file__).parent / "templates"
#: Where ``python -m codegen generate`` writes the reference unless told otherwise.
DOCS = Path("docs/reference")
#: Files in the output package that are generated but not rendered from a template.
STATIC_FILES = {"py.typed": ""}


@functools.cache
def _environment() -> jinja2.Environment:
    """The Jinja2 environment, built once per process: templates are compiled on first use and
    kept (no per-render recompilation, no mtime checks: the generator is a one-shot tool)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
        cache_size=-1,
    )
    env.filters["pystr"] = py_str
    env.filters["md"] = md_cell
    env.filters["md_text"] = md_text
    env.filters["code"] = md_code
    env.filters["yesno"] = lambda flag: "yes" if flag else "no"
    env.filters["pytype"] = lambda annotation: str(annotation).replace("_dt.", "datetime.")
    env.filters["field_text"] = field_text
    return env


# -- Markdown text -------------------------------------------------------------------------------

_MD_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
    }
)


def md_text(text: str) -> str:
    """Documentation text as Markdown: nothing it holds is markup; its line breaks are kept."""
    lines = [line.strip().translate(_MD_ESCAPES) for line in str(text).splitlines()]
    return "<br>\n".join(line for line in lines if line)


def md_cell(text: str) -> str:
    """Documentation text in a table cell (one line: line breaks become ``<br>``)."""
    return md_text(text).replace("<br>\n", "<br>")


def md_code(text: str) -> str:
    """Text inside a code span of a table cell: only the pipe needs escaping there."""
    return str(text).replace("|", "\\|")


def field_text(field: FieldModel) -> str:
    """The description cell of a field: description, allowed values, note."""
    parts = [md_cell(field.description)] if field.description else []
    if field.values:
        listed = ", ".join(f"`{md_code(v.value)}` {md_cell(v.meaning)}" for v in field.values)
        parts.append(f"Allowed: {listed}")
    if field.note:
        parts.append(f"Note: {md_cell(field.note)}")
    return "<br>".join(parts) or "—"


def _package_init_context(
    pkg: PackageModel, realtime: RealtimePackage | None = None
) -> dict[str, object]:
    lazy: dict[str, str] = {
        "AsyncClient": f"{PACKAGE}._client",
        "Client": f"{PACKAGE}._client",
        "REGISTRY": f"{PACKAGE}._registry",
        "TrInfo": "kiwoom_runtime.registry",
        "pages_to_dataframe": "kiwoom_runtime.frames",
    }
    for module, name in pkg.exports:
        lazy[name] = f"{PACKAGE}.tr.{module}"
    for module, name in realtime.exports if realtime is not None else ():
        lazy[name] = module
    by_module: dict[str, list[str]] = {}
    for name, module in lazy.items():
        by_module.setdefault(module, []).append(name)
    # Plain imports re-export: every name is in ``__all__`` (mypy and pyright read it).
    imports = [
        fmt_import(module, names, 4)
        for module, names in sorted(by_module.items(), key=lambda p: import_module_key(p[0]))
    ]
    return {
        "imports": imports,
        "all_names": sorted(lazy, key=all_key),
        "lazy": sorted(lazy.items()),
    }


def render(spec_set: SpecSet, specs_label: str = "specs") -> dict[str, str]:
    """Every generated file of the package: path relative to the output directory -> text."""
    return _render_package(
        build_package(spec_set, specs_label), build_realtime(spec_set, specs_label)
    )


def render_all(
    spec_set: SpecSet, specs_label: str = "specs"
) -> tuple[dict[str, str], dict[str, str]]:
    """The package and the reference (path relative to the docs directory -> text)."""
    pkg = build_package(spec_set, specs_label)
    realtime = build_realtime(spec_set, specs_label)
    return _render_package(pkg, realtime), _render_reference(pkg, specs_label)


def _render_package(pkg: PackageModel, realtime: RealtimePackage | None = None) -> dict[str, str]:
    env = _environment()
    out: dict[str, str] = {}
    base = PACKAGE

    def put(path: str, template: str, **context: object) -> None:
        out[path] = env.get_template(template).render(pkg=pkg, **context)

    put(f"{base}/__init__.py", "package_init.py.j2", **_package_init_context(pkg, realtime))
    put(f"{base}/_registry.py", "registry.py.j2")
    put(f"{base}/_client.py", "client.py.j2")
    put(f"{base}/tr/__init__.py", "tr_init.py.j2")
    tr_module = env.get_template("tr_module.py.j2")
    for tr in pkg.trs:
        out[f"{base}/tr/{tr.module}.py"] = tr_module.render(pkg=pkg, tr=tr)
    for name, text in STATIC_FILES.items():
        out[f"{base}/{name}"] = text
    if realtime is not None:
        out.update(_render_realtime(realtime))
    return dict(sorted(out.items()))


def _render_realtime(rt: RealtimePackage) -> dict[str, str]:
    """``kiwoom_typed/realtime``: a module per typed record, the stream helpers, the package."""
    env = _environment()
    base = f"{PACKAGE}/realtime"
    out = {
        f"{base}/__init__.py": env.get_template("realtime/init.py.j2").render(rt=rt),
        f"{base}/_stream.py": env.get_template("realtime/stream.py.j2").render(rt=rt),
    }
    page = env.get_template("realtime/model.py.j2")
    for module in rt.modules:
        out[f"{base}/{module.module}.py"] = page.render(m=module)
    return out


def _render_reference(pkg: PackageModel, specs_label: str) -> dict[str, str]:
    env = _environment()
    ref = build_reference(pkg, specs_label)
    out = {"README.md": env.get_template("reference/index.md.j2").render(ref=ref)}
    page = env.get_template("reference/api.md.j2")
    for tr in pkg.trs:
        out[f"{tr.module}.md"] = page.render(tr=tr)
    return dict(sorted(out.items()))


def _on_disk(out_dir: Path, root: str) -> dict[str, Path]:
    """Files under ``out_dir / root`` (all of it is generated), by path relative to out_dir."""
    top = out_dir / root if root else out_dir
    if not top.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(top.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        found[path.relative_to(out_dir).as_posix()] = path
    return found


def diff_files(
    files: Mapping[str, str], out_dir: Path, root: str = PACKAGE
) -> list[tuple[str, str]]:
    """(relative path, "differs" | "missing" | "stale") for every file not as generated.

    ``root`` is the generated tree under ``out_dir`` ("" when all of ``out_dir`` is): a file
    there that is no longer generated is stale.
    """
    problems: list[tuple[str, str]] = []
    disk = _on_disk(out_dir, root)
    for rel, text in files.items():
        path = disk.get(rel)
        if path is None:
            problems.append((rel, "missing"))
        elif path.read_bytes() != text.encode("utf-8"):
            problems.append((rel, "differs"))
    for rel in disk:
        if rel not in files:
            problems.append((rel, "stale"))
    return sorted(problems)


def write_files(files: Mapping[str, str], out_dir: Path, root: str = PACKAGE) -> list[str]:
    """Write changed files, delete stale ones; return the paths touched."""
    touched: list[str] = []
    for rel, status in diff_files(files, out_dir, root):
        path = out_dir / rel
        if status == "stale":
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[rel].encode("utf-8"))
        touched.append(rel)
    return touched


def generate(specs_dir: Path, out_dir: Path, docs_dir: Path | None = None) -> dict[str, str]:
    """Render ``specs_dir`` and write the package under ``out_dir`` (and the reference into
    ``docs_dir`` when given); return the package's files."""
    files, docs = render_all(load_specs(specs_dir), specs_dir.name)
    write_files(files, out_dir)
    if docs_dir is not None:
        write_files(docs, docs_dir, root="")
    return files


def run_generate(
    specs_dir: Path, out_dir: Path, *, check: bool, docs_dir: Path | None = None
) -> int:
    """CLI entry: 0 when written / up to date, 1 when ``check`` finds drift."""
    files, docs = render_all(load_specs(specs_dir), specs_dir.name)
    outputs = [(files, out_dir, PACKAGE)]
    if docs_dir is not None:
        outputs.append((docs, docs_dir, ""))
    total = sum(len(rendered) for rendered, _, _ in outputs)
    if check:
        problems = [
            (directory / rel, status)
            for rendered, directory, root in outputs
            for rel, status in diff_files(rendered, directory, root)
        ]
        if problems:
            print(
                f"{len(problems)} generated file(s) out of date; run `make generate`:",
                file=sys.stderr,
            )
            for path, status in problems:
                print(f"  {status}: {path.as_posix()}", file=sys.stderr)
            return 1
        print(f"{total} generated file(s) up to date")
        return 0
    touched = sum(len(write_files(*output)) for output in outputs)
    where = " and ".join(directory.as_posix() for _, directory, _ in outputs)
    print(f"{total} file(s) generated under {where}, {touched} changed")
    return 0
