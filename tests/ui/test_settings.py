"""Settings, the first-run screen, and the note that says why uploads are off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from capdesk import paths, secrets
from capdesk.secrets import KeychainUnavailable
from capdesk.settings import Settings
from capdesk.ui import autostart
from capdesk.ui.settings_dialog import SettingsDialog
from capdesk.ui.shell import Shell
from capdesk.ui.welcome import WelcomeDialog
from tests.fakecap.fixtures import CapApp, MakeCapApp
from tests.ui.conftest import MemoryKeys
from tests.ui.test_screenshots import save

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


def test_enter_after_testing_the_keys_saves_and_never_skips(
        qtbot, cap_app: CapApp, make_shell, keys) -> None:
    shell: Shell = make_shell(first_run=True)
    shell.start()
    qtbot.waitUntil(lambda: shell.welcome is not None and shell.welcome.isVisible(),
                    timeout=5_000)
    welcome = shell.welcome
    assert isinstance(welcome, WelcomeDialog)
    assert welcome.done_button.isDefault() and not welcome.skip.isDefault()
    welcome.form.advanced_toggle.setChecked(True)
    welcome.form.base_url.setText(cap_app.base_url)
    qtbot.keyClicks(welcome.form.public, cap_app.public_key)
    qtbot.mouseClick(welcome.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: welcome.form.test_button.isEnabled(), timeout=20_000)
    welcome.skip.setFocus()  # even with the focus on Skip, Enter saves
    with qtbot.waitSignal(welcome.saved, timeout=5_000):
        qtbot.keyClick(QApplication.focusWidget() or welcome, Qt.Key.Key_Return)
    assert keys.saved[secrets.PUBLIC] == cap_app.public_key


def test_skipping_with_keys_typed_asks_first(qtbot, make_shell, keys) -> None:
    shell: Shell = make_shell(first_run=True)
    shell.start()
    qtbot.waitUntil(lambda: shell.welcome is not None and shell.welcome.isVisible(),
                    timeout=5_000)
    welcome = shell.welcome
    assert welcome is not None
    qtbot.keyClicks(welcome.form.public, "cpk_" + "1" * 30)
    asked: list[str] = []

    def answer_cancel() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(300, answer_cancel)
    with qtbot.assertNotEmitted(welcome.saved):
        qtbot.mouseClick(welcome.skip, Qt.MouseButton.LeftButton)
    assert asked and "keys you typed" in asked[0]
    assert welcome.isVisible() and keys.saved == {}


def test_the_server_in_use_and_its_dashboard(qtbot, make_shell, browser,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAP_BASE_URL", "https://cap.internal.example")
    shell: Shell = make_shell()
    shell.start()
    dialog = open_settings(qtbot, shell)
    form = dialog.keys_form
    assert form.base_url.text() == "https://cap.internal.example"
    assert form.base_url.isReadOnly() and form.advanced.isVisible()
    qtbot.mouseClick(form.get_keys, Qt.MouseButton.LeftButton)
    assert browser.opened == ["https://cap.internal.example/dashboard/developers"]
    dialog.reject()


def test_origin_and_server_wait_behind_advanced(qtbot, make_shell) -> None:
    shell: Shell = make_shell()
    shell.start()
    dialog = open_settings(qtbot, shell)
    form = dialog.keys_form
    assert not form.advanced.isVisible() and not form.origin.isVisible()
    qtbot.mouseClick(form.advanced_toggle, Qt.MouseButton.LeftButton)
    assert form.origin.isVisible() and form.base_url.isVisible()
    dialog.reject()


def test_a_test_error_grows_the_dialog(qtbot, make_shell) -> None:
    shell: Shell = make_shell()
    shell.start()
    dialog = open_settings(qtbot, shell)
    form = dialog.keys_form
    form.advanced_toggle.setChecked(True)
    form.base_url.setText("http://127.0.0.1:9")  # nothing listens there
    form.public.setText("cpk_" + "2" * 30)
    before = dialog.height()
    qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.test_button.isEnabled(), timeout=30_000)
    qtbot.wait(50)
    assert form.result.isVisible()
    # Where it tried and what to check here, not the recording's "uploads later".
    text = form.result.text()
    assert text.startswith("Cannot reach Cap at http://127.0.0.1:9"), text
    assert "Server under Advanced" in text and "upload" not in text.lower(), text
    save(dialog, "settings-server-unreachable")
    assert dialog.height() > before
    area = form.result.mapTo(dialog, form.result.rect().bottomLeft())
    assert area.y() <= dialog.height()  # the whole result is inside the dialog
    dialog.reject()


class NoKeychain(MemoryKeys):
    def set(self, name: str, value: str) -> None:
        raise KeychainUnavailable("no Secret Service")

    def available(self) -> bool:
        return False


def test_without_a_keychain_one_error_not_two(qtbot, qapp: object) -> None:
    welcome = WelcomeDialog(Settings(), NoKeychain())
    qtbot.addWidget(welcome)
    welcome.show()
    qtbot.waitExposed(welcome)
    welcome.form.public.setText("cpk_" + "3" * 30)
    qtbot.mouseClick(welcome.done_button, Qt.MouseButton.LeftButton)
    shown = [label for label in welcome.findChildren(QLabel)
             if label.isVisible() and "No keychain" in label.text()]
    assert len(shown) == 1 and shown[0] is welcome.error


def test_new_settings_are_saved(qtbot, make_shell) -> None:
    shell: Shell = make_shell()
    shell.start()
    dialog = open_settings(qtbot, shell)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.copy_at_start.setChecked(True)
    dialog.delete_after.setChecked(True)
    dialog.notify_problems.setChecked(False)
    dialog.hotkey_area.setKeySequence(QKeySequence("Ctrl+Alt+A"))
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    saved = json.loads(paths.settings_file().read_text())
    assert (saved["theme"], saved["copy_link_at_start"], saved["delete_after_upload"],
            saved["notify_problems"], saved["hotkey_area"]) == (
        "dark", True, True, False, "Ctrl+Alt+A")
    assert shell.settings.theme == "dark"
    from capdesk.ui import theme
    theme.set_preference("system")  # the next tests' look
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app)


def test_settings_open_centred_on_the_recorder(qtbot, make_shell) -> None:
    shell: Shell = make_shell()
    shell.start()
    shell.window.move(300, 200)
    qtbot.waitExposed(shell.window)
    dialog = open_settings(qtbot, shell)
    centre, parent = dialog.frameGeometry().center(), shell.window.frameGeometry().center()
    assert abs(centre.x() - parent.x()) <= 2 and abs(centre.y() - parent.y()) <= 2
    dialog.reject()
