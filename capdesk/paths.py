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


def log_dir() -> Path:
    home = _home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


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


def ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
