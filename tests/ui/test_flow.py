"""The whole flow through the UI against the fake Cap server: record, stop, share."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

from capdesk.cap.rest import MIN_POLL_INTERVAL
from capdesk.engine.journal import State
from capdesk.engine.pipeline import LocalRecording
from capdesk.engine.session import Recorder
from capdesk.ui.controller import Phase, RecorderLike, make_recorder
from capdesk.ui.share import Share
from capdesk.ui.shell import Shell
from tests.fakecap.fixtures import CapApp

pytestmark = pytest.mark.display

START_TIMEOUT = 20_000
STOP_TIMEOUT = 60_000


@pytest.fixture
def cap_env(cap_app: CapApp, connect_to) -> CapApp:
    connect_to(cap_app)
    return cap_app


@pytest.fixture
def recorders() -> list[Recorder]:
    return []


@pytest.fixture
def spied_shell(make_shell, recorders: list[Recorder]) -> Shell:
    """Like ``shell``, keeping the recorders the app makes, so a test can look at the
    recording engine behind the buttons."""

    def factory(*args: Any) -> RecorderLike:
        recorder = make_recorder(*args)
        assert isinstance(recorder, Recorder)
        recorders.append(recorder)
        return recorder

    shell: Shell = make_shell(factory=factory)
    shell.start()
    shell.settings.countdown = 0
    return shell


def engine_of(recorders: list[Recorder]) -> LocalRecording:
    assert len(recorders) == 1
    engine = recorders[0].local
    assert engine is not None
    return engine


def assert_timeline_is_whole(engine: LocalRecording) -> None:
    """Every slot of the recorded timeline is a frame in the file or a counted drop."""
    result = engine.result
    assert result is not None
    assert result.frames + result.dropped_frames == round(result.duration_secs * result.fps)


def start_recording(qtbot, shell: Shell) -> None:
    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=START_TIMEOUT)
    assert shell.bar.isVisible()
    assert not shell.window.isVisible()


def record_for(qtbot, shell: Shell, seconds: float) -> None:
    start = shell.controller.elapsed()
    qtbot.waitUntil(lambda: shell.controller.elapsed() >= start + seconds, timeout=30_000)


def stop_and_wait(qtbot, shell: Shell) -> Share:
    with qtbot.waitSignal(shell.controller.share_changed, timeout=STOP_TIMEOUT) as blocker:
        qtbot.mouseClick(shell.bar.stop, Qt.MouseButton.LeftButton)
    share = blocker.args[0]
    assert isinstance(share, Share)
    return share


def test_record_stop_puts_the_link_on_the_clipboard(qtbot, cap_env: CapApp,
                                                    spied_shell: Shell,
                                                    recorders: list[Recorder]) -> None:
    shell = spied_shell
    start_recording(qtbot, shell)
    engine = engine_of(recorders)
    record_for(qtbot, shell, 1.5)
    assert shell.bar.time.text().startswith("0:0")
    written = engine.frames  # frames in the file so far
    share = stop_and_wait(qtbot, shell)

    assert share.state == State.COMPLETE, share.detail
    assert share.link and share.link.startswith("http")
    assert QGuiApplication.clipboard().text() == share.link
    assert shell.window.isVisible() and not shell.bar.isVisible()
    panel = shell.window.result
    assert panel.link.text() == share.link and panel.copied.isVisible()

    video = cap_env.server.video(share.journal.video_id or "")
    result = engine.result
    assert result is not None and result.frames >= max(written, 1)  # nothing was lost
    assert video["duration"] == pytest.approx(result.duration_secs)  # Cap got its length
    assert_timeline_is_whole(engine)
    assert (video["width"], video["height"]) == (320, 240)
    assert cap_env.server.video_bytes(video["id"])[4:8] == b"ftyp"

    # With a secret key the app follows the video on Cap: ready, then the transcript,
    # polling no faster than every 2 s: every poll after the first comes from a
    # single-shot timer of at least MIN_POLL_INTERVAL, armed once an answer is in.
    timer = shell.aftercare.findChild(QTimer)
    assert timer is not None and timer.isSingleShot()
    waits: list[int] = []  # the timer's interval (ms) each time it set off a poll
    timer.timeout.connect(lambda: waits.append(timer.interval()))
    video_id = video["id"]
    cap_env.server.set_transcription_status(video_id, "PROCESSING")
    qtbot.waitUntil(lambda: "transcribing" in panel.status.text(), timeout=10_000)
    assert "Ready to watch" in panel.status.text()
    cap_env.server.set_transcription_status(video_id, "COMPLETE")
    qtbot.waitUntil(lambda: "transcript ready" in panel.status.text(), timeout=15_000)
    polls = [r for r in cap_env.server.api_log if r.path.endswith(f"/videos/{video_id}/status")]
    assert len(polls) >= 2
    assert len(polls) == 1 + len(waits)  # the first at once, each other one after a wait
    assert min(waits) >= MIN_POLL_INTERVAL * 1000
    assert not timer.isActive()  # the transcript is final: no more polling

    # Copy again and open in the browser.
    QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(panel.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == share.link
    qtbot.mouseClick(panel.open, Qt.MouseButton.LeftButton)
    assert shell.services.browser.opened == [share.link]  # type: ignore[attr-defined]


def test_pause_stops_the_clock_and_the_video_has_no_gap(qtbot, cap_env: CapApp,
                                                        spied_shell: Shell,
                                                        recorders: list[Recorder]) -> None:
    shell = spied_shell
    start_recording(qtbot, shell)
    engine = engine_of(recorders)
    record_for(qtbot, shell, 1.0)
    qtbot.mouseClick(shell.bar.pause, Qt.MouseButton.LeftButton)
    # The recording itself pauses, not only the clock on the bar. (Tuples: plain asserts
    # would narrow the phase and is_paused for mypy past the clicks that change them.)
    assert (shell.controller.phase, engine.is_paused) == (Phase.PAUSED, True)
    assert shell.bar.pause.text() == "Resume"
    paused_at = shell.controller.elapsed()
    recorded = engine.elapsed
    # Neither clock moves while paused (checked over a real wait on the GUI loop).
    qtbot.wait(1200)
    assert shell.controller.elapsed() == paused_at
    assert engine.elapsed == recorded
    clicked = time.monotonic()
    qtbot.mouseClick(shell.bar.pause, Qt.MouseButton.LeftButton)
    went_on_from = engine.elapsed
    read = time.monotonic()
    assert shell.controller.phase == Phase.RECORDING and not engine.is_paused
    # The recording goes on where it paused: its timeline moved by no more than the
    # click took (plus rounding to frames), not by the 1.2 s pause. A slow machine
    # only makes the bound looser.
    assert went_on_from - recorded <= (read - clicked) + 2 / engine.config.fps
    record_for(qtbot, shell, 1.0)
    share = stop_and_wait(qtbot, shell)

    assert share.state == State.COMPLETE, share.detail
    assert QGuiApplication.clipboard().text() == share.link
    video = cap_env.server.video(share.journal.video_id or "")
    result = engine.result
    assert result is not None and result.duration_secs >= recorded
    assert video["duration"] == pytest.approx(result.duration_secs)  # Cap got its length
    assert_timeline_is_whole(engine)


def test_discard_asks_then_aborts_the_upload_and_deletes_the_file(
        qtbot, cap_env: CapApp, shell: Shell) -> None:
    start_recording(qtbot, shell)
    record_for(qtbot, shell, 1.0)
    qtbot.waitUntil(lambda: shell.controller.recorder_video_id() is not None, timeout=10_000)
    journal = shell.controller.current_journal()
    assert journal is not None
    qtbot.mouseClick(shell.bar.discard, Qt.MouseButton.LeftButton)
    # Asked first; still recording.
    assert (shell.bar.pages.currentIndex(), shell.controller.phase) == (1, Phase.RECORDING)
    confirm = shell.bar.findChild(type(shell.bar.stop), "confirmDiscard")
    with qtbot.waitSignal(shell.controller.discarded, timeout=STOP_TIMEOUT):
        qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)

    assert shell.controller.phase == Phase.IDLE
    assert not Path(journal.spool_path).exists()
    assert journal.state == State.DISCARDED
    assert cap_env.server.multipart_uploads(journal.video_id) == []
    assert "discarded" in shell.window.status.text()


def test_refused_key_is_explained_with_a_fix_and_retry(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app, public_key="cpk_" + "x" * 32)
    shell = make_shell()
    shell.start()
    shell.settings.countdown = 0
    start_recording(qtbot, shell)
    qtbot.waitUntil(lambda: "refused" in shell.bar.health.text(), timeout=15_000)
    record_for(qtbot, shell, 0.5)
    share = stop_and_wait(qtbot, shell)

    assert share.state == State.KEY_REFUSED
    panel = shell.window.result
    assert panel.headline.text() == "Cap refused the key"
    assert "Invalid or revoked public key" in panel.detail.text()
    assert "Settings" in panel.hint.text()
    assert panel.retry.isVisible() and panel.fix.isVisible()
    assert Path(share.journal.spool_path).exists()  # the recording is kept

    # Fix the key, then Retry: the same recording uploads and the link is copied.
    connect_to(cap_app)
    with qtbot.waitSignal(shell.aftercare.link_ready, timeout=STOP_TIMEOUT) as blocker:
        qtbot.mouseClick(panel.retry, Qt.MouseButton.LeftButton)
    link = blocker.args[0]
    qtbot.waitUntil(lambda: panel.link.text() == link, timeout=5_000)
    assert QGuiApplication.clipboard().text() == link
    assert panel.copied.isVisible() and not panel.retry.isVisible()


def test_without_a_key_the_recording_is_kept_and_the_window_says_why(
        qtbot, shell: Shell) -> None:
    assert "Uploads are off" in shell.window.note.text()
    start_recording(qtbot, shell)
    assert shell.bar.health.text() == "Not uploading"
    record_for(qtbot, shell, 0.5)
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.LOCAL_ONLY and share.link is None
    panel = shell.window.result
    assert panel.headline.text() == "Saved on this computer"
    assert "no Cap public key" in panel.detail.text() and panel.fix.isVisible()
    assert not panel.link_row.isVisible() and panel.show_file.isVisible()
    assert share.file.exists() and share.file.stat().st_size > 0


def test_server_down_at_stop_offers_to_keep_it_here_within_5_s(
        qtbot, cap_env: CapApp, shell: Shell) -> None:
    start_recording(qtbot, shell)
    qtbot.waitUntil(lambda: shell.controller.recorder_video_id() is not None, timeout=10_000)
    record_for(qtbot, shell, 1.0)
    server = cap_env.server
    server.api_faults.network_down = True
    server.s3_faults.network_down = True
    stopped = time.monotonic()
    qtbot.mouseClick(shell.bar.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.bar.keep_local.isVisible(), timeout=5_000)
    assert time.monotonic() - stopped < 5.0
    assert not shell.bar.stop.isVisible()  # no dead Stop button while it waits
    assert "cannot be reached" in shell.bar.health.text() or \
        "not answering" in shell.bar.health.text()

    qtbot.mouseClick(shell.bar.keep_local, Qt.MouseButton.LeftButton)
    assert shell.controller.phase == Phase.IDLE and not shell.bar.isVisible()
    card = shell.window.result
    assert shell.window.isVisible() and card.isVisible()
    assert card.headline.text() == "Saved on this computer"
    assert card.share is not None and card.share.file.exists()
    qtbot.waitUntil(lambda: "trying again" in card.status.text()
                    or "Trying" in card.status.text(), timeout=10_000)

    # The network comes back: the upload finishes in the background, the card says so.
    server.api_faults.network_down = False
    server.s3_faults.network_down = False
    qtbot.waitUntil(lambda: card.link.text().startswith("http"), timeout=STOP_TIMEOUT)
    assert QGuiApplication.clipboard().text() == card.link.text()


def test_recordings_made_without_keys_upload_once_keys_are_saved(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    shell: Shell = make_shell()
    shell.start()
    shell.settings.countdown = 0
    start_recording(qtbot, shell)
    record_for(qtbot, shell, 0.5)
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.LOCAL_ONLY

    connect_to(cap_app)  # the keys arrive (here: the environment), then Settings saves
    shell.settings_saved(shell.settings)
    window = shell.window
    qtbot.waitUntil(lambda: window.note_button.text() == "Upload now", timeout=10_000)
    assert "1 recording made while uploads were off is" in window.note.text()
    with qtbot.waitSignal(shell.aftercare.link_ready, timeout=STOP_TIMEOUT):
        qtbot.mouseClick(window.note_button, Qt.MouseButton.LeftButton)
    assert len(cap_app.videos()) == 1
    qtbot.waitUntil(lambda: not window.note_box.isVisible(), timeout=10_000)


def test_link_copied_at_the_start_and_file_deleted_after_upload(
        qtbot, cap_env: CapApp, shell: Shell) -> None:
    shell.settings.copy_link_at_start = True
    shell.settings.delete_after_upload = True
    QGuiApplication.clipboard().setText("")
    start_recording(qtbot, shell)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("http"),
                    timeout=10_000)
    early = QGuiApplication.clipboard().text()
    assert shell.controller.phase == Phase.RECORDING  # still recording
    record_for(qtbot, shell, 0.5)
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.COMPLETE and share.link == early
    qtbot.waitUntil(lambda: not share.file.exists(), timeout=10_000)  # Cap has it
    assert cap_env.server.video_bytes(share.journal.video_id or "")[4:8] == b"ftyp"
    card = shell.window.result
    card.embed.click()
    assert QGuiApplication.clipboard().text().startswith("<iframe src=")


def test_low_balance_note_clears_after_a_top_up(
        qtbot, make_cap_app, connect_to, make_shell) -> None:
    poor = make_cap_app(balance=0)
    connect_to(poor)
    shell: Shell = make_shell()
    shell.start()
    window = shell.window
    qtbot.waitUntil(lambda: "balance is too low" in window.note.text(), timeout=20_000)
    assert window.note_button.text() == "Add credits…"
    poor.server.set_balance(poor.app_id, 50_000_000)
    qtbot.mouseClick(window.note_button, Qt.MouseButton.LeftButton)  # opens the dashboard
    assert shell.services.browser.opened[-1].endswith(  # type: ignore[attr-defined]
        "/dashboard/developers")
    qtbot.waitUntil(lambda: not window.note_box.isVisible(), timeout=20_000)
