"""The recorder's line icons follow the theme: a change in Settings (or the system's
light/dark switch, which applies the theme the same way) shows in every icon at once."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QAbstractButton, QApplication

from capdesk.ui import theme
from capdesk.ui.shell import Shell
from tests.ui.test_screenshots import save

pytestmark = pytest.mark.display


def ink(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> str:
    """The colour of an icon's strokes: its most opaque pixel, as Qt paints it at 24 px,
    to within 2 levels (premultiplied alpha rounds) of one of the themes' colours."""
    image = icon.pixmap(QSize(24, 24), 1.0, mode).toImage()
    colour = max((image.pixelColor(x, y) for x in range(image.width())
                  for y in range(image.height())), key=lambda found: found.alpha())
    assert colour.alpha() == 255, "the icon draws nothing"
    for known in (theme.LIGHT.text, theme.DARK.text, theme.LIGHT.muted, theme.DARK.muted):
        want = QColor(known)
        if max(abs(colour.red() - want.red()), abs(colour.green() - want.green()),
               abs(colour.blue() - want.blue())) <= 2:
            return known
    return colour.name().upper()


def line_icons(shell: Shell) -> dict[str, QAbstractButton]:
    window = shell.window
    buttons: dict[str, QAbstractButton] = {
        "library": window.library_button, "settings": window.settings_button,
        "microphone": window.microphone, "sound": window.audio.system_audio,
        "camera": window.camera}
    buttons.update(window.source.mode_buttons)
    return buttons


@pytest.fixture
def light_then_back(qapp: object):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.set_preference("light")
    theme.apply(app)
    yield app
    theme.set_preference("system")  # the next tests' look
    theme.apply(app)


def test_icons_take_the_new_theme_without_a_restart(
        qtbot, make_shell, light_then_back: QApplication) -> None:
    shell: Shell = make_shell()
    shell.start()
    qtbot.waitExposed(shell.window)
    buttons = line_icons(shell)
    assert {name: ink(button.icon()) for name, button in buttons.items()} == {
        name: theme.LIGHT.text for name in buttons}

    shell.settings_saved(dataclasses.replace(shell.settings, theme="dark"))
    assert theme.current() is theme.DARK
    assert {name: ink(button.icon()) for name, button in buttons.items()} == {
        name: theme.DARK.text for name in buttons}
    # Painted, not only asked for: the settings button's own picture has the dark ink.
    button = buttons["settings"]
    picture = button.grab().toImage()
    dark_ink, light_ink = QColor(theme.DARK.text).rgb(), QColor(theme.LIGHT.text).rgb()
    seen = {picture.pixel(x, y) for x in range(picture.width()) for y in range(picture.height())}
    assert dark_ink in seen and light_ink not in seen
    save(shell.window, "main-after-switch-to-dark")
    # A disabled icon is drawn in the theme's muted colour.
    assert ink(button.icon(), QIcon.Mode.Disabled) == theme.DARK.muted
