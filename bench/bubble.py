"""Benchmark: what the camera bubble costs at 1080p30 (target: at most 3 ms CPU per frame).

There is no camera on the test machines, so the camera is a video file played by the
real worker process (QtMultimedia, offscreen): 30 fps clips made here with PyAV, a
moving picture so that every camera frame is new, in the forms webcams deliver: MJPEG
at 1280x720 (what most webcams send at 720p30; Qt decodes it for a real camera too)
and raw YUYV at 640x480 and 1280x720, plus H.264 for comparison.

1. **The transform alone**: ``BubbleTransform.apply`` on a 1920x1080 frame, paced at
   30 fps for ``--seconds`` so that each call usually finds a new camera frame (as in
   a recording), for each bubble size and shape: CPU time of the calling thread per
   frame (mean, median, 95th percentile) and wall time.
2. **The camera worker process** (Linux: its CPU time from /proc), in steady state, per
   camera frame, for each clip, at the medium bubble's size and full frame.
3. **A whole recording**: the synthetic test card at 1920x1080, 30 fps, ``--seconds``
   long, recorded by the engine (``LocalRecording``, encoder ``--encoder``) without and
   with the bubble (medium, bottom-right; the camera ``--camera-clip``, by default raw
   YUYV 640x480: the mode the worker picks for a bubble when a webcam offers it),
   ``--rounds`` times each, interleaved. CPU per frame of the engine's process and of
   the camera worker process (reaped by the engine, so counted in this process's
   children's time; its start-up, about 0.4 s of CPU, included), side by side; the
   target is checked on the two together. For the recordings with the bubble, how far
   behind the screen each drawn camera picture is (``CAPDESK_BUBBLE_LOG`` beside the
   engine's frame log: grab time less the time the worker received the picture, in
   frames; target: at most 2).

    python bench/bubble.py [--seconds 10] [--rounds 2] [--style plain|noise] [--json]

Other processes on the machine skew every figure (the test machine has 2 shared cores);
the medians of interleaved rounds are the least disturbed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from capdesk.capture.camera.feed import CameraFeed  # noqa: E402
from capdesk.capture.kinds import SourceKind  # noqa: E402
from capdesk.capture.loop import FRAME_LOG_RECORD  # noqa: E402
from capdesk.capture.testcard import TestCard  # noqa: E402
from capdesk.capture.transforms.bubble import (  # noqa: E402
    BUBBLE_LOG_ENV,
    BUBBLE_LOG_RECORD,
    BUBBLE_SIZES,
    BubbleTransform,
    corner_placement,
)
from capdesk.capture.transforms.bubble_shape import pixel_box  # noqa: E402
from capdesk.engine.options import RecordingOptions  # noqa: E402
from capdesk.engine.pipeline import LocalRecording  # noqa: E402
from tests.media import write_video  # noqa: E402

WIDTH, HEIGHT, FPS = 1920, 1080, 30
TARGET_MS = 3.0
LAG_TARGET = 2  # frames the camera picture may lag the screen it is drawn on


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# name -> (file name, codec, pixel format, width, height)
CLIPS = {
    "mjpeg 1280x720": ("mjpeg720.avi", "mjpeg", "yuvj422p", 1280, 720),
    "raw yuyv 640x480": ("yuyv480.mkv", "rawvideo", "yuyv422", 640, 480),
    "raw yuyv 1280x720": ("yuyv720.mkv", "rawvideo", "yuyv422", 1280, 720),
    "h264 1280x720": ("h264720.mp4", "libx264", "yuv420p", 1280, 720),
}
RECORDING_CLIP = "raw yuyv 640x480"  # what a webcam sends for the bubble (see qt_worker)


def make_clip(folder: Path, name: str, seconds: float = 2.0) -> Path:
    """A moving picture: a gradient with a square going across."""
    file_name, codec, pix_fmt, width, height = CLIPS[name]
    path = folder / file_name
    ys, xs = np.mgrid[0:height, 0:width]

    def pictures() -> Iterator[np.ndarray]:
        for index in range(round(seconds * FPS)):
            image = np.empty((height, width, 3), dtype=np.uint8)
            image[..., 0] = (xs + index * 8) % 256
            image[..., 1] = (ys + index * 4) % 256
            image[..., 2] = 128
            x = (index * 20) % (width - 200)
            image[height // 3 : height // 3 + 200, x : x + 200] = (250, 250, 250)
            yield image

    return write_video(path, pictures(), fps=FPS, codec=codec, pix_fmt=pix_fmt)


def children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def process_cpu(pid: int) -> float | None:
    """A process's CPU seconds so far (Linux /proc), None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- 2. the camera worker process ---------------------------------------------------------------
def bench_worker(clips: dict[str, Path], seconds: float) -> list[dict[str, Any]]:
    side = pixel_box(0.5, 0.5, BUBBLE_SIZES["medium"], WIDTH, HEIGHT)[2]
    rows = []
    for name, clip in clips.items():
        for size in (side, None):
            feed = CameraFeed(str(clip), size=size)
            feed.start()
            try:
                time.sleep(1.0)  # past the start-up
                pid = feed.pid
                assert pid is not None
                cpu0, got0 = process_cpu(pid), feed.latest()
                time.sleep(seconds)
                cpu1, got1 = process_cpu(pid), feed.latest()
            finally:
                feed.stop()
            if cpu0 is None or cpu1 is None or got0 is None or got1 is None:
                return []
            frames = max(1, got1[0] - got0[0])
            rows.append({"clip": name, "size": f"{size}x{size}" if size else "full frame",
                         "fps": frames / seconds,
                         "cpu_ms_per_frame": 1000 * (cpu1 - cpu0) / frames})
            say(f"  worker {name} {rows[-1]['size']}: {rows[-1]['cpu_ms_per_frame']:.2f} ms/frame")
    return rows


# -- 1. the transform alone --------------------------------------------------------------------
def bench_transform(clip: Path, seconds: float) -> list[dict[str, Any]]:
    rows = []
    card = TestCard(WIDTH, HEIGHT, style="plain")
    for shape in ("circle", "rounded"):
        for size in BUBBLE_SIZES:
            placement = corner_placement(size=size, shape=shape, aspect=WIDTH / HEIGHT)
            side = pixel_box(placement.center_x, placement.center_y, placement.diameter,
                             WIDTH, HEIGHT)[2]
            feed = CameraFeed(str(clip), size=side)
            feed.start()
            try:
                bubble = BubbleTransform(feed, placement)
                bubble.output_size(WIDTH, HEIGHT)
                frames = [card.draw(i) for i in range(4)]
                cpu, wall, new = [], [], 0
                last_number = -1
                start = time.monotonic()
                count = round(seconds * FPS)
                for index in range(count):
                    due = start + index / FPS
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    image = frames[index % 4]
                    t0, c0 = time.perf_counter(), time.thread_time()
                    bubble.apply(image, index)
                    cpu.append(time.thread_time() - c0)
                    wall.append(time.perf_counter() - t0)
                    number = bubble._picture_key[0] if bubble._picture_key else -1
                    new += number != last_number
                    last_number = number
            finally:
                feed.stop()
            rows.append({
                "shape": shape, "size": size, "side": side,
                "cpu_ms_mean": 1000 * statistics.fmean(cpu),
                "cpu_ms_median": 1000 * statistics.median(cpu),
                "cpu_ms_p95": 1000 * sorted(cpu)[int(0.95 * (len(cpu) - 1))],
                "wall_ms_median": 1000 * statistics.median(wall),
                "new_camera_frames": new / count,
            })
            say(f"  transform {shape} {size}: {rows[-1]['cpu_ms_mean']:.2f} ms CPU/frame")
    return rows


# -- 3. a whole recording ------------------------------------------------------------------------
def record(folder: Path, seconds: float, style: str, encoder: str,
           camera: str | None) -> dict[str, Any]:
    output = folder / f"rec-{time.monotonic_ns()}.mp4"
    frame_log, bubble_log = output.with_suffix(".frames"), output.with_suffix(".bubble")
    options = RecordingOptions(
        source=SourceKind.SYNTHETIC, region=(0, 0, WIDTH, HEIGHT), fps=FPS, seconds=seconds,
        synthetic_style=style, encoder=encoder, upload=False, output=output, camera=camera,
        frame_log=frame_log if camera else None,
    )
    recording = LocalRecording(options)
    cpu0, children0, wall0 = time.process_time(), children_cpu(), time.monotonic()
    if camera:
        os.environ[BUBBLE_LOG_ENV] = str(bubble_log)  # read when the bubble is made
    try:
        recording.start()
    finally:
        os.environ.pop(BUBBLE_LOG_ENV, None)
    # The worker's CPU in steady state: sampled from /proc while it runs, from one second
    # in (past its start-up: Qt and FFmpeg loading) to its last sample.
    feed = recording.camera_feed
    steady: list[tuple[float, int]] = []
    while (result := recording.wait(0.25)) is None:
        worker_cpu = process_cpu(feed.pid) if feed is not None and feed.pid else None
        if worker_cpu is not None and recording.frames >= FPS:
            steady.append((worker_cpu, recording.frames))
    cpu, children = time.process_time() - cpu0, children_cpu() - children0
    wall = time.monotonic() - wall0
    output.unlink(missing_ok=True)
    frames = max(1, result.frames)
    lags = camera_lags(frame_log, bubble_log) if camera else []
    steady_ms = 0.0
    if len(steady) >= 2 and steady[-1][1] > steady[0][1]:
        steady_ms = 1000 * (steady[-1][0] - steady[0][0]) / (steady[-1][1] - steady[0][1])
    return {
        "bubble": camera is not None, "frames": result.frames,
        "lag_frames": lags,
        "dropped": result.dropped_frames, "wall_s": wall,
        "engine_ms_per_frame": 1000 * cpu / frames,
        "camera_ms_per_frame": 1000 * children / frames,
        "camera_steady_ms_per_frame": steady_ms,
        "camera_startup_s": max(0.0, children - steady_ms * frames / 1000),
        "total_ms_per_frame": 1000 * (cpu + children) / frames,
        "steady_ms_per_frame": 1000 * cpu / frames + steady_ms,
        "notes": [n for n in result.notes if "camera" in n],
    }


def camera_lags(frame_log: Path, bubble_log: Path) -> list[float]:
    """For each recorded frame, how much older the camera picture drawn into it is than the
    screen grabbed for it, in frames: (grab time - when the camera worker received the
    picture) x fps. Negative: a camera picture newer than the grab (the frame waited in
    the encoder's queue while the camera moved on)."""
    grabs = {slot: start for slot, start, _ in FRAME_LOG_RECORD.iter_unpack(
        frame_log.read_bytes())}
    data = bubble_log.read_bytes()
    usable = len(data) - len(data) % BUBBLE_LOG_RECORD.size
    lags = [(grabs[slot] - received) * FPS
            for slot, _number, received, _drawn in BUBBLE_LOG_RECORD.iter_unpack(data[:usable])
            if slot in grabs]
    frame_log.unlink(missing_ok=True)
    bubble_log.unlink(missing_ok=True)
    return lags


def bench_recordings(clip: Path, folder: Path, seconds: float, rounds: int, style: str,
                     encoder: str) -> list[dict[str, Any]]:
    runs = []
    for round_ in range(rounds):
        order = [None, str(clip)] if round_ % 2 == 0 else [str(clip), None]
        for camera in order:
            run = record(folder, seconds, style, encoder, camera)
            say(f"  recording {'with' if camera else 'without'} the bubble: "
                f"{run['total_ms_per_frame']:.2f} ms CPU/frame, {run['frames']} frames")
            runs.append(run)
    return runs


def median_of(runs: list[dict[str, Any]], bubble: bool, key: str) -> float:
    return float(statistics.median(r[key] for r in runs if r["bubble"] == bubble))


def print_report(transform: list[dict[str, Any]], worker: list[dict[str, Any]],
                 runs: list[dict[str, Any]], args: argparse.Namespace) -> None:
    if transform:
        print(f"Camera bubble on a {WIDTH}x{HEIGHT} frame, paced at {FPS} fps for "
              f"{args.seconds:g} s (CPU of the encoder thread's call)")
        print(f"{'shape':8} {'size':7} {'px':>4} {'CPU ms mean':>12} {'median':>7} {'p95':>7} "
              f"{'wall ms':>8} {'new cam frame':>14}")
        for row in transform:
            print(f"{row['shape']:8} {row['size']:7} {row['side']:>4} "
                  f"{row['cpu_ms_mean']:>12.2f} {row['cpu_ms_median']:>7.2f} "
                  f"{row['cpu_ms_p95']:>7.2f} {row['wall_ms_median']:>8.2f} "
                  f"{row['new_camera_frames']:>13.0%}")
        print()
    if worker:
        print(f"The camera worker process, steady state ({args.seconds:g} s), CPU per camera frame")
        print(f"{'camera clip':20} {'published':>14} {'fps':>6} {'CPU ms':>8}")
        for row in worker:
            print(f"{row['clip']:20} {row['size']:>14} {row['fps']:>6.1f} "
                  f"{row['cpu_ms_per_frame']:>8.2f}")
        print()
    print(f"Recording the {args.style} test card, {WIDTH}x{HEIGHT} {FPS} fps, {args.seconds:g} s, "
          f"encoder {args.encoder}, camera {args.camera_clip}; median of {args.rounds} "
          "interleaved rounds, ms CPU per frame")
    print(f"{'':28} {'without bubble':>15} {'with bubble':>12} {'added':>8}")
    for key, label in (("engine_ms_per_frame", "engine process"),
                       ("camera_ms_per_frame", "camera worker process"),
                       ("camera_steady_ms_per_frame", "  of it from 1 s in"),
                       ("camera_startup_s", "  its start-up (s, once)"),
                       ("total_ms_per_frame", "total"),
                       ("steady_ms_per_frame", "total from 1 s in")):
        without, with_ = median_of(runs, False, key), median_of(runs, True, key)
        print(f"{label:28} {without:>15.2f} {with_:>12.2f} {with_ - without:>+8.2f}")
    without = median_of(runs, False, "frames")
    with_ = median_of(runs, True, "frames")
    print(f"{'frames':28} {without:>15.0f} {with_:>12.0f}")
    added = (median_of(runs, True, "steady_ms_per_frame")
             - median_of(runs, False, "steady_ms_per_frame"))
    spread = sorted(r["steady_ms_per_frame"] for r in runs if r["bubble"])
    alone = sorted(r["steady_ms_per_frame"] for r in runs if not r["bubble"])
    print(f"{'total from 1 s in, each run':28} {' '.join(f'{v:.1f}' for v in alone):>15} "
          f"{' '.join(f'{v:.1f}' for v in spread):>12}")
    lags = sorted(lag for r in runs for lag in r.get("lag_frames", []))
    if lags:
        print(f"\ncamera picture's age behind the screen it is drawn on, in frames "
              f"({len(lags)} frames): median {statistics.median(lags):.2f}, "
              f"95th percentile {lags[int(0.95 * (len(lags) - 1))]:.2f}, "
              f"max {lags[-1]:.2f}, min {lags[0]:.2f}")
        late = sum(lag > LAG_TARGET for lag in lags)
        print(f"target: at most {LAG_TARGET} frames behind: "
              f"{'met' if late == 0 else 'NOT met'} ({late} frames later than that)")
    print(f"target: the bubble adds at most {TARGET_MS:g} ms CPU per frame (the engine's whole "
          f"run and the camera worker from 1 s in; its start-up is once per recording, "
          f"above): {'met' if added <= TARGET_MS else 'NOT met'} ({added:+.2f} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--style", choices=["plain", "noise"], default="plain")
    parser.add_argument("--encoder", default="software")
    parser.add_argument("--skip-transform", action="store_true",
                        help="measure the whole recordings only")
    parser.add_argument("--camera-clip", choices=list(CLIPS), default=RECORDING_CLIP,
                        help="the camera of the recordings")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="capdesk-bubble-") as tmp:
        folder = Path(tmp)
        say("making the camera clips...")
        clips = {name: make_clip(folder, name) for name in CLIPS}
        clip = clips[args.camera_clip]
        transform = [] if args.skip_transform else bench_transform(clip, args.seconds)
        worker = [] if args.skip_transform else bench_worker(clips, args.seconds)
        runs = bench_recordings(clip, folder, args.seconds, args.rounds, args.style,
                                args.encoder)
    if args.json:
        print(json.dumps({"transform": transform, "worker": worker, "recordings": runs},
                         indent=2))
    else:
        print_report(transform, worker, runs, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
