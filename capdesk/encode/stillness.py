"""Unchanged frames cost almost nothing: most of a screen recording is a still desktop.

On a still screen nearly every grab is byte-identical to the one before (86 of 89
in a measured run with a ticking clock). Converting and encoding such a frame again
costs about 10 ms at 1080p; comparing it with the last one costs well under 1 ms,
and stops at the first differing byte when the screen did change. A repeated frame
is not written: the previous frame's duration in the stream grows instead (the
writer sets each frame's duration to the distance to the next one). A keyframe is
still written every two seconds (``Fmp4Writer.keyframe_due``), so fragments, and with
them the upload and the crash guarantee, keep their pace.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


def _load_memcmp() -> Callable[[int, int, int], int] | None:
    try:
        if sys.platform == "win32":
            library = ctypes.cdll.msvcrt
        else:
            library = ctypes.CDLL(ctypes.util.find_library("c") or None)
        memcmp = library.memcmp
    except (OSError, AttributeError):
        return None
    memcmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    memcmp.restype = ctypes.c_int
    return memcmp  # type: ignore[no-any-return,unused-ignore]


_MEMCMP = _load_memcmp()


def same_pixels(a: Image, b: Image) -> bool:
    """Are two frames byte-identical? C ``memcmp`` on contiguous buffers (stops at the
    first difference); numpy otherwise."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a is b or (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
                  and a.strides == b.strides):
        return True  # the same memory: the same bytes (a source handing out one frame again)
    if _MEMCMP is not None and a.flags.c_contiguous and b.flags.c_contiguous:
        return _MEMCMP(a.ctypes.data, b.ctypes.data, a.nbytes) == 0
    return bool(np.array_equal(a, b))


class StillFrames:
    """Remembers the last frame that was written and says whether a new one repeats it.

    The frame it keeps stays out of the source's buffer pool until a newer one replaces
    it (``release`` hands it back then), so it is never overwritten while kept.
    """

    def __init__(self, release: Callable[[Image], None]) -> None:
        self._release = release
        self._kept: Image | None = None
        self.repeated = 0  # frames not written because nothing changed

    def repeats(self, image: Image) -> bool:
        return self._kept is not None and same_pixels(image, self._kept)

    def keep(self, image: Image) -> None:
        """``image`` was written: keep it to compare the next ones with."""
        old, self._kept = self._kept, image
        if old is not None and old is not image:
            self._release(old)

    @property
    def kept(self) -> Image | None:
        """The last frame written, untouched since (None before the first)."""
        return self._kept

    def holds(self, image: Image) -> bool:
        return self._kept is image

    def close(self) -> None:
        if self._kept is not None:
            old, self._kept = self._kept, None
            self._release(old)
