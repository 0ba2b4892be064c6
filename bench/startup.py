"""Benchmark: how long the command line takes to start, against a bare Python.

Runs, interleaved, ``--rounds`` rounds (default 15) of each command below, every
run a fresh process with its output thrown away, after one warm-up round that is not
counted (it writes any missing ``.pyc`` files):

1. ``python -c pass``: the reference, what any Python program pays to start;
2. ``python -m capdesk.cli --help``;
3. ``capdesk --help``: the entry-point script installed next to the interpreter
   (skipped if it is not installed there);
4. ``python -m capdesk.cli record --help``;
5. ``python -m capdesk.cli --version``.

For each it prints the minimum and the median wall time and their ratios to the
reference's (median to median, minimum to minimum). The order of the commands turns
by one each round, so none always runs right after another. Other processes on the
machine skew every figure; the minimum is the least disturbed.

Byte code: an installed capdesk (pip, or the PyInstaller bundle) runs from ``.pyc``
files, so by default the runs get a byte-code cache of their own
(``PYTHONPYCACHEPREFIX``, a temporary folder that the warm-up round fills; nothing is
written into the source tree) even when ``PYTHONDONTWRITEBYTECODE`` is set.
``--no-bytecode-cache`` measures instead every capdesk module compiled from source on
each run (what a source checkout with ``PYTHONDONTWRITEBYTECODE=1`` pays).

``--record``: instead, the CPU a short recording costs, start-up and finish included:
``capdesk record --source screen --no-upload --seconds S`` (``--seconds``, default 1)
of a still 1920x1080 Xvfb display it starts, against ``ffmpeg -f x11grab ... -t S``
(libx264 ultrafast, as ``bench/record.py`` runs it) on the same display, interleaved,
``--rounds`` each (default 15); CPU is user + system from wait4, byte code cached as
above. Needs Xvfb and ffmpeg.

    python bench/startup.py [--rounds 15] [--no-bytecode-cache] [--json]
    python bench/startup.py --record [--seconds 1] [--rounds 15] [--json]

Run it with the project's interpreter (``.venv/bin/python bench/startup.py``): the
capdesk it measures is the one that interpreter imports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = "python -c pass"


def commands() -> dict[str, list[str]]:
    python = sys.executable
    found = {
        REFERENCE: [python, "-c", "pass"],
        "python -m capdesk.cli --help": [python, "-m", "capdesk.cli", "--help"],
    }
    bindir = Path(python).parent  # the venv's bin (or Scripts), not the resolved symlink
    for name in ("capdesk", "capdesk.exe"):
        script = bindir / name
        if script.is_file():
            found["capdesk --help (entry point)"] = [str(script), "--help"]
            break
    found["python -m capdesk.cli record --help"] = [python, "-m", "capdesk.cli", "record",
                                                    "--help"]
    found["python -m capdesk.cli --version"] = [python, "-m", "capdesk.cli", "--version"]
    return found


def run_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=env, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        raise SystemExit(f"{' '.join(argv)} failed with exit code {proc.returncode}")
    return elapsed


def measure(rounds: int, pycache: str | None) -> dict[str, list[float]]:
    cmds = commands()
    # No import-time tracing or start-up hooks inherited from the caller's shell.
    unwanted = {"PYTHONPROFILEIMPORTTIME", "PYTHONSTARTUP", "PYTHONTRACEMALLOC",
                "PYTHONPYCACHEPREFIX"}
    if pycache is not None:
        unwanted.add("PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    names = list(cmds)
    for name in names:  # warm-up, not counted
        run_once(cmds[name], env)
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(run_once(cmds[name], env))
    return times


def cpu_of(argv: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of ``argv`` run to its end (wait4)."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"{' '.join(argv)} failed ({status})")
    return usage.ru_utime + usage.ru_stime


def measure_record(rounds: int, seconds: float, pycache: str) -> dict[str, list[float]]:
    """CPU seconds of short recordings of a still screen: capdesk's and ffmpeg's."""
    sys.path.insert(0, str(ROOT))
    from bench.record import start_xvfb

    xvfb, display = start_xvfb(1920, 1080)
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONDONTWRITEBYTECODE", "WAYLAND_DISPLAY", "PYTHONPROFILEIMPORTTIME"}}
    env.update(DISPLAY=display, PYTHONPYCACHEPREFIX=pycache)
    try:
        with tempfile.TemporaryDirectory(prefix="capdesk-startup-rec-") as work:
            env["CAPDESK_HOME"] = str(Path(work) / "home")
            runs = {
                f"capdesk record {seconds:g} s": [
                    sys.executable, "-m", "capdesk.cli", "record", "--source", "screen",
                    "--no-upload", "--seconds", f"{seconds:g}", "--fps", "30",
                    "--overwrite", "--output", str(Path(work) / "capdesk.mp4")],
                f"ffmpeg x11grab {seconds:g} s": [
                    "ffmpeg", "-hide_banner", "-nostdin", "-y", "-f", "x11grab",
                    "-framerate", "30", "-video_size", "1920x1080", "-i", f"{display}.0",
                    "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                    str(Path(work) / "ffmpeg.mp4")],
            }
            for argv in runs.values():  # warm-up, not counted (writes the byte code)
                cpu_of(argv, env)
            cpu: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(rounds):
                for name, argv in runs.items():
                    cpu[name].append(cpu_of(argv, env))
            return cpu
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def print_record(cpu: dict[str, list[float]]) -> dict[str, Any]:
    names = list(cpu)
    medians = {name: statistics.median(v) for name, v in cpu.items()}
    result: dict[str, Any] = {name: {"runs": len(v), "minCpuSecs": round(min(v), 3),
                                     "medianCpuSecs": round(medians[name], 3)}
                              for name, v in cpu.items()}
    result["ratioMedian"] = round(medians[names[0]] / medians[names[1]], 2)
    width = max(len(name) for name in names)
    print(f"{'':{width}} {'min CPU s':>10} {'median CPU s':>13}")
    for name in names:
        print(f"{name:{width}} {min(cpu[name]):>10.3f} {medians[name]:>13.3f}")
    print(f"capdesk / ffmpeg, medians: {result['ratioMedian']:.2f}")
    return result


def figures(times: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    ref = times[REFERENCE]
    ref_min, ref_median = min(ref), statistics.median(ref)
    result = {}
    for name, samples in times.items():
        low, median = min(samples), statistics.median(samples)
        result[name] = {
            "runs": len(samples),
            "minSecs": round(low, 4),
            "medianSecs": round(median, 4),
            "ratioMedian": round(median / ref_median, 2),
            "ratioMin": round(low / ref_min, 2),
        }
    return result


def print_table(result: dict[str, dict[str, Any]]) -> None:
    width = max(len(name) for name in result)
    print(f"{'':{width}} {'min s':>7} {'median s':>9} {'/ python (median)':>18} "
          f"{'/ python (min)':>15}")
    for name, r in result.items():
        print(f"{name:{width}} {r['minSecs']:>7.3f} {r['medianSecs']:>9.3f} "
              f"{r['ratioMedian']:>18.2f} {r['ratioMin']:>15.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15, help="runs of each command")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile capdesk from source on every run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true",
                        help="the CPU of a short recording, against ffmpeg's")
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="--record: the recording's length")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.record:
        print(f"{args.rounds} rounds of a {args.seconds:g} s recording of a still 1080p "
              f"screen, capdesk and ffmpeg interleaved, {sys.executable}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="capdesk-startup-pyc-") as pycache:
            cpu = measure_record(args.rounds, args.seconds, pycache)
        summary = print_record(cpu)
        if args.json:
            print(json.dumps(summary, indent=2))
        return 0
    cache = "without" if args.no_bytecode_cache else "with"
    print(f"{args.rounds} rounds of {len(commands())} commands, {cache} a byte-code cache, "
          f"{sys.executable}", file=sys.stderr)
    if args.no_bytecode_cache:
        result = figures(measure(args.rounds, None))
    else:
        with tempfile.TemporaryDirectory(prefix="capdesk-startup-pyc-") as pycache:
            result = figures(measure(args.rounds, pycache))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
