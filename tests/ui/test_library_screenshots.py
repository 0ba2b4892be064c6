"""Screenshots of the Library with recordings in every state, light and dark, for a
person to look at (artifacts/screenshots/library-*.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from capdesk import paths
from capdesk.engine.journal import State
from capdesk.ui import theme
from capdesk.ui.shell import Shell
from capdesk.upload.lock import lock_for
from tests.fakecap.fixtures import CapApp
from tests.ui.library_helpers import add_journal, make_clip
from tests.ui.test_screenshots import save

pytestmark = pytest.mark.display


@pytest.fixture(params=["light", "dark"])
def look(request: pytest.FixtureRequest, qapp: QApplication,
         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAPDESK_THEME", request.param)
    theme.apply(qapp)
    yield request.param
    monkeypatch.delenv("CAPDESK_THEME")
    theme.apply(qapp)


def mixed_library(folder: Path) -> list[object]:
    """Seven recordings, one in each state the Library tells apart. Returns held locks."""
    clip = make_clip
    add_journal(clip(folder / "demo.mp4", palette="blue"), State.COMPLETE,
                name="Product demo for the launch", age_minutes=3,
                video_id="k3v9x2m7q1w8", share_url="https://cap.so/dev/k3v9x2m7q1w8",
                duration_secs=94.0)
    uploading = add_journal(clip(folder / "onboarding.mp4", palette="teal"), State.UPLOADING,
                            name="Onboarding walkthrough", age_minutes=9, video_id="p0q8r7",
                            duration_secs=312.0)
    add_journal(clip(folder / "bug.mp4", palette="orange"), State.WAITING_NETWORK,
                name="Bug report: login loop on Safari", age_minutes=40, video_id="b7n3m1",
                duration_secs=48.0,
                error="Cannot reach Cap: could not connect. Check your internet connection")
    add_journal(clip(folder / "review.mp4", palette="purple"), State.NEEDS_CREDITS,
                name="Quarterly review", age_minutes=60 * 5, video_id="q4r2s9",
                duration_secs=1520.0, needed_micro_credits=126_666)
    add_journal(clip(folder / "sync.mp4", palette="green"), State.KEY_REFUSED,
                name="Design sync notes", age_minutes=60 * 26, duration_secs=605.0,
                error="Cap refused the key: Invalid or revoked public key. Copy the key again")
    add_journal(clip(folder / "sketch.mp4", palette="slate"), State.LOCAL_ONLY,
                name="Sketch of the new settings page", age_minutes=60 * 50,
                duration_secs=75.0)
    add_journal(folder / "old.mp4", State.COMPLETE, name="Team intro",
                age_minutes=60 * 24 * 9, video_id="z9y8x7",
                share_url="https://cap.so/dev/z9y8x7", duration_secs=33.0)
    lock = lock_for(uploading)
    assert lock.acquire()  # "an upload is running" for this one
    return [lock]


def test_library_screenshots(qtbot, look: str, cap_app: CapApp, connect_to,
                             make_shell) -> None:
    cap_app.server.set_balance(cap_app.app_id, 1_234_500)
    ids = cap_app.server.seed_videos(cap_app.app_id, 24)
    for video_id, status in zip(ids[:6], ("PROCESSING", "COMPLETE", "COMPLETE", "NO_AUDIO",
                                          "ERROR", "COMPLETE"), strict=True):
        cap_app.server.set_transcription_status(video_id, status)
    cap_app.server.update_video(ids[0], width=None, duration=None)
    connect_to(cap_app)
    locks = mixed_library(paths.recordings_dir())
    shell: Shell = make_shell()
    shell.start()
    library = shell.library
    shell.open_library()
    library.move(60, 40)
    library.resize(1000, 860)
    qtbot.waitExposed(library)
    qtbot.waitUntil(lambda: library.local_pane.model.rowCount() == 7, timeout=10_000)
    qtbot.waitUntil(lambda: library.balance.text() == "$12.35", timeout=10_000)
    refused = library.local_pane.model.items[4]
    library.local_pane.select(refused.id)  # the refused key: its actions show
    qtbot.waitUntil(lambda: sum(1 for i in library.local_pane.model.items
                                if library.local_pane.model._thumbs.get(i.id) is not None) == 6,
                    timeout=15_000)
    qtbot.wait(50)
    save(library, f"library-{look}")

    library.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: library.cap_pane.model.rowCount() == 24, timeout=10_000)
    library.cap_pane.table.selectRow(1)
    qtbot.wait(50)
    save(library, f"library-cap-{look}")
    for lock in locks:
        lock.release()  # type: ignore[attr-defined]
