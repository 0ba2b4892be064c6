"""Benchmark: capdesk against ffmpeg x11grab and GStreamer ximagesrc, measured as a reviewer would.

For each screen size (``--sizes``, default 1920x1080 and 2560x1440) it starts its own
Xvfb of that size; for each content (``--contents``) it puts that content on the
screen; then it records it ``--rounds`` times (default 3) with each tool, interleaved
(round 1: capdesk, ffmpeg, gstreamer; round 2: the same; ...), ``--seconds`` each
(default 20), on the same display and the same content:

- capdesk: ``capdesk record --source screen --no-upload --seconds S --fps 30
  --max-height H`` (H: the screen's height, so nothing is scaled);
- ffmpeg: ``ffmpeg -f x11grab -framerate 30 -video_size WxH -i :N.0 -t S -c:v libx264
  -preset ultrafast -tune zerolatency -pix_fmt yuv420p out.mp4``;
- gstreamer: ``gst-launch-1.0 -e ximagesrc use-damage=false ! video/x-raw,framerate=30/1
  ! videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=ultrafast
  tune=zerolatency pass=qual quantizer=23 ! mp4mux ! filesink``, stopped with SIGINT
  after S seconds of PLAYING (``-e``: EOS, so mp4mux finishes the file). ``pass=qual
  quantizer=23`` is CRF 23, libx264's default that the other two use (x264enc's own
  default is a 2 Mbit/s bitrate). ``use-damage=false`` makes ximagesrc grab the whole
  screen every tick as the other two do; ``--gst-damage`` switches XDamage on (its
  default). On the ticking clock both cost the same here (0.58 CPU s/s in a 10 s test):
  the conversion and the encoding of every frame dominate.

Contents (``--contents``, default ``clock,text,motion``):

- ``clock``: a still desktop (wallpaper, taskbar, two windows of text) whose taskbar
  clock changes once a second (bench/content_windows.py);
- ``text``: the same desktop with a large window of text scrolling up continuously,
  4 pixels 30 times a second (bench/content_windows.py);
- ``motion``: the animated test card full screen, redrawn 30 times a second
  (tests/e2e/card_window.py, ``--style plain``); ``noise``: the same in its H.264
  worst case (``--style noise``), not in the default set.

Per run: CPU seconds per second of recording (user + system of the recorder process
and the children it waited for, from wait4; the recording's length is capdesk's
``durationSecs``, ffmpeg's ``-t S``, GStreamer's "Execution ended after"), the
frames written, the frames repeated (capdesk's ``repeatedFrames``: identical to the
one before, not encoded again), the frames dropped (capdesk's ``droppedFrames``;
ffmpeg's ``drop=``, with its ``dup=`` beside it; GStreamer: the frames a 30 fps clock
expected over the run less the frames in the file, counted by ffprobe), peak RSS
(``ru_maxrss``) and the RSS sampled from /proc at 10 s. Then a table per content and
size: min and median CPU per second for each tool, the median CPU per frame slot
(``ms/slot``: CPU / (seconds x fps)) and per frame really grabbed (``ms/grab``: capdesk's
written + repeated frames, ffmpeg's frames - dup + drop, GStreamer's frames), and
capdesk / ffmpeg and capdesk / gstreamer (ratio of the medians and ratio of the mins of
CPU per second; ratio of the medians per grabbed frame). When a tool cannot keep up it
grabs fewer frames and its CPU per second is for less work: the table says so, and
``ms/grab`` is then the fairer figure. ``--from-json FILE`` prints the tables of an
earlier ``--json`` run again.

The start-up and finish of each recorder count in its CPU, as they would for a
reviewer running ``time``: for capdesk about 1.1 CPU seconds here (a 1 s recording of a
still screen cost 1.1-1.2 s, a 6 s one 1.2-1.35 s; its imports alone 0.34 s), so use
``--seconds`` 20 or more. The X server's own CPU (it copies each grab into shared
memory, for every tool alike) is not counted. Other processes on the machine skew
every figure: the runs are interleaved so that load hits all tools alike; read the
medians and the ratios. Linux only.

Install the tools (Debian 12; ffprobe comes with ffmpeg)::

    apt-get update
    apt-get install xvfb ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base \\
        gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly

(ximagesrc and mp4mux are in -good, videoconvert in -base, x264enc in -ugly.) A tool
that is missing is skipped with a line saying so.

    python bench/record.py [--seconds 20] [--rounds 3] [--contents clock,text,motion]
                           [--sizes 1920x1080,2560x1440] [--tools capdesk,ffmpeg,gstreamer]
                           [--gst-damage] [--json] [--from-json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
CARD_WINDOW = ROOT / "tests" / "e2e" / "card_window.py"
CONTENT_WINDOWS = Path(__file__).resolve().parent / "content_windows.py"
CONTENTS = ("clock", "text", "motion", "noise")
TOOLS = ("capdesk", "ffmpeg", "gstreamer", "capdesk-qt")
GST_PLUGINS = {"ximagesrc": "gstreamer1.0-plugins-good", "mp4mux": "gstreamer1.0-plugins-good",
               "videoconvert": "gstreamer1.0-plugins-base",
               "x264enc": "gstreamer1.0-plugins-ugly"}
INSTALL = ("apt-get install xvfb ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base "
           "gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


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
            return {"sampled_peak_rss_mb": None, "final_rss_mb": None, "rss_at_10s_mb": None}
        values = [rss for _, rss in self.samples]
        at10 = next((rss for t, rss in self.samples if t >= 10.0), None)
        # "final": the last sample while still recording, before the file is finished.
        return {
            "sampled_peak_rss_mb": max(values) / 1048576,
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


class Measured:
    """What one recorder process cost: exit code, CPU, output, memory."""

    def __init__(self, code: int, cpu_s: float, maxrss_kb: int, out: str, err: str,
                 rss: RssSampler, stopped_after: float | None) -> None:
        self.code = code
        self.cpu_s = cpu_s
        self.peak_rss_mb = maxrss_kb / 1024  # ru_maxrss is in KiB on Linux
        self.out = out
        self.err = err
        self.rss = rss
        self.stopped_after = stopped_after  # seconds between "ready" and SIGINT


def run_measured(cmd: list[str], env: dict[str, str], *, timeout: float,
                 ready_line: str | None = None, stop_after: float | None = None
                 ) -> Measured:
    """Run ``cmd`` to its end and measure it with wait4 (the process and the children it
    reaped). With ``ready_line``/``stop_after``: once stdout shows ``ready_line``, wait
    ``stop_after`` seconds and send SIGINT. ``timeout``: kill it past that."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        piped = ready_line is not None
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE if piped else out,
                                stderr=err, stdin=subprocess.DEVNULL)
        sampler = RssSampler(proc.pid)
        sampler.start()
        killer = threading.Timer(timeout, _kill, (proc,))
        killer.start()
        stopped_after = None
        lines: list[bytes] = []
        reader = None
        try:
            if piped:
                assert proc.stdout is not None
                ready = threading.Event()
                reader = threading.Thread(target=_read_lines, daemon=True,
                                          args=(proc.stdout, lines, ready_line, ready))
                reader.start()
                if ready.wait(30.0) and stop_after is not None:
                    started = time.monotonic()
                    while proc.poll() is None and time.monotonic() - started < stop_after:
                        time.sleep(min(0.05, stop_after - (time.monotonic() - started)))
                    stopped_after = time.monotonic() - started
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGINT)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if reader is not None:
            reader.join(5.0)
        out.seek(0)
        err.seek(0)
        stdout = b"".join(lines).decode(errors="replace") if piped else \
            out.read().decode(errors="replace")
        return Measured(proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                        stdout, err.read().decode(errors="replace"), sampler, stopped_after)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()


def _read_lines(stream: IO[bytes], lines: list[bytes], wanted: str | None,
                ready: threading.Event) -> None:
    for line in stream:
        lines.append(line)
        if wanted is not None and wanted.encode() in line:
            ready.set()
    ready.set()  # the process ended: do not wait any longer


# -- the three recorders ---------------------------------------------------------------------
class Setup:
    def __init__(self, display: str, width: int, height: int, seconds: float, fps: int,
                 workdir: Path, gst_damage: bool) -> None:
        self.display, self.width, self.height = display, width, height
        self.seconds, self.fps, self.workdir, self.gst_damage = seconds, fps, workdir, gst_damage

    @property
    def timeout(self) -> float:
        return self.seconds + 90.0


def capdesk_command() -> list[str]:
    script = Path(sys.executable).parent / "capdesk"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "capdesk.cli"]


def bench_capdesk(s: Setup, backend: str | None = None) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": s.display, "CAPDESK_HOME": str(s.workdir / "home")}
    env.pop("WAYLAND_DISPLAY", None)
    # As installed (pip and the bundle compile capdesk's bytecode once): with this set,
    # every start would compile each module again (about 0.16 CPU s measured).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    output = s.workdir / "capdesk.mp4"
    cmd = [*capdesk_command(), "record", "--source", "screen", "--no-upload",
           "--seconds", f"{s.seconds:g}", "--fps", str(s.fps), "--max-height", str(s.height),
           "--json", "--overwrite", "--output", str(output),
           *(["--backend", backend] if backend else [])]
    m = run_measured(cmd, env, timeout=s.timeout)
    if m.code != 0:
        raise RuntimeError(f"capdesk failed ({m.code}): {m.err[-1500:]}")
    result = json.loads(m.out)
    seconds = float(result.get("durationSecs") or s.seconds)
    repeated = result.get("repeatedFrames")
    return _row(m, seconds, frames=int(result["frames"]), dropped=int(result["droppedFrames"]),
                repeated=None if repeated is None else int(repeated),
                output_size=f"{result.get('width')}x{result.get('height')}",
                bytes=int(result["bytes"]))


def bench_ffmpeg(s: Setup) -> dict[str, Any]:
    output = s.workdir / "ffmpeg.mp4"
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-f", "x11grab",
           "-framerate", str(s.fps), "-video_size", f"{s.width}x{s.height}",
           "-i", f"{s.display}.0", "-t", f"{s.seconds:g}",
           "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
           "-pix_fmt", "yuv420p", str(output)]
    m = run_measured(cmd, dict(os.environ), timeout=s.timeout)
    if m.code != 0:
        raise RuntimeError(f"ffmpeg failed ({m.code}): {m.err[-1500:]}")
    frames = re.findall(r"frame=\s*(\d+)", m.err)
    dup = re.findall(r"dup=\s*(\d+)", m.err)
    drop = re.findall(r"drop=\s*(\d+)", m.err)
    # -t S: S seconds of output (its last "time=" is the last frame's time, 1/fps less).
    return _row(m, s.seconds, frames=int(frames[-1]) if frames else 0,
                dropped=int(drop[-1]) if drop else 0, duplicated=int(dup[-1]) if dup else 0,
                bytes=output.stat().st_size if output.exists() else None)


def gst_pipeline(s: Setup, output: Path) -> list[str]:
    damage = "true" if s.gst_damage else "false"
    return ["gst-launch-1.0", "-e",
            "ximagesrc", f"display-name={s.display}", f"use-damage={damage}",
            "!", f"video/x-raw,framerate={s.fps}/1",
            "!", "videoconvert", "!", "video/x-raw,format=I420",
            "!", "x264enc", "speed-preset=ultrafast", "tune=zerolatency", "pass=qual",
            "quantizer=23",
            "!", "mp4mux", "!", "filesink", f"location={output}"]


def bench_gstreamer(s: Setup) -> dict[str, Any]:
    output = s.workdir / "gstreamer.mp4"
    output.unlink(missing_ok=True)
    env = {**os.environ, "DISPLAY": s.display}
    m = run_measured(gst_pipeline(s, output), env, timeout=s.timeout,
                     ready_line="Setting pipeline to PLAYING", stop_after=s.seconds)
    if m.code != 0 or not output.exists():
        raise RuntimeError(f"gst-launch-1.0 failed ({m.code}): {(m.out + m.err)[-1500:]}")
    ended = re.search(r"Execution ended after (\d+):(\d+):([\d.]+)", m.out)
    if ended:
        seconds = int(ended[1]) * 3600 + int(ended[2]) * 60 + float(ended[3])
    else:
        seconds = m.stopped_after or s.seconds
    frames = probe_frames(output)
    expected = round(seconds * s.fps)
    return _row(m, seconds, frames=frames,
                dropped=None if frames is None else max(0, expected - frames),
                bytes=output.stat().st_size)


def probe_frames(path: Path) -> int | None:
    if shutil.which("ffprobe") is None:
        return None
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=False)
    try:
        return int(done.stdout.strip().split(",")[0])
    except ValueError:
        return None


def _row(m: Measured, seconds: float, **fields: Any) -> dict[str, Any]:
    return {"cpu_s": m.cpu_s, "seconds": seconds, "cpu_per_s": m.cpu_s / max(seconds, 1e-9),
            "peak_rss_mb": m.peak_rss_mb, **fields, **m.rss.summary()}


BENCHES: dict[str, Callable[[Setup], dict[str, Any]]] = {
    "capdesk": bench_capdesk, "ffmpeg": bench_ffmpeg, "gstreamer": bench_gstreamer,
    # capdesk through its qt backend (QScreenCapture in a worker process, whose CPU counts:
    # wait4 includes the children capdesk waited for)
    "capdesk-qt": lambda s: bench_capdesk(s, "qt")}


def missing_tools(tools: list[str]) -> dict[str, str]:
    """Tools that cannot run here, each with why and how to install it."""
    missing: dict[str, str] = {}
    if "capdesk" in tools or "capdesk-qt" in tools:
        try:
            import capdesk  # noqa: F401
        except ImportError:
            missing["capdesk"] = "capdesk is not importable (pip install -e . in the venv)"
    if "ffmpeg" in tools and shutil.which("ffmpeg") is None:
        missing["ffmpeg"] = "ffmpeg is not installed (apt-get install ffmpeg)"
    if "gstreamer" in tools:
        if shutil.which("gst-launch-1.0") is None:
            missing["gstreamer"] = ("gst-launch-1.0 is not installed "
                                    "(apt-get install gstreamer1.0-tools)")
        else:
            absent = [f"{element} ({package})" for element, package in GST_PLUGINS.items()
                      if subprocess.run(["gst-inspect-1.0", element], capture_output=True,
                                        check=False).returncode != 0]
            if absent:
                missing["gstreamer"] = "GStreamer lacks " + ", ".join(absent)
    return missing


# -- content on screen -----------------------------------------------------------------------
@contextmanager
def content_on_screen(content: str, display: str, width: int, height: int, fps: int
                      ) -> Iterator[None]:
    env = {**os.environ, "DISPLAY": display}
    if content in ("motion", "noise"):
        cmd = [sys.executable, str(CARD_WINDOW), "--geometry", f"0,0,{width},{height}",
               "--interval-ms", f"{1000 / fps:.3f}",
               "--style", "plain" if content == "motion" else "noise"]
    else:
        cmd = [sys.executable, str(CONTENT_WINDOWS), "--mode", content,
               "--size", f"{width}x{height}"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"the {content} window did not start")
        time.sleep(1.0)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- summary ----------------------------------------------------------------------------------
def grabbed(run: dict[str, Any]) -> int | None:
    """Frames the tool really took from the screen: capdesk's written and repeated ones;
    ffmpeg's output frames less the ones it duplicated to fill its constant rate, plus
    the ones it dropped; GStreamer's buffers in the file."""
    frames = run.get("frames")
    if frames is None:
        return None
    if run["tool"].startswith("capdesk"):
        return int(frames) + int(run.get("repeated") or 0)
    if run["tool"] == "ffmpeg":
        return int(frames) + int(run.get("dropped") or 0) - int(run.get("duplicated") or 0)
    return int(frames)


def summarise(runs: list[dict[str, Any]], tools: list[str]) -> dict[str, Any]:
    per_tool: dict[str, Any] = {}
    for tool in tools:
        ok = [r for r in runs if r["tool"] == tool and "error" not in r]
        if not ok:
            continue
        cpu = [r["cpu_per_s"] for r in ok]
        per_grab = [r["cpu_s"] / g * 1000 for r in ok if (g := grabbed(r))]
        per_tool[tool] = {"runs": len(ok), "cpu_per_s_min": min(cpu),
                          "cpu_per_s_median": statistics.median(cpu),
                          "cpu_ms_per_grab_median":
                              statistics.median(per_grab) if per_grab else None}
    ratios: dict[str, Any] = {}
    base = per_tool.get("capdesk")
    for other in ("ffmpeg", "gstreamer", "capdesk-qt"):
        if base and other in per_tool:
            theirs = per_tool[other]
            ratio = {"median": base["cpu_per_s_median"] / theirs["cpu_per_s_median"],
                     "min": base["cpu_per_s_min"] / theirs["cpu_per_s_min"]}
            if base["cpu_ms_per_grab_median"] and theirs["cpu_ms_per_grab_median"]:
                ratio["per_grab_median"] = (base["cpu_ms_per_grab_median"]
                                            / theirs["cpu_ms_per_grab_median"])
            ratios[f"capdesk/{other}"] = ratio
    return {"tools": per_tool, "ratios": ratios}


def print_table(title: str, runs: list[dict[str, Any]], summary: dict[str, Any],
                tools: list[str], fps: int, out: IO[str]) -> None:
    def col(rows: list[dict[str, Any]], key: str) -> str:
        values = [r.get(key) for r in rows]
        if all(v is None for v in values):
            return "-"
        return "/".join("-" if v is None else str(v) for v in values)

    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    print(f"\n== {title} ==", file=out)
    print(f"{'tool':10} {'CPU s/s min':>11} {'median':>7} {'ms/slot':>8} {'ms/grab':>8} "
          f"{'written':>15} {'repeated':>15} {'dropped':>11} {'dup':>11} "
          f"{'peak RSS MB':>11} {'RSS@10s':>8}", file=out)
    short = False
    for tool in tools:
        rows = [r for r in runs if r["tool"] == tool]
        ok = [r for r in rows if "error" not in r]
        if not rows:
            continue
        if not ok:
            print(f"{tool:10} failed: {rows[-1]['error'][:200]}", file=out)
            continue
        t = summary["tools"][tool]
        # CPU per frame slot: CPU / (seconds x fps), whether or not the frame was encoded.
        per_slot = statistics.median(r["cpu_s"] / (r["seconds"] * fps) * 1000 for r in ok)
        rss10 = [r["rss_at_10s_mb"] for r in ok if r.get("rss_at_10s_mb") is not None]
        short = short or any((grabbed(r) or 0) < 0.95 * r["seconds"] * fps for r in ok)
        print(f"{tool:10} {t['cpu_per_s_min']:>11.3f} {t['cpu_per_s_median']:>7.3f} "
              f"{per_slot:>8.2f} {fmt(t['cpu_ms_per_grab_median'], '.2f'):>8} "
              f"{col(ok, 'frames'):>15} {col(ok, 'repeated'):>15} "
              f"{col(ok, 'dropped'):>11} {col(ok, 'duplicated'):>11} "
              f"{max(r['peak_rss_mb'] for r in ok):>11.0f} "
              f"{fmt(max(rss10) if rss10 else None, '.0f'):>8}", file=out)
        failed = len(rows) - len(ok)
        if failed:
            print(f"{'':10} ({failed} run(s) failed: {rows[-1].get('error', '')[:160]})",
                  file=out)
    for name, ratio in summary["ratios"].items():
        per_grab = ratio.get("per_grab_median")
        print(f"CPU per second, {name}: median {ratio['median']:.2f}, min {ratio['min']:.2f}"
              + ("" if per_grab is None else f"; CPU per grabbed frame, median {per_grab:.2f}"),
              file=out)
    if short:
        print("(a tool grabbed under 95% of the frames: it could not keep up, so its CPU "
              "per second is for less work; compare ms/grab as well)", file=out)


def parse_size(text: str) -> tuple[int, int]:
    width, height = (int(v) for v in text.lower().split("x"))
    return width, height


def parse_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    for item in items:
        if item not in allowed:
            raise SystemExit(f"unknown {what} {item!r} (choose from {', '.join(allowed)})")
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--contents", default="clock,text,motion",
                        help=f"comma-separated, from {', '.join(CONTENTS)}")
    parser.add_argument("--sizes", default="1920x1080,2560x1440", help="comma-separated WxH")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"comma-separated, from {', '.join(TOOLS)}")
    parser.add_argument("--gst-damage", action="store_true",
                        help="ximagesrc use-damage=true (default false: full grabs)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout (the tables go to stderr)")
    parser.add_argument("--from-json", type=Path, metavar="FILE",
                        help="print the tables of an earlier --json run and exit")
    args = parser.parse_args(argv)
    if args.from_json is not None:
        reprint(json.loads(args.from_json.read_text()), args.from_json.name)
        return 0
    contents = parse_list(args.contents, CONTENTS, "content")
    tools = parse_list(args.tools, TOOLS, "tool")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if shutil.which("Xvfb") is None:
        say("Xvfb is needed: apt-get install xvfb")
        return 2
    for tool, why in missing_tools(tools).items():
        say(f"skipping {tool}: {why}; to install all: {INSTALL}")
        tools.remove(tool)
    if not tools:
        say("no recorder to run")
        return 2
    table_out = sys.stderr if args.json else sys.stdout
    print(f"{args.rounds} rounds x {args.seconds:g} s at {args.fps} fps, interleaved "
          f"({', '.join(tools)}); {os.cpu_count()} cores; GStreamer ximagesrc "
          f"use-damage={'true' if args.gst_damage else 'false'}", file=table_out)
    all_runs: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    total = len(sizes) * len(contents) * args.rounds * len(tools)
    count = 0
    with tempfile.TemporaryDirectory(prefix="capdesk-bench-") as tmp:
        for width, height in sizes:
            xvfb, display = start_xvfb(width, height)
            try:
                for content in contents:
                    setup = Setup(display, width, height, args.seconds, args.fps, Path(tmp),
                                  args.gst_damage)
                    runs: list[dict[str, Any]] = []
                    load_before = os.getloadavg()[0]
                    with content_on_screen(content, display, width, height, args.fps):
                        for round_no in range(1, args.rounds + 1):
                            for tool in tools:
                                count += 1
                                run = {"tool": tool, "content": content,
                                       "size": f"{width}x{height}", "round": round_no}
                                try:
                                    run.update(BENCHES[tool](setup))
                                except Exception as exc:  # one failed run, not the bench
                                    run["error"] = str(exc)
                                runs.append(run)
                                say(f"[{count}/{total}] {content} {width}x{height} round "
                                    f"{round_no} {tool}: " + describe_run(run))
                                time.sleep(1.0)
                    summary = summarise(runs, tools)
                    title = (f"{content}, {width}x{height}, {args.rounds} rounds x "
                             f"{args.seconds:g} s (load average {load_before:.2f} before, "
                             f"{os.getloadavg()[0]:.2f} after)")
                    print_table(title, runs, summary, tools, args.fps, table_out)
                    table_out.flush()
                    all_runs.extend(runs)
                    blocks.append({"content": content, "size": f"{width}x{height}",
                                   **summary})
            finally:
                xvfb.terminate()
                xvfb.wait(10)
    if args.json:
        print(json.dumps({"seconds": args.seconds, "rounds": args.rounds, "fps": args.fps,
                          "gst_use_damage": args.gst_damage, "tools": tools,
                          "tables": blocks, "runs": all_runs}, indent=2))
    return 0


def reprint(saved: dict[str, Any], name: str) -> None:
    runs, tools = saved["runs"], saved["tools"]
    for table in saved["tables"]:
        block = [r for r in runs
                 if r["content"] == table["content"] and r["size"] == table["size"]]
        title = (f"{table['content']}, {table['size']}, {saved['rounds']} rounds x "
                 f"{saved['seconds']:g} s (from {name})")
        print_table(title, block, summarise(block, tools), tools, saved["fps"], sys.stdout)


def describe_run(run: dict[str, Any]) -> str:
    if "error" in run:
        return "FAILED " + str(run["error"])[:300]
    parts = [f"{run['cpu_per_s']:.3f} CPU s/s over {run['seconds']:.2f} s",
             f"{run['frames']} written"]
    if run.get("repeated") is not None:
        parts.append(f"{run['repeated']} repeated")
    parts.append(f"{run['dropped']} dropped")
    if run.get("duplicated") is not None:
        parts.append(f"{run['duplicated']} dup")
    parts.append(f"peak RSS {run['peak_rss_mb']:.0f} MB")
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
