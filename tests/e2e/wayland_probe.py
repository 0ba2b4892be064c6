"""Does QtMultimedia's QScreenCapture get frames here? Prints one JSON line and exits.

Run inside a Wayland session (tests/wayland_session.py runs it as the session's user):
makes a QGuiApplication (``QT_QPA_PLATFORM=offscreen`` is enough for the portal path),
starts a QScreenCapture into a QMediaCaptureSession with a QVideoSink, and counts the
frames that arrive in ``--seconds`` after the first one (waiting at most ``--first-timeout``
for it). Frames come only when the screen changes, so show something that moves.

The JSON has: ``frames``, ``width``, ``height``, ``pixel_format``, ``first_frame_s`` (from
setActive to the first frame), ``seconds``, ``cpu_s`` (this process, during the counted
seconds), ``cpu_ms_per_frame``, ``errors`` (QScreenCapture errors), and with
``--read-counters`` the test card counters read from the frames (``counters``: first, last,
how many distinct, how many unreadable).
Exit status 0 when at least one frame arrived, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from capdesk.capture.testcard import band_height, read_counter


def frame_pixels(frame: Any, rows: int | None = None) -> np.ndarray | None:
    """The first ``rows`` rows (all by default) of the first plane of a packed-RGB
    QVideoFrame as an (rows, W, 4) array (a copy: the frame is unmapped afterwards)."""
    from PySide6.QtMultimedia import QVideoFrame

    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        width, height = frame.width(), frame.height()
        rows = height if rows is None else min(rows, height)
        stride = frame.bytesPerLine(0)
        data = np.frombuffer(frame.bits(0), dtype=np.uint8, count=stride * rows)
        return data.reshape(rows, stride // 4, 4)[:, :width].copy()
    finally:
        frame.unmap()


class CounterReader:
    """Reads the test card counter from frames, looking only at the counter band: the
    luma of a whole 1080p frame costs tens of ms, and Qt queues frames a slow slot misses."""

    def __init__(self) -> None:
        self.luma = np.zeros((1, 1), dtype=np.float32)

    def read(self, frame: Any) -> int | None:
        height, width = frame.height(), frame.width()
        band = band_height(height)
        pixels = frame_pixels(frame, band)
        if pixels is None:
            return None
        if self.luma.shape != (height, width):
            self.luma = np.zeros((height, width), dtype=np.float32)
        # The counter blocks are neutral grey: one channel is luma enough, and much cheaper.
        self.luma[:band] = pixels[..., 1]
        return read_counter(self.luma)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="count for this long")
    parser.add_argument("--first-timeout", type=float, default=15.0,
                        help="give up when no frame came after this long")
    parser.add_argument("--read-counters", action="store_true",
                        help="map every frame and read the test card counter from it")
    parser.add_argument("--save", type=Path, help="save the last frame here (PNG)")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication, QImage
    from PySide6.QtMultimedia import QMediaCaptureSession, QScreenCapture, QVideoSink

    app = QGuiApplication([sys.argv[0]])
    capture = QScreenCapture()
    session = QMediaCaptureSession()
    sink = QVideoSink()
    session.setScreenCapture(capture)
    session.setVideoSink(sink)

    state: dict[str, Any] = {
        "frames": 0, "width": None, "height": None, "pixel_format": None,
        "first_frame_s": None, "first_frame_monotonic": None, "errors": [], "counters": [],
    }
    started = time.monotonic()
    cpu_start = 0.0
    last: list[Any] = [None]
    reader = CounterReader()

    def on_error(error: Any, text: str) -> None:
        state["errors"].append(f"{error}: {text}")

    def finish() -> None:
        app.quit()

    def on_frame(frame: Any) -> None:
        nonlocal cpu_start
        if not frame.isValid():
            return
        if state["first_frame_s"] is None:
            now = time.monotonic()
            state["first_frame_s"] = round(now - started, 3)
            state["first_frame_monotonic"] = now  # CLOCK_MONOTONIC: comparable across processes
            state["width"], state["height"] = frame.width(), frame.height()
            state["pixel_format"] = frame.pixelFormat().name
            cpu_start = time.process_time()
            QTimer.singleShot(int(args.seconds * 1000), finish)
        state["frames"] += 1
        if args.read_counters:
            state["counters"].append(reader.read(frame))
        if args.save:
            last[0] = frame

    capture.errorOccurred.connect(on_error)
    sink.videoFrameChanged.connect(on_frame)

    def no_frame() -> None:
        if state["first_frame_s"] is None:
            state["errors"].append(f"no frame within {args.first_timeout}s")
            app.quit()

    QTimer.singleShot(int(args.first_timeout * 1000), no_frame)
    capture.setActive(True)
    app.exec()
    cpu = time.process_time() - cpu_start if state["first_frame_s"] is not None else 0.0
    capture.setActive(False)

    counters = [c for c in state.pop("counters") if c is not None]
    result = {
        **state,
        "seconds": args.seconds,
        "active": capture.isActive(),
        "cpu_s": round(cpu, 3),
        "cpu_ms_per_frame": round(1000 * cpu / state["frames"], 2) if state["frames"] else None,
    }
    if args.read_counters:
        result["counters"] = {
            "first": counters[0] if counters else None,
            "last": counters[-1] if counters else None,
            "distinct": len(set(counters)),
            "unreadable": state["frames"] - len(counters),
        }
    pixels = frame_pixels(last[0]) if args.save and last[0] is not None else None
    if args.save and pixels is not None:
        pixels = np.ascontiguousarray(pixels)
        height, width = pixels.shape[:2]
        image = QImage(pixels.data, width, height, width * 4, QImage.Format.Format_RGB32)
        image.save(str(args.save))
    print(json.dumps(result), flush=True)
    return 0 if state["frames"] else 1


if __name__ == "__main__":
    sys.exit(main())
