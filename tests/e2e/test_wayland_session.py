"""A real headless Wayland session: QScreenCapture gets the test card through the portal.

Needs root and what scripts/test installs (scripts/wayland-session setup). Fails when CI
is set and the session cannot start; skips otherwise, saying what is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from capdesk.capture.testcard import read_counter
from tests.e2e.card_window import read_log
from tests.wayland_session import WaylandSession, start_session_or_skip

pytestmark = pytest.mark.slow


def test_screen_capture_gets_the_card_through_the_portal(
    wayland: WaylandSession, tmp_path: Path
) -> None:
    card = wayland.show_card(style="plain", interval_ms=33)
    try:
        result = wayland.probe(seconds=3.0, read_counters=True)
        shot = wayland.screenshot_array()
        wayland.screenshot(tmp_path / "screen.png")  # kept for a person to look at
    finally:
        card.stop()
    logs = wayland.logs()
    assert result["returncode"] == 0, f"{result}\n{logs}"
    assert result["frames"] > 0, f"{result}\n{logs}"
    assert (result["width"], result["height"]) == (1920, 1080), result
    assert result["pixel_format"] in ("Format_BGRX8888", "Format_BGRA8888", "Format_RGBX8888",
                                      "Format_XRGB8888", "Format_XBGR8888"), result
    assert result["errors"] == [], result
    # What Qt delivered is the card, moving: its counter reads back and changes.
    counters = result["counters"]
    assert counters["first"] is not None and counters["distinct"] > 1, result
    assert counters["last"] > counters["first"], result
    # The card's own log agrees that it was redrawing meanwhile.
    drawn = read_log(card.log)
    assert len(drawn) > 10 and counters["last"] <= drawn[-1, 0], (counters, drawn[-1])

    # grim, straight from the compositor: the screen is not black and shows the card.
    assert shot.shape == (1080, 1920, 3)
    assert float(shot.mean()) > 40 and float(shot.std()) > 20, (shot.mean(), shot.std())
    assert read_counter(shot) is not None


def test_stop_ends_every_process_of_the_session(tmp_path: Path) -> None:
    session = start_session_or_skip(tmp_path)
    try:
        assert session.alive() == session.pids
        assert Path(session.env["XDG_RUNTIME_DIR"], session.env["WAYLAND_DISPLAY"]).exists()
        stat = Path(session.env["XDG_RUNTIME_DIR"]).stat()
        assert (stat.st_uid, stat.st_mode & 0o777) == (session.uid, 0o700)
        # A child left running is ended by stop() too.
        sleeper = session.popen(["sleep", "600"])
    finally:
        session.stop()
    assert session.alive() == []
    assert sleeper.poll() is not None
    assert not session.state_dir.exists()
    assert (tmp_path / "wayland.env.logs" / "sway.log").exists()
    session.stop()  # twice is fine


def test_screenshot_is_an_rgb_array_of_the_output(wayland: WaylandSession) -> None:
    shot = wayland.screenshot_array()
    assert shot.dtype == np.uint8 and shot.shape == (1080, 1920, 3)
