"""``capdesk record``: record the screen, a window, the camera or the test card into a local
MP4 file. ``--source window --window TITLE|ID`` records one window (``capdesk windows``
lists them), following it when it moves; ``--backend mss|qt`` overrides the capture
backend the registry picks.

``--camera NAME|default|FILE`` adds the camera bubble (``--bubble-size``,
``--bubble-position``, ``--no-mirror``); with ``--source camera`` it names the camera
recorded full frame. A camera that cannot be used, or stops, is a warning (stderr and the
result's notes): the recording goes on without the bubble and the exit code is unchanged.

Ctrl+C, SIGINT and SIGTERM stop cleanly (the file gets its index); a hard kill
leaves a file that plays up to its last fragment. Progress goes to stderr; with
``--json`` stdout carries exactly one JSON object with the result.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from capdesk import exitcodes
from capdesk.commands import validate
from capdesk.commands.output import say
from capdesk.commands.output_file import OutputRefused, claim
from capdesk.commands.result import poll_ready, result_json
from capdesk.engine import RECORDABLE_SOURCES, AudioMode  # light: enums only
from capdesk.errors import CapdeskError, describe

AUDIO_CHOICES = [mode.value for mode in AudioMode]
SOURCE_CHOICES = [kind.value for kind in RECORDABLE_SOURCES]
# The same as the bubble's BUBBLE_SIZES and BUBBLE_CORNERS, repeated here so that parsing
# arguments loads no numpy (tests/unit/test_cli_startup.py checks they agree).
BUBBLE_SIZE_CHOICES = ["small", "medium", "large"]
BUBBLE_POSITION_CHOICES = ["bottom-right", "bottom-left", "top-right", "top-left"]
# The screen capture backends (capture.registry's names; the test checks they agree).
BACKEND_CHOICES = ["mss", "qt"]


def _region(text: str) -> tuple[int, int, int, int]:
    try:
        parts = [int(p.strip()) for p in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or parts[2] < 2 or parts[3] < 2:
        raise argparse.ArgumentTypeError(
            "expected X,Y,W,H in physical pixels with W and H at least 2 (e.g. "
            f"0,0,1280,720 or -1920,0,1920,1080), got {validate.shown(text)}"
        )
    return parts[0], parts[1], parts[2], parts[3]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "record",
        help="record the screen (or the test card) to an MP4 file",
        description="Record the screen into a fragmented MP4 file. Ctrl+C, SIGINT or "
        "SIGTERM stops cleanly.",
    )
    validate.allow_dashed_values(parser)  # --region -1920,0,1920,1080
    parser.add_argument("--seconds", type=validate.positive_seconds,
                        help="stop after S seconds of recording")
    parser.add_argument("--source", choices=SOURCE_CHOICES, default="screen",
                        help="screen; camera: the camera full frame (--camera picks it); or "
                        "synthetic: a moving test card with a frame counter")
    parser.add_argument("--monitor", type=validate.whole_number(0, 64), metavar="N",
                        help="1-based monitor (default: primary; 0 = all monitors)")
    parser.add_argument("--region", type=_region, metavar="X,Y,W,H",
                        help="a region in physical pixels (relative to --monitor if given); "
                        "for --source synthetic, W and H set the card's size")
    parser.add_argument("--fps", type=validate.whole_number(1, 120), default=30,
                        help="frames per second")
    parser.add_argument("--max-height", type=validate.whole_number(16, 8640), default=1080,
                        metavar="H",
                        help="scale taller captures down to H lines (default 1080)")
    parser.add_argument("--audio", choices=AUDIO_CHOICES, default="none",
                        help="sound: the microphone, the system sound, both mixed, or a beep "
                        "when the synthetic test card flashes (default none)")
    parser.add_argument("--audio-device", metavar="ID", default=None,
                        help="the microphone to record (default: the system default)")
    parser.add_argument("--window", metavar="TITLE|ID",
                        help="with --source window: the window to record, by its id or title "
                        "(exact, or the one title containing it); see capdesk windows")
    parser.add_argument("--backend", choices=BACKEND_CHOICES,
                        help="the capture backend (default: mss for screens on X11, Windows "
                        "and macOS; qt for windows and on Wayland)")
    parser.add_argument("--camera", metavar="NAME|default|FILE",
                        help="draw the camera in a bubble (a camera's name or id from "
                        "`capdesk cameras`, default, or a video file played as a camera); "
                        "with --source camera: the camera to record")
    parser.add_argument("--bubble-size", choices=BUBBLE_SIZE_CHOICES,
                        help="the camera bubble's size (default medium)")
    parser.add_argument("--bubble-position", choices=BUBBLE_POSITION_CHOICES,
                        help="the corner the camera bubble goes in (default bottom-right)")
    parser.add_argument("--no-mirror", action="store_true",
                        help="show the camera as it sees, not mirrored")
    parser.add_argument("--name", help="the video's name on Cap")
    parser.add_argument("--user-id", type=validate.user_id,
                        help="the Cap user the video belongs to")
    parser.add_argument("--metadata", type=validate.metadata,
                        help="a JSON object stored with the video (at most 8 KiB)")
    parser.add_argument("--no-upload", action="store_true", help="keep it local only")
    parser.add_argument("--output", type=Path, metavar="PATH",
                        help="where the local MP4 goes (a folder: a new name inside it)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --output file (never one still uploading)")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the result")
    parser.set_defaults(func=run)


@contextmanager
def stop_signals(event: threading.Event) -> Iterator[None]:
    """SIGINT, SIGTERM (and SIGHUP) set ``event`` instead of killing the process."""
    def handler(signum: int, frame: FrameType | None) -> None:
        if event.is_set():
            say("\nstill finishing the file...")
        event.set()

    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGHUP"):
        wanted.append(signal.SIGHUP)
    previous = {}
    for signum in wanted:
        with contextlib.suppress(ValueError, OSError):  # not the main thread / not allowed
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _bubble_usage_error(args: argparse.Namespace) -> str | None:
    """The bubble's options need a bubble: --camera, with a source other than the camera."""
    given = [name for name, value in (("--bubble-size", args.bubble_size),
                                      ("--bubble-position", args.bubble_position),
                                      ("--no-mirror", args.no_mirror)) if value]
    if not given:
        return None
    if args.source == "camera":
        return f"{', '.join(given)}: --source camera records the camera full frame, no bubble"
    if not args.camera:
        return f"{', '.join(given)} need --camera (the camera to show in the bubble)"
    return None


def _window_usage_error(args: argparse.Namespace) -> str | None:
    if args.source == "window" and not args.window:
        return "--source window needs --window TITLE|ID (capdesk windows lists them)"
    if args.window and args.source != "window":
        return "--window needs --source window"
    if args.source == "window" and (args.region or args.monitor is not None):
        return "--region and --monitor do not apply to --source window"
    if args.backend and args.source not in ("screen", "window"):
        return f"--backend applies to --source screen and window, not {args.source}"
    return None


def _bubble(args: argparse.Namespace, size: tuple[int, int] | None = None) -> Any:
    """The bubble's placement for these options, in a frame of ``size`` (16:9 if unknown)."""
    from capdesk.engine import corner_placement

    if size is None and args.region is not None:
        size = (args.region[2], args.region[3])
    aspect = size[0] / size[1] if size and size[1] else 16 / 9
    return corner_placement(args.bubble_position or "bottom-right", args.bubble_size or "medium",
                            aspect=aspect, mirror=not args.no_mirror)


def run(args: argparse.Namespace) -> int:
    from capdesk import settings
    from capdesk.engine import JournalState as State
    from capdesk.engine import (
        Recorder,
        RecordingOptions,
        StopReason,
        human_size,
        upload_summary,
    )
    from capdesk.engine import exit_code_for as exit_code

    problem = _bubble_usage_error(args) or _window_usage_error(args)
    if problem:
        say(f"error: {problem}")
        return exitcodes.USAGE
    from capdesk.engine import screen_permission  # macOS: asks for it when missing

    refused = screen_permission.refusal(args.source)  # else only the wallpaper is recorded
    if refused is not None:
        say(f"error: {describe(refused)}")
        return refused.exit_code
    with_bubble = bool(args.camera) and args.source != "camera"
    # A new name (in --output's folder, or the settings' one) is taken exclusively when
    # the recording starts, the next free one if another recording took it meanwhile.
    folder = settings.load().recordings_folder()
    output: Path | None = None
    if args.output is not None and args.output.is_dir():
        folder = args.output
    elif args.output is not None:
        output = args.output
        try:
            claim(output, overwrite=args.overwrite)
        except OutputRefused as exc:
            say(f"error: {exc}")
            return exitcodes.USAGE
        except OSError as exc:
            say(f"error: cannot replace --output {output}: {exc.strerror or exc}")
            return exitcodes.FAILURE
    options = RecordingOptions(
        source=args.source, monitor=args.monitor, region=args.region, fps=args.fps,
        max_height=args.max_height, name=args.name, user_id=args.user_id,
        metadata=args.metadata, upload=not args.no_upload,
        output=output.absolute() if output is not None else None, folder=folder.absolute(),
        seconds=args.seconds, audio=args.audio, audio_device=args.audio_device,
        camera=args.camera, bubble=_bubble(args) if with_bubble else None,
        window=args.window, backend=args.backend,
    )
    recorder = Recorder(options, on_warning=lambda message: say(f"warning: {message}"))
    if recorder.upload_note and not args.no_upload:
        say(f"note: {recorder.upload_note}; the recording is kept locally")
    stop = threading.Event()
    try:
        with stop_signals(stop):
            try:
                recorder.prepare()
                if with_bubble and recorder.local is not None:
                    # now that the picture's size is known: the corner's margins exact
                    recorder.move_bubble(_bubble(args, recorder.local.frame_size))
                recorder.start()
            except (CapdeskError, OSError, ValueError) as exc:
                # Nothing was created on Cap: every local check runs first.
                say(f"error: {describe(exc)}")
                return exitcodes.FAILURE
            recording = recorder.local
            assert recording is not None
            for warning in recording.warnings:
                say(f"warning: {warning}")
            size = recording.output_size or (0, 0)
            if recording.audio_description:
                say(f"sound from {recording.audio_description}")
            say(f"recording {recording.source_description} to {recorder.path} "
                f"({size[0]}x{size[1]} at {args.fps} fps, {recording.encoder}); "
                + (f"stops after {args.seconds:g} s or " if args.seconds else "")
                + "Ctrl+C stops")
            progress = _Progress(recording, recorder)
            while recording.wait(0.25) is None:
                if stop.is_set():
                    break
                progress.tick()
            progress.done()
            outcome = recorder.stop()
            result = outcome.result
            journal = outcome.journal
            ready = poll_ready(recorder.rest, journal, quiet=args.json)
    finally:
        recorder.close()
    reason = result.stopped_reason
    summary_line = (f"{result.file}: {result.duration_secs:.2f} s, {result.width}x"
                    f"{result.height}, {result.frames} frames, {result.dropped_frames} "
                    f"dropped, {human_size(result.bytes)}")
    if reason == StopReason.DISK_FULL:
        say(f"disk full: the recording stopped early; the file is playable up to "
            f"{result.duration_secs:.2f} s: {result.file}")
    elif reason == StopReason.ERROR:
        say(f"error: the recording stopped early ({result.error}); what was recorded is "
            f"kept: {result.file}")
    say(("saved " if reason in (StopReason.USER, StopReason.SECONDS) else "kept ")
        + summary_line)
    if recorder.sdk is not None:
        say(upload_summary(journal))
    if args.json:
        data = result_json(journal if recorder.sdk is not None else None,
                           file=str(result.file), size=result.bytes,
                           duration=round(result.duration_secs, 3), width=result.width,
                           height=result.height, fps=result.fps, frames=result.frames,
                           dropped=result.dropped_frames,
                           repeated=result.repeated_frames, encoder=result.encoder,
                           conversion=result.conversion,
                           stop_to_complete=outcome.stop_to_complete, ready=ready)
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()
    elif journal.state == State.COMPLETE and journal.share_url:
        print(journal.share_url)
    if reason not in (StopReason.USER, StopReason.SECONDS):
        return exitcodes.FAILURE
    return exit_code(journal) if recorder.sdk is not None else exitcodes.OK


class _Progress:
    """A status line on stderr: rewritten in place on a terminal, every 5 s otherwise."""

    def __init__(self, recording: Any, recorder: Any = None) -> None:
        self._recording = recording
        self._recorder = recorder
        self._link_shown = False
        self._tty = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._last < (0.5 if self._tty else 5.0):
            return
        self._last = now
        rec = self._recording
        line = (f"{'paused' if rec.is_paused else 'recording'} {rec.elapsed:7.1f} s  "
                f"{rec.frames} frames  {rec.dropped_frames} dropped  "
                f"{rec.durable_bytes / 1048576:.1f} MiB on disk")
        uploader = self._recorder.uploader if self._recorder else None
        if uploader is not None:
            progress = uploader.progress()
            line += f"  {progress.confirmed_bytes / 1048576:.1f} MiB uploaded"
            if progress.offline:
                line += " (offline: will catch up)"
            elif progress.retrying:
                line += " (retrying)"
            if progress.share_url and not self._link_shown:
                self._link_shown = True
                say(f"link (works when you stop): {progress.share_url}")
        if self._tty:
            say("\r" + line, end="")
            self._shown = True
        else:
            say(line)

    def done(self) -> None:
        if self._shown:
            say("")
