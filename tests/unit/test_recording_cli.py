"""``capdesk record``: options, the JSON contract, errors and exit codes (synthetic source)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from capdesk import exitcodes
from capdesk.commands import record

KEYS = {"videoId", "shareUrl", "embedUrl", "file", "bytes", "durationSecs", "width", "height",
        "fps", "frames", "droppedFrames", "repeatedFrames", "encoder", "conversion", "parts",
        "uploaded", "stopToCompleteSecs", "ready"}


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="capdesk")
    record.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["record", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY", "CAP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return tmp_path / "home"


def test_json_result_has_exactly_the_contract_keys(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.mp4"
    code = run(["--source", "synthetic", "--seconds", "0.5", "--region", "0,0,320,180",
                "--no-upload", "--json", "--output", str(out), "--name", "demo",
                "--user-id", "u1", "--metadata", '{"a": 1}'])
    captured = capsys.readouterr()
    assert code == exitcodes.OK
    lines = captured.out.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == KEYS
    assert data["file"] == str(out.absolute()) and out.stat().st_size == data["bytes"]
    assert data["durationSecs"] == pytest.approx(0.5)
    assert (data["width"], data["height"], data["fps"]) == (320, 180, 30)
    assert data["frames"] + data["droppedFrames"] + data["repeatedFrames"] == 15
    assert data["encoder"] == "libx264"
    assert data["conversion"].startswith("BGRA -> yuv420p")
    assert data["videoId"] is None and data["shareUrl"] is None and data["embedUrl"] is None
    assert data["parts"] == 0 and data["uploaded"] is False and data["ready"] is None
    assert "saved" in captured.err


def test_without_a_key_it_keeps_it_local_and_says_so(home: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--source", "synthetic", "--seconds", "0.2", "--region", "0,0,320,180",
                "--fps", "10"])
    captured = capsys.readouterr()
    assert code == exitcodes.OK
    assert "kept locally" in captured.err
    files = list(home.rglob("capdesk-*.mp4"))
    assert len(files) == 1  # default path: a timestamped name in the recordings folder


def test_output_folder_gets_a_timestamped_name(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--source", "synthetic", "--seconds", "0.2", "--region", "0,0,320,180",
                "--no-upload", "--json", "--output", str(tmp_path)]) == exitcodes.OK
    data = json.loads(capsys.readouterr().out)
    assert Path(data["file"]).parent == tmp_path and Path(data["file"]).name.startswith("capdesk-")


@pytest.mark.parametrize("audio", ["mic", "system"])
def test_audio_without_a_sound_server_says_so(audio: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from capdesk.capture.audio import AudioError
    from capdesk.capture.audio import sources as audio_sources

    def no_server() -> None:
        raise AudioError("no sound server (PulseAudio or PipeWire) is reachable: refused")

    monkeypatch.setattr(audio_sources, "_soundcard", no_server)
    monkeypatch.setattr("capdesk.capture.audio.sources.sys.platform", "linux")
    assert run(["--source", "synthetic", "--audio", audio, "--no-upload", "--output",
                str(tmp_path)]) == exitcodes.FAILURE
    assert "no sound server" in capsys.readouterr().err.lower()


def test_synthetic_audio_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--source", "synthetic", "--seconds", "0.5", "--region", "0,0,320,180",
                "--audio", "synthetic", "--no-upload", "--json", "--output",
                str(tmp_path)]) == exitcodes.OK
    assert "sound from synthetic beep" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--region", "1,2,3"], ["--region", "a,b,c,d"], ["--region", "0,0,1,10"], ["--fps", "0"],
     ["--seconds", "-1"], ["--metadata", "[1]"], ["--metadata", "{"], ["--source", "webcam"],
     ["--audio", "loud"], ["--max-height", "1"]],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run(argv)
    assert caught.value.code == exitcodes.USAGE


def test_capture_problem_is_a_clear_error(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    assert run(["--source", "screen", "--no-upload", "--seconds", "1"]) == exitcodes.FAILURE
    assert "error: No display" in capsys.readouterr().err
