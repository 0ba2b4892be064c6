"""Fixtures for screen-recording tests: a private Xvfb display and test card windows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.wayland_session import WaylandSession, start_session_or_skip

HERE = Path(__file__).resolve().parent
CARD_WINDOW = HERE / "card_window.py"


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on a free display number (-displayfd) and return it with ":N"."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-br", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        proc.wait()
        raise RuntimeError("Xvfb did not report a display")
    return proc, f":{number}"


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    """A private 1280x720x24 Xvfb display for this test module (nothing else draws on it)."""
    if shutil.which("Xvfb") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Xvfb (scripts/test installs it: apt-get install xvfb)")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    proc, display = start_xvfb(1280, 720)
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def on_display(x_display: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test module's Xvfb as DISPLAY, and no Wayland session in sight."""
    monkeypatch.setenv("DISPLAY", x_display)
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    return x_display


CardWindow = Callable[..., Path]


@pytest.fixture
def card_window(x_display: str, tmp_path: Path) -> Iterator[CardWindow]:
    """Start a window redrawing the test card; returns the path of its timing log."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(geometry: tuple[int, int, int, int], interval_ms: float = 4.0,
              title: str | None = None, style: str = "noise") -> Path:
        log = tmp_path / f"card-{len(procs)}.log"
        env = {**os.environ, "DISPLAY": x_display}
        proc = subprocess.Popen(
            [sys.executable, str(CARD_WINDOW), "--geometry", ",".join(map(str, geometry)),
             "--log", str(log), "--interval-ms", str(interval_ms), "--style", style,
             *(["--title", title] if title else [])],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != b"ready":
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise RuntimeError(f"card window did not start: {err.decode(errors='replace')}")
        return log

    yield start
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def needs(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {tool} (scripts/test installs it: apt-get install {package})")
        pytest.skip(f"{tool} is not installed (apt-get install {package})")


@pytest.fixture(scope="module")
def window_manager(x_display: str) -> Iterator[str]:
    """openbox on this module's display: window capture needs a window manager."""
    needs("openbox", "openbox")
    needs("xdotool", "xdotool")
    proc = subprocess.Popen(["openbox", "--sm-disable"], env={**os.environ, "DISPLAY": x_display},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # up once it owns _NET_SUPPORTING_WM_CHECK
        done = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env={
            **os.environ, "DISPLAY": x_display}, capture_output=True, text=True, check=False)
        if "window id" in done.stdout:
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("openbox did not start")
    try:
        yield x_display
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def wayland(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WaylandSession]:
    """A headless Wayland session (tests/wayland_session.py) for this test module; fails
    under CI when it cannot start, skips elsewhere saying why."""
    session = start_session_or_skip(tmp_path_factory.mktemp("wayland"))
    try:
        yield session
    finally:
        session.stop()
