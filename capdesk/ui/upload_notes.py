"""The note above Record: why uploads are off or will fail, and the button that fixes it.

No widgets. The note follows the truth: the key note goes when keys are saved; a low
balance note goes once the balance (read again after each upload, and again while the
note shows) is enough; recordings made while uploads were off get an "Upload now".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from capdesk import secrets
from capdesk.engine import Credits, Journal, all_journals
from capdesk.engine import JournalState as State
from capdesk.settings import Settings
from capdesk.ui import wording
from capdesk.ui.credits import CreditsWatch
from capdesk.ui.keycheck import KeyReport, check_keys
from capdesk.ui.services import KeyStore
from capdesk.ui.signals import emit
from capdesk.ui.threads import run_in_worker

log = logging.getLogger(__name__)

RECHECK_MS = 60_000  # while a low balance shows, look at it again this often

# actions of the note's button
SETTINGS, DASHBOARD, UPLOAD_LOCAL = "settings", "dashboard", "upload-local"


def never_uploaded() -> list[Journal]:
    """Finished recordings made while uploads were off, whose file is still here
    (blocking: run it in a worker)."""
    from pathlib import Path

    found = []
    for journal in all_journals():
        if (journal.state == State.LOCAL_ONLY and not journal.video_id
                and journal.final_size and Path(journal.spool_path).exists()):
            found.append(journal)
    return found


class UploadNotes(QObject):
    changed = Signal(str, str, str)  # the note, its button's text, the button's action

    def __init__(self, keys: KeyStore, credits: CreditsWatch,
                 settings: Callable[[], Settings], busy: Callable[[], bool],
                 find_waiting: Callable[[], list[Journal]] = never_uploaded,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys = keys
        self._credits = credits
        self._settings = settings
        self._busy = busy
        self._find_waiting = find_waiting
        self.key_note: str | None = None  # no key, or a refused one
        self.credit_note: str | None = None  # a low or empty balance
        self.waiting: list[Journal] = []  # recordings made while uploads were off
        self._recheck = QTimer(self)
        self._recheck.setInterval(RECHECK_MS)
        self._recheck.timeout.connect(lambda: self._credits.refresh(30))

    def refresh(self) -> None:
        """The keys may have changed: say what is true now, and check the keys."""
        public = self._keys.get(secrets.PUBLIC).value
        secret = self._keys.get(secrets.SECRET).value
        self.key_note = wording.upload_off_note(public)
        self.credit_note = None
        self.waiting = []
        self._show()
        self._credits.forget()
        self._credits.refresh(0)
        if public:
            run_in_worker(self._find_waiting, self._found_waiting)
        if public and secret:
            settings = self._settings()
            base = str(settings.effective("base_url"))
            origin = str(settings.effective("origin")) or None
            run_in_worker(lambda: check_keys(base, origin, public, secret), self._keys_checked)

    def own_note(self) -> str | None:
        """The app's words for "no key" (the engine's speak of the command line)."""
        return wording.upload_off_note(self._keys.get(secrets.PUBLIC).value)

    def _found_waiting(self, journals: list[Journal] | None,
                       error: BaseException | None) -> None:
        if error is not None:
            log.info("could not look for recordings to upload: %s", error)
        self.waiting = journals or []
        self._show()

    def _keys_checked(self, report: KeyReport | None, _error: BaseException | None) -> None:
        if report is None or self._busy():
            return
        if report.public.ok is False:
            self.key_note = f"Uploads will fail: {report.public.text}"
        elif report.secret.low_balance and self.credit_note is None:
            self.credit_note = report.secret.text
        self._show()

    @Slot(object)
    def credits_changed(self, credits: Credits | None) -> None:
        self.credit_note = credits.note if credits is not None else None
        if not self._busy():
            self._show()

    def uploaded(self, journal_id: str = "") -> None:
        """An upload completed: the balance changed (and a low one may be enough now)."""
        self.waiting = [j for j in self.waiting if j.id != journal_id]
        self._credits.forget()
        self._credits.refresh(0)
        self._show()

    def show_recording_note(self, note: str) -> None:
        """The recording that starts will not upload: say why, in the app's words."""
        if note:
            emit(self.changed, self.own_note() or note, "Set up uploads…", SETTINGS)

    def _show(self) -> None:
        if self.key_note:
            emit(self.changed, self.key_note, "Set up uploads…", SETTINGS)
        elif self.credit_note:
            emit(self.changed, self.credit_note, "Add credits…", DASHBOARD)
        elif self.waiting:
            count = len(self.waiting)
            emit(self.changed, f"{wording.plural(count, 'recording')} made while uploads "
                 f"were off {'is' if count == 1 else 'are'} only on this computer.",
                 "Upload now", UPLOAD_LOCAL)
        else:
            emit(self.changed, "", "", "")
        if self.credit_note and not self.key_note:
            self._recheck.start()
        else:
            self._recheck.stop()
