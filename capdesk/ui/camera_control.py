"""The camera's life in the app: one ``CameraFeed`` for the preview and the recordings.

The feed starts (in a worker: opening a camera takes a moment) when the camera toggle
turns on, and stops when it turns off; a recording gets the same running feed
(``Recorder(camera_feed=...)``), so the camera opens once.

Exactly one bubble in the recording: where the OS keeps the preview out of screen
captures (Windows, macOS), the preview stays on screen while recording and can be
dragged, which moves the recorded bubble (``Recorder.move_bubble``). Where it cannot
(X11, Wayland), the preview hides while recording (from the countdown on) and only the
composited bubble is recorded, at the place the preview had; it comes back afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, Signal, Slot
from PySide6.QtGui import QGuiApplication

from capdesk.settings import Settings
from capdesk.ui.area_picker import screen_tuples
from capdesk.ui.camera import (
    FRAME_SIZE,
    Rect,
    format_position,
    parse_position,
    placement_for,
)
from capdesk.ui.camera_bubble import CameraBubble
from capdesk.ui.controller import Phase
from capdesk.ui.signals import emit
from capdesk.ui.threads import run_in_worker

if TYPE_CHECKING:
    from capdesk.engine import BubblePlacement, CameraFeed

log = logging.getLogger(__name__)

HIDES_NOTE = ("The camera preview hides while recording on this system; the bubble is "
              "in the recording.")
MARGIN = 0.04  # the default corner's margin, a fraction of the area's height


class CameraControl(QObject):
    problem = Signal(str)  # the camera could not be started ("" once it runs)
    placed = Signal(object)  # BubblePlacement: the preview moved during a recording
    turned_off = Signal()  # from the preview's menu

    def __init__(self, settings: Settings, save: Callable[[], None],
                 reference: Callable[[], QRectF], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._save = save
        self._reference = reference  # the area (logical) the sizes and saved place refer to
        self.bubble = CameraBubble()
        self.feed: CameraFeed | None = None
        self.device = ""  # the feed's camera ("" before one is chosen)
        self.running = False  # the feed started and delivers
        self.hidden_by_user = False
        self._phase = Phase.IDLE.value
        self._area: Rect | None = None  # the recorded area, while recording
        self.bubble.moved.connect(self._moved)
        self.bubble.released.connect(self._remember)
        self.bubble.hide_clicked.connect(self.hide_preview)
        self.bubble.off_clicked.connect(lambda: emit(self.turned_off))

    # -- on and off -------------------------------------------------------------------
    def set_camera(self, on: bool, device: str) -> None:
        """The toggle and the list: start, switch or stop the camera."""
        if not on:
            self._stop()
            self._show()
            return
        if self.feed is None or device != self.device:
            self._stop()
            self._start(device)
        self.hidden_by_user = False
        self._show()

    def _start(self, device: str) -> None:
        from capdesk.engine import CameraFeed

        feed = CameraFeed(device or "default", size=FRAME_SIZE)
        self.feed, self.device, self.running = feed, device, False
        self.bubble.set_feed(None)
        run_in_worker(feed.start, lambda _r, e: self._started(feed, e))

    def _started(self, feed: CameraFeed, error: BaseException | None) -> None:
        if feed is not self.feed:  # switched or turned off meanwhile
            run_in_worker(feed.stop)
            return
        if error is not None:
            log.info("the camera could not be started: %s", error)
            self.feed, self.running = None, False
            self._show()
            run_in_worker(feed.stop)
            text = str(error).strip()
            emit(self.problem, f"The camera could not be started: {text}" if text else
                 "The camera could not be started.")
            return
        self.running = True
        self.bubble.set_feed(feed)
        emit(self.problem, "")
        self._show()

    def _stop(self) -> None:
        feed, self.feed, self.running = self.feed, None, False
        self.bubble.set_feed(None)
        if feed is not None:
            run_in_worker(feed.stop)

    def shutdown(self) -> None:
        feed, self.feed, self.running = self.feed, None, False
        self.bubble.close()
        if feed is not None:
            feed.stop()

    # -- the preview on screen ----------------------------------------------------------
    @property
    def hides_while_recording(self) -> bool:
        return not self.bubble.excluded

    def _wanted_on_screen(self) -> bool:
        if self.feed is None or self.hidden_by_user:
            return False
        return self._phase == Phase.IDLE or not self.hides_while_recording

    def _show(self) -> None:
        if not self._wanted_on_screen():
            self.bubble.hide()
            return
        if not self.bubble.isVisible():
            self.place_from_settings()
            self.bubble.show()
            self.bubble.raise_()
            if self.hides_while_recording and HIDES_NOTE not in self.bubble.toolTip():
                self.bubble.setToolTip(f"{self.bubble.toolTip()}\n{HIDES_NOTE}")

    @Slot()
    def hide_preview(self) -> None:
        self.hidden_by_user = True
        self._show()

    def place_from_settings(self) -> None:
        """Size and place the preview as saved, relative to the reference area."""
        area = self._reference()
        self.bubble.set_size(self.settings.bubble_size, area.height())
        saved = parse_position(self.settings.bubble_position)
        if saved is None:
            d = self.bubble.diameter
            margin = MARGIN * area.height() + d / 2
            x = max(area.left() + d / 2, area.right() - margin)
            y = max(area.top() + d / 2, area.bottom() - margin)
            self.bubble.move_center(QPointF(x, y))
            return
        self.bubble.move_center(QPointF(area.left() + saved[0] * area.width(),
                                        area.top() + saved[1] * area.height()))

    @Slot()
    def _remember(self) -> None:
        area = self._reference()
        c = self.bubble.center()
        position = format_position((c.x() - area.left()) / max(1.0, area.width()),
                                   (c.y() - area.top()) / max(1.0, area.height()))
        s = self.settings
        if (s.bubble_position, s.bubble_size) != (position, self.bubble.size_name):
            s.bubble_position, s.bubble_size = position, self.bubble.size_name
            self._save()

    # -- recording ----------------------------------------------------------------------
    def recording_feed(self) -> CameraFeed | None:
        """The running feed for a recording (None: no bubble)."""
        feed = self.feed
        return feed if feed is not None and self.running and feed.alive else None

    def placement(self, area: Rect) -> BubblePlacement:
        """Where the bubble goes in a recording of ``area`` (physical pixels)."""
        screens = screen_tuples(QGuiApplication.screens())
        c = self.bubble.center()
        return placement_for((c.x(), c.y()), self.bubble.diameter, screens, area)

    def recording_area(self, area: Rect | None) -> None:
        """The area being recorded (None once it ended): drags then move its bubble."""
        self._area = area

    @Slot(str)
    def set_phase(self, phase: str) -> None:
        self._phase = phase
        if phase == Phase.IDLE:
            self._area = None
        self._show()

    @Slot()
    def _moved(self) -> None:
        if self._area is not None and self._phase != Phase.IDLE:
            emit(self.placed, self.placement(self._area))
