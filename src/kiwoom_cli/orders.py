"""``kiwoom-typed order``: buy, sell, modify and cancel from the command line.

    kiwoom-typed order buy 005930 10 --price 70000 [--market | --type CODE] [--exchange KRX]
    kiwoom-typed order sell 005930 10 --market
    kiwoom-typed order modify 0000123 --price 69900 [--qty N] [--code 005930]
    kiwoom-typed order cancel 0000123 [--qty N]
    ... [--dry-run] [--yes] [--client-order-id ID --ledger FILE] [--env ...|--base-url ...]

Every order goes through ``kiwoom_orders.Orders``: the typed request, the checks before sending
(quantity, tick size, exchange), the ledger when a client order id is given. On the production
host (``--env prod``) the order is shown and confirmed on the terminal unless ``--yes``;
``--dry-run`` prints the exact request (the token masked) and sends nothing. After an
ambiguous failure the order is never resent: the command asks the order-status APIs and says
what they found. Exit codes: 0 taken (or found after a timeout), 1 refused or failed,
2 bad input, 3 the order's fate is still unknown (or it was not found: check, then resend).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

UNKNOWN_EXIT = 3
_NAMES = {"buy": "매수", "sell": "매도", "modify": "정정", "cancel": "취소"}


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``order`` command and its four actions."""
    order: argparse.ArgumentParser = sub.add_parser(
        "order",
        help="buy, sell, modify or cancel (asks before sending to production)",
        description=__doc__.split("\n\n")[2] if __doc__ else None,
    )
    actions = order.add_subparsers(dest="action", required=True)
    for action in ("buy", "sell"):
        p = actions.add_parser(action, help=f"{_NAMES[action]}: a new order")
        p.add_argument("code", help="stock code (005930) or US ticker (AAPL)")
        p.add_argument("qty", help="shares")
        price = p.add_mutually_exclusive_group()
        price.add_argument("--price", help="limit price (won; dollars for --product us)")
        price.add_argument("--market", action="store_true", help="a market order (시장가)")
        p.add_argument("--type", dest="kind", help="매매구분 code (trde_tp), e.g. 0, 3, 10, 61")
        p.add_argument("--cond-price", help="condition / stop price (cond_uv) for 스톱지정가")
        p.add_argument(
            "--tick-table",
            choices=("stock", "etf"),
            help="check the price against this KRX tick table (default: the finer ETF grid, "
            "so no valid price is refused)",
        )
        p.add_argument(
            "--check-limits",
            action="store_true",
            help="fetch today's price limits (ka10001) and refuse a price outside them",
        )
        _common(p)
    modify = actions.add_parser("modify", help="정정: move an open order to a new price")
    modify.add_argument("order_no")
    modify.add_argument("--price", required=True, help="the new price")
    modify.add_argument("--qty", default="0", help="shares to move (default 0: all left)")
    modify.add_argument("--code", help="stock code (default: the open order's)")
    _common(modify)
    cancel = actions.add_parser("cancel", help="취소: cancel an open order")
    cancel.add_argument("order_no")
    cancel.add_argument("--qty", default="0", help="shares to cancel (default 0: all left)")
    cancel.add_argument("--code", help="stock code (default: the open order's)")
    _common(cancel)
    return order


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--exchange", help="KRX, NXT or SOR (default KRX); US: ND, NY or NA (default ND)"
    )
    p.add_argument("--product", choices=("stock", "credit", "us"), default="stock")
    p.add_argument("--dry-run", action="store_true", help="print the request, send nothing")
    p.add_argument("--yes", action="store_true", help="do not ask before sending to production")
    p.add_argument("--client-order-id", help="never send this id twice (needs --ledger)")
    p.add_argument("--ledger", help="SQLite file of client order ids (created if missing)")
    p.add_argument(
        "--env",
        choices=("prod", "mock", "sandbox"),
        default=None,
        help="default: sandbox (an embedded one, or the --base-url if it is on this machine)",
    )
    p.add_argument("--base-url", help="any base URL (a loopback one is taken for a sandbox)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    p.add_argument(
        "--record",
        metavar="DIR",
        help="write each answer as a masked fixture under DIR (as for call)",
    )
    p.add_argument("--specs", help="spec directory for the sandbox (default: shipped)")
    p.add_argument("--fixtures", help="fixture directory for the sandbox (default: shipped)")
    p.set_defaults(func=run)


def _describe(args: argparse.Namespace) -> str:
    what = _NAMES[args.action]
    if args.action in ("buy", "sell"):
        price = "at market" if args.market or not args.price else f"at {args.price}"
        return f"{what} {args.qty} {args.code} {price} ({args.exchange or 'default exchange'})"
    extra = f" to {args.price}" if args.action == "modify" else ""
    return f"{what} order {args.order_no}{extra}, qty {args.qty} (0: all left)"


def _confirm(client: Any, args: argparse.Namespace, stdin: TextIO, err: TextIO) -> bool:
    """On the production host, ask on the terminal (``--yes`` skips it)."""
    if client.env != "prod" or args.yes or args.dry_run:
        return True
    err.write(f"production ({client.base_url}): {_describe(args)}. Send it? [y/N] ")
    err.flush()
    answer = stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _call(orders: Any, args: argparse.Namespace) -> Any:
    common: dict[str, Any] = {
        "exchange": args.exchange,
        "product": args.product,
        "client_order_id": args.client_order_id,
        "dry_run": args.dry_run,
    }
    if args.action in ("buy", "sell"):
        extra = {"cond_uv": args.cond_price} if args.cond_price else {}
        send = orders.buy if args.action == "buy" else orders.sell
        return send(
            args.code,
            args.qty,
            price=None if args.market else args.price,
            kind=args.kind,
            limits="fetch" if args.check_limits else None,
            etf=None if args.tick_table is None else args.tick_table == "etf",
            **common,
            **extra,
        )
    if args.action == "modify":
        return orders.modify(
            args.order_no, price=args.price, qty=args.qty, code=args.code, **common
        )
    return orders.cancel(args.order_no, qty=args.qty, code=args.code, **common)


def run(args: argparse.Namespace, *, stdin: TextIO | None = None, err: TextIO | None = None) -> int:
    """The ``order`` command; the exit code."""
    from kiwoom_cli.main import _client
    from kiwoom_orders import DryRun, Orders
    from kiwoom_runtime import OrderStateUnknownError

    stdin = stdin or sys.stdin
    err = err or sys.stderr
    with _client(args) as client:
        if not _confirm(client, args, stdin, err):
            print("aborted: nothing was sent", file=err)
            return 1
        # One process per order: list the day's orders first, so that a failure can be
        # reconciled even against identical orders sent earlier (by this tool or another).
        orders = Orders(client, ledger=args.ledger, baseline=not args.dry_run)
        try:
            result = _call(orders, args)
        except OrderStateUnknownError as error:
            print(f"error: {error}", file=err)
            found = error.reconcile()
            print(f"reconciled: {found}", file=err)
            if found.landed:
                print(json.dumps({"ord_no": found.order_no, "reconciled": True}))
                return 0
            return UNKNOWN_EXIT
    if isinstance(result, DryRun):
        print(result)
        return 0
    print(json.dumps(result.response.to_dict(), ensure_ascii=False))
    return 0
