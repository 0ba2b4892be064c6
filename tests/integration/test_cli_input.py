"""The command line refuses bad input before anything starts (exit 2, the argument named,
nothing sent to Cap), says "not configured" with exit 7, and never records over a file
unless asked to, nor over one whose upload is unfinished."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from capdesk import exitcodes, secrets, settings
from capdesk.engine.journal import Journal, State
from tests.fakecap.fixtures import CapApp
from tests.integration.cli_helpers import Run, make_video, run_cli, use_app
from tests.media import write_video


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CAPDESK_HOME in a temp dir, and no keychain: a key can only come from the env."""
    monkeypatch.setattr(secrets, "keychain_available",
                        lambda: (False, "keyring.backends.fail.Keyring"))
    return tmp_path / "home"


@pytest.fixture
def configured(cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch) -> CapApp:
    use_app(monkeypatch, cap_app, home)
    return cap_app


@pytest.fixture
def unconfigured(cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch) -> CapApp:
    """The server URL points at the fake server (so a request would show in its log),
    but no key is set anywhere."""
    use_app(monkeypatch, cap_app, home)
    monkeypatch.delenv("CAP_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("CAP_SECRET_KEY", raising=False)
    return cap_app


def _text_file(path: Path) -> Path:
    path.write_text("".join(f"line {i}: this is not a video\n" for i in range(300)))
    return path


def _mpeg4_file(path: Path) -> Path:
    pictures = (np.full((48, 64, 3), i * 20, np.uint8) for i in range(10))
    return write_video(path, pictures, fps=10, codec="mpeg4")


# --- exit 2, the argument named, nothing sent ----------------------------------------


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["videos", "get", "../../etc/passwd"], "ID"),
        (["videos", "status", "../videos", "--json"], "ID"),
        (["videos", "delete", "abc/../../usage", "--yes"], "ID"),
        (["videos", "get", "abc?userId=x"], "ID"),
        (["videos", "list", "--offset", "-3"], "--offset"),
        (["videos", "list", "--limit", "0"], "--limit"),
        (["videos", "list", "--limit", "-5"], "--limit"),
        (["videos", "list", "--limit", "101"], "--limit"),
        (["videos", "status", "abc", "--wait", "--timeout", "-1"], "--timeout"),
    ],
)
def test_bad_arguments_exit_2_and_send_nothing(
    configured: CapApp, capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    run = run_cli(capsys, *argv)
    assert run.code == exitcodes.USAGE, run.err
    assert f"argument {named}:" in run.err
    assert "Traceback" not in run.err
    assert configured.server.api_log == []


def test_a_good_id_still_reaches_the_server(configured: CapApp,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    video_id = configured.server.seed_videos(configured.app_id, 1)[0]
    run = run_cli(capsys, "videos", "get", video_id, "--json")
    assert run.code == 0 and run.json()["id"] == video_id


@pytest.mark.parametrize("region", ["-5,0", "-5,0,100", "-5,0,1,100", "--", "a,b,c,d"])
def test_a_malformed_region_names_region_and_its_form(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    region: str,
) -> None:
    monkeypatch.setenv("CAPDESK_HOME", str(home))
    run = run_cli(capsys, "record", "--source", "synthetic", "--no-upload",
                  "--region", region)
    assert run.code == exitcodes.USAGE
    assert "argument --region:" in run.err
    if region != "--":  # not argparse's "expected one argument" for a leading dash
        assert "expected X,Y,W,H" in run.err
    assert not home.exists() or not list(home.rglob("*.mp4"))


def test_a_region_left_of_the_primary_monitor_records(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--region -5,0,...`` used to be read as an unknown option; for the synthetic card
    only W and H matter."""
    monkeypatch.setenv("CAPDESK_HOME", str(home))
    out = tmp_path / "left.mp4"
    run = run_cli(capsys, "record", "--source", "synthetic", "--seconds", "0.2", "--fps", "10",
                  "--no-upload", "--json", "--region", "-5,0,320,180", "--output", str(out))
    assert run.code == exitcodes.OK, run.err
    assert (run.json()["width"], run.json()["height"]) == (320, 180)


@pytest.mark.parametrize(("name", "value"), [("fps", "abc"), ("max-height", "tall"),
                                             ("countdown", "3s")])
def test_config_set_a_number_that_is_not_one(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    name: str, value: str,
) -> None:
    monkeypatch.setenv("CAPDESK_HOME", str(home))
    run = run_cli(capsys, "config", "set", name, value)
    assert run.code == exitcodes.USAGE
    assert f"{name} must be a whole number" in run.err
    assert "invalid literal" not in run.err
    assert settings.load() == settings.Settings()


@pytest.mark.parametrize(
    "metadata",
    ['{"a": NaN}', '{"a": Infinity}', '{"a": [-Infinity]}', '{"big": 1e999}', "[1, 2]",
     json.dumps({"notes": "x" * 8200})],
)
def test_upload_refuses_metadata_cap_cannot_take(
    configured: CapApp, tmp_path: Path, capsys: pytest.CaptureFixture[str], metadata: str
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not even looked at: the arguments fail first")
    run = run_cli(capsys, "upload", str(video), "--metadata", metadata)
    assert run.code == exitcodes.USAGE
    assert "argument --metadata:" in run.err and "Traceback" not in run.err
    assert configured.server.api_log == []


def test_record_refuses_metadata_over_8_kib_before_recording(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CAPDESK_HOME", str(home))
    out = tmp_path / "never.mp4"
    run = run_cli(capsys, "record", "--source", "synthetic", "--seconds", "0.2", "--no-upload",
                  "--output", str(out), "--metadata", json.dumps({"notes": "é" * 8200}))
    assert run.code == exitcodes.USAGE
    assert "argument --metadata:" in run.err and "8192" in run.err
    assert not out.exists()


def test_metadata_at_the_limit_reaches_cap(
    configured: CapApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """8192 UTF-16 units of compact JSON, 16 KiB of UTF-8: Cap counts units, and takes it."""
    value = {"k": "é" * (8192 - len('{"k":""}'))}
    video = make_video(tmp_path / "clip.mp4", seconds=0.5)
    run = run_cli(capsys, "upload", str(video), "--json", "--metadata",
                  json.dumps(value, indent=2))
    assert run.code == exitcodes.OK, run.err
    assert configured.server.video(run.json()["videoId"])["metadata"] == value


@pytest.mark.parametrize(
    ("make", "said"),
    [(lambda p: _text_file(p / "notes.txt"), "notes.txt is not a video: FFmpeg reads it as tty"),
     (lambda p: _text_file(p / "notes.mp4"), "notes.mp4 is not a video"),
     (lambda p: _mpeg4_file(p / "old.mp4"), "mpeg4 (MPEG-4 part 2), which browsers do not play"),
     (lambda p: p, "is not a file"),
     (lambda p: p / "missing.mp4", "does not exist")],
)
def test_upload_refuses_what_is_not_a_playable_video(
    configured: CapApp, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], Path], said: str,
) -> None:
    path = make(tmp_path)
    run = run_cli(capsys, "upload", str(path), "--json")
    assert run.code == exitcodes.USAGE
    assert said in run.err
    assert run.out == ""
    assert configured.server.api_log == []
    assert configured.videos() == []


# --- exit 7: not configured ----------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "key_env"),
    [
        (["videos", "list"], "CAP_SECRET_KEY"),
        (["videos", "get", "abc123"], "CAP_SECRET_KEY"),
        (["videos", "status", "abc123", "--json"], "CAP_SECRET_KEY"),
        (["videos", "delete", "abc123", "--yes"], "CAP_SECRET_KEY"),
        (["usage", "--json"], "CAP_SECRET_KEY"),
    ],
)
def test_a_missing_key_exits_7_with_both_ways_to_set_it(
    unconfigured: CapApp, capsys: pytest.CaptureFixture[str], argv: list[str], key_env: str
) -> None:
    run = run_cli(capsys, *argv)
    assert run.code == exitcodes.NOT_CONFIGURED == 7
    assert "capdesk config set secret-key" in run.err and key_env in run.err
    assert run.out == ""
    assert unconfigured.server.api_log == []


def test_upload_without_a_public_key_exits_7(
    unconfigured: CapApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = make_video(tmp_path / "clip.mp4", seconds=0.5)
    run = run_cli(capsys, "upload", str(video))
    assert run.code == exitcodes.NOT_CONFIGURED
    assert "capdesk config set public-key" in run.err and "CAP_PUBLIC_KEY" in run.err
    assert unconfigured.server.api_log == []


def test_resume_without_a_public_key_exits_7(
    unconfigured: CapApp, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = make_video(tmp_path / "clip.mp4", seconds=0.5)
    Journal.new(video, state=State.NEEDS_CREDITS).save()
    run = run_cli(capsys, "resume")
    assert run.code == exitcodes.NOT_CONFIGURED
    assert "CAP_PUBLIC_KEY" in run.err
    assert unconfigured.server.api_log == []


def test_a_key_of_the_wrong_kind_is_a_configuration_problem(
    unconfigured: CapApp, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAP_SECRET_KEY", unconfigured.public_key)
    run = run_cli(capsys, "usage")
    assert run.code == exitcodes.NOT_CONFIGURED
    assert unconfigured.public_key not in run.err
    assert unconfigured.public_key[4:] not in run.err
    assert unconfigured.server.api_log == []


# --- record --output -----------------------------------------------------------------


def _record(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> Run:
    return run_cli(capsys, "record", "--source", "synthetic", "--seconds", "0.3", "--fps", "10",
                   "--region", "0,0,320,180", "--no-upload", "--json", "--output", str(out),
                   *extra)


@pytest.fixture
def old_take(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CAPDESK_HOME", str(home))
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "take.mp4"
    path.write_bytes(b"yesterday's recording")
    return path


def test_record_never_overwrites_an_existing_file_unasked(
    old_take: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _record(capsys, old_take)
    assert run.code == exitcodes.USAGE
    assert str(old_take) in run.err and "--overwrite" in run.err
    assert old_take.read_bytes() == b"yesterday's recording"


def test_record_overwrite_replaces_the_file(old_take: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run = _record(capsys, old_take, "--overwrite")
    assert run.code == exitcodes.OK, run.err
    data = old_take.read_bytes()
    assert data != b"yesterday's recording" and data[4:8] == b"ftyp"
    assert run.json()["bytes"] == len(data)


def test_record_overwrite_never_replaces_a_file_still_uploading(
    old_take: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Journal.new(old_take, state=State.WAITING_NETWORK, video_id="abc123").save()
    run = _record(capsys, old_take, "--overwrite")
    assert run.code == exitcodes.USAGE
    assert str(old_take) in run.err and "unfinished" in run.err
    assert "capdesk resume" in run.err
    assert old_take.read_bytes() == b"yesterday's recording"


def test_record_output_folder_still_gets_a_new_name(
    old_take: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _record(capsys, old_take.parent)
    assert run.code == exitcodes.OK, run.err
    made = Path(run.json()["file"])
    assert made.parent == old_take.parent and made.name.startswith("capdesk-")
    assert old_take.read_bytes() == b"yesterday's recording"
