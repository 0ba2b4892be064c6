"""Recordings for the Library tests: small real MP4s that look like screen recordings,
and journals in any state."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from capdesk.engine.journal import Journal
from tests.media import write_video

PALETTES = {
    "blue": ((46, 74, 125), (232, 236, 244)),
    "green": ((22, 101, 52), (236, 246, 239)),
    "purple": ((91, 33, 182), (243, 238, 252)),
    "orange": ((180, 83, 9), (253, 244, 235)),
    "slate": ((51, 65, 85), (241, 245, 249)),
    "teal": ((15, 118, 110), (236, 248, 247)),
}


def make_clip(path: Path, *, seconds: float = 1.5, size: tuple[int, int] = (320, 180),
              fps: int = 10, palette: str = "blue") -> Path:
    """A short H.264 MP4 of a fake app window (a title bar, a side bar, lines of text)."""
    width, height = size
    accent, paper = PALETTES[palette]
    path.parent.mkdir(parents=True, exist_ok=True)
    def pictures() -> Iterator[np.ndarray]:
        for i in range(max(1, int(seconds * fps))):
            image = np.empty((height, width, 3), dtype=np.uint8)
            image[:] = (24, 26, 32)
            top, left = height // 10, width // 12
            image[top:height - top, left:width - left] = paper
            image[top:top + height // 9, left:width - left] = accent
            side = left + width // 5
            image[top + height // 9:height - top, left:side] = tuple(
                min(255, int(v * 0.92)) for v in paper)
            for row in range(6):
                y = top + height // 9 + 14 + row * (height // 11)
                length = (width - side - left) * (9 - (row + i // 4) % 4) // 10 - 16
                if y + 4 < height - top:
                    image[y:y + 4, side + 10:side + 10 + length] = (150, 156, 168)
            cursor_x = side + 20 + (i * 7) % max(1, width - side - left - 40)
            image[height // 2:height // 2 + 10, cursor_x:cursor_x + 6] = accent
            yield image

    write_video(path, pictures(), fps=fps)
    return path


def add_journal(file: Path, state: str, *, name: str, age_minutes: float = 0.0,
                **fields: Any) -> Journal:
    """A journal for ``file`` as the recorder would leave it, in ``state``."""
    size = file.stat().st_size if file.exists() else None
    defaults: dict[str, Any] = {"final_size": size, "duration_secs": 1.5, "width": 320,
                                "height": 180, "fps": 10.0}
    defaults.update(fields)
    journal = Journal.new(file, name=name, state=state,
                          created_at=time.time() - age_minutes * 60, **defaults)
    journal.save()
    return journal
