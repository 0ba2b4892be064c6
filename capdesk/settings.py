"""Every setting, declared once, typed, with its default.

Settings live in ``paths.settings_file()`` as JSON. Keys are NOT settings: they
live in the OS keychain (``capdesk.secrets``). ``CAP_BASE_URL`` and
``CAP_ORIGIN`` override the saved values.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from capdesk import paths
from capdesk.fileio import read_json, write_json_atomic

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://cap.so"
_LOOKS_LIKE_KEY = re.compile(r"c[sp]k_")

ENV_OVERRIDES = {"base_url": "CAP_BASE_URL", "origin": "CAP_ORIGIN"}


@dataclass
class Settings:
    base_url: str = DEFAULT_BASE_URL
    origin: str = ""  # the Origin header a production app requires
    save_folder: str = ""  # empty: paths.recordings_dir()
    fps: int = 30
    max_height: int = 1080
    quality: str = "standard"  # "standard" (0.15 bpp) or "high"
    countdown: int = 3  # seconds; 0 = off
    user_id: str = ""  # sent as userId on create
    copy_link: bool = True
    copy_link_at_start: bool = False  # copy the share link as soon as the video exists
    delete_after_upload: bool = False  # delete the local file once Cap has the video
    notify_link: bool = True  # a notification when a link is ready
    notify_problems: bool = True  # a notification when a recording or an upload fails
    theme: str = "system"  # system, light or dark
    start_at_login: bool = False
    hotkey_record: str = "Ctrl+Shift+R"
    hotkey_pause: str = "Ctrl+Shift+P"
    hotkey_area: str = "Ctrl+Shift+A"  # record an area
    told_about_tray: bool = False  # the window was closed once and the tray explained
    ask_microphone: bool = True
    microphone: bool = False  # record the microphone (the desktop app's choice)
    microphone_device: str = ""  # a microphone's id; empty: the system default
    system_audio: bool = False  # record the system sound where the OS offers it
    monitor: int = 0  # 0 = primary
    camera: bool = False  # the camera bubble (the desktop app's choice)
    camera_device: str = ""  # a camera's id (or a video file); empty: the system default
    bubble_size: str = "medium"  # small, medium or large
    bubble_position: str = ""  # "x,y": the bubble's centre, 0..1 of the area; "": bottom-right

    def recordings_folder(self) -> Path:
        return Path(self.save_folder).expanduser() if self.save_folder else paths.recordings_dir()

    def effective(self, name: str) -> Any:
        """A value with its environment override applied."""
        env = ENV_OVERRIDES.get(name)
        if env and os.environ.get(env):
            return os.environ[env]
        return getattr(self, name)


FIELD_TYPES: dict[str, type] = {f.name: type(f.default) for f in fields(Settings)}


def coerce(name: str, value: Any) -> Any:
    """Convert a value (e.g. a command-line string) to the setting's type, or ValueError."""
    if name not in FIELD_TYPES:
        raise ValueError(f"unknown setting {name!r}")
    kind = FIELD_TYPES[name]
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be true or false")
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):  # "abc" from `config set`; null, a list in the file
            example = getattr(Settings(), name)
            raise ValueError(
                f"{name.replace('_', '-')} must be a whole number, like {example}"
            ) from None
    if value is None or isinstance(value, (list, dict)):
        raise ValueError(f"{name} must be text")
    text = str(value)
    if _LOOKS_LIKE_KEY.search(text):
        raise ValueError("keys are not settings; they go to the keychain")
    return text


def load() -> Settings:
    path = paths.settings_file()
    settings = Settings()
    if not path.exists():
        return settings
    try:
        data = read_json(path)
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable settings file %s: %s", path, exc)
        return settings
    if not isinstance(data, dict):
        return settings
    for name, value in data.items():
        if name in FIELD_TYPES:
            try:
                setattr(settings, name, coerce(name, value))
            except ValueError:
                log.warning("ignoring bad value for setting %s", name)
    return settings


def save(settings: Settings) -> None:
    paths.private_dir(paths.settings_file().parent)
    write_json_atomic(paths.settings_file(), dataclasses.asdict(settings))
