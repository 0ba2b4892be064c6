"""XDamage on a real X server (Xvfb): a still screen is not even grabbed; a drawing or a
moved pointer is."""

from __future__ import annotations

import subprocess

import numpy as np

from capdesk.capture.damage import DamageWatcher
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
