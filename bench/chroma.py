"""Benchmark: how each chroma setting of the colour conversion looks, and what it costs.

yuv420p keeps one colour per 2x2 block of pixels. swscale's ``interpolation`` decides how
that colour is taken when the size stays: BILINEAR filters across neighbouring blocks,
POINT takes it from one pixel of the block. This renders syntax-coloured 13 px text (a
light and a dark editor theme) with Qt, converts it as capdesk does (BT.709, limited range),
converts it back, and prints for each setting the mean and 99th-percentile distance from
the drawn picture in RGB levels, the mean saturation lost on coloured pixels, and the CPU per
1920x1080 frame (median of interleaved rounds). ``--png FILE`` writes the drawn picture and
each setting's result one above the other, 3x enlarged, to look at.

    python bench/chroma.py [--png chroma.png] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

import av
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
SETTINGS = ("BILINEAR", "POINT", "FAST_BILINEAR", "AREA")
LIGHT = ("#ffffff", ["#d73a49", "#6f42c1", "#005cc5", "#22863a", "#e36209"])
DARK = ("#1e1e1e", ["#569cd6", "#ce9178", "#4ec9b0", "#c586c0", "#dcdcaa"])
WORDS = ["def", "record(", "screen,", "fps=30):", "return"]


def render_text(width: int = 360, height: int = 120) -> Image:
    """BGRA: two lines of coloured code on a light and on a dark background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    font = QFont("DejaVu Sans Mono")
    font.setPixelSize(13)
    painter.setFont(font)
    y = 18
    for background, colours in (LIGHT, DARK):
        painter.fillRect(0, y - 14, width, 60, QColor(background))
        x = 6.0
        for word, colour in zip(WORDS, colours, strict=True):
            painter.setPen(QColor(colour))
            painter.drawText(int(x), y, word)
            x += 13 * len(word) * 0.62 + 8
        painter.setPen(QColor(colours[2]))
        painter.drawText(6, y + 20, "    frames = [grab(i) for i in range(n)]  # x")
        y += 60
    painter.end()
    bits = image.constBits()
    return np.frombuffer(bits, np.uint8, count=width * height * 4).reshape(
        height, width, 4).copy()


def round_trip(bgra: Image, interpolation: str) -> Image:
    """BGRA -> yuv420p (capdesk's conversion with ``interpolation``) -> RGB."""
    frame = av.VideoFrame.from_ndarray(bgra, format="bgra")
    yuv = frame.reformat(format="yuv420p", dst_colorspace=1, dst_color_range=1,
                         interpolation=interpolation)
    back = yuv.reformat(format="rgb24", src_colorspace=1, src_color_range=1,
                        interpolation="BILINEAR")
    return np.asarray(back.to_ndarray(), dtype=np.uint8)


def saturation(rgb: npt.NDArray[Any]) -> npt.NDArray[Any]:
    values = rgb.astype(np.int16)
    spread: npt.NDArray[Any] = (values.max(axis=-1) - values.min(axis=-1)).astype(np.float64)
    return spread


def quality(bgra: Image) -> dict[str, dict[str, float]]:
    drawn = bgra[:, :, 2::-1]
    coloured = saturation(drawn) > 60
    out = {}
    for setting in SETTINGS:
        back = round_trip(bgra, setting)
        error = np.abs(back.astype(np.int16) - drawn.astype(np.int16))
        out[setting] = {
            "mean_error": float(error.mean()),
            "p99_error": float(np.percentile(error.max(axis=-1), 99)),
            "saturation_lost": float((saturation(drawn) - saturation(back))[coloured].mean()),
        }
    return out


def cost(rounds: int, frames: int = 20) -> dict[str, float]:
    rng = np.random.default_rng(1)
    screen = np.zeros((1080, 1920, 4), dtype=np.uint8)
    screen[:, :, :3] = rng.integers(0, 8, (1080, 1920, 3), dtype=np.uint8) * 32
    reformatter = av.video.reformatter.VideoReformatter()
    times: dict[str, list[float]] = {setting: [] for setting in SETTINGS}
    for _ in range(rounds):
        for setting in SETTINGS:
            for _ in range(frames):
                start = time.process_time()
                reformatter.reformat(av.VideoFrame.from_numpy_buffer(screen, format="bgra"),
                                     format="yuv420p", dst_colorspace=1, dst_color_range=1,
                                     interpolation=setting, threads=0)
                times[setting].append(time.process_time() - start)
    return {setting: 1000 * statistics.median(values) for setting, values in times.items()}


def write_png(path: str, bgra: Image) -> None:
    from PySide6.QtGui import QImage

    rows = [bgra[:, :, 2::-1]] + [round_trip(bgra, setting) for setting in SETTINGS]
    picture = np.ascontiguousarray(np.concatenate(rows).repeat(3, 0).repeat(3, 1))
    height, width = picture.shape[:2]
    QImage(picture.tobytes(), width, height, width * 3,
           QImage.Format.Format_RGB888).save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--png", help="write the drawn text and each setting's result here")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    bgra = render_text()
    looks = quality(bgra)
    ms = cost(args.rounds)
    if args.png:
        write_png(args.png, bgra)
    if args.json:
        print(json.dumps({"quality": looks, "cpu_ms_per_1080p_frame": ms}, indent=2))
        return 0
    print(f"{'setting':14} {'mean err':>9} {'p99 err':>8} {'sat. lost':>10} {'ms/frame':>9}")
    for setting in SETTINGS:
        q = looks[setting]
        print(f"{setting:14} {q['mean_error']:9.2f} {q['p99_error']:8.0f} "
              f"{q['saturation_lost']:10.1f} {ms[setting]:9.2f}")
    if args.png:
        print(f"drawn, then {', '.join(SETTINGS)}, top to bottom: {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
