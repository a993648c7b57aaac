"""``python -m codegen generate``: specs -> ``generated/kiwoom_typed``.

Two steps: :func:`codegen.model.build_package` decides everything (names, types, imports, text);
the Jinja2 templates in ``codegen/templates`` only print it. Output is deterministic (sorted,
no timestamps) and already formatted the way ``ruff format`` would write it.

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
from codegen.model import PackageModel, build_package
from codegen.naming import all_key, fmt_import, import_module_key, py_str

PACKAGE = "kiwoom_typed"
TEMPLATES = Path(__file__).parent / "templates"
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
    env.filters["chomp"] = lambda text: str(text).removesuffix("\n")
    return env


def _package_init_context(pkg: PackageModel) -> dict[str, object]:
    lazy: dict[str, str] = {
        "AsyncClient": f"{PACKAGE}._client",
        "Client": f"{PACKAGE}._client",
        "REGISTRY": f"{PACKAGE}._registry",
        "TrInfo": "kiwoom_runtime.registry",
        "pages_to_dataframe": "kiwoom_runtime.frames",
    }
    for module, name in pkg.exports:
        lazy[name] = f"{PACKAGE}.tr.{module}"
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
    """Every generated file: path relative to the output directory -> text."""
    pkg = build_package(spec_set, specs_label)
    env = _environment()
    out: dict[str, str] = {}
    base = PACKAGE

    def put(path: str, template: str, **context: object) -> None:
        out[path] = env.get_template(template).render(pkg=pkg, **context)

    put(f"{base}/__init__.py", "package_init.py.j2", **_package_init_context(pkg))
    put(f"{base}/_registry.py", "registry.py.j2")
    put(f"{base}/_client.py", "client.py.j2")
    put(f"{base}/tr/__init__.py", "tr_init.py.j2")
    tr_module = env.get_template("tr_module.py.j2")
    for tr in pkg.trs:
        out[f"{base}/tr/{tr.module}.py"] = tr_module.render(pkg=pkg, tr=tr)
    for name, text in STATIC_FILES.items():
        out[f"{base}/{name}"] = text
    return dict(sorted(out.items()))


def _on_disk(out_dir: Path) -> dict[str, Path]:
    root = out_dir / PACKAGE
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        found[path.relative_to(out_dir).as_posix()] = path
    return found


def diff_files(files: Mapping[str, str], out_dir: Path) -> list[tuple[str, str]]:
    """(relative path, "differs" | "missing" | "stale") for every file not as generated."""
    problems: list[tuple[str, str]] = []
    disk = _on_disk(out_dir)
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


def write_files(files: Mapping[str, str], out_dir: Path) -> list[str]:
    """Write changed files, delete stale ones; return the paths touched."""
    touched: list[str] = []
    for rel, status in diff_files(files, out_dir):
        path = out_dir / rel
        if status == "stale":
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[rel].encode("utf-8"))
        touched.append(rel)
    return touched


def generate(specs_dir: Path, out_dir: Path) -> dict[str, str]:
    """Render ``specs_dir`` and write it under ``out_dir`` (returns the rendered files)."""
    files = render(load_specs(specs_dir), specs_dir.name)
    write_files(files, out_dir)
    return files


def run_generate(specs_dir: Path, out_dir: Path, *, check: bool) -> int:
    """CLI entry: 0 when written / up to date, 1 when ``check`` finds drift."""
    files = render(load_specs(specs_dir), specs_dir.name)
    if check:
        problems = diff_files(files, out_dir)
        if problems:
            print(
                f"{len(problems)} generated file(s) out of date; run `make generate`:",
                file=sys.stderr,
            )
            for rel, status in problems:
                print(f"  {status}: {(out_dir / rel).as_posix()}", file=sys.stderr)
            return 1
        print(f"{len(files)} generated file(s) up to date")
        return 0
    touched = write_files(files, out_dir)
    print(f"{len(files)} file(s) generated under {out_dir.as_posix()}, {len(touched)} changed")
    return 0
