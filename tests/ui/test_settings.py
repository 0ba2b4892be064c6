"""Settings, the first-run screen, and the note that says why uploads are off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLineEdit

from capdesk import paths, secrets
from capdesk.ui import autostart
from capdesk.ui.settings_dialog import SettingsDialog
from capdesk.ui.shell import Shell
from capdesk.ui.welcome import WelcomeDialog
from tests.fakecap.fixtures import CapApp, MakeCapApp

pytestmark = pytest.mark.display


def open_settings(qtbot, shell: Shell) -> SettingsDialog:
    qtbot.mouseClick(shell.window.settings_button, Qt.MouseButton.LeftButton)
    dialog = shell.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_keys_are_tested_then_saved_to_the_keychain_masked(
        qtbot, cap_app: CapApp, make_shell, keys, private_home: Path) -> None:
    shell: Shell = make_shell()
    shell.start()
    assert "Uploads are off" in shell.window.note.text()
    dialog = open_settings(qtbot, shell)
    form = dialog.keys_form
    assert form.public.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(form.public, cap_app.public_key)
    qtbot.keyClicks(form.secret, cap_app.secret_key)
    form.base_url.setText(cap_app.base_url)
    qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.test_button.isEnabled(), timeout=20_000)
    assert "Public key accepted" in form.result.text()
    assert "Secret key accepted" in form.result.text()

    dialog.tabs.setCurrentIndex(2)
    dialog.hotkey_record.setKeySequence(QKeySequence("Ctrl+Alt+F5"))
    dialog.tabs.setCurrentIndex(3)
    dialog.start_at_login.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()

    assert keys.saved == {secrets.PUBLIC: cap_app.public_key, secrets.SECRET: cap_app.secret_key}
    saved = json.loads(paths.settings_file().read_text())
    assert saved["base_url"] == cap_app.base_url
    assert saved["hotkey_record"] == "Ctrl+Alt+F5"
    assert not any(cap_app.public_key in str(v) for v in saved.values())  # never in a file
    entry = private_home / "xdg" / "autostart" / "capdesk.desktop"
    assert autostart.is_enabled() and "Exec=" in entry.read_text()
    assert shell.window.note_box.isHidden()
    assert "Ctrl+Alt+F5" in shell.window.shortcut_hint.text()

    dialog = open_settings(qtbot, shell)
    placeholder = dialog.keys_form.public.placeholderText()
    assert secrets.mask(cap_app.public_key) in placeholder
    assert cap_app.public_key not in placeholder
    dialog.reject()


def test_a_refused_key_is_shown_in_plain_words(
        qtbot, cap_app: CapApp, make_shell) -> None:
    shell: Shell = make_shell()
    shell.start()
    dialog = open_settings(qtbot, shell)
    form = dialog.keys_form
    form.public.setText("cpk_" + "0" * 30)
    form.base_url.setText(cap_app.base_url)
    qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.test_button.isEnabled(), timeout=20_000)
    assert form.result.text().startswith("Cap refused the key")
    form.public.setText("csk_wrong_kind")
    dialog.save()
    assert "starts with cpk_" in dialog.error.text()
    dialog.reject()


def test_low_credits_turn_the_upload_note_on(
        qtbot, make_cap_app: MakeCapApp, connect_to, make_shell) -> None:
    poor = make_cap_app(balance=0)
    connect_to(poor)
    shell: Shell = make_shell()
    shell.start()
    qtbot.waitUntil(lambda: "balance is too low" in shell.window.note.text(), timeout=20_000)
    assert shell.window.note_box.isVisible()


def test_first_run_explains_the_keys_and_saves_them(
        qtbot, cap_app: CapApp, make_shell, keys) -> None:
    shell: Shell = make_shell(first_run=True)
    shell.start()
    qtbot.waitUntil(lambda: shell.welcome is not None and shell.welcome.isVisible(),
                    timeout=5_000)
    welcome = shell.welcome
    assert isinstance(welcome, WelcomeDialog)
    label = welcome.findChild(type(welcome.error), "welcomeText")
    assert label is not None
    text = label.text()
    assert "Public key" in text and "Secret key" in text and "developer dashboard" in text
    welcome.form.public.setText(cap_app.public_key)
    welcome.form.base_url.setText(cap_app.base_url)
    qtbot.mouseClick(welcome.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: welcome.form.test_button.isEnabled(), timeout=20_000)
    assert "Public key accepted" in welcome.form.result.text()
    with qtbot.waitSignal(welcome.saved):
        qtbot.mouseClick(welcome.done_button, Qt.MouseButton.LeftButton)
    assert keys.saved[secrets.PUBLIC] == cap_app.public_key
    assert paths.settings_file().exists()
