"""Benchmark: what each step of capdesk's recording costs per 1080p frame, setting by setting.

For item 2 of "An idle desktop costs almost nothing" (cheaper steps, each measured
before it is kept). It starts its own Xvfb with scrolling text on it
(bench/content_windows.py), grabs real frames from it, and measures, with the calls
capdesk makes (PyAV 18.1, mss 10.2):

1. ``convert``: BGRA -> yuv420p BT.709 limited range with
   ``VideoReformatter.reformat(..., threads=N)`` for N = 0 (auto), 1, 2, with
   BILINEAR (capdesk's) and POINT interpolation (no scaling: POINT changes only how
   the chroma is subsampled);
2. ``encode``: libx264 with capdesk's options (ultrafast, zerolatency, CRF 23,
   a keyframe every 2 s) and thread settings: auto (0) with slice threads (PyAV's
   default, capdesk's today), 1 thread, 2 slice threads, 2 and auto frame threads;
   on scrolling text, on the moving test card, and on one frame repeated;
3. ``grab``: an mss grab (XShmGetImage, then mss copies the 8 MB into a new
   bytearray) with and without the cursor, against a plain 8 MB copy;
4. ``compare``: capdesk's ``same_pixels`` (C memcmp) on two 8 MB frames: equal, and
   differing in the first or in the last byte;
5. ``pipeline``: capture and encode on separate threads, as capdesk runs them: a
   capture thread grabbing at 30 fps into a queue and an encoder thread converting
   and encoding, for each pair of settings, over ``--pipeline-seconds``; CPU of the
   whole process per frame, frames dropped (queue full), grab-to-packet latency.

CPU is process time (every thread of this process, the codec's workers included),
from ``time.process_time``; wall is ``time.perf_counter``. Settings are measured in
interleaved rounds (``--rounds``, each ``--frames`` frames), so load from elsewhere hits
them alike; medians are over all frames of all rounds. Frame-threaded encoders
return before the work is done, so for them read the CPU per frame (total CPU /
frames), not the per-call median. Needs Xvfb (apt-get install xvfb).

    python bench/steps.py [--frames 100] [--rounds 3] [--pipeline-seconds 8]
                          [--pipeline-rounds 3] [--json]
                          [--only convert,encode,grab,compare,pipeline]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.record import start_xvfb  # noqa: E402

CONTENT_WINDOWS = Path(__file__).resolve().parent / "content_windows.py"
WIDTH, HEIGHT, FPS = 1920, 1080, 30
BT709 = 1
RANGE_MPEG = 1
PARTS = ("convert", "encode", "grab", "compare", "pipeline")

Image = np.ndarray


def cpu_wall(fn: Callable[[], object]) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


@dataclass
class Samples:
    cpu: list[float]
    wall: list[float]

    def row(self) -> dict[str, float]:
        return {"cpu_ms_median": statistics.median(self.cpu) * 1000,
                "cpu_ms_min": min(self.cpu) * 1000,
                "cpu_ms_mean": statistics.fmean(self.cpu) * 1000,
                "wall_ms_median": statistics.median(self.wall) * 1000}


def interleave(configs: dict[str, Callable[[int], tuple[float, float]]], frames: int,
               rounds: int, warmup: int = 5) -> dict[str, Samples]:
    """Run each config's step ``frames`` times per round, configs interleaved."""
    samples = {name: Samples([], []) for name in configs}
    counters = dict.fromkeys(configs, 0)
    for name, step in configs.items():  # warm-up: contexts built, caches filled
        for _ in range(warmup):
            step(counters[name])
            counters[name] += 1
    for _ in range(rounds):
        for name, step in configs.items():
            for _ in range(frames):
                cpu, wall = step(counters[name])
                counters[name] += 1
                samples[name].cpu.append(cpu)
                samples[name].wall.append(wall)
    return samples


# -- frames --------------------------------------------------------------------------------
@contextmanager
def screen_with_text() -> Iterator[str]:
    xvfb, display = start_xvfb(WIDTH, HEIGHT)
    content = None
    try:
        content = subprocess.Popen(
            [sys.executable, str(CONTENT_WINDOWS), "--mode", "text",
             "--size", f"{WIDTH}x{HEIGHT}"],
            env={**os.environ, "DISPLAY": display}, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        assert content.stdout is not None
        if content.stdout.readline().strip() != b"ready":
            raise RuntimeError("the text window did not start")
        os.environ["DISPLAY"] = display
        yield display
    finally:
        if content is not None:
            content.terminate()
            content.wait(10)
        xvfb.terminate()
        xvfb.wait(10)


def grab_frames(count: int) -> list[Image]:
    """``count`` real screen frames, 1/30 s apart."""
    import mss

    frames = []
    with mss.MSS(with_cursor=True) as sct:
        area = sct.monitors[1]
        for _ in range(count):
            shot = sct.grab(area)
            frames.append(np.frombuffer(shot.raw, dtype=np.uint8)
                          .reshape(HEIGHT, WIDTH, 4).copy())
            time.sleep(1 / FPS)
    return frames


def card_frames(count: int) -> list[Image]:
    from capdesk.capture.testcard import TestCard

    card = TestCard(WIDTH, HEIGHT, style="plain")
    frames = []
    for n in range(count):
        image = np.empty((HEIGHT, WIDTH, 4), dtype=np.uint8)
        card.draw(n, image)
        frames.append(image)
    return frames


# -- 1. conversion --------------------------------------------------------------------------
def make_converter(threads: int, interpolation: str) -> Callable[[Image], Any]:
    import av
    from av.video.reformatter import VideoReformatter

    reformatter = VideoReformatter()

    def convert(image: Image) -> Any:
        source = av.VideoFrame.from_numpy_buffer(image, format="bgra")
        return reformatter.reformat(source, width=WIDTH, height=HEIGHT, format="yuv420p",
                                    dst_colorspace=BT709, dst_color_range=RANGE_MPEG,
                                    interpolation=interpolation, threads=threads)
    return convert


def bench_convert(frames: list[Image], n: int, rounds: int) -> dict[str, Any]:
    configs: dict[str, Callable[[int], tuple[float, float]]] = {}
    for interpolation in ("BILINEAR", "POINT"):
        for threads in (0, 1, 2):
            convert = make_converter(threads, interpolation)
            name = f"threads={threads} {interpolation}"

            def step(i: int, c: Callable[[Image], Any] = convert) -> tuple[float, float]:
                return cpu_wall(lambda: c(frames[i % len(frames)]))
            configs[name] = step
    samples = interleave(configs, n, rounds)
    return {name: s.row() for name, s in samples.items()}


# -- 2. encoding ----------------------------------------------------------------------------
ENCODER_CONFIGS: dict[str, tuple[int, str]] = {
    "auto (0), slice [PyAV default]": (0, "SLICE"),
    "1 thread": (1, "SLICE"),
    "2, slice": (2, "SLICE"),
    "2, frame": (2, "FRAME"),
    "auto (0), frame": (0, "FRAME"),
}


def open_encoder(thread_count: int, thread_type: str) -> Any:
    import av

    from capdesk.encode.encoders import encoder_settings
    from capdesk.encode.sizing import bitrate_cap

    settings = encoder_settings("libx264", FPS, bitrate_cap(WIDTH, HEIGHT, FPS))
    ctx: Any = av.codec.CodecContext.create("libx264", "w")
    ctx.width, ctx.height, ctx.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    ctx.time_base = Fraction(1, FPS)
    ctx.framerate = Fraction(FPS, 1)
    ctx.thread_count = thread_count
    ctx.thread_type = thread_type
    ctx.options = dict(settings.options)
    ctx.open()
    return ctx


def bench_encode(contents: dict[str, list[Any]], n: int, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for content, yuv in contents.items():
        configs: dict[str, Callable[[int], tuple[float, float]]] = {}
        states: dict[str, dict[str, int]] = {}
        for name, (count, kind) in ENCODER_CONFIGS.items():
            ctx = open_encoder(count, kind)
            state = {"in": 0, "out": 0, "delay": -1}

            def step(i: int, ctx: Any = ctx, state: dict[str, int] = state,
                     yuv: list[Any] = yuv) -> tuple[float, float]:
                frame = yuv[i % len(yuv)]
                frame.pts = i
                c0, w0 = time.process_time(), time.perf_counter()
                packets = ctx.encode(frame)
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                state["in"] += 1
                if packets and state["delay"] < 0:
                    state["delay"] = state["in"] - 1
                state["out"] += len(packets)
                return cpu, wall
            step(0)
            states[name] = state
            configs[name] = step
        samples = interleave(configs, n, rounds)
        results[content] = {
            name: {**s.row(), "delay_frames": states[name]["delay"]}
            for name, s in samples.items()}
    return results


# -- 3. grabbing ----------------------------------------------------------------------------
def bench_grab(n: int, rounds: int) -> dict[str, Any]:
    import mss

    with mss.MSS(with_cursor=True) as with_cursor, mss.MSS(with_cursor=False) as bare:
        area = bare.monitors[1]
        source = bytearray(WIDTH * HEIGHT * 4)
        reused = np.empty(WIDTH * HEIGHT * 4, dtype=np.uint8)
        view = np.frombuffer(source, dtype=np.uint8)
        configs: dict[str, Callable[[int], tuple[float, float]]] = {
            "mss grab, cursor drawn (capdesk)": lambda i: cpu_wall(lambda: with_cursor.grab(area)),
            "mss grab, no cursor": lambda i: cpu_wall(lambda: bare.grab(area)),
            "8 MB copy into a new bytearray": lambda i: cpu_wall(lambda: bytearray(source)),
            "8 MB copy into a reused buffer": lambda i: cpu_wall(
                lambda: np.copyto(reused, view)),
        }
        samples = interleave(configs, n, rounds)
        impl = getattr(bare, "_impl", None)  # private: only to say which backend ran
        backend = type(impl).__name__ if impl is not None else "?"
        shm = getattr(impl, "shm_status", None)
    return {"backend": f"{backend} ({shm})",
            "steps": {name: s.row() for name, s in samples.items()}}


# -- 4. comparing ---------------------------------------------------------------------------
def bench_compare(n: int, rounds: int) -> dict[str, Any]:
    from capdesk.encode.stillness import same_pixels

    a = np.random.default_rng(3).integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8)
    equal = a.copy()
    first = a.copy()
    first[0, 0, 0] ^= 1
    last = a.copy()
    last[-1, -1, -1] ^= 1
    configs: dict[str, Callable[[int], tuple[float, float]]] = {
        "same_pixels (memcmp), equal": lambda i: cpu_wall(lambda: same_pixels(a, equal)),
        "same_pixels (memcmp), first byte differs": lambda i: cpu_wall(
            lambda: same_pixels(a, first)),
        "same_pixels (memcmp), last byte differs": lambda i: cpu_wall(
            lambda: same_pixels(a, last)),
        "numpy array_equal, equal": lambda i: cpu_wall(lambda: np.array_equal(a, equal)),
    }
    samples = interleave(configs, n, rounds)
    return {name: s.row() for name, s in samples.items()}


# -- 5. capture and encode on two threads ---------------------------------------------------
PIPELINE_CONFIGS: dict[str, tuple[int, int, str]] = {
    # name: (convert threads, x264 thread_count, x264 thread_type)
    "convert auto, x264 auto slice [today]": (0, 0, "SLICE"),
    "convert 1, x264 auto slice": (1, 0, "SLICE"),
    "convert 1, x264 1": (1, 1, "SLICE"),
    "convert auto, x264 1": (0, 1, "SLICE"),
    "convert 1, x264 2 frame": (1, 2, "FRAME"),
    "convert 2, x264 2 slice": (2, 2, "SLICE"),
}


def run_pipeline(convert_threads: int, x264_threads: int, x264_type: str, seconds: float
                 ) -> dict[str, Any]:
    import mss

    convert = make_converter(convert_threads, "BILINEAR")
    ctx = open_encoder(x264_threads, x264_type)
    frames: queue.Queue[tuple[int, float, Image] | None] = queue.Queue(maxsize=4)
    stop = threading.Event()
    dropped = [0]
    latencies: list[float] = []
    pending: dict[int, float] = {}
    encoded = [0]

    def capture() -> None:
        with mss.MSS(with_cursor=True) as sct:
            area = sct.monitors[1]
            start = time.monotonic()
            slot = 0
            while not stop.is_set():
                grabbed = time.perf_counter()
                shot = sct.grab(area)
                image = np.frombuffer(shot.raw, dtype=np.uint8).reshape(HEIGHT, WIDTH, 4)
                try:
                    frames.put_nowait((slot, grabbed, image))
                except queue.Full:
                    dropped[0] += 1
                slot += 1
                rest = start + slot / FPS - time.monotonic()
                if rest > 0:
                    time.sleep(rest)
        frames.put(None)

    def encode() -> None:
        while (item := frames.get()) is not None:
            slot, grabbed, image = item
            frame = convert(image)
            frame.pts = slot
            pending[slot] = grabbed
            for packet in ctx.encode(frame):
                done = time.perf_counter()
                latencies.append(done - pending.pop(int(packet.pts), done))
            encoded[0] += 1

    workers = [threading.Thread(target=capture), threading.Thread(target=encode)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # warm-up
    c0, w0, e0, d0 = time.process_time(), time.perf_counter(), encoded[0], dropped[0]
    time.sleep(seconds)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    frames_done, drops = encoded[0] - e0, dropped[0] - d0
    stop.set()
    for worker in workers:
        worker.join()
    return {"cpu_ms_per_frame": cpu / max(1, frames_done) * 1000, "cpu_per_s": cpu / wall,
            "frames": frames_done, "dropped": drops,
            "latency_ms_median": statistics.median(latencies) * 1000 if latencies else None}


def bench_pipeline(seconds: float, rounds: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in PIPELINE_CONFIGS}
    for _ in range(rounds):
        for name, (convert_threads, count, kind) in PIPELINE_CONFIGS.items():
            runs[name].append(run_pipeline(convert_threads, count, kind, seconds))
    out: dict[str, Any] = {}
    for name, rows in runs.items():
        cpu = [r["cpu_ms_per_frame"] for r in rows]
        lat = [r["latency_ms_median"] for r in rows if r["latency_ms_median"] is not None]
        out[name] = {"cpu_ms_per_frame_min": min(cpu),
                     "cpu_ms_per_frame_median": statistics.median(cpu),
                     "frames": [r["frames"] for r in rows],
                     "dropped": [r["dropped"] for r in rows],
                     "latency_ms_median": statistics.median(lat) if lat else None}
    return out


# -- printing -------------------------------------------------------------------------------
def print_steps(title: str, rows: dict[str, dict[str, Any]], extra: tuple[str, ...] = ()
                ) -> None:
    print(f"\n== {title} ==")
    print(f"{'':46} {'CPU ms med':>10} {'min':>6} {'mean':>6} {'wall ms med':>11}"
          + "".join(f" {e:>12}" for e in extra))
    for name, r in rows.items():
        print(f"{name:46} {r['cpu_ms_median']:>10.2f} {r['cpu_ms_min']:>6.2f} "
              f"{r['cpu_ms_mean']:>6.2f} {r['wall_ms_median']:>11.2f}"
              + "".join(f" {r[e]!s:>12}" for e in extra))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=100, help="frames per setting per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pipeline-seconds", type=float, default=8.0)
    parser.add_argument("--pipeline-rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    import av

    results: dict[str, Any] = {"cores": os.cpu_count(), "pyav": av.__version__,
                               "load_before": os.getloadavg()[0]}
    with screen_with_text():
        need_frames = {"convert", "encode"} & set(parts)
        text = grab_frames(60) if need_frames else []
        if "convert" in parts:
            results["convert"] = bench_convert(text, args.frames, args.rounds)
            print_steps("1. BGRA -> yuv420p, 1920x1080 (scrolling-text frames)",
                        results["convert"])
        if "encode" in parts:
            convert = make_converter(1, "BILINEAR")
            contents = {
                "scrolling text": [convert(f) for f in text],
                "moving test card": [convert(f) for f in card_frames(60)],
                "one frame repeated": [convert(text[0])],
            }
            results["encode"] = bench_encode(contents, args.frames, args.rounds)
            for content, rows in results["encode"].items():
                print_steps(f"2. libx264 ultrafast zerolatency CRF 23, 1920x1080, {content}",
                            rows, ("delay_frames",))
        if "grab" in parts:
            results["grab"] = bench_grab(args.frames, args.rounds)
            print_steps(f"3. grab 1920x1080, mss {results['grab']['backend']}",
                        results["grab"]["steps"])
        if "compare" in parts:
            results["compare"] = bench_compare(args.frames, args.rounds)
            print_steps("4. comparing two 8 MB frames", results["compare"])
        if "pipeline" in parts:
            results["pipeline"] = bench_pipeline(args.pipeline_seconds, args.pipeline_rounds)
            print(f"\n== 5. capture thread + encoder thread, 1920x1080 scrolling text at "
                  f"{FPS} fps, {args.pipeline_rounds} rounds x {args.pipeline_seconds:g} s ==")
            print(f"{'':40} {'CPU ms/frame min':>16} {'median':>7} {'frames':>10} "
                  f"{'dropped':>8} {'latency ms':>10}")
            for name, r in results["pipeline"].items():
                lat = r["latency_ms_median"]
                print(f"{name:40} {r['cpu_ms_per_frame_min']:>16.2f} "
                      f"{r['cpu_ms_per_frame_median']:>7.2f} "
                      f"{'/'.join(map(str, r['frames'])):>10} "
                      f"{'/'.join(map(str, r['dropped'])):>8} "
                      f"{'-' if lat is None else format(lat, '.1f'):>10}")
    results["load_after"] = os.getloadavg()[0]
    print(f"\nload average {results['load_before']:.2f} before, {results['load_after']:.2f} "
          f"after; {results['cores']} cores; PyAV {results['pyav']}")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
