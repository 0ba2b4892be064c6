"""packaging/linux/install.sh on its own (the bundle test runs it on a real bundle): install
for a user into a temporary HOME, then --uninstall, which must leave HOME as it found it,
start-at-login entry included, but never touch what is not the install's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from capdesk.ui import autostart

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux installer")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """What packaging/build puts in the tar.gz around the app: the executable (here a
    script that prints a version), the desktop entry, the icons and install.sh."""
    top = tmp_path / "capdesk-9.9.9"
    (top / "share/applications").mkdir(parents=True)
    shutil.copy(ROOT / "resources/capdesk.desktop", top / "share/applications/capdesk.desktop")
    for size in SIZES:
        icons = top / f"share/icons/hicolor/{size}x{size}/apps"
        icons.mkdir(parents=True)
        shutil.copy(ROOT / f"resources/icons/capdesk-{size}.png", icons / "capdesk.png")
    exe = top / "capdesk"
    exe.write_text("#!/bin/sh\necho capdesk 9.9.9\n")
    exe.chmod(0o755)
    shutil.copy(ROOT / "packaging/linux/install.sh", top / "install.sh")
    return top


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def run(script: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("XDG_") and key not in ("HOME", "SUDO_USER")}
    env["HOME"] = str(home)
    return subprocess.run(["sh", str(script), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def tree(home: Path) -> set[str]:
    return {path.relative_to(home).as_posix() + ("/" if path.is_dir() else "")
            for path in home.rglob("*")}


def login_entry(home: Path, command: list[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The start-at-login entry as the app itself writes it (capdesk/ui/autostart.py)."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    path = autostart.set_enabled(True, command)
    assert isinstance(path, Path) and path.is_file()
    return path


def test_uninstall_leaves_home_as_it_was(folder: Path, home: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(home)
    install = run(folder / "install.sh", home)
    assert install.returncode == 0, install.stderr
    app = home / ".local/share/capdesk/app"
    assert (app / "capdesk").is_file() and (home / ".local/bin/capdesk").is_symlink()
    assert (home / ".local/share/icons/hicolor/512x512/apps/capdesk.png").is_file()
    entry = login_entry(home, [str(app / "capdesk")], monkeypatch)
    assert entry == home / ".config/autostart/capdesk.desktop"

    remove = run(app / "install.sh", home, "--uninstall")
    assert remove.returncode == 0, remove.stderr
    assert not entry.exists()
    # The folders the test made for the login entry stay; nothing of the install does.
    assert tree(home) - {".config/", ".config/autostart/"} == before, tree(home)


def test_uninstall_keeps_what_is_not_the_installs(folder: Path, home: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Before the install: another app's icon, and the user's recordings next to the app.
    other_icon = home / ".local/share/icons/hicolor/48x48/apps/other.png"
    other_icon.parent.mkdir(parents=True)
    other_icon.write_bytes(b"png")
    recording = home / ".local/share/capdesk/recordings/mine.mp4"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"mp4")
    assert run(folder / "install.sh", home).returncode == 0
    # The login entry of another capdesk (an AppImage) is not this install's to remove.
    entry = login_entry(home, [str(home / "Apps/capdesk.AppImage")], monkeypatch)

    remove = run(folder / "install.sh", home, "--uninstall")
    assert remove.returncode == 0, remove.stderr
    assert entry.is_file() and other_icon.read_bytes() == b"png"
    assert recording.read_bytes() == b"mp4"
    assert not (home / ".local/share/capdesk/app").exists()
    # Icon folders the install made are gone; those that were there stay (with the icon
    # cache, when gtk-update-icon-cache is installed: it is refreshed, not removed).
    icons = home / ".local/share/icons/hicolor"
    assert sorted(p.name for p in icons.iterdir() if p.is_dir()) == ["48x48"]
    assert not (home / ".local/share/applications").exists()
    assert not (home / ".local/bin").exists()


def test_a_second_install_remembers_the_folders_the_first_made(
        folder: Path, home: Path) -> None:
    before = tree(home)
    assert run(folder / "install.sh", home).returncode == 0
    again = run(folder / "install.sh", home)  # an upgrade over the installed copy
    assert again.returncode == 0, again.stderr
    made = (home / ".local/share/capdesk/app/.made-folders").read_text().split()
    assert str(home / ".local/share/icons/hicolor/16x16/apps") in made
    # the icon cache gtk-update-icon-cache would leave in a hicolor folder the install made
    (home / ".local/share/icons/hicolor/icon-theme.cache").write_bytes(b"cache")
    remove = run(folder / "install.sh", home, "--uninstall")
    assert remove.returncode == 0, remove.stderr
    assert tree(home) == before, tree(home)
