"""macOS Screen Recording permission: the decision before a recording, and the command line's
early stop. CoreGraphics and `open` exist only on macOS, so the three macOS calls are faked
(``permissions.mac``, the one seam the module has for them); everything around them is the
real code. On this machine (not macOS) the real module must say "go on" without any call."""

from __future__ import annotations

import argparse
import ctypes
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capdesk import exitcodes
from capdesk.capture import permissions
from capdesk.capture.permissions import Status
from capdesk.commands import record
from capdesk.errors import describe, exit_code


@dataclass
class FakeMac:
    """CGPreflightScreenCaptureAccess, CGRequestScreenCaptureAccess and `open`, as macOS
    answers them: ``granted`` (None: a macOS before 10.15, without the calls); a request
    grants only when ``grant_on_request`` (normally a grant needs the app restarted)."""

    granted: bool | None = False
    grant_on_request: bool = False
    opens: bool = True
    calls: list[str] = field(default_factory=list)

    def preflight(self) -> bool | None:
        self.calls.append("preflight")
        return self.granted

    def request(self) -> bool | None:
        self.calls.append("request")
        if self.granted is None:
            return None
        if self.grant_on_request:
            self.granted = True
        return self.granted

    def open_url(self, url: str) -> bool:
        self.calls.append(f"open {url}")
        return self.opens


@pytest.fixture
def mac(monkeypatch: pytest.MonkeyPatch) -> FakeMac:
    fake = FakeMac()
    monkeypatch.setattr(permissions, "mac", fake)
    return fake


def test_off_macos_nothing_applies_and_nothing_is_called() -> None:
    if sys.platform == "darwin":
        pytest.skip("checks the module as it is off macOS")
    assert permissions.mac is None and not permissions.applies()
    assert permissions.screen_recording_status() is Status.UNKNOWN
    assert permissions.request_screen_recording() is False
    assert permissions.open_settings() is False
    assert permissions.check_before_recording("screen") == permissions.Verdict(
        allowed=True, status=Status.UNKNOWN)
    assert permissions.refusal("screen") is None
    assert permissions.doctor_line() == ("screen recording", True, "no permission needed here")


def test_granted_goes_on_without_asking(mac: FakeMac) -> None:
    mac.granted = True
    verdict = permissions.check_before_recording("screen")
    assert verdict == permissions.Verdict(allowed=True, status=Status.GRANTED, asked=False)
    assert mac.calls == ["preflight"]
    assert permissions.doctor_line() == ("screen recording", True, "allowed")


def test_missing_is_asked_for_and_stops_the_recording(mac: FakeMac) -> None:
    verdict = permissions.check_before_recording("screen")
    assert verdict == permissions.Verdict(allowed=False, status=Status.DENIED, asked=True)
    assert mac.calls == ["preflight", "request"]
    name, ok, detail = permissions.doctor_line()  # doctor reports it and never asks
    assert (name, ok) == ("screen recording", False) and "System Settings" in detail
    assert mac.calls == ["preflight", "request", "preflight"]


def test_a_request_that_grants_at_once_goes_on(mac: FakeMac) -> None:
    mac.grant_on_request = True
    verdict = permissions.check_before_recording("window")
    assert verdict == permissions.Verdict(allowed=True, status=Status.DENIED, asked=True)


def test_a_macos_without_the_calls_goes_on(mac: FakeMac) -> None:
    mac.granted = None
    assert permissions.check_before_recording("screen") == permissions.Verdict(
        allowed=True, status=Status.UNKNOWN)
    assert mac.calls == ["preflight"]


@pytest.mark.parametrize("source", ["camera", "synthetic"])
def test_sources_that_are_not_the_screen_need_nothing(mac: FakeMac, source: str) -> None:
    assert permissions.check_before_recording(source).allowed
    assert permissions.refusal(source) is None
    assert mac.calls == []


def test_open_settings_opens_the_screen_recording_pane(mac: FakeMac) -> None:
    assert permissions.open_settings() is True
    assert mac.calls == [
        "open x-apple.systempreferences:com.apple.preference.security?Privacy_ScreenCapture"]
    mac.opens = False
    assert permissions.open_settings() is False


def test_the_command_lines_error_says_where_and_exits_7(mac: FakeMac) -> None:
    error = permissions.refusal("screen")
    assert isinstance(error, permissions.ScreenPermissionError)
    assert exit_code(error) == exitcodes.NOT_CONFIGURED == 7
    words = describe(error)
    assert "Privacy & Security > Screen & System Audio Recording" in words
    assert "terminal" in words and "reopen" in words


def record_args(tmp_path: Path, source: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    record.register(parser.add_subparsers())
    return parser.parse_args(["record", "--source", source, "--seconds", "1", "--no-upload",
                              "--output", str(tmp_path / "out.mp4")])


def test_record_stops_before_creating_anything(
        mac: FakeMac, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    args = record_args(tmp_path, "screen")
    assert record.run(args) == exitcodes.NOT_CONFIGURED
    err = capsys.readouterr().err
    assert err.startswith("error: Screen recording is not allowed for capdesk"), err
    assert "Screen & System Audio Recording" in err
    assert mac.calls == ["preflight", "request"]
    assert not (tmp_path / "out.mp4").exists()
    assert not (tmp_path / "home").exists() or not list((tmp_path / "home").rglob("*.json"))


def test_record_of_the_test_card_needs_no_permission(
        mac: FakeMac, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    assert record.run(record_args(tmp_path, "synthetic")) == exitcodes.OK
    assert mac.calls == []
    assert (tmp_path / "out.mp4").stat().st_size > 0


def test_the_real_calls_use_coregraphics_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    """CoreGraphicsCalls declares both functions as ``bool f(void)`` before calling them and
    answers None when the library lacks them. CoreGraphics exists only on macOS: a stand-in
    library object is put where ctypes would have loaded it."""

    class Function:
        def __init__(self, answer: bool) -> None:
            self.answer = answer
            self.restype: object = None
            self.argtypes: object = None

        def __call__(self) -> bool:
            assert self.restype is ctypes.c_bool and self.argtypes == []
            return self.answer

    class Library:
        CGPreflightScreenCaptureAccess = Function(False)
        CGRequestScreenCaptureAccess = Function(True)

    calls = permissions.CoreGraphicsCalls()
    monkeypatch.setattr(calls, "_lib", Library())
    monkeypatch.setattr(calls, "_loaded", True)
    assert calls.preflight() is False and calls.request() is True

    monkeypatch.setattr(calls, "_lib", object())  # before macOS 10.15: no such functions
    assert calls.preflight() is None and calls.request() is None
