"""Mapping between Qt's logical coordinates and physical screen pixels. Pure: no Qt here.

Capture regions are physical pixels. The UI picks them in Qt's logical coordinates,
where each screen has its own device pixel ratio (a 4K monitor at 200% next to a
1080p one at 100%). Qt 6 (Windows, X11) places each screen at its *native*
top-left corner and divides only its size by its ratio; so a logical point on a
screen maps to ``physical_origin + (point - logical_origin) * ratio``. Where a
platform puts screens differently, pass the physical origin explicitly.

Screens are plain tuples so the UI can build them from ``QScreen`` without this
module knowing Qt: ``(x, y, width, height, ratio)`` with the logical geometry
(``QScreen.geometry()``) and ``devicePixelRatio()``, optionally followed by the
physical origin ``(px, py)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

ScreenTuple = tuple[float, ...]
Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class Screen:
    x: float
    y: float
    width: float
    height: float
    ratio: float
    physical_x: float
    physical_y: float

    @classmethod
    def from_tuple(cls, values: ScreenTuple) -> Screen:
        if len(values) not in (5, 7):
            raise ValueError("a screen is (x, y, width, height, ratio[, physical_x, physical_y])")
        x, y, w, h, ratio = (float(v) for v in values[:5])
        if w <= 0 or h <= 0 or ratio <= 0:
            raise ValueError(f"bad screen geometry {values!r}")
        px, py = (float(values[5]), float(values[6])) if len(values) == 7 else (x, y)
        return cls(x, y, w, h, ratio, px, py)

    @property
    def physical_width(self) -> float:
        return self.width * self.ratio

    @property
    def physical_height(self) -> float:
        return self.height * self.ratio

    def contains_logical(self, x: float, y: float) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height

    def contains_physical(self, x: float, y: float) -> bool:
        return (
            self.physical_x <= x < self.physical_x + self.physical_width
            and self.physical_y <= y < self.physical_y + self.physical_height
        )

    def logical_distance(self, x: float, y: float) -> float:
        dx = max(self.x - x, 0.0, x - (self.x + self.width))
        dy = max(self.y - y, 0.0, y - (self.y + self.height))
        return math.hypot(dx, dy)

    def physical_distance(self, x: float, y: float) -> float:
        dx = max(self.physical_x - x, 0.0, x - (self.physical_x + self.physical_width))
        dy = max(self.physical_y - y, 0.0, y - (self.physical_y + self.physical_height))
        return math.hypot(dx, dy)


def _screens(screens: Sequence[ScreenTuple | Screen]) -> list[Screen]:
    parsed = [s if isinstance(s, Screen) else Screen.from_tuple(s) for s in screens]
    if not parsed:
        raise ValueError("no screens")
    return parsed


def screen_at_logical(screens: Sequence[ScreenTuple | Screen], x: float, y: float) -> Screen:
    """The screen holding logical point (x, y), or the nearest one."""
    parsed = _screens(screens)
    for screen in parsed:
        if screen.contains_logical(x, y):
            return screen
    return min(parsed, key=lambda s: s.logical_distance(x, y))


def screen_at_physical(screens: Sequence[ScreenTuple | Screen], x: float, y: float) -> Screen:
    parsed = _screens(screens)
    for screen in parsed:
        if screen.contains_physical(x, y):
            return screen
    return min(parsed, key=lambda s: s.physical_distance(x, y))


def logical_point_to_physical(
    screens: Sequence[ScreenTuple | Screen], x: float, y: float
) -> tuple[float, float]:
    s = screen_at_logical(screens, x, y)
    return s.physical_x + (x - s.x) * s.ratio, s.physical_y + (y - s.y) * s.ratio


def physical_point_to_logical(
    screens: Sequence[ScreenTuple | Screen], x: float, y: float
) -> tuple[float, float]:
    s = screen_at_physical(screens, x, y)
    return s.x + (x - s.physical_x) / s.ratio, s.y + (y - s.physical_y) / s.ratio


def logical_to_physical(
    rect: tuple[float, float, float, float], screens: Sequence[ScreenTuple | Screen]
) -> Rect:
    """A logical rectangle (x, y, width, height) as physical pixels (x, y, width, height).

    Each corner maps through the screen it lies on, so a region spanning screens
    with different ratios covers the same content on both. The result is rounded
    outward (the whole selection is captured) and clipped to the screens it touches.
    """
    x, y, w, h = (float(v) for v in rect)
    if w <= 0 or h <= 0:
        raise ValueError(f"empty region {rect!r}")
    parsed = _screens(screens)
    first = screen_at_logical(parsed, x, y)
    # The last pixel inside the rectangle decides the screen of the far corner.
    eps = 1e-6
    last = screen_at_logical(parsed, x + w - eps, y + h - eps)
    x0 = first.physical_x + (x - first.x) * first.ratio
    y0 = first.physical_y + (y - first.y) * first.ratio
    x1 = last.physical_x + (x + w - last.x) * last.ratio
    y1 = last.physical_y + (y + h - last.y) * last.ratio
    left = math.floor(x0 + 1e-9)
    top = math.floor(y0 + 1e-9)
    right = math.ceil(x1 - 1e-9)
    bottom = math.ceil(y1 - 1e-9)
    # Clip to the physical area of the screens involved.
    bounds_l = min(first.physical_x, last.physical_x)
    bounds_t = min(first.physical_y, last.physical_y)
    bounds_r = max(first.physical_x + first.physical_width, last.physical_x + last.physical_width)
    bounds_b = max(
        first.physical_y + first.physical_height, last.physical_y + last.physical_height
    )
    left = max(left, math.floor(bounds_l))
    top = max(top, math.floor(bounds_t))
    right = min(right, math.ceil(bounds_r))
    bottom = min(bottom, math.ceil(bounds_b))
    if right <= left or bottom <= top:
        raise ValueError(f"region {rect!r} is not on any screen")
    return left, top, right - left, bottom - top


def physical_to_logical(
    rect: tuple[int, int, int, int], screens: Sequence[ScreenTuple | Screen]
) -> tuple[float, float, float, float]:
    """The inverse of ``logical_to_physical`` (up to its rounding): for drawing a region."""
    x, y, w, h = rect
    if w <= 0 or h <= 0:
        raise ValueError(f"empty region {rect!r}")
    parsed = _screens(screens)
    x0, y0 = physical_point_to_logical(parsed, x, y)
    last = screen_at_physical(parsed, x + w - 1, y + h - 1)
    x1 = last.x + (x + w - last.physical_x) / last.ratio
    y1 = last.y + (y + h - last.physical_y) / last.ratio
    return x0, y0, x1 - x0, y1 - y0


def virtual_desktop(screens: Sequence[ScreenTuple | Screen]) -> Rect:
    """The bounding box of all screens in physical pixels (what capturing "all monitors" grabs)."""
    parsed = _screens(screens)
    left = min(s.physical_x for s in parsed)
    top = min(s.physical_y for s in parsed)
    right = max(s.physical_x + s.physical_width for s in parsed)
    bottom = max(s.physical_y + s.physical_height for s in parsed)
    return (
        math.floor(left),
        math.floor(top),
        math.ceil(right) - math.floor(left),
        math.ceil(bottom) - math.floor(top),
    )
