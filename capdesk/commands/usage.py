"""``capdesk usage``: the credit balance (needs the secret key)."""

from __future__ import annotations

import argparse
from typing import Any

from capdesk.cap.errors import CapError
from capdesk.commands.output import emit_json, fail


def register(sub: Any) -> None:
    parser = sub.add_parser("usage", help="show the credit balance (needs the secret key)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from capdesk import connect  # httpx, keyring
    from capdesk.cap.models import MICRO_CREDITS_PER_MINUTE

    try:
        with connect.http_client() as http:
            usage = connect.rest(http).usage()
    except CapError as exc:
        return fail(exc)
    if args.json:
        emit_json(
            {
                "balanceMicroCredits": usage.balance_micro_credits,
                "balanceDollars": usage.balance_dollars,
                "totalVideos": usage.total_videos,
                "totalDurationMinutes": usage.total_duration_minutes,
            }
        )
        return 0
    minutes = usage.balance_micro_credits / MICRO_CREDITS_PER_MINUTE
    print(f"Balance: {usage.balance_micro_credits:,} micro-credits (${usage.balance_dollars:.2f}),"
          f" about {minutes:,.0f} minutes of recording")
    print(f"Videos:  {usage.total_videos} ({usage.total_duration_minutes:,.1f} minutes in all)")
    return 0
