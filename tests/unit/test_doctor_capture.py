"""``capdesk doctor`` says, for each kind of source, which capture backend a recording
will use here, and why the others were passed over or why none can."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli_helpers import run_cli


def test_doctor_lists_capture_backends_and_why_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path))
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "CAPDESK_ALLOW_XWAYLAND"):
        monkeypatch.delenv(name, raising=False)
    run = run_cli(capsys, "doctor", "--offline", "--json")
    checks = {c["check"]: c for c in run.json()}
    capture = checks["capture"]
    assert capture["ok"] is False  # only the test card can record without a display
    detail = capture["detail"]
    # each backend passed over and why, a reason shared by several said once
    assert detail.startswith("screen: none (mss, qt: No display: DISPLAY is unset"), detail
    assert "window: none (qt: No display" in detail
    assert "synthetic:" not in detail  # the test card is always there: not worth a line


def test_doctor_capture_is_ok_with_a_display(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import os

    if not os.environ.get("DISPLAY"):
        if os.environ.get("CI"):
            pytest.fail("CI must provide an X display (scripts/test starts Xvfb)")
        pytest.skip("needs an X display (scripts/test starts Xvfb)")
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    run = run_cli(capsys, "doctor", "--offline", "--json")
    capture = {c["check"]: c for c in run.json()}["capture"]
    assert capture["ok"] is True, capture
    assert capture["detail"].startswith("screen: mss; window: qt"), capture
