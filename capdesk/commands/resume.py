"""``capdesk resume``: finish every interrupted upload."""

from __future__ import annotations

import argparse
from typing import Any

from capdesk import exitcodes
from capdesk.cap.errors import CapError
from capdesk.commands.output import emit_json, fail, say


def register(sub: Any) -> None:
    parser = sub.add_parser("resume", help="finish every interrupted upload")
    parser.add_argument("--json", action="store_true", help="print a JSON list of results")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from capdesk import connect  # httpx, keyring
    from capdesk.engine import damaged_journals, resume_one, unfinished
    from capdesk.engine import exit_code_for as exit_code
    from capdesk.engine import upload_summary as summary

    for damaged in damaged_journals():
        say(f"warning: {damaged.warning()}")  # stderr, with --json too
    pending = unfinished()
    if not pending:
        if args.json:
            emit_json([])
        else:
            say("Nothing to resume.")
        return exitcodes.OK
    try:
        clients = connect.upload_clients()
    except CapError as exc:
        return fail(exc)
    results = []
    codes = []
    with clients:
        for journal in pending:
            if not args.json:
                say(f"Resuming {journal.spool_path} ...")
            done = resume_one(journal, clients.sdk, clients.http, rest=clients.rest)
            if done is None:
                if not args.json:
                    say("  still being recorded by another capdesk; skipped")
                continue
            codes.append(exit_code(done))
            results.append({"id": done.id, "file": done.spool_path, "state": done.state,
                            "videoId": done.video_id, "shareUrl": done.share_url,
                            "bytes": done.final_size, "durationSecs": done.duration_secs,
                            "parts": len(done.parts), "error": done.error})
            if not args.json:
                say("  " + summary(done))
    if args.json:
        emit_json(results)
    failed = [c for c in codes if c != exitcodes.OK]
    return failed[0] if failed else exitcodes.OK

