"""A camera frame's planes -> BGRA, cropped to a centred square at the bubble's size, or
the full frame. Qt-free: the worker hands over the pixel format's name and the mapped
planes, so this runs (and is tested) without a camera.

Cameras deliver YUV (NV12 on macOS and most Windows webcams, YUYV or decoded MJPEG as
YUV420P/YUV422P on Linux) and sometimes BGRA. The planes are copied once, with their
strides, into a PyAV frame of the cropped size (the crop is done by that copy), and
FFmpeg's swscale converts and scales it to BGRA in one pass (measured on the 2-core
test machine: 1080p YUV420P -> 480x480 BGRA in 1.9 ms, the copy in 0.8 ms; the
worker does it, not the engine). ``QVideoFrame.toImage()`` is never used for these
formats: it costs 100+ ms a frame. Webcams in MJPEG mode (most of them at 720p and
1080p) hand Qt JPEG frames: ``JpegDecoder`` decodes them with FFmpeg's MJPEG decoder
into planes for the same conversion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from capdesk.capture.camera.protocol import FULL_FRAME_MAX

if TYPE_CHECKING:
    import av

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class PlaneLayout:
    bytes_per_pixel: int  # in this plane, per sample it holds
    x_shift: int  # horizontal subsampling: width >> x_shift
    y_shift: int  # vertical subsampling: height >> y_shift


@dataclass(frozen=True)
class PixelLayout:
    av_format: str  # FFmpeg's name for it
    planes: tuple[PlaneLayout, ...]
    order: tuple[int, ...] | None = None  # source plane for each of FFmpeg's planes
    rgb: bool = False  # no YUV colour space to honour


_Y = PlaneLayout(1, 0, 0)
_C420 = PlaneLayout(1, 1, 1)
_C422 = PlaneLayout(1, 1, 0)
_UV420 = PlaneLayout(2, 1, 1)  # interleaved U and V at quarter resolution
_PACKED422 = PlaneLayout(2, 0, 0)  # YUYV: 2 bytes per pixel, pairs share U and V
_RGB32 = PlaneLayout(4, 0, 0)


def _rgb(av_format: str) -> PixelLayout:
    return PixelLayout(av_format, (_RGB32,), rgb=True)


# QVideoFrameFormat.PixelFormat names (without "Format_") -> FFmpeg's pixel formats.
# The 8888 names give the byte order in memory (Qt maps AV_PIX_FMT_BGRA to BGRA8888).
PIXEL_FORMATS: dict[str, PixelLayout] = {
    "YUV420P": PixelLayout("yuv420p", (_Y, _C420, _C420)),
    "YV12": PixelLayout("yuv420p", (_Y, _C420, _C420), order=(0, 2, 1)),
    "YUV422P": PixelLayout("yuv422p", (_Y, _C422, _C422)),
    "YUV444P": PixelLayout("yuv444p", (_Y, _Y, _Y)),  # not a Qt format: decoded JPEG only
    "NV12": PixelLayout("nv12", (_Y, _UV420)),
    "NV21": PixelLayout("nv21", (_Y, _UV420)),
    "YUYV": PixelLayout("yuyv422", (_PACKED422,)),
    "UYVY": PixelLayout("uyvy422", (_PACKED422,)),
    "Y8": PixelLayout("gray", (_Y,)),
    "Y16": PixelLayout("gray16le", (PlaneLayout(2, 0, 0),)),
    "P010": PixelLayout("p010le", (PlaneLayout(2, 0, 0), PlaneLayout(4, 1, 1))),
    "P016": PixelLayout("p016le", (PlaneLayout(2, 0, 0), PlaneLayout(4, 1, 1))),
    "YUV420P10": PixelLayout(
        "yuv420p10le", (PlaneLayout(2, 0, 0), PlaneLayout(2, 1, 1), PlaneLayout(2, 1, 1))),
    "BGRA8888": _rgb("bgra"),
    "BGRA8888_Premultiplied": _rgb("bgra"),
    "BGRX8888": _rgb("bgr0"),
    "ARGB8888": _rgb("argb"),
    "ARGB8888_Premultiplied": _rgb("argb"),
    "XRGB8888": _rgb("0rgb"),
    "ABGR8888": _rgb("abgr"),
    "XBGR8888": _rgb("0bgr"),
    "RGBA8888": _rgb("rgba"),
    "RGBX8888": _rgb("rgb0"),
}

# QVideoFrameFormat.ColorSpace / ColorRange names -> swscale's.
COLOR_SPACES = {"BT601": "itu601", "BT709": "itu709", "BT2020": "bt2020"}
COLOR_RANGES = {"Full": "JPEG", "Video": "MPEG"}


def centred_square(width: int, height: int) -> tuple[int, int, int]:
    """(x, y, side) of the largest centred square, on even pixels (chroma subsampling)."""
    side = min(width, height) & ~1
    return ((width - side) // 2) & ~1, ((height - side) // 2) & ~1, side


def fit_full_frame(width: int, height: int) -> tuple[int, int]:
    """The full frame's output size: the camera's, scaled down into FULL_FRAME_MAX, even."""
    max_w, max_h = FULL_FRAME_MAX
    scale = min(1.0, max_w / width, max_h / height)
    return max(2, round(width * scale) & ~1), max(2, round(height * scale) & ~1)


class FrameConverter:
    """Converts camera frames to BGRA: a ``size`` x ``size`` centred square, or (``size``
    None) the full frame at the size of the first frame converted (a camera that changes
    its size later is scaled to that first size: a recording cannot change size)."""

    def __init__(self, size: int | None) -> None:
        self.size = size
        self.output_size: tuple[int, int] | None = (size, size) if size else None

    def convert(
        self,
        pixel_format: str,
        width: int,
        height: int,
        planes: Sequence[Image],
        *,
        color_space: str | None = None,
        color_range: str | None = None,
    ) -> Image:
        """``planes``: each plane as rows of bytes (``(rows, bytes_per_line)`` uint8, a view
        of the mapped frame is fine: it is read once). KeyError for a pixel format that is
        not in ``PIXEL_FORMATS``; ValueError for planes too small for the size."""

        layout = PIXEL_FORMATS[pixel_format]
        if self.size:
            x, y, side = centred_square(width, height)
            crop_w = crop_h = side
        else:
            x, y, crop_w, crop_h = 0, 0, width & ~1, height & ~1
            if self.output_size is None:
                self.output_size = fit_full_frame(crop_w, crop_h)
        out_w, out_h = self.output_size  # type: ignore[misc]
        frame = frame_from_planes(layout, planes, x, y, crop_w, crop_h)
        yuv = not layout.rgb
        shrinking = out_w < crop_w or out_h < crop_h
        result = frame.reformat(
            width=out_w, height=out_h, format="bgra",
            interpolation="AREA" if shrinking else "BILINEAR",
            src_colorspace=COLOR_SPACES.get(color_space or "") if yuv else None,
            src_color_range=COLOR_RANGES.get(color_range or "") if yuv else None,
            threads=1,  # one more thread would compete with the encoder's for little gain
        )
        return np.asarray(result.to_ndarray(), dtype=np.uint8)


def frame_from_planes(layout: PixelLayout, planes: Sequence[Image],
                      x: int, y: int, width: int, height: int) -> av.VideoFrame:
    """A PyAV frame of the ``width`` x ``height`` rectangle at ``x``, ``y`` of a mapped
    frame's ``planes`` (each as rows of bytes): the crop is done by this one copy."""
    import av

    frame = av.VideoFrame(width, height, layout.av_format)
    order = layout.order or range(len(layout.planes))
    for index, (source_index, plane_layout) in enumerate(
            zip(order, layout.planes, strict=True)):
        _copy_plane(planes[source_index], frame.planes[index], plane_layout,
                    x, y, width, height)
    return frame


def _copy_plane(source: Image, plane: object, layout: PlaneLayout,
                x: int, y: int, width: int, height: int) -> None:
    rows = height >> layout.y_shift
    row_bytes = (width >> layout.x_shift) * layout.bytes_per_pixel
    left = (x >> layout.x_shift) * layout.bytes_per_pixel
    top = y >> layout.y_shift
    if source.ndim != 2 or source.shape[0] < top + rows or source.shape[1] < left + row_bytes:
        raise ValueError(
            f"a plane of {source.shape} bytes is too small for {width}x{height} at {x},{y}")
    line_size = plane.line_size  # type: ignore[attr-defined]
    target = np.frombuffer(plane, dtype=np.uint8)  # type: ignore[call-overload]
    target = target[: rows * line_size].reshape(rows, line_size)
    target[:, :row_bytes] = source[top : top + rows, left : left + row_bytes]


# FFmpeg's formats of decoded JPEG -> (PIXEL_FORMATS name, colour range)
JPEG_DECODED: dict[str, tuple[str, str | None]] = {
    "yuvj420p": ("YUV420P", "Full"), "yuvj422p": ("YUV422P", "Full"),
    "yuvj444p": ("YUV444P", "Full"), "yuv420p": ("YUV420P", None),
    "yuv422p": ("YUV422P", None), "yuv444p": ("YUV444P", None), "gray": ("Y8", "Full"),
}


class JpegDecoder:
    """JPEG frames (a camera's MJPEG mode) -> the pixel format name, size, planes and
    colour range that ``FrameConverter.convert`` takes."""

    def __init__(self) -> None:
        import av

        self._codec = av.CodecContext.create("mjpeg", "r")

    def decode(self, data: bytes) -> tuple[str, int, int, list[Image], str | None]:
        """ValueError for a JPEG that cannot be decoded, or of a kind not handled here."""
        import av

        try:
            frames = self._codec.decode(av.Packet(data))
        except av.error.FFmpegError as exc:
            raise ValueError(f"a JPEG camera frame could not be decoded: {exc}") from exc
        if not frames:
            raise ValueError("a JPEG camera frame decoded to nothing")
        frame = frames[-1]
        assert isinstance(frame, av.VideoFrame)
        name = frame.format.name
        if name not in JPEG_DECODED:
            raise ValueError(f"JPEG camera frames in {name} are not handled")
        pixel_format, color_range = JPEG_DECODED[name]
        planes = [plane_rows(plane, plane.line_size, plane.height) for plane in frame.planes]
        return pixel_format, frame.width, frame.height, planes, color_range


def plane_rows(buffer: object, bytes_per_line: int, rows: int) -> Image:
    """A mapped plane (any buffer) as ``(rows, bytes_per_line)`` bytes, without copying."""
    flat = np.frombuffer(buffer, dtype=np.uint8)  # type: ignore[call-overload]
    rows = min(rows, flat.size // bytes_per_line) if bytes_per_line else 0
    return flat[: rows * bytes_per_line].reshape(rows, bytes_per_line)  # type: ignore[no-any-return]
