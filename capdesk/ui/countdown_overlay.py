"""The countdown people can see, and the outline around the area being recorded.

The countdown is a large number in the middle of the chosen screen or area; it shows
only before the recording starts, so it is never in the video; Esc cancels. The
outline is a ring drawn just outside the recorded area (a window shaped to the ring,
so it is outside what is captured, and asked to stay out of captures where the OS
allows); clicks go through it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QRegion, QShowEvent
from PySide6.QtWidgets import QWidget

from capdesk.ui import capture_exclusion, theme
from capdesk.ui.controller import Phase
from capdesk.ui.signals import emit

RING = 3  # the outline's width, logical pixels
GAP = 2  # between the outline and the recorded area
BADGE = 160  # the countdown's square, logical pixels


class _Number(QWidget):
    cancel = Signal()

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool)
        self.setObjectName("countdownNumber")
        self.setWindowTitle("Countdown")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFixedSize(BADGE, BADGE)
        self.seconds = 0

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(20, 22, 28, 215))
        p.drawRoundedRect(self.rect(), 28, 28)
        font = QFont(self.font())
        font.setPixelSize(int(BADGE * 0.55))
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(self.rect().adjusted(0, -14, 0, -14), Qt.AlignmentFlag.AlignCenter,
                   str(self.seconds))
        small = QFont(self.font())
        small.setPixelSize(13)
        p.setFont(small)
        p.setPen(QColor(255, 255, 255, 190))
        p.drawText(self.rect().adjusted(0, 0, 0, -14),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                   "Esc to cancel")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            emit(self.cancel)
        else:
            super().keyPressEvent(event)


class _Ring(QWidget):
    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool
                         | Qt.WindowType.WindowTransparentForInput)
        self.setObjectName("recordingOutline")
        self.setWindowTitle("Recorded area")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.excluded = False

    def surround(self, area: QRect) -> None:
        outer = area.adjusted(-(GAP + RING), -(GAP + RING), GAP + RING, GAP + RING)
        self.setGeometry(outer)
        inner = QRect(RING, RING, outer.width() - 2 * RING, outer.height() - 2 * RING)
        self.setMask(QRegion(self.rect()).subtracted(QRegion(inner)))

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(theme.current().record))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.excluded:
            self.excluded, _why = capture_exclusion.exclude_from_capture(int(self.winId()))


class CountdownOverlay(QWidget):
    """Not a window itself: owns the number and the ring, and follows the phases."""

    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.number = _Number()
        self.ring = _Ring()
        self.target: QRect | None = None
        self.outline = False
        self.number.cancel.connect(self.cancel_requested)

    def set_target(self, area: QRect | None, *, outline: bool) -> None:
        """Where the next recording is (logical; None: everywhere); ``outline``: draw the
        ring around it while recording."""
        self.target, self.outline = area, outline and area is not None

    @Slot(int)
    def show_count(self, seconds: int) -> None:
        self.number.seconds = seconds
        if self.target is not None:
            centre = self.target.center()
        else:
            centre = self.screen().geometry().center()
        self.number.move(centre.x() - BADGE // 2, centre.y() - BADGE // 2)
        if not self.number.isVisible():
            self.number.show()
            self.number.raise_()
            self.number.activateWindow()
            self.number.setFocus()
        self.number.update()

    @Slot(str)
    def set_phase(self, phase: str) -> None:
        if phase != Phase.COUNTDOWN:
            self.number.hide()
        recording = phase in (Phase.STARTING, Phase.RECORDING, Phase.PAUSED)
        if recording and self.outline and self.target is not None:
            self.ring.surround(self.target)
            self.ring.show()
        elif not recording:
            self.ring.hide()

    def close(self) -> bool:
        self.number.close()
        self.ring.close()
        return super().close()
