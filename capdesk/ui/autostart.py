"""Start at login, per OS (no Qt): XDG autostart on Linux, the Run key on Windows,
a LaunchAgent on macOS."""

from __future__ import annotations

import contextlib
import os
import plistlib
import shutil
import sys
from pathlib import Path

APP_ID = "capdesk"
LAUNCH_AGENT = "so.cap.capdesk"


def launch_command() -> list[str]:
    """How to start the app: the frozen executable, the ``capdesk`` script, or Python."""
    if getattr(sys, "frozen", False):
        if os.environ.get("APPIMAGE"):  # the mount point changes at every start
            return [os.environ["APPIMAGE"]]
        if sys.platform == "win32":  # never the console program capdesk-cli.exe
            return [str(Path(sys.executable).with_name("capdesk.exe"))]
        return [sys.executable]
    script = shutil.which("capdesk")
    if script:
        return [script]
    return [sys.executable, "-m", "capdesk.cli"]


def _xdg_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / f"{APP_ID}.desktop"


def _agent_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"


def exec_line(command: list[str]) -> str:
    """A desktop entry's Exec value: arguments with spaces in double quotes (the spec)."""
    def quote(arg: str) -> str:
        if arg and not any(ch in arg for ch in ' \t\n"\'\\$`'):
            return arg
        escaped = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
        return f'"{escaped}"'

    return " ".join(quote(arg) for arg in command)


def desktop_entry(command: list[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=capdesk",
        "Comment=Record your screen and share it through Cap",
        f"Exec={exec_line(command)}",
        "Icon=capdesk",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


def is_enabled() -> bool:
    if sys.platform == "win32":
        return _windows_get() is not None
    if sys.platform == "darwin":
        return _agent_file().exists()
    return _xdg_file().exists()


def set_enabled(enabled: bool, command: list[str] | None = None) -> Path | str:
    """Turn start-at-login on or off; returns where it was written."""
    command = command or launch_command()
    if sys.platform == "win32":
        _windows_set(subprocess_line(command) if enabled else None)
        return r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run\capdesk"
    path = _agent_file() if sys.platform == "darwin" else _xdg_file()
    if not enabled:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if sys.platform == "darwin":
        data = plistlib.dumps({"Label": LAUNCH_AGENT, "ProgramArguments": command,
                               "RunAtLoad": True, "ProcessType": "Interactive"})
        path.write_bytes(data)
    else:
        path.write_text(desktop_entry(command), encoding="utf-8")
    return path


def subprocess_line(command: list[str]) -> str:
    return " ".join(f'"{part}"' if " " in part else part for part in command)


_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"

if sys.platform == "win32":
    import winreg

    def _windows_get() -> str | None:
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, APP_ID)
                return str(value)
        except OSError:
            return None

    def _windows_set(line: str | None) -> None:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if line is None:
                with contextlib.suppress(OSError):
                    winreg.DeleteValue(key, APP_ID)
            else:
                winreg.SetValueEx(key, APP_ID, 0, winreg.REG_SZ, line)

else:

    def _windows_get() -> str | None:
        return None

    def _windows_set(line: str | None) -> None:
        raise OSError("the Windows registry exists only on Windows")
