"""Run the fake Cap server standalone.

    python -m tests.fakecap [--port N] [--balance MICRO] [--environment E]
                            [--origin URL ...] [--rate-limit-window S]
                            [--presign-expiry S]

Prints one JSON line (base_url, public_key, secret_key, app_id, s3_url,
environment, origins) on stdout once it is ready, then serves until SIGINT or
SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from tests.fakecap.server import FakeCap


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakecap", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="API port (default: ephemeral)")
    parser.add_argument("--balance", type=int, default=1_000_000_000, help="micro-credits")
    parser.add_argument(
        "--environment", choices=("development", "production"), default="development"
    )
    parser.add_argument("--origin", action="append", default=[], help="allowed origin")
    parser.add_argument("--rate-limit-window", type=float, default=60.0, help="seconds")
    parser.add_argument("--rate-limit-max", type=int, default=60)
    parser.add_argument("--presign-expiry", type=int, default=3600, help="seconds")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = FakeCap(
        port=args.port,
        rate_limit_window=args.rate_limit_window,
        rate_limit_max=args.rate_limit_max,
        presign_expiry=args.presign_expiry,
    ).start()
    try:
        keys = server.create_app(
            environment=args.environment, balance=args.balance, origins=args.origin
        )
        print(json.dumps({
            "base_url": server.base_url,
            "public_key": keys.public_key,
            "secret_key": keys.secret_key,
            "app_id": keys.app_id,
            "s3_url": server.s3_url,
            "environment": keys.environment,
            "origins": list(keys.origins),
        }), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
