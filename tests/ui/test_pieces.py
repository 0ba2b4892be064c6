"""Small pieces without a window: wording, the share card model, start at login, resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from capdesk.capture.kinds import SourceKind
from capdesk.engine.journal import Journal, State
from capdesk.engine.options import RecordingOptions
from capdesk.engine.session import Recorder
from capdesk.ui import autostart, wording
from capdesk.ui.share import share_from_journal
from capdesk.ui.shell import Shell
from capdesk.upload.uploader import UploadProgress
from tests.fakecap.fixtures import CapApp


def progress(**changes: object) -> UploadProgress:
    base: dict[str, object] = dict(state=State.RECORDING, video_id="v1", share_url="u",
                                   durable_bytes=12_000_000, confirmed_bytes=5_242_880,
                                   parts_confirmed=1, parts_planned=2, retrying=False,
                                   offline=False, message=None)
    base.update(changes)
    return UploadProgress(**base)  # type: ignore[arg-type]


def test_clock_and_size() -> None:
    assert wording.clock(7.9) == "0:07"
    assert wording.clock(754) == "12:34"
    assert wording.clock(3723) == "1:02:03"
    assert wording.size(512) == "512 bytes"
    assert wording.size(5_242_880) == "5.2 MB"


def test_upload_health_words() -> None:
    assert wording.upload_health(progress(), None) == ("ok", "5.2 MB uploaded · 12.0 MB recorded")
    assert wording.upload_health(progress(retrying=True), None)[0] == "warn"
    level, text = wording.upload_health(progress(retrying=True, offline=True), None)
    assert level == "error" and text.startswith("Offline")
    assert wording.upload_health(progress(state=State.KEY_REFUSED), None) == (
        "error", "Cap refused the key · still recording; the video is kept")
    assert wording.upload_health(None, "Uploads are off")[0] == "warn"


def test_upload_off_note_says_how_to_turn_uploads_on() -> None:
    note = wording.upload_off_note(None)
    assert note is not None and "Settings" in note
    assert wording.upload_off_note("cpk_x") is None
    assert wording.credits_note(4999) is not None and wording.credits_note(5000) is None


def test_failed_share_splits_what_happened_from_the_fix(tmp_path: Path) -> None:
    spool = tmp_path / "a.mp4"
    spool.write_bytes(b"x")
    journal = Journal(id="j", spool_path=str(spool), state=State.NEEDS_CREDITS,
                      error="Not enough Cap credits: Insufficient credits. Add credits in "
                            "Cap's developer dashboard")
    share = share_from_journal(journal)
    assert share.headline == "Not enough Cap credits"
    assert share.detail == "Cap said: Insufficient credits."
    assert share.hint == "Add credits in Cap's developer dashboard"
    assert share.can_retry and not share.fix_in_settings and share.link is None


def test_start_at_login_writes_and_removes_the_xdg_entry(private_home: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("capdesk.ui.autostart.sys.platform", "linux")
    assert not autostart.is_enabled()
    path = autostart.set_enabled(True, ["/opt/capdesk/capdesk"])
    assert path == private_home / "xdg" / "autostart" / "capdesk.desktop"
    text = Path(path).read_text()
    assert "Exec=/opt/capdesk/capdesk" in text and "Type=Application" in text
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert not autostart.is_enabled()


def test_launch_agent_plist_on_macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plistlib

    monkeypatch.setattr("capdesk.ui.autostart.sys.platform", "darwin")
    monkeypatch.setattr("capdesk.ui.autostart.Path.home", classmethod(lambda cls: tmp_path))
    path = Path(autostart.set_enabled(True, ["/Applications/capdesk.app/Contents/MacOS/capdesk"]))
    data = plistlib.loads(path.read_bytes())
    assert data["RunAtLoad"] is True and data["Label"] == autostart.LAUNCH_AGENT


@pytest.mark.display
def test_unfinished_uploads_resume_when_the_app_starts(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    # A recording whose upload never got through (here: a refused key, then "the
    # network"), as a crash or a lost connection leaves it.
    connect_to(cap_app, public_key="cpk_" + "y" * 32)
    recorder = Recorder(RecordingOptions(source=SourceKind.SYNTHETIC, region=(0, 0, 320, 240),
                                         seconds=1.0))
    recorder.start()
    recorder.wait(20)
    outcome = recorder.stop()
    recorder.close()
    assert outcome.journal.state == State.KEY_REFUSED
    outcome.journal.update(state=State.WAITING_NETWORK)

    connect_to(cap_app)
    shell: Shell = make_shell(resume_at_start=True)
    with qtbot.waitSignal(shell.aftercare.resumed, timeout=60_000) as blocker:
        shell.start()
    assert blocker.args == [1, 0]
    assert "finished uploading" in shell.window.status.text()
    videos = cap_app.videos()
    assert len(videos) == 1 and videos[0]["width"] == 320


def test_emitting_does_not_drain_true(qapp: object) -> None:
    """PySide6 6.12.0's emit() drops a reference to True each time (fatal on Python 3.11);
    capdesk.ui.signals.emit gives it back."""
    import sys

    from PySide6.QtCore import QObject, Signal

    from capdesk.ui.signals import emit

    class Source(QObject):
        ping = Signal(int)

    source = Source()
    before = sys.getrefcount(True)
    for number in range(5000):
        emit(source.ping, number)
    assert abs(sys.getrefcount(True) - before) < 50
