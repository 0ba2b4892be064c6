"""OS services the app uses, behind small interfaces that tests replace.

The real implementations use Qt (clipboard, browser) or ``capdesk.secrets``
(keychain). Tests pass fakes, so no test opens a browser or touches the
user's keychain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from capdesk import secrets


class Clipboard(Protocol):
    def set_text(self, text: str) -> None: ...
    def text(self) -> str: ...


class Browser(Protocol):
    def open(self, url: str) -> bool: ...


class KeyStore(Protocol):
    """The two Cap keys: read (env or keychain), save, forget."""

    def get(self, name: str) -> secrets.KeyInfo: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...
    def available(self) -> bool: ...


class QtClipboard:
    def set_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def text(self) -> str:
        return QGuiApplication.clipboard().text()


class DesktopBrowser:
    def open(self, url: str) -> bool:
        return bool(QDesktopServices.openUrl(QUrl(url)))


class KeychainStore:
    """``capdesk.secrets``: environment variables first, then the OS keychain."""

    def get(self, name: str) -> secrets.KeyInfo:
        return secrets.get_key(name)

    def set(self, name: str, value: str) -> None:
        secrets.set_key(name, value)

    def delete(self, name: str) -> None:
        secrets.delete_key(name)

    def available(self) -> bool:
        return secrets.keychain_available()[0]


@dataclass
class Services:
    clipboard: Clipboard = field(default_factory=QtClipboard)
    browser: Browser = field(default_factory=DesktopBrowser)
    keys: KeyStore = field(default_factory=KeychainStore)
