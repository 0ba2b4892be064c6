"""``capdesk doctor`` lists the capture backends from the registry, and why one cannot
record here."""

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
    assert "mss (screen): no: " in capture["detail"] and "DISPLAY" in capture["detail"]
    assert "synthetic (synthetic): yes" in capture["detail"]


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
    assert "mss (screen): yes" in capture["detail"]
