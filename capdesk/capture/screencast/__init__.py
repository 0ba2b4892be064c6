"""Screen and window capture through QtMultimedia, in a worker process per recording.

QtMultimedia reaches what mss cannot: one window (``QWindowCapture``, on X11, Windows
and macOS) and the screen of a Wayland session (``QScreenCapture`` through the
xdg-desktop-portal ScreenCast interface and PipeWire). Qt needs a QGuiApplication
and keeps a Wayland portal session until its process exits (a second capture in the
same process gets no frames), so each recording runs its own worker process, exactly
like the camera (``capture.camera``: same protocol, same shared-frame block)::

    engine process                                 worker process (Qt)
    ─────────────                                  ─────────────────────
    QtCaptureSource(...) ── spawns ─────────────>  worker: QScreenCapture / QWindowCapture
                         <── stdout: JSON lines ──   -> QVideoSink; each frame mapped,
    .grab() (the encoder's clock) <── SharedFrame ─  cropped or fitted, published
    .close() ── terminates it ──────────────────>  (exits at EOF on stdin too)

The engine reads the newest frame at its own pace: a source that sends frames only
when something changed (Wayland) is repeated on the encoder's clock, a faster one
(60 Hz) is sampled, and neither can build a backlog.

Modules:

- ``frames``: a captured frame's planes -> the BGRA frame published (crop, fixed size
  with the aspect kept), Qt-free;
- ``windows``: the windows that can be recorded (``list_windows``, ``find_window``);
- ``source``: the engine's side (``QtCaptureSource``);
- ``worker``: the worker process, the only module here that imports Qt.
"""

from __future__ import annotations

# argv[1] of the bundled app: run the capture worker (capdesk.cli repeats it).
CAPTURE_WORKER_SWITCH = "--capture-worker"
WORKER_MODULE = "capdesk.capture.screencast.worker"
