"""Settings: typed defaults, an atomic JSON file, environment overrides, and no keys."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from capdesk import paths, settings
from capdesk.settings import Settings


@pytest.fixture
def home(cap_home: Path) -> Path:
    return cap_home


def settings_path(home: Path) -> Path:
    return home / "config" / "settings.json"


def write_raw(home: Path, data: bytes | str) -> Path:
    path = settings_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def test_defaults():
    config = Settings()
    assert config.base_url == "https://cap.so"
    assert config.origin == ""
    assert config.fps == 30
    assert config.max_height == 1080
    assert config.quality == "standard"
    assert config.countdown == 3
    assert config.copy_link is True
    assert config.start_at_login is False
    assert config.monitor == 0


def test_the_settings_file_lives_under_capdesk_home(home):
    assert paths.settings_file() == settings_path(home)


def test_load_without_a_file_gives_the_defaults(home):
    assert settings.load() == Settings()
    assert not settings_path(home).exists()


def test_the_recordings_folder(home):
    assert Settings().recordings_folder() == home / "recordings"
    assert Settings(save_folder="~/Videos/caps").recordings_folder() == (
        Path.home() / "Videos" / "caps")


def test_save_and_load_round_trip(home):
    config = Settings(base_url="https://cap.example.com", origin="https://rec.example.com",
                      fps=60, quality="high", countdown=0, copy_link=False,
                      start_at_login=True, user_id="user-7", monitor=2)
    settings.save(config)

    assert settings.load() == config
    on_disk = json.loads(settings_path(home).read_text(encoding="utf-8"))
    assert on_disk == dataclasses.asdict(config)
    assert [p.name for p in settings_path(home).parent.iterdir()] == ["settings.json"]


def test_saving_twice_replaces_the_file(home):
    settings.save(Settings(fps=24))
    settings.save(Settings(fps=60))
    assert settings.load().fps == 60
    assert [p.name for p in settings_path(home).parent.iterdir()] == ["settings.json"]


def test_a_failed_save_keeps_the_old_file_whole(home, monkeypatch):
    settings.save(Settings(fps=24))
    before = settings_path(home).read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr("capdesk.fileio.os.replace", broken_replace)
        with pytest.raises(OSError, match="disk full"):
            settings.save(Settings(fps=60))

    assert settings_path(home).read_bytes() == before
    assert [p.name for p in settings_path(home).parent.iterdir()] == ["settings.json"]
    assert settings.load().fps == 24


def test_the_environment_overrides_base_url_and_origin(home, monkeypatch):
    settings.save(Settings(base_url="https://saved.example.com", origin="https://saved.origin"))
    config = settings.load()
    assert config.effective("base_url") == "https://saved.example.com"
    assert config.effective("origin") == "https://saved.origin"

    monkeypatch.setenv("CAP_BASE_URL", "http://localhost:3000")
    monkeypatch.setenv("CAP_ORIGIN", "https://env.origin")
    config = settings.load()
    assert config.effective("base_url") == "http://localhost:3000"
    assert config.effective("origin") == "https://env.origin"
    assert config.base_url == "https://saved.example.com"  # the file is not changed
    assert config.effective("fps") == 30


def test_an_empty_environment_variable_does_not_override(home, monkeypatch):
    monkeypatch.setenv("CAP_BASE_URL", "")
    assert Settings(base_url="https://x.example").effective("base_url") == "https://x.example"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("copy_link", "yes", True),
        ("copy_link", "ON", True),
        ("copy_link", " 1 ", True),
        ("copy_link", "false", False),
        ("copy_link", "off", False),
        ("copy_link", False, False),
        ("fps", "60", 60),
        ("fps", 25, 25),
        ("countdown", "0", 0),
        ("origin", "https://rec.example.com", "https://rec.example.com"),
        ("user_id", "desk_user", "desk_user"),
        ("quality", "high", "high"),
    ],
)
def test_coerce(name, value, expected):
    result = settings.coerce(name, value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("copy_link", "maybe"),
        ("fps", "sixty"),
        ("fps", None),
        ("fps", [30]),
        ("origin", None),
        ("user_id", {"id": 1}),
        ("no_such_setting", "x"),
    ],
)
def test_coerce_refuses_bad_values(name, value):
    with pytest.raises(ValueError):
        settings.coerce(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("user_id", "cpk_live0123456789"),
        ("origin", "csk_live0123456789"),
        ("base_url", "https://cap.so/?key=csk_live0123456789"),
        ("hotkey_record", "pasted cpk_abc by mistake"),
    ],
)
def test_coerce_refuses_values_that_look_like_keys(name, value):
    with pytest.raises(ValueError, match="keys are not settings") as info:
        settings.coerce(name, value)
    assert "0123456789" not in str(info.value)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00\x01",
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
    ],
)
def test_an_unreadable_file_gives_the_defaults(home, content):
    write_raw(home, content)
    assert settings.load() == Settings()


def test_a_settings_path_that_is_a_folder_gives_the_defaults(home):
    settings_path(home).mkdir(parents=True)
    assert settings.load() == Settings()


def test_bad_values_in_the_file_are_ignored_one_by_one(home, caplog):
    write_raw(home, json.dumps({
        "fps": "sixty",
        "countdown": 5,
        "max_height": None,
        "origin": None,
        "base_url": ["https://x"],
        "copy_link": "nope",
        "user_id": "csk_live0123456789",
        "quality": "high",
        "unknown_setting": 1,
    }))
    config = settings.load()
    assert config == Settings(countdown=5, quality="high")
    assert "ignoring bad value for setting fps" in caplog.text
    assert "0123456789" not in caplog.text


def test_saved_settings_never_contain_a_key(home):
    settings.save(Settings(user_id="desk_user"))
    text = settings_path(home).read_text(encoding="utf-8")
    assert "cpk_" not in text
    assert "csk_" not in text
    assert not {"public_key", "secret_key", "key"} & set(json.loads(text))
