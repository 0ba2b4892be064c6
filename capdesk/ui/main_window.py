"""The main window: what to record, how, the Record button, and the last result."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capdesk.settings import Settings
from capdesk.ui import artwork, glyphs, wording
from capdesk.ui.audio import AudioOffer
from capdesk.ui.camera import NO_CAMERA, CameraOffer
from capdesk.ui.controller import Phase
from capdesk.ui.result_panel import ResultPanel
from capdesk.ui.signals import emit
from capdesk.ui.sizing import fit_height

FPS_CHOICES = (15, 24, 30, 60)
COUNTDOWNS = ((0, "Off"), (3, "3 seconds"), (5, "5 seconds"), (10, "10 seconds"))
QUALITIES = (("standard", "Standard · up to 1080p"), ("high", "High · up to 4K"))
MAX_HEIGHT = {"standard": 1080, "high": 2160}


@dataclass(frozen=True)
class Choice:
    mode: str  # "screen", "area" or "desktop"
    screen_name: str | None
    fps: int
    quality: str
    countdown: int
    audio: str = "none"  # the engine's audio mode: none, mic, system, mic+system
    audio_device: str | None = None  # a microphone's id; None: the system default

    @property
    def max_height(self) -> int:
        return MAX_HEIGHT.get(self.quality, 1080)


class MainWindow(QMainWindow):
    record_clicked = Signal()
    stop_clicked = Signal()
    settings_clicked = Signal()
    library_clicked = Signal()
    choice_changed = Signal()
    audio_changed = Signal()  # the microphone, its device or the system sound changed
    camera_changed = Signal()  # the camera toggle or the chosen camera changed

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("capdesk")
        self.setWindowIcon(artwork.app_icon())
        self.quit_on_close = True
        self._phase = Phase.IDLE.value
        self._offer: AudioOffer | None = None
        self._wanted_mic = settings.microphone
        self._wanted_device = settings.microphone_device
        self._wanted_system = settings.system_audio
        self._cameras: CameraOffer | None = None
        self._wanted_camera = settings.camera
        self._wanted_camera_device = settings.camera_device
        self._filling = False

        body = QWidget()
        self.setCentralWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 18)
        layout.setSpacing(14)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(self._header())
        layout.addWidget(self._source_card())
        layout.addWidget(self._options_card(settings))

        self.note = QLabel()
        self.note.setObjectName("uploadNote")
        self.note.setWordWrap(True)
        self.note_button = QPushButton("Set up uploads…")
        self.note_button.setObjectName("noteSetup")
        self.note_box = QFrame()
        self.note_box.setProperty("role", "note")
        note_row = QHBoxLayout(self.note_box)
        note_row.setContentsMargins(12, 10, 10, 10)
        note_row.setSpacing(12)
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.note_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.note_box.hide()
        layout.addWidget(self.note_box)

        self.record = QPushButton("  Record")
        self.record.setObjectName("recordButton")
        self.record.setProperty("role", "primary")
        self.record.setIcon(glyphs.record_icon())
        self.record.setIconSize(QSize(18, 18))
        self.record.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.shortcut_hint = QLabel()
        self.shortcut_hint.setObjectName("shortcutHint")
        self.shortcut_hint.setProperty("role", "muted")
        self.shortcut_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.record)
        layout.addWidget(self.shortcut_hint)

        self.result = ResultPanel()
        layout.addWidget(self.result)
        layout.addStretch(1)

        self.status = QLabel()
        self.status.setObjectName("statusLine")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)

        self.record.clicked.connect(self._record_or_stop)
        self.note_button.clicked.connect(self.settings_clicked)
        self.settings_button.clicked.connect(self.settings_clicked)
        self.library_button.clicked.connect(self.library_clicked)
        self.refresh_screens()
        self.apply_settings(settings)
        self.setMinimumWidth(460)
        self.resize(500, 10)
        self.fit()

    # -- building -----------------------------------------------------------------------
    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(artwork.app_icon().pixmap(QSize(36, 36)))
        title = QLabel("capdesk")
        title.setProperty("role", "headline")
        subtitle = QLabel("Record, stop, share the link")
        subtitle.setWordWrap(True)
        subtitle.setProperty("role", "muted")
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(title)
        words.addWidget(subtitle)
        self.settings_button = QToolButton()
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setText("Settings")
        self.settings_button.setIcon(glyphs.gear_icon())
        self.settings_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_button.setAutoRaise(True)
        self.library_button = QToolButton()
        self.library_button.setObjectName("libraryButton")
        self.library_button.setText("Library")
        self.library_button.setIcon(glyphs.library_icon())
        self.library_button.setToolTip("Every recording and every Cap video, with its state")
        self.library_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.library_button.setAutoRaise(True)
        row.addWidget(logo)
        row.addLayout(words, 1)
        row.addWidget(self.library_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _card(self, title: str) -> tuple[QFrame, QVBoxLayout]:
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(10)
        heading = QLabel(title)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        return card, layout

    def _source_card(self) -> QFrame:
        card, layout = self._card("What to record")
        row = QHBoxLayout()
        row.setSpacing(8)
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[str, QToolButton] = {}
        for key, label, icon in (("screen", "Screen", glyphs.screen_icon()),
                                 ("area", "Area", glyphs.area_icon()),
                                 ("desktop", "All screens", glyphs.desktop_icon())):
            button = QToolButton()
            button.setObjectName(f"mode_{key}")
            button.setProperty("role", "source")
            button.setText(label)
            button.setIcon(icon)
            button.setIconSize(QSize(28, 28))
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(button.fontMetrics().height() * 2 + 40)
            self.modes.addButton(button)
            self.mode_buttons[key] = button
            row.addWidget(button)
        layout.addLayout(row)
        self.screen_row = QWidget()
        screen_layout = QHBoxLayout(self.screen_row)
        screen_layout.setContentsMargins(0, 0, 0, 0)
        screen_label = QLabel("Screen")
        self.screen_combo = QComboBox()
        self.screen_combo.setObjectName("screenCombo")
        screen_layout.addWidget(screen_label)
        screen_layout.addWidget(self.screen_combo, 1)
        layout.addWidget(self.screen_row)
        self.mode_hint = QLabel()
        self.mode_hint.setObjectName("modeHint")
        self.mode_hint.setProperty("role", "muted")
        self.mode_hint.setWordWrap(True)
        layout.addWidget(self.mode_hint)
        self.modes.buttonToggled.connect(self._mode_toggled)
        self.screen_combo.currentIndexChanged.connect(lambda _i: emit(self.choice_changed))
        return card

    def _options_card(self, settings: Settings) -> QFrame:
        card, layout = self._card("Options")
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.fps = QComboBox()
        self.fps.setObjectName("fpsCombo")
        for fps in FPS_CHOICES:
            self.fps.addItem(f"{fps} frames per second", fps)
        self.quality = QComboBox()
        self.quality.setObjectName("qualityCombo")
        for key, label in QUALITIES:
            self.quality.addItem(label, key)
        self.countdown = QComboBox()
        self.countdown.setObjectName("countdownCombo")
        for seconds, label in COUNTDOWNS:
            self.countdown.addItem(label, seconds)
        form.addRow("Frame rate", self.fps)
        form.addRow("Quality", self.quality)
        form.addRow("Countdown", self.countdown)
        audio_box = self._audio_box()
        form.addRow("Audio", self.microphone)  # the label level with the first checkbox
        form.addRow("", audio_box)
        camera_box = self._camera_box()
        form.addRow("Camera", self.camera)
        form.addRow("", camera_box)
        layout.addLayout(form)
        return card

    def _audio_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.microphone = QCheckBox("Record the microphone")
        self.microphone.setObjectName("microphone")
        self.mic_combo = QComboBox()
        self.mic_combo.setObjectName("microphoneCombo")
        self.mic_combo.setAccessibleName("Microphone")
        self.mic_combo.addItem("Looking for microphones…", "")
        self.mic_combo.setEnabled(False)
        self.system_audio = QCheckBox("Record system sound")
        self.system_audio.setObjectName("systemAudio")
        self.system_audio.setToolTip("Everything this computer plays: videos, calls, alerts")
        self.audio_hint = QLabel()
        self.audio_hint.setObjectName("audioHint")
        self.audio_hint.setProperty("role", "muted")
        self.audio_hint.setWordWrap(True)
        self.audio_hint.hide()
        column.addWidget(self.mic_combo)
        column.addWidget(self.system_audio)
        column.addWidget(self.audio_hint)
        self.microphone.toggled.connect(self._audio_toggled)
        self.system_audio.toggled.connect(self._audio_toggled)
        self.mic_combo.currentIndexChanged.connect(lambda _i: self._audio_toggled())
        return box

    def _camera_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.camera = QCheckBox("Show my camera in a bubble")
        self.camera.setObjectName("camera")
        self.camera.setEnabled(False)
        self.camera.setToolTip("Looking for cameras…")
        self.camera_combo = QComboBox()
        self.camera_combo.setObjectName("cameraCombo")
        self.camera_combo.setAccessibleName("Camera")
        self.camera_combo.addItem("Looking for cameras…", "")
        self.camera_combo.setEnabled(False)
        self.camera_hint = QLabel()
        self.camera_hint.setObjectName("cameraHint")
        self.camera_hint.setProperty("role", "muted")
        self.camera_hint.setWordWrap(True)
        self.camera_hint.hide()
        column.addWidget(self.camera_combo)
        column.addWidget(self.camera_hint)
        self.camera.toggled.connect(self._camera_toggled)
        self.camera_combo.currentIndexChanged.connect(lambda _i: self._camera_toggled())
        return box

    # -- state ----------------------------------------------------------------------------
    def refresh_screens(self) -> None:
        current = self.screen_combo.currentData()
        self.screen_combo.blockSignals(True)
        self.screen_combo.clear()
        primary = QGuiApplication.primaryScreen()
        for index, screen in enumerate(QGuiApplication.screens(), start=1):
            size = screen.size() * screen.devicePixelRatio()
            label = f"Screen {index} · {size.width()}×{size.height()}"
            if screen is primary:
                label += " · main"
            self.screen_combo.addItem(label, screen.name())
        found = self.screen_combo.findData(current)
        self.screen_combo.setCurrentIndex(max(0, found))
        self.screen_combo.blockSignals(False)
        self.mode_buttons["desktop"].setVisible(len(QGuiApplication.screens()) > 1)
        if not self.mode_buttons["desktop"].isVisible() and self.mode_buttons[
                "desktop"].isChecked():
            self.mode_buttons["screen"].setChecked(True)

    def set_audio_offer(self, offer: AudioOffer) -> None:
        """The microphones and system sound found (looked up in a worker)."""
        self._offer = offer
        self._filling = True
        self.mic_combo.clear()
        for mic in offer.microphones:
            label = f"System default · {mic.name}" if mic.is_default else mic.name
            self.mic_combo.addItem(label, "" if mic.is_default else mic.id)
        if offer.microphones and not any(m.is_default for m in offer.microphones):
            self.mic_combo.insertItem(0, "System default", "")
        if not offer.microphones:
            self.mic_combo.addItem("No microphone", "")
        self._select(self.mic_combo, self._wanted_device)
        self.microphone.setChecked(self._wanted_mic and bool(offer.microphones))
        self.system_audio.setChecked(self._wanted_system and offer.system)
        self.system_audio.setToolTip(
            "Everything this computer plays: videos, calls, alerts" if offer.system
            else offer.system_problem)
        self._filling = False
        hints = [offer.microphone_problem] if not offer.microphones else []
        if not offer.system and offer.system_problem not in hints:
            hints.append(offer.system_problem)
        self.audio_hint.setText(" ".join(h for h in hints if h))
        self.audio_hint.setVisible(bool(self.audio_hint.text()))
        self._enable_audio(self._phase == Phase.IDLE)
        self.fit()

    def set_camera_offer(self, offer: CameraOffer) -> None:
        """The cameras found (looked up in a worker), a video file standing in included."""
        self._cameras = offer
        self._filling = True
        self.camera_combo.clear()
        for cam in offer.cameras:
            label = f"System default · {cam.name}" if cam.is_default else cam.name
            self.camera_combo.addItem(label, "" if cam.is_default else cam.id)
        if not offer.cameras:
            self.camera_combo.addItem("No camera", "")
        self._select(self.camera_combo, self._wanted_camera_device)
        self.camera.setChecked(self._wanted_camera and bool(offer.cameras))
        self.camera.setToolTip("A round picture of you in the recording; drag it where "
                               "it should be" if offer.cameras else NO_CAMERA)
        self._filling = False
        self.set_camera_problem("" if offer.cameras else
                                (offer.problem or NO_CAMERA).rstrip(".") + ".")
        self._enable_camera(self._phase == Phase.IDLE)
        emit(self.camera_changed)

    @Slot(str)
    def set_camera_problem(self, text: str) -> None:
        self.camera_hint.setText(text)
        self.camera_hint.setVisible(bool(text))
        self.fit()

    @property
    def has_cameras(self) -> bool:
        return self._cameras is not None and bool(self._cameras.cameras)

    def camera_wanted(self) -> tuple[bool, str]:
        """What the person chose (kept while the camera is missing): on, camera id."""
        return self._wanted_camera, self._wanted_camera_device

    def camera_choice(self) -> tuple[bool, str]:
        """What can be done now: on (a camera exists and is chosen), its id."""
        on = self.has_cameras and self.camera.isChecked()
        return on, str(self.camera_combo.currentData() or "") if on else ""

    def set_camera_on(self, on: bool) -> None:
        if self.has_cameras:
            self.camera.setChecked(on)

    def _camera_toggled(self, *_args: object) -> None:
        self._enable_camera(self._phase == Phase.IDLE)
        if self._filling or self._cameras is None:
            return
        if self.has_cameras:
            self._wanted_camera = self.camera.isChecked()
            self._wanted_camera_device = str(self.camera_combo.currentData() or "")
        emit(self.camera_changed)

    def _enable_camera(self, idle: bool) -> None:
        self.camera.setEnabled(idle and self.has_cameras)
        self.camera_combo.setEnabled(idle and self.has_cameras and self.camera.isChecked())

    @property
    def has_microphones(self) -> bool:
        return self._offer is not None and bool(self._offer.microphones)

    def turn_on_microphone(self) -> None:
        if self.has_microphones:
            self.microphone.setChecked(True)

    def audio_wanted(self) -> tuple[bool, str, bool]:
        """What the person chose (kept while a device is missing): mic, device, system."""
        return self._wanted_mic, self._wanted_device, self._wanted_system

    def _audio_toggled(self, *_args: object) -> None:
        self._enable_audio(self._phase == Phase.IDLE)
        if self._filling or self._offer is None:
            return
        if self.microphone.isEnabled():
            self._wanted_mic = self.microphone.isChecked()
            self._wanted_device = str(self.mic_combo.currentData() or "")
        if self.system_audio.isEnabled():
            self._wanted_system = self.system_audio.isChecked()
        emit(self.audio_changed)

    def _enable_audio(self, idle: bool) -> None:
        offer = self._offer
        mics = offer is not None and bool(offer.microphones)
        self.microphone.setEnabled(idle and mics)
        self.mic_combo.setEnabled(idle and mics and self.microphone.isChecked())
        self.system_audio.setEnabled(idle and offer is not None and offer.system)

    def apply_settings(self, settings: Settings) -> None:
        self._select(self.fps, settings.fps)
        self._select(self.quality, settings.quality)
        self._select(self.countdown, settings.countdown)
        if self.modes.checkedButton() is None:
            self.mode_buttons["screen"].setChecked(True)
        record = QKeySequence(settings.hotkey_record).toString(
            QKeySequence.SequenceFormat.NativeText)
        self.shortcut_hint.setText(f"Start and stop from anywhere with {record}"
                                   if record else "")

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def choice(self) -> Choice:
        checked = self.modes.checkedButton()
        mode = next((k for k, b in self.mode_buttons.items() if b is checked), "screen")
        return Choice(
            mode=mode,
            screen_name=self.screen_combo.currentData() if mode == "screen" else None,
            fps=int(self.fps.currentData()),
            quality=str(self.quality.currentData()),
            countdown=int(self.countdown.currentData()),
            audio=wording.audio_mode(self._mic_on(), self._system_on()),
            audio_device=(str(self.mic_combo.currentData() or "") or None) if self._mic_on()
            else None,
        )

    def _mic_on(self) -> bool:
        return self.has_microphones and self.microphone.isChecked()

    def _system_on(self) -> bool:
        return (self._offer is not None and self._offer.system
                and self.system_audio.isChecked())

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    @Slot(str)
    def set_upload_note(self, note: str) -> None:
        self.note.setText(note)
        self.note_box.setVisible(bool(note))
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
        self.record.setEnabled(phase != Phase.STOPPING)
        for widget in (self.fps, self.quality, self.countdown, self.screen_combo,
                       *self.mode_buttons.values()):
            widget.setEnabled(idle)
        self._enable_audio(idle)
        self._enable_camera(idle)

    def _record_or_stop(self) -> None:
        if self._phase == Phase.IDLE:
            emit(self.record_clicked)
        else:
            emit(self.stop_clicked)

    def _mode_toggled(self, _button: QToolButton, checked: bool) -> None:
        if not checked:
            return
        mode = self.choice().mode
        self.screen_row.setVisible(mode == "screen")
        self.mode_hint.setText({
            "screen": "Records one whole screen.",
            "area": "After you press Record, drag over the part of the screen to record.",
            "desktop": "Records every screen together, side by side.",
        }[mode])
        emit(self.choice_changed)

    def fit(self) -> None:
        """Grow or shrink to the content (a result card or a note came or went)."""
        self.setMinimumHeight(0)
        fit_height(self, self.centralWidget())
        if self.isVisible():  # wrapped labels know their height only once laid out
            QTimer.singleShot(0, lambda: fit_height(self, self.centralWidget()))

    def bring_to_front(self) -> None:
        self.show()
        self.fit()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.quit_on_close:  # a tray icon keeps the app running
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)

    @staticmethod
    def window_icon() -> QIcon:
        return artwork.app_icon()
