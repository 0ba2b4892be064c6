"""Fit a window's height to its content, word-wrapped labels included.

Qt's top-level size constraints ignore height-for-width (wrapped labels), so a
window sized before its labels wrapped squeezes its rows; this asks the layout
for the height it needs at the window's width. ``content`` is the widget that
holds the layout (a QMainWindow's central widget) and fills the window's width.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def fit_height(window: QWidget, content: QWidget | None = None) -> None:
    holder = content or window
    layout = holder.layout()
    if layout is None:
        return
    width = max(window.width(), window.minimumWidth(), layout.totalMinimumSize().width())
    needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
              else layout.totalSizeHint().height())
    needed = max(needed, layout.totalMinimumSize().height())
    window.setMinimumHeight(needed)
    window.resize(width, needed)
