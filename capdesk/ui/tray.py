"""The tray icon: record, stop/pause, recent links, credits, open, library, settings, quit.

Only created where a system tray exists (``QSystemTrayIcon.isSystemTrayAvailable``);
elsewhere the app works from its window. The icon shows the state: idle,
recording, paused, uploading, error.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from capdesk.ui import artwork
from capdesk.ui.aftercare import Recent
from capdesk.ui.artwork import TrayState
from capdesk.ui.controller import Phase
from capdesk.ui.signals import emit

TOOLTIPS = {
    TrayState.IDLE: "capdesk",
    TrayState.RECORDING: "capdesk: recording",
    TrayState.PAUSED: "capdesk: paused",
    TrayState.UPLOADING: "capdesk: finishing the upload",
    TrayState.ERROR: "capdesk: the last upload needs attention",
}


class Tray(QObject):
    record_screen = Signal()
    record_area = Signal()
    pause_clicked = Signal()
    stop_clicked = Signal()
    copy_link = Signal(str)
    open_app = Signal()
    open_library = Signal()
    open_settings = Signal()
    credits_wanted = Signal()  # the menu is opening: a fresh balance would be welcome
    quit_clicked = Signal()
    camera_toggled = Signal(bool)  # the camera bubble on or off

    def __init__(self, recent: Callable[[], list[Recent]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._recent = recent
        self.state = TrayState.IDLE
        self._icons = {state: artwork.state_icon(state) for state in TrayState}
        self.icon = QSystemTrayIcon(self._icons[TrayState.IDLE], self)
        self.icon.setToolTip(TOOLTIPS[TrayState.IDLE])
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.menu.aboutToShow.connect(lambda: emit(self.credits_wanted))
        self.act_credits = self.menu.addAction("")
        self.act_totals = self.menu.addAction("")
        for action in (self.act_credits, self.act_totals):
            action.setEnabled(False)
            action.setVisible(False)
        self.credits_separator = self.menu.addSeparator()
        self.credits_separator.setVisible(False)
        self.act_screen = self._action("Record the screen", self.record_screen)
        self.act_area = self._action("Record an area…", self.record_area)
        self.act_pause = self._action("Pause", self.pause_clicked)
        self.act_stop = self._action("Stop recording", self.stop_clicked)
        self._camera_available, self._idle = False, True
        self.act_camera = self.menu.addAction("Camera bubble")
        self.act_camera.setObjectName("trayCamera")
        self.act_camera.setCheckable(True)
        self.act_camera.setEnabled(False)
        self.act_camera.setToolTip("Looking for cameras…")
        self.act_camera.triggered.connect(lambda checked: emit(self.camera_toggled, checked))
        self.menu.addSeparator()
        self.recent_menu = self.menu.addMenu("Recent recordings")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.menu.addSeparator()
        self._action("Open capdesk", self.open_app)
        self._action("Library", self.open_library)
        self._action("Settings…", self.open_settings)
        self.menu.addSeparator()
        self._action("Quit", self.quit_clicked)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.set_phase(Phase.IDLE.value)

    def _action(self, text: str, signal: SignalInstance) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(lambda _checked=False: emit(signal))
        return action

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    @Slot()
    def fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self._recent()
        if not items:
            empty = self.recent_menu.addAction("No recordings yet")
            empty.setEnabled(False)
            return
        for item in items:
            action = self.recent_menu.addAction(item.name)
            action.setToolTip(f"Copy {item.link}")
            action.setData(item.link)
            action.triggered.connect(lambda _c=False, url=item.link: emit(self.copy_link, url))

    def set_camera(self, on: bool, available: bool) -> None:
        """The camera toggle as the window has it (no camera: greyed out)."""
        self.act_camera.setChecked(on and available)
        self._camera_available = available
        self.act_camera.setEnabled(available and self._idle)
        self.act_camera.setToolTip("" if available else "No camera found")

    @Slot(str, str)
    def set_credits(self, balance: str, totals: str = "") -> None:
        """The balance and the totals at the top of the menu ("" hides them)."""
        self.act_credits.setText(balance)
        self.act_credits.setVisible(bool(balance))
        self.act_totals.setText(totals)
        self.act_totals.setVisible(bool(balance and totals))
        self.credits_separator.setVisible(bool(balance))

    @Slot(str)
    def set_phase(self, phase: str) -> None:
        recording = phase in (Phase.RECORDING, Phase.PAUSED, Phase.COUNTDOWN, Phase.STARTING)
        self.act_screen.setVisible(phase == Phase.IDLE)
        self.act_area.setVisible(phase == Phase.IDLE)
        self.act_pause.setVisible(phase in (Phase.RECORDING, Phase.PAUSED))
        self.act_pause.setText("Resume" if phase == Phase.PAUSED else "Pause")
        self.act_stop.setVisible(recording)
        self._idle = phase == Phase.IDLE
        self.act_camera.setEnabled(self._camera_available and self._idle)
        state = {
            Phase.RECORDING: TrayState.RECORDING, Phase.PAUSED: TrayState.PAUSED,
            Phase.STOPPING: TrayState.UPLOADING,
        }.get(Phase(phase))
        if state is None:
            state = TrayState.ERROR if self.state == TrayState.ERROR else TrayState.IDLE
        self.set_state(state)

    def set_state(self, state: TrayState) -> None:
        self.state = state
        self.icon.setIcon(self._icons[state])
        self.icon.setToolTip(TOOLTIPS[state])

    @Slot(str, str)
    def notify(self, title: str, message: str) -> None:
        self.icon.showMessage(title, message, self._icons[TrayState.IDLE], 6000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            emit(self.open_app)
