"""Command line of the spec tooling.

    python -m codegen import DOC.txt --out specs/     documentation extract -> specs
    python -m codegen validate [--specs specs/]       specs vs. format, examples, fixtures
    python -m codegen generate [--specs specs/] [--out generated/] [--docs docs/reference]
                               [--no-docs] [--check]

Exit codes: 0 clean, 1 findings (validate) or drift (generate --check), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.errors import SpecError


def _cmd_import(args: argparse.Namespace) -> int:
    from codegen.importer import import_extract

    results = import_extract(Path(args.doc), Path(args.out), write=not args.dry_run)
    for result in results:
        print(f"{result.api_id} {result.name}: {result.status} ({result.path})")
        for change in result.changes:
            print(f"  {result.api_id}: {change}")
    changed = sum(r.status != "unchanged" for r in results)
    print(f"{len(results)} TR(s) imported, {changed} new or changed")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from codegen.validate import run_validate

    return run_validate(Path(args.specs), Path(args.fixtures) if args.fixtures else None)


def _cmd_generate(args: argparse.Namespace) -> int:
    from codegen.generate import run_generate

    docs = None if args.no_docs else Path(args.docs)
    return run_generate(Path(args.specs), Path(args.out), check=args.check, docs_dir=docs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_import = sub.add_parser("import", help="import TRs from a documentation text extract")
    p_import.add_argument("doc", help="text extract of the Kiwoom REST API manual")
    p_import.add_argument("--out", default="specs", help="spec directory (default: specs)")
    p_import.add_argument("--dry-run", action="store_true", help="report changes, write nothing")
    p_import.set_defaults(func=_cmd_import)

    p_validate = sub.add_parser("validate", help="check specs against examples and fixtures")
    p_validate.add_argument("--specs", default="specs")
    p_validate.add_argument(
        "--fixtures", default=None, help="fixture directory (default: tests/fixtures)"
    )
    p_validate.set_defaults(func=_cmd_validate)

    p_generate = sub.add_parser("generate", help="generate the client package from specs")
    p_generate.add_argument("--specs", default="specs")
    p_generate.add_argument("--out", default="generated")
    p_generate.add_argument(
        "--docs",
        default="docs/reference",
        help="directory of the API reference (default: docs/reference; all of it is generated)",
    )
    p_generate.add_argument("--no-docs", action="store_true", help="leave the reference alone")
    p_generate.add_argument(
        "--check", action="store_true", help="exit 1 if the output on disk is stale"
    )
    p_generate.set_defaults(func=_cmd_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code
