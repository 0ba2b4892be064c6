"""Can this desktop session be captured with mss, and what will the recording show?

On a Wayland session mss talks to XWayland, which sees only X11 windows: native
Wayland windows, the desktop and panels come out black. Rather than record black
frames, mss refuses with this explanation unless the user opts in to recording
XWayland windows only; the registry then takes the qt backend (the desktop portal).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

ALLOW_XWAYLAND_ENV = "CAPDESK_ALLOW_XWAYLAND"

WAYLAND_MESSAGE = (
    "This is a Wayland session: mss captures through X11, and under Wayland that sees "
    "only windows running through XWayland (native Wayland windows, the desktop and "
    "panels would be black). capdesk records Wayland screens through the desktop portal "
    "with its qt backend (QtMultimedia) instead; to record XWayland windows only with "
    f"mss, set {ALLOW_XWAYLAND_ENV}=1."
)


@dataclass(frozen=True)
class CaptureSupport:
    kind: str  # "x11", "wayland", "windows", "macos", "none"
    can_capture: bool
    message: str | None = None  # why not, or what will be missing


def is_wayland(env: Mapping[str, str]) -> bool:
    return bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE", "").lower() == "wayland"


def capture_support(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    allow_xwayland: bool | None = None,
) -> CaptureSupport:
    """What screen capture can do in this session (pure given ``env`` and ``platform``)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        return CaptureSupport("windows", True)
    if platform == "darwin":
        return CaptureSupport(
            "macos",
            True,
            "macOS asks for Screen Recording permission the first time; without it the "
            "recording shows only the desktop background.",
        )
    if allow_xwayland is None:
        allow_xwayland = env.get(ALLOW_XWAYLAND_ENV, "") not in ("", "0")
    if is_wayland(env):
        if not env.get("DISPLAY"):
            return CaptureSupport(
                "wayland",
                False,
                "This is a Wayland session without XWayland (DISPLAY is unset): mss needs "
                "X11; capdesk records Wayland screens through the desktop portal with its "
                "qt backend instead.",
            )
        if allow_xwayland:
            return CaptureSupport(
                "wayland",
                True,
                "Wayland session: recording XWayland windows only; native Wayland windows "
                "and the desktop will be black.",
            )
        return CaptureSupport("wayland", False, WAYLAND_MESSAGE)
    if not env.get("DISPLAY"):
        return CaptureSupport(
            "none",
            False,
            "No display: DISPLAY is unset, so there is no screen to capture. "
            "Use --source synthetic to record the test card.",
        )
    return CaptureSupport("x11", True)
