"""The recording bar: a small always-on-top window while a recording runs.

It shows the elapsed time, the sound level, the upload's health and audio
warnings (a microphone gone silent), and offers mute, pause/resume, stop and
discard. Discard asks first, inside the bar (no modal dialog that
could land in the recording), with the confirming button away from where Discard
was, so a double click deletes nothing. Buttons keep their size and place when
their labels change (Mute/Unmute, Pause/Resume) and when warnings come and go.
When Cap cannot be reached after Stop, the bar offers to keep the recording on
this computer and upload it later. The bar asks the OS to keep it out of the
recording (``capture_exclusion``); where that is impossible (X11) it says so in
its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from capdesk.engine import AudioMode
from capdesk.ui import capture_exclusion, glyphs, theme, wording
from capdesk.ui.audio import LevelMeter
from capdesk.ui.controller import Phase
from capdesk.ui.signals import emit

DOT = "●"


class RecordingBar(QWidget):
    pause_clicked = Signal()
    stop_clicked = Signal()
    discard_confirmed = Signal()
    cancel_clicked = Signal()
    mute_clicked = Signal()
    keep_local_clicked = Signal()

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool)
        self.setObjectName("recordingBar")
        self.setWindowTitle("Recording")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.excluded = False
        self.exclusion_note = ""
        self._drag_from: QPoint | None = None

        frame = QFrame(self)
        frame.setProperty("role", "bar")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)

        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._main_page())
        self.pages.addWidget(self._confirm_page())

        self.health = QLabel("Connecting to Cap…")
        self.health.setObjectName("uploadHealth")
        self.health.setProperty("role", "muted")
        layout.addWidget(self.health)
        layout.addWidget(self._offer_row())
        self.warning = QLabel()
        self.warning.setObjectName("audioWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.camera_line = QLabel()  # the camera: a warning, or where its preview went
        self.camera_line.setObjectName("cameraLine")
        self.camera_line.setWordWrap(True)
        self.camera_line.hide()
        layout.addWidget(self.camera_line)
        layout.addStretch(1)  # any spare height below: the buttons never move down
        for label in (self.warning, self.camera_line, self.health):  # words never widen it
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._camera_note = ""
        self._audio = "none"
        self._muted = False
        self._phase = Phase.IDLE.value
        self._steady_sizes()
        self.set_phase(Phase.IDLE.value)

    def _main_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.dot = QLabel(DOT)
        self.dot.setObjectName("recordDot")
        self.time = QLabel("0:00")
        self.time.setObjectName("elapsed")
        font = self.time.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        font.setStyleHint(font.StyleHint.Monospace)
        self.time.setFont(font)
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("0:00:00"))
        self.pause = QPushButton("Pause")
        self.pause.setObjectName("pauseButton")
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("stopButton")
        self.stop.setProperty("role", "accent")
        self.discard = QPushButton("Discard")
        self.discard.setObjectName("discardButton")
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelCountdown")
        self.mute = QPushButton("Mute")
        self.mute.setObjectName("muteButton")
        self.mute.setIcon(glyphs.microphone_icon())
        self.mute.setToolTip("Mute the microphone (the video keeps recording)")
        self.meter = LevelMeter()
        self.meter.setFixedWidth(72)
        self.meter.setFixedHeight(8)
        self.meter.setToolTip("Sound level")
        row.addWidget(self.dot)
        row.addWidget(self.time)
        row.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        for button in (self.mute, self.pause, self.stop, self.discard, self.cancel):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row.addWidget(button)
        self.pause.clicked.connect(self.pause_clicked)
        self.stop.clicked.connect(self.stop_clicked)
        self.discard.clicked.connect(self._ask_discard)
        self.cancel.clicked.connect(self.cancel_clicked)
        self.mute.clicked.connect(self.mute_clicked)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        question = QLabel("Delete this recording and cancel its upload?")
        question.setProperty("role", "title")
        keep = QPushButton("Keep recording")
        keep.setObjectName("keepButton")
        sure = QPushButton("Discard")
        sure.setObjectName("confirmDiscard")
        sure.setProperty("role", "danger")
        for button in (keep, sure):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(question, 1)
        row.addWidget(sure)
        row.addSpacing(24)
        row.addWidget(keep)
        keep.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        sure.clicked.connect(self._confirmed)
        self.confirm_discard, self.keep_recording = sure, keep
        return page

    def _offer_row(self) -> QWidget:
        self.offer = QWidget()
        row = QHBoxLayout(self.offer)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(8)
        self.keep_local = QPushButton("Keep it on this computer, upload later")
        self.keep_local.setObjectName("keepLocal")
        self.keep_local.setProperty("role", "accent")
        self.keep_local.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keep_local.setToolTip("The recording is complete on this computer; capdesk "
                                   "keeps trying to upload it in the background")
        row.addWidget(self.keep_local)
        row.addStretch(1)
        self.keep_local.clicked.connect(self.keep_local_clicked)
        self.offer.hide()
        return self.offer

    def _steady_sizes(self) -> None:
        """Each button as wide as its widest label; the bar as wide as its widest state."""
        for button, labels in ((self.mute, ("Mute", "Unmute")),
                               (self.pause, ("Pause", "Resume")),
                               (self.stop, ("Stop",)), (self.discard, ("Discard",)),
                               (self.cancel, ("Cancel",))):
            widths = []
            for label in labels:
                button.setText(label)
                widths.append(button.sizeHint().width())
            button.setText(labels[0])
            button.setFixedWidth(max(widths))
        for button in (self.mute, self.pause, self.stop, self.discard):
            button.show()
        main, confirm = self.pages.widget(0), self.pages.widget(1)
        assert main is not None and confirm is not None
        widest = max(main.sizeHint().width(), confirm.sizeHint().width(),
                     self.offer.sizeHint().width())
        self.setFixedWidth(widest + 2 * 14 + 12)  # the frame's margins, and some air

    # -- updates from the controller --------------------------------------------------
    @Slot(str)
    def set_phase(self, phase: str) -> None:
        colours = theme.current()
        self._phase = phase
        self.pages.setCurrentIndex(0)
        recording = phase in (Phase.RECORDING, Phase.PAUSED)
        self._show_audio()
        if not recording:
            self.meter.set_level(0.0)
        counting = phase in (Phase.COUNTDOWN, Phase.STARTING)
        self.pause.setVisible(recording)
        self.stop.setVisible(recording)
        self.discard.setVisible(recording)
        self.cancel.setVisible(counting)
        self.stop.setEnabled(recording)
        if phase != Phase.STOPPING:
            self.offer.hide()
        self.pause.setText("Resume" if phase == Phase.PAUSED else "Pause")
        colour = {Phase.RECORDING: colours.record, Phase.PAUSED: "#F59E0B"}.get(
            Phase(phase), colours.muted)
        self.dot.setStyleSheet(f"color: {colour}; font-size: 16pt;")
        if phase == Phase.STARTING:
            self.time.setText("Starting…")
        elif phase == Phase.STOPPING:
            self.time.setText("Finishing…")
        self._fit()

    @Slot(str, bool)
    def set_audio(self, mode: str, muted: bool) -> None:
        """The recording's audio mode (none, mic, system, mic+system, synthetic) and mute."""
        self._audio, self._muted = mode, muted
        self._show_audio()
        self._fit()

    def _show_audio(self) -> None:
        recording = self._phase in (Phase.RECORDING, Phase.PAUSED)
        has_mic = self._audio in (AudioMode.MIC, AudioMode.MIC_SYSTEM)
        self.meter.setVisible(recording and self._audio != "none")
        self.meter.set_muted(self._muted and self._audio == "mic")
        self.mute.setVisible(recording and has_mic)
        self.mute.setText("Unmute" if self._muted else "Mute")
        self.mute.setIcon(glyphs.microphone_icon(self._muted))
        self.mute.setToolTip("Turn the microphone back on" if self._muted
                             else "Mute the microphone (the video keeps recording)")

    @Slot(float)
    def set_level(self, level: float) -> None:
        self.meter.set_level(level)

    @Slot(str, str)
    def set_audio_warning(self, level: str, text: str) -> None:
        """An engine warning in plain words (level warn or ok); empty text hides it."""
        colours = theme.current()
        colour = colours.ok if level == "ok" else "#D97706"
        self.warning.setText(text)
        self.warning.setStyleSheet(f"color: {colour};")
        self.warning.setVisible(bool(text))
        self._fit()

    def set_camera_note(self, text: str) -> None:
        """A quiet line about the camera (its preview hides while recording here)."""
        self._camera_note = text
        self._show_camera_line("", text)

    @Slot(str)
    def set_camera_warning(self, text: str) -> None:
        """The camera stopped (the recording goes on without it); "" clears."""
        self._show_camera_line(text, self._camera_note)

    def _show_camera_line(self, warning: str, note: str) -> None:
        colours = theme.current()
        self.camera_line.setText(warning or note)
        self.camera_line.setStyleSheet(f"color: {'#D97706' if warning else colours.muted};")
        self.camera_line.setVisible(bool(warning or note))
        self._fit()

    def set_link_note(self, text: str) -> None:
        """The link was copied at the start (shown with the camera's quiet line)."""
        self.set_camera_note(" ".join(t for t in (self._camera_note, text) if t))

    @Slot(int)
    def set_countdown(self, seconds: int) -> None:
        self.time.setText(f"Starting in {seconds}")

    @Slot(float)
    def set_elapsed(self, seconds: float) -> None:
        self.time.setText(wording.clock(seconds))

    @Slot(str, str)
    def set_health(self, level: str, text: str) -> None:
        colours = theme.current()
        colour = {"ok": colours.ok, "warn": "#D97706", "error": colours.error}.get(
            level, colours.muted)
        self.health.setText(text)
        self.health.setStyleSheet(f"color: {colour};")

    def _fit(self) -> None:
        """As tall as what shows (the width is fixed: see ``_steady_sizes``)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        height = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        self.resize(self.width(), max(height, layout.totalMinimumSize().height()))

    @Slot(bool)
    def offer_keep_local(self, on: bool) -> None:
        """Cap cannot be reached after Stop: offer to stop waiting for it."""
        self.offer.setVisible(on)
        self._fit()
        QTimer.singleShot(0, self._fit)  # once the row is laid out

    # -- discard confirmation ---------------------------------------------------------
    def _ask_discard(self) -> None:
        self.pages.setCurrentIndex(1)

    def _confirmed(self) -> None:
        self.pages.setCurrentIndex(0)
        emit(self.discard_confirmed)

    # -- window behaviour ------------------------------------------------------------
    def place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self._fit()
        self.move(area.center().x() - self.width() // 2, area.top() + 24)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.excluded:
            self.excluded, self.exclusion_note = capture_exclusion.exclude_from_capture(
                int(self.winId()))
            self.setToolTip("" if self.excluded else self.exclusion_note)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self.move(event.globalPosition().toPoint() - self._drag_from)

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._drag_from = None
