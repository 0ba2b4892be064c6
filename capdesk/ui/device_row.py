"""One device row of the recorder: an on/off box with an icon, and the device's list."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from capdesk.ui.source_picker import compact_combo


def device_row(toggle: QCheckBox, icon: QIcon, combo: QComboBox | None = None) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(8)
    toggle.setIcon(icon)
    toggle.setIconSize(QSize(18, 18))
    layout.addWidget(toggle)
    if combo is not None:
        layout.addWidget(compact_combo(combo, 12), 1)
    else:
        layout.addStretch(1)
    return row


def hint_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    label.hide()
    return label
