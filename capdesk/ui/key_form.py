"""The Cap connection form: public key, secret key, a Test button, "Get your keys", and
an Advanced fold with the server and the Origin.

Used by Settings and by the first-run screen. Keys are never shown: the fields
start empty with the masked current key as placeholder; an empty field keeps the
saved key. ``save()`` puts typed keys in the keychain (through ``KeyStore``). The
server field shows the server in use (``CAP_BASE_URL`` included).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capdesk import secrets
from capdesk.settings import DEFAULT_BASE_URL, ENV_OVERRIDES, Settings
from capdesk.ui import theme, wording
from capdesk.ui.keycheck import KeyReport, KeyResult, check_keys
from capdesk.ui.services import Browser, KeyStore
from capdesk.ui.signals import emit
from capdesk.ui.threads import run_in_worker

SOURCES = {"environment": "from the environment", "keychain": "in the keychain"}
DASHBOARD_PATH = "/dashboard/developers"


def dashboard_url(base_url: str) -> str:
    """Cap's developer dashboard on the server in use (where the keys are)."""
    return (base_url.strip() or DEFAULT_BASE_URL).rstrip("/") + DASHBOARD_PATH


class KeyForm(QWidget):
    tested = Signal(object)  # KeyReport
    grew = Signal()  # a test result or the Advanced fold changed the form's height

    def __init__(self, keys: KeyStore, settings: Settings, parent: QWidget | None = None,
                 browser: Browser | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self.browser = browser
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.public = self._key_field("publicKey", secrets.PUBLIC)
        self.secret = self._key_field("secretKey", secrets.SECRET)
        form.addRow("Public key", self.public)
        form.addRow("Secret key", self.secret)
        layout.addLayout(form)

        row = QHBoxLayout()
        self.test_button = QPushButton("Test keys")
        self.test_button.setObjectName("testKeys")
        self.test_button.setAutoDefault(False)
        self.get_keys = QPushButton("Get your keys")
        self.get_keys.setObjectName("getKeys")
        self.get_keys.setAutoDefault(False)
        self.get_keys.setToolTip("Open Cap's developer dashboard, where your app's keys are")
        row.addWidget(self.test_button)
        row.addWidget(self.get_keys)
        row.addStretch(1)
        layout.addLayout(row)
        self.result = QLabel()
        self.result.setObjectName("keyTestResult")
        self.result.setWordWrap(True)
        self.result.hide()
        layout.addWidget(self.result)

        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setObjectName("advancedToggle")
        self.advanced_toggle.setText("Advanced: your own Cap server, Origin")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        layout.addWidget(self.advanced_toggle)
        self.advanced = QWidget()
        self.advanced.setObjectName("advanced")
        advanced = QFormLayout(self.advanced)
        advanced.setContentsMargins(0, 0, 0, 0)
        advanced.setHorizontalSpacing(14)
        advanced.setVerticalSpacing(8)
        advanced.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        env_base = os.environ.get(ENV_OVERRIDES["base_url"], "").strip()
        self.base_url = QLineEdit(env_base or settings.base_url)
        self.base_url.setObjectName("baseUrl")
        self.base_url.setPlaceholderText(DEFAULT_BASE_URL)
        if env_base:
            self.base_url.setReadOnly(True)
            self.base_url.setToolTip("Set by the CAP_BASE_URL environment variable")
        self.origin = QLineEdit(settings.effective("origin"))
        self.origin.setObjectName("origin")
        self.origin.setPlaceholderText("only for production apps, e.g. https://example.com")
        server_help = QLabel("A self-hosted Cap has its own address. A production app also "
                             "needs one of its allowed domains as Origin.")
        server_help.setProperty("role", "muted")
        server_help.setWordWrap(True)
        advanced.addRow("Server", self.base_url)
        advanced.addRow("Origin", self.origin)
        advanced.addRow(server_help)
        self.advanced.setVisible(bool(env_base) or settings.base_url != DEFAULT_BASE_URL
                                 or bool(settings.origin))
        self.advanced_toggle.setChecked(self.advanced.isVisible())
        self._arrow()
        layout.addWidget(self.advanced)

        self.no_keychain: QLabel | None = None
        if not keys.available():
            note = QLabel(secrets.NO_KEYCHAIN + ".")
            note.setObjectName("noKeychain")
            note.setProperty("role", "note")
            note.setWordWrap(True)
            layout.addWidget(note)
            self.no_keychain = note
        self.test_button.clicked.connect(self.test)
        self.get_keys.clicked.connect(self.open_dashboard)
        self.advanced_toggle.toggled.connect(self._fold)

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

    def _fold(self, open_: bool) -> None:
        self.advanced.setVisible(open_)
        self._arrow()
        emit(self.grew)

    def _arrow(self) -> None:
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if self.advanced.isVisible()
                                          else Qt.ArrowType.RightArrow)

    # -- values -------------------------------------------------------------------------
    def typed(self, key: str) -> str:
        field = self.public if key == secrets.PUBLIC else self.secret
        return field.text().strip()

    def effective(self, key: str) -> str | None:
        return self.typed(key) or self.keys.get(key).value

    def typed_any(self) -> bool:
        return bool(self.typed(secrets.PUBLIC) or self.typed(secrets.SECRET))

    def server(self) -> str:
        return self.base_url.text().strip() or DEFAULT_BASE_URL

    def apply_to(self, settings: Settings) -> None:
        if not self.base_url.isReadOnly():  # an environment override is not saved
            settings.base_url = self.server()
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

    def hide_keychain_note(self) -> None:
        """The same words are about to show as the error: once is enough."""
        if self.no_keychain is not None:
            self.no_keychain.hide()

    @Slot()
    def open_dashboard(self) -> None:
        if self.browser is not None:
            self.browser.open(dashboard_url(self.server()))

    # -- testing --------------------------------------------------------------------------
    @Slot()
    def test(self) -> None:
        problem = self.validate()
        if problem:
            self._show(KeyResult(False, problem))
            return
        base = self.server()
        origin = self.origin.text().strip() or None
        public, secret = self.effective(secrets.PUBLIC), self.effective(secrets.SECRET)
        self.test_button.setEnabled(False)
        self.result.setText("Testing…")
        self.result.setStyleSheet("")
        self.result.show()
        emit(self.grew)
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
        self.result.setText(wording.for_people(result.text))
        self.result.show()
        emit(self.grew)
