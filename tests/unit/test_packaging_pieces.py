"""Packaging pieces that run without building: packaging/slim.py's rules for the worker
processes' Qt modules, and packaging/macos/make-dmg.sh's layout."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def slim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("slim", ROOT / "packaging" / "slim.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_workers_qt_module_is_let_through(slim: ModuleType) -> None:
    everything = slim.excluded_modules()  # the app's own process imports none of these
    assert "PySide6.QtMultimedia" in everything
    camera = slim.excluded_modules(keep=["QtMultimedia"])  # capdesk.spec's WORKERS
    assert set(everything) - set(camera) == {"PySide6.QtMultimedia"}
    assert {"PySide6.QtWebEngineCore", "PySide6.QtQml", "PySide6.QtMultimediaWidgets"} <= set(
        camera)


def test_the_ffmpeg_media_plugin_is_required(slim: ModuleType) -> None:
    linux = ["PySide6/Qt/lib/libQt6Multimedia.so.6",
             "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so"]
    windows = ["PySide6\\Qt6Multimedia.dll", "PySide6\\plugins\\multimedia\\ffmpegmediaplugin.dll"]
    assert slim.missing_files(["QtMultimedia"], linux) == []
    assert slim.missing_files(["QtMultimedia"], windows) == []
    assert slim.missing_files(["QtMultimedia"], linux[:1]) == [
        "plugins/multimedia/*ffmpegmediaplugin*"]
    assert slim.missing_files(["QtOpenGL"], []) == []  # nothing required for it


@pytest.mark.parametrize(("dest", "dropped"), [
    ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
    ("PySide6/Qt/plugins/multimedia/libgstreamermediaplugin.so", True),
    ("PySide6/Qt/plugins/multimedia/libdarwinmediaplugin.dylib", True),
    ("PySide6/plugins/multimedia/windowsmediaplugin.dll", True),
    ("PySide6/Qt/lib/libavcodec.so.61", False),
    ("libpulse.so.0", True),
    ("soundcard/pulseaudio.py.h", False),
])
def test_which_multimedia_files_stay(slim: ModuleType, dest: str, dropped: bool) -> None:
    assert slim.drop_file(dest) is dropped


@pytest.mark.skipif(not (sys.platform.startswith("linux") and shutil.which("readelf")),
                    reason="reads ELF files with readelf")
def test_prune_follows_direct_links_only(slim: ModuleType) -> None:
    """On Linux the links come from each library's NEEDED entries: libQt6Multimedia links
    libpulse itself, and libsndfile only through it (ldd would say it needs both)."""
    qt_lib = importlib.util.find_spec("PySide6")
    assert qt_lib is not None and qt_lib.origin is not None
    multimedia = Path(qt_lib.origin).parent / "Qt" / "lib" / "libQt6Multimedia.so.6"
    if not multimedia.is_file():
        pytest.skip("no libQt6Multimedia in this PySide6 (PySide6-Addons)")
    needed = slim._default_imports(str(multimedia))
    assert "libQt6Core.so.6" in needed and "libpulse.so.0" in needed
    assert "libsndfile.so.1" not in needed and "libpulsecommon" not in " ".join(needed)


@pytest.fixture
def fake_hdiutil(tmp_path: Path) -> Path:
    """hdiutil exists only on macOS: a stand-in that records its arguments and what the
    source folder holds (a symlink's target after '->')."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "hdiutil.log"
    script = bin_dir / "hdiutil"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{log}"\n'
        'while [ "$1" != "-srcfolder" ]; do shift; done\n'
        'for f in "$2"/*; do\n'
        f'  if [ -L "$f" ]; then echo "$(basename "$f") -> $(readlink "$f")" >> "{log}";\n'
        f'  else echo "$(basename "$f")" >> "{log}"; fi\n'
        "done\n")
    script.chmod(0o755)
    return log


def test_the_dmg_has_the_app_and_an_applications_link(tmp_path: Path, fake_hdiutil: Path) -> None:
    app = tmp_path / "dist" / "capdesk.app"
    (app / "Contents" / "MacOS").mkdir(parents=True)
    (app / "Contents" / "MacOS" / "capdesk").write_text("app")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([str(ROOT / "packaging/macos/make-dmg.sh"), str(app),
                           str(tmp_path / "out.dmg"), "capdesk 1.0"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    args, *contents = fake_hdiutil.read_text().splitlines()
    assert "-volname capdesk 1.0" in args and args.endswith(str(tmp_path / "out.dmg"))
    assert "-format UDZO" in args
    assert sorted(contents) == ["Applications -> /Applications", "capdesk.app"]
