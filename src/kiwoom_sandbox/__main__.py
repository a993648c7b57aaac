"""``python -m kiwoom_sandbox --port 8080``: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from pathlib import Path

from kiwoom_sandbox.config import RateLimit, SandboxConfig
from kiwoom_sandbox.server import Sandbox


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kiwoom_sandbox", description="Local Kiwoom REST API sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--specs", type=Path, default=Path("specs"))
    parser.add_argument("--fixtures", type=Path, default=Path("tests/fixtures"))
    parser.add_argument("--mode", choices=("prod", "mock"), default="prod")
    parser.add_argument("--token-lifetime", type=float, default=86400.0, help="seconds")
    parser.add_argument("--invalidate-previous-token", action="store_true")
    parser.add_argument("--rate", type=float, help="global requests per second")
    parser.add_argument("--rate-per-api", type=float, help="requests per second per api-id")
    parser.add_argument("--burst", type=int, default=2, help="burst of --rate-per-api")
    parser.add_argument("--rows-per-page", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    config = SandboxConfig(
        specs_dir=args.specs,
        fixtures_dir=args.fixtures,
        host=args.host,
        port=args.port,
        mode=args.mode,
        token_lifetime=args.token_lifetime,
        invalidate_previous_token=args.invalidate_previous_token,
        global_limit=None if args.rate is None else RateLimit(args.rate, max(1, int(args.rate))),
        per_api_limit=None
        if args.rate_per_api is None
        else RateLimit(args.rate_per_api, args.burst),
        rows_per_page=args.rows_per_page,
        seed=args.seed,
    )
    with Sandbox(config) as sandbox:
        # The bound URL (with the real port when --port 0) is the first line, for scripts.
        print(f"kiwoom-sandbox listening on {sandbox.base_url} (specs={args.specs})", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
