"""The Library's first tab: every recording on this computer, with its upload state.

The journals are re-read every few seconds while the tab's window is open (a scan
in a worker); thumbnails are made when a row is first painted. Resume, rename and
delete run in workers, under the recording's lock (``capdesk.engine.library``).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelection, QPoint, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from capdesk.engine import CapLibrary, Connector, Journal, LocalItem, UploadProgress, library
from capdesk.engine import JournalState as State
from capdesk.ui import wording
from capdesk.ui.library_model import (
    ITEM_ROLE,
    JobQueue,
    LocalDelegate,
    LocalModel,
    emphasise,
    make_button,
    menu_of,
    plain_error,
)
from capdesk.ui.signals import emit
from capdesk.ui.threads import Relay, run_in_worker

log = logging.getLogger(__name__)

REFRESH_MS = 2500


class LocalPane(QWidget):
    copy_link = Signal(str)
    open_url = Signal(str)
    link_ready = Signal(str)  # an upload resumed here completed
    status = Signal(str)  # one line for the window's status bar
    credits_wanted = Signal(float)
    video_deleted = Signal(str)  # a Cap video was deleted with its recording

    def __init__(self, cap: CapLibrary, files: JobQueue, rest: JobQueue,
                 connection: Connector, refresh_ms: int = REFRESH_MS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cap = cap
        self.files = files
        self.rest = rest
        self._connection = connection
        self.has_secret: bool | None = None  # Delete everywhere needs the secret key
        self.confirm: QMessageBox | None = None
        self.confirm_buttons: dict[str, QPushButton] = {}
        self.rename_dialog: QInputDialog | None = None
        self._relays: dict[str, Relay] = {}
        self._prune_thumbnails = True  # once per opening, after the first scan
        self.model = LocalModel(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(10)
        self.pages = QStackedWidget()
        self.view = QListView()
        self.view.setObjectName("localList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(LocalDelegate(self.view))
        self.view.setMouseTracking(True)
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.pages.addWidget(self.view)
        self.empty = QLabel("No recordings yet.\nPress Record in the main window: every "
                            "recording shows up here, with its share link.")
        self.empty.setObjectName("localEmpty")
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages.addWidget(self.empty)
        layout.addWidget(self.pages, 1)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.btn_copy = make_button("Copy link", "libCopyLink")
        self.btn_open_link = make_button("Open in browser", "libOpenLink")
        self.btn_open_file = make_button("Open file", "libOpenFile")
        self.btn_show = make_button("Show in folder", "libShowFolder")
        self.btn_resume = make_button("Retry upload", "libResume")
        self.btn_rename = make_button("Rename…", "libRename")
        self.btn_delete = make_button("Delete…", "libDelete")
        for button in (self.btn_copy, self.btn_open_link, self.btn_open_file, self.btn_show):
            actions.addWidget(button)
        actions.addStretch(1)
        for button in (self.btn_resume, self.btn_rename, self.btn_delete):
            actions.addWidget(button)
        layout.addLayout(actions)

        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self.model.thumbnail_wanted.connect(self._make_thumbnail)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.doubleClicked.connect(lambda _i: self.open_default())
        self.view.customContextMenuRequested.connect(self._menu)
        self.btn_copy.clicked.connect(self.copy_selected_link)
        self.btn_open_link.clicked.connect(self.open_selected_link)
        self.btn_open_file.clicked.connect(self.open_selected_file)
        self.btn_show.clicked.connect(self.show_selected_in_folder)
        self.btn_resume.clicked.connect(self.resume_selected)
        self.btn_rename.clicked.connect(self.rename_selected)
        self.btn_delete.clicked.connect(self.delete_selected)
        self.update_actions()

    # -- keeping up to date ------------------------------------------------------------------
    def start(self) -> None:
        self._prune_thumbnails = True
        self.refresh()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def refresh(self) -> None:
        if not self.files.count("scan"):
            self.files.submit(library.scan, self._scanned, "scan")

    def _scanned(self, items: list[LocalItem] | None, error: BaseException | None) -> None:
        if items is None:
            log.warning("could not read the recordings: %s", error)
            return
        if self._prune_thumbnails:
            self._prune_thumbnails = False
            ids = {i.id for i in items}
            self.files.submit(lambda: library.prune_thumbnails(ids), lambda _r, _e: None,
                              "prune")
        selected = self.selected_item()
        self.model.set_items(items)
        self.pages.setCurrentWidget(self.view if items else self.empty)
        if selected is not None:
            self.select(selected.id)
        self.update_actions()

    def _make_thumbnail(self, item: LocalItem) -> None:
        def make() -> QImage | None:
            path = library.thumbnail(item)
            if path is None:
                return None
            image = QImage(str(path))
            return None if image.isNull() else image

        def done(image: QImage | None, error: BaseException | None) -> None:
            if error is not None:
                log.info("thumbnail failed: %s", error)
            self.model.set_thumbnail(item, image)

        self.files.submit(make, done, "thumb")

    # -- selection and actions -----------------------------------------------------------------
    def selected_item(self) -> LocalItem | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        item = index.data(ITEM_ROLE)
        return item if isinstance(item, LocalItem) else None

    def select(self, item_id: str) -> None:
        row = self.model.row_of(item_id)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row))

    def _selected(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        item = self.selected_item()
        working = item is not None and item.id in self.model.working
        uploaded = item is not None and item.status == library.Status.UPLOADED
        self.btn_copy.setEnabled(uploaded and bool(item and item.share_url))
        self.btn_open_link.setEnabled(self.btn_copy.isEnabled())
        self.btn_open_file.setEnabled(item is not None and item.exists)
        self.btn_show.setEnabled(item is not None and item.exists)
        self.btn_resume.setText(item.resume_label if item is not None else "Retry upload")
        self.btn_resume.setEnabled(item is not None and item.can_resume and not working)
        editable = item is not None and not item.busy and not working
        self.btn_rename.setEnabled(editable)
        self.btn_delete.setEnabled(editable)
        emphasise(self.btn_copy, uploaded)
        emphasise(self.btn_resume, not uploaded)

    def _menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.setCurrentIndex(index)
            menu_of(self, [self.btn_copy, self.btn_open_link, self.btn_open_file, self.btn_show,
                           None, self.btn_resume, self.btn_rename, self.btn_delete]).popup(
                self.view.viewport().mapToGlobal(pos))

    @Slot()
    def copy_selected_link(self) -> None:
        item = self.selected_item()
        if item is not None and item.share_url:
            emit(self.copy_link, item.share_url)
            emit(self.status, f"Copied the link of “{item.name}”.")

    @Slot()
    def open_selected_link(self) -> None:
        item = self.selected_item()
        if item is not None and item.share_url:
            emit(self.open_url, item.share_url)

    @Slot()
    def open_selected_file(self) -> None:
        item = self.selected_item()
        if item is not None and item.exists:
            emit(self.open_url, QUrl.fromLocalFile(str(item.file)).toString())

    @Slot()
    def show_selected_in_folder(self) -> None:
        item = self.selected_item()
        if item is not None and item.exists:
            emit(self.open_url, QUrl.fromLocalFile(str(item.file.parent)).toString())

    def open_default(self) -> None:
        """Double-click: the link once uploaded, the file otherwise."""
        item = self.selected_item()
        if item is not None and item.status == library.Status.UPLOADED and item.share_url:
            self.open_selected_link()
        else:
            self.open_selected_file()

    # -- resume, retry or first upload ----------------------------------------------------------
    @Slot()
    def resume_selected(self) -> None:
        item = self.selected_item()
        if item is not None and item.can_resume and item.id not in self.model.working:
            self.resume(item)

    def resume(self, item: LocalItem) -> None:
        item_id, name = item.id, item.name
        relay = Relay(self)
        relay.progress.connect(partial(self._resume_progress, item_id),
                               Qt.ConnectionType.QueuedConnection)
        self._relays[item_id] = relay
        self.model.set_working(item_id, "Uploading…")
        self.update_actions()
        emit(self.status, f"Uploading “{name}”…")
        connection = self._connection
        report = partial(emit, relay.progress)

        def run() -> Journal:
            return library.resume(item_id, connection, on_progress=report)

        run_in_worker(run, lambda j, e: self._resumed(item_id, name, j, e))

    def _resume_progress(self, item_id: str, progress: UploadProgress) -> None:
        if item_id not in self.model.working:
            return
        row = self.model.row_of(item_id)
        item = self.model.item(row) if row is not None else None
        total = item.journal.final_size if item is not None else None
        if total:
            share = min(100, int(progress.confirmed_bytes * 100 / total))
            self.model.set_working(item_id, f"Uploading · {share}%")

    def _resumed(self, item_id: str, name: str, journal: Journal | None,
                 error: BaseException | None) -> None:
        if not shiboken6.isValid(self):
            return  # the window was closed for good while the upload ran
        relay = self._relays.pop(item_id, None)
        if relay is not None:
            relay.deleteLater()
        self.model.set_working(item_id, None)
        if error is not None or journal is None:
            emit(self.status, f"“{name}” did not upload: {plain_error(error)}")
        elif journal.state == State.COMPLETE and journal.share_url:
            emit(self.status, f"“{name}” is uploaded: {journal.share_url}")
            emit(self.link_ready, journal.share_url)
        else:
            reason = wording.for_people(library.item_for(journal).reason) or \
                wording.STATE_HEADLINES.get(journal.state, journal.state)
            emit(self.status, f"“{name}” did not upload: {reason}")
        self.refresh()

    # -- rename ------------------------------------------------------------------------------------
    @Slot()
    def rename_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("renameDialog")
        dialog.setWindowTitle("Rename recording")
        dialog.setLabelText("Name in the Library (the file keeps its name):")
        dialog.setTextValue(item.name)
        dialog.resize(420, dialog.sizeHint().height())
        dialog.textValueSelected.connect(partial(self.rename, item.id))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.rename_dialog = dialog
        dialog.open()

    def rename(self, item_id: str, name: str) -> None:
        def done(journal: Journal | None, error: BaseException | None) -> None:
            if error is not None:
                emit(self.status, f"Could not rename: {error}")
            elif journal is not None:
                emit(self.status, f"Renamed to “{journal.name}”.")
            self.refresh()

        self.files.submit(lambda: library.rename(item_id, name), done, "rename")

    # -- delete ------------------------------------------------------------------------------------
    @Slot()
    def delete_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        box = QMessageBox(self)
        box.setObjectName("confirmDelete")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete recording")
        box.setText(f"Delete “{item.name}”?")
        on_cap = bool(item.journal.video_id)
        if item.journal.state == State.COMPLETE:
            info = ("Delete file removes the video from this computer; the Cap video and its "
                    "link stay.")
            if self.has_secret:
                info += "\nDelete everywhere also deletes it on Cap: the link stops working."
            else:
                info += "\nTo delete it on Cap too, add a secret key in Settings."
        elif on_cap:
            info = "Its upload has not finished: without the file it never will."
        else:
            info = "The file is deleted from this computer."
        box.setInformativeText(info)
        buttons = {"file": box.addButton("Delete file", QMessageBox.ButtonRole.DestructiveRole)}
        buttons["file"].setObjectName("deleteFile")
        if on_cap and self.has_secret:
            buttons["both"] = box.addButton("Delete everywhere",
                                            QMessageBox.ButtonRole.DestructiveRole)
            buttons["both"].setObjectName("deleteBoth")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.buttonClicked.connect(partial(self._delete_answer, item, buttons))
        box.finished.connect(lambda _r: box.deleteLater())
        self.confirm, self.confirm_buttons = box, buttons
        box.open()

    def _delete_answer(self, item: LocalItem, buttons: dict[str, QPushButton],
                       clicked: Any) -> None:
        self.confirm, self.confirm_buttons = None, {}
        choice = next((name for name, button in buttons.items() if button is clicked), None)
        if choice == "file":
            self.delete_local(item)
        elif choice == "both":
            self.delete_everywhere(item)

    def delete_local(self, item: LocalItem) -> None:
        abort = self.cap.abort_upload if item.journal.upload_id else None
        self.model.set_working(item.id, "Deleting…")

        def done(journal: Journal | None, error: BaseException | None) -> None:
            self.model.set_working(item.id, None)
            if error is not None:
                emit(self.status, f"Could not delete “{item.name}”: {plain_error(error)}")
            elif journal is not None:
                emit(self.status, f"Deleted the file of “{item.name}”; its Cap video stays.")
            else:
                emit(self.status, f"Deleted “{item.name}”.")
            self.refresh()

        self.files.submit(lambda: library.delete_local(item.id, sdk_abort=abort), done,
                          "delete")

    def delete_everywhere(self, item: LocalItem) -> None:
        cap = self.cap
        video_id = item.journal.video_id
        self.model.set_working(item.id, "Deleting…")

        def done(_result: Any, error: BaseException | None) -> None:
            self.model.set_working(item.id, None)
            if error is not None:
                emit(self.status, f"Could not delete “{item.name}”: {plain_error(error)}")
            else:
                emit(self.status, f"Deleted “{item.name}” here and on Cap.")
                if video_id:
                    emit(self.video_deleted, video_id)
                emit(self.credits_wanted, 0.0)
            self.refresh()

        self.rest.submit(lambda: library.delete_both(item.id, cap.delete), done, "delete")
