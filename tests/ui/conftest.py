"""UI test setup: a real display (Xvfb, xcb), a private CAPDESK_HOME, fake OS services.

The app is built from its own pieces (``Shell``) with the synthetic test card as
source, no sound devices (``audio_probe``; the audio tests bring a private
PulseAudio server) and no cameras but a video file named by ``CAPDESK_CAMERA_FILE``
(``camera_probe``), so recordings are deterministic and light; the Cap side is the fake Cap
server (``cap_app``), reached through CAP_BASE_URL / CAP_PUBLIC_KEY / CAP_SECRET_KEY.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capdesk import secrets
from capdesk.platform_env import display_available
from capdesk.ui.app import make_application
from capdesk.ui.audio import no_audio
from capdesk.ui.camera import stand_in_cameras
from capdesk.ui.controller import RecorderFactory, make_recorder
from capdesk.ui.services import QtClipboard, Services
from capdesk.ui.shell import Options, Shell
from capdesk.ui.threads import wait_for_workers
from tests.e2e import pulse_server
from tests.e2e.pulse_server import PulseServer
from tests.fakecap.fixtures import CapApp

# The UI tests need a display (scripts/test starts Xvfb). Without one they are still
# collected (importing PySide6 needs no display; only a QApplication does), then
# skipped with a reason everyone sees, or, in CI, the run fails: a CI without a display
# must not pass by running no UI test at all.
HAVE_DISPLAY = display_available()
NO_DISPLAY_REASON = "no display: run under Xvfb (scripts/test starts one)"
CI_NEEDS_DISPLAY = "UI tests need a display (Xvfb); CI must provide one"
UI_TESTS = Path(__file__).resolve().parent

if HAVE_DISPLAY and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Helper processes make the app's real services: no keychain, so that what their windows
# show does not depend on the machine's keychain (and never waits for a locked one).
NO_KEYCHAIN = "keyring.backends.fail.Keyring"


def helper_env(**changes: str) -> dict[str, str]:
    """The environment of a helper process that opens the app's windows: no keychain (see
    NO_KEYCHAIN), xcb. (Its clipboard is in memory: tests/ui/helper_clipboard.py.)"""
    env = dict(os.environ)
    return {**env, "QT_QPA_PLATFORM": "xcb", "PYTHON_KEYRING_BACKEND": NO_KEYCHAIN,
            **changes}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """No display: skip every UI test with a reason, or end the run in CI (CI set)."""
    if HAVE_DISPLAY:
        return
    ui_items = [item for item in items if item.path.resolve().is_relative_to(UI_TESTS)]
    if not ui_items:
        return
    if os.environ.get("CI"):
        pytest.exit(f"{CI_NEEDS_DISPLAY}: DISPLAY and WAYLAND_DISPLAY are unset "
                    f"({len(ui_items)} UI tests collected)", returncode=1)
    skip = pytest.mark.skip(reason=NO_DISPLAY_REASON)
    for item in ui_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A private PulseAudio server (a null sink, an 880 Hz sine source as the default
    microphone) for the whole session: the app's sound library connects to the sound
    server once, when it is first used, so the server must outlive every test after it."""
    if not pulse_server.available():
        if os.environ.get("CI"):
            pytest.fail("CI needs PulseAudio (apt-get install pulseaudio pulseaudio-utils)")
        pytest.skip("PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    saved = {name: os.environ.get(name) for name in server.env if name.startswith("PULSE_")}
    os.environ.update({name: server.env[name] for name in saved})
    try:
        yield server
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["capdesk-tests"]


@pytest.fixture(scope="session")
def qapp(qapp_args: list[str]) -> object:
    """pytest-qt's application, set up like the real app (theme, thread pool)."""
    return make_application(qapp_args)


@dataclass
class FakeBrowser:
    opened: list[str] = field(default_factory=list)

    def open(self, url: str) -> bool:
        self.opened.append(url)
        return True


@dataclass
class MemoryKeys:
    """The keychain, in memory; the environment still wins, as in ``capdesk.secrets``."""

    saved: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> secrets.KeyInfo:
        env = os.environ.get(secrets.ENV[name], "").strip()
        if env:
            return secrets.KeyInfo(name, env, "environment")
        value = self.saved.get(name)
        return secrets.KeyInfo(name, value, "keychain" if value else "none")

    def set(self, name: str, value: str) -> None:
        if not value.startswith(secrets.PREFIX[name]):
            raise ValueError(f"a {name} starts with {secrets.PREFIX[name]}")
        self.saved[name] = value

    def delete(self, name: str) -> None:
        self.saved.pop(name, None)

    def available(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every file the app writes goes under tmp_path; no real keys leak in."""
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("CAP_BASE_URL", "CAP_PUBLIC_KEY", "CAP_SECRET_KEY", "CAP_ORIGIN",
                 "CAPDESK_THEME", "CAPDESK_CAMERA_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def connect_to(monkeypatch: pytest.MonkeyPatch):
    """``connect_to(cap_app, secret=True)``: point the app at an app on the fake server."""

    def apply(app: CapApp, *, secret: bool = True, public_key: str | None = None) -> None:
        for name, value in app.env(secret=secret).items():
            monkeypatch.setenv(name, value)
        if public_key is not None:
            monkeypatch.setenv("CAP_PUBLIC_KEY", public_key)

    return apply


@pytest.fixture
def browser() -> FakeBrowser:
    return FakeBrowser()


@pytest.fixture
def keys() -> MemoryKeys:
    return MemoryKeys()


@pytest.fixture
def make_shell(qapp: object, qtbot, browser: FakeBrowser, keys: MemoryKeys):
    """Build the app (not started); closed and drained after the test. ``factory`` makes
    its recorders (the real ones by default); other keywords change ``Options``."""
    built: list[Shell] = []

    def make(*, factory: RecorderFactory = make_recorder, **changes: object) -> Shell:
        options = Options(source="synthetic", synthetic_size=(320, 240), use_tray=False,
                          use_hotkeys=False, resume_at_start=False, first_run=False,
                          audio_probe=no_audio, camera_probe=stand_in_cameras)
        for name, value in changes.items():
            setattr(options, name, value)
        shell = Shell(options, Services(clipboard=QtClipboard(), browser=browser, keys=keys),
                      factory)
        built.append(shell)
        return shell

    yield make
    for shell in built:
        if shell.controller.busy:
            shell.controller.discard()
            qtbot.waitUntil(lambda s=shell: not s.controller.busy, timeout=30_000)
        shell.shutdown()
    wait_for_workers(30_000)


@pytest.fixture
def shell(make_shell) -> Iterator[Shell]:
    shell = make_shell()
    shell.start()
    shell.settings.countdown = 0
    yield shell
