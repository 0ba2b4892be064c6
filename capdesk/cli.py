"""Command-line entry point: ``capdesk`` with no subcommand opens the desktop app.

Each subcommand lives in ``capdesk/commands/<name>.py`` and exposes
``register(subparsers)`` (adds its parser and sets ``func``) and a
``run(args) -> int`` that returns the process exit code (see ``capdesk.exitcodes``).

The subcommands are imported here by name, so a missing one fails at once and
PyInstaller sees them all. Their top level imports only light modules (argparse,
stdlib, ``capdesk.engine``, whose names load on first use): PyAV, numpy, httpx,
keyring, platformdirs and Qt load when a command runs, never for ``--help``
(``bench/startup.py`` measures it, ``tests/unit/test_cli_startup.py`` checks it).

``capdesk --camera-worker ARGS`` (first argument, before argparse) runs the camera's
worker process instead (``capdesk.capture.camera.qt_worker``), and ``--capture-worker
ARGS`` the screen and window capture's (``capdesk.capture.screencast.worker``): in the
bundled app ``sys.executable`` is the app itself, so that is how they start.
It is not listed in ``--help``: people never type it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from capdesk import __version__
from capdesk.commands import (
    cameras,
    config,
    doctor,
    library,
    record,
    resume,
    upload,
    usage,
    videos,
    windows,
)

# The same as capdesk.capture.camera.protocol.WORKER_SWITCH and
# capdesk.capture.screencast.CAPTURE_WORKER_SWITCH (repeated: those modules are not needed
# to parse a command line; tests/unit/test_cli_startup.py checks they agree).
CAMERA_WORKER_SWITCH = "--camera-worker"
CAPTURE_WORKER_SWITCH = "--capture-worker"

# In the order `capdesk --help` lists them.
COMMANDS: tuple[ModuleType, ...] = (
    record,
    windows,
    cameras,
    upload,
    resume,
    videos,
    usage,
    config,
    doctor,
    library,
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error never repeats a Cap key typed by mistake.
    (Subcommand parsers are made of the same class.)"""

    def error(self, message: str) -> NoReturn:
        from capdesk.commands.validate import hide_keys

        super().error(hide_keys(message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="capdesk",
        description="Record the screen and share it through Cap. "
        "Run without a command to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"capdesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == [CAMERA_WORKER_SWITCH]:
        from capdesk.capture.camera.qt_worker import main as camera_worker

        return camera_worker(arguments[1:])
    if arguments[:1] == [CAPTURE_WORKER_SWITCH]:
        from capdesk.capture.screencast.worker import main as capture_worker

        return capture_worker(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    import logging  # not needed for --help and usage errors, which exit above

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command is None:
        from capdesk.app_launch import launch_app

        return launch_app()
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
