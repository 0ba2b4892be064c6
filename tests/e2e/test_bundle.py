"""The packaged app: build the Linux bundle with ``packaging/build`` and run it as a user would.

The bundle is built once for this module (about two minutes on two cores) into a
temporary folder. Set ``CAPDESK_TEST_BUNDLE`` to an already built bundle folder
(the one holding the ``capdesk`` executable, e.g. ``dist/capdesk``) to test that
instead, as CI does after its own build step.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from capdesk import __version__
from capdesk.ui import autostart
from tests.e2e import pulse_server
from tests.e2e.audio_sync import dominant_frequency
from tests.e2e.pulse_server import TONE_HZ, PulseServer
from tests.e2e.timeline import check_slots
from tests.fakecap.fixtures import CapApp
from tests.media import clip_colour, clip_hue, later_keyframes, red_blue_clip

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "packaging" / "build"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # the first test pays for the build
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="builds and runs the Linux bundle"),
]


class Bundle:
    def __init__(self, folder: Path, dist: Path | None, work: Path | None, log: str) -> None:
        self.folder = folder
        self.exe = folder / "capdesk"
        self.dist = dist
        self.work = work
        self.log = log


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    prebuilt = os.environ.get("CAPDESK_TEST_BUNDLE")
    if prebuilt:
        folder = Path(prebuilt).resolve()
        assert (folder / "capdesk").is_file(), f"no capdesk executable in {folder}"
        return Bundle(folder, folder.parent, None, "")
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed: install the package extra "
                    "(pip install -e '.[package]') to build and test the bundle")
    out = tmp_path_factory.mktemp("bundle")
    dist, work = out / "dist", out / "work"
    started = time.monotonic()
    # No sound server may be reachable while building: soundcard's own PyInstaller hook
    # fails then (importing soundcard connects to PulseAudio), and the spec must still
    # ship its data files (test_records_a_tone_from_pulseaudio proves it).
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    proc = subprocess.run(
        [str(BUILD), "--venv", sys.prefix, "--no-install", "--dist", str(dist),
         "--work", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    print(f"bundle built in {time.monotonic() - started:.0f} s:\n{proc.stderr[-600:]}")
    return Bundle(dist / "capdesk", dist, work, proc.stderr)


def app_env(home: Path, app: CapApp | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY", "CAP_BASE_URL", "CAP_ORIGIN",
                 "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    if app is not None:
        env.update(app.env())
    env["CAPDESK_HOME"] = str(home)
    return env


def run(bundle: Bundle, *args: str, env: dict[str, str], timeout: float = 120,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bundle.exe), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=bundle.folder.parent)


def test_version_and_doctor(bundle: Bundle, tmp_path: Path) -> None:
    env = app_env(tmp_path / "home")
    version = run(bundle, "--version", env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"capdesk {__version__}"

    doctor = run(bundle, "doctor", "--offline", env=env)
    assert "Traceback" not in doctor.stderr, doctor.stderr
    lines = {line[4:].split(maxsplit=1)[0]: line for line in doctor.stdout.splitlines()
             if line[:3] in ("ok ", "NO ")}
    assert lines["encoders"].startswith("ok ") and "libx264" in lines["encoders"], doctor.stdout
    assert "keychain" in lines and "disk" in lines, doctor.stdout
    assert lines["disk"].startswith("ok "), doctor.stdout
    if os.environ.get("DISPLAY"):
        assert lines["display"].startswith("ok "), doctor.stdout


def test_records_and_uploads(bundle: Bundle, cap_app: CapApp, tmp_path: Path) -> None:
    out = tmp_path / "bundle.mp4"
    proc = run(bundle, "record", "--source", "synthetic", "--seconds", "3", "--json",
               "--output", str(out), "--name", "bundle", env=app_env(tmp_path / "home", cap_app))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["uploaded"] is True, proc.stderr
    assert Path(result["file"]) == out and out.stat().st_size == result["bytes"] > 0
    assert abs(result["durationSecs"] - 3.0) < 0.2
    assert cap_app.server.video_bytes(result["videoId"]) == out.read_bytes()


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    if not pulse_server.available():
        if os.environ.get("CI"):
            pytest.fail("CI needs PulseAudio (apt-get install pulseaudio pulseaudio-utils)")
        pytest.skip("PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    folder = tmp_path / "pulse"
    folder.mkdir()
    server = PulseServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_records_a_tone_from_pulseaudio(bundle: Bundle, pulse: PulseServer,
                                        tmp_path: Path) -> None:
    """soundcard's data files are in the bundle although it was built with no sound server."""
    assert (bundle.folder / "_internal" / "soundcard" / "pulseaudio.py.h").is_file(), \
        "soundcard/pulseaudio.py.h is not in the bundle"
    env = {**app_env(tmp_path / "home"),
           **{k: v for k, v in pulse.env.items() if k.startswith("PULSE_")}}

    doctor = run(bundle, "doctor", "--offline", env=env)
    audio = [line for line in doctor.stdout.splitlines() if line[4:].startswith("audio")]
    assert audio and audio[0].startswith("ok ") and "microphone" in audio[0], doctor.stdout

    out = tmp_path / "tone.mp4"
    proc = run(bundle, "record", "--source", "synthetic", "--seconds", "3", "--audio", "mic",
               "--no-upload", "--json", "--output", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert Path(result["file"]) == out and out.stat().st_size > 0
    found = dominant_frequency(out)
    print(f"tone in the bundle's recording: {found:.1f} Hz")
    assert abs(found - TONE_HZ) <= 5, f"{found:.1f} Hz, not {TONE_HZ} Hz"


def test_records_the_camera_bubble_through_qtmultimedia(bundle: Bundle, tmp_path: Path) -> None:
    """The camera worker (``<app> --camera-worker``) runs QtMultimedia and its FFmpeg plugin
    from the bundle: a video file stands in for the camera (left half red, right half
    blue), and its mirrored picture is found in the bubble's corner of the recording."""
    import av
    import numpy as np

    internal = bundle.folder / "_internal"
    assert list(internal.glob("PySide6/QtMultimedia.*")), "PySide6.QtMultimedia is not bundled"
    plugins = list(internal.glob("PySide6/Qt/plugins/multimedia/*"))
    assert [p.name for p in plugins] == ["libffmpegmediaplugin.so"], plugins
    # One file per FFmpeg library (the wheel has three copies of each: .so, .so.N, .so.N.M.P)
    libs = sorted(p.name for p in internal.glob("PySide6/Qt/lib/lib*") if "av" in p.name
                  or p.name.startswith("libsw"))
    assert libs == ["libavcodec.so.61", "libavformat.so.61", "libavutil.so.59",
                    "libswresample.so.5", "libswscale.so.8"], libs
    assert not (internal / "PySide6" / "Qt" / "qml").exists()
    assert not list(internal.rglob("*WebEngine*"))

    clip = red_blue_clip(tmp_path / "camera.mp4", seconds=4.0)  # no loop in 3 s
    out = tmp_path / "bubble.mp4"
    proc = run(bundle, "record", "--source", "synthetic", "--seconds", "3", "--camera",
               str(clip), "--no-upload", "--json", "--output", str(out),
               env=app_env(tmp_path / "home"), timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr  # a camera that fails is a warning
    # SharedMemory's resource tracker runs as `<app> -c ...` (launcher.py hands it over)
    assert "resource_tracker" not in proc.stderr and "invalid choice" not in proc.stderr, \
        proc.stderr
    result = json.loads(proc.stdout)
    width, height = result["width"], result["height"]
    # The default bubble: bottom-right, a quarter of the height, 4% of it from both edges.
    side, margin = round(0.25 * height), 0.04 * height
    right, bottom = round(width - margin), round(height - margin)
    cx, cy, quarter = right - side // 2, bottom - side // 2, side // 4
    with av.open(str(out)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(frames) >= 30, len(frames)
    wrong = {}
    starved = later_keyframes(out)  # what the bitrate cap left them: see clip_hue
    for index in range(0, len(frames), 10):
        frame = frames[index]
        # 5x5 patches: mirrored, the clip's blue half is on the left, its red on the right
        patches = [frame[cy - 2:cy + 3, x - 2:x + 3].reshape(-1, 3).mean(axis=0)
                   for x in (cx - quarter, cx + quarter)]
        seen = [clip_hue(*(float(v) for v in patch)) if index in starved
                else clip_colour(*(float(v) for v in patch), least=215) for patch in patches]
        if seen != ["blue", "red"]:
            wrong[index] = [patch.round().tolist() for patch in patches]
    assert not wrong, f"no mirrored bubble at ({cx}, {cy}) in frames (frame: pixels) {wrong}"
    # Nowhere else: the frame's opposite corner shows the test card, not the camera.
    corner = frames[-1][height // 10:height // 10 + 5, width // 10:width // 10 + 5]
    assert clip_colour(*(float(v) for v in np.mean(corner.reshape(-1, 3), axis=0)),
                       least=215) is None


def test_records_one_window_through_the_capture_worker(
        bundle: Bundle, window_manager: str, card_window: Callable[..., Path],
        tmp_path: Path) -> None:
    """The screen capture worker (``<app> --capture-worker``) runs QWindowCapture from the
    bundle: the test card window alone, at its size, its counter in every frame."""
    from capdesk.capture.testcard import read_video_counters

    card_window((60, 60, 320, 180), title="bundle card")
    env = {**app_env(tmp_path / "home"), "DISPLAY": window_manager}
    listed = run(bundle, "windows", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [w["title"] for w in json.loads(listed.stdout)] == ["bundle card"]
    out = tmp_path / "window.mp4"
    proc = run(bundle, "record", "--source", "window", "--window", "bundle card",
               "--seconds", "2", "--no-upload", "--json", "--output", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "resource_tracker" not in proc.stderr and "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert (result["width"], result["height"]) == (320, 180)
    frames = read_video_counters(out)
    check_slots(result, len(frames), 2.0)
    assert all(f.counter is not None for f in frames)


def test_keys_go_to_the_secret_service_keychain(bundle: Bundle, tmp_path: Path) -> None:
    """keyring's backends are found in the frozen app (entry points, hidden imports)."""
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("needs dbus-run-session and gnome-keyring-daemon "
                    "(apt-get install dbus-bin dbus-daemon gnome-keyring)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**app_env(tmp_path / "home"), "HOME": str(tmp_path / "user"),
           "XDG_RUNTIME_DIR": str(runtime), "EXE": str(bundle.exe)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    script = ('printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; '
              'echo cpk_bundlekeychaintest | "$EXE" config set public-key && '
              '"$EXE" config show && "$EXE" doctor --offline')
    proc = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "keyring.backends.SecretService.Keyring" in proc.stdout, proc.stdout + proc.stderr
    assert "cpk_bund" in proc.stdout and "(keychain)" in proc.stdout, proc.stdout
    assert any(line.startswith("ok ") and "keychain" in line
               for line in proc.stdout.splitlines()), proc.stdout


def test_archive_holds_desktop_entry_icons_and_notices(bundle: Bundle) -> None:
    if bundle.dist is None or not list(bundle.dist.glob("capdesk-*-linux-*.tar.gz")):
        pytest.skip("no tar.gz next to the bundle")
    (tarball,) = bundle.dist.glob(f"capdesk-{__version__}-linux-*.tar.gz")
    top = f"capdesk-{__version__}"
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        notices = archive.extractfile(f"{top}/_internal/licenses/THIRD-PARTY-NOTICES.txt")
        assert notices is not None
        text = notices.read().decode()
    for name in ("capdesk", "install.sh", "LICENSE.txt", "share/applications/capdesk.desktop",
                 "_internal/licenses/GPL-3.0.txt", "_internal/licenses/LGPL-3.0.txt",
                 *(f"share/icons/hicolor/{s}x{s}/apps/capdesk.png" for s in (16, 48, 256, 512))):
        assert f"{top}/{name}" in names, name
    assert any(n.startswith(f"{top}/_internal/licenses/python/keyring/") for n in names)
    for phrase in ("GPL-3.0-or-later", "libx264", "Lesser General Public License",
                   "- PySide6", "- av ", "- httpx "):
        assert phrase in text, phrase
    # Left out on purpose (packaging/slim.py).
    assert not any("/Qt/translations/" in n or "qgtk3" in n or "/imageformats/" in n
                   for n in names)


def test_installs_for_a_user_and_the_appdir_runs(bundle: Bundle, tmp_path: Path) -> None:
    home = tmp_path / "user"
    env = {**app_env(tmp_path / "capdesk-home"), "HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)
    install = subprocess.run(["sh", str(bundle.folder / "install.sh")], env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    assert install.returncode == 0, install.stderr
    app = home / ".local/share/capdesk/app"
    entry = (home / ".local/share/applications/capdesk.desktop").read_text()
    assert f'Exec="{app}/capdesk"' in entry and "Icon=capdesk" in entry
    assert (home / ".local/share/icons/hicolor/256x256/apps/capdesk.png").is_file()
    linked = subprocess.run([str(home / ".local/bin/capdesk"), "--version"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert linked.stdout.strip() == f"capdesk {__version__}", linked.stderr

    # Start at login as the installed app writes it (capdesk/ui/autostart.py), then
    # uninstall: nothing of the install is left, the user's recordings are.
    kept = home / ".local/share/capdesk/recordings/kept.mp4"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"mine")
    entry_file = home / ".config/autostart/capdesk.desktop"
    entry_file.parent.mkdir(parents=True)
    entry_file.write_text(autostart.desktop_entry([str(app / "capdesk")]), encoding="utf-8")
    remove = subprocess.run(["sh", str(app / "install.sh"), "--uninstall"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert remove.returncode == 0, remove.stderr
    assert not app.exists() and not entry_file.exists()
    assert not (home / ".local/bin/capdesk").exists()
    assert not (home / ".local/share/icons").exists(), list((home / ".local/share").rglob("*"))
    assert not (home / ".local/share/applications").exists()
    assert kept.read_bytes() == b"mine"

    if bundle.work is not None:
        apprun = bundle.work / "capdesk.AppDir" / "AppRun"
        proc = subprocess.run([str(apprun), "--version"], env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert proc.stdout.strip() == f"capdesk {__version__}", proc.stderr


@pytest.fixture
def gui_env(tmp_path: Path) -> dict[str, str]:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X display (scripts/test starts Xvfb)")
    return {**app_env(tmp_path / "home"), "QT_QPA_PLATFORM": "xcb"}


def instance_socket(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the app's single-instance QLocalServer listens (QDir::tempPath()/name)."""
    monkeypatch.setenv("CAPDESK_HOME", env["CAPDESK_HOME"])
    from capdesk.ui.single_instance import server_name

    return Path(os.environ.get("TMPDIR") or "/tmp") / server_name()


@pytest.fixture
def first_instance(bundle: Bundle, gui_env: dict[str, str],
                   tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    log = (tmp_path / "first.log").open("w")
    proc = subprocess.Popen([str(bundle.exe)], env=gui_env, stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    yield proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # the app quits cleanly on SIGINT
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    log.close()


def test_single_instance_in_the_packaged_app(
    bundle: Bundle, gui_env: dict[str, str], first_instance: subprocess.Popen[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    path = instance_socket(gui_env, monkeypatch)
    deadline = time.monotonic() + 60
    listening = False
    while not listening and time.monotonic() < deadline:
        assert first_instance.poll() is None, (tmp_path / "first.log").read_text()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(path))
                listening = True
            except OSError:
                time.sleep(0.25)
    assert listening, f"the app never listened on {path}: {(tmp_path / 'first.log').read_text()}"

    started = time.monotonic()
    second = run(bundle, env=gui_env, timeout=60)
    assert second.returncode == 0, second.stderr
    assert time.monotonic() - started < 30
    assert first_instance.poll() is None, "the first instance went away"


def test_macos_permission_check_is_inert_elsewhere() -> None:
    """capdesk/capture/permissions.py answers 'unknown' off macOS (no CoreGraphics here)."""
    from capdesk.capture import permissions as module

    assert module.screen_recording_status() is module.Status.UNKNOWN
    assert module.request_screen_recording() is False
    assert module.doctor_line()[1] is True


def test_slim_prune_drops_only_what_nothing_kept_links_to() -> None:
    """packaging/slim.py: a dropped plugin takes along the libraries only it needed."""
    spec = importlib.util.spec_from_file_location("slim", ROOT / "packaging" / "slim.py")
    assert spec is not None and spec.loader is not None
    slim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(slim)
    links = {
        "/src/qgtk3.so": ["libgtk-3.so.0", "libpango.so.1", "libQt6Gui.so.6"],
        "/src/qxcb.so": ["libQt6Gui.so.6", "libX11.so.6"],
        "/src/libpango.so.1": ["libharfbuzz.so.0"],
        "/src/libQt6Gui.so.6": ["libharfbuzz.so.0"],
    }
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/qgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/qxcb.so", "BINARY"),
        ("libpango.so.1", "/src/libpango.so.1", "BINARY"),
        ("libharfbuzz.so.0", "/src/libharfbuzz.so.0", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("libX11.so.6", "/src/libX11.so.6", "BINARY"),
    ]
    datas = [
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("PySide6/Qt/translations/qt_de.qm", "/src/qt_de.qm", "DATA"),
        ("resources/capdesk.desktop", "/src/capdesk.desktop", "DATA"),
    ]
    kept, kept_datas, removed = slim.prune(binaries, datas,
                                           imports=lambda src: links.get(src, []))
    assert [b[0] for b in kept] == ["PySide6/Qt/plugins/platforms/libqxcb.so",
                                    "libharfbuzz.so.0", "PySide6/Qt/lib/libQt6Gui.so.6",
                                    "libX11.so.6"]
    assert [d[0] for d in kept_datas] == ["libQt6Gui.so.6", "resources/capdesk.desktop"]
    assert "libpango.so.1" in removed and "PySide6/Qt/translations/qt_de.qm" in removed
