"""Keys live in the OS keychain (through keyring); the environment overrides it."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from capdesk import secrets

PUBLIC = "cpk_live0123456789abcdefWXYZ"
SECRET = "csk_live9876543210fedcbaQRST"


class MemoryKeyring(KeyringBackend):
    """Stands in for the OS keychain (Keychain, Credential Manager, Secret Service), which
    cannot run in this test environment: it keeps passwords in a dict, in memory only."""

    priority = 5

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


class LockedKeyring(MemoryKeyring):
    """A keychain that exists but refuses every operation (locked, or access denied)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked(f"locked, could not store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


@pytest.fixture
def use_backend(cap_home):
    previous = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


@pytest.fixture
def memory(use_backend) -> MemoryKeyring:
    backend = MemoryKeyring()
    use_backend(backend)
    return backend


@pytest.fixture
def headless(use_backend):
    return use_backend(keyring.backends.fail.Keyring())


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


# --- masking ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("cpk_abcd1234567890wxyz", "cpk_abcd…wxyz"),
        ("csk_AAAAbbbbccccDDDD", "csk_AAAA…DDDD"),
        ("cpk_abcdefghijkl", "cpk_abcd…ijkl"),
        ("cpk_abcdefghijk", "cpk_…"),  # too short to show any of it
        ("cpk_", "cpk_…"),
        (None, "(not set)"),
        ("", "(not set)"),
    ],
)
def test_mask(value, masked):
    assert secrets.mask(value) == masked


@pytest.mark.parametrize(
    "value",
    [
        "hunter2hunter2hunter2",  # no underscore: must not be shown whole
        "my-very-long-password_value",  # a long "prefix" must not be shown either
        "0123456789abcdef0123456789_x",
        "shortpw",
    ],
)
def test_mask_never_shows_more_than_eight_characters_of_a_value(value):
    masked = secrets.mask(value)
    shown = masked.replace("…", "")
    assert len(shown) <= 8
    assert value not in masked


# --- environment and keychain -------------------------------------------------------


def test_the_environment_overrides_the_keychain(memory, monkeypatch):
    secrets.set_key(secrets.PUBLIC, PUBLIC)
    monkeypatch.setenv("CAP_PUBLIC_KEY", "  cpk_fromenv0123456789  ")
    info = secrets.get_key(secrets.PUBLIC)
    assert info == secrets.KeyInfo(secrets.PUBLIC, "cpk_fromenv0123456789", "environment")
    assert secrets.get_key(secrets.SECRET).source == "none"


def test_an_empty_environment_variable_does_not_override(memory, monkeypatch):
    secrets.set_key(secrets.SECRET, SECRET)
    monkeypatch.setenv("CAP_SECRET_KEY", "   ")
    assert secrets.get_key(secrets.SECRET) == secrets.KeyInfo(secrets.SECRET, SECRET, "keychain")


def test_set_get_delete_in_the_keychain(memory, cap_home):
    assert secrets.keychain_available()[0] is True
    assert secrets.get_key(secrets.PUBLIC) == secrets.KeyInfo(secrets.PUBLIC, None, "none")

    secrets.set_key(secrets.PUBLIC, f"  {PUBLIC}\n")
    secrets.set_key(secrets.SECRET, SECRET)

    assert memory.store == {("capdesk", "public-key"): PUBLIC, ("capdesk", "secret-key"): SECRET}
    assert secrets.get_key(secrets.PUBLIC) == secrets.KeyInfo(secrets.PUBLIC, PUBLIC, "keychain")
    assert secrets.get_key(secrets.SECRET).value == SECRET

    assert secrets.delete_key(secrets.PUBLIC) is True
    assert secrets.delete_key(secrets.PUBLIC) is False
    assert secrets.get_key(secrets.PUBLIC).value is None
    assert secrets.get_key(secrets.SECRET).value == SECRET

    # nothing of it went to a file under CAPDESK_HOME
    for path in files_under(cap_home):
        data = path.read_bytes()
        assert PUBLIC[4:].encode() not in data
        assert SECRET[4:].encode() not in data
    assert files_under(cap_home) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (secrets.PUBLIC, SECRET),
        (secrets.SECRET, PUBLIC),
        (secrets.PUBLIC, "live0123456789"),
        (secrets.SECRET, ""),
    ],
)
def test_set_key_refuses_a_value_of_the_wrong_kind(memory, name, value):
    with pytest.raises(ValueError) as info:
        secrets.set_key(name, value)
    assert memory.store == {}
    if value:
        assert value[4:] not in str(info.value)


def test_saving_logs_no_key(memory, caplog):
    caplog.set_level(logging.DEBUG)
    secrets.set_key(secrets.SECRET, SECRET)
    secrets.get_key(secrets.SECRET)
    assert "keychain" in caplog.text
    assert SECRET[4:] not in caplog.text


# --- no keychain (a headless machine) -------------------------------------------------


def test_a_headless_machine_has_no_keychain(headless):
    ok, backend = secrets.keychain_available()
    assert ok is False
    assert backend == "keyring.backends.fail.Keyring"


def test_a_headless_machine_cannot_save_or_delete(headless):
    with pytest.raises(secrets.KeychainUnavailable) as info:
        secrets.set_key(secrets.PUBLIC, PUBLIC)
    assert "CAP_PUBLIC_KEY" in str(info.value)
    assert PUBLIC[4:] not in str(info.value)
    with pytest.raises(secrets.KeychainUnavailable):
        secrets.delete_key(secrets.PUBLIC)


def test_a_headless_machine_reads_keys_from_the_environment_only(headless, monkeypatch):
    assert secrets.get_key(secrets.PUBLIC) == secrets.KeyInfo(secrets.PUBLIC, None, "none")
    monkeypatch.setenv("CAP_PUBLIC_KEY", PUBLIC)
    assert secrets.get_key(secrets.PUBLIC) == secrets.KeyInfo(secrets.PUBLIC, PUBLIC,
                                                              "environment")


def test_a_headless_machine_writes_no_file(headless, cap_home):
    with pytest.raises(secrets.KeychainUnavailable):
        secrets.set_key(secrets.SECRET, SECRET)
    assert files_under(cap_home) == []


@pytest.mark.parametrize("name", ["PlaintextKeyring", "NullKeyring"])
def test_plaintext_and_null_backends_do_not_count(use_backend, name):
    use_backend(type(name, (MemoryKeyring,), {})())
    assert secrets.keychain_available()[0] is False
    with pytest.raises(secrets.KeychainUnavailable):
        secrets.set_key(secrets.SECRET, SECRET)


def test_a_backend_without_priority_does_not_count(use_backend):
    use_backend(type("ZeroKeyring", (MemoryKeyring,), {"priority": 0})())
    assert secrets.keychain_available()[0] is False


# --- a keychain that refuses -------------------------------------------------------


def test_a_locked_keychain_is_reported_without_the_key(use_backend):
    use_backend(LockedKeyring())
    with pytest.raises(secrets.KeychainUnavailable) as info:
        secrets.set_key(secrets.SECRET, SECRET)
    assert "KeyringLocked" in str(info.value)
    assert SECRET[4:] not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ is True


def test_a_locked_keychain_reads_as_no_key(use_backend, caplog):
    use_backend(LockedKeyring())
    assert secrets.get_key(secrets.PUBLIC) == secrets.KeyInfo(secrets.PUBLIC, None, "none")
    assert "keychain read failed: KeyringLocked" in caplog.text


def test_a_locked_keychain_cannot_delete(use_backend):
    use_backend(LockedKeyring())
    with pytest.raises(secrets.KeychainUnavailable, match="KeyringLocked"):
        secrets.delete_key(secrets.PUBLIC)
