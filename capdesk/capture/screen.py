"""Screen capture with mss: a monitor, the whole virtual desktop, or a region.

Monitors are numbered as mss numbers them: 1..N, with 0 for all of them together
(the virtual desktop). Regions are physical pixels, absolute on the virtual
desktop, or relative to ``monitor`` when one is given. Where the OS reports screen
geometry in points (macOS), the region is converted with the scale measured from
a real grab, so it stays in physical pixels for the user.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from capdesk.capture.cursor import composite_arrow, pointer_position
from capdesk.capture.damage import EMPTY, Box, DamageWatcher, clip, union
from capdesk.capture.sources import CaptureError, Image
from capdesk.capture.xshm import ShmFrames

Monitor = Mapping[str, Any]


@dataclass(frozen=True)
class CaptureArea:
    """The rectangle to grab, in the capture API's coordinates."""

    left: int
    top: int
    width: int
    height: int
    label: str

    def as_monitor(self) -> dict[str, int]:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}


def describe_monitors(monitors: Sequence[Monitor]) -> str:
    parts = [
        f"{i}: {m['width']}x{m['height']} at {m['left']},{m['top']}"
        + (" (primary)" if m.get("is_primary") else "")
        for i, m in enumerate(monitors)
        if i > 0
    ]
    return "; ".join(parts) if parts else "none"


def pick_monitor(monitors: Sequence[Monitor], monitor: int | None) -> tuple[int, Monitor]:
    """``monitor`` None = the primary one (or the first), 0 = all monitors, N = the N-th."""
    if len(monitors) < 2:
        raise CaptureError("no monitor found")
    if monitor is None:
        for index, candidate in enumerate(monitors[1:], start=1):
            if candidate.get("is_primary"):
                return index, candidate
        return 1, monitors[1]
    if monitor < 0 or monitor >= len(monitors):
        raise CaptureError(
            f"monitor {monitor} does not exist; this desktop has {len(monitors) - 1} "
            f"({describe_monitors(monitors)}; 0 = all of them)"
        )
    return monitor, monitors[monitor]


def resolve_area(
    monitors: Sequence[Monitor],
    monitor: int | None = None,
    region: tuple[int, int, int, int] | None = None,
    points_per_pixel: float = 1.0,
) -> CaptureArea:
    """The area to grab for a monitor choice and an optional physical-pixel region."""
    index, base = pick_monitor(monitors, monitor)
    if region is None:
        label = "all monitors" if index == 0 else f"monitor {index}"
        return CaptureArea(
            int(base["left"]), int(base["top"]), int(base["width"]), int(base["height"]),
            f"{label} ({base['width']}x{base['height']})",
        )
    x, y, w, h = region
    if w < 2 or h < 2:
        raise CaptureError(f"region {w}x{h} is too small (at least 2x2 pixels)")
    scale = points_per_pixel
    if monitor is not None:
        # Relative to the chosen monitor: its origin in physical pixels.
        x += round(base["left"] / scale)
        y += round(base["top"] / scale)
    desktop = monitors[0]
    left, top = round(x * scale), round(y * scale)
    width, height = max(1, round(w * scale)), max(1, round(h * scale))
    right = desktop["left"] + desktop["width"]
    bottom = desktop["top"] + desktop["height"]
    inside = (left >= desktop["left"] and top >= desktop["top"]
              and left + width <= right and top + height <= bottom)
    if not inside:
        raise CaptureError(
            f"region {region[0]},{region[1]},{w},{h} is not inside the "
            f"{'monitor' if monitor is not None else 'desktop'} "
            f"(monitors: {describe_monitors(monitors)})"
        )
    return CaptureArea(left, top, width, height, f"region {w}x{h} at {region[0]},{region[1]}")


class ScreenSource:
    """Grabs a monitor, the virtual desktop, or a region, with the cursor drawn in."""

    def __init__(
        self,
        monitor: int | None = None,
        region: tuple[int, int, int, int] | None = None,
        *,
        cursor: bool = True,
    ) -> None:
        self._cursor = cursor
        self._linux = sys.platform.startswith("linux")
        self.notes: list[str] = []
        self._sct: Any = None
        # Set by the engine when a repeated frame may be the same array as the last one
        # (nothing downstream draws into frames): then, on X11, a tick with nothing drawn
        # and the pointer still is not even grabbed (see capture.damage).
        self.reuse_unchanged = False
        self._damage: DamageWatcher | None = None
        self._shm: ShmFrames | None = None  # X11: grabs without a copy (see capture.xshm)
        self._last: Image | None = None
        self.unchanged_ticks = 0  # grabs saved that way
        # After each grab: the box of the frame (left, top, right, bottom) outside which
        # it equals the frame grabbed before, or None when that is not known (the
        # encoder then compares rows itself). Known with XDamage and shared-memory grabs.
        self.changed_box: Box | None = None
        # where the last grab has the pointer drawn, and which picture of it
        self._cursor_then: tuple[Box, int] | None = None
        with self._new_mss() as sct:
            monitors = sct.monitors
            _, base = pick_monitor(monitors, monitor)
            # Measure how many pixels a grab really returns per screen unit (2 on Retina).
            probe = sct.grab({"left": base["left"], "top": base["top"], "width": 1, "height": 1})
            pixel_scale = probe.size.width or 1
            self.area = resolve_area(monitors, monitor, region, 1.0 / pixel_scale)
            shot = sct.grab(self.area.as_monitor())
            self.width, self.height = shot.size.width, shot.size.height
            self._mss_cursor = self._linux and bool(getattr(sct, "_impl", sct).with_cursor)
        self._scale = self.width / self.area.width
        if cursor and self._linux and not self._mss_cursor:
            self.notes.append("the X server has no XFixes: the cursor is not drawn")
        self.description = f"screen, {self.area.label}"

    def _new_mss(self) -> Any:
        import mss

        if self._linux:
            return mss.MSS(with_cursor=self._cursor)
        return mss.MSS()

    def open(self) -> None:
        self._sct = self._new_mss()
        if self.reuse_unchanged and self._linux:
            self._damage = DamageWatcher.open()
        if self._linux:
            area = self.area
            self._shm = ShmFrames.open(self._sct, area.left, area.top, area.width, area.height)

    @property
    def zero_copy(self) -> ShmFrames | None:
        """Where grabs land without a copy (X11 with MIT-SHM), None when mss copies them."""
        return self._shm

    def grab(self, slot: int) -> Image:
        if self._sct is None:
            raise CaptureError("screen source not opened")
        self.changed_box = None
        if self._damage is not None and self._last is not None and not self._damage.changed():
            self.unchanged_ticks += 1
            self.changed_box = EMPTY
            again = self._shm.again() if self._shm is not None else None
            return self._last if again is None else again
        if self._shm is not None:
            image = self._shm.grab(cursor=self._cursor and self._mss_cursor,
                                   again_later=self._damage is not None)
            if image is not None:
                if self._cursor and not self._mss_cursor:
                    self._draw_cursor(image)  # no XFixes: an arrow where the pointer is
                if self._damage is not None:
                    self._last = image
                    self.changed_box = self._changed(self._shm.cursor_drawn)
                return image
        try:
            shot = self._sct.grab(self.area.as_monitor())
        except Exception as exc:
            raise CaptureError(f"screen grab failed: {exc}") from exc
        if (shot.size.width, shot.size.height) != (self.width, self.height):
            raise CaptureError(
                f"the screen changed size ({shot.size.width}x{shot.size.height}, "
                f"was {self.width}x{self.height})"
            )
        image = np.frombuffer(shot.raw, dtype=np.uint8).reshape(self.height, self.width, 4)
        if self._cursor and not self._mss_cursor:
            self._draw_cursor(image)
        if self._damage is not None:
            self._last = image
            if self._shm is not None:
                self._shm.forget_last()  # every segment was held: this one is a copy
            # mss drew the pointer somewhere this source does not know
            self.changed_box = self._changed((EMPTY, 0) if not self._cursor else None)
        return image

    def _changed(self, cursor: tuple[Box, int] | None) -> Box | None:
        """After a grab: what may differ from the grab before, in this frame's pixels
        (the damage since then, and the pointer where it was drawn then and now, if it
        moved or changed). ``cursor``: where this grab has it and which picture (None:
        not known)."""
        assert self._damage is not None
        drawn = self._damage.grabbed()
        if self._cursor and not self._mss_cursor:
            cursor = None  # the arrow's place is not tracked: compare instead
        cursor_then, self._cursor_then = self._cursor_then, cursor
        if drawn is None or cursor is None or cursor_then is None:
            return None
        area, scale = self.area, self._scale
        box = clip((math.floor((drawn[0] - area.left) * scale),
                    math.floor((drawn[1] - area.top) * scale),
                    math.ceil((drawn[2] - area.left) * scale),
                    math.ceil((drawn[3] - area.top) * scale)), self.width, self.height)
        if cursor != cursor_then:
            box = union(union(box, cursor_then[0]), cursor[0])
        return clip(box, self.width, self.height)

    def _draw_cursor(self, image: Image) -> None:
        position = pointer_position()
        if position is None:
            return
        px = round((position[0] - self.area.left) * self._scale)
        py = round((position[1] - self.area.top) * self._scale)
        composite_arrow(image, px, py, max(1, round(self._scale)))

    def release(self, image: Image) -> None:
        if self._shm is not None:
            self._shm.release(image)  # its segment may be written again; a copy is not ours

    def close(self) -> None:
        if self._damage is not None:
            self._damage.close()
            self._damage = None
        self._last = None
        if self._shm is not None:
            self._shm.close()
            self._shm = None
        if self._sct is not None:
            self._sct.close()
            self._sct = None
