"""Entry point of the packaged app: PyInstaller runs this file as ``__main__``.

It is the same ``capdesk`` command as the installed script: no arguments open the
desktop app, a subcommand runs the command line.
"""

from __future__ import annotations

import os
import sys


def _ensure_streams() -> None:
    # A windowed Windows build has no console, so sys.stdout and sys.stderr are None;
    # argparse and logging would fail writing to them. Send that output nowhere instead.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def _run_multiprocessing_helper() -> None:
    # multiprocessing starts its helper processes as `sys.executable -c "from
    # multiprocessing.resource_tracker import main; main(FD)"` (the resource tracker of
    # SharedMemory: the camera bubble's frame is shared with the camera worker). In the
    # bundle sys.executable is this app, so without this the command line would get
    # "-c" (an argparse error; the tracker dies and warns). PyInstaller's freeze_support
    # runs such a helper and exits; for any other command line it returns at once.
    if "-c" in sys.argv[1:] or "--multiprocessing-fork" in sys.argv[1:]:
        import multiprocessing

        multiprocessing.freeze_support()


def main() -> int:
    _run_multiprocessing_helper()
    _ensure_streams()
    from capdesk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
