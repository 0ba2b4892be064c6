"""The card that shows the last recording: its link, its status, or what went wrong.

A small window of its own beside the recorder (not a part of it, so the recorder
keeps its size): placed where it fits the screen, hidden while recording.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capdesk.ui.share import Share
from capdesk.ui.signals import emit
from capdesk.ui.sizing import fit_height, keep_on_screen, place_beside

MIN_WIDTH = 420


class ResultPanel(QFrame):
    copy_clicked = Signal(str)
    embed_clicked = Signal(object)  # Share: copy its embed code
    open_clicked = Signal(str)
    retry_clicked = Signal(object)  # Share
    settings_clicked = Signal()

    def __init__(self, recorder: QWidget | None = None) -> None:
        super().__init__(recorder, Qt.WindowType.Tool)
        self.setObjectName("resultPanel")
        self.setWindowTitle("Your recording")
        self.setProperty("role", "popover")
        self.recorder = recorder
        self.share: Share | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)

        self.headline = QLabel()
        self.headline.setObjectName("resultHeadline")
        self.headline.setProperty("role", "title")
        self.headline.setWordWrap(True)
        self.copied = QLabel("Copied")
        self.copied.setObjectName("copiedNote")
        self.copied.setProperty("role", "ok")
        self.close_button = QToolButton()
        self.close_button.setObjectName("closeResult")
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAutoRaise(True)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.copied)
        top.addWidget(self.close_button)
        layout.addLayout(top)

        self.link = QLineEdit()
        self.link.setObjectName("shareLink")
        self.link.setProperty("role", "link")
        self.link.setReadOnly(True)
        layout.addWidget(self.link)
        self.copy = QPushButton("Copy link")
        self.copy.setObjectName("copyLink")
        self.copy.setProperty("role", "accent")
        self.embed = QPushButton("Copy embed")
        self.embed.setObjectName("copyEmbed")
        self.embed.setToolTip("Copy the code that shows the video in a web page")
        self.open = QPushButton("Open")
        self.open.setObjectName("openLink")
        link_row = QHBoxLayout()
        link_row.setContentsMargins(0, 0, 0, 0)
        link_row.setSpacing(6)
        link_row.addWidget(self.copy)
        link_row.addWidget(self.embed)
        link_row.addStretch(1)
        link_row.addWidget(self.open)
        self.link_row = QWidget()
        self.link_row.setLayout(link_row)
        layout.addWidget(self.link_row)

        self.status = QLabel()
        self.status.setObjectName("resultStatus")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
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
        self.actions_row = QWidget()
        actions = QHBoxLayout(self.actions_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(6)
        actions.addWidget(self.retry)
        actions.addWidget(self.fix)
        actions.addStretch(1)
        actions.addWidget(self.show_file)
        layout.addWidget(self.actions_row)

        self.copy.clicked.connect(lambda: emit(self.copy_clicked, self.link.text()))
        self.embed.clicked.connect(self._embed)
        self.open.clicked.connect(lambda: emit(self.open_clicked, self.link.text()))
        self.retry.clicked.connect(self._retry)
        self.fix.clicked.connect(self.settings_clicked)
        self.show_file.clicked.connect(self._show_file)
        self.close_button.clicked.connect(self.hide)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)

    @Slot(object)
    def show_share(self, share: Share) -> None:
        """Fill the card (a new recording, or news about the one shown)."""
        self.share = share
        self.headline.setText(share.headline)
        self.headline.setProperty("role", "title" if share.ok or share.link else "error")
        self.headline.style().unpolish(self.headline)
        self.headline.style().polish(self.headline)
        self.link.setVisible(bool(share.link))
        self.link_row.setVisible(bool(share.link))
        self.link.setText(share.link or "")
        self.link.setCursorPosition(0)
        self.embed.setVisible(bool(share.embed_code))
        status = " · ".join(b for b in (share.facts(), share.status_line) if b)
        self.status.setText(status)
        self.status.setVisible(bool(status))
        self.detail.setText(share.detail)
        self.detail.setVisible(bool(share.detail))
        self.hint.setText(share.hint)
        self.hint.setVisible(bool(share.hint))
        self.retry.setText(share.retry_label)
        self.retry.setVisible(share.can_retry)
        self.fix.setVisible(share.fix_in_settings)
        self.show_file.setVisible(share.file.exists())
        self.actions_row.setVisible(share.can_retry or share.fix_in_settings
                                    or share.file.exists())
        if not share.link:
            self.copied.hide()
        self.fit()

    def shows(self, share: Share) -> bool:
        """Whether the card is about this recording (the same journal)."""
        return self.share is not None and self.share.journal.id == share.journal.id

    def pop_up(self) -> None:
        """Show the card beside the recorder."""
        was_visible = self.isVisible()
        if self.recorder is not None:
            self.setFixedWidth(max(MIN_WIDTH, self.recorder.width()))
        self.fit()
        if not was_visible and self.recorder is not None and self.recorder.isVisible():
            place_beside(self, self.recorder)
        self.show()
        self.raise_()
        keep_on_screen(self)

    def fit(self) -> None:
        fit_height(self)

    def hide_with_recorder(self) -> None:
        self.hide()

    @Slot(str)
    def mark_copied(self, url: str) -> None:
        self.copied.setVisible(bool(url) and url == self.link.text())

    def _retry(self) -> None:
        if self.share is not None:
            emit(self.retry_clicked, self.share)

    def _embed(self) -> None:
        if self.share is not None:
            emit(self.embed_clicked, self.share)

    def _show_file(self) -> None:
        if self.share is not None:
            emit(self.open_clicked, QUrl.fromLocalFile(str(self.share.file.parent)).toString())
