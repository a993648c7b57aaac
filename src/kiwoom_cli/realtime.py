"""``kiwoom-typed stream`` and ``kiwoom-typed conditions``: the WebSocket from the command line.

    kiwoom-typed stream 0B 005930 000660 [--format table|json] [--seconds N] [--count N]
    kiwoom-typed stream 00                      (account-wide types take no item)
    kiwoom-typed stream FE NVDA:ND --market us  (US items: ticker[:exchange])
    kiwoom-typed conditions list
    kiwoom-typed conditions run SEQ [--realtime] [--seconds N] [--count N]

The environment options are those of ``call`` (``--env`` defaults to an embedded sandbox).
``stream`` shows a table that updates in place on a terminal, one row per item with its latest
values, and JSON lines (one REAL record as received per line) when the output is piped; Ctrl-C
stops it (exit 0), ``--seconds`` / ``--count`` stop it for scripts. Reconnections and dropped
events are told on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from kiwoom_cli.output import render_table

__all__ = ["add_commands"]

#: Columns of the table when ``--fields`` is not given: the first documented fields.
DEFAULT_COLUMNS = 8
#: Redraws per second at most on a terminal (a busy feed would otherwise flicker).
REDRAW_HZ = 8.0
_CLEAR = "\x1b[H\x1b[2J"


def UsageError(message: str) -> Exception:
    """The command line's own usage error (``error: ...``, exit code 2)."""
    from kiwoom_cli.main import UsageError as CliUsageError

    return CliUsageError(message)


def _env_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        choices=("prod", "mock", "sandbox"),
        default=None,
        help="default: sandbox (an embedded one, or the --base-url if it is on this machine)",
    )
    parser.add_argument("--base-url", help="the REST base URL whose tokens the WebSocket uses")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--specs", help="spec directory for the sandbox (default: shipped)")
    parser.add_argument("--fixtures", help="fixture directory for the sandbox (default: shipped)")
    parser.add_argument(
        "--market", choices=("domestic", "us"), default=None, help="default: the type's market"
    )
    parser.set_defaults(record=None)  # the REST client of `call` can record; a stream does not


def _stop_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=None, help="stop after N seconds")
    parser.add_argument("--count", type=int, default=None, help="stop after N records")


def add_commands(sub: Any) -> None:
    """Add ``stream`` and ``conditions`` to the ``kiwoom-typed`` subcommands."""
    stream = sub.add_parser(
        "stream",
        help="stream a real-time type (0B 주식체결, 0D 호가, 00 주문체결, ...)",
        description="Register a real-time type for items and show its records as they come.",
    )
    stream.add_argument("type", help="real-time type code: 0B, 0D, 00, FE, ...")
    stream.add_argument("items", nargs="*", help="codes (005930, 005930_NX); US: NVDA[:ND]")
    stream.add_argument(
        "--format",
        choices=("table", "json"),
        default=None,
        help="default: table on a terminal, JSON lines when piped",
    )
    stream.add_argument("--fields", help="table columns: names or field ids, comma-separated")
    _env_arguments(stream)
    _stop_arguments(stream)
    # An embedded sandbox runs its clock a market minute a second, so the stream moves (its
    # prices are those of the clock's minute); `kiwoom-typed sandbox --clock-speed` for others.
    stream.set_defaults(func=_cmd_stream, sandbox_clock_speed=60.0)

    conditions = sub.add_parser(
        "conditions",
        help="list and run condition searches (made in 영웅문)",
        description="Condition search over the WebSocket: list the saved conditions, run one.",
    )
    actions = conditions.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the saved conditions (seq, name)")
    _env_arguments(listing)
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(func=_cmd_conditions_list)
    run = actions.add_parser("run", help="run one: its hits, and with --realtime the changes")
    run.add_argument("seq", help="the condition's seq (see `conditions list`)")
    run.add_argument(
        "--realtime", action="store_true", help="keep running: print insertions / removals"
    )
    run.add_argument("--format", choices=("table", "json"), default="table")
    _env_arguments(run)
    _stop_arguments(run)
    run.set_defaults(func=_cmd_conditions_run)


# --- the session ---------------------------------------------------------------------------------


def _session(args: argparse.Namespace, market: str) -> Any:
    """A blocking typed stream on the environment the options name (context manager)."""
    import contextlib

    from kiwoom_cli.main import _client

    @contextlib.contextmanager
    def opened() -> Any:
        from kiwoom_typed.realtime import RealtimeStream

        with _client(args) as client, RealtimeStream(client, market=market) as rt:
            yield rt

    return opened()


def _models() -> Mapping[str, Any]:
    try:
        from kiwoom_typed.realtime import MODELS
    except ImportError as exc:  # websockets missing
        raise UsageError(f"real-time needs the realtime extra ({exc})") from None
    return MODELS


def _us_item(text: str) -> dict[str, str]:
    code, _, exchange = text.partition(":")
    return {"jmcode": code, "stex_tp": exchange or "ND"}


class _Stopper:
    """``--seconds`` / ``--count``: how long to wait for the next record, and when to stop."""

    def __init__(self, args: argparse.Namespace) -> None:
        if args.count is not None and args.count < 1:
            raise UsageError("--count must be at least 1")
        if args.seconds is not None and args.seconds <= 0:
            raise UsageError("--seconds must be positive")
        self.deadline: float | None = (
            None if args.seconds is None else time.monotonic() + float(args.seconds)
        )
        self.count: int | None = args.count
        self.seen = 0

    def wait(self) -> float | None:
        """Seconds the next ``get`` may wait (None: for ever); <= 0: stop now."""
        if self.count is not None and self.seen >= self.count:
            return 0.0
        if self.deadline is None:
            return None
        return self.deadline - time.monotonic()


def _note(event: Any, err: TextIO) -> bool:
    """Print a control event on stderr; True when ``event`` was one."""
    from kiwoom_realtime import ConditionSnapshot, Dropped, Gap, SystemNotice

    if isinstance(event, Gap):
        print(
            f"note: the connection was lost ({event.reason}); resumed after "
            f"{event.duration:.1f} s, everything registered again",
            file=err,
        )
    elif isinstance(event, Dropped):
        print(f"note: {event.count} records dropped (the output is slower than the feed)", file=err)
    elif isinstance(event, SystemNotice):
        print(f"note: server notice {event.code} {event.message}", file=err)
    elif isinstance(event, ConditionSnapshot):
        print(f"note: condition {event.seq} restarted with {len(event.codes)} hits", file=err)
    else:
        return False
    err.flush()
    return True


# --- stream --------------------------------------------------------------------------------------


def _columns(model: Any, fields: str | None) -> list[tuple[str, str]]:
    """(field id, column name) of the table."""
    by_name = {name: field_id for field_id, name in model.FIELDS.items()}
    if not fields:
        return [(i, n) for i, n in list(model.FIELDS.items())[:DEFAULT_COLUMNS]]
    out = []
    for wanted in (f.strip() for f in fields.split(",") if f.strip()):
        if wanted in model.FIELDS:
            out.append((wanted, model.FIELDS[wanted]))
        elif wanted in by_name:
            out.append((by_name[wanted], wanted))
        else:
            known = ", ".join(list(by_name)[:12])
            raise UsageError(
                f"--fields: {wanted!r} is neither a field of {model.TYPE} nor its id "
                f"(e.g. {known}, ...)"
            )
    return out


def _table(rows: Mapping[str, Any], columns: list[tuple[str, str]]) -> str:
    body = [
        {"item": item, **{name: record.get(field_id) or "" for field_id, name in columns}}
        for item, record in rows.items()
    ]
    return render_table([{"rows": body}])


def _cmd_stream(args: argparse.Namespace) -> int:
    models = _models()
    model = models.get(args.type)
    if model is None:
        raise UsageError(
            f"unknown real-time type {args.type!r}; documented: {', '.join(sorted(models))}"
        )
    market = args.market or model.MARKET
    items: list[Any] = list(args.items)
    if market == "us":
        items = [_us_item(i) for i in items]
    out, err = sys.stdout, sys.stderr
    fmt = args.format or ("table" if out.isatty() else "json")
    columns = _columns(model, args.fields)  # checked whatever the format: bad input is exit 2
    live = fmt == "table" and out.isatty()
    stopper = _Stopper(args)
    latest: dict[str, Any] = {}
    last_draw = 0.0
    with _session(args, market) as rt:
        rt.subscribe_type(args.type, items or None, market=market)
        print(
            f"streaming {args.type} {model.NAME} for {', '.join(args.items) or 'the account'} "
            f"from {rt.url} (Ctrl-C stops)",
            file=err,
            flush=True,
        )
        try:
            while (wait := stopper.wait()) is None or wait > 0:
                try:
                    event = rt.get(timeout=wait)
                except TimeoutError:
                    break
                if _note(event, err) or not hasattr(event, "values"):
                    continue
                if getattr(event, "type", None) != args.type:
                    continue  # 00 arrives for the account whatever is registered
                stopper.seen += 1
                if fmt == "json":
                    record = (
                        event.to_record()
                        if hasattr(event, "to_record")
                        else {
                            "type": event.type,
                            "name": event.name,
                            "item": event.item,
                            "values": dict(event.values),
                        }
                    )
                    print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
                    continue
                latest[event.item or "-"] = event.values
                now = time.monotonic()
                if live and now - last_draw >= 1 / REDRAW_HZ:
                    out.write(_CLEAR + _table(latest, columns) + "\n")
                    out.flush()
                    last_draw = now
        except KeyboardInterrupt:
            pass
    if fmt == "table":
        text = _table(latest, columns) if latest else "(no records)"
        out.write((_CLEAR if live else "") + text + "\n")
        out.flush()
    return 0


# --- conditions --------------------------------------------------------------------------------


def _cmd_conditions_list(args: argparse.Namespace) -> int:
    with _session(args, args.market or "domestic") as rt:
        conditions = rt.list_conditions()
    if args.format == "json":
        print(json.dumps([{"seq": c.seq, "name": c.name} for c in conditions], ensure_ascii=False))
    else:
        print(render_table([{"rows": [{"seq": c.seq, "name": c.name} for c in conditions]}]))
    return 0


def _hit_rows(rows: Any, market: str) -> list[dict[str, Any]]:
    """Hits with named columns (the generated row model of ka10172 / usa20281)."""
    from kiwoom_typed.realtime import ROWS

    row_model = ROWS.get("usa20281" if market == "us" else "ka10172")
    out = []
    for row in rows:
        if row_model is None:
            out.append(dict(row))
            continue
        typed = row_model.from_row(row)
        out.append({name: typed.values.get(fid) for fid, name in typed.FIELDS.items()})
    return out


def _cmd_conditions_run(args: argparse.Namespace) -> int:
    from kiwoom_realtime import ConditionChange

    market = args.market or "domestic"
    out, err = sys.stdout, sys.stderr
    stopper = _Stopper(args)
    with _session(args, market) as rt:
        if not args.realtime:
            result = rt.search(args.seq)
            rows = _hit_rows(result.rows, market)
            if args.format == "json":
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                print(render_table([{"rows": rows}]))
            print(f"{len(rows)} hit(s) in {result.pages} page(s)", file=err)
            return 0
        codes = rt.start_condition(args.seq)
        print(
            f"condition {args.seq}: {len(codes)} hit(s) now; changes follow (Ctrl-C stops)",
            file=err,
            flush=True,
        )
        if args.format == "json":
            print(json.dumps({"seq": args.seq, "codes": list(codes)}), file=out, flush=True)
        else:
            print(" ".join(codes) or "(none)", file=out, flush=True)
        try:
            while (wait := stopper.wait()) is None or wait > 0:
                try:
                    event = rt.get(timeout=wait)
                except TimeoutError:
                    break
                if _note(event, err) or not isinstance(event, ConditionChange):
                    continue
                stopper.seen += 1
                if args.format == "json":
                    change = {
                        "seq": event.seq,
                        "code": event.code,
                        "action": event.action,
                        "time": event.time,
                    }
                    print(json.dumps(change), file=out, flush=True)
                else:
                    sign = "+" if event.inserted else "-"
                    print(f"{event.time} {sign} {event.code}", file=out, flush=True)
        except KeyboardInterrupt:
            pass
        rt.stop_condition(args.seq)
    return 0
