"""Argument parsing and the commands of ``kiwoom-typed``.

    kiwoom-typed call ka10001 stk_cd=005930 [--env prod|mock|sandbox] [--format json|table|csv]
    kiwoom-typed call ka10005 stk_cd=005930 --all-pages | --max-pages N
    kiwoom-typed call ka10001 stk_cd=005930 --base-url http://127.0.0.1:8080   (a sandbox)
    kiwoom-typed call ka10001 stk_cd=005930 --env mock --record recordings/   (masked fixtures)
    kiwoom-typed list
    kiwoom-typed order buy 005930 10 --price 70000 [--dry-run]   (kiwoom_cli.orders)
    kiwoom-typed sandbox [--port 8080]
    kiwoom-typed stream 0B 005930 000660 [--format table|json] [--seconds N | --count N]
    kiwoom-typed conditions list | run SEQ [--realtime]
    kiwoom-typed download daily --codes 005930,000660 --from 20240101   (into history.duckdb)

Credentials come from KIWOOM_APPKEY / KIWOOM_SECRETKEY only, never from the command line (where
they would land in the shell history); a sandbox target (``--env sandbox``, or a loopback
``--base-url``) needs none. Exit codes: 0 ok, 1 the server or the network failed,
2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

# Only what building the parser needs is imported here: `kiwoom-typed --help` (and a usage
# error) never loads the client, httpx or the sandbox. Each command imports what it uses.
from kiwoom_cli import orders as order_cli
from kiwoom_cli import realtime as realtime_cli
from kiwoom_sandbox import cli as sandbox_cli

if TYPE_CHECKING:
    from kiwoom_sandbox import SandboxConfig


class UsageError(Exception):
    """Bad command-line input: printed as ``error: ...`` with exit code 2."""


def _parse_arguments(pairs: Sequence[str]) -> dict[str, str]:
    arguments: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"expected NAME=VALUE, got {pair!r}")
        if key in arguments:
            raise UsageError(f"argument {key!r} given twice")
        arguments[key] = value
    return arguments


def _sandbox_config(args: argparse.Namespace, port: int = 0) -> SandboxConfig:
    """The directories given on the command line; else the sandbox's shipped ones."""
    import attrs

    from kiwoom_sandbox import SandboxConfig

    config = SandboxConfig(port=port)
    if args.specs is not None:
        config = attrs.evolve(config, specs_dir=Path(args.specs))
    if args.fixtures is not None:
        config = attrs.evolve(config, fixtures_dir=Path(args.fixtures))
    speed = getattr(args, "sandbox_clock_speed", None)
    if speed:  # `stream`: the embedded sandbox's market moves while one watches
        config = attrs.evolve(config, trading=attrs.evolve(config.trading, clock_speed=speed))
    return config


def _is_loopback(base_url: str) -> bool:
    """True for a URL on this machine (127.0.0.0/8, ::1, localhost): a local sandbox."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    """The typed client for the chosen environment; starts a sandbox for ``--env sandbox``.

    A sandbox target (``--env sandbox``, or a loopback ``--base-url`` without ``--env``)
    needs no credentials: the client sends placeholders and does not read KIWOOM_APPKEY /
    KIWOOM_SECRETKEY, so real keys never go to a test server. Any other host needs real ones.
    """
    from kiwoom_typed import Client

    options: dict[str, Any] = {"timeout": args.timeout}
    if args.record is not None:
        options["record"] = args.record  # else KIWOOM_RECORD, read by the client
    env = args.env
    if args.base_url is None:
        env = env or "sandbox"
    elif env is None and _is_loopback(args.base_url):
        env = "sandbox"
    if env == "sandbox" and args.base_url is None:
        from kiwoom_sandbox import Sandbox

        with Sandbox(_sandbox_config(args)) as sandbox:
            with Client(env="sandbox", base_url=sandbox.base_url, **options) as client:
                yield client
        return
    if args.base_url is not None:
        options["base_url"] = args.base_url
    if env is not None:
        options["env"] = env
    with Client(**options) as client:
        yield client


class _Progress:
    """Page progress on stderr, only when it is a terminal (never in pipes or logs)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.shown = False

    def update(self, pages: int, rows: int) -> None:
        if self.enabled:
            self.stream.write(f"\rpage {pages} · {rows} rows")
            self.stream.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")


def _cmd_call(args: argparse.Namespace) -> int:
    from kiwoom_cli.output import list_key, render
    from kiwoom_typed import REGISTRY

    arguments = _parse_arguments(args.arguments)
    info = REGISTRY.info(args.api_id)
    info.build_request(arguments)  # checks arguments before any connection is made
    all_pages = args.all_pages or args.max_pages is not None  # --max-pages implies paging
    with _client(args) as client:
        if all_pages:
            progress = _Progress(sys.stderr)
            bodies: list[dict[str, Any]] = []
            rows = 0
            pager = client.paginate(args.api_id, max_pages=args.max_pages, **arguments)
            for page in pager:
                body = page.to_dict()
                bodies.append(body)
                key = list_key(body)
                rows += len(body.get(key) or []) if key else 1
                progress.update(len(bodies), rows)
            progress.done()
            if pager.truncated:
                print(
                    f"note: stopped after {len(bodies)} page(s) (--max-pages); more remain",
                    file=sys.stderr,
                )
        else:
            response = client.call(args.api_id, **arguments)
            bodies = [response.to_dict()]
            raw = getattr(response, "raw", None)
            if raw is not None and raw.cont_yn:
                # Never let page 1 pass silently for the whole list.
                print(
                    "note: more pages exist (the answer says cont-yn: Y); this is page 1 only: "
                    "add --all-pages (or --max-pages N) to fetch them",
                    file=sys.stderr,
                )
    print(render(bodies, args.format, all_pages=all_pages))
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from kiwoom_typed import REGISTRY

    for api_id in sorted(REGISTRY):
        info = REGISTRY[api_id]
        paged = " (paged)" if info.paged else ""
        print(f"{api_id}  {info.method_name:<34} {info.name} — {info.english_name}{paged}")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    # The same command line as `python -m kiwoom_sandbox`: options, messages, exit codes.
    return sandbox_cli.run(args)


def _cmd_download(args: argparse.Namespace) -> int:
    from kiwoom_history import cli as history_cli

    return history_cli.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiwoom-typed", description="Kiwoom REST API from the command line."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    call = sub.add_parser("call", help="call one TR by its API ID")
    call.add_argument("api_id", help="e.g. ka10001")
    call.add_argument("arguments", nargs="*", metavar="NAME=VALUE", help="request fields")
    call.add_argument(
        "--env",
        choices=("prod", "mock", "sandbox"),
        default=None,
        help="default: sandbox (an embedded one, or the --base-url if it is on this machine)",
    )
    call.add_argument(
        "--base-url",
        help="any base URL; a loopback one (127.0.0.1, localhost) is taken for a sandbox "
        "and needs no credentials unless --env prod/mock says otherwise",
    )
    call.add_argument("--format", choices=("json", "table", "csv"), default="json")
    call.add_argument("--all-pages", action="store_true", help="follow cont-yn / next-key")
    call.add_argument(
        "--max-pages", type=int, default=None, help="follow at most N pages (implies --all-pages)"
    )
    call.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    call.add_argument(
        "--record",
        metavar="DIR",
        help="write each answer as a fixture under DIR/<api_id>/, account numbers, personal "
        "values, credentials and order numbers masked (default: KIWOOM_RECORD, if set)",
    )
    call.add_argument("--specs", help="spec directory for the sandbox (default: shipped)")
    call.add_argument("--fixtures", help="fixture directory for the sandbox (default: shipped)")
    call.set_defaults(func=_cmd_call)

    listing = sub.add_parser("list", help="list the TRs this client knows")
    listing.set_defaults(func=_cmd_list)

    order_cli.add_parser(sub)

    sandbox = sub.add_parser(
        "sandbox",
        help="run the local Kiwoom sandbox server",
        description=sandbox_cli.DESCRIPTION,
    )
    sandbox_cli.add_arguments(sandbox)
    sandbox.set_defaults(func=_cmd_sandbox)

    realtime_cli.add_commands(sub)  # stream, conditions (kiwoom_cli.realtime)
    from kiwoom_history import cli as history_cli  # argparse only; DuckDB is loaded on use

    download = sub.add_parser(
        "download",
        help="download chart history into a DuckDB file (resumable, incremental)",
        description=history_cli.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    history_cli.add_arguments(download)
    download.set_defaults(func=_cmd_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "max_pages", None) is not None and args.max_pages < 1:
        parser.error("--max-pages must be at least 1")
    from kiwoom_runtime.errors import ArgumentError, KiwoomError

    try:
        code: int = args.func(args)
    except (UsageError, ArgumentError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KiwoomError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code
