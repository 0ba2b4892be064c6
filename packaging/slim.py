"""What the packaged app leaves out, and how (used by ``capdesk.spec``).

capdesk's interface uses QtCore, QtGui, QtWidgets and QtNetwork (QLocalServer for
the single instance); it draws its icons itself, loads no translation and renders
with Qt's raster engine. Its worker processes (``capdesk.spec``'s ``WORKERS``) add
what they name: the camera's QtMultimedia, with its FFmpeg plugin. Everything else
that PyInstaller's Qt hooks collect is dropped here, then every shared library that
only the dropped files needed.

Two levels:

* ``excluded_modules(keep)``: Python modules PyInstaller must not follow at all
  (passed to ``Analysis(excludes=...)``), less the Qt modules a worker needs.
* ``drop_file(dest)``: files of the collected tree to leave out, matched on their
  path inside the bundle (slash-separated), followed by ``prune`` which removes
  the libraries nothing kept still links to.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
from collections.abc import Callable, Iterable, Sequence

# Qt modules the app's own process does not import. PyInstaller only collects a Qt
# module when something imports it; listing them keeps a stray import (or a hook's
# hidden import) from pulling in a large library. A worker process that needs one
# names it in capdesk.spec's WORKERS, and excluded_modules() lets it through.
# (QtMultimediaWidgets stays out: PyInstaller's QtMultimedia hook adds it for PySide's
# true_property feature, which capdesk does not use.)
UNUSED_QT_MODULES = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization",
    "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation",
    "QtMultimedia", "QtMultimediaWidgets", "QtNetworkAuth", "QtNfc", "QtOpenGL",
    "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml",
    "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets",
    "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
    "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg", "QtSvgWidgets", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)

EXCLUDED_MODULES = (
    *(f"PySide6.{name}" for name in UNUSED_QT_MODULES),
    # Never imported at run time; some are optional imports of bundled packages
    # (numpy.__config__ tries yaml, PyAV's VideoFrame.to_image tries PIL).
    "tkinter", "_tkinter", "turtle", "idlelib", "lib2to3", "pydoc_data", "readline",
    "yaml", "PIL", "pygments", "IPython", "pytest", "_pytest", "setuptools", "pip",
    "pkg_resources", "distutils", "numpy.f2py", "numpy.distutils",
)


def excluded_modules(keep: Iterable[str] = ()) -> list[str]:
    """``EXCLUDED_MODULES`` less the Qt modules in ``keep`` (short names: "QtMultimedia")."""
    kept = {f"PySide6.{name}" for name in keep}
    return [name for name in EXCLUDED_MODULES if name not in kept]


# Files a Qt module cannot work without, checked in the bundle by capdesk.spec for each
# Qt module a worker needs (the build fails rather than ship a camera that cannot start).
REQUIRED_QT_FILES: dict[str, tuple[str, ...]] = {
    "QtMultimedia": ("plugins/multimedia/*ffmpegmediaplugin*",),
}


def missing_files(qt_modules: Iterable[str], collected: Iterable[str]) -> list[str]:
    """The patterns of ``REQUIRED_QT_FILES`` (for ``qt_modules``) that no destination in
    ``collected`` matches."""
    paths = [dest.replace("\\", "/") for dest in collected]
    missing = []
    for module in qt_modules:
        for pattern in REQUIRED_QT_FILES.get(module, ()):
            wanted = [f"{prefix}/{pattern}" for prefix in ("PySide6/Qt", "PySide6")]
            if not any(fnmatch.fnmatch(path, glob) for path in paths for glob in wanted):
                missing.append(pattern)
    return missing

# Paths inside the bundle (glob patterns on the slash-separated destination), relative
# to Qt's folder in the PySide6 wheel: PySide6/Qt on Linux and macOS, PySide6 on Windows.
_QT_FILES = (
    # No QTranslator is installed: the interface is English only.
    "translations/*",
    # Platform plugins for embedded/kiosk use. Kept: xcb (X11 and XWayland: screen
    # capture needs X11 anyway), wayland, offscreen and minimal (headless runs), and
    # the native ones on macOS (cocoa) and Windows (windows).
    "plugins/platforms/*qeglfs*",
    "plugins/platforms/*qlinuxfb*",
    "plugins/platforms/*qminimalegl*",
    "plugins/platforms/*qvnc*",
    "plugins/platforms/*qvkkhrdisplay*",
    "plugins/platforms/*qdirect2d*",
    "plugins/egldeviceintegrations/*",
    "plugins/generic/*",  # evdev/tuio input, only for eglfs and linuxfb
    # The GTK3 theme plugin would load the system's GTK against bundled copies of
    # pango/cairo/gdk-pixbuf; the xdg-desktop-portal theme covers native dialogs.
    "plugins/platformthemes/*qgtk3*",
    # Icons are drawn in code or read from PNG (built into QtGui): no SVG, JPEG, TIFF...
    "plugins/imageformats/*",
    "plugins/iconengines/*",
    # QtNetwork is used for QLocalServer only: HTTP goes through httpx.
    "plugins/tls/*",
    "plugins/networkinformation/*",
    "plugins/platforminputcontexts/*qtvirtualkeyboard*",
    # Windows: the software OpenGL fallback (about 20 MB); widgets paint with raster.
    "opengl32sw.dll",
    "bin/opengl32sw.dll",
    # QtMultimedia's backends other than FFmpeg (Qt's default on every desktop since
    # 6.5; the camera worker sets no QT_MEDIA_BACKEND): GStreamer, AVFoundation-only
    # (darwin) and Media Foundation-only (windows). The FFmpeg plugin has its own
    # camera code for each OS (AVFoundation, Media Foundation, V4L2).
    "plugins/multimedia/*gstreamer*",
    "plugins/multimedia/*darwinmediaplugin*",
    "plugins/multimedia/*windowsmediaplugin*",
)
DROPPED_FILES = (
    *(f"{prefix}/{pattern}" for prefix in ("PySide6/Qt", "PySide6") for pattern in _QT_FILES),
    "opengl32sw.dll",
    # Linux: libQt6Multimedia links PulseAudio's client library (for sound output, which
    # the camera worker never uses). Taken from the system, like libGL: soundcard
    # already loads the system's libpulse for recording sound, and a copy from the build
    # machine would bring libsndfile and its codecs (FLAC, Vorbis, Opus, MP3...) along.
    "libpulse.so.0",
    "libpulse-simple.so.0",
)


def drop_file(dest: str) -> bool:
    path = dest.replace("\\", "/")
    return any(fnmatch.fnmatch(path, pattern) for pattern in DROPPED_FILES)


def _basename(name: str) -> str:
    return posixpath.basename(name.replace("\\", "/")).lower()


Imports = Callable[[str], Iterable[str]]


def _default_imports(src: str) -> list[str]:
    """The libraries ``src`` links to directly. On Linux from its NEEDED entries: there
    PyInstaller's ``bindepend.get_imports`` answers with ldd's whole closure, so a kept
    library would seem to need everything below a dropped one (libQt6Multimedia
    "needing" libsndfile and its codecs through the dropped libpulse). Elsewhere
    bindepend reads the direct imports (Mach-O load commands, PE import table)."""
    import shutil
    import sys

    if sys.platform.startswith("linux") and shutil.which("readelf"):
        return [line.split("[", 1)[1].strip().rstrip("]")
                for line in _readelf("-d", src).splitlines() if "(NEEDED)" in line]
    from PyInstaller.depend import bindepend  # only inside a PyInstaller build

    return [name for name, _path in bindepend.get_imports(src)]


def prune(
    binaries: Sequence[tuple[str, str, str]],
    datas: Sequence[tuple[str, str, str]],
    drop: Callable[[str], bool] = drop_file,
    imports: Imports = _default_imports,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], list[str]]:
    """Leave out dropped files and the libraries only they needed.

    ``binaries`` and ``datas`` are PyInstaller TOC entries ``(dest, src, typecode)``.
    A library is removed only when a dropped file (directly or through other
    libraries) links to it and nothing kept does. Returns the new binaries and
    datas and the destinations removed.
    """
    removed = [entry for entry in binaries if drop(entry[0])]
    kept = [entry for entry in binaries if not drop(entry[0])]
    by_name: dict[str, tuple[str, str, str]] = {}
    for entry in kept:
        by_name.setdefault(_basename(entry[0]), entry)

    def closure(roots: Iterable[tuple[str, str, str]]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            entry = todo.pop()
            for name in imports(entry[1]):
                dep = by_name.get(_basename(name))
                if dep is not None and dep[0] not in seen:
                    seen.add(dep[0])
                    todo.append(dep)
        return seen

    candidates = closure(removed)
    needed = closure(entry for entry in kept if entry[0] not in candidates)
    orphans = candidates - needed
    final_binaries = [entry for entry in kept if entry[0] not in orphans]
    gone = {entry[0] for entry in removed} | orphans

    final_datas = []
    for entry in datas:
        dest, src, kind = entry
        if drop(dest):
            gone.add(dest)
            continue
        if kind == "SYMLINK":
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(dest.replace("\\", "/")), src.replace("\\", "/"))
            )
            if target in gone:
                gone.add(dest)
                continue
        final_datas.append(entry)
    return final_binaries, final_datas, sorted(gone)


def _readelf(*args: str) -> str:
    import subprocess

    done = subprocess.run(["readelf", "-W", *args], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


def _loads_aligned(path: str) -> bool:
    """The dynamic loader's check: each PT_LOAD has (vaddr - offset) % align == 0."""
    segments = [line.split() for line in _readelf("-l", path).splitlines()
                if line.strip().startswith("LOAD")]
    if not segments:
        return False
    for fields in segments:
        offset, vaddr, align = int(fields[1], 16), int(fields[2], 16), int(fields[-1], 16)
        if align > 1 and (vaddr - offset) % align:
            return False
    return True


def _dynamic_entries(path: str) -> list[str]:
    keep = ("(NEEDED)", "(RPATH)", "(RUNPATH)", "(SONAME)")
    return [line.split(None, 1)[1] for line in _readelf("-d", path).splitlines()
            if any(tag in line for tag in keep)]


def strip_debug_info(
    binaries: Sequence[tuple[str, str, str]], workdir: str,
) -> tuple[list[tuple[str, str, str]], int]:
    """Linux: use copies without DWARF debug info where a binary carries some.

    A Python built from source (pyenv, python-build) ships libpython with ~20 MB of
    debug info, and PyAV's extension modules carry ~25 MB. PyInstaller's own
    ``strip`` option is not used: it rewrites every library, and on wheel
    libraries that auditwheel/patchelf edited it produces files the loader refuses
    ("ELF load command address/offset not page-aligned", numpy's OpenBLAS). Here
    each stripped copy (``strip --strip-debug``) is kept only when its load
    segments are still aligned and its dynamic entries (NEEDED, RPATH, RUNPATH,
    SONAME) are unchanged; otherwise the original goes in. Returns the new
    binaries and the bytes saved.
    """
    import shutil
    import subprocess
    import sys

    tool = shutil.which("strip")
    if tool is None or shutil.which("readelf") is None or not sys.platform.startswith("linux"):
        return list(binaries), 0
    saved = 0
    result = []
    for dest, src, kind in binaries:
        real = os.path.realpath(src)
        if ".debug_" not in _readelf("-S", real):
            result.append((dest, src, kind))
            continue
        target = os.path.join(workdir, "stripped", dest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        done = subprocess.run([tool, "--strip-debug", "-o", target, real],
                              capture_output=True, check=False)
        if (done.returncode == 0 and _loads_aligned(target)
                and _dynamic_entries(target) == _dynamic_entries(real)):
            saved += os.path.getsize(real) - os.path.getsize(target)
            result.append((dest, target, kind))
        else:
            result.append((dest, src, kind))
    return result, saved
