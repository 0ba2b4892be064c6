"""Crop a rectangle out of each frame (a region out of a whole-screen stream, such as
the one the Wayland portal delivers)."""

from __future__ import annotations

from capdesk.capture.sources import CaptureError
from capdesk.capture.transforms.chain import Image, Size


class CropTransform:
    """Keeps ``width`` x ``height`` pixels at ``x``, ``y`` of each frame.

    Returns a view into the frame (no copy): the encoder reads it with its row stride.
    """

    pure = True  # the same frame in gives the same frame out, and the input is not changed

    def __init__(self, x: int, y: int, width: int, height: int) -> None:
        if x < 0 or y < 0 or width < 2 or height < 2:
            raise ValueError(f"bad crop {width}x{height} at {x},{y} (at least 2x2, inside)")
        self.x, self.y, self.width, self.height = x, y, width, height
        self.name = f"crop {width}x{height} at {x},{y}"

    def output_size(self, width: int, height: int) -> Size:
        if self.x + self.width > width or self.y + self.height > height:
            raise CaptureError(f"the {self.name} is not inside the {width}x{height} picture")
        return self.width, self.height

    def apply(self, image: Image, slot: int) -> Image:
        return image[self.y : self.y + self.height, self.x : self.x + self.width]

    def close(self) -> None:
        pass
