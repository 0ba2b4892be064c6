"""Light and dark looks: the Fusion style with our palette, and a few styled roles.

Widgets opt into a role with ``setObjectName`` / a ``role`` property: ``primary``
(the Record button), ``card`` (a panel), ``note`` (an upload-off note), ``muted``,
``headline``, ``danger``. The theme follows the OS colour scheme where Qt knows
it, and can be forced (``CAPDESK_THEME=dark|light``, and the screenshot test).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


@dataclass(frozen=True)
class Colours:
    window: str
    panel: str
    base: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    record: str
    record_hover: str
    note_bg: str
    note_text: str
    ok: str
    error: str
    focus: str = "#D97706"  # the keyboard focus ring (dashed), unlike the accent of "chosen"
    problem_bg: str = "#FDECEA"
    accent_text_on_record: str = "#FFFFFF"


LIGHT = Colours(
    window="#F4F5F7", panel="#FFFFFF", base="#FFFFFF", text="#1D1F24", muted="#5E6470",
    border="#DADDE3", accent="#3F5BF2", accent_text="#FFFFFF", record="#E5372D",
    record_hover="#C92C23", note_bg="#FFF6E0", note_text="#6B4A00", ok="#15803D",
    error="#B42318",
)
DARK = Colours(
    window="#1B1C20", panel="#25272C", base="#2C2E34", text="#ECEDF0", muted="#A3A8B3",
    border="#3A3D45", accent="#7C93FF", accent_text="#0E1020", record="#F0443A",
    record_hover="#FF5B51", note_bg="#3A3120", note_text="#F5D38B", ok="#4ADE80",
    error="#FF8A80", focus="#FBBF24", problem_bg="#3B1F1F",
)


THEMES = (("system", "Like the system"), ("light", "Light"), ("dark", "Dark"))
_preference = "system"  # the Settings' choice


def set_preference(name: str) -> None:
    """The theme chosen in Settings: system, light or dark (``CAPDESK_THEME`` wins)."""
    global _preference
    _preference = name if name in ("light", "dark") else "system"


def is_dark(app: QApplication) -> bool:
    forced = os.environ.get("CAPDESK_THEME", "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    if _preference in ("dark", "light"):
        return _preference == "dark"
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def current(app: QApplication | None = None) -> Colours:
    instance = app or QApplication.instance()
    return DARK if isinstance(instance, QApplication) and is_dark(instance) else LIGHT


def apply(app: QApplication, dark: bool | None = None) -> Colours:
    if dark is None:
        dark = is_dark(app)
    colours = DARK if dark else LIGHT
    if "Fusion" in list(QStyleFactory.keys()):
        app.setStyle("Fusion")
    app.setPalette(_palette(colours))
    app.setStyleSheet(_sheet(colours))
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)
    return colours


def _palette(c: Colours) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(c.window))
    p.setColor(role.WindowText, QColor(c.text))
    p.setColor(role.Base, QColor(c.base))
    p.setColor(role.AlternateBase, QColor(c.panel))
    p.setColor(role.Text, QColor(c.text))
    p.setColor(role.Button, QColor(c.panel))
    p.setColor(role.ButtonText, QColor(c.text))
    p.setColor(role.ToolTipBase, QColor(c.panel))
    p.setColor(role.ToolTipText, QColor(c.text))
    p.setColor(role.PlaceholderText, QColor(c.muted))
    p.setColor(role.Highlight, QColor(c.accent))
    p.setColor(role.HighlightedText, QColor(c.accent_text))
    p.setColor(role.Link, QColor(c.accent))
    p.setColor(role.Mid, QColor(c.border))
    p.setColor(role.Midlight, QColor(c.border))
    for group in (QPalette.ColorGroup.Disabled,):
        p.setColor(group, role.Text, QColor(c.muted))
        p.setColor(group, role.WindowText, QColor(c.muted))
        p.setColor(group, role.ButtonText, QColor(c.muted))
    return p


def _sheet(c: Colours) -> str:
    return f"""
QFrame[role="card"] {{
    background: {c.panel}; border: 1px solid {c.border}; border-radius: 10px;
}}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="headline"] {{ font-size: 15pt; font-weight: 600; }}
QLabel[role="title"] {{ font-weight: 600; }}
QLabel[role="ok"] {{ color: {c.ok}; font-weight: 600; }}
QLabel[role="error"] {{ color: {c.error}; font-weight: 600; }}
QLabel[role="note"] {{
    background: {c.note_bg}; color: {c.note_text}; border-radius: 8px; padding: 8px 10px;
}}
QLineEdit[role="link"] {{
    font-weight: 600; padding: 6px 8px; border: 1px solid {c.border}; border-radius: 6px;
}}
QPushButton {{ padding: 6px 14px; }}
QLineEdit {{
    padding: 3px 8px; border: 1px solid {c.border}; border-radius: 6px; background: {c.base};
    selection-background-color: {c.accent}; selection-color: {c.accent_text};
}}
QLineEdit:focus {{ border: 1px solid {c.accent}; }}
QFrame[role="note"] {{ background: {c.note_bg}; border-radius: 8px; }}
QFrame[role="note"] QLabel {{ color: {c.note_text}; background: transparent; }}
QPushButton[role="danger"] {{
    background: {c.record}; color: white; border: none; border-radius: 6px;
    font-weight: 600; padding: 6px 14px;
}}
QPushButton[role="primary"] {{
    background: {c.record}; color: white; border: none; border-radius: 10px;
    font-size: 13pt; font-weight: 600; padding: 12px 24px;
}}
QPushButton[role="primary"]:hover {{ background: {c.record_hover}; }}
QPushButton[role="primary"]:disabled {{ background: {c.border}; color: {c.muted}; }}
QPushButton[role="accent"] {{
    background: {c.accent}; color: {c.accent_text}; border: none; border-radius: 6px;
    font-weight: 600; padding: 6px 14px;
}}
QToolButton[role="source"] {{
    border: 1px solid {c.border}; border-radius: 8px; padding: 8px 6px;
    background: {c.base};
}}
QToolButton[role="source"]:checked {{
    border: 2px solid {c.accent}; background: {c.panel}; font-weight: 600;
}}
QToolButton[role="source"]:focus {{ border: 2px dashed {c.focus}; }}
QToolButton[role="source"]:checked:focus {{ border: 2px dashed {c.focus}; }}
QPushButton:focus {{ outline: none; border: 2px dashed {c.focus}; border-radius: 6px; }}
QPushButton[role="primary"]:focus {{ border: 3px dashed {c.accent_text_on_record}; }}
QCheckBox:focus {{ outline: none; border: 1px dashed {c.focus}; border-radius: 4px; }}
QComboBox:focus {{ border: 2px dashed {c.focus}; border-radius: 4px; }}
QToolButton:focus {{ border: 2px dashed {c.focus}; border-radius: 6px; }}
QFrame[role="popover"] {{ background: {c.panel}; }}
QFrame[role="problem"] {{
    background: {c.problem_bg}; border: 1px solid {c.error}; border-radius: 8px;
}}
QFrame[role="problem"] QLabel {{ color: {c.error}; background: transparent; }}
QFrame[role="line"] {{ color: {c.border}; }}
QWidget[role="bar"] {{
    background: {c.panel}; border: 1px solid {c.border}; border-radius: 12px;
}}
"""
