"""The sandbox's command line, shared by ``python -m kiwoom_sandbox`` and ``kiwoom-typed sandbox``.

One argument builder (``add_arguments``) and one runner (``run``), so both entry points take the
same flags and behave the same way:

* the first line on stdout is ``kiwoom-sandbox listening on http://HOST:PORT ...`` (scripts
  that start it with ``--port 0`` read the URL from it);
* bad input exits 2 with one message and no traceback: a bad spec prints the located
  ``SpecError`` (``specs/ka10001.yaml:42: response.body[3].length: ...``), a bad fixture its
  file and problem, a port in use the address and the reason;
* Ctrl-C (or SIGTERM) stops the server and exits 0.

This module imports nothing heavy at import time: ``kiwoom-typed`` builds its parser on every
run, and the specs are only loaded when the server starts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from kiwoom_sandbox.config import SandboxConfig
    from kiwoom_sandbox.server import Sandbox

PROG = "python -m kiwoom_sandbox"
DESCRIPTION = (
    "A local Kiwoom REST API server driven by the specs: fixtures for the requests they "
    "recorded, documentation examples where they fit the spec, and otherwise answers built "
    "from the spec's fields over one deterministic price path per symbol."
)
_KST = dt.timezone(dt.timedelta(hours=9), "KST")


class UsageError(Exception):
    """Bad input on the command line or in the files it names: exit 2, one message."""


def _market_date(text: str) -> dt.date:
    if text == "today":
        return dt.datetime.now(_KST).date()
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYYMMDD or 'today', got {text!r}") from None


def _clock(text: str) -> dt.time | str:
    if text == "now":
        return text
    try:
        return dt.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HH:MM or 'now', got {text!r}") from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return port


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add every sandbox option to ``parser`` (both entry points call this)."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=_port, default=8080, help="0 picks a free port (default: %(default)s)"
    )
    parser.add_argument(
        "--specs", type=Path, metavar="DIR", help="spec directory (default: the shipped specs)"
    )
    data = parser.add_argument_group("answers")
    data.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        help="fixture directory (default: the shipped fixtures)",
    )
    data.add_argument("--no-fixtures", action="store_true", help="serve no recorded answers")
    data.add_argument(
        "--no-examples", action="store_true", help="never serve documentation examples"
    )
    data.add_argument("--seed", type=int, default=0, metavar="N", help="seed of every price path")
    data.add_argument(
        "--date",
        type=_market_date,
        metavar="YYYYMMDD|today",
        help="the trading day answers describe (default: 20250131, so answers are reproducible)",
    )
    data.add_argument(
        "--any-symbol",
        action="store_true",
        help="serve every well-formed stock code; by default only listed ones (others: 1901)",
    )
    data.add_argument(
        "--rows-per-page",
        type=_positive(int),
        default=3,
        metavar="N",
        help="rows of synthetic LISTs",
    )
    data.add_argument(
        "--pages", type=_positive(int), default=1, metavar="N", help="synthetic pages of paged TRs"
    )
    paper = parser.add_argument_group("paper trading (orders and the account APIs)")
    paper.add_argument(
        "--clock",
        type=_clock,
        metavar="HH:MM|now",
        help="the sandbox clock's start on the market date, Korea time (default 10:00); "
        "'now' follows the real Korea time",
    )
    paper.add_argument(
        "--clock-speed",
        type=float,
        metavar="X",
        help="run the clock at X market seconds a real second (60: a minute a second; "
        "default 0: it moves only when set)",
    )
    paper.add_argument(
        "--cash", type=_positive(int), metavar="WON", help="won on deposit (default 10,000,000)"
    )
    paper.add_argument(
        "--state-file",
        type=Path,
        metavar="FILE",
        help="keep the paper account in this JSON file, so it survives a restart",
    )
    paper.add_argument(
        "--no-paper-trading",
        action="store_true",
        help="answer orders and account APIs with stateless synthetic data instead",
    )
    data.add_argument(
        "--symbols",
        type=_positive(int),
        metavar="N",
        help="list N KRX symbols (the well-known ones, then made-up ones, deterministically; "
        "default: 381)",
    )
    data.add_argument(
        "--chart-page-rows",
        type=_positive(int),
        default=600,
        metavar="N",
        help="rows of a daily/weekly/monthly/yearly chart page (default: %(default)s)",
    )
    data.add_argument(
        "--intraday-page-rows",
        type=_positive(int),
        default=900,
        metavar="N",
        help="rows of a minute or tick chart page (default: %(default)s)",
    )
    data.add_argument(
        "--history-start",
        type=_market_date,
        metavar="YYYYMMDD",
        help="the oldest day charts reach (default: 20000104; later listings start later)",
    )
    live = parser.add_argument_group("behaviour of the live service")
    live.add_argument("--mode", choices=("prod", "mock"), default="prod")
    live.add_argument(
        "--token-lifetime",
        type=_positive(float),
        default=86400.0,
        metavar="SECONDS",
        help="seconds",
    )
    live.add_argument(
        "--invalidate-previous-token",
        action="store_true",
        help="a new token knocks out the appkey's older ones",
    )
    live.add_argument(
        "--rate", type=_positive(float), metavar="PER_SECOND", help="global requests per second"
    )
    live.add_argument(
        "--rate-per-api",
        type=_positive(float),
        metavar="PER_SECOND",
        help="requests per second per TR",
    )
    live.add_argument(
        "--burst", type=_positive(int), default=2, metavar="N", help="burst of --rate-per-api"
    )
    live.add_argument(
        "--rate-limit-status",
        type=int,
        choices=(200, 429),
        default=200,
        help="HTTP status of the 1700 answer",
    )
    return parser


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    return add_arguments(argparse.ArgumentParser(prog=prog, description=DESCRIPTION))


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The ``SandboxConfig`` the options describe (``UsageError`` for a missing directory)."""
    import attrs

    from kiwoom_sandbox.config import RateLimit, SandboxConfig
    from kiwoom_sandbox.orders.config import TradingConfig

    changes: dict[str, object] = {}
    if args.specs is not None:
        changes["specs_dir"] = args.specs
    if args.no_fixtures:
        changes["fixtures_dir"] = None
    elif args.fixtures is not None:
        if not args.fixtures.is_dir():
            raise UsageError(f"{args.fixtures}: no such fixture directory")
        changes["fixtures_dir"] = args.fixtures
    if args.date is not None:
        changes["market_date"] = args.date
    if args.symbols is not None:
        from kiwoom_sandbox.symbols import Universe

        changes["universe"] = Universe.of_size(args.symbols)
    if args.history_start is not None:
        changes["history_start"] = args.history_start
    if args.rate is not None:
        changes["global_limit"] = RateLimit(args.rate, max(1, int(args.rate)))
    if args.rate_per_api is not None:
        changes["per_api_limit"] = RateLimit(args.rate_per_api, args.burst)
    trading = TradingConfig()
    if args.cash is not None:
        trading = attrs.evolve(trading, cash=args.cash)
    if args.clock_speed is not None:
        if args.clock_speed < 0:
            raise UsageError(f"--clock-speed must be >= 0, got {args.clock_speed:g}")
        trading = attrs.evolve(trading, clock_speed=args.clock_speed)
    if args.clock == "now":
        trading = attrs.evolve(trading, wall_clock=True)
    elif args.clock is not None:
        trading = attrs.evolve(trading, clock_start=args.clock)
    changes["trading"] = trading
    changes["paper_trading"] = not args.no_paper_trading
    if args.state_file is not None:
        changes["state_file"] = args.state_file
    try:
        return SandboxConfig(
            host=args.host,
            port=args.port,
            mode=args.mode,
            token_lifetime=args.token_lifetime,
            invalidate_previous_token=args.invalidate_previous_token,
            rate_limit_status=args.rate_limit_status,
            rows_per_page=args.rows_per_page,
            synthetic_pages=args.pages,
            chart_page_rows=args.chart_page_rows,
            intraday_page_rows=args.intraday_page_rows,
            seed=args.seed,
            symbol_policy="any" if args.any_symbol else "listed",
            use_examples=not args.no_examples,
            **changes,  # type: ignore[arg-type]
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _start(args: argparse.Namespace) -> Sandbox:
    """Build the config, load specs and fixtures, bind the port: every way to fail at start."""
    from codegen.errors import SpecError
    from kiwoom_sandbox.fixtures import FixtureError
    from kiwoom_sandbox.server import Sandbox

    config = config_from_args(args)
    try:
        sandbox = Sandbox(config)
    except (SpecError, FixtureError) as exc:
        raise UsageError(str(exc)) from None
    try:
        return sandbox.start()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {config.host}:{config.port}: {reason}") from None


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Start the sandbox the options describe and serve until Ctrl-C; the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        sandbox = _start(args)
    except UsageError as exc:
        print(f"error: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        return 0
    config = sandbox.config
    listed = (
        "every well-formed stock code is served"
        if config.symbol_policy == "any"
        else f"{len(config.universe)} stock codes listed, others answer [1901] (--any-symbol)"
    )
    try:
        with _stop_signal() as stopped:
            # The bound URL (with the real port when --port 0) is the first line, for scripts.
            print(
                f"kiwoom-sandbox listening on {sandbox.base_url} "
                f"({len(sandbox.app.routes.by_api_id)} TRs from {config.specs_dir}; "
                f"Ctrl-C stops it)",
                file=out,
                flush=True,
            )
            print(
                f"market date {config.market_date:%Y-%m-%d}, seed {config.seed}; {listed}", file=out
            )
            if config.paper_trading:
                kept = f"kept in {config.state_file}" if config.state_file else "in memory"
                clock = sandbox.clock
                pace = (
                    "following Korea time"
                    if clock.wall
                    else f"running x{clock.speed:g}"
                    if clock.speed
                    else "standing still (--clock-speed 60 runs it, --clock now follows Korea time)"
                )
                print(
                    f"paper account: {sandbox.orders.settled_cash():,} won, {kept}; clock "
                    f"{clock.now():%Y-%m-%d %H:%M} KST, {pace}",
                    file=out,
                )
            print(_realtime_line(sandbox), file=out)
            out.flush()
            stopped.wait()  # until SIGTERM; Ctrl-C raises KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


def _realtime_line(sandbox: Sandbox) -> str:
    """Start the WebSocket side now (clients find it through ``GET /_sandbox/realtime``)."""
    try:
        url = sandbox.ws_url
    except ImportError:
        return "real-time (WebSocket): not served (pip install 'kiwoom-typed[realtime]')"
    types = len(sandbox.realtime.config.field_table)
    return (
        f"real-time (WebSocket) on {url}/api/dostk/websocket and /api/us/websocket "
        f"({types} real-time types, condition search)"
    )


@contextlib.contextmanager
def _stop_signal() -> Iterator[threading.Event]:
    """An event SIGTERM (a service manager's stop) sets; installed before the first line is
    printed, so a script that reads the URL and stops the server at once always exits 0."""
    stopped = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopped  # signals reach the main thread only; a caller thread waits for ever
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stopped.set())
    try:
        yield stopped
    finally:
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))
