"""Benchmark: capdesk screen recording against ffmpeg x11grab, same display, same content.

Starts its own Xvfb (1920x1080x24 by default), shows moving content on it (a
window redrawing the test card at the target frame rate), then records it for
``--seconds`` twice, one after the other:

1. ``capdesk record --source screen`` (mss capture thread + PyAV libx264 fMP4);
2. ``ffmpeg -f x11grab -framerate 30 ... -c:v libx264 -preset ultrafast -pix_fmt yuv420p``.

For each it prints the frames written, the frames dropped, the CPU seconds per
frame (user + system of the recorder process alone, from wait4), and the peak and
final resident memory sampled from /proc (final: the last sample, taken as the
recorder exits; "at 10 s": once it runs steadily), then capdesk's CPU per frame
divided by ffmpeg's. Other processes on the machine skew every figure: run it on
a quiet machine. Linux only (Xvfb, /proc).

    python bench/record.py [--seconds 60] [--content plain|noise] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CARD_WINDOW = ROOT / "tests" / "e2e" / "card_window.py"


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


class RssSampler(threading.Thread):
    """Samples a process's resident set size (VmRSS) every ``period`` seconds."""

    def __init__(self, pid: int, period: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.period = period
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self._halt.is_set():
            rss = read_rss(self.pid)
            if rss is None:
                break
            self.samples.append((time.monotonic() - start, rss))
            self._halt.wait(self.period)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def summary(self) -> dict[str, Any]:
        if not self.samples:
            return {"peak_rss_mb": None, "final_rss_mb": None, "rss_at_10s_mb": None}
        values = [rss for _, rss in self.samples]
        at10 = next((rss for t, rss in self.samples if t >= 10.0), None)
        # "final": the last sample while still recording, before the file is finished.
        return {
            "peak_rss_mb": max(values) / 1048576,
            "final_rss_mb": values[-1] / 1048576,
            "rss_at_10s_mb": at10 / 1048576 if at10 is not None else None,
            "rss_mb_by_minute": [round(rss / 1048576) for t, rss in self.samples
                                 if int(t * 2) % 120 == 0],
        }


def read_rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[int, float, str, str, RssSampler]:
    """Run ``cmd``; return exit code, CPU seconds (user+sys), stdout, stderr, RSS samples."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = RssSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        out.seek(0)
        err.seek(0)
        return (proc.returncode, usage.ru_utime + usage.ru_stime,
                out.read().decode(errors="replace"), err.read().decode(errors="replace"), sampler)


def bench_capdesk(display: str, seconds: float, fps: int, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": display, "CAPDESK_HOME": str(workdir / "home")}
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "capdesk.cli", "record", "--source", "screen",
           "--seconds", str(seconds), "--fps", str(fps), "--no-upload", "--json",
           "--output", str(workdir / "capdesk.mp4")]
    code, cpu, out, err, rss = run_measured(cmd, env)
    if code != 0:
        raise RuntimeError(f"capdesk failed ({code}): {err[-2000:]}")
    result = json.loads(out)
    frames = int(result["frames"])
    return {"frames": frames, "dropped": int(result["droppedFrames"]), "cpu_s": cpu,
            "cpu_s_per_frame": cpu / max(1, frames), "bytes": result["bytes"], **rss.summary()}


def bench_ffmpeg(display: str, seconds: float, fps: int, size: str, workdir: Path
                 ) -> dict[str, Any]:
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-f", "x11grab", "-framerate", str(fps),
           "-video_size", size, "-i", f"{display}.0", "-t", str(seconds),
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           str(workdir / "ffmpeg.mp4")]
    code, cpu, _, err, rss = run_measured(cmd, dict(os.environ))
    if code != 0:
        raise RuntimeError(f"ffmpeg failed ({code}): {err[-2000:]}")
    stats = re.findall(r"frame=\s*(\d+).*?(?:dup=(\d+))?\s*(?:drop=(\d+))?", err)
    frames = int(stats[-1][0]) if stats else 0
    dup = re.findall(r"dup=(\d+)", err)
    drop = re.findall(r"drop=(\d+)", err)
    return {"frames": frames, "dropped": int(drop[-1]) if drop else 0,
            "duplicated": int(dup[-1]) if dup else 0, "cpu_s": cpu,
            "cpu_s_per_frame": cpu / max(1, frames), **rss.summary()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--content", choices=("plain", "noise"), default="plain",
                        help="plain: moving bars (screen-like); noise: worst case for H.264")
    parser.add_argument("--skip-ffmpeg", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    for tool in ("Xvfb",) + (() if args.skip_ffmpeg else ("ffmpeg",)):
        if shutil.which(tool) is None:
            print(f"{tool} is needed (apt-get install xvfb ffmpeg)", file=sys.stderr)
            return 2
    width, height = (int(v) for v in args.size.split("x"))
    xvfb, display = start_xvfb(width, height)
    card = None
    try:
        env = {**os.environ, "DISPLAY": display}
        card = subprocess.Popen(
            [sys.executable, str(CARD_WINDOW), "--geometry", f"0,0,{width},{height}",
             "--interval-ms", f"{1000 / args.fps:.3f}", "--style", args.content],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        assert card.stdout is not None
        if card.stdout.readline().strip() != b"ready":
            raise RuntimeError("the test card window did not start")
        with tempfile.TemporaryDirectory(prefix="capdesk-bench-") as tmp:
            workdir = Path(tmp)
            print(f"recording {args.size}@{args.fps} for {args.seconds:g} s on {display} "
                  f"({args.content} content)...", file=sys.stderr)
            results: dict[str, Any] = {"capdesk": bench_capdesk(display, args.seconds, args.fps,
                                                                workdir)}
            if not args.skip_ffmpeg:
                results["ffmpeg"] = bench_ffmpeg(display, args.seconds, args.fps, args.size,
                                                 workdir)
                results["cpu_ratio"] = (results["capdesk"]["cpu_s_per_frame"]
                                        / results["ffmpeg"]["cpu_s_per_frame"])
    finally:
        if card is not None:
            card.terminate()
            card.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results, args.fps)
    return 0


def print_table(results: dict[str, Any], fps: int) -> None:
    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    print(f"{'':10} {'frames':>7} {'dropped':>8} {'CPU s':>7} {'CPU ms/frame':>13} "
          f"{'% of a core':>12} {'peak RSS MB':>12} {'final RSS MB':>13} {'RSS at 10 s':>12}")
    for name in ("capdesk", "ffmpeg"):
        r = results.get(name)
        if r is None:
            continue
        core = r["cpu_s_per_frame"] * fps * 100
        print(f"{name:10} {r['frames']:>7} {r['dropped']:>8} {r['cpu_s']:>7.1f} "
              f"{r['cpu_s_per_frame'] * 1000:>13.2f} {core:>11.0f}% "
              f"{fmt(r['peak_rss_mb'], '.0f'):>12} {fmt(r['final_rss_mb'], '.0f'):>13} "
              f"{fmt(r['rss_at_10s_mb'], '.0f'):>12}")
    if "ffmpeg" in results:
        print(f"ffmpeg also duplicated {results['ffmpeg']['duplicated']} frames to keep 30 fps "
              "(its 'dropped' and 'duplicated' come from its constant-frame-rate output)")
    if "cpu_ratio" in results:
        print(f"CPU per frame, capdesk / ffmpeg: {results['cpu_ratio']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
