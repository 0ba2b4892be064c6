"""capdesk's engine: the one door the desktop app and the command line go through.

Data flow of one recording (``session.Recorder`` drives it)::

    capture source ──frames──> transforms ──> encoder thread ──> spool file ──> uploader ──> Cap
    (capture/, chosen           (crop,         (encode/: scale,   (append-only,  (upload/: parts,
     from the registry)          overlays)      H.264, AAC, fMP4)  fsync'd)        journal)

What is public is listed in ``__all__`` below; ``capdesk/ui`` and ``capdesk/commands``
import from here (plus ``settings``, ``paths``, ``secrets`` and the Cap client), never
from ``capture``, ``encode`` or ``upload`` directly (``tests/unit/test_boundaries.py``
checks it). Names are loaded on first use, so importing this package costs nothing: the
command line starts without PyAV, numpy or httpx until a command needs them.

Nothing here needs a QApplication, nor loads Qt: the camera (QtMultimedia) runs in a
worker process of its own (``capdesk.capture.camera``).

The camera, for the app's camera toggle, list and preview bubble::

    list_cameras() -> [CameraInfo(id, name, is_default)]        # a short-lived child process
    feed = CameraFeed("default" | name | id | video file, size=480)   # size=None: full frame
    feed.start(timeout=10.0)          # CameraError: no camera, in use, refused, bad file
    feed.latest() -> (frame number, BGRA (h, w, 4) uint8 copy) | None; feed.alive; feed.error
    feed.stop()
    RecordingOptions(camera=..., bubble=BubblePlacement(center_x, center_y, diameter,
                     shape="circle" | "rounded", mirror=True))   # None: DEFAULT_PLACEMENT
    Recorder(options, camera_feed=feed)   # reuse the preview's feed (a camera opens once)
    Recorder.move_bubble(placement)       # any thread, from the next frame on
    BUBBLE_SIZES, BUBBLE_CORNERS, corner_placement(corner, size, aspect=w / h)

``RecordingOptions(source=SourceKind.CAMERA, camera=...)`` records the camera full frame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> "module" (the name is an attribute of it) or "module:attribute"
_EXPORTS: dict[str, str] = {
    # one recording, end to end
    "Recorder": "capdesk.engine.session",
    "RecordingOptions": "capdesk.engine.options",
    "SourceKind": "capdesk.capture.kinds",
    "AudioMode": "capdesk.capture.kinds",
    "RECORDABLE_SOURCES": "capdesk.capture.kinds",
    "RecordOutcome": "capdesk.engine.session",
    "StopReason": "capdesk.engine.pipeline",
    "RecordingResult": "capdesk.engine.pipeline",
    # the record of a recording (journal) and what its state means
    "Journal": "capdesk.engine.journal",
    "JournalState": "capdesk.engine.journal:State",
    "UNFINISHED_STATES": "capdesk.engine.journal",
    "FINAL_STATES": "capdesk.engine.journal",
    "DamagedJournal": "capdesk.engine.journal",
    "all_journals": "capdesk.engine.journal",
    "damaged_journals": "capdesk.engine.journal",
    "load_journal": "capdesk.engine.journal:load",
    "exit_code_for": "capdesk.engine.outcome:exit_code",
    "upload_summary": "capdesk.engine.outcome:summary",
    # uploads: progress, resume, upload of a file
    "UploadProgress": "capdesk.upload.uploader",
    "StreamingUploader": "capdesk.upload.uploader",
    "resume_one": "capdesk.upload.resume",
    "unfinished": "capdesk.upload.resume",
    "lock_for": "capdesk.upload.lock",
    "journal_needing": "capdesk.engine.in_use",
    # local recordings and Cap videos as the Library shows them
    "library": "capdesk.engine.library:",
    "CapLibrary": "capdesk.engine.library",
    "Connector": "capdesk.engine.library",
    "Credits": "capdesk.engine.library",
    "LocalItem": "capdesk.engine.library",
    "StatusSchedule": "capdesk.engine.library",
    "VideoPager": "capdesk.engine.library",
    "describe_credits": "capdesk.engine.library",
    # the camera and its bubble
    "CameraFeed": "capdesk.capture.camera.feed",
    "CameraError": "capdesk.capture.camera",
    "CameraInfo": "capdesk.capture.camera.devices",
    "list_cameras": "capdesk.capture.camera.devices",
    "BubblePlacement": "capdesk.capture.transforms.bubble",
    "BUBBLE_SIZES": "capdesk.capture.transforms.bubble",
    "BUBBLE_CORNERS": "capdesk.capture.transforms.bubble",
    "DEFAULT_PLACEMENT": "capdesk.capture.transforms.bubble",
    "corner_placement": "capdesk.capture.transforms.bubble",
    # capture sources and devices
    "WindowInfo": "capdesk.capture.screencast.windows",
    "list_windows": "capdesk.capture.screencast.windows",
    "find_window": "capdesk.capture.screencast.windows",
    "geometry": "capdesk.capture.geometry:",
    "capture_backends": "capdesk.capture.registry:available_backends",
    "capture_plan": "capdesk.capture.registry",
    "list_microphones": "capdesk.capture.audio.sources",
    "find_audio_sources": "capdesk.capture.audio.sources:make_sources",
    "MAC_LOOPBACK_HELP": "capdesk.capture.audio.sources",
    "screen_permission": "capdesk.capture.permissions:",
    "screen_permission_line": "capdesk.capture.permissions:doctor_line",
    "choose_encoder": "capdesk.encode.encoders",
    "describe_conversion": "capdesk.encode.encoders",
    "human_size": "capdesk.encode.diskspace:human",
    "check_disk_space": "capdesk.encode.diskspace:check_before_start",
    "free_disk_space": "capdesk.encode.diskspace:free_bytes",
    # errors
    "AudioError": "capdesk.capture.audio.base",
    "CaptureError": "capdesk.capture.sources",
    "DiskSpaceError": "capdesk.encode.diskspace",
    "EncoderUnavailable": "capdesk.encode.encoders",
}

__all__ = [
    "BUBBLE_CORNERS",
    "BUBBLE_SIZES",
    "DEFAULT_PLACEMENT",
    "FINAL_STATES",
    "MAC_LOOPBACK_HELP",
    "RECORDABLE_SOURCES",
    "UNFINISHED_STATES",
    "AudioError",
    "AudioMode",
    "BubblePlacement",
    "CameraError",
    "CameraFeed",
    "CameraInfo",
    "CapLibrary",
    "CaptureError",
    "Connector",
    "Credits",
    "DamagedJournal",
    "DiskSpaceError",
    "EncoderUnavailable",
    "Journal",
    "JournalState",
    "LocalItem",
    "RecordOutcome",
    "Recorder",
    "RecordingOptions",
    "RecordingResult",
    "SourceKind",
    "StatusSchedule",
    "StopReason",
    "StreamingUploader",
    "UploadProgress",
    "VideoPager",
    "WindowInfo",
    "all_journals",
    "capture_backends",
    "capture_plan",
    "check_disk_space",
    "choose_encoder",
    "corner_placement",
    "damaged_journals",
    "describe_conversion",
    "describe_credits",
    "exit_code_for",
    "find_audio_sources",
    "find_window",
    "free_disk_space",
    "geometry",
    "human_size",
    "journal_needing",
    "library",
    "list_cameras",
    "list_microphones",
    "list_windows",
    "load_journal",
    "lock_for",
    "resume_one",
    "screen_permission",
    "screen_permission_line",
    "unfinished",
    "upload_summary",
]  # the same names as _EXPORTS (a test checks)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'capdesk.engine' has no attribute {name!r}")
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    value = module if target.endswith(":") else getattr(module, attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what mypy and editors see; at run time names load on first use
    from capdesk.capture import geometry
    from capdesk.capture import permissions as screen_permission
    from capdesk.capture.audio.base import AudioError
    from capdesk.capture.audio.sources import MAC_LOOPBACK_HELP, list_microphones
    from capdesk.capture.audio.sources import make_sources as find_audio_sources
    from capdesk.capture.camera import CameraError
    from capdesk.capture.camera.devices import CameraInfo, list_cameras
    from capdesk.capture.camera.feed import CameraFeed
    from capdesk.capture.kinds import RECORDABLE_SOURCES, AudioMode, SourceKind
    from capdesk.capture.permissions import doctor_line as screen_permission_line
    from capdesk.capture.registry import available_backends as capture_backends
    from capdesk.capture.registry import capture_plan
    from capdesk.capture.screencast.windows import WindowInfo, find_window, list_windows
    from capdesk.capture.sources import CaptureError
    from capdesk.capture.transforms.bubble import (
        BUBBLE_CORNERS,
        BUBBLE_SIZES,
        DEFAULT_PLACEMENT,
        BubblePlacement,
        corner_placement,
    )
    from capdesk.encode.diskspace import DiskSpaceError
    from capdesk.encode.diskspace import check_before_start as check_disk_space
    from capdesk.encode.diskspace import free_bytes as free_disk_space
    from capdesk.encode.diskspace import human as human_size
    from capdesk.encode.encoders import EncoderUnavailable, choose_encoder, describe_conversion
    from capdesk.engine import library
    from capdesk.engine.in_use import journal_needing
    from capdesk.engine.journal import (
        FINAL_STATES,
        UNFINISHED_STATES,
        DamagedJournal,
        Journal,
        all_journals,
        damaged_journals,
    )
    from capdesk.engine.journal import State as JournalState
    from capdesk.engine.journal import load as load_journal
    from capdesk.engine.library import (
        CapLibrary,
        Connector,
        Credits,
        LocalItem,
        StatusSchedule,
        VideoPager,
        describe_credits,
    )
    from capdesk.engine.options import RecordingOptions
    from capdesk.engine.outcome import exit_code as exit_code_for
    from capdesk.engine.outcome import summary as upload_summary
    from capdesk.engine.pipeline import RecordingResult, StopReason
    from capdesk.engine.session import Recorder, RecordOutcome
    from capdesk.upload.lock import lock_for
    from capdesk.upload.resume import resume_one, unfinished
    from capdesk.upload.uploader import StreamingUploader, UploadProgress
