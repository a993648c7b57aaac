"""Command line of the spec tooling.

    python -m codegen import SOURCE [--out specs/]   documentation (.txt/.xlsx/.json/.whl) -> specs
    python -m codegen validate [--specs specs/]       specs vs. format, examples, fixtures
    python -m codegen promote RECORDED.json [--name NAME] [--accept-findings]
                                                      a reviewed recording -> tests/fixtures
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
    from codegen.importer import import_trs
    from codegen.sources import read_source, select

    source = Path(args.source)
    document = read_source(source)
    only = args.only.split(",") if args.only else None
    trs = select(document.trs, only, str(source))
    report = import_trs(
        trs,
        Path(args.out),
        write=not args.dry_run,
        # A subset or a few extract pages must not redefine the rows every TR shares.
        update_common=only is None and document.form != "extract",
        skipped=document.skipped,
    )
    for change in report.common_changes:
        print(change)
    for result in report.results:
        if result.status == "unchanged" and not args.verbose:
            continue
        print(f"{result.api_id} {result.name}: {result.status} ({result.path})")
        for change in result.changes:
            print(f"  {result.api_id}: {change}")
    if report.skipped:
        print(
            f"{len(report.skipped)} WebSocket API(s) left out (real-time and condition search "
            "are not REST calls): " + ", ".join(report.skipped)
        )
    counts = {s: sum(r.status == s for r in report.results) for s in ("new", "updated")}
    print(
        f"{len(report.results)} API(s) read from {document.form} {source.name}: "
        f"{counts['new']} new, {counts['updated']} updated"
        + (" (dry run: nothing written)" if args.dry_run else "")
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from codegen.validate import run_validate

    return run_validate(
        Path(args.specs),
        Path(args.fixtures) if args.fixtures else None,
        use_fixtures=not args.no_fixtures,
        record=args.record,
    )


def _cmd_promote(args: argparse.Namespace) -> int:
    from codegen.promote import run_promote

    return run_promote(
        Path(args.recording),
        Path(args.specs),
        Path(args.fixtures),
        name=args.name,
        accept_findings=args.accept_findings,
    )


def _cmd_generate(args: argparse.Namespace) -> int:
    from codegen.generate import run_generate

    docs = None if args.no_docs else Path(args.docs)
    return run_generate(Path(args.specs), Path(args.out), check=args.check, docs_dir=docs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_import = sub.add_parser(
        "import",
        help="import APIs from Kiwoom's documentation into specs",
        description=(
            "Read Kiwoom's documentation and write one spec per REST API, replacing the "
            "documented keys, keeping hand annotations and reporting every change. SOURCE is "
            "the manual's text extract (.txt), the workbook (.xlsx), the JSON catalogue "
            "(kiwoom_api_spec.json) or Kiwoom's kwcli wheel (.whl); the form is detected. "
            "WebSocket APIs are left out (one line says which)."
        ),
    )
    p_import.add_argument("source", metavar="SOURCE", help=".txt extract, .xlsx, .json or .whl")
    p_import.add_argument("--out", default="specs", help="spec directory (default: %(default)s)")
    p_import.add_argument(
        "--only", metavar="ID,...", help="import only these API IDs (default: every REST API)"
    )
    p_import.add_argument("--dry-run", action="store_true", help="report changes, write nothing")
    p_import.add_argument(
        "-v", "--verbose", action="store_true", help="list unchanged specs as well"
    )
    p_import.set_defaults(func=_cmd_import)

    p_validate = sub.add_parser(
        "validate",
        help="check specs against their examples and recorded fixtures",
        description=(
            "Check every spec (format, names, kinds, lengths, allowed values) against its "
            "documented examples and the fixtures under FIXTURES/<api_id>/*.json. A finding "
            "recorded under annotations.known_findings passes; exit 0 when every finding is "
            "recorded, 1 when some are open, 2 for bad input."
        ),
    )
    p_validate.add_argument(
        "--specs", default="specs", help="spec directory (default: %(default)s)"
    )
    p_validate.add_argument(
        "--fixtures",
        default=None,
        metavar="DIR",
        help="fixture directory (default: tests/fixtures when it exists)",
    )
    p_validate.add_argument(
        "--no-fixtures", action="store_true", help="check the specs and their examples only"
    )
    p_validate.add_argument(
        "--record",
        action="store_true",
        help="write open documentation findings into their specs with the evidence as reason "
        "(and drop stale records); review the records before committing",
    )
    p_validate.set_defaults(func=_cmd_validate)

    p_promote = sub.add_parser(
        "promote",
        help="make a reviewed recording a fixture of tests/fixtures",
        description=(
            "Check a recording (Client(record=DIR), KIWOOM_RECORD, kiwoom-typed call --record) "
            "and write it as FIXTURES/<api_id>/NAME.json: refused, with located reasons, when "
            "a value that must be masked is not, when it disagrees with its spec (unless "
            "--accept-findings), or when that file exists. Keeps only what fixtures need. "
            "Exit 0 promoted, 1 refused, 2 bad input."
        ),
    )
    p_promote.add_argument("recording", metavar="RECORDED.json", help="one recorded file")
    p_promote.add_argument(
        "--name", help="file name of the fixture, without .json (default: the recording's)"
    )
    p_promote.add_argument(
        "--fixtures", default="tests/fixtures", help="fixture directory (default: %(default)s)"
    )
    p_promote.add_argument("--specs", default="specs", help="spec directory (default: %(default)s)")
    p_promote.add_argument(
        "--accept-findings",
        action="store_true",
        help="promote although it disagrees with the spec (the documentation is wrong: record "
        "the findings with validate --record)",
    )
    p_promote.set_defaults(func=_cmd_promote)

    p_generate = sub.add_parser(
        "generate",
        help="generate the client package from specs",
        description="Render generated/kiwoom_typed from the specs (deterministic).",
    )
    p_generate.add_argument(
        "--specs", default="specs", help="spec directory (default: %(default)s)"
    )
    p_generate.add_argument(
        "--out", default="generated", help="output directory (default: %(default)s)"
    )
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
