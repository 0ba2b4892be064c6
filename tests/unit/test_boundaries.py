"""The package's boundaries: the app and the command line go through the engine's one
door; Qt stays in ``capdesk/ui``; the engine's public names all resolve."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import capdesk.engine as engine

PACKAGE = Path(__file__).resolve().parents[2] / "capdesk"
INTERNALS = ("capdesk.capture", "capdesk.encode", "capdesk.upload")
CAMERA_WORKER = PACKAGE / "capture" / "camera" / "qt_worker.py"
# The screen and window capture worker process (capture.screencast): its Qt modules.
CAPTURE_WORKER = (PACKAGE / "capture" / "screencast" / "worker.py",
                  PACKAGE / "capture" / "screencast" / "qt_capture.py")


def imported_modules(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, module) for every import in a file, relative imports resolved."""
    text = path.read_text(encoding="utf-8") if source is None else source
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-node.level]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module))
    return found


def door_violations(path: Path, source: str | None = None) -> list[str]:
    wrong = []
    for line, module in imported_modules(path, source):
        inside = module.startswith(INTERNALS) or (
            module.startswith("capdesk.engine.") and module != "capdesk.engine")
        if inside:
            wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module}")
    return wrong


def files_of(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))


def test_ui_and_commands_import_only_the_engine_door() -> None:
    wrong = [v for path in files_of("ui", "commands") for v in door_violations(path)]
    assert not wrong, "import these through capdesk.engine:\n" + "\n".join(wrong)


@pytest.mark.parametrize("source", [
    "from capdesk.upload.uploader import UploadProgress\n",
    "import capdesk.capture.screen\n",
    "def f():\n    from capdesk.encode.diskspace import human\n",
    "from ..engine.journal import Journal\n",
    "from ..capture import geometry\n",
])
def test_the_boundary_check_can_fail(source: str) -> None:
    assert door_violations(PACKAGE / "ui" / "probe.py", source)


def test_qt_lives_in_ui_only() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "ui"):
            continue
        for line, module in imported_modules(path):
            if module.split(".")[0] in ("PySide6", "shiboken6"):
                # The exceptions: the camera's worker and the screen capture's, which run
                # QtMultimedia in a process of their own.
                if path == CAMERA_WORKER or path in CAPTURE_WORKER:
                    continue
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module}")
    assert not wrong, "Qt outside capdesk/ui:\n" + "\n".join(wrong)


def test_public_names_are_listed_once_and_resolve() -> None:
    assert sorted(engine.__all__) == sorted(engine._EXPORTS)
    for name in engine.__all__:
        assert getattr(engine, name) is not None, name
    with pytest.raises(AttributeError):
        engine.no_such_name  # noqa: B018


def test_importing_the_engine_loads_nothing_heavy() -> None:
    code = ("import sys, capdesk.engine, capdesk.cli; "
            "print(sorted(m for m in ('av', 'numpy', 'httpx', 'PySide6') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent).stdout.strip()
    assert out == "[]"
