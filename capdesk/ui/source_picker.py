"""What to record: Screen, Window or Area, and which screen or window.

Three buttons side by side (as in Cap); under them the screen list (with "All screens"
where there are several), the window list (filled by the caller, off the GUI thread:
listing windows takes a moment), or a line saying how picking an area works.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capdesk.platform_env import is_wayland_session
from capdesk.ui import glyphs
from capdesk.ui.signals import emit

DESKTOP = "*all*"  # the screen list's entry for every screen together
COVERED_NOTE = "Parts of the window covered by other windows may come out black."
# On Wayland the desktop portal shares the screen (capdesk's qt capture backend).
WAYLAND_NOTE = ("Your desktop asks which screen to share when you press Record; "
                "the mouse pointer may be missing from the video.")
HINTS = {
    "screen": "",
    "area": "After you press Record, drag over the part of the screen to record.",
}


class WindowLike(Protocol):
    """A window that can be recorded (the engine's ``WindowInfo``)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def app(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    # WindowInfo also has x and y (its place on the desktop): read with getattr, as a
    # list made elsewhere may not say where its windows are.


def compact_combo(combo: QComboBox, chars: int = 14) -> QComboBox:
    """A list that never widens the window for a long entry (it is elided instead)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


class SourcePicker(QWidget):
    changed = Signal()
    windows_wanted = Signal()  # the Window tab opened, or its list should be looked up again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[str, QToolButton] = {}
        for key, label, icon in (("screen", "Screen", glyphs.screen_icon()),
                                 ("window", "Window", glyphs.window_icon()),
                                 ("area", "Area", glyphs.area_icon())):
            row.addWidget(self._mode_button(key, label, icon))
        layout.addLayout(row)

        self.screen_combo = compact_combo(QComboBox())
        self.screen_combo.setObjectName("screenCombo")
        self.screen_combo.setAccessibleName("Screen")
        layout.addWidget(self.screen_combo)

        self.window_row = QWidget()
        window_layout = QHBoxLayout(self.window_row)
        window_layout.setContentsMargins(0, 0, 0, 0)
        window_layout.setSpacing(6)
        self.window_combo = compact_combo(QComboBox())
        self.window_combo.setObjectName("windowCombo")
        self.window_combo.setAccessibleName("Window")
        self.window_refresh = QToolButton()
        self.window_refresh.setObjectName("refreshWindows")
        self.window_refresh.setText("↻")
        self.window_refresh.setToolTip("Look for windows again")
        self.window_refresh.setAccessibleName("Look for windows again")
        window_layout.addWidget(self.window_combo, 1)
        window_layout.addWidget(self.window_refresh)
        layout.addWidget(self.window_row)

        self.hint = QLabel()
        self.hint.setObjectName("modeHint")
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)

        self._windows: list[WindowLike] | None = None  # None: not looked up yet
        self._window_problem = ""
        self._wanted_window = ""
        self.modes.buttonToggled.connect(self._toggled)
        self.screen_combo.currentIndexChanged.connect(lambda _i: self._show())
        self.window_combo.currentIndexChanged.connect(self._window_picked)
        self.window_refresh.clicked.connect(lambda: emit(self.windows_wanted))
        self.mode_buttons["screen"].setChecked(True)
        self.refresh_screens()

    def _mode_button(self, key: str, label: str, icon: QIcon) -> QToolButton:
        button = QToolButton()
        button.setObjectName(f"mode_{key}")
        button.setProperty("role", "source")
        button.setText(label)
        button.setIcon(icon)
        button.setIconSize(QSize(20, 20))
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.modes.addButton(button)
        self.mode_buttons[key] = button
        return button

    # -- what was chosen -----------------------------------------------------------------
    @property
    def tab(self) -> str:
        """The button pressed: screen, window or area."""
        checked = self.modes.checkedButton()
        return next((k for k, b in self.mode_buttons.items() if b is checked), "screen")

    @property
    def mode(self) -> str:
        """The choice's mode: screen, window, area, or desktop (all screens)."""
        tab = self.tab
        if tab == "screen" and self.screen_combo.currentData() == DESKTOP:
            return "desktop"
        return tab

    @property
    def screen_name(self) -> str | None:
        data = self.screen_combo.currentData()
        return str(data) if self.mode == "screen" and data else None

    def chosen_window(self) -> WindowLike | None:
        """The chosen window (None: none chosen, or not in the Window tab)."""
        if self.tab != "window" or not self._windows:
            return None
        index = self.window_combo.currentIndex()
        return self._windows[index] if 0 <= index < len(self._windows) else None

    @property
    def ready(self) -> bool:
        """Whether Record can start: a window is chosen in the Window tab."""
        return self.tab != "window" or self.chosen_window() is not None

    def set_mode(self, mode: str) -> None:
        if mode == "desktop":
            self.mode_buttons["screen"].setChecked(True)
            index = self.screen_combo.findData(DESKTOP)
            if index >= 0:
                self.screen_combo.setCurrentIndex(index)
            return
        self.mode_buttons.get(mode, self.mode_buttons["screen"]).setChecked(True)

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.screen_combo, self.window_combo, self.window_refresh,
                       *self.mode_buttons.values()):
            widget.setEnabled(enabled)
        if enabled:
            self.window_combo.setEnabled(bool(self._windows))

    # -- lists ---------------------------------------------------------------------------------
    def refresh_screens(self) -> None:
        current = self.screen_combo.currentData()
        self.screen_combo.blockSignals(True)
        self.screen_combo.clear()
        screens = QGuiApplication.screens()
        primary = QGuiApplication.primaryScreen()
        for index, screen in enumerate(screens, start=1):
            size = screen.size() * screen.devicePixelRatio()
            label = f"Screen {index} · {size.width()}×{size.height()}"
            if screen is primary:
                label += " · main"
            self.screen_combo.addItem(glyphs.screen_icon(), label, screen.name())
        if len(screens) > 1:
            self.screen_combo.addItem(glyphs.desktop_icon(), "All screens, side by side", DESKTOP)
        found = self.screen_combo.findData(current)
        self.screen_combo.setCurrentIndex(max(0, found))
        self.screen_combo.blockSignals(False)
        self._show()

    def looking_for_windows(self) -> None:
        self.window_combo.clear()
        self.window_combo.addItem("Looking for windows…")
        self.window_combo.setEnabled(False)
        self._windows = []
        self._window_problem = ""
        self._show()

    def set_windows(self, windows: Sequence[WindowLike], problem: str = "") -> None:
        """The windows found (or why none can be listed here, in a sentence)."""
        self._windows = list(windows)
        self._window_problem = problem
        self.window_combo.blockSignals(True)
        self.window_combo.clear()
        for info in self._windows:
            title = info.title or info.app or "Untitled window"
            app = f" · {info.app}" if info.app and info.app != title else ""
            self.window_combo.addItem(glyphs.window_icon(), f"{title}{app}", info.id)
            self.window_combo.setItemData(self.window_combo.count() - 1,
                                          f"{title}{app} ({info.width}×{info.height})",
                                          Qt.ItemDataRole.ToolTipRole)
        if not self._windows:
            self.window_combo.addItem("No window to record" if not problem
                                      else "Windows cannot be listed")
        found = self.window_combo.findData(self._wanted_window) if self._wanted_window else -1
        self.window_combo.setCurrentIndex(max(0, found))
        self.window_combo.setEnabled(bool(self._windows))
        self.window_combo.blockSignals(False)
        self._show()

    @property
    def windows_known(self) -> bool:
        return self._windows is not None

    # -- reacting ---------------------------------------------------------------------------
    def _toggled(self, _button: QToolButton, checked: bool) -> None:
        if not checked:
            return
        if self.tab == "window" and self._windows is None:
            self.looking_for_windows()
            emit(self.windows_wanted)
        self._show()

    def _window_picked(self, _index: int) -> None:
        info = self.chosen_window()
        if info is not None:
            self._wanted_window = info.id
        self._show()

    def _show(self) -> None:
        tab = self.tab
        self.screen_combo.setVisible(tab == "screen")
        self.window_row.setVisible(tab == "window")
        if tab == "window":
            text = self._window_problem or (COVERED_NOTE if self._windows else "")
        elif self.mode == "desktop":
            text = "Records every screen together, side by side."
        else:
            text = HINTS[tab]
            if is_wayland_session():  # the portal's dialog and its missing pointer
                text = " ".join(filter(None, (text, WAYLAND_NOTE)))
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
        emit(self.changed)
