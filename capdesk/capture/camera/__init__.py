"""The camera: a QtMultimedia camera (or a looping video file) read in a child process.

QtMultimedia needs a QGuiApplication, which the command line does not have and which
must not live in the engine's process; so the camera runs in a worker process of its
own, and hands its newest picture over through shared memory::

    engine process                                worker process (Qt, offscreen)
    ─────────────                                 ──────────────────────────────
    CameraFeed.start() ── spawns ──────────────>  qt_worker: QCamera or QMediaPlayer(file,
                       <── stdout: JSON lines ──    looping) -> QVideoSink; each frame is
                                                    mapped, its planes copied, converted
    CameraFeed.latest() <── SharedFrame ─────────   to BGRA (cropped square at the bubble's
      (seqlock: the newest frame wins, no queue)    size, or the full frame) and published
    CameraFeed.stop() ── terminates it ────────>  (it also exits by itself at EOF on its
                                                    stdin: when the engine dies)

Modules:

- ``feed``: ``CameraFeed``, the engine's side (start, ``latest()``, ``alive``, ``error``,
  ``stop``); ``devices``: ``list_cameras()`` -> ``CameraInfo``;
- ``source``: the ``--source camera`` capture source (the camera full frame);
- ``shared_frame``: the shared-memory block with its seqlock;
- ``convert``: a camera frame's planes -> BGRA (PyAV's swscale), Qt-free;
- ``protocol``: how the worker is started and what it says (no Qt);
- ``qt_worker``: the worker process itself, the only module here that imports Qt.

``CameraError`` (below) carries a sentence for people: no camera, the camera in use,
permission refused, a file that cannot be played, no picture in time.
"""

from __future__ import annotations

from capdesk.errors import CapdeskError


class CameraError(CapdeskError, RuntimeError):
    """The camera cannot be used (none there, in use, permission refused, a file that
    cannot be played, no picture in time); ``str()`` is the sentence for people."""


__all__ = ["CameraError"]
