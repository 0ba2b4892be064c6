"""Recording one window on Xvfb with a window manager (openbox): the qt capture backend.

The test card window is recorded alone: the output has the window's size and shows its
counter in every frame, also after the window was moved; a closed window ends the
recording with what was recorded kept; ``capdesk windows`` lists it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from capdesk.capture.testcard import read_video_counters
from capdesk.encode import fmp4
from tests.e2e.timeline import check_slots

ROOT = Path(__file__).resolve().parents[2]
CardWindow = Callable[..., Path]
TITLE = "capdesk test card"


def cli_env(display: str, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display, "CAPDESK_HOME": str(tmp_path / "home")}
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "CAP_PUBLIC_KEY", "CAP_SECRET_KEY"):
        env.pop(name, None)
    return env


def capdesk(display: str, tmp_path: Path, *args: str, timeout: float = 60
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "capdesk.cli", *args],
                          env=cli_env(display, tmp_path), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, check=False)


def start_recording(display: str, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "capdesk.cli", "record", "--source", "window", "--window", TITLE,
         "--no-upload", "--json", "--output", str(tmp_path / "window.mp4"), *args],
        env=cli_env(display, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=ROOT)


def window_id(display: str) -> str:
    done = subprocess.run(["xdotool", "search", "--name", f"^{TITLE}$"],
                          env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, check=True)
    return done.stdout.split()[0]


def wait_for(proc: subprocess.Popen[str], text: str, timeout: float = 20) -> str:
    """Reads the recorder's stderr until ``text`` appears (it says "recording ..."); returns
    what was read."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if text in line:
            return "".join(seen)
        if not line and proc.poll() is not None:
            break
    pytest.fail(f"the recorder never said {text!r}: {''.join(seen)}")


def test_capdesk_windows_lists_the_card_and_record_refuses_an_unknown_window(
        window_manager: str, card_window: CardWindow, tmp_path: Path) -> None:
    card_window((100, 100, 480, 270), title=TITLE)
    listed = capdesk(window_manager, tmp_path, "windows", "--json")
    assert listed.returncode == 0, listed.stderr
    (card,) = [w for w in json.loads(listed.stdout) if w["title"] == TITLE]
    assert (card["width"], card["height"]) == (480, 270)
    assert int(card["id"], 16) == int(window_id(window_manager))
    table = capdesk(window_manager, tmp_path, "windows")
    assert TITLE in table.stdout and "480x270" in table.stdout
    refused = capdesk(window_manager, tmp_path, "record", "--source", "window", "--window",
                      "no such window", "--no-upload", "--seconds", "1")
    assert refused.returncode == 1
    assert "There is no window 'no such window'" in refused.stderr and TITLE in refused.stderr
    assert not list((tmp_path / "home").rglob("*.mp4"))


def test_a_window_recorded_alone_follows_it_when_it_moves(
        window_manager: str, card_window: CardWindow, tmp_path: Path) -> None:
    card_window((100, 100, 480, 270), title=TITLE)
    proc = start_recording(window_manager, tmp_path, "--seconds", "4")
    said = wait_for(proc, "recording window")
    time.sleep(1.5)
    subprocess.run(["xdotool", "windowmove", window_id(window_manager), "600", "380"],
                   env={**os.environ, "DISPLAY": window_manager}, check=True)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert (result["width"], result["height"]) == (480, 270)  # the window's size
    assert abs(result["durationSecs"] - 4.0) <= 1 / 30
    assert "covered by other windows" in said  # said where it matters
    frames = read_video_counters(result["file"])
    check_slots(result, len(frames), 4.0)
    assert all(f.counter is not None for f in frames), "a frame without the card: not followed"
    counters = [f.counter or 0 for f in frames]
    assert counters == sorted(counters) and len(set(counters)) > 0.8 * len(counters)
    assert fmp4.has_mfra(result["file"])


def test_a_closed_window_ends_the_recording_and_keeps_it(
        window_manager: str, card_window: CardWindow, tmp_path: Path) -> None:
    card_window((100, 100, 320, 180), title=TITLE)
    proc = start_recording(window_manager, tmp_path, "--seconds", "30")
    wait_for(proc, "recording window")
    time.sleep(1.5)
    subprocess.run(["xdotool", "windowkill", window_id(window_manager)],
                   env={**os.environ, "DISPLAY": window_manager}, check=True)
    out, err = proc.communicate(timeout=60)
    result = json.loads(out)
    assert proc.returncode == 1, err
    assert f"the window '{TITLE}' can no longer be recorded (closed?)" in err
    assert "what was recorded is kept" in err and 1.0 < result["durationSecs"] < 10
    frames = read_video_counters(result["file"])
    assert 30 <= len(frames) < 30 * 10  # what was recorded before it closed
    assert all(f.counter is not None for f in frames[:30])


def test_the_qt_backend_records_a_screen_region_like_mss(
        window_manager: str, card_window: CardWindow, tmp_path: Path) -> None:
    """``--backend qt`` on X11: the area mss would record, through QScreenCapture."""
    card_window((200, 150, 480, 270), title=TITLE)
    listed = capdesk(window_manager, tmp_path, "windows", "--json")
    (card,) = [w for w in json.loads(listed.stdout) if w["title"] == TITLE]
    done = capdesk(window_manager, tmp_path, "record", "--source", "screen", "--backend", "qt",
                   "--region", f"{card['x']},{card['y']},480,270", "--seconds", "2",
                   "--no-upload", "--json", "--output", str(tmp_path / "qt.mp4"))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["width"], result["height"]) == (480, 270)
    assert "does not draw the mouse cursor" in done.stderr  # the qt backend's note
    frames = read_video_counters(result["file"])
    check_slots(result, len(frames), 2.0)
    assert all(f.counter is not None for f in frames)


def test_the_pointer_over_a_recorded_window_is_drawn_where_it_is(
        window_manager: str, card_window: CardWindow, tmp_path: Path) -> None:
    """Qt's window capture leaves the pointer out; on X11 capdesk draws it in from XFixes,
    at its place in the window (and not when it leaves the window)."""
    import av
    import mss
    import numpy as np

    from capdesk.capture.screencast.x11_windows import list_x11_windows

    card_window((100, 100, 480, 270), title=TITLE, style="plain")
    env = {**os.environ, "DISPLAY": window_manager}
    card = next(w for w in list_x11_windows(window_manager) if w.title == TITLE)
    inside = (card.x + 200, card.y + 150)
    subprocess.run(["xdotool", "mousemove", *map(str, inside)], env=env, check=True)
    old_display = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = window_manager  # mss reads the display from the environment
    try:
        with mss.MSS(with_cursor=True) as sct:
            impl: Any = getattr(sct, "_impl", sct)
            shot = impl.cursor()
    finally:
        if old_display is None:
            os.environ.pop("DISPLAY")
        else:
            os.environ["DISPLAY"] = old_display
    (cx, cy), (cw, ch) = shot.pos, shot.size
    cursor = np.frombuffer(shot.raw, dtype=np.uint8).reshape(ch, cw, 4)
    opaque = cursor[..., 3] == 255
    assert opaque.sum() > 20, "the X cursor has no opaque pixels to look for"
    x, y = cx - card.x, cy - card.y  # its top-left corner in the recorded frame

    proc = start_recording(window_manager, tmp_path, "--seconds", "3")
    said = wait_for(proc, "recording window")
    assert "mouse cursor" not in said  # drawn, so not said to be missing
    time.sleep(1.5)
    subprocess.run(["xdotool", "mousemove", "20", "20"], env=env, check=True)  # off the window
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    result = json.loads(out)
    with av.open(result["file"]) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    expected = cursor[..., :3][opaque].astype(int)

    def difference(frame: np.ndarray) -> float:
        return float(np.abs(frame[y:y + ch, x:x + cw][opaque].astype(int) - expected).mean())

    early = [difference(frame) for frame in frames[5:30]]  # 0.17-1 s: the pointer is in
    late = [difference(frame) for frame in frames[-15:]]  # the last 0.5 s: it has left
    assert max(early) < 20, early
    assert min(late) > max(early) + 20, (early, late)
