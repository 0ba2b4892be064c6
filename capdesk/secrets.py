"""Keys in the OS keychain, through keyring. Environment variables override.

``CAP_PUBLIC_KEY`` and ``CAP_SECRET_KEY`` win over the keychain. Where no
keychain backend exists (a headless Linux box) only the environment variables
work, and we say so: a key is never written to a plain file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import keyring
import keyring.errors

from capdesk import exitcodes
from capdesk.errors import CapdeskError

log = logging.getLogger(__name__)

SERVICE = "capdesk"
PUBLIC = "public-key"
SECRET = "secret-key"
ENV = {PUBLIC: "CAP_PUBLIC_KEY", SECRET: "CAP_SECRET_KEY"}
PREFIX = {PUBLIC: "cpk_", SECRET: "csk_"}

NO_KEYCHAIN = (
    "No keychain is available on this system, so keys cannot be saved; "
    "set CAP_PUBLIC_KEY (and CAP_SECRET_KEY) in the environment instead"
)


class KeychainUnavailable(CapdeskError):
    """No usable OS keychain: a key cannot be saved or read there."""

    exit_code = exitcodes.NOT_CONFIGURED

    def __init__(self, detail: str = "") -> None:
        super().__init__(NO_KEYCHAIN + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class KeyInfo:
    name: str
    value: str | None
    source: str  # "environment", "keychain" or "none"


def keychain_available() -> tuple[bool, str]:
    """Whether a real keychain backend exists, and its name."""
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    priority = getattr(backend, "priority", 0)
    try:
        usable = float(priority) > 0
    except (TypeError, ValueError):
        usable = True
    if "fail" in name.lower() or "null" in name.lower() or not usable:
        return False, name
    # keyrings.alt's plaintext backends write keys to plain files: refuse them.
    if "plaintext" in name.lower() or name.startswith("keyrings.alt.file"):
        return False, name
    return True, name


def get_key(name: str) -> KeyInfo:
    env_value = os.environ.get(ENV[name], "").strip()
    if env_value:
        return KeyInfo(name, env_value, "environment")
    ok, _ = keychain_available()
    if not ok:
        return KeyInfo(name, None, "none")
    try:
        value = keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        log.warning("keychain read failed: %s", type(exc).__name__)
        return KeyInfo(name, None, "none")
    return KeyInfo(name, value or None, "keychain" if value else "none")


def set_key(name: str, value: str) -> None:
    value = value.strip()
    if not value.startswith(PREFIX[name]):
        raise ValueError(f"a {name.replace('-', ' ')} starts with {PREFIX[name]}")
    ok, backend = keychain_available()
    if not ok:
        raise KeychainUnavailable()
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise KeychainUnavailable(type(exc).__name__) from None
    log.info("saved the %s to the keychain (%s)", name, backend)


def delete_key(name: str) -> bool:
    ok, _ = keychain_available()
    if not ok:
        raise KeychainUnavailable()
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:  # e.g. a locked keychain
        raise KeychainUnavailable(type(exc).__name__) from None
    return True


def mask(value: str | None) -> str:
    """``cpk_abcd…wxyz``: enough to recognise a key, never enough to use it."""
    if not value:
        return "(not set)"
    prefix, sep, rest = value.partition("_")
    if not sep or prefix not in ("cpk", "csk"):  # not a Cap key: show no "prefix" of it
        prefix, rest = "", value
    shown = f"{prefix}_" if prefix else ""
    if len(rest) < 12:
        return f"{shown}…"
    return f"{shown}{rest[:4]}…{rest[-4:]}"
