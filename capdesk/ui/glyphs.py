"""Small line icons for buttons, drawn in the theme's text colour (sharp at any scale).

Each icon is drawn when Qt asks for it (``_Glyph``, an icon engine), in the colours of the
theme of that moment: a theme change (Settings, or the system's light/dark switch) shows
in every icon at the next repaint, with no icon set again. Disabled icons take the
theme's muted colour.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QIcon,
    QIconEngine,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from capdesk.ui import theme

Painter = Callable[[QPainter, float], None]
CACHED = 8  # pictures kept per icon (sizes x modes x themes seen)


class _Glyph(QIconEngine):
    """Draws one glyph at the size, scale and colour asked for (cached per those)."""

    def __init__(self, draw: Painter, colour: str | None) -> None:
        super().__init__()
        self._draw = draw
        self._colour = colour  # None: the theme's text colour
        self._cache: dict[tuple[int, int, float, str], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _Glyph(self._draw, self._colour)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        colours = theme.current()
        colour = colours.muted if mode == QIcon.Mode.Disabled else self._colour or colours.text
        key = (size.width(), size.height(), scale, colour)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) >= CACHED:
                self._cache.clear()
            cached = self._cache[key] = _picture(self._draw, colour, size, scale)
        return cached

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))


def _picture(draw: Painter, colour: str, size: QSize, scale: float) -> QPixmap:
    side = max(1, round(min(size.width(), size.height()) * scale))
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(colour), max(1.0, side / 14), Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    draw(painter, float(side))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def _icon(draw: Painter, colour: str | None = None) -> QIcon:
    return QIcon(_Glyph(draw, colour))


def _screen(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(s * 0.1, s * 0.18, s * 0.8, s * 0.54), s * 0.06, s * 0.06)
    p.drawLine(QPointF(s * 0.35, s * 0.84), QPointF(s * 0.65, s * 0.84))
    p.drawLine(QPointF(s * 0.5, s * 0.72), QPointF(s * 0.5, s * 0.84))


def _area(p: QPainter, s: float) -> None:
    a, b = s * 0.14, s * 0.86
    c = s * 0.2
    for x, y, dx, dy in ((a, a, 1, 1), (b, a, -1, 1), (a, b, 1, -1), (b, b, -1, -1)):
        p.drawLine(QPointF(x, y), QPointF(x + dx * c, y))
        p.drawLine(QPointF(x, y), QPointF(x, y + dy * c))
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.DotLine)
    p.setPen(pen)
    p.drawRect(QRectF(s * 0.32, s * 0.32, s * 0.36, s * 0.36))


def _desktop(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(s * 0.04, s * 0.24, s * 0.5, s * 0.38), s * 0.05, s * 0.05)
    p.drawRoundedRect(QRectF(s * 0.46, s * 0.16, s * 0.5, s * 0.46), s * 0.05, s * 0.05)
    p.drawLine(QPointF(s * 0.6, s * 0.8), QPointF(s * 0.82, s * 0.8))
    p.drawLine(QPointF(s * 0.71, s * 0.62), QPointF(s * 0.71, s * 0.8))


def _gear(p: QPainter, s: float) -> None:
    c = QPointF(s / 2, s / 2)
    p.drawEllipse(c, s * 0.14, s * 0.14)
    p.drawEllipse(c, s * 0.3, s * 0.3)
    for i in range(8):
        p.save()
        p.translate(c)
        p.rotate(i * 45)
        p.drawLine(QPointF(0, -s * 0.3), QPointF(0, -s * 0.42))
        p.restore()


def _library(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(s * 0.22, s * 0.16), QPointF(s * 0.78, s * 0.16))
    p.drawLine(QPointF(s * 0.14, s * 0.28), QPointF(s * 0.86, s * 0.28))
    p.drawRoundedRect(QRectF(s * 0.08, s * 0.4, s * 0.84, s * 0.48), s * 0.06, s * 0.06)
    play = QPainterPath()
    play.moveTo(s * 0.43, s * 0.53)
    play.lineTo(s * 0.61, s * 0.64)
    play.lineTo(s * 0.43, s * 0.75)
    play.closeSubpath()
    p.drawPath(play)


def _dot(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(s / 2, s / 2), s * 0.32, s * 0.32)


def _square(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawRoundedRect(QRectF(s * 0.22, s * 0.22, s * 0.56, s * 0.56), s * 0.08, s * 0.08)


def screen_icon() -> QIcon:
    return _icon(_screen)


def area_icon() -> QIcon:
    return _icon(_area)


def desktop_icon() -> QIcon:
    return _icon(_desktop)


def gear_icon() -> QIcon:
    return _icon(_gear)


def library_icon() -> QIcon:
    return _icon(_library)


def record_icon() -> QIcon:
    return _icon(_dot, "white")


def stop_icon() -> QIcon:
    return _icon(_square, "white")


def _mic(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(s * 0.37, s * 0.1, s * 0.26, s * 0.46), s * 0.13, s * 0.13)
    path = QPainterPath()
    path.moveTo(s * 0.24, s * 0.44)
    path.cubicTo(s * 0.24, s * 0.8, s * 0.76, s * 0.8, s * 0.76, s * 0.44)
    p.drawPath(path)
    p.drawLine(QPointF(s * 0.5, s * 0.7), QPointF(s * 0.5, s * 0.88))


def _mic_off(p: QPainter, s: float) -> None:
    _mic(p, s)
    p.drawLine(QPointF(s * 0.16, s * 0.12), QPointF(s * 0.84, s * 0.88))


def microphone_icon(muted: bool = False) -> QIcon:
    return _icon(_mic_off if muted else _mic)


def _window(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(s * 0.1, s * 0.18, s * 0.8, s * 0.64), s * 0.06, s * 0.06)
    p.drawLine(QPointF(s * 0.1, s * 0.34), QPointF(s * 0.9, s * 0.34))
    p.drawPoint(QPointF(s * 0.2, s * 0.26))
    p.drawPoint(QPointF(s * 0.28, s * 0.26))


def _camera(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(s * 0.08, s * 0.28, s * 0.58, s * 0.44), s * 0.08, s * 0.08)
    path = QPainterPath()
    path.moveTo(s * 0.66, s * 0.44)
    path.lineTo(s * 0.92, s * 0.3)
    path.lineTo(s * 0.92, s * 0.7)
    path.lineTo(s * 0.66, s * 0.56)
    p.drawPath(path)


def _speaker(p: QPainter, s: float) -> None:
    path = QPainterPath()
    path.moveTo(s * 0.12, s * 0.38)
    path.lineTo(s * 0.3, s * 0.38)
    path.lineTo(s * 0.5, s * 0.2)
    path.lineTo(s * 0.5, s * 0.8)
    path.lineTo(s * 0.3, s * 0.62)
    path.lineTo(s * 0.12, s * 0.62)
    path.closeSubpath()
    p.drawPath(path)
    p.drawArc(QRectF(s * 0.44, s * 0.3, s * 0.3, s * 0.4), -50 * 16, 100 * 16)
    p.drawArc(QRectF(s * 0.4, s * 0.16, s * 0.48, s * 0.68), -50 * 16, 100 * 16)


def window_icon() -> QIcon:
    return _icon(_window)


def camera_icon() -> QIcon:
    return _icon(_camera)


def speaker_icon() -> QIcon:
    return _icon(_speaker)
