"""The command line against the fake Cap server: REST commands, errors, exit codes, secrets."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import httpx
import pytest

from capdesk.cap.budget import RequestBudget
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from tests.fakecap.fixtures import CapApp
from tests.integration.cli_helpers import make_video, run_cli, use_app
from tests.integration.upload_helpers import assert_all_fired


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_videos_list_all_returns_every_video_once(
    cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = cap_app.server.seed_videos(cap_app.app_id, 120)
    use_app(monkeypatch, cap_app, home)
    run = run_cli(capsys, "videos", "list", "--all", "--limit", "50", "--json")
    assert run.code == 0, run.err
    got = [v["id"] for v in run.json()]
    assert got == ids  # newest first, each exactly once, across three pages
    pages = [r for r in cap_app.server.api_log if r.path.endswith("/v1/videos")]
    assert len(pages) == 3


def test_videos_list_exact_multiple_of_the_limit(
    cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = cap_app.server.seed_videos(cap_app.app_id, 40)
    use_app(monkeypatch, cap_app, home)
    run = run_cli(capsys, "videos", "list", "--all", "--limit", "20", "--json")
    assert [v["id"] for v in run.json()] == ids


def test_videos_list_filters_by_user_and_prints_a_table(
    cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cap_app.server.seed_videos(cap_app.app_id, 9)
    use_app(monkeypatch, cap_app, home)
    run = run_cli(capsys, "videos", "list", "--user-id", "user-b", "--json")
    assert {v["externalUserId"] for v in run.json()} == {"user-b"}
    assert len(run.json()) == 3
    table = run_cli(capsys, "videos", "list", "--limit", "5")
    assert table.code == 0
    lines = table.out.strip().splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "LENGTH"] and len(lines) == 6


def test_get_status_delete_usage(
    cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = cap_app.server
    video_id = server.seed_videos(cap_app.app_id, 1)[0]
    server.set_transcription_status(video_id, "COMPLETE")
    use_app(monkeypatch, cap_app, home)
    got = run_cli(capsys, "videos", "get", video_id, "--json").json()
    assert got["id"] == video_id and got["width"] == 1920 and got["ready"] is True
    status = run_cli(capsys, "videos", "status", video_id, "--wait", "--json").json()
    assert status == {"id": video_id, "duration": got["duration"], "width": 1920,
                      "height": 1080, "transcriptionStatus": "COMPLETE", "ready": True}
    refused = run_cli(capsys, "videos", "delete", video_id)  # stdin is not a terminal
    assert refused.code == 2 and "--yes" in refused.err
    deleted = run_cli(capsys, "videos", "delete", video_id, "--yes")
    assert deleted.code == 0
    assert server.video(video_id)["deletedAt"] is not None
    gone = run_cli(capsys, "videos", "get", video_id)
    assert gone.code == 1 and "not found" in gone.err.lower()
    usage = run_cli(capsys, "usage", "--json").json()
    assert usage["balanceMicroCredits"] == server.get_balance(cap_app.app_id)
    assert usage["totalVideos"] == 0


def test_status_wait_times_out_for_a_video_never_completed(
    cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    video_id = cap_app.server.seed_videos(cap_app.app_id, 1, completed=False)[0]
    use_app(monkeypatch, cap_app, home)
    run = run_cli(capsys, "videos", "status", video_id, "--wait", "--timeout", "3", "--json")
    assert run.code == 1 and run.json()["ready"] is False
    polls = [r.time for r in cap_app.server.api_log if r.path.endswith("/status")]
    assert len(polls) >= 2
    assert all(b - a >= 1.9 for a, b in itertools.pairwise(polls))


def test_wrong_key_exit_3_with_a_fix(
    cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_app(monkeypatch, cap_app, home)
    monkeypatch.setenv("CAP_SECRET_KEY", "csk_not_a_real_key_at_all_000")
    run = run_cli(capsys, "usage")
    assert run.code == 3
    assert "Invalid or revoked secret key" in run.err
    assert "developer dashboard" in run.err


def test_no_credits_exit_4_keeps_the_file(
    cap_app: CapApp, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cap_app.server.set_balance(cap_app.app_id, 100)
    use_app(monkeypatch, cap_app, home)
    video = make_video(tmp_path / "clip.mp4")
    run = run_cli(capsys, "upload", str(video), "--json")
    assert run.code == 4, run.err
    assert run.json()["uploaded"] is False
    assert video.exists()
    assert "not enough Cap credits" in run.err and "capdesk resume" in run.err


def test_refused_origin_exit_5_names_the_origin(
    make_cap_app: object, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = make_cap_app(environment="production", origins=["https://good.example"])  # type: ignore[operator]
    use_app(monkeypatch, app, home)
    monkeypatch.setenv("CAP_ORIGIN", "https://other.example")
    video = make_video(tmp_path / "clip.mp4")
    run = run_cli(capsys, "upload", str(video), "--json")
    assert run.code == 5, run.err
    error = run.err
    assert "Origin not allowed" in error and "https://other.example" in error
    monkeypatch.setenv("CAP_ORIGIN", "https://good.example")
    ok = run_cli(capsys, "upload", str(video), "--json")
    assert ok.code == 0 and ok.json()["uploaded"] is True


def test_upload_command_round_trip(
    cap_app: CapApp, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_app(monkeypatch, cap_app, home)
    video = make_video(tmp_path / "clip.mp4", seconds=2.0, size=(320, 240))
    run = run_cli(capsys, "upload", str(video), "--json", "--name", "Clip")
    assert run.code == 0, run.err
    result = run.json()
    assert result["uploaded"] is True and result["ready"] is True
    assert (result["width"], result["height"], result["fps"]) == (320, 240, 30.0)
    assert abs(result["durationSecs"] - 2.0) < 0.05
    assert cap_app.server.video_bytes(result["videoId"]) == video.read_bytes()
    assert cap_app.server.video(result["videoId"])["name"] == "Clip"


def test_sixty_one_calls_in_a_minute_recover_from_429(cap_app: CapApp) -> None:
    """The server's fixed window is shortened to 3 s; the client's own budget is lifted
    so the 61st call really meets a 429 and must recover from it."""
    cap_app.server.rate_limit_window = 3.0
    with httpx.Client() as http:
        rest = CapRest(http, cap_app.base_url, cap_app.secret_key,
                       retry=RetryPolicy(attempts=8, base=0.5, cap=2.0, deadline=30,
                                         rate_limit_base=0.5),
                       budget=RequestBudget(limit=1000, window=60))
        for _ in range(61):
            rest.usage()
    statuses = [r.status for r in cap_app.server.api_log]
    assert statuses.count(429) >= 1
    assert statuses.count(200) == 61


def test_client_budget_alone_stays_under_the_limit(cap_app: CapApp) -> None:
    cap_app.server.rate_limit_window = 2.0
    with httpx.Client() as http:
        rest = CapRest(http, cap_app.base_url, cap_app.secret_key,
                       budget=RequestBudget(limit=55, window=2.0))
        for _ in range(70):
            rest.usage()
    # The budget counts when a request is sent, the server when it arrives: allow for
    # the transit time, but the server must never have refused one.
    assert [r.status for r in cap_app.server.api_log].count(429) == 0
    assert cap_app.server.max_requests_per_window(seconds=2.0) <= 60


def test_no_key_in_logs_or_files_during_a_full_session(
    cap_app: CapApp, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    use_app(monkeypatch, cap_app, home)
    caplog.set_level(logging.DEBUG)
    server = cap_app.server
    video_id = server.seed_videos(cap_app.app_id, 3)[0]
    video = make_video(tmp_path / "clip.mp4")
    boom = server.api_faults.status(500, {"error": "boom"}, times=1)  # errors must not leak keys
    outputs = [
        run_cli(capsys, "-v", "config", "show"),
        run_cli(capsys, "-v", "config", "set", "origin", "https://example.com"),
        run_cli(capsys, "-v", "videos", "list", "--all"),
        run_cli(capsys, "-v", "videos", "get", video_id),
        run_cli(capsys, "-v", "videos", "status", video_id),
        run_cli(capsys, "-v", "usage"),
        run_cli(capsys, "-v", "upload", str(video), "--json"),
        run_cli(capsys, "-v", "doctor"),
        run_cli(capsys, "-v", "videos", "delete", video_id, "--yes"),
    ]
    monkeypatch.setenv("CAP_SECRET_KEY", cap_app.secret_key + "x")  # refused: error path
    outputs.append(run_cli(capsys, "-v", "usage"))
    assert outputs[-1].code == 3
    assert_all_fired(boom)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    text = caplog.text + "".join(o.out + o.err for o in outputs)
    for key in (cap_app.public_key, cap_app.secret_key):
        assert key not in text
        assert key[4:] not in text
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written  # settings, journals
    for path in written:
        data = path.read_bytes()
        assert cap_app.public_key.encode() not in data
        assert cap_app.secret_key.encode() not in data
    assert "cpk_" in outputs[0].out and "…" in outputs[0].out  # shown masked
