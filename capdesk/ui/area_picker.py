"""Pick an area to record: a dimmed overlay on every screen, drag to select.

One overlay window covers each screen. The user drags on one of them; the
selection can then be moved, or resized with its eight handles. The size label
shows the *physical* pixels that will be recorded (``capdesk.capture.geometry``
maps Qt's logical coordinates through each screen's device pixel ratio, so a
selection on a 200% monitor records twice as many pixels as it spans in Qt).
A selection stays on the screen where it started. Enter records, Esc cancels.

Where the screen can be grabbed (X11, Windows, macOS with permission) the
overlay paints a dimmed still of the screen, which needs no compositor; on
Wayland it falls back to a translucent window.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QScreen,
)
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from capdesk.engine import geometry
from capdesk.ui import theme
from capdesk.ui.signals import emit

MIN_SIZE = 16  # logical pixels: smaller drags are treated as clicks
HANDLE = 9
DIM = QColor(0, 0, 0, 110)


@dataclass(frozen=True)
class PickedArea:
    screen_name: str
    logical: tuple[int, int, int, int]  # global logical coordinates
    physical: tuple[int, int, int, int]  # what will be recorded


def recorded_size(width: int, height: int) -> tuple[int, int]:
    """The size the video will have: the encoder needs even sides, so an odd side loses
    its last pixel (a 471×311 selection records 470×310)."""
    return max(2, width - width % 2), max(2, height - height % 2)


def screen_tuples(screens: list[QScreen]) -> list[geometry.ScreenTuple]:
    return [
        (s.geometry().x(), s.geometry().y(), s.geometry().width(), s.geometry().height(),
         s.devicePixelRatio())
        for s in screens
    ]


def physical_rect(global_logical: QRect, screens: list[QScreen]) -> tuple[int, int, int, int]:
    rect = (global_logical.x(), global_logical.y(), global_logical.width(),
            global_logical.height())
    return geometry.logical_to_physical(rect, screen_tuples(screens))


class _Overlay(QWidget):
    """The overlay for one screen. Coordinates are local logical pixels."""

    def __init__(self, picker: AreaPicker, screen: QScreen) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool)
        self.picker = picker
        self.qscreen = screen
        self.setObjectName("areaOverlay")
        self.setWindowTitle("Select an area to record")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setGeometry(screen.geometry())
        self.background = screen.grabWindow(0)
        if self.background.isNull():
            self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.selection = QRect()
        self._drag: str | None = None  # "new", "move" or a handle name
        self._press = QPoint()
        self._start = QRect()
        self.strip = _ActionStrip(self)
        self.strip.hide()

    # -- geometry helpers ------------------------------------------------------------
    def global_selection(self) -> QRect:
        return self.selection.translated(self.geometry().topLeft())

    def physical(self) -> tuple[int, int, int, int] | None:
        if self.selection.width() < 1 or self.selection.height() < 1:
            return None
        return physical_rect(self.global_selection(), [self.qscreen])

    def _handles(self) -> dict[str, QRect]:
        r = self.selection
        pts = {
            "tl": r.topLeft(), "t": QPoint(r.center().x(), r.top()), "tr": r.topRight(),
            "l": QPoint(r.left(), r.center().y()), "r": QPoint(r.right(), r.center().y()),
            "bl": r.bottomLeft(), "b": QPoint(r.center().x(), r.bottom()),
            "br": r.bottomRight(),
        }
        half = HANDLE // 2 + 2
        return {k: QRect(p.x() - half, p.y() - half, 2 * half + 1, 2 * half + 1)
                for k, p in pts.items()}

    def _hit(self, pos: QPoint) -> str | None:
        if self.selection.isNull():
            return None
        for name, rect in self._handles().items():
            if rect.contains(pos):
                return name
        return "move" if self.selection.contains(pos) else None

    # -- events ----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        self.picker.focus(self)
        self._drag = self._hit(pos) or "new"
        self._press = pos
        self._start = QRect(self.selection)
        if self._drag == "new":
            self.selection = QRect(pos, QSize(0, 0))
            self.strip.hide()
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._drag is None:
            self.setCursor(_CURSORS.get(self._hit(pos) or "", Qt.CursorShape.CrossCursor))
            return
        bounds = self.rect()
        if self._drag == "new":
            self.selection = QRect(self._press, pos).normalized().intersected(bounds)
        elif self._drag == "move":
            moved = self._start.translated(pos - self._press)
            moved.moveLeft(max(0, min(moved.left(), bounds.width() - moved.width())))
            moved.moveTop(max(0, min(moved.top(), bounds.height() - moved.height())))
            self.selection = moved
        else:
            self.selection = _resize(self._start, self._drag, pos - self._press).intersected(
                bounds)
        emit(self.picker.selection_changed)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._drag is None:
            return
        self._drag = None
        if self.selection.width() < MIN_SIZE or self.selection.height() < MIN_SIZE:
            self.selection = QRect()
            self.strip.hide()
        else:
            self.strip.place(self.selection, self.rect())
        emit(self.picker.selection_changed)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.picker.cancel()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picker.accept()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if not self.background.isNull():
            painter.drawPixmap(self.rect(), self.background)
        else:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.fillRect(self.rect(), Qt.GlobalColor.transparent)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        sel = self.selection
        # Dim everything but the selection.
        outside = [QRect(0, 0, self.width(), self.height())]
        if not sel.isNull() and sel.width() > 0:
            full = self.rect()
            outside = [
                QRect(full.left(), full.top(), full.width(), sel.top() - full.top()),
                QRect(full.left(), sel.bottom() + 1, full.width(), full.bottom() - sel.bottom()),
                QRect(full.left(), sel.top(), sel.left() - full.left(), sel.height()),
                QRect(sel.right() + 1, sel.top(), full.right() - sel.right(), sel.height()),
            ]
        for rect in outside:
            if rect.width() > 0 and rect.height() > 0:
                painter.fillRect(rect, DIM)
        accent = QColor(theme.current().accent)
        if sel.isNull() or sel.width() == 0:
            self._paint_hint(painter)
            return
        painter.setPen(QPen(accent, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(sel.adjusted(0, 0, -1, -1))
        painter.setPen(QPen(accent, 1))
        painter.setBrush(QColor("white"))
        for rect in self._handles().values():
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        self._paint_size(painter)

    def _paint_size(self, painter: QPainter) -> None:
        physical = self.physical()
        if physical is None:
            return
        width, height = recorded_size(physical[2], physical[3])
        text = f"{width} × {height}"
        font = painter.font()
        font.setPointSizeF(max(10.0, font.pointSizeF()))
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(text).adjusted(-8, -4, 8, 4)
        sel = self.selection
        top = sel.top() - box.height() - 6
        if top < 0:
            top = sel.top() + 6
        box.moveTopLeft(QPoint(max(0, sel.left()), top))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 22, 28, 220))
        painter.drawRoundedRect(QRectF(box), 5, 5)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_hint(self, painter: QPainter) -> None:
        if not self.underMouse() and not self.picker.is_primary(self):
            return
        text = "Drag to select an area  ·  Enter to record  ·  Esc to cancel"
        font = painter.font()
        font.setPointSizeF(max(12.0, font.pointSizeF() * 1.2))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(text).adjusted(-18, -10, 18, 10)
        box.moveCenter(self.rect().center())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 22, 28, 220))
        painter.drawRoundedRect(QRectF(box), 10, 10)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class _ActionStrip(QWidget):
    """Record / Cancel buttons under the selection, for mouse users."""

    def __init__(self, overlay: _Overlay) -> None:
        super().__init__(overlay)
        self.setObjectName("areaActions")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setProperty("role", "bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        cancel = QPushButton("Cancel")
        cancel.setObjectName("areaCancel")
        record = QPushButton("Record")
        record.setObjectName("areaRecord")
        record.setProperty("role", "accent")
        record.setDefault(True)
        layout.addWidget(cancel)
        layout.addWidget(record)
        cancel.clicked.connect(overlay.picker.cancel)
        record.clicked.connect(overlay.picker.accept)
        self.setCursor(Qt.CursorShape.ArrowCursor)

    def place(self, selection: QRect, bounds: QRect) -> None:
        self.adjustSize()
        x = min(max(0, selection.right() - self.width()), bounds.width() - self.width())
        y = selection.bottom() + 8
        if y + self.height() > bounds.height():
            y = max(0, selection.bottom() - self.height() - 8)
        self.move(x, y)
        self.show()
        self.raise_()


_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor, "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor, "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor, "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor,
    "move": Qt.CursorShape.SizeAllCursor,
}


def _resize(start: QRect, handle: str, delta: QPoint) -> QRect:
    left, top, right, bottom = start.left(), start.top(), start.right(), start.bottom()
    if "l" in handle:
        left += delta.x()
    if "r" in handle:
        right += delta.x()
    if handle.startswith("t"):
        top += delta.y()
    if handle.startswith("b"):
        bottom += delta.y()
    return QRect(QPoint(left, top), QPoint(right, bottom)).normalized()


class AreaPicker(QObject):
    """Shows one overlay per screen; emits ``picked(PickedArea)`` or ``cancelled()``."""

    picked = Signal(object)
    cancelled = Signal()
    selection_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.overlays: list[_Overlay] = []
        self._active: _Overlay | None = None

    def open(self) -> None:
        self.close()
        for screen in QGuiApplication.screens():
            overlay = _Overlay(self, screen)
            self.overlays.append(overlay)
        for overlay in self.overlays:
            overlay.show()
        under = QGuiApplication.screenAt(QCursor.pos())
        target = next((o for o in self.overlays if o.qscreen is under), None)
        self.focus(target or (self.overlays[0] if self.overlays else None))

    def is_primary(self, overlay: _Overlay) -> bool:
        return overlay.qscreen is QGuiApplication.primaryScreen()

    def focus(self, overlay: _Overlay | None) -> None:
        if overlay is None:
            return
        if self._active is not None and self._active is not overlay:
            self._active.selection = QRect()
            self._active.strip.hide()
            self._active.update()
        self._active = overlay
        overlay.raise_()
        overlay.activateWindow()
        overlay.setFocus()

    def current(self) -> PickedArea | None:
        overlay = self._active
        if overlay is None:
            return None
        physical = overlay.physical()
        if physical is None or overlay.selection.width() < MIN_SIZE:
            return None
        sel = overlay.global_selection()
        return PickedArea(overlay.qscreen.name(), (sel.x(), sel.y(), sel.width(), sel.height()),
                          physical)

    def select(self, overlay_index: int, local: QRect) -> None:
        """Set a selection programmatically (keyboard-free tests, remembered areas)."""
        overlay = self.overlays[overlay_index]
        self.focus(overlay)
        overlay.selection = QRect(local)
        overlay.strip.place(overlay.selection, overlay.rect())
        overlay.update()
        emit(self.selection_changed)

    def accept(self) -> None:
        area = self.current()
        if area is None:
            return
        self.close()
        emit(self.picked, area)

    def cancel(self) -> None:
        self.close()
        emit(self.cancelled)

    def close(self) -> None:
        for overlay in self.overlays:
            overlay.hide()
            overlay.deleteLater()
        self.overlays = []
        self._active = None
