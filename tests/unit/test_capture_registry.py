"""The capture registry: which backend opens which kind of source, why one is not available,
what doctor lists, and the audio modes' factories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from capdesk.capture import registry
from capdesk.capture.audio import AudioError
from capdesk.capture.audio import sources as audio_sources
from capdesk.capture.kinds import RECORDABLE_SOURCES, AudioMode, SourceKind
from capdesk.capture.registry import (
    AUDIO_SOURCES,
    Availability,
    Capability,
    CaptureBackend,
    CaptureRegistry,
    SourceSettings,
    available_backends,
    open_audio,
    open_source,
)
from capdesk.capture.session import WAYLAND_MESSAGE
from capdesk.capture.sources import CaptureError, SyntheticSource
from capdesk.capture.testcard import band_height, read_counter
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording

ROOT = Path(__file__).resolve().parents[2]


class FakeSource(SyntheticSource):
    def __init__(self, backend: str) -> None:
        super().__init__(320, 180)
        self.backend = backend


def fake(name: str, kinds: tuple[SourceKind, ...], *, ok: bool = True,
         reason: str | None = None, opened: list[str] | None = None) -> CaptureBackend:
    def open_fake(settings: SourceSettings) -> FakeSource:
        if opened is not None:
            opened.append(name)
        return FakeSource(name)

    return CaptureBackend(name, kinds, frozenset({Capability.SCREEN}),
                          check=lambda settings: Availability(ok, reason), open=open_fake)


def x11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "CAPDESK_ALLOW_XWAYLAND"):
        monkeypatch.delenv(name, raising=False)


def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "CAPDESK_ALLOW_XWAYLAND"):
        monkeypatch.delenv(name, raising=False)


def test_synthetic_source_is_the_test_card_of_the_region_size_flashing_as_asked() -> None:
    source = open_source("synthetic", SourceSettings(region=(5, 5, 320, 180), flash_every=60,
                                                     synthetic_style="plain"))
    assert isinstance(source, SyntheticSource) and (source.width, source.height) == (320, 180)
    band = band_height(180)
    flash, before = source.grab(30).copy(), source.grab(29).copy()
    assert (flash[band:, :, :3] == 255).all()  # frame 30 of every 60: the body turns white
    assert not (before[band:, :, :3] == 255).all()
    assert read_counter(flash) == 30 and read_counter(before) == 29
    default = open_source(SourceKind.SYNTHETIC)
    assert (default.width, default.height) == (1280, 720)
    assert not (default.grab(640)[band_height(720):, :, :3] == 255).all()  # no flash asked


def test_screen_without_a_display_says_why_and_opens_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_display(monkeypatch)
    with pytest.raises(CaptureError, match="No display: DISPLAY is unset"):
        open_source("screen")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")
    with pytest.raises(CaptureError) as refused:
        open_source(SourceKind.SCREEN, SourceSettings(allow_xwayland=False), backend="mss")
    assert str(refused.value) == WAYLAND_MESSAGE


def test_first_available_backend_wins_and_its_caveat_becomes_the_first_note() -> None:
    opened: list[str] = []
    reg = CaptureRegistry([
        fake("portal", (SourceKind.SCREEN,), ok=False, reason="no portal here", opened=opened),
        fake("x", (SourceKind.SCREEN, SourceKind.WINDOW), reason="windows only", opened=opened),
        fake("y", (SourceKind.SCREEN,), opened=opened),
    ])
    source = reg.open_source("screen")
    assert isinstance(source, FakeSource) and source.backend == "x"
    assert opened == ["x"]  # the unavailable one is never opened, nor the later ones
    assert source.notes == ["windows only"]
    assert reg.open_source("screen", backend="y").notes == []


def test_naming_a_backend_and_the_errors_for_people() -> None:
    reg = CaptureRegistry([
        fake("portal", (SourceKind.SCREEN,), ok=False, reason="no portal here"),
        fake("cam", (SourceKind.CAMERA,), ok=False, reason="no camera found"),
        fake("synthetic", (SourceKind.SYNTHETIC,)),
    ])
    with pytest.raises(CaptureError) as refused:
        reg.open_source("screen")
    assert str(refused.value) == "no portal here"  # one candidate: its reason, word for word
    with pytest.raises(CaptureError, match=r"^unknown capture backend 'qt' \(portal, cam, synth"):
        reg.open_source("screen", backend="qt")
    with pytest.raises(CaptureError, match=r"^the cam capture backend cannot capture screen"):
        reg.open_source("screen", backend="cam")
    with pytest.raises(CaptureError, match=r"^no capture backend for window sources yet"):
        reg.open_source("window")
    with pytest.raises(CaptureError, match=r"^unknown source 'tv' \(screen or camera or synth"):
        reg.open_source("tv")
    reg.register(fake("portal2", (SourceKind.SCREEN,), ok=False, reason="no pipewire"))
    with pytest.raises(CaptureError) as both:
        reg.open_source("screen")
    assert str(both.value) == "portal: no portal here; portal2: no pipewire"
    with pytest.raises(ValueError, match="already registered"):
        reg.register(fake("cam", (SourceKind.CAMERA,)))


def test_a_broken_check_is_reported_not_raised() -> None:
    def broken(settings: SourceSettings) -> Availability:
        raise OSError("libX11 missing")

    reg = CaptureRegistry([CaptureBackend("b", (SourceKind.SCREEN,), frozenset(), broken,
                                          lambda s: FakeSource("b"))])
    [info] = reg.describe()
    assert not info.available and info.reason == "checking the b backend failed: libX11 missing"


def test_available_backends_lists_name_kinds_availability_reason_capabilities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_display(monkeypatch)
    mss, qt, synthetic, camera = available_backends()
    assert (mss.name, mss.kinds, mss.available) == ("mss", (SourceKind.SCREEN,), False)
    assert mss.reason is not None and mss.reason.startswith("No display")
    assert mss.capabilities == (Capability.SCREEN, Capability.REGION, Capability.CURSOR)
    assert (synthetic.name, synthetic.kinds, synthetic.available, synthetic.reason,
            synthetic.capabilities) == ("synthetic", (SourceKind.SYNTHETIC,), True, None, ())
    assert (camera.name, camera.kinds, camera.capabilities) == ("camera", (SourceKind.CAMERA,), ())
    assert (qt.name, qt.kinds, qt.available) == (
        "qt", (SourceKind.SCREEN, SourceKind.WINDOW), False)
    assert qt.capabilities == (Capability.SCREEN, Capability.REGION, Capability.WINDOW)
    assert qt.reason is not None and "DISPLAY is unset" in qt.reason
    x11(monkeypatch)
    assert available_backends()[0].available and available_backends()[0].reason is None
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    xwayland = available_backends(SourceSettings(allow_xwayland=True))[0]
    assert xwayland.available and "XWayland windows only" in (xwayland.reason or "")


def test_the_camera_backend_takes_a_video_file_and_says_why_not(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not checked here")
    assert registry.CAMERA.check(SourceSettings(camera=str(clip))) == Availability(True)
    missing = registry.CAMERA.check(SourceSettings(camera=str(tmp_path / "gone.mp4")))
    assert not missing.available and "there is no video file" in (missing.reason or "")
    if sys.platform.startswith("linux") and not list(Path("/dev").glob("video*")):
        default = registry.CAMERA.check(SourceSettings())
        assert default == Availability(False, "no camera was found (no /dev/video device)")


def test_the_engine_door_lists_the_backends() -> None:
    import capdesk.engine as engine

    assert engine.capture_backends is available_backends


def test_the_command_line_choices_are_the_kinds_a_backend_serves() -> None:
    assert registry.CAPTURE.kinds() == RECORDABLE_SOURCES


def test_listing_backends_imports_nothing_heavy() -> None:
    code = ("import sys; from capdesk.capture import registry; registry.available_backends(); "
            "print(sorted(m for m in ('mss', 'numpy', 'av', 'soundcard', 'PySide6') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.strip()
    assert out == "[]"


def test_the_pipeline_opens_its_source_through_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_display(monkeypatch)
    rec = LocalRecording(RecordingOptions(output=tmp_path / "r.mp4", source=SourceKind.WINDOW,
                                          window="Editor"))
    with pytest.raises(CaptureError, match="No display: DISPLAY is unset"):
        rec.preflight()
    seen: list[tuple[str, SourceSettings]] = []

    def spy(kind: str, settings: SourceSettings, backend: str | None = None) -> object:
        seen.append((kind, settings))
        return FakeSource("spy")

    import capdesk.engine.pipeline as pipeline

    monkeypatch.setattr(pipeline, "open_source", spy)
    options = RecordingOptions(output=tmp_path / "s.mp4", source=SourceKind.SYNTHETIC,
                               region=(0, 0, 64, 64), monitor=2, cursor=False, fps=25,
                               synthetic_style="plain", audio=AudioMode.SYNTHETIC,
                               allow_xwayland=True)
    LocalRecording(options, audio_sources=[]).preflight()
    assert seen == [("synthetic", SourceSettings(monitor=2, region=(0, 0, 64, 64), cursor=False,
                                                 fps=25, synthetic_style="plain",
                                                 flash_every=50, allow_xwayland=True))]


# -- sound -----------------------------------------------------------------------------------
def test_every_audio_mode_has_a_factory() -> None:
    assert set(AUDIO_SOURCES) == set(AudioMode)


def test_audio_modes_open_their_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[str, str | None]] = []

    class Device:
        def __init__(self, kind: str, device: str | None = None) -> None:
            made.append((kind, device))

    monkeypatch.setattr(audio_sources, "DeviceSource", Device)
    assert open_audio("none", lambda t: None) == []
    [beep] = open_audio(AudioMode.SYNTHETIC, lambda t: None, clock=lambda: 5.0)
    assert isinstance(beep, audio_sources.SyntheticBeep)
    assert made == []
    assert len(audio_sources.make_sources("mic+system", lambda t: None, device="usb")) == 2
    assert made == [("mic", "usb"), ("system", None)]  # the chosen device is the microphone's
    made.clear()
    open_audio("system", lambda t: None, device="usb")
    assert made == [("system", None)]
    with pytest.raises(AudioError) as unknown:
        open_audio("loud", lambda t: None)
    assert str(unknown.value) == (
        "unknown audio mode 'loud' (none, mic, system, mic+system, synthetic)")


def test_synthetic_beep_gets_the_timeline_and_clock() -> None:
    [beep] = open_audio("synthetic", lambda t: t + 1.0, clock=lambda: 0.0)
    beep.open()
    block = beep.read()  # recorded time 1.0-1.01 s: the first beep (at BEEP_EVERY / 2)
    assert np.abs(block).max() > 0.1
