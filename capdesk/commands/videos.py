"""``capdesk videos list|get|status|delete`` (the REST API, secret key)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from capdesk import exitcodes
from capdesk.cap.errors import CapError
from capdesk.commands import validate
from capdesk.commands.output import emit_json, fail, format_duration, say, table

if TYPE_CHECKING:  # httpx loads when a command runs, not for --help
    from capdesk.cap.models import Video, VideoStatus
    from capdesk.cap.rest import CapRest

# capdesk.cap.rest's MAX_LIMIT and MIN_POLL_INTERVAL, needed to build the parser; that
# module imports httpx, so they are repeated here (tests/unit/test_cli_startup.py checks).
MAX_LIMIT = 100
MIN_POLL_INTERVAL = 2.0


def register(sub: Any) -> None:
    parser = sub.add_parser("videos", help="list, check and delete your Cap videos (secret key)")
    vsub = parser.add_subparsers(dest="videos_command", metavar="ACTION", required=True)

    p = vsub.add_parser("list", help="list videos, newest first")
    p.add_argument("--user-id", help="only this user's videos")
    p.add_argument("--limit", type=validate.whole_number(1, MAX_LIMIT), default=50,
                   help=f"videos per page (1-{MAX_LIMIT}, default 50)")
    p.add_argument("--offset", type=validate.whole_number(0), default=0,
                   help="skip this many videos")
    p.add_argument("--all", action="store_true", help="fetch every page")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_list)

    p = vsub.add_parser("get", help="show one video")
    p.add_argument("id", metavar="ID", type=validate.video_id)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_get)

    p = vsub.add_parser("status", help="is the video ready?")
    p.add_argument("id", metavar="ID", type=validate.video_id)
    p.add_argument("--wait", action="store_true", help="poll until ready")
    p.add_argument("--timeout", type=validate.positive_seconds, default=300.0,
                   help="seconds to wait (default 300)")
    p.add_argument("--interval", type=validate.positive_seconds, default=MIN_POLL_INTERVAL,
                   help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_status)

    p = vsub.add_parser("delete", help="delete a video (soft delete)")
    p.add_argument("id", metavar="ID", type=validate.video_id)
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_delete)


def video_json(video: Video) -> dict[str, Any]:
    return {
        "id": video.id,
        "appId": video.app_id,
        "externalUserId": video.external_user_id,
        "name": video.name,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "fps": video.fps,
        "s3Key": video.s3_key,
        "transcriptionStatus": video.transcription_status,
        "metadata": video.metadata,
        "ready": video.ready,
        "deletedAt": video.deleted_at.isoformat() if video.deleted_at else None,
        "createdAt": video.created_at.isoformat() if video.created_at else None,
        "updatedAt": video.updated_at.isoformat() if video.updated_at else None,
    }


def status_json(status: VideoStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "duration": status.duration,
        "width": status.width,
        "height": status.height,
        "transcriptionStatus": status.transcription_status,
        "ready": status.ready,
    }


def _with_rest(action: Any) -> int:
    from capdesk import connect  # httpx, keyring

    try:
        with connect.http_client() as http:
            code: int = action(connect.rest(http))
            return code
    except CapError as exc:
        return fail(exc)


def run_list(args: argparse.Namespace) -> int:
    def action(rest: CapRest) -> int:
        if args.all:
            videos = list(rest.iter_videos(user_id=args.user_id, page_size=args.limit,
                                           offset=args.offset))
        else:
            videos = rest.list_videos(user_id=args.user_id, limit=args.limit, offset=args.offset)
        if args.json:
            emit_json([video_json(v) for v in videos])
            return 0
        if not videos:
            print("No videos.")
            return 0
        rows = [
            (v.id, v.name or "", format_duration(v.duration),
             f"{v.width}x{v.height}" if v.width else "-", "ready" if v.ready else "processing",
             v.external_user_id or "", v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at
             else "")
            for v in videos
        ]
        print(table(("ID", "NAME", "LENGTH", "SIZE", "STATE", "USER", "CREATED"), rows))
        return 0

    return _with_rest(action)


def run_get(args: argparse.Namespace) -> int:
    def action(rest: CapRest) -> int:
        video = rest.get_video(args.id)
        if args.json:
            emit_json(video_json(video))
        else:
            for key, value in video_json(video).items():
                print(f"{key:20} {value if value is not None else '-'}")
        return 0

    return _with_rest(action)


def run_status(args: argparse.Namespace) -> int:
    def action(rest: CapRest) -> int:
        if args.wait:
            def progress(s: VideoStatus) -> None:
                if not args.json:
                    say(f"{s.id}: {'ready' if s.ready else 'not ready yet'}")

            status = rest.wait_until_ready(
                args.id, timeout=args.timeout, interval=args.interval, on_status=progress
            )
        else:
            status = rest.video_status(args.id)
        if args.json:
            emit_json(status_json(status))
        else:
            state = "ready" if status.ready else "not ready"
            transcript = status.transcription_status or "none"
            print(f"{status.id}: {state}, {format_duration(status.duration)}, "
                  f"{status.width or '-'}x{status.height or '-'}, transcription {transcript}")
        if args.wait and not status.ready:
            say(f"error: the video was not ready after {args.timeout:g} s")
            return exitcodes.FAILURE
        return 0

    return _with_rest(action)


def run_delete(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            say("error: refusing to delete without confirmation; pass --yes")
            return exitcodes.USAGE
        answer = input(f"Delete video {args.id} from Cap? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            say("Not deleted.")
            return exitcodes.FAILURE

    def action(rest: CapRest) -> int:
        rest.delete_video(args.id)
        if args.json:
            emit_json({"id": args.id, "deleted": True})
        else:
            print(f"Deleted {args.id}.")
        return 0

    return _with_rest(action)
