"""``--source camera`` ("camera only"): the camera's full frame as the recording's picture.

A ``FrameSource`` (see ``capture.sources``) over a ``CameraFeed`` started with
``size=None``: the frames keep the camera's size (its first frame's). The feed starts
when the source is made, because the engine needs the picture's size before it opens
anything else. Each grab, at the recording's pace, copies the newest camera frame; when
the camera sent none since the last grab, the same picture is copied again (the
encoder skips it as a repeat). When the camera stops (unplugged), the grab raises
``CaptureError``: the recording ends as for any source that fails, keeping everything
recorded up to then.
"""

from __future__ import annotations

from capdesk.capture.camera import CameraError
from capdesk.capture.camera.feed import CameraFeed
from capdesk.capture.sources import BufferPool, CaptureError, Image

START_TIMEOUT = 10.0


class CameraSource:
    def __init__(self, camera: str = "default", *, timeout: float = START_TIMEOUT) -> None:
        self._feed = CameraFeed(camera, size=None)
        try:
            self._feed.start(timeout)
        except CameraError as exc:
            raise CaptureError(f"the camera cannot be recorded: {exc}") from exc
        self.width, self.height = self._feed.width, self._feed.height
        self.description = f"camera {self._feed.name!r} {self.width}x{self.height}"
        self.notes: list[str] = []
        self._pool = BufferPool(self.width, self.height)

    @property
    def feed(self) -> CameraFeed:
        return self._feed

    def open(self) -> None:
        pass

    def grab(self, slot: int) -> Image:
        feed = self._feed
        if not feed.alive:
            raise CaptureError(f"the camera stopped ({feed.error or 'it ended'})")
        image = self._pool.take()
        if feed.latest_into(image) is None:
            self._pool.give(image)
            raise CaptureError("the camera's picture could not be read")
        return image

    def release(self, image: Image) -> None:
        self._pool.give(image)

    def close(self) -> None:
        self._feed.stop()
