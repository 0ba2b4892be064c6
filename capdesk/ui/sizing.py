"""Windows fit their content and the screen, and stay on screen.

Qt's top-level size constraints ignore height-for-width (wrapped labels), so a
window sized before its labels wrapped squeezes its rows; ``fit_height`` asks the
layout for the height it needs at the window's width. ``content`` is the widget that
holds the layout (a QMainWindow's central widget, or the widget inside a scroll area)
and fills the window's width. The height never exceeds the screen's available area:
windows whose content may be taller put it in a scroll area (``scrolling``).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

FRAME_GUESS = 40  # the window manager's title bar and borders, before the window is shown


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area that scrolls only when the screen is short."""
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def screen_of(window: QWidget) -> QScreen:
    handle = window.windowHandle()
    screen = handle.screen() if handle is not None else None
    if screen is None:
        screen = QGuiApplication.screenAt(window.geometry().center())
    return screen or QGuiApplication.primaryScreen()


def available(window: QWidget) -> QRect:
    return screen_of(window).availableGeometry()


def frame_extra(window: QWidget) -> tuple[int, int]:
    """The frame's extra width and height (a guess before the window manager framed it)."""
    if window.isVisible():
        frame, inner = window.frameGeometry(), window.geometry()
        return frame.width() - inner.width(), frame.height() - inner.height()
    framed = not window.windowFlags() & Qt.WindowType.FramelessWindowHint
    return (0, FRAME_GUESS) if framed else (0, 0)


def needed_height(content: QWidget, width: int) -> int:
    layout = content.layout()
    if layout is None:
        return content.sizeHint().height()
    needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
              else layout.totalSizeHint().height())
    return max(needed, layout.totalMinimumSize().height())


def fit_height(window: QWidget, content: QWidget | None = None, extra: int = 0) -> None:
    """Size ``window`` to its content's height at its width, at most the screen's height.

    ``extra``: what the window adds around ``content`` (e.g. a dialog's buttons)."""
    holder = content or window
    layout = holder.layout()
    if layout is None:
        return
    room = available(window)
    frame_w, frame_h = frame_extra(window)
    width = max(window.width(), window.minimumWidth(), layout.totalMinimumSize().width())
    width = min(width, room.width() - frame_w)
    needed = needed_height(holder, width) + extra
    height = min(needed, room.height() - frame_h)
    window.setMinimumHeight(min(height, needed) if holder is window else 0)
    window.resize(width, height)
    keep_on_screen(window)


def keep_on_screen(window: QWidget) -> None:
    """Move ``window`` (frame included) inside its screen's available area."""
    room = available(window)
    frame_w, frame_h = frame_extra(window)
    top_left = window.frameGeometry().topLeft() if window.isVisible() else window.pos()
    width, height = window.width() + frame_w, window.height() + frame_h
    x = max(room.left(), min(top_left.x(), room.right() + 1 - width))
    y = max(room.top(), min(top_left.y(), room.bottom() + 1 - height))
    if (x, y) != (top_left.x(), top_left.y()):
        window.move(x, y)


def place_beside(window: QWidget, anchor: QWidget, gap: int = 12) -> None:
    """Put ``window`` next to ``anchor``: below it, else right, left or above it,
    wherever it fits the screen; on screen in any case."""
    room = available(anchor)
    frame_w, frame_h = frame_extra(window)
    size = window.size()
    w, h = size.width() + frame_w, size.height() + frame_h
    a = anchor.frameGeometry()
    candidates = (
        QPoint(a.left(), a.bottom() + 1 + gap),
        QPoint(a.right() + 1 + gap, a.top()),
        QPoint(a.left() - gap - w, a.top()),
        QPoint(a.left(), a.top() - gap - h),
    )
    for point in candidates:
        if room.contains(QRect(point.x(), point.y(), w, h)):
            window.move(point)
            return
    window.move(candidates[1])
    keep_on_screen(window)


def center_on(window: QWidget, parent: QWidget | None) -> None:
    """Centre ``window`` on ``parent`` (on the screen when the parent is hidden), on screen."""
    if parent is not None and parent.isVisible():
        centre = parent.frameGeometry().center()
    else:
        centre = available(window).center()
    frame_w, frame_h = frame_extra(window)
    window.move(centre.x() - (window.width() + frame_w) // 2,
                centre.y() - (window.height() + frame_h) // 2)
    keep_on_screen(window)
