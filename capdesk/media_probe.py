"""What ``complete`` needs to know about a video file: duration, size, fps, type.

Read with PyAV. A recording cut off by a crash has no index; its duration is
then taken from the last packet actually in the file.

Only what a browser can show on Cap's share page passes: an MP4/MOV, WebM/MKV or
AVI container (FFmpeg reads almost anything, a text file included, as "video")
holding H.264, VP8, VP9 or AV1 video. HEVC is left out: Firefox does not play it
on every system and Chrome only where the hardware decodes it, and ``complete``
bills for a link some viewers could not watch.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from capdesk.errors import InputError

# FFmpeg's demuxer names (a demuxer may list several: "mov,mp4,m4a,3gp,3g2,mj2").
CONTAINERS = frozenset({"mov", "mp4", "matroska", "webm", "avi"})
PLAYABLE_CODECS = frozenset({"h264", "vp8", "vp9", "av1"})
ACCEPTED = "an MP4, MOV, WebM, MKV or AVI file with H.264, VP8, VP9 or AV1 video"


class ProbeError(InputError):
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
        raise ProbeError(
            f"{path.name} is not a video: FFmpeg cannot read it ({exc.strerror or exc}); "
            f"upload {ACCEPTED}"
        ) from None
    with container:
        fmt = container.format.name
        stream = container.streams.video[0] if container.streams.video else None
        codec = _codec_name(stream)
        if not CONTAINERS.intersection(fmt.split(",")):
            found = f"{fmt} ({codec})" if stream is not None else fmt
            raise ProbeError(
                f"{path.name} is not a video: FFmpeg reads it as {found}; upload {ACCEPTED}"
            )
        if stream is None:
            raise ProbeError(f"{path.name} has no video stream; upload {ACCEPTED}")
        if codec not in PLAYABLE_CODECS:
            raise ProbeError(
                f"{path.name}: its video is {_codec_description(stream, codec)}, which "
                f"browsers do not play; convert it first, e.g. `ffmpeg -i "
                f"{shlex.quote(path.name)} -c:v libx264 -c:a aac "
                f"{shlex.quote(path.stem + '-h264.mp4')}`"
            )
        width, height = stream.codec_context.width, stream.codec_context.height
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        frames: int | None = stream.frames or None
        if scan or duration <= 0:
            duration, frames = _scan(container, stream)
    if not width or not height:
        raise ProbeError(f"{path.name}: cannot read the picture size")
    if duration <= 0:
        raise ProbeError(f"{path.name} holds no complete frame")
    if not fps and frames:
        fps = frames / duration
    content_type = _content_type(fmt, path.suffix.lower())
    return MediaInfo(
        duration_secs=round(duration, 3),
        width=int(width),
        height=int(height),
        fps=round(fps, 3),
        content_type=content_type,
        size=path.stat().st_size,
        frames=frames,
    )


def _codec_name(stream: av.VideoStream | None) -> str:
    """FFmpeg's name of the stream's codec ("h264", "mpeg4"), whichever decoder reads it."""
    if stream is None:
        return "no video"
    try:
        return str(stream.codec_context.codec.canonical_name)
    except (AttributeError, av.error.FFmpegError):
        return "an unknown codec"


def _codec_description(stream: av.VideoStream, codec: str) -> str:
    try:
        long_name = str(stream.codec_context.codec.long_name)
    except (AttributeError, av.error.FFmpegError):
        return codec
    if not long_name or codec.lower() in long_name.lower():
        return long_name or codec  # "MJPEG (Motion JPEG)"
    return f"{codec} ({long_name})"  # "mpeg4 (MPEG-4 part 2)"


def _content_type(fmt: str, suffix: str) -> str:
    names = set(fmt.split(","))
    if "avi" in names:
        return "video/avi"
    if "matroska" in names:
        return "video/webm" if suffix == ".webm" else "video/x-matroska"
    return "video/quicktime" if suffix == ".mov" else "video/mp4"


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
