"""Capture backends behind one registry: the recorder asks for a kind of source, never
for a module.

Each backend is declared here with light data only: its name, the source kinds it
serves, what it can do, a cheap check of whether it works in this session (and a
sentence saying why not), and a factory that opens it. Factories import their heavy
modules (mss, numpy, PyAV) and start the camera's worker process when called, so
importing this module, listing the backends (``available_backends``, for ``capdesk
doctor``) and parsing a command line stay fast.

``open_source(kind, settings)`` takes the first available backend serving ``kind``
(in the order declared; ``backend=`` names one) and raises ``CaptureError`` with the
reason when there is none. A backend that works with a caveat (XWayland windows only,
macOS's permission prompt) reports it as its reason and ``open_source`` puts it first
in the source's ``notes``, which the engine shows as a warning.

Sound has the same shape, simpler: ``AUDIO_SOURCES`` maps each ``AudioMode`` to the
factory of its sources, and ``open_audio`` (what ``audio.sources.make_sources`` calls)
asks it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from capdesk.capture.kinds import AudioMode, SourceKind
from capdesk.capture.session import capture_support

if TYPE_CHECKING:
    from capdesk.capture.audio.base import AudioSource
    from capdesk.capture.sources import FrameSource

Region = tuple[int, int, int, int]


class Capability(StrEnum):
    """What a capture backend can do."""

    SCREEN = "screen"  # a monitor or the whole desktop
    REGION = "region"  # a rectangle of the screen
    WINDOW = "window"  # one window, followed when it moves
    CURSOR = "cursor"  # the mouse cursor drawn into the frames
    AUDIO = "audio"  # sound along with the pictures


@dataclass(frozen=True)
class SourceSettings:
    """What a backend's factory needs from the recording's options."""

    monitor: int | None = None  # 1-based; None: the primary monitor; 0: the whole desktop
    region: Region | None = None  # physical pixels; for the synthetic card: its size
    cursor: bool = True
    fps: int = 30
    synthetic_style: str = "noise"
    flash_every: int | None = None  # the test card flashes every N frames (synthetic sound)
    allow_xwayland: bool | None = None  # None: from the CAPDESK_ALLOW_XWAYLAND variable
    camera: str | None = None  # for the camera: its name or id, or a video file; None: default
    window: str | None = None  # for a window: its id or title (capdesk windows)


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str | None = None  # why not; when available, what the recording will miss


@dataclass(frozen=True)
class CaptureBackend:
    name: str
    kinds: tuple[SourceKind, ...]
    capabilities: frozenset[Capability]
    check: Callable[[SourceSettings], Availability]  # cheap: no heavy import, no device opened
    open: Callable[[SourceSettings], FrameSource]  # may raise CaptureError


@dataclass(frozen=True)
class BackendInfo:
    """One line of ``available_backends()``: what ``capdesk doctor`` lists."""

    name: str
    kinds: tuple[SourceKind, ...]
    available: bool
    reason: str | None
    capabilities: tuple[Capability, ...]


def _capture_error(message: str) -> NoReturn:
    from capdesk.capture.sources import CaptureError  # numpy: only once something fails

    raise CaptureError(message)


class CaptureRegistry:
    """The capture backends, in the order they are preferred."""

    def __init__(self, backends: Iterable[CaptureBackend] = ()) -> None:
        self._backends: list[CaptureBackend] = []
        for backend in backends:
            self.register(backend)

    def register(self, backend: CaptureBackend) -> None:
        if any(b.name == backend.name for b in self._backends):
            raise ValueError(f"a capture backend named {backend.name!r} is already registered")
        self._backends.append(backend)

    @property
    def backends(self) -> tuple[CaptureBackend, ...]:
        return tuple(self._backends)

    def kinds(self) -> tuple[SourceKind, ...]:
        """The kinds at least one backend serves (available here or not), in SourceKind order."""
        served = {kind for backend in self._backends for kind in backend.kinds}
        return tuple(kind for kind in SourceKind if kind in served)

    def choose(
        self, kind: str, settings: SourceSettings, backend: str | None = None
    ) -> tuple[CaptureBackend, Availability]:
        """The backend that will capture ``kind``, and its availability; CaptureError if none."""
        wanted = self._kind(kind)
        if backend is not None:
            candidates = [self._named(backend)]
            if wanted not in candidates[0].kinds:
                _capture_error(
                    f"the {backend} capture backend cannot capture {wanted} sources "
                    f"(it captures: {', '.join(candidates[0].kinds)})"
                )
        else:
            candidates = [b for b in self._backends if wanted in b.kinds]
            if not candidates:
                _capture_error(
                    f"no capture backend for {wanted} sources yet "
                    f"(backends: {', '.join(self._names())})"
                )
        reasons: list[tuple[str, str]] = []
        for candidate in candidates:
            availability = _checked(candidate, settings)
            if availability.available:
                return candidate, availability
            reasons.append((candidate.name, availability.reason or "not available here"))
        distinct = list(dict.fromkeys(reason for _, reason in reasons))
        if len(distinct) == 1:  # one reason for all of them (no display): said once
            _capture_error(distinct[0])
        _capture_error("; ".join(f"{name}: {reason}" for name, reason in reasons))

    def open_source(
        self, kind: str, settings: SourceSettings | None = None, backend: str | None = None
    ) -> FrameSource:
        """Open a source of ``kind`` with the first available backend (or ``backend``)."""
        settings = SourceSettings() if settings is None else settings
        chosen, availability = self.choose(kind, settings, backend)
        source = chosen.open(settings)
        if availability.reason:
            source.notes.insert(0, availability.reason)
        return source

    def describe(self, settings: SourceSettings | None = None) -> list[BackendInfo]:
        """Every backend, whether it works here and why not, without opening anything."""
        settings = SourceSettings() if settings is None else settings
        infos = []
        for backend in self._backends:
            availability = _checked(backend, settings)
            infos.append(BackendInfo(
                backend.name, backend.kinds, availability.available, availability.reason,
                tuple(c for c in Capability if c in backend.capabilities),
            ))
        return infos

    def plan(self, settings: SourceSettings | None = None) -> list[KindPlan]:
        """For each kind of source: the backend a recording would use here (None: none),
        and why: the reason a preferred backend was passed over, or why none works."""
        settings = SourceSettings() if settings is None else settings
        plans = []
        for kind in self.kinds():
            asked = settings if kind != SourceKind.WINDOW else _with_window(settings)
            passed: dict[str, list[str]] = {}  # reason -> the backends passed over for it
            chosen: CaptureBackend | None = None
            note: str | None = None
            for backend in self._backends:
                if kind not in backend.kinds:
                    continue
                availability = _checked(backend, asked)
                if availability.available:
                    chosen, note = backend, availability.reason
                    break
                reason = (availability.reason or "not here").rstrip(".")
                passed.setdefault(reason, []).append(backend.name)
            why = [f"{', '.join(names)}: {reason}" for reason, names in passed.items()]
            plans.append(KindPlan(kind, chosen.name if chosen else None,
                                  "; ".join(([note] if note else []) + why) or None))
        return plans

    def _kind(self, kind: str) -> SourceKind:
        try:
            return SourceKind(kind)
        except ValueError:
            _capture_error(f"unknown source {kind!r} ({' or '.join(self.kinds())})")

    def _named(self, name: str) -> CaptureBackend:
        for backend in self._backends:
            if backend.name == name:
                return backend
        _capture_error(f"unknown capture backend {name!r} ({', '.join(self._names())})")

    def _names(self) -> list[str]:
        return [b.name for b in self._backends]


@dataclass(frozen=True)
class KindPlan:
    """What ``capdesk doctor`` says of one kind of source."""

    kind: SourceKind
    backend: str | None  # the one a recording would use; None: none works here
    why: str | None  # a caveat of it, the reasons others were passed over, or why none


def _with_window(settings: SourceSettings) -> SourceSettings:
    from dataclasses import replace

    return settings if settings.window else replace(settings, window="?")


def _checked(backend: CaptureBackend, settings: SourceSettings) -> Availability:
    try:
        return backend.check(settings)
    except Exception as exc:  # a broken check must not break doctor or the other backends
        return Availability(False, f"checking the {backend.name} backend failed: {exc}")


# -- the backends ----------------------------------------------------------------------------
def _mss_check(settings: SourceSettings) -> Availability:
    if importlib.util.find_spec("mss") is None:
        return Availability(False, "the mss package is not installed")
    support = capture_support(allow_xwayland=settings.allow_xwayland)
    if not support.can_capture:
        return Availability(False, support.message or "the screen cannot be captured here")
    return Availability(True, support.message)


def _mss_open(settings: SourceSettings) -> FrameSource:
    from capdesk.capture.screen import ScreenSource

    return ScreenSource(settings.monitor, settings.region, cursor=settings.cursor)


def _synthetic_open(settings: SourceSettings) -> FrameSource:
    from capdesk.capture.sources import DEFAULT_SYNTHETIC_SIZE, SyntheticSource

    width, height = settings.region[2:] if settings.region else DEFAULT_SYNTHETIC_SIZE
    return SyntheticSource(
        width, height, style=settings.synthetic_style, flash_every=settings.flash_every
    )


def _has_qt_multimedia() -> bool:
    spec = importlib.util.find_spec("PySide6")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return any(any(Path(folder).glob("QtMultimedia.*")) for folder in folders)


NO_QT_MULTIMEDIA = "QtMultimedia (the PySide6-Addons package) is not installed"
WAYLAND_QT_NOTE = (
    "Wayland: the screen is shared through the desktop portal (the desktop may ask which "
    "screen to share, at every start) and the mouse cursor may be missing")


def _qt_check(settings: SourceSettings) -> Availability:
    """QtMultimedia installed, and on Linux a session it can capture: a Wayland one with
    its portal (screens only), or X11 (windows need a window manager)."""
    if not _has_qt_multimedia():
        return Availability(False, NO_QT_MULTIMEDIA)
    if not sys.platform.startswith("linux"):
        return Availability(True)
    import os

    from capdesk.capture.session import is_wayland

    if is_wayland(os.environ):
        if settings.window is not None:
            from capdesk.capture.screencast.windows import WAYLAND_WINDOWS

            return Availability(False, WAYLAND_WINDOWS)
        return Availability(True, WAYLAND_QT_NOTE)
    support = capture_support()
    if support.kind == "none":  # no display: the same sentence as mss's
        return Availability(False, support.message)
    return Availability(True)


def _qt_open(settings: SourceSettings) -> FrameSource:
    from capdesk.capture.screencast.source import QtCaptureSource

    if settings.window is None:
        return QtCaptureSource(monitor=settings.monitor, region=settings.region,
                               cursor=settings.cursor, fps=settings.fps)
    from capdesk.capture.screencast.windows import find_window, list_windows, uses_x11

    window = settings.window
    title = None
    if uses_x11():  # the X11 id is what the worker captures
        found = find_window(window, list_windows(include_own=True))
        window, title = found.id, found.title
    return QtCaptureSource(window=window, title=title, cursor=settings.cursor, fps=settings.fps)


def _camera_check(settings: SourceSettings) -> Availability:
    """QtMultimedia installed, and (on Linux, where Qt reads V4L2 devices) a camera
    device or a video file as the camera. Elsewhere only opening it tells."""
    from capdesk.capture.camera.protocol import is_file_source

    if not _has_qt_multimedia():
        return Availability(False, NO_QT_MULTIMEDIA)
    camera = settings.camera or "default"
    if is_file_source(camera):
        if not Path(camera).expanduser().is_file():
            return Availability(False, f"there is no video file {camera!r}")
        return Availability(True)
    if sys.platform.startswith("linux") and not any(Path("/dev").glob("video*")):
        return Availability(False, "no camera was found (no /dev/video device)")
    return Availability(True)


def _camera_open(settings: SourceSettings) -> FrameSource:
    from capdesk.capture.camera.source import CameraSource

    return CameraSource(settings.camera or "default")


MSS = CaptureBackend(
    name="mss",
    kinds=(SourceKind.SCREEN,),
    capabilities=frozenset({Capability.SCREEN, Capability.REGION, Capability.CURSOR}),
    check=_mss_check,
    open=_mss_open,
)
SYNTHETIC = CaptureBackend(
    name="synthetic",
    kinds=(SourceKind.SYNTHETIC,),
    capabilities=frozenset(),
    check=lambda settings: Availability(True),
    open=_synthetic_open,
)

QT = CaptureBackend(
    name="qt",
    kinds=(SourceKind.SCREEN, SourceKind.WINDOW),
    capabilities=frozenset({Capability.SCREEN, Capability.REGION, Capability.WINDOW}),
    check=_qt_check,
    open=_qt_open,
)

CAMERA = CaptureBackend(
    name="camera",
    kinds=(SourceKind.CAMERA,),
    capabilities=frozenset(),
    check=_camera_check,
    open=_camera_open,
)

# mss first for screens: at 30 fps it costs about half of Qt's CPU where both work
# (X11, Windows, macOS); Qt for windows and for Wayland, where mss sees nothing.
CAPTURE = CaptureRegistry([MSS, QT, SYNTHETIC, CAMERA])


def open_source(
    kind: str, settings: SourceSettings | None = None, backend: str | None = None
) -> FrameSource:
    """A source of ``kind`` from the first available backend; CaptureError saying why not."""
    return CAPTURE.open_source(kind, settings, backend)


def capture_plan(settings: SourceSettings | None = None) -> list[KindPlan]:
    """Each kind of source: the backend it would use here, and why."""
    return CAPTURE.plan(settings)


def available_backends(settings: SourceSettings | None = None) -> list[BackendInfo]:
    """Each capture backend: name, kinds, available, reason, capabilities."""
    return CAPTURE.describe(settings)


# -- sound -----------------------------------------------------------------------------------
Timeline = Callable[[float], "float | None"]


@dataclass(frozen=True)
class AudioRequest:
    """What an audio factory gets: the recording's timeline, the microphone, the clock."""

    timeline: Timeline
    device: str | None = None  # a microphone's id; None: the system default
    clock: Callable[[], float] = time.monotonic


AudioFactory = Callable[[AudioRequest], "list[AudioSource]"]


def _no_audio(request: AudioRequest) -> list[AudioSource]:
    return []


def _devices(*kinds: str) -> AudioFactory:
    """Sound devices through ``soundcard``: the microphone gets the chosen device."""

    def open_devices(request: AudioRequest) -> list[AudioSource]:
        from capdesk.capture.audio.sources import DeviceSource

        return [DeviceSource(kind, request.device if kind == "mic" else None) for kind in kinds]

    return open_devices


def _synthetic_beep(request: AudioRequest) -> list[AudioSource]:
    from capdesk.capture.audio.sources import SyntheticBeep

    return [SyntheticBeep(request.timeline, request.clock)]


AUDIO_SOURCES: dict[AudioMode, AudioFactory] = {
    AudioMode.NONE: _no_audio,
    AudioMode.MIC: _devices("mic"),
    AudioMode.SYSTEM: _devices("system"),
    AudioMode.MIC_SYSTEM: _devices("mic", "system"),
    AudioMode.SYNTHETIC: _synthetic_beep,
}


def open_audio(
    mode: str,
    timeline: Timeline,
    *,
    device: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[AudioSource]:
    """The sources for an audio mode; AudioError with a sentence for people when one is
    missing or the mode is unknown."""
    try:
        factory = AUDIO_SOURCES[AudioMode(mode)]
    except (ValueError, KeyError):
        from capdesk.capture.audio.base import AudioError

        raise AudioError(
            f"unknown audio mode {mode!r} ({', '.join(AudioMode)})"
        ) from None
    return factory(AudioRequest(timeline, device, clock))

