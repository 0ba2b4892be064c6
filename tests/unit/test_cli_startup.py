"""The command line starts fast: every command is registered, statically, and parsing
arguments (``--help`` included) loads none of the heavy libraries. The timings
themselves are measured by ``bench/startup.py``, never asserted here."""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from capdesk import cli, secrets
from capdesk.cap import rest
from capdesk.capture import registry, screencast
from capdesk.capture.camera import protocol
from capdesk.capture.kinds import SourceKind
from capdesk.capture.transforms import bubble
from capdesk.commands import config, record, videos

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["record", "windows", "cameras", "upload", "resume", "videos", "usage", "config",
            "doctor", "library"]
HEAVY = ("av", "numpy", "httpx", "PySide6", "shiboken6", "mss", "soundcard", "keyring",
         "platformdirs")


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def test_the_parser_has_every_command_in_order() -> None:
    assert subcommands(cli.build_parser()) == COMMANDS


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: capdesk")
    for name in COMMANDS:
        assert f"\n    {name} " in out, name


def test_every_command_module_is_registered() -> None:
    """A module in capdesk/commands with a ``register`` is one of cli.COMMANDS."""
    folder = ROOT / "capdesk" / "commands"
    with_register = sorted(
        path.stem for path in folder.glob("*.py")
        if any(isinstance(node, ast.FunctionDef) and node.name == "register"
               for node in ast.parse(path.read_text(encoding="utf-8")).body)
    )
    registered = sorted(module.__name__.rpartition(".")[2] for module in cli.COMMANDS)
    assert registered == with_register == sorted(COMMANDS)


def test_the_cli_imports_its_commands_statically() -> None:
    """No importlib loop that could drop a missing command without a word."""
    tree = ast.parse((ROOT / "capdesk" / "cli.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "capdesk.commands" and node.col_offset == 0
                for alias in node.names}
    assert imported == set(COMMANDS)
    names = {alias.name for node in ast.walk(tree)
             if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert "importlib" not in names
    assert "import_module" not in names


def test_values_repeated_to_keep_heavy_modules_out_agree() -> None:
    # capdesk.cap.rest imports httpx and capdesk.secrets keyring: the commands repeat
    # these values instead of importing them to build their parsers.
    assert videos.MAX_LIMIT == rest.MAX_LIMIT
    assert videos.MIN_POLL_INTERVAL == rest.MIN_POLL_INTERVAL
    assert config.KEY_NAMES == {"public-key": secrets.PUBLIC, "secret-key": secrets.SECRET}
    # numpy loads with the bubble, and the camera's protocol is not needed to parse
    assert list(bubble.BUBBLE_SIZES) == record.BUBBLE_SIZE_CHOICES
    assert list(bubble.BUBBLE_CORNERS) == record.BUBBLE_POSITION_CHOICES
    assert cli.CAMERA_WORKER_SWITCH == protocol.WORKER_SWITCH
    assert cli.CAPTURE_WORKER_SWITCH == screencast.CAPTURE_WORKER_SWITCH
    screen_backends = [b.name for b in registry.CAPTURE.backends if SourceKind.SCREEN in b.kinds]
    assert screen_backends == record.BACKEND_CHOICES


# Run in a fresh interpreter: for each argument list, main() parses it (argparse exits
# after printing the help or the version) and the heavy modules loaded so far are noted.
PROBE = """
import contextlib, io, json, sys
from capdesk.cli import main
heavy = {heavy!r}
report = []
for argv in {argvs!r}:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(argv)
            code = None
        except SystemExit as exc:
            code = exc.code
    report.append({{"argv": argv, "code": code, "out": out.getvalue(),
                   "heavy": sorted(m for m in heavy if m in sys.modules)}})
print(json.dumps(report))
"""


def test_parsing_arguments_loads_nothing_heavy() -> None:
    argvs = [["--help"], ["record", "--help"], ["--version"], ["upload", "--help"],
             ["resume", "--help"], ["videos", "list", "--help"], ["usage", "--help"],
             ["config", "set", "--help"], ["doctor", "--help"], ["library", "--help"],
             ["cameras", "--help"]]
    code = PROBE.format(heavy=HEAVY, argvs=argvs)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    report = json.loads(proc.stdout)
    assert [entry["argv"] for entry in report] == argvs
    for entry in report:
        assert entry["code"] == 0, entry
        assert entry["heavy"] == [], f"capdesk {' '.join(entry['argv'])} loaded {entry['heavy']}"
    help_, record_help, version = report[0]["out"], report[1]["out"], report[2]["out"]
    assert help_.startswith("usage: capdesk ") and "record" in help_
    assert record_help.startswith("usage: capdesk record ") and "--source" in record_help
    assert version.startswith("capdesk ")
