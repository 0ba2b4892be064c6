"""Benchmark: a Wayland screen recorded through the desktop portal, next to mss on X11.

The same content (the animated test card, full screen at 1920x1080, redrawn ``--card-fps``
times a second; or ``--still``: drawn once) is recorded ``--rounds`` times (default 3),
``--seconds`` each (default 10), interleaved:

- ``wayland``: ``capdesk record --seconds S --no-upload`` with no source flag, inside a
  real headless Wayland session (sway with the pixman renderer, PipeWire,
  xdg-desktop-portal-wlr; tests/wayland_session.py starts it: run as root after
  ``scripts/wayland-session setup``): the qt backend, its worker process and the portal;
- ``x11-mss``: the same command on an Xvfb display of the same size showing the same
  card (tests/e2e/card_window.py): mss, the default there.

Per run: CPU seconds per second of recording (capdesk and the children it reaped, from
wait4: the capture worker counts; the compositor, PipeWire and the portal do not, nor
does the X server), the CPU per frame slot (``ms/slot``), frames written, repeated and
dropped (capdesk's own JSON). Then min and median per backend and the ratio
wayland / x11-mss. Read medians and ratios: other load on the machine moves every figure.

    sudo .venv/bin/python bench/wayland.py [--seconds 10] [--rounds 3] [--still]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.record import run_measured, start_xvfb  # noqa: E402
from tests.wayland_session import WaylandSession, start_session  # noqa: E402

CAPDESK = Path(sys.executable).parent / "capdesk"
CARD_WINDOW = ROOT / "tests" / "e2e" / "card_window.py"


def record_args(seconds: float, output: Path) -> list[str]:
    return [str(CAPDESK), "record", "--seconds", f"{seconds:g}", "--no-upload", "--json",
            "--overwrite", "--output", str(output)]


def row(backend: str, m: Any, seconds: float, fps: int) -> dict[str, Any]:
    if m.code != 0:
        return {"backend": backend, "error": m.err[-800:]}
    result = json.loads(m.out)
    duration = float(result["durationSecs"] or seconds)
    return {"backend": backend, "cpu_s": m.cpu_s, "cpu_per_s": m.cpu_s / duration,
            "ms_per_slot": m.cpu_s / (duration * fps) * 1000, "frames": result["frames"],
            "repeated": result["repeatedFrames"], "dropped": result["droppedFrames"],
            "size": f"{result['width']}x{result['height']}"}


def bench_wayland(session: WaylandSession, seconds: float, fps: int) -> dict[str, Any]:
    output = session.user_dir("bench") / "wayland.mp4"
    env = session.child_env()
    m = run_measured(session.command(record_args(seconds, output)), env,
                     timeout=seconds + 90)
    return row("wayland", m, seconds, fps)


def bench_x11(display: str, workdir: Path, seconds: float, fps: int) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": display, "CAPDESK_HOME": str(workdir / "home")}
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        env.pop(name, None)
    m = run_measured(record_args(seconds, workdir / "x11.mp4"), env, timeout=seconds + 90)
    return row("x11-mss", m, seconds, fps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--card-fps", type=float, default=30.0,
                        help="how often the card is redrawn (30: full motion)")
    parser.add_argument("--still", action="store_true", help="a still card (drawn once)")
    args = parser.parse_args(argv)
    interval = 1e6 if args.still else 1000.0 / args.card_fps
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="capdesk-bench-wl-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)
        session = start_session(workdir / "session")
        xvfb, display = start_xvfb(*session.size)
        import subprocess

        card_x11 = subprocess.Popen(
            [sys.executable, str(CARD_WINDOW), "--geometry", f"0,0,{session.size[0]},"
             f"{session.size[1]}", "--interval-ms", str(interval), "--style", "plain"],
            env={**os.environ, "DISPLAY": display}, stdout=subprocess.PIPE)
        assert card_x11.stdout is not None
        card_x11.stdout.readline()  # "ready"
        card = session.show_card(style="plain", interval_ms=interval)
        try:
            for index in range(args.rounds):
                for name in ("wayland", "x11-mss"):
                    if name == "wayland":
                        run = bench_wayland(session, args.seconds, args.fps)
                    else:
                        run = bench_x11(display, workdir, args.seconds, args.fps)
                    runs.append(run)
                    print(f"[{index + 1}/{args.rounds}] {name}: "
                          + (f"FAILED {run['error'][:300]}" if "error" in run else
                             f"{run['cpu_per_s']:.3f} CPU s/s, {run['ms_per_slot']:.2f} ms/slot, "
                             f"{run['frames']} written, {run['repeated']} repeated, "
                             f"{run['dropped']} dropped, {run['size']}"), flush=True)
        finally:
            card.stop()
            card_x11.kill()  # a still card sleeps between redraws: SIGTERM would wait
            card_x11.wait()
            session.stop()
            xvfb.terminate()
    content = "still card" if args.still else f"card redrawn at {args.card_fps:g} fps"
    print(f"\n== {content}, {args.rounds} rounds x {args.seconds:g} s at {args.fps} fps ==")
    medians = {}
    for name in ("wayland", "x11-mss"):
        ok = [r for r in runs if r["backend"] == name and "error" not in r]
        if not ok:
            print(f"{name:8} every run failed")
            continue
        cpu = [r["cpu_per_s"] for r in ok]
        medians[name] = statistics.median(cpu)
        print(f"{name:8} CPU s/s min {min(cpu):.3f} median {medians[name]:.3f}; ms/slot median "
              f"{statistics.median(r['ms_per_slot'] for r in ok):.2f}; dropped "
              f"{'/'.join(str(r['dropped']) for r in ok)}; repeated "
              f"{'/'.join(str(r['repeated']) for r in ok)}")
    if len(medians) == 2:
        print(f"wayland / x11-mss, CPU per second (medians): "
              f"{medians['wayland'] / medians['x11-mss']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
