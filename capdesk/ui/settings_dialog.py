"""Settings: the Cap connection, recording (quality, frame rate, countdown, where files
go), shortcuts, and general behaviour (theme, clipboard, notifications, files)."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Qt, QTimer, Signal
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
from capdesk.ui import artwork, autostart, theme
from capdesk.ui.choice import COUNTDOWNS, FPS_CHOICES, QUALITIES
from capdesk.ui.hotkeys import ChordError, parse
from capdesk.ui.key_form import KeyForm
from capdesk.ui.services import Browser, KeyStore
from capdesk.ui.signals import emit
from capdesk.ui.sizing import center_on, fit_height, scrolling

ACCOUNT_TAB, RECORDING_TAB, SHORTCUTS_TAB, GENERAL_TAB = range(4)

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    saved = Signal(object)  # Settings

    def __init__(self, settings: Settings, keys: KeyStore, hotkey_note: str = "",
                 parent: QWidget | None = None, browser: Browser | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setWindowIcon(artwork.app_icon())
        self.settings = dataclasses.replace(settings)
        self.body = QWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(self.body))
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.keys_form = KeyForm(keys, settings, browser=browser)
        self.keys_form.grew.connect(self.grow)
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
        self.tabs.currentChanged.connect(lambda _i: self.grow())
        self.setMinimumWidth(520)
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
        form.addRow("Quality", self.quality)
        form.addRow("Frame rate", self.fps)
        form.addRow("Countdown", self.countdown)
        form.addRow("Save recordings in", row)
        self.delete_after = QCheckBox("Delete the file on this computer once Cap has the video")
        self.delete_after.setObjectName("deleteAfterUpload")
        self.delete_after.setChecked(settings.delete_after_upload)
        form.addRow(self.delete_after)
        return page

    def _shortcuts_page(self, settings: Settings, note: str) -> QWidget:
        page, form = self._form_page(
            "Shortcuts that work everywhere, even when capdesk is in the background.")
        self.hotkey_record = QKeySequenceEdit(QKeySequence(settings.hotkey_record))
        self.hotkey_record.setObjectName("hotkeyRecord")
        self.hotkey_pause = QKeySequenceEdit(QKeySequence(settings.hotkey_pause))
        self.hotkey_pause.setObjectName("hotkeyPause")
        self.hotkey_area = QKeySequenceEdit(QKeySequence(settings.hotkey_area))
        self.hotkey_area.setObjectName("hotkeyArea")
        for edit in (self.hotkey_record, self.hotkey_pause, self.hotkey_area):
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
        form.addRow("Start / stop recording", self.hotkey_record)
        form.addRow("Pause / resume", self.hotkey_pause)
        form.addRow("Record an area", self.hotkey_area)
        self.hotkey_note = QLabel(note)
        self.hotkey_note.setObjectName("hotkeyNote")
        self.hotkey_note.setProperty("role", "note")
        self.hotkey_note.setWordWrap(True)
        self.hotkey_note.setVisible(bool(note))
        form.addRow(self.hotkey_note)
        return page

    def _general_page(self, settings: Settings) -> QWidget:
        page, form = self._form_page("How capdesk looks and behaves.")
        self.theme = QComboBox()
        self.theme.setObjectName("themeSetting")
        for key, label in theme.THEMES:
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.copy_link = QCheckBox("Copy the link when the upload completes")
        self.copy_link.setObjectName("copyLinkSetting")
        self.copy_link.setChecked(settings.copy_link)
        self.copy_at_start = QCheckBox("Copy the link as soon as a recording starts "
                                       "(it works once you stop)")
        self.copy_at_start.setObjectName("copyLinkAtStart")
        self.copy_at_start.setChecked(settings.copy_link_at_start)
        self.notify_link = QCheckBox("When a link is ready")
        self.notify_link.setObjectName("notifyLink")
        self.notify_link.setChecked(settings.notify_link)
        self.notify_problems = QCheckBox("When a recording or an upload fails")
        self.notify_problems.setObjectName("notifyProblems")
        self.notify_problems.setChecked(settings.notify_problems)
        self.start_at_login = QCheckBox("Start capdesk when I log in")
        self.start_at_login.setObjectName("startAtLogin")
        self.start_at_login.setChecked(settings.start_at_login)
        form.addRow("Theme", self.theme)
        form.addRow("Clipboard", self.copy_link)
        form.addRow("", self.copy_at_start)
        form.addRow("Notify me", self.notify_link)
        form.addRow("", self.notify_problems)
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
        new.hotkey_area = self._shortcut(self.hotkey_area)
        new.copy_link = self.copy_link.isChecked()
        new.copy_link_at_start = self.copy_at_start.isChecked()
        new.delete_after_upload = self.delete_after.isChecked()
        new.notify_link = self.notify_link.isChecked()
        new.notify_problems = self.notify_problems.isChecked()
        new.theme = str(self.theme.currentData())
        new.start_at_login = self.start_at_login.isChecked()
        return new

    def problems(self, new: Settings) -> list[str]:
        found = []
        problem = self.keys_form.validate()
        if problem:
            found.append(problem)
        chosen = (("Start / stop", new.hotkey_record), ("Pause", new.hotkey_pause),
                  ("Record an area", new.hotkey_area))
        for label, text in chosen:
            if text:
                try:
                    parse(text)
                except ChordError as exc:
                    found.append(f"{label} shortcut: {exc}")
        used = [text for _label, text in chosen if text]
        if len(used) != len(set(used)):
            found.append("Each shortcut must be different.")
        return found

    def save(self) -> None:
        new = self.collect()
        problems = self.problems(new)
        if not problems:
            try:
                self.keys_form.save_keys()
            except KeychainUnavailable as exc:
                self.keys_form.hide_keychain_note()
                problems.append(str(exc))
            except ValueError as exc:
                problems.append(str(exc))
        if not problems and new.start_at_login != autostart.is_enabled():
            try:
                autostart.set_enabled(new.start_at_login)
            except OSError as exc:
                problems.append(f"Could not change start at login: {exc}")
        if problems:
            self.error.setText("\n".join(problems))
            self.error.show()
            self.grow()
            return
        try:
            settings_module.save(new)
        except (OSError, ValueError) as exc:
            self.error.setText(f"Could not save the settings: {exc}")
            self.error.show()
            self.grow()
            return
        self.settings = new
        emit(self.saved, new)
        self.accept()

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self.raise_()
        self.activateWindow()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)

    def grow(self) -> None:
        """Fit the page shown (a test result, an error, the Advanced fold), at most the
        screen's height; the page scrolls beyond that."""
        fit_height(self, self.body)
        QTimer.singleShot(0, lambda: fit_height(self, self.body))  # once laid out

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self, self.body)
        center_on(self, self.parentWidget())
