"""Wayland detection: say what will and will not be captured instead of recording black."""

from __future__ import annotations

from capdesk.capture.session import ALLOW_XWAYLAND_ENV, capture_support


def test_x11_session_can_capture() -> None:
    support = capture_support({"DISPLAY": ":0"}, "linux")
    assert support.kind == "x11" and support.can_capture and support.message is None


def test_wayland_session_is_refused_with_an_explanation() -> None:
    for env in (
        {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
    ):
        support = capture_support(env, "linux")
        assert support.kind == "wayland" and not support.can_capture
        assert support.message is not None
        text = support.message.lower()
        assert "xwayland" in text and "black" in text and "x11" in text
        assert "desktop portal" in support.message and "qt backend" in support.message
        assert ALLOW_XWAYLAND_ENV in support.message


def test_wayland_opt_in_records_xwayland_windows_only() -> None:
    env = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", ALLOW_XWAYLAND_ENV: "1"}
    support = capture_support(env, "linux")
    assert support.can_capture
    assert support.message is not None and "XWayland windows only" in support.message
    assert capture_support({"DISPLAY": ":0", "WAYLAND_DISPLAY": "w"}, "linux",
                           allow_xwayland=True).can_capture


def test_wayland_without_xwayland() -> None:
    support = capture_support({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not support.can_capture and "DISPLAY is unset" in (support.message or "")


def test_no_display_at_all() -> None:
    support = capture_support({}, "linux")
    assert support.kind == "none" and not support.can_capture


def test_other_platforms() -> None:
    assert capture_support({}, "win32").can_capture
    mac = capture_support({}, "darwin")
    assert mac.can_capture and "Screen Recording permission" in (mac.message or "")
