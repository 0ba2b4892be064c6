"""Audio through the UI: the microphone against a private PulseAudio server (an 880 Hz
sine source), mute and the level meter, the "Record without a microphone?" question,
and a microphone unplugged mid-recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QMessageBox

from capdesk import settings as settings_module
from capdesk.engine.journal import State
from capdesk.ui.audio import AudioOffer, LevelThrottle, Microphone, probe_audio
from capdesk.ui.controller import Phase
from capdesk.ui.shell import Shell
from tests.e2e.audio_sync import decode_audio, dominant_frequency
from tests.e2e.pulse_server import TONE_HZ, TONE_SOURCE, PulseServer
from tests.fakecap.fixtures import CapApp
from tests.ui.test_flow import START_TIMEOUT, record_for, stop_and_wait

pytestmark = pytest.mark.display


@pytest.fixture
def cap_env(cap_app: CapApp, connect_to) -> CapApp:
    connect_to(cap_app)
    return cap_app


def prompt_button(shell: Shell, name: str) -> QAbstractButton:
    assert shell.mic_prompt is not None
    button = shell.mic_prompt.findChild(QAbstractButton, name)
    assert button is not None, name
    return button


def wait_for_devices(qtbot, shell: Shell) -> None:
    qtbot.waitUntil(lambda: shell.window.has_microphones, timeout=10_000)


def test_level_throttle_passes_the_loudest_level_at_most_15_times_a_second() -> None:
    now = [0.0]
    got: list[float] = []
    throttle = LevelThrottle(got.append, hz=15, clock=lambda: now[0])
    for i in range(40):  # 2 s of the engine's 20 Hz reports
        now[0] = i * 0.05
        throttle(0.9 if i == 3 else 0.1)
    assert 13 <= len(got) <= 21 and len(got) < 40
    assert 0.9 in got


def test_microphone_recording_has_the_tone_and_mute_drops_the_meter(
        qtbot, pulse: PulseServer, cap_env: CapApp, make_shell, tmp_path: Path) -> None:
    shell: Shell = make_shell(audio_probe=probe_audio)
    shell.start()
    window = shell.window
    shell.settings.countdown = 0
    wait_for_devices(qtbot, shell)
    assert window.microphone.isEnabled() and not window.microphone.isChecked()
    assert window.system_audio.isEnabled()  # the null sink's monitor
    assert window.mic_combo.currentText().startswith("System default")

    # The microphone is off: asked first; "Turn on microphone" records with it.
    qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.mic_prompt is not None and shell.mic_prompt.isVisible(),
                    timeout=5_000)
    assert shell.mic_prompt is not None
    assert shell.mic_prompt.text() == "Record without a microphone?"
    qtbot.mouseClick(prompt_button(shell, "turnOnMic"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=START_TIMEOUT)
    assert window.microphone.isChecked()
    assert settings_module.load().microphone is True  # remembered
    bar = shell.bar
    assert bar.meter.isVisible() and bar.mute.isVisible()

    qtbot.waitUntil(lambda: bar.meter.level > 0.1, timeout=5_000)
    qtbot.mouseClick(bar.mute, Qt.MouseButton.LeftButton)
    assert bar.mute.text() == "Unmute" and shell.controller.muted
    qtbot.waitUntil(lambda: bar.meter.level < 0.001, timeout=3_000)
    qtbot.wait(300)
    assert bar.meter.level < 0.001
    qtbot.mouseClick(bar.mute, Qt.MouseButton.LeftButton)
    assert bar.mute.text() == "Mute"
    qtbot.waitUntil(lambda: bar.meter.level > 0.1, timeout=3_000)
    record_for(qtbot, shell, 1.5)
    share = stop_and_wait(qtbot, shell)

    assert share.state == State.COMPLETE, share.detail
    video = tmp_path / "uploaded.mp4"
    video.write_bytes(cap_env.server.video_bytes(share.journal.video_id or ""))
    samples, _start, rate = decode_audio(video)
    assert len(samples) / rate > 1.5
    assert float(np.abs(samples).max()) > 0.1  # not silence
    assert abs(dominant_frequency(video) - TONE_HZ) < 5
    assert not bar.isVisible()


def test_the_microphone_question_is_asked_until_dont_ask_again(
        qtbot, make_shell) -> None:
    offer = AudioOffer([Microphone("desk", "Desk microphone", True)], "", False,
                       "No system sound to record.")
    shell: Shell = make_shell(audio_probe=lambda: offer)
    shell.start()
    window = shell.window
    shell.settings.countdown = 0
    wait_for_devices(qtbot, shell)
    assert not window.system_audio.isEnabled()
    assert "No system sound" in window.audio_hint.text()

    def press_record() -> None:
        qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)

    def record_and_stop() -> None:
        qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING,
                        timeout=START_TIMEOUT)
        assert shell.controller.audio == "none"
        assert not shell.bar.meter.isVisible() and not shell.bar.mute.isVisible()
        stop_and_wait(qtbot, shell)

    # Asked; Cancel records nothing.
    press_record()
    qtbot.waitUntil(lambda: shell.mic_prompt is not None, timeout=5_000)
    prompt = shell.mic_prompt
    assert prompt is not None and prompt.isVisible()
    assert shell.controller.phase == Phase.IDLE
    cancel = prompt.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.mic_prompt is None, timeout=5_000)
    assert shell.controller.phase == Phase.IDLE

    # Asked again; "Record" records without the microphone.
    press_record()
    qtbot.waitUntil(lambda: shell.mic_prompt is not None, timeout=5_000)
    qtbot.mouseClick(prompt_button(shell, "recordWithoutMic"), Qt.MouseButton.LeftButton)
    record_and_stop()
    assert settings_module.load().ask_microphone is True

    # Asked again; "Don't ask again" is kept, and the next Record just records.
    press_record()
    qtbot.waitUntil(lambda: shell.mic_prompt is not None, timeout=5_000)
    prompt = shell.mic_prompt
    assert prompt is not None
    dont_ask = prompt.findChild(QCheckBox, "dontAskMic")
    assert dont_ask is not None
    dont_ask.setChecked(True)
    qtbot.mouseClick(prompt_button(shell, "recordWithoutMic"), Qt.MouseButton.LeftButton)
    record_and_stop()
    assert settings_module.load().ask_microphone is False

    press_record()
    assert shell.mic_prompt is None
    record_and_stop()


def test_unplugged_microphone_is_reported_in_the_bar(
        qtbot, pulse: PulseServer, make_shell) -> None:
    shell: Shell = make_shell(audio_probe=probe_audio)
    shell.start()
    window = shell.window
    shell.settings.countdown = 0
    wait_for_devices(qtbot, shell)
    window.microphone.setChecked(True)
    qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=START_TIMEOUT)
    bar = shell.bar
    qtbot.waitUntil(lambda: bar.meter.level > 0.1, timeout=5_000)
    assert not bar.warning.isVisible()
    pulse.pactl("unload-module", pulse.module_of(TONE_SOURCE))
    try:
        qtbot.waitUntil(lambda: bar.warning.isVisible(), timeout=10_000)
        text = bar.warning.text()
        assert text.startswith("No sound from") and "silence" in text, text
        qtbot.waitUntil(lambda: bar.meter.level < 0.001, timeout=5_000)
    finally:
        pulse.pactl("load-module", "module-sine-source", f"source_name={TONE_SOURCE}",
                    f"frequency={TONE_HZ}", "rate=48000")
        pulse.pactl("set-default-source", TONE_SOURCE)
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.LOCAL_ONLY
    assert share.file.exists()
