"""Every path the app writes, built from platformdirs in one place.

``CAPDESK_HOME`` moves them all under one folder (tests point it at a temp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "capdesk"


def _home() -> Path | None:
    value = os.environ.get("CAPDESK_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home:
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def recordings_dir() -> Path:
    """Default folder for finished recordings (the user may choose another in settings)."""
    home = _home()
    if home:
        return home / "recordings"
    return Path(platformdirs.user_videos_dir()) / "capdesk"


def journals_dir() -> Path:
    """One JSON journal per recording lives here."""
    return data_dir() / "journals"


def settings_file() -> Path:
    return config_dir() / "settings.json"


PRIVATE_DIR_MODE = 0o700  # recordings and upload records are nobody else's business


def private_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parents) readable by this user only, and make an
    existing ``path`` so too (POSIX; elsewhere a plain mkdir: the profile is private)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


_secured: set[Path] = set()


def private_once(path: Path) -> Path:
    """``private_dir`` for a folder of capdesk's, once per process (and its parent
    folder too when that is capdesk's data folder, made by an older version 0755)."""
    if path not in _secured or not path.is_dir():
        if path.parent == data_dir():
            private_dir(path.parent)
        private_dir(path)
        _secured.add(path)
    return path
