"""X11 screen grabs straight into buffers the engine keeps: no 8 MB copy per frame.

mss grabs with XShmGetImage into one shared-memory segment and then copies the picture
out into a new ``bytearray`` (0.8-0.9 ms per 1080p frame on the 2-core test machine,
against 0.05-0.1 ms for the request alone). ``ShmFrames`` gives the X server several
segments, one per frame in flight, and hands out the segment the server just wrote
into. A segment is written again only when nobody holds a frame of it any more:

- each ``grab`` hands out a new numpy view of its segment and counts it; the engine
  gives every frame it was handed back exactly once (``release``): after encoding
  it, or, for the frame it keeps to compare the next ones with, when a newer one
  replaces it (``encode.stillness.StillFrames``);
- ``again`` hands out the last grab once more (a tick on which nothing was drawn) as a
  new view, counted like a grab, so the engine's one release per frame still holds;
- the last grab counts once more while it may be handed out again.

When every segment is held (an encoder far behind: the engine's queue is bounded, so
this takes ``MAX_SEGMENTS`` frames in flight) or the X server refuses a segment, the
grab falls back to mss's copy. It uses the X connection and the XCB bindings of mss 10
(``mss.linux.xcb``); with another mss, no MIT-SHM (a remote display) or not on Linux,
``ShmFrames.open`` returns None and mss grabs as before.

The mouse pointer is drawn in from XFixes' cursor image (straight alpha), as mss draws
it in its own grabs.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from capdesk.capture.damage import EMPTY, Box
from capdesk.capture.sources import CaptureError, Image

log = logging.getLogger(__name__)

MAX_SEGMENTS = 24  # frames in flight at most (the engine's queue holds 16 at most)
ALL_PLANES = 0xFFFFFFFF


@dataclass
class _Segment:
    xid: Any  # xcb.ShmSeg
    pixels: Image  # (height, width, 4) over the segment's mapping (which it keeps alive)
    held: int = 0  # frames of it handed out and not released, plus one while it is the last


class ShmFrames:
    """Grabs one area of the root window into shared-memory segments (see the module)."""

    def __init__(self, impl: Any, xcb: Any, left: int, top: int, width: int,
                 height: int) -> None:
        self._impl = impl
        self._xcb = xcb
        self._area = (left, top, width, height)
        self._shape = (height, width, 4)
        self._segments: list[_Segment] = []
        self._by_view: dict[int, _Segment] = {}
        self._last: _Segment | None = None
        self._lock = threading.Lock()  # the counts: grab (capture thread), release (encoder)
        self.copies = 0  # grabs that fell back to mss's copy (every segment held)
        self._most = MAX_SEGMENTS
        # Where the last grab got the pointer drawn, (left, top, right, bottom) in the
        # area (EMPTY when it drew none), and which picture of it (a hash).
        self.cursor_drawn: tuple[Box, int] = (EMPTY, 0)

    @classmethod
    def open(cls, sct: Any, left: int, top: int, width: int, height: int) -> ShmFrames | None:
        """For an ``mss.MSS`` on an X server with MIT-SHM, None where it cannot be used."""
        impl = getattr(sct, "_impl", None)
        if impl is None or not hasattr(os, "memfd_create"):
            return None
        try:
            from mss.linux import xcb
        except ImportError:
            return None
        needed = ("shm_get_image", "shm_attach_fd", "shm_detach", "generate_id", "ShmSeg",
                  "ImageFormat")
        if not all(hasattr(xcb, name) for name in needed) or not (
                getattr(impl, "conn", None) and getattr(impl, "drawable", None)):
            return None
        if getattr(getattr(impl, "shm_status", None), "name", "") == "UNAVAILABLE":
            return None
        frames = cls(impl, xcb, left, top, width, height)
        try:
            first = frames.grab()
        except Exception as exc:  # no MIT-SHM on this connection, a remote display, ...
            log.info("shared-memory grabs unavailable, mss copies each frame: %s", exc)
            frames.close()
            return None
        if first is not None:  # (no segment is held yet, so there always is one)
            frames.release(first)
        frames.forget_last()
        return frames

    def grab(self, cursor: bool = False, again_later: bool = False) -> Image | None:
        """The area now, in a segment; None when every segment is held (grab otherwise).
        ``again_later``: it may be handed out again (``again``), so its segment stays
        held until the next grab. CaptureError when the X server refuses the request
        (the screen shrank)."""
        with self._lock:
            segment = next((s for s in self._segments if s.held == 0), None)
            if segment is None:
                if len(self._segments) >= self._most:
                    self.copies += 1
                    return None
                try:
                    segment = self._new_segment()
                except Exception as exc:  # out of memory, refused by the server
                    if not self._segments:
                        raise CaptureError(f"no shared memory for screen grabs: {exc}") from exc
                    log.warning("no more shared-memory segments (%s): copying grabs", exc)
                    self._most = len(self._segments)
                    self.copies += 1
                    return None
            segment.held += 1  # the frame about to be handed out: nobody else takes it
        # The X server writes into it outside the lock: releases (the encoder) never wait.
        left, top, width, height = self._area
        xcb = self._xcb
        try:
            try:
                reply = xcb.shm_get_image(self._impl.conn, self._impl.drawable, left, top,
                                          width, height, ALL_PLANES, xcb.ImageFormat.ZPixmap,
                                          segment.xid, 0)
            except Exception as exc:
                raise CaptureError(f"screen grab failed: {exc}") from exc
            if int(reply.size) < width * height * 4:
                raise CaptureError(f"the screen grab returned {int(reply.size)} bytes for "
                                   f"{width}x{height} (did the screen change size?)")
            self.cursor_drawn = self._draw_cursor(segment.pixels) if cursor else (EMPTY, 0)
        except BaseException:
            with self._lock:
                segment.held -= 1
            raise
        with self._lock:
            self._set_last(segment if again_later else None)
            return self._hand_out(segment, counted=True)

    def again(self) -> Image | None:
        """The last grab handed out once more (nothing was drawn since), None before one."""
        with self._lock:
            return self._hand_out(self._last) if self._last is not None else None

    def release(self, image: Image) -> bool:
        """The engine is done with ``image``; False if it is not one of these frames."""
        with self._lock:
            segment = self._by_view.pop(id(image), None)
            if segment is None:
                return False
            segment.held -= 1
            return True

    def forget_last(self) -> None:
        """The last grab will not be handed out again."""
        with self._lock:
            self._set_last(None)

    def close(self) -> None:
        """Detach every segment from the X server and let go of them. Frames still held
        stay readable: a segment's memory is unmapped when its last view goes (numpy's
        views keep the mapping alive), never under a frame the encoder still reads."""
        with self._lock:
            log.debug("shared-memory grabs: %d segments made, %d grabs copied instead",
                      len(self._segments), self.copies)
            for segment in self._segments:
                with contextlib.suppress(Exception):
                    self._xcb.shm_detach(self._impl.conn, segment.xid)
            self._segments.clear()
            self._by_view.clear()
            self._last = None

    @property
    def segments(self) -> int:
        return len(self._segments)

    # -- internals (under the lock) ---------------------------------------------------------
    def _new_segment(self) -> _Segment:
        size = self._shape[0] * self._shape[1] * 4
        fd = os.memfd_create("capdesk-grab", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, size)
            memory = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except OSError:
            os.close(fd)
            raise
        xcb = self._xcb
        xid = xcb.ShmSeg(xcb.generate_id(self._impl.conn).value)
        try:
            xcb.shm_attach_fd(self._impl.conn, xid, fd, read_only=False)  # XCB closes fd
        except Exception:
            memory.close()
            raise
        pixels = np.frombuffer(memory, dtype=np.uint8).reshape(self._shape)
        segment = _Segment(xid, pixels)
        self._segments.append(segment)
        return segment

    def _hand_out(self, segment: _Segment, counted: bool = False) -> Image:
        view = segment.pixels.view()
        if not counted:
            segment.held += 1
        self._by_view[id(view)] = segment
        return view

    def _set_last(self, segment: _Segment | None) -> None:
        if self._last is not None:
            self._last.held -= 1
        self._last = segment
        if segment is not None:
            segment.held += 1

    def _draw_cursor(self, pixels: Image) -> tuple[Box, int]:
        try:
            shot = self._impl.cursor()
        except Exception:
            return EMPTY, 0  # no XFixes: mss would not draw it either
        if shot is None:
            return EMPTY, 0
        (cx, cy), (cw, ch) = shot.pos, shot.size
        cursor = np.frombuffer(shot.raw, dtype=np.uint8).reshape(ch, cw, 4)
        x, y = cx - self._area[0], cy - self._area[1]
        blend_straight(pixels, cursor, x, y)
        return (x, y, x + cw, y + ch), hash(bytes(shot.raw))


def blend_straight(image: Image, over: Image, x: int, y: int) -> None:
    """Draws ``over`` (BGRA, straight alpha) onto ``image`` (BGRA) with its top-left corner
    at ``x``, ``y``, clipped to ``image``."""
    height, width = image.shape[:2]
    left, top = max(0, x), max(0, y)
    right, bottom = min(width, x + over.shape[1]), min(height, y + over.shape[0])
    if left >= right or top >= bottom:
        return
    part = over[top - y : bottom - y, left - x : right - x]
    alpha = part[..., 3:4].astype(np.uint16)
    if not alpha.any():
        return
    box = image[top:bottom, left:right, :3]
    mixed = (part[..., :3].astype(np.uint16) * alpha
             + box.astype(np.uint16) * (255 - alpha) + 127) // 255
    box[...] = mixed.astype(np.uint8)
