"""A real headless Wayland session for tests (sway + PipeWire + xdg-desktop-portal).

Plain functions and classes, no fixtures: a test module makes its own fixture, e.g.::

    @pytest.fixture(scope="module")
    def wayland(tmp_path_factory):
        session = start_session_or_skip(tmp_path_factory.mktemp("wayland"))
        yield session
        session.stop()

``scripts/wayland-session`` does the work (``setup`` installs and builds what it needs,
as scripts/test does; ``start``/``stop`` run the session). The session runs as an
unprivileged user (``capdesk-wl``): its D-Bus session bus accepts only that user, so
anything that captures the screen must run as that user, with ``session.run`` /
``session.popen``, and write only where that user can (``session.user_dir``). Starting
needs root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "wayland-session"
CARD = ROOT / "tests" / "e2e" / "wayland_card.py"
PROBE = ROOT / "tests" / "e2e" / "wayland_probe.py"

# What a client of the session needs, as written by the script.
SESSION_VARS = (
    "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP", "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
    "SWAYSOCK",
)
# Taken from the test's own environment into a session child's; nothing else is (the tests
# run with DISPLAY and QT_QPA_PLATFORM=xcb, which a Wayland client must not see).
PASS_VARS = ("PATH", "LANG", "LC_ALL", "TZ", "CI")


class WaylandSessionError(RuntimeError):
    """The session could not start (the message says what failed or what is missing)."""


def missing_prerequisite() -> str | None:
    """Why a session cannot even be tried here, or None."""
    if sys.platform != "linux":
        return "a Wayland session needs Linux"
    if os.geteuid() != 0:
        return "starting a Wayland session needs root (it runs the session as capdesk-wl)"
    if not SCRIPT.exists():
        return f"{SCRIPT} is missing"
    return None


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key:
            values[key] = value
    return values


class CardWindow:
    """A running tests/e2e/wayland_card.py; ``log`` is its timing log (card_window.read_log)."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc = proc
        self.log = log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class WaylandSession:
    """A running session (made by ``start_session``).

    ``env``: the variables a child process needs to be a client of the session
    (WAYLAND_DISPLAY, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS, XDG_SESSION_TYPE=wayland,
    XDG_CURRENT_DESKTOP=sway, and a HOME and XDG_*_HOME of the session user's own).
    ``user``, ``uid``, ``gid``: the session user. ``size``: (1920, 1080).
    """

    def __init__(self, env_file: Path) -> None:
        self.env_file = env_file
        self.values = parse_env_file(env_file)
        self.env: dict[str, str] = {k: self.values[k] for k in SESSION_VARS if k in self.values}
        self.user = self.values["CAPDESK_WL_USER"]
        self.uid = int(self.values["CAPDESK_WL_UID"])
        self.gid = int(self.values["CAPDESK_WL_GID"])
        self.state_dir = Path(self.values["CAPDESK_WL_DIR"])
        self.work_dir = Path(self.values["CAPDESK_WL_WORK"])
        self.output = self.values["CAPDESK_WL_OUTPUT"]
        width, height = self.values["CAPDESK_WL_SIZE"].split("x")
        self.size = (int(width), int(height))
        self.pids = [int(p) for p in self.values["CAPDESK_WL_PIDS"].split(",") if p]
        self._procs: list[subprocess.Popen[Any]] = []
        self._stopped = False

    # --- running things as the session user ---------------------------------------------

    def child_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The whole environment of a session child: PATH, LANG, ... from ours, the session's
        variables, PYTHONDONTWRITEBYTECODE (the checkout is not the user's), then ``env``."""
        base = {k: os.environ[k] for k in PASS_VARS if k in os.environ}
        base.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
        base.setdefault("LANG", "C.UTF-8")
        return {**base, "USER": self.user, "LOGNAME": self.user,
                "PYTHONDONTWRITEBYTECODE": "1", **self.env, **(env or {})}

    def command(self, cmd: Sequence[str | os.PathLike[str]]) -> list[str]:
        """``cmd`` wrapped to run as the session user (setpriv execs it: same PID)."""
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups", "--",
                *(os.fspath(part) for part in cmd)]

    def run(self, cmd: Sequence[str | os.PathLike[str]], *, env: Mapping[str, str] | None = None,
            **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """subprocess.run ``cmd`` as the session user, in the session (``env`` adds to
        ``child_env``). Other keywords go to subprocess.run (capture_output, timeout, ...)."""
        return subprocess.run(self.command(cmd), env=self.child_env(env), **kwargs)

    def popen(self, cmd: Sequence[str | os.PathLike[str]], *,
              env: Mapping[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[Any]:
        """subprocess.Popen ``cmd`` as the session user, in the session. ``stop()`` ends it
        if it still runs then."""
        proc: subprocess.Popen[Any] = subprocess.Popen(
            self.command(cmd), env=self.child_env(env), **kwargs)
        self._procs.append(proc)
        return proc

    def user_dir(self, name: str) -> Path:
        """A fresh directory (in the session's state directory) that the session user owns:
        where its processes may write. Root (the test) reads and writes it too."""
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, self.uid, self.gid)
        return path

    # --- what is on screen --------------------------------------------------------------

    def screenshot(self, path: Path) -> Path:
        """Take a screenshot with grim (straight from the compositor, no portal) into
        ``path`` (PNG, or PPM when the name ends in .ppm) and return ``path``."""
        kind = "ppm" if path.suffix == ".ppm" else "png"
        tmp = self.user_dir("screenshots") / f"shot-{time.monotonic_ns()}.{kind}"
        done = self.run(["grim", "-t", kind, "-o", self.output, tmp],
                        capture_output=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"grim failed: {done.stderr.decode(errors='replace')}")
        shutil.move(tmp, path)
        return path

    def screenshot_array(self) -> npt.NDArray[np.uint8]:
        """The screen now, as an (H, W, 3) RGB array (grim's PPM)."""
        tmp = self.user_dir("screenshots") / f"array-{time.monotonic_ns()}.ppm"
        self.screenshot(tmp)
        try:
            return read_ppm(tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def show_card(self, *, style: str = "plain", interval_ms: float = 33.0,
                  log: Path | None = None, timeout: float = 30.0) -> CardWindow:
        """Show capdesk's test card full screen (tests/e2e/wayland_card.py) and return once
        it is drawn at full size. ``log`` (in a ``user_dir``) gets its timing records."""
        if log is None:
            log = self.user_dir("card") / f"card-{time.monotonic_ns()}.log"
        proc = self.popen(
            [sys.executable, CARD, "--style", style, "--interval-ms", str(interval_ms),
             "--log", log, "--ready-timeout", str(timeout)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )
        assert proc.stdout is not None
        line = _readline(proc.stdout, timeout + 5)
        if line.strip() != b"ready":
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise RuntimeError(
                f"the Wayland test card did not start: {err.decode(errors='replace')}")
        return CardWindow(proc, log)

    def probe(self, seconds: float = 3.0, *, read_counters: bool = True,
              timeout: float = 60.0) -> dict[str, Any]:
        """Run tests/e2e/wayland_probe.py (QScreenCapture through the portal) as the session
        user and return its JSON result (frames, width, height, pixel_format, cpu, ...)."""
        cmd: list[str | os.PathLike[str]] = [sys.executable, PROBE, "--seconds", str(seconds)]
        if read_counters:
            cmd.append("--read-counters")
        done = self.run(cmd, env={"QT_QPA_PLATFORM": "offscreen"}, capture_output=True,
                        timeout=timeout, cwd=ROOT)
        lines = done.stdout.decode(errors="replace").strip().splitlines()
        try:
            result: dict[str, Any] = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            raise RuntimeError(
                f"the probe printed no result (exit {done.returncode}): "
                f"{done.stderr.decode(errors='replace')[-2000:]}") from None
        result["returncode"] = done.returncode
        return result

    # --- the end --------------------------------------------------------------------------

    def logs(self) -> str:
        """The tails of the session's logs (while it runs, or kept after stop)."""
        folder = self.state_dir / "log"
        if not folder.is_dir():
            folder = self.env_file.with_name(self.env_file.name + ".logs")
        parts = []
        for log in sorted(folder.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"== {log.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def alive(self) -> list[int]:
        """Which of the session's own processes still run (zombies count as ended)."""
        running = []
        for pid in self.pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if "\nState:\tZ" not in status:
                running.append(pid)
        return running

    def stop(self) -> None:
        """End what ``popen`` started, then the session (scripts/wayland-session stop).
        Safe to call twice. The logs stay in ENVFILE.logs beside the env file."""
        if self._stopped:
            return
        self._stopped = True
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        done = subprocess.run([str(SCRIPT), "stop", str(self.env_file)],
                              capture_output=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(
                f"wayland-session stop failed: {done.stderr.decode(errors='replace')}")

    def __enter__(self) -> WaylandSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_session(tmp_dir: Path, *, timeout: float = 120.0) -> WaylandSession:
    """Start a session (scripts/wayland-session start TMP_DIR/wayland.env) and return it.

    Raises WaylandSessionError saying what failed or is missing. Does not install
    anything: scripts/test (or ``scripts/wayland-session setup``) does that.
    """
    reason = missing_prerequisite()
    if reason:
        raise WaylandSessionError(reason)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    env_file = tmp_dir / "wayland.env"
    grant = ":".join(dict.fromkeys([sys.executable, sys.prefix, sys.base_prefix, str(ROOT)]))
    try:
        done = subprocess.run([str(SCRIPT), "start", str(env_file)],
                              env={**os.environ, "CAPDESK_WL_GRANT": grant},
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise WaylandSessionError(f"scripts/wayland-session start took over {timeout}s") from exc
    err = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0 or not env_file.exists():
        raise WaylandSessionError(
            f"scripts/wayland-session start failed (exit {done.returncode}): {err}")
    return WaylandSession(env_file)


def start_session_or_skip(tmp_dir: Path) -> WaylandSession:
    """start_session for a test: a failure fails the test when CI is set, skips it otherwise
    (the reason says what is missing)."""
    import pytest

    try:
        return start_session(tmp_dir)
    except WaylandSessionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a Wayland session: {exc}")
        pytest.skip(f"no Wayland session: {exc}")


def read_ppm(path: Path) -> npt.NDArray[np.uint8]:
    """A binary PPM (P6, maxval 255) as an (H, W, 3) array."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height * 3, offset=pos + 1)
    return pixels.reshape(height, width, 3)


def _readline(stream: IO[bytes], timeout: float) -> bytes:
    """One line from a pipe, or b"" after ``timeout`` seconds."""
    import selectors

    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        if not sel.select(timeout):
            return b""
    return stream.readline()
