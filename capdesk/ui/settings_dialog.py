"""Settings: the Cap connection, recording defaults, shortcuts, and general behaviour."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from capdesk import settings as settings_module
from capdesk.secrets import KeychainUnavailable
from capdesk.settings import Settings
from capdesk.ui import artwork, autostart
from capdesk.ui.hotkeys import ChordError, parse
from capdesk.ui.key_form import KeyForm
from capdesk.ui.main_window import COUNTDOWNS, FPS_CHOICES, QUALITIES
from capdesk.ui.services import KeyStore
from capdesk.ui.signals import emit
from capdesk.ui.sizing import fit_height

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    saved = Signal(object)  # Settings

    def __init__(self, settings: Settings, keys: KeyStore, hotkey_note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("capdesk settings")
        self.setWindowIcon(artwork.app_icon())
        self.settings = dataclasses.replace(settings)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.keys_form = KeyForm(keys, settings)
        self.tabs.addTab(self._page(self.keys_form, (
            "The public key (cpk_…) lets capdesk upload; the secret key (csk_…) lets it show "
            "when a video is ready. Both stay in your system keychain.")), "Cap account")
        self.tabs.addTab(self._recording_page(settings), "Recording")
        self.tabs.addTab(self._shortcuts_page(settings, hotkey_note), "Shortcuts")
        self.tabs.addTab(self._general_page(settings), "General")
        layout.addWidget(self.tabs)
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("settingsButtons")
        for button in buttons.buttons():
            button.setIcon(QIcon())
        save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setProperty("role", "accent")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 10)

    def _page(self, content: QWidget, intro: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(12)
        text = QLabel(intro)
        text.setProperty("role", "muted")
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addWidget(content)
        layout.addStretch(1)
        return page

    def _form_page(self, intro: str) -> tuple[QWidget, QFormLayout]:
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return self._page(holder, intro), form

    def _recording_page(self, settings: Settings) -> QWidget:
        page, form = self._form_page("Defaults for new recordings.")
        self.folder = QLineEdit(str(settings.recordings_folder()))
        self.folder.setObjectName("saveFolder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.quality = QComboBox()
        self.quality.setObjectName("settingsQuality")
        for key, label in QUALITIES:
            self.quality.addItem(label, key)
        self.quality.setCurrentIndex(max(0, self.quality.findData(settings.quality)))
        self.fps = QComboBox()
        for fps in FPS_CHOICES:
            self.fps.addItem(f"{fps} frames per second", fps)
        self.fps.setCurrentIndex(max(0, self.fps.findData(settings.fps)))
        self.countdown = QComboBox()
        self.countdown.setObjectName("settingsCountdown")
        for seconds, label in COUNTDOWNS:
            self.countdown.addItem(label, seconds)
        self.countdown.setCurrentIndex(max(0, self.countdown.findData(settings.countdown)))
        form.addRow("Save recordings in", row)
        form.addRow("Quality", self.quality)
        form.addRow("Frame rate", self.fps)
        form.addRow("Countdown", self.countdown)
        return page

    def _shortcuts_page(self, settings: Settings, note: str) -> QWidget:
        page, form = self._form_page(
            "Shortcuts that work everywhere, even when capdesk is in the background.")
        self.hotkey_record = QKeySequenceEdit(QKeySequence(settings.hotkey_record))
        self.hotkey_record.setObjectName("hotkeyRecord")
        self.hotkey_pause = QKeySequenceEdit(QKeySequence(settings.hotkey_pause))
        self.hotkey_pause.setObjectName("hotkeyPause")
        for edit in (self.hotkey_record, self.hotkey_pause):
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
        form.addRow("Start / stop recording", self.hotkey_record)
        form.addRow("Pause / resume", self.hotkey_pause)
        self.hotkey_note = QLabel(note)
        self.hotkey_note.setObjectName("hotkeyNote")
        self.hotkey_note.setProperty("role", "note")
        self.hotkey_note.setWordWrap(True)
        self.hotkey_note.setVisible(bool(note))
        form.addRow(self.hotkey_note)
        return page

    def _general_page(self, settings: Settings) -> QWidget:
        page, form = self._form_page("How capdesk behaves.")
        self.copy_link = QCheckBox("Copy the link to the clipboard when an upload completes")
        self.copy_link.setObjectName("copyLinkSetting")
        self.copy_link.setChecked(settings.copy_link)
        self.start_at_login = QCheckBox("Start capdesk when I log in")
        self.start_at_login.setObjectName("startAtLogin")
        self.start_at_login.setChecked(settings.start_at_login)
        form.addRow(self.copy_link)
        form.addRow(self.start_at_login)
        return page

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save recordings in", self.folder.text())
        if folder:
            self.folder.setText(folder)

    # -- saving -------------------------------------------------------------------------
    def _shortcut(self, edit: QKeySequenceEdit) -> str:
        return edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)

    def collect(self) -> Settings:
        new = dataclasses.replace(self.settings)
        self.keys_form.apply_to(new)
        folder = self.folder.text().strip()
        new.save_folder = "" if folder == str(self.settings.recordings_folder()) and \
            not self.settings.save_folder else folder
        new.quality = str(self.quality.currentData())
        new.fps = int(self.fps.currentData())
        new.max_height = 2160 if new.quality == "high" else 1080
        new.countdown = int(self.countdown.currentData())
        new.hotkey_record = self._shortcut(self.hotkey_record)
        new.hotkey_pause = self._shortcut(self.hotkey_pause)
        new.copy_link = self.copy_link.isChecked()
        new.start_at_login = self.start_at_login.isChecked()
        return new

    def problems(self, new: Settings) -> list[str]:
        found = []
        problem = self.keys_form.validate()
        if problem:
            found.append(problem)
        for label, text in (("Start / stop", new.hotkey_record), ("Pause", new.hotkey_pause)):
            if text:
                try:
                    parse(text)
                except ChordError as exc:
                    found.append(f"{label} shortcut: {exc}")
        if new.hotkey_record and new.hotkey_record == new.hotkey_pause:
            found.append("The two shortcuts must differ.")
        return found

    def save(self) -> None:
        new = self.collect()
        problems = self.problems(new)
        if not problems:
            try:
                self.keys_form.save_keys()
            except (KeychainUnavailable, ValueError) as exc:
                problems.append(str(exc))
        if not problems and new.start_at_login != autostart.is_enabled():
            try:
                autostart.set_enabled(new.start_at_login)
            except OSError as exc:
                problems.append(f"Could not change start at login: {exc}")
        if problems:
            self.error.setText("\n".join(problems))
            self.error.show()
            return
        try:
            settings_module.save(new)
        except (OSError, ValueError) as exc:
            self.error.setText(f"Could not save the settings: {exc}")
            self.error.show()
            return
        self.settings = new
        emit(self.saved, new)
        self.accept()

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self.raise_()
        self.activateWindow()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)
