"""The first-run screen: what the two Cap keys are, where to get them, and a test.

Enter saves ("Save and start" is the default button, never "Skip"); skipping with keys
typed asks first. The dialog grows with a test's result instead of squeezing the fields.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capdesk import paths, secrets
from capdesk import settings as settings_module
from capdesk.secrets import KeychainUnavailable
from capdesk.settings import Settings
from capdesk.ui import artwork
from capdesk.ui.key_form import KeyForm
from capdesk.ui.keycheck import KeyReport
from capdesk.ui.services import Browser, KeyStore
from capdesk.ui.signals import emit
from capdesk.ui.sizing import center_on, fit_height, scrolling

EXPLANATION = (
    "<p>capdesk uploads while you record, so your link works the moment you stop. "
    "It talks to Cap with two keys from <b>Cap's developer dashboard</b> "
    "(<b>Get your keys</b> opens it; copy them from your app's API keys):</p>"
    "<ul>"
    "<li><b>Public key</b> <code>cpk_…</code>: needed to upload. Without it, recordings "
    "are kept on this computer only.</li>"
    "<li><b>Secret key</b> <code>csk_…</code>: optional. It lets capdesk tell you when "
    "a video is ready to watch and show your credit balance. Keep it private.</li>"
    "</ul>"
    "<p>Both are stored in your system keychain, never in a file.</p>"
)


def should_show(keys: KeyStore) -> bool:
    """First run: no settings saved yet and no public key anywhere."""
    return not paths.settings_file().exists() and not keys.get(secrets.PUBLIC).value


class WelcomeDialog(QDialog):
    saved = Signal(object)  # Settings

    def __init__(self, settings: Settings, keys: KeyStore,
                 parent: QWidget | None = None, browser: Browser | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle("Welcome")
        self.setWindowIcon(artwork.app_icon())
        self.settings = settings
        self.body = QWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(self.body))
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        header, _ = artwork.headline_row("Connect capdesk to Cap", 40)
        layout.addLayout(header)
        text = QLabel(EXPLANATION)
        text.setObjectName("welcomeText")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.form = KeyForm(keys, settings, browser=browser)
        layout.addWidget(self.form)
        self.error = QLabel()
        self.error.setObjectName("welcomeError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        self.skip = QPushButton("Skip: record on this computer only")
        self.skip.setObjectName("welcomeSkip")
        self.skip.setAutoDefault(False)
        self.done_button = QPushButton("Save and start")
        self.done_button.setObjectName("welcomeSave")
        self.done_button.setProperty("role", "accent")
        self.done_button.setAutoDefault(True)
        self.done_button.setDefault(True)
        buttons.addWidget(self.skip)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout.addLayout(buttons)
        self.skip.clicked.connect(self._skip)
        self.done_button.clicked.connect(self._save)
        self.form.tested.connect(self._tested)
        self.form.grew.connect(self.grow)
        self.setMinimumWidth(520)
        self.resize(600, 10)

    def _tested(self, report: KeyReport) -> None:
        self.done_button.setText("Save and start" if report.ok else "Save anyway")
        self.done_button.setDefault(True)  # the test button had the focus; Enter still saves

    def _skip(self) -> None:
        if self.form.typed_any():
            answer = QMessageBox.question(
                self, "Skip", "Skip without saving the keys you typed?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        settings_module.save(self.settings)
        emit(self.saved, self.settings)
        self.accept()

    def _save(self) -> None:
        problem = self.form.validate()
        if problem is None:
            try:
                self.form.save_keys()
            except KeychainUnavailable as exc:
                self.form.hide_keychain_note()
                problem = str(exc)
            except ValueError as exc:
                problem = str(exc)
        if problem:
            self.error.setText(problem)
            self.error.show()
            self.grow()
            return
        new = dataclasses.replace(self.settings)
        self.form.apply_to(new)
        settings_module.save(new)
        emit(self.saved, new)
        self.accept()

    def grow(self) -> None:
        """Make room for new text (a test result, an error, the Advanced fold)."""
        fit_height(self, self.body)
        QTimer.singleShot(0, lambda: fit_height(self, self.body))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self, self.body)
        center_on(self, self.parentWidget())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._save()  # Enter saves, whichever button has the focus
            return
        super().keyPressEvent(event)
