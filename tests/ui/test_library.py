"""The Library window against the fake Cap server: Cap's videos page by page, delete,
filter, balance, lazy status; local recordings resumed, renamed and deleted."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from capdesk import paths
from capdesk.cli import main
from capdesk.engine import journal as journals
from capdesk.engine import library
from capdesk.engine.journal import State
from capdesk.ui.library_window import LibraryWindow
from capdesk.ui.shell import Shell
from capdesk.ui.tray import Tray
from tests.fakecap.fixtures import CapApp, MakeCapApp
from tests.ui.library_helpers import add_journal, make_clip
from tests.ui.test_flow import record_for, start_recording, stop_and_wait
from tests.ui.test_tray import tray_host  # noqa: F401  (a fixture: a tray on the X display)

pytestmark = pytest.mark.display

Left = Qt.MouseButton.LeftButton


def open_library(qtbot, shell: Shell, tab: int = 0) -> LibraryWindow:
    qtbot.mouseClick(shell.window.library_button, Left)
    lib = shell.library
    qtbot.waitExposed(lib)
    lib.tabs.setCurrentIndex(tab)
    return lib


def page_requests(app: CapApp) -> list[str]:
    return [r.query for r in app.server.api_log if r.path.endswith("/v1/videos")]


def scroll_to_end(qtbot, lib: LibraryWindow) -> None:
    """Scroll the table down as a person would, until Cap's list has no more pages."""
    model = lib.cap_pane.model
    for _ in range(20):
        qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
        if model.pager.at_end:
            return
        bar = lib.cap_pane.table.verticalScrollBar()
        rows = model.rowCount()
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda r=rows: model.rowCount() > r or model.pager.at_end,
                        timeout=10_000)
    raise AssertionError("the list never ended")


def visible_ids(lib: LibraryWindow) -> list[str]:
    return [v.id for v in (lib.cap_pane.model.video(r) for r in lib.cap_pane.visible_rows()) if v]


def test_cap_videos_scroll_once_each_delete_filter_and_balance(
        qtbot, cap_app: CapApp, connect_to, make_shell, browser) -> None:
    ids = cap_app.server.seed_videos(cap_app.app_id, 120)
    connect_to(cap_app)
    shell: Shell = make_shell()
    shell.start()
    lib = open_library(qtbot, shell, tab=1)
    model = lib.cap_pane.model
    qtbot.waitUntil(lambda: model.rowCount() == 50, timeout=10_000)
    assert len(page_requests(cap_app)) == 1  # the rest waits for scrolling
    assert lib.cap_pane.count.text() == "50 videos · scroll for more"
    qtbot.waitUntil(lambda: lib.balance.text() == "$1,000.00", timeout=10_000)
    assert lib.balance_totals.text().startswith("120 videos")

    # Delete one from the first page: the row goes, Cap soft-deletes it, and the pages
    # after it (shifted by one on the server) still bring every other video once.
    lib.cap_pane.table.selectRow(3)
    qtbot.mouseClick(lib.cap_pane.btn_delete, Left)
    assert lib.cap_pane.confirm is not None and lib.cap_pane.confirm.isVisible()
    assert model.rowCount() == 50  # nothing happens before the answer
    qtbot.mouseClick(lib.cap_pane.confirm_buttons["cap"], Left)
    qtbot.waitUntil(lambda: model.rowCount() == 49, timeout=10_000)
    assert cap_app.server.video(ids[3])["deletedAt"] is not None
    assert "Deleted “Seeded video 116” from Cap" in lib.status.text()

    scroll_to_end(qtbot, lib)
    got = [v.id for v in model.pager.videos]
    assert got == [i for i in ids if i != ids[3]]  # newest first, each exactly once
    assert len(page_requests(cap_app)) == 3
    assert lib.cap_pane.count.text() == "All 119 videos"

    # Copy and open a link: {base}/dev/{id}.
    lib.cap_pane.table.selectRow(0)
    qtbot.mouseClick(lib.cap_pane.btn_copy, Left)
    link = f"{cap_app.base_url}/dev/{ids[0]}"
    assert QGuiApplication.clipboard().text() == link
    qtbot.mouseClick(lib.cap_pane.btn_open, Left)
    assert browser.opened[-1] == link

    # Filter by user: a fresh list of that user's videos only.
    qtbot.keyClicks(lib.cap_pane.user_filter, "user-b")
    qtbot.keyClick(lib.cap_pane.user_filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.user_id == "user-b" and not model.loading
                    and model.pager.at_end, timeout=10_000)
    expected = [v["id"] for v in cap_app.videos()
                if v["externalUserId"] == "user-b" and not v["deletedAt"]]
    assert [v.id for v in model.pager.videos] == expected
    assert {v.external_user_id for v in model.pager.videos} == {"user-b"}
    assert "userId=user-b" in page_requests(cap_app)[-1]
    assert lib.cap_pane.count.text() == f"All {len(expected)} videos"
    assert cap_app.server.max_requests_per_window(cap_app.secret_key) <= 55


def test_status_is_refreshed_only_for_unsettled_rows_on_screen(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    ids = cap_app.server.seed_videos(cap_app.app_id, 60, completed=False)
    connect_to(cap_app)
    shell: Shell = make_shell()
    shell.start()
    lib = open_library(qtbot, shell, tab=1)
    lib.cap_pane.schedule.min_interval = 1.0
    lib.cap_pane._status_timer.setInterval(100)
    qtbot.waitUntil(lambda: lib.cap_pane.model.rowCount() == 50, timeout=10_000)
    on_screen = visible_ids(lib)
    assert 5 < len(on_screen) < 40
    assert lib.cap_pane.model.data(lib.cap_pane.model.index(0, 4)) == "Processing"

    cap_app.server.update_video(ids[0], duration=12.0, width=1920, height=1080)
    model = lib.cap_pane.model
    qtbot.waitUntil(lambda: model.data(model.index(0, 4)) == "Ready", timeout=10_000)
    qtbot.wait(1500)
    polls = [r for r in cap_app.server.api_log if r.path.endswith("/status")]
    asked = [r.path.split("/")[-2] for r in polls]
    assert set(asked) <= set(on_screen)  # never a row that is not on screen
    assert ids[0] not in asked[asked.index(ids[0]) + 1:]  # settled: not asked again
    for video_id in set(asked):  # each no more often than the schedule allows
        times = [r.time for r in polls if f"/{video_id}/" in r.path]
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))


def failed_upload(tmp_path: Path, cap_app: CapApp, connect_to) -> journals.Journal:
    """A recording whose upload Cap refused (a wrong public key), as `capdesk upload` leaves it."""
    clip = make_clip(tmp_path / "clips" / "refused.mp4", seconds=2.0, palette="green")
    connect_to(cap_app, public_key="cpk_" + "x" * 32)
    assert main(["upload", str(clip), "--name", "Refused at first", "--json"]) == 3
    (journal,) = journals.all_journals()
    assert journal.state == State.KEY_REFUSED
    return journal


def test_a_failed_upload_is_retried_from_the_library_and_completes(
        qtbot, tmp_path: Path, cap_app: CapApp, connect_to, make_shell,
        browser) -> None:
    journal = failed_upload(tmp_path, cap_app, connect_to)
    connect_to(cap_app)  # the key is fixed
    shell: Shell = make_shell()
    shell.start()
    lib = open_library(qtbot, shell)
    qtbot.waitUntil(lambda: lib.local_pane.model.rowCount() == 1, timeout=10_000)
    item = lib.local_pane.model.items[0]
    assert item.label == "Upload failed"
    assert item.reason.startswith("Cap refused the key")
    lib.local_pane.select(item.id)
    resume = lib.local_pane.btn_resume
    assert resume.text() == "Retry upload" and resume.isEnabled()
    assert not lib.local_pane.btn_copy.isEnabled()

    with qtbot.waitSignal(lib.link_ready, timeout=30_000) as blocker:
        qtbot.mouseClick(lib.local_pane.btn_resume, Left)
        assert lib.local_pane.model.working.get(item.id, "").startswith("Uploading")
    link = blocker.args[0]
    qtbot.waitUntil(lambda: lib.local_pane.model.items[0].status == library.Status.UPLOADED,
                    timeout=10_000)
    done = journals.load(journal.path or Path())
    assert done.state == State.COMPLETE and done.share_url == link
    video = cap_app.server.video(done.video_id or "")
    assert video["width"] == 320 and video["duration"] >= 1.9
    assert cap_app.server.video_bytes(video["id"]) == Path(journal.spool_path).read_bytes()
    assert QGuiApplication.clipboard().text() == link  # copied, as after a recording
    assert "is uploaded" in lib.status.text()

    lib.local_pane.select(item.id)
    assert lib.local_pane.btn_copy.isEnabled() and not lib.local_pane.btn_resume.isEnabled()
    qtbot.mouseClick(lib.local_pane.btn_open_link, Left)
    qtbot.mouseClick(lib.local_pane.btn_show, Left)
    assert browser.opened[-2] == link
    assert browser.opened[-1].startswith("file://")
    assert browser.opened[-1].endswith("/clips")


def test_rename_and_delete_local_recordings(
        qtbot, tmp_path: Path, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app)
    clip = make_clip(tmp_path / "clips" / "uploaded.mp4", palette="blue")
    assert main(["upload", str(clip), "--name", "Uploaded one", "--json"]) == 0
    sketch = add_journal(make_clip(paths.recordings_dir() / "sketch.mp4", palette="slate"),
                         State.LOCAL_ONLY, name="Sketch", age_minutes=5)
    shell: Shell = make_shell()
    shell.start()
    lib = open_library(qtbot, shell)
    qtbot.waitUntil(lambda: lib.local_pane.model.rowCount() == 2, timeout=10_000)
    assert [i.name for i in lib.local_pane.model.items] == ["Uploaded one", "Sketch"]

    # Rename: the name in the journal changes; the file stays where it is.
    lib.local_pane.select(sketch.id)
    assert lib.local_pane.btn_resume.text() == "Upload"
    qtbot.mouseClick(lib.local_pane.btn_rename, Left)
    dialog = lib.local_pane.rename_dialog
    assert dialog is not None and dialog.textValue() == "Sketch"
    dialog.setTextValue("  Settings   page sketch ")
    dialog.accept()
    qtbot.waitUntil(lambda: lib.local_pane.model.items[1].name == "Settings page sketch",
                    timeout=10_000)
    assert library.load(sketch.id).name == "Settings page sketch"
    assert Path(sketch.spool_path).exists()

    # A recording that never reached Cap: only "Delete file"; afterwards it is gone.
    lib.local_pane.select(sketch.id)
    qtbot.mouseClick(lib.local_pane.btn_delete, Left)
    assert set(lib.local_pane.confirm_buttons) == {"file"}
    qtbot.mouseClick(lib.local_pane.confirm_buttons["file"], Left)
    qtbot.waitUntil(lambda: lib.local_pane.model.rowCount() == 1, timeout=10_000)
    assert not Path(sketch.spool_path).exists()

    # An uploaded one: deleting the file keeps the row (the link still works) ...
    uploaded = lib.local_pane.model.items[0]
    lib.local_pane.select(uploaded.id)
    qtbot.mouseClick(lib.local_pane.btn_delete, Left)
    assert set(lib.local_pane.confirm_buttons) == {"file", "both"}
    qtbot.mouseClick(lib.local_pane.confirm_buttons["file"], Left)
    qtbot.waitUntil(lambda: not lib.local_pane.model.items[0].exists, timeout=10_000)
    assert not clip.exists()
    assert lib.local_pane.model.items[0].status == library.Status.UPLOADED
    assert cap_app.server.video(uploaded.journal.video_id or "")["deletedAt"] is None

    # ... and "Delete everywhere" deletes the Cap video too (soft delete, secret key).
    lib.local_pane.select(uploaded.id)
    qtbot.mouseClick(lib.local_pane.btn_delete, Left)
    qtbot.mouseClick(lib.local_pane.confirm_buttons["both"], Left)
    qtbot.waitUntil(lambda: lib.local_pane.model.rowCount() == 0, timeout=10_000)
    assert cap_app.server.video(uploaded.journal.video_id or "")["deletedAt"] is not None
    assert journals.all_journals() == []
    assert lib.local_pane.pages.currentWidget() is lib.local_pane.empty


def test_a_low_balance_is_shown_before_recording_and_in_the_library(
        qtbot, make_cap_app: MakeCapApp, connect_to, make_shell) -> None:
    poor = make_cap_app(balance=20_000)  # four minutes of recording
    connect_to(poor)
    shell: Shell = make_shell()
    shell.start()
    qtbot.waitUntil(lambda: "balance is low" in shell.window.note.text(), timeout=10_000)
    assert "about 4 minutes of recording left" in shell.window.note.text()
    lib = open_library(qtbot, shell)
    qtbot.waitUntil(lambda: lib.balance.text() == "$0.20", timeout=10_000)
    assert lib.credit_note.isVisible() and "balance is low" in lib.credit_note.text()

    poor.server.set_balance(poor.app_id, 4_000)  # below what creating a video needs
    lib.tabs.setCurrentIndex(1)
    qtbot.mouseClick(lib.cap_pane.btn_refresh, Left)
    qtbot.waitUntil(lambda: "too low to create videos" in lib.credit_note.text(),
                    timeout=10_000)
    assert "You can still record" in shell.window.note.text()


def test_without_a_secret_key_the_library_says_how_to_see_cap_videos(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app, secret=False)
    shell: Shell = make_shell()
    shell.start()
    lib = open_library(qtbot, shell, tab=1)
    qtbot.waitUntil(lambda: lib.has_secret is False, timeout=10_000)
    assert lib.cap_pane.pages.currentWidget() is lib.cap_pane.no_key
    qtbot.waitUntil(lambda: lib.balance.text() == "No secret key", timeout=10_000)
    assert not lib.cap_pane.btn_delete.isEnabled() and not lib.cap_pane.action_bar.isVisible()
    qtbot.mouseClick(lib.cap_pane.btn_no_key, Left)
    assert shell.settings_dialog is not None and shell.settings_dialog.isVisible()
    assert not [r for r in cap_app.server.api_log if "/api/developer/v1/" in r.path]


def test_tray_menu_offers_the_library_and_shows_the_balance(qtbot) -> None:
    tray = Tray(lambda: [])
    try:
        check_tray(qtbot, tray)
    finally:  # deleted here, not by a garbage collection on some worker thread
        shiboken6.delete(tray.menu)
        shiboken6.delete(tray)


def check_tray(qtbot, tray: Tray) -> None:
    assert not tray.act_credits.isVisible()
    tray.set_credits("Cap balance: $12.35 · about 247 minutes of recording",
                     "24 videos · 8 minutes on Cap")
    assert tray.act_credits.isVisible() and not tray.act_credits.isEnabled()
    assert tray.menu.actions()[:2] == [tray.act_credits, tray.act_totals]
    assert tray.act_totals.isVisible() and tray.act_totals.text().startswith("24 videos")
    with qtbot.waitSignal(tray.credits_wanted, timeout=1_000):
        tray.menu.aboutToShow.emit()
    library_action = next(a for a in tray.menu.actions() if a.text() == "Library")
    with qtbot.waitSignal(tray.open_library, timeout=1_000):
        library_action.trigger()
    tray.set_credits("")
    assert not tray.act_credits.isVisible() and not tray.act_totals.isVisible()


@pytest.mark.usefixtures("tray_host")
def test_the_tray_shows_the_balance_and_opens_the_library(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    cap_app.server.seed_videos(cap_app.app_id, 3)
    connect_to(cap_app)
    shell: Shell = make_shell(use_tray=True)
    shell.start()
    tray = shell.tray
    assert tray is not None
    qtbot.waitUntil(lambda: tray.act_credits.isVisible(), timeout=10_000)
    assert tray.act_credits.text() == (
        "Cap balance: $1,000.00 · about 20,000 minutes of recording")
    assert tray.act_totals.text().startswith("3 videos")
    next(a for a in tray.menu.actions() if a.text() == "Library").trigger()
    qtbot.waitExposed(shell.library)


def test_too_few_credits_keeps_the_recording_says_so_and_the_library_finishes_it(
        qtbot, make_cap_app: MakeCapApp, connect_to, make_shell) -> None:
    broke = make_cap_app(balance=0)
    connect_to(broke)
    shell: Shell = make_shell()
    shell.start()
    shell.settings.countdown = 0
    qtbot.waitUntil(lambda: "too low to create videos" in shell.window.note.text(),
                    timeout=10_000)
    start_recording(qtbot, shell)
    record_for(qtbot, shell, 0.5)
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.NEEDS_CREDITS
    panel = shell.window.result
    assert "too low for this video, so it is saved on this computer" in panel.detail.text()
    assert "Library" in panel.hint.text() and panel.retry.isVisible()
    assert share.file.exists()

    broke.server.set_balance(broke.app_id, 1_000_000)
    lib = open_library(qtbot, shell)
    qtbot.waitUntil(lambda: lib.local_pane.model.rowCount() == 1, timeout=10_000)
    assert lib.local_pane.model.items[0].label == "Needs credits"
    lib.local_pane.select(lib.local_pane.model.items[0].id)
    with qtbot.waitSignal(lib.link_ready, timeout=30_000):
        qtbot.mouseClick(lib.local_pane.btn_resume, Left)
    qtbot.waitUntil(lambda: lib.local_pane.model.items[0].status == library.Status.UPLOADED,
                    timeout=10_000)
