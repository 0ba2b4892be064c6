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

    python bench/startup.py [--rounds 15] [--no-bytecode-cache] [--json]

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
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
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
