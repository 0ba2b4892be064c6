"""A full-screen Wayland window that keeps redrawing the test card, for screen-capture tests.

The Wayland twin of card_window.py (which does this on X11): run it as a client of a
Wayland compositor (``WAYLAND_DISPLAY``; it sets ``QT_QPA_PLATFORM=wayland``). It asks for
full screen, and once the compositor has made it the size of the screen it prints
``ready`` and redraws the card with the next counter value n = 0, 1, 2, ... every
``--interval-ms``. With ``--log`` each redraw appends (n, before, after) as in
card_window.py (``card_window.read_log`` reads it back): ``before`` just before drawing,
``after`` once Qt has handed the buffer to the compositor (not when the compositor
showed it: Wayland tells a client nothing about that here).

A QRasterWindow painting a QImage that wraps the card's BGRA buffer (Format_RGB32 has
the same bytes on little-endian machines): no widgets, no OpenGL.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from capdesk.capture.testcard import TestCard
from tests.e2e.card_window import RECORD


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--interval-ms", type=float, default=33.0, help="pause between redraws")
    parser.add_argument("--style", default="plain", choices=("noise", "plain"))
    parser.add_argument("--ready-timeout", type=float, default=15.0,
                        help="fail when not full screen after this long")
    args = parser.parse_args(argv)

    os.environ["QT_QPA_PLATFORM"] = "wayland"
    os.environ.setdefault("QT_WAYLAND_DISABLE_WINDOWDECORATION", "1")
    from PySide6.QtCore import QRect, Qt, QTimer
    from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPaintEvent, QRasterWindow

    app = QGuiApplication([sys.argv[0]])
    screen = app.primaryScreen()
    size = screen.size()
    log_fd = (os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
              if args.log else None)

    class CardWindow(QRasterWindow):
        def __init__(self) -> None:
            super().__init__()
            self.card: TestCard | None = None
            self.pixels = np.zeros((1, 1, 4), dtype=np.uint8)
            self.image = QImage()
            self.n = 0
            self.ready = False

        def paintEvent(self, event: QPaintEvent) -> None:
            width, height = self.width(), self.height()
            painter = QPainter(self)
            if (width, height) != (size.width(), size.height()):
                painter.fillRect(QRect(0, 0, width, height), Qt.GlobalColor.black)
                painter.end()
                return
            if self.card is None:
                self.card = TestCard(width, height, style=args.style)
                self.pixels = self.card.new_buffer()
                self.image = QImage(self.pixels.data, width, height, width * 4,
                                    QImage.Format.Format_RGB32)
            before = time.monotonic()
            self.card.draw(self.n, self.pixels)
            painter.drawImage(0, 0, self.image)
            painter.end()
            after = time.monotonic()
            if log_fd is not None:
                os.write(log_fd, RECORD.pack(float(self.n), before, after))
            if not self.ready:
                self.ready = True
                print("ready", flush=True)
            self.n += 1

    window = CardWindow()
    window.setTitle("capdesk test card")
    window.showFullScreen()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(window.update)
    timer.start(max(1, round(args.interval_ms)))

    def check_ready() -> None:
        if not window.ready:
            print(f"not full screen after {args.ready_timeout}s: window "
                  f"{window.width()}x{window.height()}, screen {size.width()}x{size.height()}",
                  file=sys.stderr, flush=True)
            app.exit(1)

    QTimer.singleShot(int(args.ready_timeout * 1000), check_ready)
    # Qt's event loop does not run Python signal handlers by itself: wake it now and then.
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    status = app.exec()
    if log_fd is not None:
        os.close(log_fd)
    return status


if __name__ == "__main__":
    sys.exit(main())
