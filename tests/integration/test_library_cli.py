"""``capdesk library`` against the fake Cap server: local recordings and their states."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.fakecap.fixtures import CapApp
from tests.integration.cli_helpers import make_video, run_cli, use_app


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_library_lists_recordings_with_their_states(
    cap_app: CapApp, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_app(monkeypatch, cap_app, home)
    empty = run_cli(capsys, "library", "--json")
    assert (empty.code, empty.json()) == (0, [])
    assert run_cli(capsys, "library").out.strip() == "No recordings yet."

    video = make_video(tmp_path / "talk.mp4", seconds=1.0)
    monkeypatch.setenv("CAP_PUBLIC_KEY", "cpk_" + "0" * 32)  # refused
    assert run_cli(capsys, "upload", str(video), "--name", "Talk", "--json").code == 3

    run = run_cli(capsys, "library", "--json")
    assert run.code == 0, run.err
    (item,) = run.json()
    assert set(item) >= {"id", "name", "file", "exists", "bytes", "durationSecs", "createdAt",
                         "state", "error", "videoId", "shareUrl"}
    assert item["name"] == "Talk" and item["file"] == str(video.resolve())
    assert item["exists"] is True and item["bytes"] == video.stat().st_size
    assert item["durationSecs"] == pytest.approx(1.0, abs=0.1)
    assert datetime.fromisoformat(item["createdAt"]).tzinfo is not None
    assert item["state"] == "key-refused" and item["status"] == "failed"
    assert "Invalid or revoked public key" in item["error"]
    assert item["videoId"] is None and item["shareUrl"] is None

    table = run_cli(capsys, "library")
    header, row = table.out.strip().splitlines()
    assert header.split()[:6] == ["ID", "NAME", "CREATED", "LENGTH", "SIZE", "STATE"]
    assert "Upload failed (Cap refused the key: Invalid or revoked public key.)" in row

    monkeypatch.setenv("CAP_PUBLIC_KEY", cap_app.public_key)
    assert run_cli(capsys, "resume", "--json").code == 0
    (done,) = run_cli(capsys, "library", "--json").json()
    assert done["state"] == "complete" and done["error"] is None
    assert done["videoId"] and done["shareUrl"] == f"{cap_app.base_url}/dev/{done['videoId']}"
    assert cap_app.server.video(done["videoId"])["duration"] == pytest.approx(1.0, abs=0.1)
    assert "Uploaded" in run_cli(capsys, "library").out
    assert run_cli(capsys, "library", "--json").out == run_cli(
        capsys, "library", "--all", "--json").out  # nothing discarded to add
