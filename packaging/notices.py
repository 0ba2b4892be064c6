"""Third-party notices for the packaged app (used by ``capdesk.spec``).

Writes a folder that the bundle ships as ``licenses/``:

* ``THIRD-PARTY-NOTICES.txt``: the hand-written notices in
  ``resources/notices/THIRD-PARTY-NOTICES.md`` (capdesk's licence, Qt, FFmpeg and
  its codecs, Python), then an inventory made at build time: every bundled Python
  distribution with its version and declared licence, the licence and configure line
  that each bundled FFmpeg (PyAV's, Qt Multimedia's) reports, every shared library
  vendored inside a wheel (``av.libs``, ``numpy.libs``, Qt's ``lib``), and on
  Linux every library copied from the build system with the package it came from;
* ``python/<distribution>/``: the licence files from each distribution's
  ``.dist-info`` (``licenses/`` folder or ``License-File`` entries);
* ``system/<package>.copyright``: on Debian-based build machines, the copyright
  file of each system package a bundled library came from;
* ``Python-<version>.txt``: the licence of the bundled Python runtime;
* the full licence texts in ``resources/licenses/`` (GPL-2.0, GPL-3.0, LGPL-2.1,
  LGPL-3.0, Apache-2.0).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

LICENCE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT)", re.IGNORECASE)
VENDORED_DIRS = ("av.libs", "numpy.libs", "PySide6/Qt/lib", "PySide6", "shiboken6",
                 "cryptography", "_cffi_backend")
SYSTEM_PREFIXES = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/")


def _top_level(dest: str) -> str:
    return dest.replace("\\", "/").split("/", 1)[0].split(".", 1)[0]


def bundled_distributions(
    module_names: Iterable[str], binary_dests: Iterable[str]
) -> list[metadata.Distribution]:
    """The installed distributions that provide the bundled top-level modules."""
    tops = {name.split(".", 1)[0] for name in module_names}
    tops |= {_top_level(dest) for dest in binary_dests}
    owners = metadata.packages_distributions()
    names: set[str] = set()
    for top in tops:
        names.update(owners.get(top, ()))
    dists = []
    for name in sorted(names, key=str.lower):
        try:
            dists.append(metadata.distribution(name))
        except metadata.PackageNotFoundError:
            continue
    return dists


def _declared_licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) < 100:
        return text
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if classifiers:
        return "; ".join(classifiers)
    return "see the licence files"


def _licence_files(dist: metadata.Distribution) -> list[tuple[Path, str]]:
    """(file, path under the distribution's notices folder) for each licence file."""
    found = []
    for entry in dist.files or ():
        parts = entry.parts
        if not parts or not parts[0].endswith(".dist-info") or entry.suffix == ".pyc":
            continue
        if len(parts) > 2 and parts[1] == "licenses":
            relative = "/".join(parts[2:])
        elif len(parts) == 2 and LICENCE_NAME.search(parts[1]):
            relative = parts[1]
        else:
            continue
        path = Path(str(dist.locate_file(entry)))
        if path.is_file():
            found.append((path, relative))
    return found


def _debian_package(path: str) -> str | None:
    if shutil.which("dpkg-query") is None:
        return None
    real = os.path.realpath(path)
    for candidate in dict.fromkeys((path, real)):
        result = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True,
                                text=True, check=False)
        if result.returncode == 0 and ":" in result.stdout:
            return result.stdout.split(":", 1)[0].strip()
    return None


def _python_licence() -> Path | None:
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (base / "lib" / version / "LICENSE.txt", base / "LICENSE.txt",
                      base / "lib" / "python3" / "LICENSE.txt",
                      Path(f"/usr/share/doc/{version}/copyright")):
        if candidate.is_file():
            return candidate
    return None


def _ffmpeg_lines() -> list[str]:
    try:
        from av import _core  # the PyAV being bundled
    except ImportError:
        return []
    meta = _core.library_meta.get("libavcodec", {})
    return ["", "### FFmpeg", "",
            f"- FFmpeg {_core.ffmpeg_version_info} (libavcodec "
            f"{'.'.join(map(str, meta.get('version', ())))}), as reported: "
            f"{meta.get('license', 'unknown')}; with libx264/libx265 linked the "
            "combination is GPL-3.0-or-later",
            f"- configured with: {meta.get('configuration', 'unknown')}"]


def _qt_ffmpeg_lines(binaries: Sequence[tuple[str, str, str]]) -> list[str]:
    """Qt Multimedia's own FFmpeg (in the PySide6-Addons wheel, for the camera worker's
    FFmpeg media plugin): its version, licence and configure line, asked of the bundled
    libavcodec itself."""
    import ctypes

    found = [(dest.replace("\\", "/"), src) for dest, src, _kind in binaries
             if dest.replace("\\", "/").startswith(("PySide6/Qt/lib/", "PySide6/"))
             and re.search(r"(^|/)(lib)?avcodec[-.]", dest.replace("\\", "/"))]
    if not found:
        return []
    dest, src = found[0]
    try:
        # RTLD_LAZY where there is one: Qt resolves its OpenSSL and VA-API stubs lazily too.
        lib = ctypes.CDLL(os.path.realpath(src), mode=getattr(os, "RTLD_LAZY", 0))
        for name in ("avcodec_license", "avcodec_configuration"):
            getattr(lib, name).restype = ctypes.c_char_p
        lib.avcodec_version.restype = ctypes.c_uint
        number = lib.avcodec_version()
        version = f"{number >> 16}.{(number >> 8) & 0xFF}.{number & 0xFF}"
        licence = lib.avcodec_license().decode()
        configuration = lib.avcodec_configuration().decode()
    except (OSError, AttributeError, UnicodeDecodeError) as exc:
        return ["", "### FFmpeg of Qt Multimedia", "",
                f"- {dest}: could not be asked for its licence ({exc}); Qt builds it "
                "under the LGPL (no GPL or non-free parts)"]
    return ["", "### FFmpeg of Qt Multimedia", "",
            f"- {dest} (libavcodec {version}), as reported: {licence}; shipped by the "
            "PySide6-Addons wheel for Qt Multimedia's FFmpeg plugin (the camera)",
            f"- configured with: {configuration}"]


def write_notices(
    out: Path,
    root: Path,
    module_names: Sequence[str],
    binaries: Sequence[tuple[str, str, str]],
) -> Path:
    """Write the notices folder ``out`` for a bundle; returns ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for text in sorted((root / "resources" / "licenses").glob("*.txt")):
        shutil.copy2(text, out / text.name)
    lines = [(root / "resources" / "notices" / "THIRD-PARTY-NOTICES.md").read_text("utf-8")]

    lines += ["", "## Inventory of this build", "",
              f"Built on {platform.system()} {platform.machine()} with Python "
              f"{platform.python_version()}.", ""]

    python_licence = _python_licence()
    if python_licence is not None:
        target = f"Python-{platform.python_version()}.txt"
        shutil.copy2(python_licence, out / target)
        lines.append(f"- Python {platform.python_version()}: PSF-2.0, see {target}")

    lines += ["", "### Python distributions", ""]
    for dist in bundled_distributions(module_names, (b[0] for b in binaries)):
        name = dist.metadata["Name"]
        files = _licence_files(dist)
        folder = out / "python" / name
        for path, relative in files:
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, folder / relative)
        where = f"python/{name}/" if files else "no licence file in its metadata"
        lines.append(f"- {name} {dist.version}: {_declared_licence(dist)} ({where})")

    lines += _ffmpeg_lines()
    lines += _qt_ffmpeg_lines(binaries)
    lines += ["", "### Shared libraries vendored in the wheels above", ""]
    vendored = sorted(
        b[0].replace("\\", "/") for b in binaries
        if b[2] == "BINARY" and any(b[0].replace("\\", "/").startswith(d + "/")
                                     for d in VENDORED_DIRS)
    )
    lines += [f"- {dest}" for dest in vendored] or ["- none"]

    system = sorted({(b[0], b[1]) for b in binaries
                     if b[1].startswith(SYSTEM_PREFIXES) and b[2] == "BINARY"})
    if system:
        lines += ["", "### Libraries copied from the build system", ""]
        for dest, src in system:
            package = _debian_package(src)
            if package:
                name = package.split(":", 1)[0]
                copyright_file = Path("/usr/share/doc") / name / "copyright"
                if copyright_file.is_file():
                    (out / "system").mkdir(exist_ok=True)
                    shutil.copy2(copyright_file, out / "system" / f"{name}.copyright")
                    lines.append(f"- {dest}: Debian package {name} "
                                 f"(system/{name}.copyright)")
                    continue
                lines.append(f"- {dest}: package {name}")
            else:
                lines.append(f"- {dest}: from {src} (see that system's package licence)")
    (out / "THIRD-PARTY-NOTICES.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
