"""The app's icons, drawn with QPainter so they are sharp at every size and scale.

``resources/make_icons.py`` writes the same drawings to PNG/ICO/ICNS for packaging;
the running app draws them itself, so it never depends on files being found.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel

BLUE_TOP = QColor("#5B7CFF")
BLUE_BOTTOM = QColor("#3346E0")
RED = QColor("#F0443A")
AMBER = QColor("#F59E0B")
SLATE = QColor("#64748B")

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


class TrayState(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    UPLOADING = "uploading"
    ERROR = "error"


def paint_app_icon(painter: QPainter, size: float) -> None:
    """A blue rounded square, a white screen outline and a red record dot."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.06
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    gradient = QLinearGradient(box.topLeft(), box.bottomLeft())
    gradient.setColorAt(0.0, BLUE_TOP)
    gradient.setColorAt(1.0, BLUE_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(box, size * 0.22, size * 0.22)
    # The screen: a white rounded outline with a stand.
    stroke = max(1.0, size * 0.065)
    screen = QRectF(size * 0.2, size * 0.25, size * 0.6, size * 0.42)
    painter.setPen(QPen(QColor("white"), stroke, Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(screen, size * 0.06, size * 0.06)
    painter.drawLine(QPointF(size * 0.38, size * 0.77), QPointF(size * 0.62, size * 0.77))
    # The record dot, centred on the screen.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(RED)
    radius = size * 0.1
    painter.drawEllipse(screen.center(), radius, radius)


def paint_state_icon(painter: QPainter, size: float, state: TrayState) -> None:
    """Tray glyphs: the app icon when idle, a coloured disc with a sign otherwise."""
    if state == TrayState.IDLE:
        paint_app_icon(painter, size)
        return
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = {TrayState.RECORDING: RED, TrayState.PAUSED: SLATE,
              TrayState.UPLOADING: BLUE_BOTTOM, TrayState.ERROR: AMBER}[state]
    centre = QPointF(size / 2, size / 2)
    painter.setPen(QPen(QColor(255, 255, 255, 230), max(1.0, size * 0.06)))
    painter.setBrush(colour)
    painter.drawEllipse(centre, size * 0.44, size * 0.44)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    if state == TrayState.RECORDING:
        painter.drawEllipse(centre, size * 0.17, size * 0.17)
    elif state == TrayState.PAUSED:
        w, h = size * 0.1, size * 0.36
        painter.drawRoundedRect(QRectF(size * 0.36, size * 0.32, w, h), w / 3, w / 3)
        painter.drawRoundedRect(QRectF(size * 0.54, size * 0.32, w, h), w / 3, w / 3)
    elif state == TrayState.UPLOADING:
        arrow = QPainterPath()
        arrow.moveTo(size * 0.5, size * 0.24)
        arrow.lineTo(size * 0.74, size * 0.5)
        arrow.lineTo(size * 0.58, size * 0.5)
        arrow.lineTo(size * 0.58, size * 0.74)
        arrow.lineTo(size * 0.42, size * 0.74)
        arrow.lineTo(size * 0.42, size * 0.5)
        arrow.lineTo(size * 0.26, size * 0.5)
        arrow.closeSubpath()
        painter.drawPath(arrow)
    else:  # error: an exclamation mark
        painter.drawRoundedRect(QRectF(size * 0.44, size * 0.22, size * 0.12, size * 0.36),
                                size * 0.05, size * 0.05)
        painter.drawEllipse(QPointF(size * 0.5, size * 0.7), size * 0.07, size * 0.07)


def render(size: int, state: TrayState | None = None) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    if state is None:
        paint_app_icon(painter, size)
    else:
        paint_state_icon(painter, size, state)
    painter.end()
    return image


def _icon(state: TrayState | None) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(render(size, state)))
    return icon


def app_icon() -> QIcon:
    return _icon(None)


def headline_row(text: str, logo_size: int) -> tuple[QHBoxLayout, QLabel]:
    """A dialog's top row: the app's logo and a headline beside it (returned to name it)."""
    row = QHBoxLayout()
    logo = QLabel()
    logo.setPixmap(app_icon().pixmap(QSize(logo_size, logo_size)))
    title = QLabel(text)
    title.setProperty("role", "headline")
    row.addWidget(logo)
    row.addWidget(title, 1)
    return row, title


def state_icon(state: TrayState) -> QIcon:
    return _icon(state)
