"""``capdesk record`` and ``capdesk resume`` as real processes against the fake Cap server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capdesk.capture.testcard import read_video_counters
from tests.fakecap.fixtures import CapApp
from tests.integration.upload_helpers import sha256

ROOT = Path(__file__).resolve().parents[2]


def capdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "capdesk.cli", *args]


def env_for(app: CapApp, home: Path, *, secret: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CAP_SECRET_KEY", None)
    env.update(app.env(secret=secret))
    env["CAPDESK_HOME"] = str(home)
    return env


def counters_in_order(path: Path) -> list[int]:
    counters = [f.counter for f in read_video_counters(path)]
    assert counters and None not in counters
    values = [c for c in counters if c is not None]
    assert values == sorted(set(values)), "frames repeated or out of order"
    return values


def test_record_uploads_while_recording_and_the_object_is_the_file(
    cap_app: CapApp, tmp_path: Path
) -> None:
    out = tmp_path / "rec.mp4"
    proc = subprocess.run(
        capdesk("record", "--source", "synthetic", "--seconds", "6", "--json",
                "--output", str(out), "--name", "e2e"),
        env=env_for(cap_app, tmp_path / "home"), capture_output=True, text=True, timeout=120,
        cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["uploaded"] is True and result["ready"] is True
    assert result["stopToCompleteSecs"] is not None and result["stopToCompleteSecs"] < 10
    server = cap_app.server
    data = server.video_bytes(result["videoId"])
    assert sha256(data) == sha256(out)
    video = server.video(result["videoId"])
    assert video["width"] == result["width"] and video["height"] == result["height"]
    assert abs(video["duration"] - 6.0) <= 1 / 30 + 1e-6
    assert video["fps"] == 30
    fetched = tmp_path / "fetched.mp4"
    fetched.write_bytes(data)
    values = counters_in_order(fetched)
    assert len(values) == result["frames"]
    assert values[-1] - values[0] + 1 - len(values) == result["droppedFrames"]
    assert all("authorization" not in r.headers for r in server.s3_log)


def test_sigkill_mid_upload_then_resume_gives_a_byte_identical_object(
    cap_app: CapApp, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    out = tmp_path / "killed.mp4"
    env = env_for(cap_app, home)
    proc = subprocess.Popen(
        capdesk("record", "--source", "synthetic", "--region", "0,0,1920,1080",
                "--seconds", "60", "--output", str(out)),
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    journal_dir = home / "data" / "journals"
    deadline = time.monotonic() + 60
    confirmed = 0
    try:
        while time.monotonic() < deadline and confirmed < 1:
            time.sleep(0.2)
            for path in journal_dir.glob("*.json"):
                try:
                    parts = json.loads(path.read_text())["parts"]
                except (OSError, ValueError, KeyError):
                    continue
                confirmed = sum(1 for p in parts if p["etag"])
        assert confirmed >= 1, "no part was uploaded while recording"
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    before_bytes = cap_app.server.s3_bytes_received
    resumed = subprocess.run(capdesk("resume", "--json"), env=env, cwd=ROOT, check=False,
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    (entry,) = json.loads(resumed.stdout)
    assert entry["state"] == "complete"
    server = cap_app.server
    data = server.video_bytes(entry["videoId"])
    assert sha256(data) == sha256(out)
    # Only what was not confirmed before the kill went up again.
    journal = json.loads(next(journal_dir.glob("*.json")).read_text())
    assert server.s3_bytes_received - before_bytes < out.stat().st_size
    assert len(journal["parts"]) > confirmed
    fetched = tmp_path / "fetched.mp4"
    fetched.write_bytes(data)
    values = counters_in_order(fetched)
    video = server.video(entry["videoId"])
    assert video["width"] == 1920 and video["height"] == 1080
    # The duration covers the timeline up to the last frame in the file (dropped slots
    # included); the resumed file ends at its last complete fragment.
    assert abs(video["duration"] - (values[-1] + 1) / 30) <= 2 / 30


def test_no_key_records_locally_and_says_how_to_upload(
    cap_app: CapApp, tmp_path: Path
) -> None:
    env = env_for(cap_app, tmp_path / "home")
    env.pop("CAP_PUBLIC_KEY")
    out = tmp_path / "local.mp4"
    proc = subprocess.run(
        capdesk("record", "--source", "synthetic", "--seconds", "2", "--json", "--output",
                str(out)),
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["uploaded"] is False and out.exists()
    assert "Uploads are off" in proc.stderr and "public key" in proc.stderr


@pytest.mark.parametrize("balance", [0])
def test_no_credits_keeps_recording_then_resume_uploads(
    cap_app: CapApp, tmp_path: Path, balance: int
) -> None:
    server = cap_app.server
    server.set_balance(cap_app.app_id, balance)
    env = env_for(cap_app, tmp_path / "home")
    out = tmp_path / "nocredit.mp4"
    proc = subprocess.run(
        capdesk("record", "--source", "synthetic", "--seconds", "3", "--json", "--output",
                str(out)),
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )
    assert proc.returncode == 4, proc.stderr
    result = json.loads(proc.stdout)
    assert result["uploaded"] is False and out.exists()
    assert "not enough Cap credits" in proc.stderr
    assert "capdesk resume" in proc.stderr
    server.set_balance(cap_app.app_id, 1_000_000)
    resumed = subprocess.run(capdesk("resume", "--json"), env=env, cwd=ROOT, check=False,
                             capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    (entry,) = json.loads(resumed.stdout)
    assert sha256(server.video_bytes(entry["videoId"])) == sha256(out)
