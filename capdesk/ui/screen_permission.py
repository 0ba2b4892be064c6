"""macOS: the screen shown before a screen or window recording when capdesk may not record
the screen, with a button that opens the right pane of System Settings.

One entry point, called by the app before the countdown::

    if not ensure_screen_permission(parent):
        return  # no recording: it would show only the desktop background

The decision (check, ask macOS, which sources need it) is in
``capdesk.capture.permissions`` (through ``capdesk.engine.screen_permission``); this
module only shows it. Off macOS it does nothing and returns True.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capdesk.engine import screen_permission
from capdesk.ui import artwork

TITLE = "Allow capdesk to record your screen"
EXPLANATION = (
    "<p>macOS has not given capdesk permission to record the screen. Without it, a "
    "recording shows only the desktop background, without any window, so capdesk "
    "will not start one.</p>"
    "<ol>"
    "<li>Click <b>Open System Settings</b>.</li>"
    "<li>In <b>Privacy &amp; Security &gt; Screen &amp; System Audio Recording</b> "
    "(Screen Recording before macOS 15), turn <b>capdesk</b> on.</li>"
    "<li>Quit capdesk and open it again: macOS applies the permission then.</li>"
    "</ol>"
)
ASKED_NOTE = ("macOS may also show its own prompt about this now: its Open System "
              "Settings button leads to the same place.")
OPENED_NOTE = ("System Settings is open. Turn capdesk on there, then quit and reopen "
               "capdesk.")
NOT_OPENED_NOTE = ("System Settings did not open. Open it from the Apple menu, then "
                   "Privacy & Security > Screen & System Audio Recording.")


class ScreenPermissionDialog(QDialog):
    """What is missing, how to grant it, and a button to the right pane."""

    def __init__(self, parent: QWidget | None = None, *, asked: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("screenPermissionDialog")
        self.setWindowTitle("Screen Recording permission")
        self.setWindowIcon(artwork.app_icon())
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        header, title = artwork.headline_row(TITLE, 48)
        title.setObjectName("screenPermissionTitle")
        layout.addLayout(header)
        text = QLabel(EXPLANATION)
        text.setObjectName("screenPermissionText")
        text.setWordWrap(True)
        text.setMinimumWidth(460)
        layout.addWidget(text)
        self.note = QLabel(ASKED_NOTE if asked else "")
        self.note.setObjectName("screenPermissionNote")
        self.note.setWordWrap(True)
        self.note.setVisible(asked)
        layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.close_button = QPushButton("Not now")
        self.close_button.setObjectName("screenPermissionClose")
        self.open_button = QPushButton("Open System Settings")
        self.open_button.setObjectName("screenPermissionOpen")
        self.open_button.setProperty("role", "accent")
        self.open_button.setDefault(True)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout.addLayout(buttons)
        self.close_button.clicked.connect(self.reject)
        self.open_button.clicked.connect(self.open_settings)

    def open_settings(self) -> None:
        """Open the pane; the dialog stays, saying what to do there."""
        opened = screen_permission.open_settings()
        self.note.setText(OPENED_NOTE if opened else NOT_OPENED_NOTE)
        self.note.setProperty("role", "" if opened else "error")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.show()
        if opened:
            self.close_button.setText("Close")


def ensure_screen_permission(parent: QWidget | None) -> bool:
    """Before a screen (or window) recording: True to go on. On macOS without the Screen
    Recording permission, asks macOS for it and shows ``ScreenPermissionDialog`` (modal),
    then returns False: a grant only takes effect after capdesk restarts. Off macOS, and
    when the permission is there, shows nothing and returns True."""
    if not screen_permission.applies():
        return True
    verdict = screen_permission.check_before_recording("screen")
    if verdict.allowed:
        return True
    dialog = ScreenPermissionDialog(parent, asked=verdict.asked)
    dialog.exec()
    dialog.deleteLater()
    return False
