"""The card that shows the last recording: its link, its status, or what went wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capdesk.ui.share import Share
from capdesk.ui.signals import emit


class ResultPanel(QFrame):
    copy_clicked = Signal(str)
    open_clicked = Signal(str)
    retry_clicked = Signal(object)  # Share
    settings_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setProperty("role", "card")
        self.share: Share | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)

        self.headline = QLabel()
        self.headline.setObjectName("resultHeadline")
        self.headline.setProperty("role", "title")
        self.copied = QLabel("Copied to the clipboard")
        self.copied.setObjectName("copiedNote")
        self.copied.setProperty("role", "ok")
        top = QHBoxLayout()
        top.addWidget(self.headline)
        top.addStretch(1)
        top.addWidget(self.copied)
        layout.addLayout(top)

        self.link = QLineEdit()
        self.link.setObjectName("shareLink")
        self.link.setProperty("role", "link")
        self.link.setReadOnly(True)
        self.copy = QPushButton("Copy link")
        self.copy.setObjectName("copyLink")
        self.copy.setProperty("role", "accent")
        self.open = QPushButton("Open")
        self.open.setObjectName("openLink")
        link_row = QHBoxLayout()
        link_row.setSpacing(8)
        link_row.addWidget(self.link, 1)
        link_row.addWidget(self.copy)
        link_row.addWidget(self.open)
        self.link_row = QWidget()
        self.link_row.setLayout(link_row)
        link_row.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.link_row)

        self.status = QLabel()
        self.status.setObjectName("resultStatus")
        self.status.setProperty("role", "muted")
        self.detail = QLabel()
        self.detail.setObjectName("resultDetail")
        self.detail.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setObjectName("resultHint")
        self.hint.setWordWrap(True)
        self.hint.setProperty("role", "muted")
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.status, self.detail, self.hint):
            layout.addWidget(label)

        self.retry = QPushButton("Retry upload")
        self.retry.setObjectName("retryUpload")
        self.retry.setProperty("role", "accent")
        self.fix = QPushButton("Open Settings")
        self.fix.setObjectName("fixSettings")
        self.show_file = QPushButton("Show file")
        self.show_file.setObjectName("showFile")
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.retry)
        actions.addWidget(self.fix)
        actions.addStretch(1)
        actions.addWidget(self.show_file)
        layout.addLayout(actions)

        self.copy.clicked.connect(lambda: emit(self.copy_clicked, self.link.text()))
        self.open.clicked.connect(lambda: emit(self.open_clicked, self.link.text()))
        self.retry.clicked.connect(self._retry)
        self.fix.clicked.connect(self.settings_clicked)
        self.show_file.clicked.connect(self._show_file)
        self.hide()

    @Slot(object)
    def show_share(self, share: Share) -> None:
        self.share = share
        self.headline.setText(share.headline)
        self.headline.setProperty("role", "title" if share.ok or share.link else "error")
        self.headline.style().unpolish(self.headline)
        self.headline.style().polish(self.headline)
        self.link_row.setVisible(bool(share.link))
        self.link.setText(share.link or "")
        self.link.setCursorPosition(0)
        status = " · ".join(b for b in (share.facts(), share.status_line) if b)
        self.status.setText(status)
        self.status.setVisible(bool(status))
        self.detail.setText(share.detail)
        self.detail.setVisible(bool(share.detail))
        self.hint.setText(share.hint)
        self.hint.setVisible(bool(share.hint))
        self.retry.setVisible(share.can_retry)
        self.fix.setVisible(share.fix_in_settings)
        self.show_file.setVisible(share.file.exists())
        if not share.link:
            self.copied.hide()
        self.show()

    @Slot(str)
    def mark_copied(self, url: str) -> None:
        self.copied.setVisible(bool(url) and url == self.link.text())

    def _retry(self) -> None:
        if self.share is not None:
            emit(self.retry_clicked, self.share)

    def _show_file(self) -> None:
        if self.share is not None:
            emit(self.open_clicked, QUrl.fromLocalFile(str(self.share.file.parent)).toString())
