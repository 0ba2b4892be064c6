"""The Library window: every local recording and every Cap video, with its state.

Two tabs: *On this computer* (``library_local.LocalPane``) and *On Cap*
(``library_cap.CapPane``); the header shows the Cap balance. All blocking work runs
in workers through two :class:`~capdesk.ui.library_model.JobQueue` s: one for files
(scans, thumbnails, renames, local deletes) and one for Cap, so the Library never has
more than one Cap request in flight and spends from the key's shared budget gently.

The window talks to the rest of the app only through its signals (wired in
``shell.py``): copying and opening go out as ``copy_link`` / ``open_url``.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from capdesk import connect
from capdesk.engine import CapLibrary, Connector, Credits
from capdesk.ui import artwork, wording
from capdesk.ui.library_cap import STATUS_MIN_INTERVAL, STATUS_TICK_MS, CapPane
from capdesk.ui.library_local import REFRESH_MS, LocalPane
from capdesk.ui.library_model import JobQueue, plain_error
from capdesk.ui.signals import emit
from capdesk.ui.sizing import available, frame_extra, keep_on_screen

LOCAL_TAB, CAP_TAB = 0, 1


class LibraryWindow(QWidget):
    copy_link = Signal(str)
    open_url = Signal(str)
    link_ready = Signal(str)  # an upload resumed here completed
    settings_wanted = Signal()
    credits_wanted = Signal(float)  # max age of the balance, seconds

    def __init__(self, cap: CapLibrary | None = None,
                 connection: Connector = connect.current, *, page_size: int = 50,
                 local_refresh_ms: int = REFRESH_MS, status_tick_ms: int = STATUS_TICK_MS,
                 status_min_interval: float = STATUS_MIN_INTERVAL,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("libraryWindow")
        self.setWindowTitle("Library")
        self.setWindowIcon(artwork.app_icon())
        self.cap = cap or CapLibrary(connection)
        self._connection = connection
        self.files = JobQueue(self)
        self.rest = JobQueue(self)
        self.has_secret: bool | None = None  # known after the first look at the keys
        self.local_pane = LocalPane(self.cap, self.files, self.rest, connection,
                                    local_refresh_ms)
        self.cap_pane = CapPane(self.cap, self.rest, page_size, status_tick_ms,
                                status_min_interval)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(12)
        layout.addLayout(self._header())
        self.credit_note = QLabel()
        self.credit_note.setObjectName("creditNote")
        self.credit_note.setProperty("role", "note")
        self.credit_note.setWordWrap(True)
        self.credit_note.hide()
        layout.addWidget(self.credit_note)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("libraryTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.local_pane, "On this computer")
        self.tabs.addTab(self.cap_pane, "On Cap")
        layout.addWidget(self.tabs, 1)
        self.status = QLabel()
        self.status.setObjectName("libraryStatus")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        layout.addWidget(self.status)
        self._connect()
        self.resize(1000, 700)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(12)
        logo = QLabel()
        logo.setPixmap(artwork.app_icon().pixmap(QSize(36, 36)))
        title = QLabel("Library")
        title.setProperty("role", "headline")
        subtitle = QLabel("Every recording on this computer and every video on Cap")
        subtitle.setProperty("role", "muted")
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(title)
        words.addWidget(subtitle)
        words.addStretch(1)
        row.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)

        card = QFrame()
        card.setObjectName("creditsCard")
        card.setProperty("role", "card")
        card.setMinimumWidth(260)
        lines = QVBoxLayout(card)
        lines.setContentsMargins(14, 8, 14, 10)
        lines.setSpacing(1)
        caption = QLabel("Cap balance")
        caption.setProperty("role", "muted")
        self.balance = QLabel("…")
        self.balance.setObjectName("balance")
        self.balance.setProperty("role", "title")
        self.balance_minutes = QLabel("")
        self.balance_minutes.setObjectName("balanceMinutes")
        self.balance_minutes.setProperty("role", "muted")
        self.balance_totals = QLabel("")
        self.balance_totals.setObjectName("balanceTotals")
        self.balance_totals.setProperty("role", "muted")
        for label in (caption, self.balance, self.balance_minutes, self.balance_totals):
            lines.addWidget(label)
        row.addWidget(card)
        return row

    def _connect(self) -> None:
        local, cap = self.local_pane, self.cap_pane
        for pane in (local, cap):
            pane.copy_link.connect(self.copy_link)
            pane.open_url.connect(self.open_url)
            pane.status.connect(self.show_status)
            pane.credits_wanted.connect(self.credits_wanted)
        local.link_ready.connect(self.link_ready)
        local.video_deleted.connect(cap.remove_video)
        local.model.modelReset.connect(self._count_local)
        cap.settings_wanted.connect(self.settings_wanted)
        cap.reload_wanted.connect(self.reload_cap)
        self.tabs.currentChanged.connect(self._tab_changed)

    # -- showing --------------------------------------------------------------------------------
    def bring_to_front(self) -> None:
        self.fit_screen()
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def fit_screen(self) -> None:
        """At most the screen's available size (a 200% screen is small), on screen."""
        room = available(self)
        frame_w, frame_h = frame_extra(self)
        self.setMinimumSize(min(self.minimumWidth(), room.width() - frame_w),
                            min(self.minimumHeight(), room.height() - frame_h))
        self.resize(min(self.width(), room.width() - frame_w),
                    min(self.height(), room.height() - frame_h))
        keep_on_screen(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_screen()
        self.local_pane.start()
        self.cap_pane.start()
        if self.has_secret is None:
            self.check_keys()
        emit(self.credits_wanted, 30.0)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.local_pane.stop()
        self.cap_pane.stop()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc and Ctrl+W (the platform's Close) close the Library."""
        closing = (event.key() == Qt.Key.Key_Escape
                   or event.matches(QKeySequence.StandardKey.Close)
                   or (event.key() == Qt.Key.Key_W
                       and event.modifiers() & Qt.KeyboardModifier.ControlModifier))
        if closing:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.hide()
        event.accept()

    def shutdown(self) -> None:
        """Stop for good. The window is deleted now, here on the GUI thread: left to the
        garbage collector, it could be deleted on whatever thread happens to collect."""
        self.local_pane.stop()
        self.cap_pane.stop()
        self.files.close()
        self.rest.close()
        self.close()
        self.cap.close()
        shiboken6.delete(self)

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _count_local(self) -> None:
        count = self.local_pane.model.rowCount()
        self.tabs.setTabText(LOCAL_TAB, f"On this computer ({count})" if count
                             else "On this computer")

    def _tab_changed(self, index: int) -> None:
        if index == CAP_TAB and self.has_secret is None and not self.rest.count("keys"):
            self.check_keys()

    # -- keys -------------------------------------------------------------------------------------
    def keys_changed(self) -> None:
        """Settings were saved: look at the keys again and start the Cap list over."""
        self.has_secret = None
        if self.isVisible():
            self.check_keys()

    def check_keys(self) -> None:
        connection = self._connection

        def look() -> tuple[bool, str]:
            conn = connection()
            return bool(conn.secret_key), conn.base_url

        def done(result: tuple[bool, str] | None, error: BaseException | None) -> None:
            has_secret, base_url = result or (False, "")
            self.has_secret = has_secret
            self.local_pane.has_secret = has_secret
            self.cap_pane.set_keys(has_secret, base_url, plain_error(error))

        self.rest.submit(look, done, "keys")

    @Slot()
    def reload_cap(self) -> None:
        self.check_keys()
        emit(self.credits_wanted, 0.0)

    # -- credits ----------------------------------------------------------------------------------
    @Slot(object)
    def set_credits(self, credits: Credits | None) -> None:
        if credits is None:
            self.balance.setText("No secret key")
            self.balance_minutes.setText("Add one in Settings to see it")
            self.balance_totals.setText("")
            self.credit_note.hide()
            return
        self.balance.setText(credits.balance)
        self.balance_minutes.setText(credits.summary.split(" · ", 1)[-1].capitalize())
        self.balance_totals.setText(wording.singulars(credits.totals))
        self.balance.setProperty("role", "title" if credits.level == "ok" else "error")
        self.balance.style().unpolish(self.balance)
        self.balance.style().polish(self.balance)
        self.credit_note.setText(wording.for_people(credits.note or ""))
        self.credit_note.setVisible(bool(credits.note))

    @Slot(str)
    def credits_failed(self, message: str) -> None:
        if self.balance.text() in ("…", ""):
            self.balance.setText("Unknown")
        self.balance_minutes.setText(message.split(":")[0])
