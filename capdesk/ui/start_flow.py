"""From Record to a running recording: the microphone question, the checks before the
countdown (disk space, the screen permission), the area picker, the engine's options,
and the launch (the recorder hides, the bar and the countdown show)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRect, QRectF, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from capdesk.engine import AudioMode, RecordingOptions, SourceKind, all_journals, geometry
from capdesk.settings import Settings
from capdesk.ui import mic_prompt, preflight
from capdesk.ui.aftercare import Aftercare
from capdesk.ui.app_options import Options
from capdesk.ui.area_picker import AreaPicker, PickedArea, screen_tuples
from capdesk.ui.camera import Rect
from capdesk.ui.camera_control import HIDES_NOTE, CameraControl
from capdesk.ui.choice import Choice, recording_name
from capdesk.ui.controller import MIC_MODES, RecordingController
from capdesk.ui.countdown_overlay import CountdownOverlay
from capdesk.ui.main_window import MainWindow
from capdesk.ui.recording_bar import RecordingBar
from capdesk.ui.signals import emit

log = logging.getLogger(__name__)


class StartFlow(QObject):
    refused = Signal(str, str)  # why a recording cannot start; the fix's action ("" none)

    def __init__(self, options: Options, settings: Callable[[], Settings],
                 save_settings: Callable[[], None], controller: RecordingController,
                 window: MainWindow, bar: RecordingBar, picker: AreaPicker,
                 camera: CameraControl, aftercare: Aftercare,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.options = options
        self._settings = settings
        self._save_settings = save_settings
        self.controller = controller
        self.window = window
        self.bar = bar
        self.picker = picker
        self.camera = camera
        self.aftercare = aftercare
        self.overlay = CountdownOverlay()
        self.mic_prompt: QMessageBox | None = None
        self._pending: Choice | None = None
        self.recorded_rect: QRect | None = None  # logical: where the countdown shows

    # -- Record ---------------------------------------------------------------------------
    def begin(self, choice: Choice) -> None:
        if self.controller.busy or self.mic_prompt is not None:
            return
        if self._should_ask_microphone(choice):
            self._ask_microphone(choice)
            return
        self._begin(choice)

    def _should_ask_microphone(self, choice: Choice) -> bool:
        return (self.options.audio is None and choice.audio not in MIC_MODES
                and self._settings().ask_microphone and self.window.has_microphones)

    def _ask_microphone(self, choice: Choice) -> None:
        def answered(answer: str, dont_ask: bool) -> None:
            self.mic_prompt = None
            if answer == mic_prompt.CANCEL:
                if not self.window.isVisible():
                    self.window.bring_to_front()
                return
            if dont_ask:
                self._settings().ask_microphone = False
                self._save_settings()
            if answer == mic_prompt.TURN_ON:
                self.window.turn_on_microphone()
                now = self.window.choice(choice.mode)
                choice_now = dataclasses.replace(choice, audio=now.audio,
                                                 audio_device=now.audio_device)
                self._begin(choice_now)
            else:
                self._begin(choice)

        self.mic_prompt = mic_prompt.ask_microphone(self.window, answered)

    def _begin(self, choice: Choice) -> None:
        if self.controller.busy:
            return
        if not self._checks_pass(choice):
            return
        if choice.mode == "area":
            self._pending = choice
            self.window.hide()
            QTimer.singleShot(150, self.picker.open)  # let the window vanish before the grab
            return
        self._launch(choice, self.options_for(choice, None))

    def _checks_pass(self, choice: Choice) -> bool:
        """Before the countdown: room on the disk, the permission to record the screen."""
        folder = self._settings().recordings_folder()
        problem = preflight.disk_refusal(folder, self.options.free_space)
        if problem:
            emit(self.refused, problem, "settings")
            return False
        synthetic = self.options.source == SourceKind.SYNTHETIC
        return synthetic or preflight.screen_permission_granted(self.window)

    def area_picked(self, area: PickedArea) -> None:
        choice, self._pending = self._pending, None
        if choice is not None:
            self._launch(choice, self.options_for(choice, area.physical))

    def area_cancelled(self) -> None:
        self._pending = None
        self.window.bring_to_front()

    # -- the engine's options ------------------------------------------------------------------
    def options_for(self, choice: Choice, region: tuple[int, int, int, int] | None
                    ) -> RecordingOptions:
        settings = self._settings()
        monitor: int | None = None
        source = SourceKind(self.options.source)
        window: str | None = None
        if source == SourceKind.SYNTHETIC:
            region = (0, 0, *self.options.synthetic_size)
        elif choice.mode == "desktop":
            monitor, region = 0, None
        elif choice.mode == "window":
            source, window, region = SourceKind.WINDOW, choice.window_id, None
        elif region is None:
            region = self._screen_region(choice.screen_name)
        taken = {j.name for j in all_journals() if j.name}
        options = RecordingOptions(
            source=source, monitor=monitor, region=region, window=window,
            fps=choice.fps, max_height=choice.max_height,
            name=recording_name(choice, taken),
            user_id=settings.user_id or None,
            audio=AudioMode(self.options.audio or choice.audio),
            audio_device=choice.audio_device,
        )
        feed = self.camera.recording_feed()
        if feed is None:
            return options
        return options.with_changes(camera=self.camera.device or "default",
                                    bubble=self.camera.placement(self.recorded_area(options)))

    def _screen_region(self, name: str | None) -> tuple[int, int, int, int] | None:
        screens = QGuiApplication.screens()
        screen = next((s for s in screens if s.name() == name), None)
        if screen is None:
            return None  # the primary monitor
        g = screen.geometry()
        return geometry.logical_to_physical((g.x(), g.y(), g.width(), g.height()),
                                            screen_tuples(screens))

    def _window_area(self) -> Rect | None:
        """The chosen window's place on the desktop (physical pixels, where known)."""
        info = self.window.source.chosen_window()
        x, y = getattr(info, "x", None), getattr(info, "y", None)
        if info is None or x is None or y is None:
            return None
        return (int(x), int(y), info.width, info.height)

    def recorded_area(self, options: RecordingOptions) -> Rect:
        """The recorded area in physical pixels (the bubble's place is relative to it)."""
        if options.region is not None:
            return options.region
        if options.source == SourceKind.WINDOW and (area := self._window_area()) is not None:
            return area
        screens = screen_tuples(QGuiApplication.screens())
        if options.monitor == 0:
            return geometry.virtual_desktop(screens)
        g = QGuiApplication.primaryScreen().geometry()
        return geometry.logical_to_physical((g.x(), g.y(), g.width(), g.height()), screens)

    def camera_reference(self) -> QRectF:
        """The area (logical) the camera preview's sizes and saved place refer to: the
        one that will be recorded, where it is known now."""
        if self.options.source == SourceKind.SYNTHETIC:
            return QRectF(0, 0, *self.options.synthetic_size)
        choice = self.window.choice()
        screens = QGuiApplication.screens()
        screen = next((s for s in screens if s.name() == choice.screen_name), None)
        screen = screen or QGuiApplication.primaryScreen()
        return QRectF(screen.geometry())

    def _logical_rect(self, choice: Choice, options: RecordingOptions) -> QRect | None:
        """Where the countdown shows and the outline goes (logical; None: no outline)."""
        screens = QGuiApplication.screens()
        if choice.mode == "area" and options.region is not None:
            x, y, w, h = geometry.physical_to_logical(options.region, screen_tuples(screens))
            return QRect(round(x), round(y), round(w), round(h))
        if choice.mode == "desktop":
            return None
        if choice.mode == "window" and (area := self._window_area()) is not None:
            x, y, w, h = geometry.physical_to_logical(area, screen_tuples(screens))
            return QRect(round(x), round(y), round(w), round(h))
        screen = next((s for s in screens if s.name() == choice.screen_name), None)
        return (screen or QGuiApplication.primaryScreen()).geometry()

    # -- launch ---------------------------------------------------------------------------------
    def _launch(self, choice: Choice, options: RecordingOptions) -> None:
        self.aftercare.stop_following()
        self.window.hide()
        self.bar.set_health("busy", "Connecting to Cap…")
        feed = self.camera.recording_feed() if options.camera else None
        self.camera.recording_area(self.recorded_area(options) if feed else None)
        self.bar.set_camera_note(HIDES_NOTE if feed and self.camera.hides_while_recording
                                 else "")
        self.recorded_rect = self._logical_rect(choice, options)
        # no ring around a window: it may move, and the recording follows it
        self.overlay.set_target(self.recorded_rect, outline=choice.mode == "area")
        self.controller.record(options, choice.countdown, feed)
        self.bar.place()
        self.bar.show()

    def close(self) -> None:
        if self.mic_prompt is not None:
            self.mic_prompt.close()
            self.mic_prompt = None
        self.overlay.close()
