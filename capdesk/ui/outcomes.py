"""What the app shows and does when a recording ends, or news about one arrives:
the result card, the clipboard, notifications, the tray's state, deleting the local
file after a confirmed upload (when chosen)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from capdesk.engine import Journal, UploadProgress
from capdesk.engine import JournalState as State
from capdesk.settings import Settings
from capdesk.ui import wording
from capdesk.ui.aftercare import Aftercare
from capdesk.ui.artwork import TrayState
from capdesk.ui.controller import RecordingController
from capdesk.ui.main_window import MainWindow
from capdesk.ui.recording_bar import RecordingBar
from capdesk.ui.services import Services
from capdesk.ui.share import Share
from capdesk.ui.threads import run_in_worker
from capdesk.ui.tray import Tray
from capdesk.ui.upload_notes import UploadNotes

log = logging.getLogger(__name__)


def background_line(progress: UploadProgress) -> str:
    """The honest state of an upload going on in the background."""
    if progress.offline or (progress.retrying and progress.video_id is None):
        return "Cap cannot be reached · trying again in the background"
    left = max(0, progress.durable_bytes - progress.confirmed_bytes)
    if progress.retrying:
        return f"Retrying · {wording.size(left)} to go"
    return f"Uploading in the background · {wording.size(left)} to go"


class Outcomes(QObject):
    def __init__(self, settings: Callable[[], Settings], services: Services,
                 window: MainWindow, bar: RecordingBar, controller: RecordingController,
                 aftercare: Aftercare, notes: UploadNotes, tray: Tray | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.services = services
        self.window = window
        self.card = window.result
        self.bar = bar
        self.controller = controller
        self.aftercare = aftercare
        self.notes = notes
        self.tray = tray
        self.last_link = ""

    # -- links ------------------------------------------------------------------------------
    @Slot(str)
    def link_ready(self, url: str) -> None:
        """``complete`` succeeded: the link works. Copy it at once, say so."""
        self.last_link = url
        settings = self._settings()
        if settings.copy_link:
            self.copy_link(url)
        self.notes.uploaded()
        if settings.notify_link:
            self.notify("Your link is ready",
                        f"{url}\n{'Copied to the clipboard.' if settings.copy_link else ''}")

    @Slot(str)
    def link_known(self, url: str) -> None:
        """The recording has a link already (Cap created the video): copy it now if the
        person wants to paste it while still talking."""
        if self._settings().copy_link_at_start and url:
            self.services.clipboard.set_text(url)
            self.bar.set_link_note("Link copied: it works once you stop.")

    @Slot(str)
    def copy_link(self, url: str) -> None:
        if url:
            self.services.clipboard.set_text(url)
            self.card.mark_copied(url)

    @Slot(object)
    def copy_embed(self, share: Share) -> None:
        code = share.embed_code
        if code:
            self.services.clipboard.set_text(code)
            self.card.copied.setText("Embed code copied")
            self.card.copied.show()

    # -- the result card ---------------------------------------------------------------------
    @Slot(object)
    def show_share(self, share: Share) -> None:
        """A recording just ended (or was kept locally): its card, beside the recorder."""
        if share.state == State.LOCAL_ONLY and self.notes.own_note():
            share.detail = "Uploads are off: no Cap public key is set."
            share.hint = (f"The video is in {share.file}. Add your key in Settings, then "
                          "Upload now sends it.")
            share.fix_in_settings = True
        elif share.state == State.LOCAL_ONLY and not share.journal.video_id \
                and share.file.exists():
            share.can_retry, share.retry_label = True, "Upload now"
        elif share.state == State.NEEDS_CREDITS:
            need = share.journal.needed_micro_credits
            share.detail = ("Your Cap balance is too low for this video"
                            + (f" (it needs {need:,} micro-credits)" if need else "")
                            + ", so it is saved on this computer.")
            share.hint = ("Add credits in Cap's developer dashboard, then press Retry upload; "
                          "the recording also waits in the Library.")
        self.window.set_status("")
        self.window.set_problem("")
        self.window.bring_to_front()
        self.show_share_update(share)
        self.card.pop_up()
        if share.link:
            self.aftercare.follow(share)
        elif not share.ok and self._settings().notify_problems:
            self.notify(share.headline, share.detail or share.hint)

    @Slot(object)
    def show_share_update(self, share: Share) -> None:
        if share.state == State.COMPLETE:
            self._delete_if_wanted(share)
        self.card.show_share(share)
        if share.link:
            on_clipboard = self.services.clipboard.text() == share.link
            self.card.mark_copied(share.link if on_clipboard else "")
        if self.tray is not None and not self.controller.busy:
            self.tray.set_state(TrayState.IDLE if share.ok or share.link else TrayState.ERROR)

    @Slot(object, object)
    def background_progress(self, journal: Journal, progress: UploadProgress) -> None:
        share = self.card.share
        if share is not None and share.journal.id == journal.id and not share.link:
            share.status_line = background_line(progress)
            self.card.show_share(share)

    @Slot(object)
    def background_done(self, share: Share) -> None:
        """A recording kept locally finished uploading, or its upload gave up."""
        if self.card.share is None or self.card.shows(share):
            self.show_share_update(share)
            if share.link:
                self.aftercare.follow(share)
        elif share.link and self._settings().notify_link:
            self.notify("Uploaded", f"{share.journal.name or 'A recording'}: {share.link}")

    def _delete_if_wanted(self, share: Share) -> None:
        """Delete the local file after a confirmed upload, when chosen in Settings."""
        if not self._settings().delete_after_upload or not share.file.exists():
            return
        path = share.file
        if share.hint.startswith("The video is in"):
            share.hint = ""

        def delete() -> None:
            Path(path).unlink(missing_ok=True)

        run_in_worker(delete, lambda _r, e: self._deleted(share, e))

    def _deleted(self, share: Share, error: BaseException | None) -> None:
        if error is not None:
            log.warning("could not delete %s after its upload: %s", share.file, error)
        if self.card.shows(share):
            self.card.show_share(share)

    # -- problems and other news --------------------------------------------------------------
    @Slot(str, str)
    def show_problem(self, title: str, message: str) -> None:
        self.bar.hide()
        self.window.bring_to_front()
        self.card.hide()
        self.window.set_problem(f"{title}: {message}")
        if self._settings().notify_problems:
            self.notify(title, message)

    @Slot(str, str)
    def refused(self, message: str, action: str) -> None:
        """A recording cannot start (no room on the disk): an error, with its fix."""
        self.card.hide()
        self.window.bring_to_front()
        self.window.set_problem(message, "Open Settings" if action else "", action)

    def discarded(self) -> None:
        self.window.bring_to_front()
        self.window.set_status("The recording was discarded.")

    def resumed(self, finished: int, unfinished: int) -> None:
        if finished:
            text = f"{wording.plural(finished, 'recording')} from last time finished uploading."
            if self._settings().notify_link:
                self.notify("Uploads finished", text)
            self.window.set_status(text)
        if unfinished:
            self.window.set_status(
                f"{wording.plural(unfinished, 'earlier recording')} could not upload yet; "
                "the Library lists them with Retry upload.")

    def notify(self, title: str, message: str) -> None:
        """A system notification where a tray exists; the window shows the same anyway."""
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.notify(title, message)
