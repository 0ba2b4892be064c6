"""H.264 in fragmented MP4, written to a spool file that survives a crash.

Frames come in as BGRA pixels with their slot on the recording's timestamp grid
(``pts = slot``, time base ``1/fps``); a dropped slot is a gap in pts, never a
stretched timeline. Each packet's duration is set to the distance to the next
one, so the file's duration is exactly the recorded time.

``movflags=frag_keyframe+empty_moov+default_base_moof`` makes the muxer write the
header first and then one self-contained ``moof``+``mdat`` fragment per keyframe
(every two seconds); ``flush_packets=1`` makes each fragment reach the file whole
in the same call. After every fragment the spool file is fsync'd and
``durable_bytes`` advances. At ``close`` the muxer appends its ``mfra`` index.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from capdesk.encode import fmp4
from capdesk.encode.bands import MARGIN, BandConverter, Box
from capdesk.encode.encoders import (
    CONVERT_THREADS,
    SAME_SIZE_CHROMA,
    SOFTWARE,
    EncoderChoice,
    choose_encoder,
    describe_conversion,
)
from capdesk.encode.sizing import bitrate_cap, keyframe_interval, needs_scaling, output_size
from capdesk.encode.spool import DurableCallback, SpoolFile
from capdesk.errors import DiskError

log = logging.getLogger(__name__)

BLOCK_SIZES_KEPT = 4  # swscale set-ups kept for converting blocks, one per size

MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
_BT709 = 1  # AVCOL_PRI_BT709 == AVCOL_TRC_BT709 == AVCOL_SPC_BT709
_RANGE_MPEG = 1  # limited ("TV") range, what players expect from H.264


class WriteFailed(DiskError, OSError):
    """The spool file could not be written; the file was salvaged up to its last fragment.

    ``disk_full`` tells ENOSPC (or a quota) from other I/O errors.
    """

    def __init__(self, message: str, *, disk_full: bool, errno_: int | None) -> None:
        super().__init__(errno_, message)
        self.disk_full = disk_full


@dataclass
class WriterResult:
    path: Path
    bytes: int
    frames: int  # frames in the file
    duration_slots: int  # duration in frame slots (1/fps each)
    has_index: bool  # the file ends in an mfra index
    salvaged: bool = False  # cut short by a write error and repaired
    notes: list[str] = field(default_factory=list)


class Fmp4Writer:
    """Encodes BGRA frames into a fragmented MP4 spool file. Use from one thread."""

    def __init__(
        self,
        path: str | Path,
        *,
        src_width: int,
        src_height: int,
        fps: int,
        max_height: int = 1080,
        encoder: str = "auto",
        on_durable: DurableCallback | None = None,
        choose: Callable[..., EncoderChoice] = choose_encoder,
        convert_threads: int = CONVERT_THREADS,
    ) -> None:
        import av
        from av.video.reformatter import VideoReformatter

        self.path = Path(path)
        self.fps = fps
        self.src_size = (src_width, src_height)
        self.width, self.height = output_size(src_width, src_height, max_height)
        self._scale = needs_scaling(self.src_size, (self.width, self.height))
        self.max_bitrate = bitrate_cap(self.width, self.height, fps)
        self.choice = choose(
            self.width, self.height, fps, self.max_bitrate, preference=encoder
        )
        settings = self.choice.settings
        self._pix_fmt = settings.pix_fmt
        self._direct = settings.takes_capture_as_is  # e.g. NVENC: BGRA in, no conversion
        self._convert_threads = convert_threads
        self.conversion = describe_conversion(settings.pix_fmt, self.src_size,
                                              (self.width, self.height), convert_threads)
        self._gop = keyframe_interval(fps)
        self._time_base = Fraction(1, fps)
        self.spool = SpoolFile(self.path, on_durable)
        try:
            self._container: Any = av.open(
                self.spool,
                mode="w",
                format="mp4",
                container_options={"movflags": MOVFLAGS, "flush_packets": "1"},
            )
            stream: Any = self._container.add_stream(
                settings.name, rate=fps, options=settings.options
            )
            stream.width = self.width
            stream.height = self.height
            stream.pix_fmt = settings.pix_fmt
            ctx = stream.codec_context
            ctx.time_base = self._time_base
            ctx.color_primaries = _BT709
            ctx.color_trc = _BT709
            ctx.colorspace = _BT709
            ctx.color_range = _RANGE_MPEG
            self._stream: Any = stream
        except Exception:
            self.spool.finish()
            raise
        self._reformatter = VideoReformatter()
        # swscale sets itself up again (its tables, its threads) whenever the size changes:
        # blocks of a few sizes come and go, so each size keeps its own (the last few).
        self._block_reformatters: OrderedDict[tuple[int, int], Any] = OrderedDict()
        # Only what changed is converted when the caller says which frame came before.
        self._bands: BandConverter | None = None
        if settings.pix_fmt == "yuv420p" and not self._scale and not self._direct:
            self._bands = BandConverter(
                self.width, self.height, self._reformat_rows,
                lambda flat: av.VideoFrame.from_numpy_buffer(flat, format="yuv420p"),
                # libx264 copies each picture before encode() returns (see encode.bands)
                in_place=settings.name == SOFTWARE,
                margin=0 if SAME_SIZE_CHROMA == "POINT" else MARGIN)
        self._held: Any = None  # the newest packet, muxed once the next one sets its duration
        self._last_key_slot: int | None = None
        self._last_slot = -1
        self._muxed = 0
        self.durable_frames = 0  # frames inside the durable prefix
        self.durable_slots = 0  # timeline covered by the durable prefix, in slots
        self._closed = False
        self.result: WriterResult | None = None  # set once the file is finished or salvaged

    @property
    def encoder_name(self) -> str:
        return self.choice.name

    @property
    def durable_bytes(self) -> int:
        return self.spool.durable_bytes

    # -- writing ----------------------------------------------------------------------------
    def keyframe_due(self, slot: int) -> bool:
        """Would a frame at ``slot`` be a keyframe (the first, or two seconds after the
        last)? A repeated frame is written anyway then, so fragments keep their pace."""
        if self._last_key_slot is None:
            return True
        pts = slot if self._last_slot >= 0 else 0
        return pts - self._last_key_slot >= self._gop

    def write(self, image: npt.NDArray[np.uint8], slot: int,
              previous: npt.NDArray[np.uint8] | None = None,
              changed: Box | None = None) -> None:
        """Encode one BGRA image (H, W, 4) shown at ``slot`` (its pts in 1/fps units).

        ``previous``: the image written before, untouched since, if the caller kept it:
        then only what changed is converted (``encode.bands``): the box ``changed``
        (left, top, right, bottom) outside which the two are equal, when the caller
        knows it, else the rows that differ.

        The file's timeline starts at 0 with the first frame (MP4 muxers shift a later
        start to 0 anyway), so a first frame at a later slot is shown from slot 0.
        """
        if slot <= self._last_slot:
            raise ValueError(f"slot {slot} is not after {self._last_slot}")
        pts = slot if self._last_slot >= 0 else 0
        self._last_slot = slot
        frame = self._convert(image, previous, changed)
        frame.pts = pts
        frame.time_base = self._time_base
        if self._last_key_slot is None or pts - self._last_key_slot >= self._gop:
            frame.pict_type = 1  # AV_PICTURE_TYPE_I: a keyframe every 2 s of *time*
            self._last_key_slot = pts
        else:
            frame.pict_type = 0  # the encoder's choice (a picture used again keeps its type)
        self._guarded(lambda: self._encode(frame))

    def _convert(self, image: npt.NDArray[np.uint8],
                 previous: npt.NDArray[np.uint8] | None = None,
                 changed: Box | None = None) -> Any:
        import av

        if not self._scale:
            image = image[: self.height, : self.width]  # even sides: crop, never stretch
            if previous is not None:
                previous = previous[: self.height, : self.width]
        if self._bands is not None:
            return self._bands.convert(image, previous, changed)
        source = av.VideoFrame.from_numpy_buffer(image, format="bgra")
        if self._direct and not self._scale:
            return source  # the encoder converts on its own hardware
        return self._reformatter.reformat(
            source,
            width=self.width,
            height=self.height,
            format=self._pix_fmt,
            dst_colorspace=_BT709,
            dst_color_range=_RANGE_MPEG,
            interpolation="AREA" if self._scale else SAME_SIZE_CHROMA,
            threads=self._convert_threads,
        )

    def _reformat_rows(self, image: npt.NDArray[np.uint8]) -> Any:
        """BGRA rows -> yuv420p rows of the same size (no scaling)."""
        import av

        size = (image.shape[1], image.shape[0])
        reformatter = self._block_reformatters.pop(size, None)
        if reformatter is None:
            from av.video.reformatter import VideoReformatter

            reformatter = VideoReformatter()
            if len(self._block_reformatters) >= BLOCK_SIZES_KEPT:
                self._block_reformatters.popitem(last=False)
        self._block_reformatters[size] = reformatter
        return reformatter.reformat(
            av.VideoFrame.from_numpy_buffer(image, format="bgra"),
            format=self._pix_fmt,
            dst_colorspace=_BT709,
            dst_color_range=_RANGE_MPEG,
            interpolation=SAME_SIZE_CHROMA,
            threads=self._convert_threads,
        )

    def _encode(self, frame: Any) -> None:
        for packet in self._stream.encode(frame):
            self._queue_packet(packet)

    def _queue_packet(self, packet: Any) -> None:
        held, self._held = self._held, packet
        if held is not None:
            held.duration = max(1, int(packet.pts) - int(held.pts))
            self._mux(held)

    def _mux(self, packet: Any) -> None:
        before = self.spool.size
        muxed_before = self._muxed
        slot = int(packet.pts)  # in 1/fps; muxing rebases the packet to the stream's time base
        self._container.mux_one(packet)
        self._muxed += 1
        if self.spool.size != before:
            # The muxer wrote the header and/or a whole fragment: everything muxed before
            # this packet is in the file now (this one starts the next fragment).
            self.spool.commit()
            self.durable_frames = muxed_before
            self.durable_slots = slot if muxed_before else 0

    # -- audio (capdesk.encode.audio) -------------------------------------------------------
    def add_audio_stream(self, codec: str, rate: int, layout: str, bit_rate: int) -> Any:
        """Add an audio stream; only before the first frame (the header lists every stream)."""
        if self._muxed:
            raise RuntimeError("the audio stream must be added before the first frame")
        stream: Any = self._container.add_stream(codec, rate=rate, layout=layout)
        stream.bit_rate = bit_rate
        return stream

    def mux_audio(self, packet: Any) -> None:
        """Mux one audio packet; the muxer interleaves it with the video by time."""

        def mux() -> None:
            before = self.spool.size
            self._container.mux_one(packet)
            if self.spool.size != before:
                self.spool.commit()  # a fragment (or the header) reached the file

        self._guarded(mux)

    # -- finishing --------------------------------------------------------------------------
    def close(self, total_slots: int) -> WriterResult:
        """Flush the encoder, write the last fragment and the ``mfra`` index, fsync, close.

        ``total_slots`` is the recorded duration in slots; the last frame lasts until then.
        """
        if self._closed:
            raise RuntimeError("writer already closed")

        def finish() -> None:
            for packet in self._stream.encode(None):
                self._queue_packet(packet)
            if self._held is not None:
                held, self._held = self._held, None
                held.duration = max(1, total_slots - int(held.pts))
                self._mux(held)
            self._container.close()

        self._guarded(finish)
        self._closed = True
        size = self.spool.finish()
        self.result = WriterResult(
            path=self.path,
            bytes=size,
            frames=self._muxed,
            duration_slots=max(total_slots, self._last_slot + 1),
            has_index=fmp4.has_mfra(self.path),
        )
        return self.result

    def abort(self, why: str = "aborted") -> WriterResult:
        """Give up after an error elsewhere: keep the file up to its last fragment."""
        if self.result is not None:
            return self.result
        return self._salvage(why)

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:
            error = self.spool.error
            if error is None and isinstance(exc, OSError) and exc.errno is not None:
                error = exc
            if error is None:
                raise
            disk_full = self.spool.disk_full or getattr(error, "errno", None) in (28, 122)
            result = self._salvage("disk full" if disk_full else f"write error: {error}")
            raise WriteFailed(
                f"{'disk full' if disk_full else 'write failed'} while writing {self.path}; "
                f"kept {result.frames} frames ({result.bytes} bytes) up to the last fragment",
                disk_full=disk_full,
                errno_=getattr(error, "errno", None),
            ) from exc

    def _salvage(self, why: str) -> WriterResult:
        """Cut the file back to its durable prefix and append an index built from it."""
        self._closed = True
        self.spool.discarding = True
        try:
            self._container.close()  # whatever it still writes is discarded
        except Exception:
            log.debug("closing the muxer after a failure", exc_info=True)
        durable = self.spool.truncate_to_durable()
        notes = [f"stopped early: {why}"]
        fragments = fmp4.read_fragments(self.path, durable)
        has_index = False
        if fragments:
            has_index = self.spool.append_final(fmp4.build_mfra(fragments))
            if not has_index:
                notes.append("no room for the index: the file plays but may not show its duration")
        size = self.spool.finish()
        self.result = WriterResult(
            path=self.path,
            bytes=size,
            frames=self.durable_frames,
            duration_slots=self.durable_slots,
            has_index=has_index,
            salvaged=True,
            notes=notes,
        )
        return self.result
