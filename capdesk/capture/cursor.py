"""Drawing the mouse cursor into frames where the capture API leaves it out.

On X11, mss draws the real cursor image itself (XFixes, ``with_cursor=True``).
Elsewhere mss grabs without the cursor, so we ask the OS where the pointer is and
composite a standard arrow there.
"""

from __future__ import annotations

import ctypes
import sys

import numpy as np
import numpy.typing as npt

# A 12x19 arrow: 2 = black outline, 1 = white fill, 0 = transparent.
_ARROW = [
    "2...........",
    "22..........",
    "212.........",
    "2112........",
    "21112.......",
    "211112......",
    "2111112.....",
    "21111112....",
    "211111112...",
    "2111111112..",
    "21111111112.",
    "211111122222",
    "2111212.....",
    "211.2112....",
    "21..2112....",
    "2....2112...",
    ".....2112...",
    "......2112..",
    "......222...",
]
_SPRITE = np.array([[{".": 0, "1": 1, "2": 2}[c] for c in row] for row in _ARROW], dtype=np.uint8)


def pointer_position() -> tuple[float, float] | None:
    """The pointer's position in the capture API's screen coordinates, if the OS says."""
    try:
        if sys.platform == "win32":
            return _win_pointer()
        if sys.platform == "darwin":
            return _mac_pointer()
    except (OSError, AttributeError):
        return None
    return None


def _win_pointer() -> tuple[float, float] | None:
    class POINT(ctypes.Structure):
        _fields_ = [("x", ctypes.c_long), ("y", ctypes.c_long)]

    point = POINT()
    user32 = ctypes.WinDLL("user32")  # type: ignore[attr-defined,unused-ignore]
    if not user32.GetCursorPos(ctypes.byref(point)):
        return None
    return float(point.x), float(point.y)


def _mac_pointer() -> tuple[float, float] | None:
    class CGPoint(ctypes.Structure):
        _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double)]

    cg = ctypes.CDLL("/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics")
    cg.CGEventCreate.restype = ctypes.c_void_p
    cg.CGEventCreate.argtypes = [ctypes.c_void_p]
    cg.CGEventGetLocation.restype = CGPoint
    cg.CGEventGetLocation.argtypes = [ctypes.c_void_p]
    cf = ctypes.CDLL("/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation")
    cf.CFRelease.argtypes = [ctypes.c_void_p]
    event = cg.CGEventCreate(None)
    if not event:
        return None
    try:
        location = cg.CGEventGetLocation(event)
        return float(location.x), float(location.y)
    finally:
        cf.CFRelease(event)


def composite_arrow(image: npt.NDArray[np.uint8], x: int, y: int, scale: int = 1) -> None:
    """Draw the arrow with its tip at pixel (x, y) of a BGRA image, clipped to the image."""
    sprite = _SPRITE
    if scale > 1:
        sprite = np.repeat(np.repeat(sprite, scale, axis=0), scale, axis=1)
    sh, sw = sprite.shape
    height, width = image.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + sw), min(height, y + sh)
    if x0 >= x1 or y0 >= y1:
        return
    part = sprite[y0 - y : y1 - y, x0 - x : x1 - x]
    target = image[y0:y1, x0:x1, :3]
    target[part == 1] = 255
    target[part == 2] = 0
