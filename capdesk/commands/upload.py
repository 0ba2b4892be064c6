"""``capdesk upload FILE``: upload an existing video."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from capdesk import exitcodes
from capdesk.cap.errors import CapError
from capdesk.commands import validate
from capdesk.commands.output import emit_json, fail, say
from capdesk.commands.result import poll_ready, result_json


def register(sub: Any) -> None:
    parser = sub.add_parser("upload", help="upload an existing video file to Cap")
    parser.add_argument("file", type=Path)
    parser.add_argument("--name", help="the video's name on Cap (default: the file name)")
    parser.add_argument("--user-id", type=validate.user_id,
                        help="your app's user id for this video")
    parser.add_argument("--metadata", type=validate.metadata,
                        help="a JSON object stored with the video (at most 8 KiB)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from capdesk import connect  # httpx, keyring
    from capdesk.engine import Journal, StreamingUploader, lock_for
    from capdesk.engine import JournalState as State
    from capdesk.engine import exit_code_for as exit_code
    from capdesk.engine import upload_summary as summary
    from capdesk.media_probe import ProbeError, probe  # PyAV

    started = time.monotonic()  # after the imports, as when they were at the top
    path: Path = args.file.expanduser().resolve()
    metadata: dict[str, Any] | None = args.metadata  # checked by argparse (validate.metadata)
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        say(f"error: {args.file} {what}; give the path of a video file (MP4, MOV, WebM, "
            "MKV or AVI)")
        return exitcodes.USAGE
    try:
        info = probe(path)
    except (ProbeError, OSError) as exc:
        say(f"error: {exc}")
        return exitcodes.USAGE
    try:
        clients = connect.upload_clients()
    except CapError as exc:
        return fail(exc)
    with clients:
        sdk, http, rest = clients.sdk, clients.http, clients.rest
        journal = Journal.new(path, name=args.name or path.stem, user_id=args.user_id,
                              metadata=metadata, content_type=info.content_type)
        journal.save()
        lock = lock_for(journal)
        lock.acquire()
        try:
            uploader = StreamingUploader(sdk, http, journal, rest=rest)
            uploader.start()
            if not args.json:
                say(f"Uploading {path.name} ({info.size / 2**20:,.1f} MiB, "
                    f"{info.duration_secs:.1f} s)...")
            uploader.finish(info.size, info.duration_secs, info.width, info.height, info.fps)
        finally:
            lock.release()
        elapsed = time.monotonic() - started
        ready = poll_ready(rest, journal, quiet=args.json)
    if journal.state != State.COMPLETE:
        say(summary(journal))  # why, and where the file is: stderr, also with --json
    if args.json:
        emit_json(result_json(journal, file=str(path), size=info.size,
                              duration=info.duration_secs, width=info.width,
                              height=info.height, fps=info.fps, frames=info.frames,
                              stop_to_complete=elapsed, ready=ready))
    elif journal.state == State.COMPLETE:
        print(journal.share_url)
    return exit_code(journal)
