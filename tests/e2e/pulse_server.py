"""A private PulseAudio server for tests: a null sink and a sine-wave source as the microphone.

It runs in user mode with its own runtime folder and socket (works as root in a
container: ``--system`` is not needed), never exits on idle, loads no default
configuration, and talks to nothing outside its temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

TONE_HZ = 880
TONE_SOURCE = "capdesk_tone"


class PulseServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.env = {
            **os.environ,
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(folder / "run"),
            "PULSE_STATE_PATH": str(folder / "state"),
            "PULSE_COOKIE": str(folder / "cookie"),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        script = self.folder / "default.pa"
        script.write_text(
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}\n"
            "load-module module-null-sink sink_name=capdesk_sink\n"
            f"load-module module-sine-source source_name={TONE_SOURCE} "
            f"frequency={TONE_HZ} rate=48000\n"
            "set-default-sink capdesk_sink\n"
            f"set-default-source {TONE_SOURCE}\n"
        )
        env = {**self.env, "HOME": str(self.folder)}
        env.pop("PULSE_SERVER")
        self.proc = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(script), "--daemonize=no", "--exit-idle-time=-1",
             "--use-pid-file=no", "--disallow-module-loading=no", "--log-target=stderr"],
            env=env, stdout=subprocess.DEVNULL, stderr=(self.folder / "log").open("wb"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited: {(self.folder / 'log').read_text()}")
            if self.socket.exists() and self.pactl("info", check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("pulseaudio did not start")

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=10)

    def module_of(self, source: str) -> str:
        """The index of the module that provides ``source``."""
        for line in self.pactl("list", "short", "sources").stdout.splitlines():
            fields = line.split("\t")
            if len(fields) > 1 and fields[1] == source:
                index = fields[0]
                break
        else:
            raise LookupError(source)
        info = self.pactl("list", "sources").stdout
        block = info.split(f"Source #{index}\n", 1)[1].split("\nSource #", 1)[0]
        for line in block.splitlines():
            if line.strip().startswith("Owner Module:"):
                return line.split(":", 1)[1].strip()
        raise LookupError(source)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def available() -> bool:
    return shutil.which("pulseaudio") is not None and shutil.which("pactl") is not None
