"""The camera preview: a round, always-on-top, frameless window showing the camera.

It polls ``feed.latest()`` about 30 times a second (a ``QTimer`` on the GUI thread; the
call copies the newest frame, never waits) and draws the picture mirrored, as the
recording does, clipped to a circle (the window's mask makes it round). Drag it to
move it; the mouse wheel or its menu (right click) picks one of the three sizes; the
menu also hides it or turns the camera off. It asks the OS to keep it out of screen
captures (``capture_exclusion``); ``excluded`` says whether that worked.

Signals: ``moved`` while dragged, ``released`` once dropped, ``size_changed(name)``,
``hide_clicked``, ``off_clicked``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QRegion,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QMenu, QWidget

from capdesk.ui import capture_exclusion
from capdesk.ui.signals import emit

POLL_MS = 33  # about 30 Hz
SIZES = ("small", "medium", "large")
FRACTIONS = {"small": 0.18, "medium": 0.25, "large": 0.35}  # = the engine's BUBBLE_SIZES
MIN_DIAMETER = 40  # logical pixels
RING = QColor(255, 255, 255, 230)


class CameraBubble(QWidget):
    moved = Signal()
    released = Signal()
    size_changed = Signal(str)
    hide_clicked = Signal()
    off_clicked = Signal()

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool)
        self.setObjectName("cameraBubble")
        self.setWindowTitle("capdesk camera")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip("Your camera: drag to move it, scroll to resize it, right-click "
                        "for more")
        self.excluded = False
        self.exclusion_note = ""
        self.size_name = "medium"
        self.reference_height = 1080.0  # logical height of the area the sizes refer to
        self._feed: Any = None  # a CameraFeed (its latest()), or None
        self._seq: int | None = None
        self._image: QImage | None = None
        self._drag_from: QPoint | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._apply_size(keep_center=False)

    # -- what it shows ----------------------------------------------------------------
    def set_feed(self, feed: Any) -> None:
        """The running feed to show (None: a placeholder until one runs)."""
        self._feed, self._seq, self._image = feed, None, None
        if feed is not None and self.isVisible():
            self._timer.start()
        self.update()

    @property
    def has_picture(self) -> bool:
        return self._image is not None

    @Slot()
    def poll(self) -> None:
        feed = self._feed
        if feed is None:
            return
        latest = feed.latest()
        if latest is None or latest[0] == self._seq:
            return
        self._seq, pixels = latest
        height, width = pixels.shape[:2]
        image = QImage(pixels.data, width, height, width * 4, QImage.Format.Format_ARGB32)
        self._image = image.flipped(Qt.Orientation.Horizontal)  # a copy: mirrored
        self.update()

    # -- size and place ---------------------------------------------------------------
    @property
    def diameter(self) -> int:
        return max(MIN_DIAMETER, round(FRACTIONS[self.size_name] * self.reference_height))

    def center(self) -> QPointF:
        """The centre, in global logical coordinates."""
        g = self.geometry()
        return QPointF(g.x() + g.width() / 2, g.y() + g.height() / 2)

    def move_center(self, center: QPointF) -> None:
        d = self.diameter
        self.setGeometry(round(center.x() - d / 2), round(center.y() - d / 2), d, d)

    def set_size(self, name: str, reference_height: float | None = None) -> None:
        if name not in SIZES:
            return
        changed = name != self.size_name
        self.size_name = name
        if reference_height is not None:
            self.reference_height = reference_height
        self._apply_size(keep_center=True)
        if changed:
            emit(self.size_changed, name)

    def _apply_size(self, *, keep_center: bool) -> None:
        center = self.center()
        d = self.diameter
        self.resize(d, d)
        if keep_center:
            self.move_center(center)

    def step_size(self, steps: int) -> None:
        index = min(len(SIZES) - 1, max(0, SIZES.index(self.size_name) + steps))
        self.set_size(SIZES[index])
        emit(self.moved)

    # -- painting ---------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setMask(QRegion(QRect(0, 0, self.width(), self.height()),
                             QRegion.RegionType.Ellipse))

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect())
        path = QPainterPath()
        path.addEllipse(rect)
        p.setClipPath(path)
        if self._image is not None:
            p.drawImage(self._square(rect, self._image), self._image)
        else:
            p.fillRect(rect, QColor("#1F2937"))
            p.setPen(QColor("#E5E7EB"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Starting\ncamera…")
        p.setClipping(False)
        p.setPen(QPen(RING, 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(rect.adjusted(1, 1, -1, -1))
        p.end()

    @staticmethod
    def _square(rect: QRectF, image: QImage) -> QRectF:
        """Where the image goes so that its centred square fills ``rect``."""
        scale = rect.width() / max(1, min(image.width(), image.height()))
        w, h = image.width() * scale, image.height() * scale
        return QRectF(rect.center().x() - w / 2, rect.center().y() - h / 2, w, h)

    # -- window behaviour -------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._feed is not None:
            self._timer.start()
        if not self.excluded:
            self.excluded, self.exclusion_note = capture_exclusion.exclude_from_capture(
                int(self.winId()))

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.pos()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self.move(event.globalPosition().toPoint() - self._drag_from)
            emit(self.moved)

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            emit(self.released)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.step_size(1 if delta > 0 else -1)
            emit(self.released)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        for name in SIZES:
            action = QAction(name.capitalize(), menu)
            action.setCheckable(True)
            action.setChecked(name == self.size_name)
            action.triggered.connect(lambda _c=False, n=name: self._menu_size(n))
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("Hide the preview").triggered.connect(
            lambda _c=False: emit(self.hide_clicked))
        menu.addAction("Turn the camera off").triggered.connect(
            lambda _c=False: emit(self.off_clicked))
        menu.exec(event.globalPos())

    def _menu_size(self, name: str) -> None:
        self.set_size(name)
        emit(self.moved)
        emit(self.released)
