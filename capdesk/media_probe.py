"""What ``complete`` needs to know about a video file: duration, size, fps, type.

Read with PyAV. A recording cut off by a crash has no index; its duration is
then taken from the last packet actually in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".avi": "video/avi",
}
FORMAT_TYPES = {"matroska,webm": "video/x-matroska", "avi": "video/avi"}


class ProbeError(Exception):
    pass


@dataclass(frozen=True)
class MediaInfo:
    duration_secs: float
    width: int
    height: int
    fps: float
    content_type: str
    size: int
    frames: int | None


def probe(path: Path, *, scan: bool = False) -> MediaInfo:
    """Probe a video file. ``scan`` reads every packet (for files without an index)."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ProbeError(f"{path.name} is not a video capdesk can read ({exc})") from None
    with container:
        if not container.streams.video:
            raise ProbeError(f"{path.name} has no video")
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        frames: int | None = stream.frames or None
        if scan or duration <= 0:
            duration, frames = _scan(container, stream)
        fmt = container.format.name
    if not width or not height:
        raise ProbeError(f"{path.name}: cannot read the picture size")
    if duration <= 0:
        raise ProbeError(f"{path.name} holds no complete frame")
    if not fps and frames:
        fps = frames / duration
    content_type = CONTENT_TYPES.get(path.suffix.lower()) or FORMAT_TYPES.get(fmt, "video/mp4")
    return MediaInfo(
        duration_secs=round(duration, 3),
        width=int(width),
        height=int(height),
        fps=round(fps, 3),
        content_type=content_type,
        size=path.stat().st_size,
        frames=frames,
    )


def _scan(container: av.container.InputContainer, stream: av.VideoStream) -> tuple[float, int]:
    first: Fraction | None = None
    last = Fraction(0)
    count = 0
    base = stream.time_base or Fraction(1, 90000)
    try:
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            start = packet.pts * base
            end = (packet.pts + (packet.duration or 0)) * base
            first = start if first is None else min(first, start)
            last = max(last, end)
            count += 1
    except av.error.FFmpegError:
        pass  # a truncated last fragment: keep what was read
    if first is None:
        return 0.0, 0
    return float(last - first), count
