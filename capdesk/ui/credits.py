"""The Cap credit balance, fetched off the GUI thread and shared by the main window,
the tray and the Library (no widgets).

``refresh(max_age)`` asks Cap's ``usage`` only when the last answer is older than
``max_age`` seconds and no request is running, so opening a menu or a window
repeatedly costs no more than one request a minute from the key's budget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from capdesk import connect
from capdesk.cap.errors import CapError
from capdesk.cap.models import Usage
from capdesk.engine import Credits, describe_credits
from capdesk.ui.signals import emit
from capdesk.ui.threads import run_in_worker

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = 60.0


def fetch_usage(connection: Callable[[], connect.Connection] = connect.current
                ) -> Usage | None:
    """The balance, or None without a secret key (blocking: run it in a worker)."""
    conn = connection()
    if not conn.secret_key:
        return None
    with connect.http_client() as http:
        return connect.rest(http, conn).usage()


class CreditsWatch(QObject):
    changed = Signal(object)  # Credits, or None without a secret key
    failed = Signal(str)  # why the balance could not be read

    def __init__(self, fetch: Callable[[], Usage | None] = fetch_usage,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.credits: Credits | None = None
        self.error = ""
        self._fetched_at: float | None = None
        self._running = False
        self._again = False

    def refresh(self, max_age: float = DEFAULT_MAX_AGE) -> None:
        """Fetch the balance unless the last answer is younger than ``max_age`` seconds."""
        if self._running:
            self._again = self._again or max_age <= 0
            return
        if (self._fetched_at is not None and max_age > 0
                and time.monotonic() - self._fetched_at < max_age):
            return
        self._running = True
        run_in_worker(self._fetch, self._fetched)

    def forget(self) -> None:
        """The keys changed: the next refresh asks Cap again."""
        self._fetched_at = None

    def _fetched(self, usage: Usage | None, error: BaseException | None) -> None:
        self._running = False
        self._fetched_at = time.monotonic()
        if error is not None:
            self.error = error.describe() if isinstance(error, CapError) else str(error)
            log.info("could not read the balance: %s", self.error)
            emit(self.failed, self.error)
        else:
            self.error = ""
            self.credits = describe_credits(usage) if usage is not None else None
            emit(self.changed, self.credits)
        if self._again:
            self._again = False
            self.refresh(0)
