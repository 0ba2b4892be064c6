"""The Cap connection form: public key, secret key, server URL, Origin, and a Test button.

Used by Settings and by the first-run screen. Keys are never shown: the fields
start empty with the masked current key as placeholder; an empty field keeps the
saved key. ``save()`` puts typed keys in the keychain (through ``KeyStore``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capdesk import secrets
from capdesk.settings import DEFAULT_BASE_URL, Settings
from capdesk.ui import theme
from capdesk.ui.keycheck import KeyReport, KeyResult, check_keys
from capdesk.ui.services import KeyStore
from capdesk.ui.signals import emit
from capdesk.ui.threads import run_in_worker

SOURCES = {"environment": "from the environment", "keychain": "in the keychain"}


class KeyForm(QWidget):
    tested = Signal(object)  # KeyReport

    def __init__(self, keys: KeyStore, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.public = self._key_field("publicKey", secrets.PUBLIC)
        self.secret = self._key_field("secretKey", secrets.SECRET)
        self.base_url = QLineEdit(settings.base_url)
        self.base_url.setObjectName("baseUrl")
        self.base_url.setPlaceholderText(DEFAULT_BASE_URL)
        self.origin = QLineEdit(settings.origin)
        self.origin.setObjectName("origin")
        self.origin.setPlaceholderText("only for production apps, e.g. https://example.com")
        form.addRow("Public key", self.public)
        form.addRow("Secret key", self.secret)
        form.addRow("Server", self.base_url)
        form.addRow("Origin", self.origin)
        layout.addLayout(form)

        row = QHBoxLayout()
        self.test_button = QPushButton("Test keys")
        self.test_button.setObjectName("testKeys")
        self.result = QLabel()
        self.result.setObjectName("keyTestResult")
        self.result.setWordWrap(True)
        row.addWidget(self.test_button)
        row.addWidget(self.result, 1)
        layout.addLayout(row)
        if not keys.available():
            note = QLabel(secrets.NO_KEYCHAIN + ".")
            note.setObjectName("noKeychain")
            note.setProperty("role", "note")
            note.setWordWrap(True)
            layout.addWidget(note)
        self.test_button.clicked.connect(self.test)

    def _key_field(self, name: str, key: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setClearButtonEnabled(True)
        info = self.keys.get(key)
        prefix = secrets.PREFIX[key]
        if info.value:
            field.setPlaceholderText(f"{secrets.mask(info.value)} ({SOURCES.get(info.source, '')})"
                                     " · paste a new key to replace it")
        else:
            field.setPlaceholderText(f"{prefix}…  paste the key here")
        return field

    # -- values -------------------------------------------------------------------------
    def typed(self, key: str) -> str:
        field = self.public if key == secrets.PUBLIC else self.secret
        return field.text().strip()

    def effective(self, key: str) -> str | None:
        return self.typed(key) or self.keys.get(key).value

    def apply_to(self, settings: Settings) -> None:
        settings.base_url = self.base_url.text().strip() or DEFAULT_BASE_URL
        settings.origin = self.origin.text().strip()

    def validate(self) -> str | None:
        for key in (secrets.PUBLIC, secrets.SECRET):
            value = self.typed(key)
            if value and not value.startswith(secrets.PREFIX[key]):
                return (f"A {key.replace('-', ' ')} starts with {secrets.PREFIX[key]}; "
                        "check that you pasted the right one.")
        return None

    def save_keys(self) -> None:
        """Save typed keys to the keychain; raises KeychainUnavailable or ValueError."""
        for key in (secrets.PUBLIC, secrets.SECRET):
            value = self.typed(key)
            if value:
                self.keys.set(key, value)

    # -- testing --------------------------------------------------------------------------
    @Slot()
    def test(self) -> None:
        problem = self.validate()
        if problem:
            self._show(KeyResult(False, problem))
            return
        base = self.base_url.text().strip() or DEFAULT_BASE_URL
        origin = self.origin.text().strip() or None
        public, secret = self.effective(secrets.PUBLIC), self.effective(secrets.SECRET)
        self.test_button.setEnabled(False)
        self.result.setText("Testing…")
        self.result.setStyleSheet("")
        run_in_worker(lambda: check_keys(base, origin, public, secret), self._tested)

    def _tested(self, report: KeyReport | None, error: BaseException | None) -> None:
        self.test_button.setEnabled(True)
        if report is None:
            self._show(KeyResult(False, f"The test failed: {error}"))
            return
        worst = report.public if report.public.ok is not True else report.secret
        if report.public.ok is True and report.secret.ok is not False:
            lines = [report.public.text, report.secret.text]
            self._show(KeyResult(True, "\n".join(lines)))
        else:
            self._show(worst)
        emit(self.tested, report)

    def _show(self, result: KeyResult) -> None:
        colours = theme.current()
        colour = colours.ok if result.ok else colours.error if result.ok is False else ""
        self.result.setStyleSheet(f"color: {colour};" if colour else "")
        self.result.setText(result.text)
