"""XDamage on a real X server (Xvfb): a still screen is not even grabbed; a drawing or a
moved pointer is."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from capdesk.capture.damage import DamageWatcher
from capdesk.capture.kinds import SourceKind
from capdesk.capture.testcard import read_video_counters
from capdesk.encode.bands import BandConverter, frame_planes
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording
from tests.e2e.conftest import CardWindow
from tests.e2e.x11_paint import Painter, same_memory


def settle(watcher: DamageWatcher) -> None:
    """Let earlier drawings' events arrive, then start from a clean slate."""
    for _ in range(20):
        if not watcher.changed():
            return
    raise AssertionError("the screen never settled")


def test_damage_sees_drawing_and_pointer_and_nothing_else(on_display: str) -> None:
    watcher = DamageWatcher.open()
    assert watcher is not None, "Xvfb has the DAMAGE extension and libXdamage is installed"
    painter = Painter()
    try:
        assert watcher.changed()  # the first look always counts as a change
        settle(watcher)
        assert [watcher.changed() for _ in range(5)] == [False] * 5  # still: no grab needed
        painter.fill(0xFF0000)
        assert watcher.changed()
        settle(watcher)
        subprocess.run(["xdotool", "mousemove", "300", "200"], check=True)
        assert watcher.changed()  # the cursor is drawn into frames: a move is a change
        assert not watcher.changed()
    finally:
        painter.close()
        watcher.close()


def test_screen_source_skips_grabs_of_a_still_screen(on_display: str) -> None:
    from capdesk.capture.screen import ScreenSource

    source = ScreenSource(None, (0, 0, 200, 100), cursor=False)
    source.reuse_unchanged = True
    source.open()
    painter = Painter()
    try:
        first = source.grab(0)
        for _ in range(20):  # let the watcher settle: the same frame comes back
            again = source.grab(1)
            if same_memory(again, first):
                break
            first = again
        still = [source.grab(slot) for slot in range(2, 12)]
        # The same pixels, not grabbed again: the very array, or (grabbed into shared
        # memory) a new view of it, so that each frame handed out is released once.
        assert all(same_memory(image, first) for image in still)
        assert source.unchanged_ticks >= 10
        painter.fill(0x00FF00, 20, 20)
        changed = source.grab(12)
        assert not same_memory(changed, first)
        # The new grab shows the drawing: green (BGRA) where it was drawn.
        assert tuple(int(v) for v in changed[30, 30, :3]) == (0, 255, 0)
        assert not np.array_equal(changed, first)
    finally:
        painter.close()
        source.close()


def test_damage_says_where_it_was_drawn(on_display: str) -> None:
    watcher = DamageWatcher.open()
    assert watcher is not None
    painter = Painter()
    try:
        assert watcher.changed()
        assert watcher.grabbed() is None  # the first grab: nothing to compare with
        settle(watcher)
        painter.fill(0x123456, 300, 200)  # 50 x 40
        assert watcher.changed()
        assert watcher.grabbed() == (300, 200, 350, 240)
        painter.fill(0x654321, 600, 100)
        assert watcher.changed()
        painter.fill(0x111111, 10, 500)  # between the look and the grab's end: counted
        assert watcher.grabbed() == (10, 100, 650, 540)
        # Drawn after the last grab's fetch: in the next box (with what the fetch after
        # the grab before took, 10,500 - 60,540).
        painter.fill(0x222222, 900, 600)
        assert watcher.changed()
        assert watcher.grabbed() == (10, 500, 950, 640)
    finally:
        painter.close()
        watcher.close()


def test_the_screen_source_says_what_changed_pointer_included(on_display: str) -> None:
    from capdesk.capture.screen import ScreenSource

    def box_of(source: ScreenSource) -> tuple[int, int, int, int] | None:
        return source.changed_box

    subprocess.run(["xdotool", "mousemove", "100", "100"], check=True)
    source = ScreenSource(None, (0, 0, 1280, 720), cursor=True)
    source.reuse_unchanged = True
    source.open()
    painter = Painter()
    try:
        source.release(source.grab(0))
        assert box_of(source) is None  # the first: not known
        for slot in range(1, 21):  # settle: nothing changes any more
            source.release(source.grab(slot))
            if box_of(source) == (0, 0, 0, 0):
                break
        assert box_of(source) == (0, 0, 0, 0)
        painter.fill(0x00FF00, 500, 300)
        source.release(source.grab(30))
        assert box_of(source) == (500, 300, 550, 340)  # the pointer did not move: not in it
        subprocess.run(["xdotool", "mousemove", "800", "600"], check=True)
        image = source.grab(31)
        box = box_of(source)
        assert box is not None
        # Where the pointer was drawn before and is drawn now (the hot spot of Xvfb's
        # cursor is inside its image), and nothing much else.
        assert box[0] <= 100 and box[1] <= 100 and box[2] > 800 and box[3] > 600
        assert box[2] - box[0] < 800 and box[3] - box[1] < 600
        source.release(image)
    finally:
        painter.close()
        source.close()


def test_a_recording_converts_only_what_changed_and_every_picture_is_exact(
        on_display: str, card_window: CardWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole 1280x720 screen with a moving card in one corner, the pointer moving and
    squares drawn elsewhere: most frames convert only a box, from XDamage, and every
    picture the encoder gets equals the whole frame's conversion."""
    card_window((40, 40, 320, 180))
    seen = {"frames": 0, "boxes": 0, "partial": 0}
    wrong: list[int] = []
    original = BandConverter.convert

    def checked(self: BandConverter, image: Any, previous: Any, changed: Any = None) -> Any:
        partial = self.partial
        frame = original(self, image, previous, changed)
        seen["frames"] += 1
        seen["boxes"] += changed is not None
        seen["partial"] += self.partial - partial
        whole = self._convert_rows(np.ascontiguousarray(image))
        for a, b in zip(frame_planes(frame, self.height, self.width),
                        frame_planes(whole, self.height, self.width), strict=True):
            if not np.array_equal(a, b):
                wrong.append(seen["frames"])
                break
        return frame

    monkeypatch.setattr(BandConverter, "convert", checked)
    stop = threading.Event()

    def busy_desktop() -> None:
        painter = Painter()
        try:
            step = 0
            while not stop.wait(0.05):
                step += 1
                painter.fill(0x010101 * (step % 200), 600 + (step * 37) % 500, 400)
                subprocess.run(["xdotool", "mousemove", str(500 + (step * 53) % 700),
                                str(300 + (step * 29) % 400)], check=True)
        finally:
            painter.close()

    options = RecordingOptions(source=SourceKind.SCREEN, fps=30, seconds=3.0, upload=False,
                               encoder="software", output=tmp_path / "screen.mp4")
    recording = LocalRecording(options)
    drawer = threading.Thread(target=busy_desktop)
    recording.start()
    drawer.start()
    try:
        result = recording.wait(60)
    finally:
        stop.set()
        drawer.join(10)
    assert result is not None and result.error is None
    assert wrong == [], f"pictures unlike the whole frame's conversion: {wrong} ({seen})"
    assert seen["frames"] == result.frames >= 60
    assert seen["boxes"] >= seen["frames"] - 2  # all but the first (and a keyframe repeat)
    assert seen["partial"] >= seen["frames"] // 2, seen
    counters = [f.counter for f in read_video_counters(result.file, (40, 40, 320, 180))]
    assert None not in counters and counters == sorted(counters)  # type: ignore[type-var]


def test_a_new_pointer_picture_is_a_change(on_display: str) -> None:
    """A busy cursor appearing over a still screen (the pointer still) is recorded: XFixes
    says the pointer's picture changed."""
    import ctypes

    watcher = DamageWatcher.open()
    assert watcher is not None
    painter = Painter()
    x11 = painter.x11
    x11.XCreateFontCursor.restype = ctypes.c_ulong
    x11.XCreateFontCursor.argtypes = [ctypes.c_void_p, ctypes.c_uint]
    x11.XDefineCursor.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    x11.XUndefineCursor.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    try:
        subprocess.run(["xdotool", "mousemove", "640", "360"], check=True)
        settle(watcher)
        watch = x11.XCreateFontCursor(painter.display, 150)  # XC_watch
        x11.XDefineCursor(painter.display, painter.root, watch)
        x11.XSync(painter.display, 0)
        for _ in range(50):  # the event may take a moment to arrive
            if watcher.changed():
                break
        else:
            raise AssertionError("the new pointer picture was not seen")
        settle(watcher)
    finally:
        x11.XUndefineCursor(painter.display, painter.root)
        x11.XSync(painter.display, 0)
        painter.close()
        watcher.close()
