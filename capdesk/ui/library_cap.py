"""The Library's second tab: the app's videos on Cap (REST API, secret key).

Pages load as the table scrolls (``CapVideosModel``); a filter by user ID starts the
list over; the status of unsettled videos on screen is refreshed a couple at a time
(``StatusSchedule``), and only while the budget the key shares with uploads has room.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from capdesk.cap.errors import NotFound
from capdesk.cap.models import VideoStatus
from capdesk.engine import CapLibrary, StatusSchedule, library
from capdesk.ui import theme
from capdesk.ui.library_model import (
    CapVideosModel,
    JobQueue,
    emphasise,
    make_button,
    menu_of,
    plain_error,
)
from capdesk.ui.signals import emit

log = logging.getLogger(__name__)

STATUS_TICK_MS = 5000  # a round of status requests at most this often ...
STATUS_MIN_INTERVAL = 15.0  # ... and each video no more often than this
FILTER_DELAY_MS = 500


def table_sheet() -> str:
    c = theme.current()
    return (f"QHeaderView::section {{ padding: 5px 11px; border: none; "
            f"border-bottom: 1px solid {c.border}; background: {c.panel}; color: {c.muted}; "
            f"font-weight: 600; }}"
            f"QTableView {{ border: 1px solid {c.border}; border-radius: 8px; "
            f"background: {c.base}; alternate-background-color: {c.window}; }}"
            f"QTableView::item {{ padding-left: 8px; padding-right: 8px; }}")


class CapPane(QWidget):
    copy_link = Signal(str)
    open_url = Signal(str)
    status = Signal(str)
    credits_wanted = Signal(float)
    settings_wanted = Signal()
    reload_wanted = Signal()  # Refresh: look at the keys again and start over

    def __init__(self, cap: CapLibrary, rest: JobQueue, page_size: int = 50,
                 status_tick_ms: int = STATUS_TICK_MS,
                 status_min_interval: float = STATUS_MIN_INTERVAL,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cap = cap
        self.rest = rest
        self.schedule = StatusSchedule(min_interval=status_min_interval)
        self.has_secret: bool | None = None
        self.base_url = ""
        self.confirm: QMessageBox | None = None
        self.confirm_buttons: dict[str, QPushButton] = {}
        self.model = CapVideosModel(cap.page, rest, page_size, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(10)
        self.top_bar = QWidget()
        top = QHBoxLayout(self.top_bar)
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        self.user_filter = QLineEdit()
        self.user_filter.setObjectName("userFilter")
        self.user_filter.setPlaceholderText("Filter by user ID")
        self.user_filter.setClearButtonEnabled(True)
        self.user_filter.setMaximumWidth(280)
        self.btn_refresh = make_button("Refresh", "capRefresh")
        self.count = QLabel()
        self.count.setObjectName("capCount")
        self.count.setProperty("role", "muted")
        top.addWidget(self.user_filter)
        top.addWidget(self.btn_refresh)
        top.addStretch(1)
        top.addWidget(self.count)
        layout.addWidget(self.top_bar)

        self.pages = QStackedWidget()
        self.table = self._table()
        self.pages.addWidget(self.table)
        self.no_key = QWidget()
        no_key_layout = QVBoxLayout(self.no_key)
        no_key_layout.addStretch(1)
        self.no_key_text = QLabel("Your Cap videos show here once a secret key is set.\nThe "
                                  "secret key (csk_…) also shows your balance and lets you "
                                  "delete videos.")
        self.no_key_text.setObjectName("noKeyText")
        self.no_key_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_key_text.setProperty("role", "muted")
        self.no_key_text.setWordWrap(True)
        self.btn_no_key = make_button("Open Settings", "capOpenSettings")
        self.btn_no_key.setProperty("role", "accent")
        no_key_layout.addWidget(self.no_key_text)
        no_key_layout.addWidget(self.btn_no_key, 0, Qt.AlignmentFlag.AlignCenter)
        no_key_layout.addStretch(1)
        self.pages.addWidget(self.no_key)
        layout.addWidget(self.pages, 1)

        self.action_bar = QWidget()
        actions = QHBoxLayout(self.action_bar)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(8)
        self.btn_copy = make_button("Copy link", "capCopyLink")
        self.btn_open = make_button("Open in browser", "capOpenLink")
        self.btn_delete = make_button("Delete from Cap…", "capDelete")
        actions.addWidget(self.btn_copy)
        actions.addWidget(self.btn_open)
        actions.addStretch(1)
        actions.addWidget(self.btn_delete)
        layout.addWidget(self.action_bar)

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(status_tick_ms)
        self._status_timer.timeout.connect(self.refresh_visible_statuses)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._connect()
        self.update_actions()

    def _table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("capTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 14)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 120), (2, 80), (3, 170), (4, 110), (5, 190)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(column, width)
        return table

    def _connect(self) -> None:
        self.user_filter.textChanged.connect(lambda _t: self._filter_timer.start())
        self.user_filter.returnPressed.connect(self.apply_filter)
        self.btn_refresh.clicked.connect(lambda: emit(self.reload_wanted))
        self.btn_no_key.clicked.connect(lambda: emit(self.settings_wanted))
        self.table.selectionModel().selectionChanged.connect(
            lambda _a, _b: self.update_actions())
        self.table.doubleClicked.connect(lambda _i: self.open_selected_link())
        self.table.customContextMenuRequested.connect(self._menu)
        self.model.loading_changed.connect(lambda _l: self.update_count())
        self.model.loading_changed.connect(  # no stack of reloads from impatient clicks
            lambda loading: self.btn_refresh.setDisabled(bool(loading)))
        self.model.page_loaded.connect(self._page_loaded)
        self.model.failed.connect(self._failed)
        self.model.rowsRemoved.connect(lambda *_a: self.update_count())
        self.btn_copy.clicked.connect(self.copy_selected_link)
        self.btn_open.clicked.connect(self.open_selected_link)
        self.btn_delete.clicked.connect(self.delete_selected)

    # -- state ------------------------------------------------------------------------------------
    def start(self) -> None:
        self.table.setStyleSheet(table_sheet())  # the theme may have changed meanwhile
        self._status_timer.start()

    def stop(self) -> None:
        self._status_timer.stop()

    def set_keys(self, has_secret: bool, base_url: str, problem: str = "") -> None:
        """What the keys allow now; the list starts over."""
        self.has_secret, self.base_url = has_secret, base_url
        if problem:
            self.no_key_text.setText(f"Cap is not set up: {problem}")
        self.pages.setCurrentWidget(self.table if has_secret else self.no_key)
        self.top_bar.setVisible(has_secret)  # nothing to filter or act on without the key
        self.action_bar.setVisible(has_secret)
        self.model.enabled = has_secret
        self.model.reset(self.user_filter.text().strip() or None)
        self.update_count()

    @Slot()
    def apply_filter(self) -> None:
        self._filter_timer.stop()
        wanted = self.user_filter.text().strip() or None
        if wanted != self.model.user_id and self.has_secret:
            self.model.reset(wanted)
            self.update_count()

    def _page_loaded(self, count: int) -> None:
        if count:  # what a page says is fresh: no status request for these for a while
            for video in self.model.pager.videos[-count:]:
                self.schedule.seen(video.id)
        self.update_count()

    def _failed(self, message: str) -> None:
        self.count.setText("Could not load")
        emit(self.status, f"Could not load your Cap videos: "
                          f"{library.first_sentence(message)} Press Refresh to try again.")

    def update_count(self) -> None:
        model = self.model
        count = len(model.pager.videos)
        if not self.has_secret:
            text = ""
        elif model.loading:
            text = f"{count} videos · loading…" if count else "Loading…"
        elif model.error:
            text = "Could not load"
        elif model.pager.at_end:
            text = (f"All {count} video{'s' if count != 1 else ''}" if count
                    else "No videos" + (" for this user" if model.user_id else ""))
        else:
            text = f"{count} videos · scroll for more"
        self.count.setText(text)
        self.update_actions()

    def selected_video_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        video = self.model.video(index.row())
        return video.id if video is not None else None

    def update_actions(self) -> None:
        chosen = self.selected_video_id() is not None
        for button in (self.btn_copy, self.btn_open, self.btn_delete):
            button.setEnabled(chosen and bool(self.has_secret))
        emphasise(self.btn_copy, True)

    def _menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
            menu_of(self, [self.btn_copy, self.btn_open, None, self.btn_delete]).popup(
                self.table.viewport().mapToGlobal(pos))

    # -- actions ----------------------------------------------------------------------------------
    def link(self, video_id: str) -> str:
        return library.share_url(self.base_url, video_id)

    @Slot()
    def copy_selected_link(self) -> None:
        video_id = self.selected_video_id()
        if video_id:
            emit(self.copy_link, self.link(video_id))
            emit(self.status, f"Copied {self.link(video_id)}")

    @Slot()
    def open_selected_link(self) -> None:
        video_id = self.selected_video_id()
        if video_id:
            emit(self.open_url, self.link(video_id))

    @Slot()
    def delete_selected(self) -> None:
        video_id = self.selected_video_id()
        if video_id is None:
            return
        index = self.model.pager.index_of(video_id)
        video = self.model.video(index) if index is not None else None
        name = (video.name if video is not None else None) or video_id
        box = QMessageBox(self)
        box.setObjectName("confirmCapDelete")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete from Cap")
        box.setText(f"Delete “{name}” from Cap?")
        box.setInformativeText("Its share link stops working. A copy on this computer, if "
                               "there is one, stays.")
        delete = box.addButton("Delete from Cap", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("confirmCapDeleteButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.buttonClicked.connect(
            lambda clicked: self._delete_answer(video_id, name, clicked is delete))
        box.finished.connect(lambda _r: box.deleteLater())
        self.confirm, self.confirm_buttons = box, {"cap": delete}
        box.open()

    def _delete_answer(self, video_id: str, name: str, confirmed: bool) -> None:
        self.confirm, self.confirm_buttons = None, {}
        if not confirmed:
            return
        cap = self.cap

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None and not isinstance(error, NotFound):
                emit(self.status, f"Could not delete “{name}”: {plain_error(error)}")
                return
            self.model.remove(video_id)
            emit(self.status, f"Deleted “{name}” from Cap.")
            emit(self.credits_wanted, 0.0)

        self.rest.submit(lambda: cap.delete(video_id), done, "delete")

    @Slot(str)
    def remove_video(self, video_id: str) -> None:
        """The video was deleted elsewhere (with its local recording)."""
        self.model.remove(video_id)

    # -- lazy status ---------------------------------------------------------------------------
    @Slot()
    def refresh_visible_statuses(self) -> None:
        """Ask ``status`` for a few unsettled videos on screen (see ``StatusSchedule``)."""
        if (not self.isVisible() or not self.has_secret or self.model.loading
                or self.rest.count("status")):
            return
        visible = [v for v in (self.model.video(r) for r in self.visible_rows()) if v]
        cap = self.cap
        for video_id in self.schedule.pick(visible):
            self.rest.submit(partial(cap.status_if_spare, video_id), self._status_done,
                             "status")

    def visible_rows(self) -> range:
        count = self.model.rowCount()
        first = self.table.rowAt(0)
        if not count or first < 0:
            return range(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        return range(first, (last if last >= 0 else count - 1) + 1)

    def _status_done(self, status: VideoStatus | None, error: BaseException | None) -> None:
        if status is not None:
            self.model.update_status(status)
            self.schedule.seen(status.id)
        elif error is not None:
            log.info("status refresh failed: %s", plain_error(error))
