"""Which H.264 encoder to use: a hardware one only after it has really encoded a frame.

Many FFmpeg builds list hardware encoders (NVENC, Quick Sync, AMF, ...) that fail
to open on a machine without the hardware or the driver, or open and then fail on
the first frame. ``choose_encoder`` tries each candidate with the real size and
frame rate, encodes one frame, and falls back to libx264, saying why for each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from capdesk.encode.sizing import keyframe_interval
from capdesk.errors import CapdeskError

log = logging.getLogger(__name__)

SOFTWARE = "libx264"
HARDWARE_CANDIDATES: tuple[str, ...] = (
    "h264_videotoolbox",  # macOS
    "h264_nvenc",  # NVIDIA: takes the captured BGRA as it is (no CPU conversion)
    "h264_qsv",  # Intel Quick Sync
    "h264_amf",  # AMD (Windows)
    "h264_mf",  # Windows Media Foundation
    "h264_v4l2m2m",  # Linux boards (Raspberry Pi and other SoCs)
    # VA-API needs frames uploaded to the GPU (hw_frames_ctx), which PyAV cannot set up;
    # it is probed so `doctor` says whether this FFmpeg build even has it.
    "h264_vaapi",
)
# Threads swscale uses for the colour conversion (0: as many as there are cores). The
# capture and the encoder already have a thread each; see bench/steps.py.
CONVERT_THREADS = 0
# How swscale takes each 2x2 block's colour when the size stays (yuv420p keeps one colour
# per block): POINT takes it from one pixel of the block instead of filtering across
# blocks, 1.5-2 ms less per 1080p frame (5.9 -> 4.4 ms, 6.8 -> 4.7 ms) and no
# worse to look at: on syntax-coloured 13 px text the decoded picture is 1.59 RGB levels
# from the screen against BILINEAR's 1.75, and coloured strokes lose less saturation (34
# levels against 48); `python bench/chroma.py --png F` shows them side by side. Scaling
# still filters (AREA).
SAME_SIZE_CHROMA = "POINT"
# Pixel formats an encoder takes straight from the capture (BGRA, 4 bytes a pixel, the
# alpha byte ignored): no colour conversion on the CPU at all.
DIRECT_FORMATS = frozenset({"bgra", "bgr0"})


@dataclass(frozen=True)
class EncoderSettings:
    """Everything needed to open one encoder for one recording."""

    name: str
    pix_fmt: str
    options: dict[str, str]
    hardware: bool

    @property
    def takes_capture_as_is(self) -> bool:
        """The encoder reads the captured BGRA pixels: no conversion on the CPU."""
        return self.pix_fmt in DIRECT_FORMATS


def describe_conversion(pix_fmt: str, source: tuple[int, int], output: tuple[int, int],
                        threads: int = CONVERT_THREADS) -> str:
    """What happens to each captured frame before the encoder, for `doctor` and results."""
    scaled = source != output and (source[0] // 2 * 2, source[1] // 2 * 2) != output
    scale = f", scaled {source[0]}x{source[1]} -> {output[0]}x{output[1]}" if scaled else ""
    if pix_fmt in DIRECT_FORMATS:
        if scaled:
            return f"none: BGRA straight to the encoder{scale} (swscale)"
        return "none: BGRA straight to the encoder"
    how = "auto threads" if threads == 0 else f"{threads} thread{'s' if threads > 1 else ''}"
    chroma = "" if scaled else ", each 2x2 block's colour from one pixel"
    return f"BGRA -> {pix_fmt} BT.709 (swscale, {how}{chroma}){scale}"

@dataclass
class EncoderChoice:
    settings: EncoderSettings
    # One line per candidate tried: "h264_nvenc: cannot open (Operation not permitted)".
    report: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.settings.name


def encoder_settings(name: str, fps: int, max_bitrate: int) -> EncoderSettings:
    """Low-latency settings for ``name`` with a bitrate cap of ``max_bitrate`` bits/s."""
    gop = str(keyframe_interval(fps))
    rate = str(max_bitrate)
    target = str(max_bitrate * 3 // 4)
    if name == SOFTWARE:
        options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "crf": "23",
            "maxrate": rate,
            "bufsize": rate,
            "g": gop,
            "keyint_min": gop,
            "sc_threshold": "0",
            "forced-idr": "1",
        }
        return EncoderSettings(name, "yuv420p", options, hardware=False)
    # No B-frames: packets come out in presentation order, one per frame, at once.
    common = {"b": target, "maxrate": rate, "bufsize": rate, "g": gop, "bf": "0"}
    per_encoder = {
        "h264_videotoolbox": ({"realtime": "1", "allow_sw": "0"}, "nv12"),
        # NVENC converts RGB32 (BGRA in memory) to YUV on the GPU.
        "h264_nvenc": (
            {"preset": "p1", "tune": "ll", "rc": "vbr", "zerolatency": "1", "forced-idr": "1"},
            "bgra",
        ),
        "h264_qsv": ({"preset": "veryfast", "look_ahead": "0", "forced_idr": "1"}, "nv12"),
        "h264_amf": ({"usage": "lowlatency", "quality": "speed", "rc": "vbr_peak"}, "nv12"),
        "h264_mf": ({"hw_encoding": "1", "scenario": "display_remoting"}, "nv12"),
        "h264_v4l2m2m": ({}, "yuv420p"),
        "h264_vaapi": ({}, "vaapi"),
    }
    extra, pix_fmt = per_encoder.get(name, ({}, "yuv420p"))
    return EncoderSettings(name, pix_fmt, {**common, **extra}, hardware=True)


def probe_encoder(settings: EncoderSettings, width: int, height: int, fps: int) -> str | None:
    """Open ``settings`` at this size and encode one frame; None if it works, else why not."""
    import av

    try:
        ctx: Any = av.codec.CodecContext.create(settings.name, "w")
    except Exception as exc:  # UnknownCodecError and friends
        return f"not in this FFmpeg build ({exc.__class__.__name__})"
    try:
        ctx.width = width
        ctx.height = height
        ctx.pix_fmt = settings.pix_fmt
        ctx.time_base = Fraction(1, fps)
        ctx.framerate = Fraction(fps, 1)
        ctx.options = dict(settings.options)
        ctx.open()
    except Exception as exc:
        return f"cannot open ({_short(exc)})"
    try:
        frame = av.VideoFrame(width, height, settings.pix_fmt)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts = 0
        packets = list(ctx.encode(frame)) + list(ctx.encode(None))
    except Exception as exc:
        return f"opened but failed to encode a frame ({_short(exc)})"
    if not packets:
        return "opened but produced no packet for a frame"
    return None


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
    return text if len(text) <= 160 else text[:157] + "..."


Prober = Callable[[EncoderSettings, int, int, int], "str | None"]
_cache: dict[tuple[str, int, int, int], str | None] = {}
_cache_lock = threading.Lock()


def _cached_probe(settings: EncoderSettings, width: int, height: int, fps: int) -> str | None:
    key = (settings.name, width, height, fps)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    result = probe_encoder(settings, width, height, fps)
    with _cache_lock:
        _cache[key] = result
    return result


def choose_encoder(
    width: int,
    height: int,
    fps: int,
    max_bitrate: int,
    *,
    preference: str = "auto",
    candidates: Sequence[str] = HARDWARE_CANDIDATES,
    prober: Prober | None = None,
) -> EncoderChoice:
    """Pick the encoder for a ``width`` x ``height`` recording at ``fps``.

    ``preference`` is "auto" (hardware candidates in order, then libx264), "software"
    (libx264 only) or an encoder name to try first. libx264 itself is probed too, so
    a broken build fails here with a clear message rather than mid-recording.
    """
    probe = prober or _cached_probe
    if preference == "software":
        order: list[str] = []
    elif preference == "auto":
        order = list(candidates)
    else:
        order = [preference] + [c for c in candidates if c != preference]
    report: list[str] = []
    for name in order:
        if name == SOFTWARE:
            continue
        settings = encoder_settings(name, fps, max_bitrate)
        problem = probe(settings, width, height, fps)
        if problem is None:
            report.append(f"{name}: works, using it")
            log.info("encoder: %s", report[-1])
            return EncoderChoice(settings, report)
        report.append(f"{name}: {problem}")
        log.info("encoder: %s", report[-1])
    settings = encoder_settings(SOFTWARE, fps, max_bitrate)
    problem = probe(settings, width, height, fps)
    if problem is not None:
        report.append(f"{SOFTWARE}: {problem}")
        raise EncoderUnavailable("no H.264 encoder works here: " + "; ".join(report))
    report.append(
        f"{SOFTWARE}: using the software encoder"
        + (" (no hardware encoder worked)" if order else "")
    )
    log.info("encoder: %s", report[-1])
    return EncoderChoice(settings, report)


class EncoderUnavailable(CapdeskError, RuntimeError):
    """No H.264 encoder could be opened."""
