"""Screenshots of every window, light and dark and at 200%, for a person to look at.

They go to artifacts/screenshots/ (git-ignored). The test also checks the basics
a screenshot can show: windows are on screen, non-blank, and nothing is cut off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from capdesk.ui import theme, wording
from capdesk.ui.audio import probe_audio
from capdesk.ui.controller import Phase
from capdesk.ui.recording_bar import RecordingBar
from capdesk.ui.shell import Shell
from tests.e2e.pulse_server import PulseServer
from tests.fakecap.fixtures import CapApp
from tests.ui.conftest import SCREENSHOTS, helper_env
from tests.ui.test_recorder import FakeWindow

pytestmark = pytest.mark.display
HERE = Path(__file__).resolve().parent


def save(widget: QWidget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 50 and image.height() > 30
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7)
                for y in range(0, image.height(), 7)}) > 3, f"{name} looks blank"
    assert image.save(str(path))
    return path


def save_screen(name: str) -> Path:
    screen = QGuiApplication.primaryScreen()
    path = SCREENSHOTS / f"{name}.png"
    assert screen.grabWindow(0).save(str(path))
    return path


class Backdrop(QWidget):
    """A stand-in desktop for the area picker screenshot (Xvfb's root window is black)."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint)
        self.setGeometry(QGuiApplication.primaryScreen().geometry())

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        gradient = QLinearGradient(0, 0, self.width(), self.height())
        gradient.setColorAt(0, QColor("#2E4A7D"))
        gradient.setColorAt(1, QColor("#7A5C99"))
        p.fillRect(self.rect(), gradient)
        page = QRect(520, 160, 880, 640)
        p.fillRect(page, QColor("#FFFFFF"))
        p.fillRect(QRect(page.left(), page.top(), page.width(), 36), QColor("#E8EAF0"))
        p.setPen(QColor("#30343C"))
        font = p.font()
        font.setPointSize(20)
        font.setBold(True)
        p.setFont(font)
        p.drawText(page.adjusted(40, 70, -40, 0), "Quarterly review")
        for row in range(8):
            p.fillRect(QRect(page.left() + 40, page.top() + 140 + row * 48,
                             700 - (row % 3) * 140, 14), QColor("#C9CED8"))


@pytest.fixture(params=["light", "dark"])
def look(request: pytest.FixtureRequest, qapp: QApplication,
         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAPDESK_THEME", request.param)
    theme.apply(qapp)
    yield request.param
    monkeypatch.delenv("CAPDESK_THEME")
    theme.apply(qapp)


def test_screenshots(qtbot, look: str, cap_app: CapApp, connect_to, make_shell,
                     pulse: PulseServer) -> None:
    connect_to(cap_app, secret=False)
    shell: Shell = make_shell(audio_probe=probe_audio, window_lister=lambda: [FakeWindow(
        "0x3a00007", "Quarterly review - Slides", "Slides", 1280, 800)])
    shell.start()
    window = shell.window
    window.move(80, 60)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.has_microphones, timeout=10_000)
    window.microphone.setChecked(True)
    qtbot.wait(50)
    save(window, f"main-{look}")
    window.set_mode("window")
    qtbot.waitUntil(lambda: window.source.chosen_window() is not None, timeout=5_000)
    qtbot.wait(50)
    save(window, f"main-window-{look}")
    window.set_mode("screen")

    if look == "light":  # the area picker over a desktop, with a selection made
        backdrop = Backdrop()
        backdrop.show()
        qtbot.waitExposed(backdrop)
        window.raise_()
        qtbot.wait(100)
        shell.picker.open()
        overlay = shell.picker.overlays[0]
        qtbot.waitExposed(overlay)
        shell.picker.select(0, QRect(QPoint(360, 200), QPoint(1239, 719)))
        qtbot.wait(50)
        save_screen("area-picker")
        shell.picker.close()
        backdrop.close()

    shell.settings.countdown = 3
    qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)
    number = shell.starter.overlay.number
    qtbot.waitUntil(number.isVisible, timeout=5_000)
    qtbot.wait(100)
    save_screen(f"countdown-{look}")
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    qtbot.waitUntil(lambda: shell.bar.time.text() == "0:02", timeout=20_000)
    qtbot.waitUntil(lambda: "recorded" in shell.bar.health.text(), timeout=10_000)
    qtbot.waitUntil(lambda: shell.bar.meter.level > 0.1, timeout=5_000)
    assert shell.bar.meter.isVisible() and shell.bar.mute.isVisible()
    save(shell.bar, f"recording-bar-{look}")
    shell.bar.mute.click()
    qtbot.waitUntil(lambda: shell.bar.meter.level < 0.001, timeout=3_000)
    save(shell.bar, f"recording-bar-muted-{look}")
    shell.bar.mute.click()
    # How an engine warning reads (the real one is tested in test_audio.py).
    name = window.mic_combo.currentText().removeprefix("System default · ")
    shell.bar.set_audio_warning(*wording.audio_warning(
        f"{name} stopped delivering sound (gone); recording silence in its place until "
        "it comes back"))
    qtbot.wait(50)
    save(shell.bar, f"recording-bar-warning-{look}")
    shell.bar.set_audio_warning("", "")
    shell.bar.discard.click()
    save(shell.bar, f"recording-bar-discard-{look}")
    shell.bar.pages.setCurrentIndex(0)
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000):
        shell.bar.stop.click()
    qtbot.waitUntil(lambda: "Uploaded" in window.result.status.text(), timeout=5_000)
    qtbot.waitUntil(window.result.isVisible, timeout=5_000)
    save(window.result, f"result-card-{look}")
    save_screen(f"finished-{look}")
    shell.settings.countdown = 0

    window.microphone.setChecked(False)  # Record now asks first
    qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.mic_prompt is not None and shell.mic_prompt.isVisible(),
                    timeout=5_000)
    prompt = shell.mic_prompt
    assert prompt is not None
    qtbot.waitExposed(prompt)
    save(prompt, f"microphone-prompt-{look}")
    prompt.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: shell.mic_prompt is None, timeout=5_000)

    shell.open_settings()
    dialog = shell.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    save(dialog, f"settings-{look}")
    dialog.tabs.setCurrentIndex(2)
    save(dialog, f"settings-shortcuts-{look}")
    dialog.reject()

    shell.open_welcome()
    assert shell.welcome is not None
    qtbot.waitExposed(shell.welcome)
    save(shell.welcome, f"welcome-{look}")
    shell.welcome.reject()


def test_failed_upload_screenshot(qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app, public_key="cpk_" + "x" * 32)
    shell: Shell = make_shell()
    shell.start()
    shell.settings.countdown = 0
    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    qtbot.waitUntil(lambda: "refused" in shell.bar.health.text(), timeout=15_000)
    save(shell.bar, "recording-bar-error")
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000):
        shell.bar.stop.click()
    save(shell.window.result, "failed-light")


def test_keep_it_here_screenshot(qtbot, qapp: QApplication) -> None:
    """How the bar reads when Cap cannot be reached after Stop (the real path is in
    test_flow.py)."""
    bar = RecordingBar()
    qtbot.addWidget(bar)
    bar.set_phase(Phase.STOPPING.value)
    bar.set_health("error", "Cap cannot be reached · the recording is safe on this computer")
    bar.offer_keep_local(True)
    bar.place()
    bar.show()
    qtbot.waitExposed(bar)
    assert bar.keep_local.isVisible() and not bar.stop.isVisible()
    layout = bar.layout()
    assert layout is not None
    qtbot.waitUntil(lambda: bar.height() >= layout.totalSizeHint().height(), timeout=2_000)
    assert bar.keep_local.geometry().bottom() < bar.offer.height() + 2  # not cut off
    save(bar, "recording-bar-keep-local-light")


def test_screenshots_at_200_percent() -> None:
    env = helper_env(QT_SCALE_FACTOR="2")
    result = subprocess.run([sys.executable, str(HERE / "scaled_snapshot.py"), str(SCREENSHOTS)],
                            env=env, cwd=HERE.parents[1], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for name, at_100 in (("main-200", 300), ("settings-200", 500)):
        image = QImage(str(SCREENSHOTS / f"{name}.png"))
        assert image.width() >= 2 * at_100, f"{name} is not scaled: {image.width()} px wide"


@pytest.mark.parametrize("look", ["light", "dark"])
def test_every_state_at_200_percent(look: str) -> None:
    """The recorder, its result card, an error, Settings and the first run at 200%, in
    both looks (``scaled_fit.py`` also checks they fit)."""
    env = helper_env(QT_SCALE_FACTOR="2", CAPDESK_THEME=look)
    result = subprocess.run([sys.executable, str(HERE / "scaled_fit.py"), str(SCREENSHOTS),
                             f"200-{look}"], env=env, cwd=HERE.parents[1],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for name in ("recorder", "result-card", "result-link", "settings-general", "welcome"):
        image = QImage(str(SCREENSHOTS / f"{name}-200-{look}.png"))
        assert not image.isNull() and image.width() >= 600, name


def test_no_sound_devices_screenshot(qtbot, make_shell) -> None:
    shell: Shell = make_shell()  # no sound devices (the tests' default audio probe)
    shell.start()
    window = shell.window
    qtbot.waitUntil(lambda: window.audio_hint.isVisible(), timeout=10_000)
    assert not window.microphone.isEnabled() and not window.system_audio.isEnabled()
    save(window, "main-no-audio-light")
