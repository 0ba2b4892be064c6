"""The recorder: what to record, the microphone, the camera, and a big Record button.

Compact, in the spirit of Cap's: frame rate, quality and countdown are in Settings;
the result of a recording opens in its own small card beside the recorder
(``result_panel``), so this window never grows past the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QHideEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capdesk.settings import Settings
from capdesk.ui import artwork, glyphs
from capdesk.ui.audio import AudioOffer
from capdesk.ui.audio_picker import AudioPicker
from capdesk.ui.camera import CameraOffer
from capdesk.ui.camera_picker import CameraPicker
from capdesk.ui.choice import Choice
from capdesk.ui.controller import Phase
from capdesk.ui.result_panel import ResultPanel
from capdesk.ui.signals import emit
from capdesk.ui.sizing import fit_height, needed_height, scrolling
from capdesk.ui.source_picker import SourcePicker, WindowLike

WIDTH_CHARS = 46  # the recorder's width, in average characters of its font


class MainWindow(QMainWindow):
    record_clicked = Signal()
    stop_clicked = Signal()
    settings_clicked = Signal()
    library_clicked = Signal()
    note_clicked = Signal(str)  # the note's button: its action ("settings", "upload", ...)
    problem_clicked = Signal(str)  # the error box's button: its action ("settings")
    choice_changed = Signal()
    audio_changed = Signal()  # the microphone, its device or the system sound changed
    camera_changed = Signal()  # the camera toggle or the chosen camera changed
    windows_wanted = Signal()  # the window list should be looked up
    closed_to_tray = Signal()  # closed while the tray keeps the app running

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("capdesk")
        self.setWindowIcon(artwork.app_icon())
        self.quit_on_close = True
        self._phase = Phase.IDLE.value
        self._settings = settings
        self._note_action = ""
        self._problem_action = ""

        self.body = QWidget()  # the choices: they scroll when the screen is short
        self.body.setObjectName("recorderBody")
        self.footer = QWidget()  # Record: always in view
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(scrolling(self.body), 1)
        column.addWidget(self.footer)
        self.setCentralWidget(central)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(16, 12, 16, 6)
        layout.setSpacing(10)
        layout.addLayout(self._header())

        self.source = SourcePicker()
        self.audio = AudioPicker(settings)
        self.cameras = CameraPicker(settings)
        layout.addWidget(self.source)
        layout.addWidget(self._line())
        layout.addWidget(self.audio)
        layout.addWidget(self.cameras)
        layout.addWidget(self._note_box())
        layout.addWidget(self._problem_box())

        layout.addStretch(1)
        footer = QVBoxLayout(self.footer)
        footer.setContentsMargins(16, 6, 16, 12)
        footer.setSpacing(8)
        self.record = QPushButton("  Record")
        self.record.setObjectName("recordButton")
        self.record.setProperty("role", "primary")
        self.record.setIcon(glyphs.record_icon())
        self.record.setIconSize(QSize(18, 18))
        self.record.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.record.setDefault(True)
        footer.addWidget(self.record)
        self.shortcut_hint = QLabel()
        self.shortcut_hint.setObjectName("shortcutHint")
        self.shortcut_hint.setProperty("role", "muted")
        self.shortcut_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shortcut_hint.setWordWrap(True)
        footer.addWidget(self.shortcut_hint)
        self.status = QLabel()
        self.status.setObjectName("statusLine")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.hide()
        footer.addWidget(self.status)

        self.result = ResultPanel(self)

        self.record.clicked.connect(self._record_or_stop)
        self.settings_button.clicked.connect(self.settings_clicked)
        self.library_button.clicked.connect(self.library_clicked)
        self.note_button.clicked.connect(lambda: emit(self.note_clicked, self._note_action))
        self.problem_button.clicked.connect(
            lambda: emit(self.problem_clicked, self._problem_action))
        self.source.changed.connect(self._source_changed)
        self.source.windows_wanted.connect(self.windows_wanted)
        self.audio.changed.connect(self.audio_changed)
        self.cameras.changed.connect(self.camera_changed)
        self.apply_settings(settings)
        self.setFixedWidth(max(self.fontMetrics().averageCharWidth() * WIDTH_CHARS + 40,
                               self.body.minimumSizeHint().width()))
        self.fit()

    # -- building -----------------------------------------------------------------------
    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        logo = QLabel()
        logo.setPixmap(artwork.app_icon().pixmap(QSize(28, 28)))
        title = QLabel("capdesk")
        title.setProperty("role", "headline")
        self.library_button = self._header_button("libraryButton", "Library",
                                                  glyphs.library_icon(),
                                                  "Every recording and every Cap video")
        self.settings_button = self._header_button("settingsButton", "Settings",
                                                   glyphs.gear_icon(),
                                                   "Keys, quality, frame rate, countdown")
        row.addWidget(logo)
        row.addWidget(title, 1)
        row.addWidget(self.library_button)
        row.addWidget(self.settings_button)
        return row

    @staticmethod
    def _header_button(name: str, text: str, icon: QIcon, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(text)
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    @staticmethod
    def _line() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setProperty("role", "line")
        return line

    def _note_box(self) -> QFrame:
        self.note = QLabel()
        self.note.setObjectName("uploadNote")
        self.note.setWordWrap(True)
        self.note_button = QPushButton("Set up uploads…")
        self.note_button.setObjectName("noteSetup")
        self.note_box = QFrame()
        self.note_box.setProperty("role", "note")
        column = QVBoxLayout(self.note_box)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(6)
        column.addWidget(self.note)
        column.addWidget(self.note_button, 0, Qt.AlignmentFlag.AlignRight)
        self.note_box.hide()
        return self.note_box

    def _problem_box(self) -> QFrame:
        self.problem = QLabel()
        self.problem.setObjectName("problemText")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_button = QPushButton("Open Settings")
        self.problem_button.setObjectName("problemFix")
        self.problem_box = QFrame()
        self.problem_box.setObjectName("problemBox")
        self.problem_box.setProperty("role", "problem")
        column = QVBoxLayout(self.problem_box)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(6)
        column.addWidget(self.problem)
        column.addWidget(self.problem_button, 0, Qt.AlignmentFlag.AlignRight)
        self.problem_box.hide()
        return self.problem_box

    # -- the parts' widgets, by their old names (tests and the shell use them) ------------
    @property
    def microphone(self) -> QCheckBox:
        return self.audio.microphone

    @property
    def mic_combo(self) -> QComboBox:
        return self.audio.mic_combo

    @property
    def system_audio(self) -> QCheckBox:
        return self.audio.system_audio

    @property
    def audio_hint(self) -> QLabel:
        return self.audio.hint

    @property
    def camera(self) -> QCheckBox:
        return self.cameras.camera

    @property
    def camera_combo(self) -> QComboBox:
        return self.cameras.camera_combo

    @property
    def camera_hint(self) -> QLabel:
        return self.cameras.hint

    @property
    def has_microphones(self) -> bool:
        return self.audio.has_microphones

    @property
    def has_cameras(self) -> bool:
        return self.cameras.has_cameras

    # -- state ------------------------------------------------------------------------------
    def refresh_screens(self) -> None:
        self.source.refresh_screens()

    def set_audio_offer(self, offer: AudioOffer) -> None:
        self.audio.set_offer(offer)
        self.audio.set_idle(self._phase == Phase.IDLE)
        self.fit()

    def set_camera_offer(self, offer: CameraOffer) -> None:
        self.cameras.set_offer(offer)
        self.cameras.set_idle(self._phase == Phase.IDLE)
        self.fit()

    @Slot(str)
    def set_camera_problem(self, text: str) -> None:
        self.cameras.set_problem(text)
        self.fit()

    def camera_wanted(self) -> tuple[bool, str]:
        return self.cameras.wanted()

    def camera_choice(self) -> tuple[bool, str]:
        return self.cameras.choice()

    def set_camera_on(self, on: bool) -> None:
        self.cameras.set_on(on)

    def turn_on_microphone(self) -> None:
        self.audio.turn_on_microphone()

    def audio_wanted(self) -> tuple[bool, str, bool]:
        return self.audio.wanted()

    def apply_settings(self, settings: Settings) -> None:
        self._settings = settings
        record = QKeySequence(settings.hotkey_record).toString(
            QKeySequence.SequenceFormat.NativeText)
        self.shortcut_hint.setText(f"Start and stop from anywhere with {record}"
                                   if record else "")

    def choice(self, mode: str | None = None) -> Choice:
        """What Record would record now; ``mode``: another mode, this once (the tray's
        "Record an area…" does not change the window's choice)."""
        s = self._settings
        mode = mode or self.source.mode
        window = self.source.chosen_window() if mode == "window" else None
        return Choice(
            mode=mode,
            screen_name=self.source.screen_name if mode == "screen" else None,
            fps=s.fps, quality=s.quality, countdown=s.countdown,
            audio=self.audio.mode(), audio_device=self.audio.device(),
            window_id=window.id if window is not None else None,
            window_title=(window.title or window.app) if window is not None else "",
        )

    def set_mode(self, mode: str) -> None:
        self.source.set_mode(mode)

    def set_windows(self, windows: Sequence[WindowLike], problem: str = "") -> None:
        self.source.set_windows(windows, problem)
        self.fit()

    @Slot(str, str, str)
    def set_upload_note(self, note: str, button: str = "Set up uploads…",
                        action: str = "settings") -> None:
        """A note above Record (why uploads are off) and a button that fixes it."""
        self.note.setText(note)
        self.note_button.setText(button)
        self.note_button.setVisible(bool(button))
        self._note_action = action
        self.note_box.setVisible(bool(note) and self.problem_box.isHidden())
        self.fit()

    def set_problem(self, text: str, button: str = "", action: str = "") -> None:
        """An error in the window (a recording that could not start), with its fix."""
        self.problem.setText(text)
        self.problem_button.setText(button)
        self.problem_button.setVisible(bool(button))
        self._problem_action = action
        self.problem_box.setVisible(bool(text))
        self.note_box.setVisible(not text and bool(self.note.text()))  # one box at a time
        if text:
            self.status.hide()
        self.fit()

    @Slot(str)
    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.fit()

    @Slot(str)
    def set_phase(self, phase: str) -> None:
        self._phase = phase
        idle = phase == Phase.IDLE
        self.record.setText("  Record" if idle else "  Stop")
        self.record.setIcon(glyphs.record_icon() if idle else glyphs.stop_icon())
        self.source.set_enabled(idle)
        self.audio.set_idle(idle)
        self.cameras.set_idle(idle)
        self._enable_record()

    def _enable_record(self) -> None:
        idle = self._phase == Phase.IDLE
        self.record.setEnabled(self._phase != Phase.STOPPING and (not idle or self.source.ready))

    def _source_changed(self) -> None:
        self._enable_record()
        emit(self.choice_changed)
        self.fit()

    def _record_or_stop(self) -> None:
        if self._phase == Phase.IDLE:
            emit(self.record_clicked)
        else:
            emit(self.stop_clicked)

    # -- the window ---------------------------------------------------------------------------
    def fit(self) -> None:
        """Fit the content (a note came or went), at most the screen; stay on screen."""
        self._fit_now()
        if self.isVisible():  # wrapped labels know their height only once laid out
            QTimer.singleShot(0, self._fit_now)

    def _fit_now(self) -> None:
        width = self.width()
        fit_height(self, self.body, extra=needed_height(self.footer, width))

    def bring_to_front(self) -> None:
        self.show()
        self.fit()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def hideEvent(self, event: QHideEvent) -> None:
        self.result.hide_with_recorder()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.quit_on_close:  # a tray icon keeps the app running
            event.ignore()
            self.hide()
            emit(self.closed_to_tray)
            return
        self.result.close()
        super().closeEvent(event)

    @staticmethod
    def window_icon() -> QIcon:
        return artwork.app_icon()
