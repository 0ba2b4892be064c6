"""One instance: a second launch raises the running window or passes it `record`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from capdesk.ui.app import request_from
from capdesk.ui.controller import Phase
from capdesk.ui.shell import Shell
from capdesk.ui.single_instance import InstanceServer

pytestmark = pytest.mark.display
ROOT = Path(__file__).resolve().parents[2]


def second_launch(*args: str) -> subprocess.Popen[str]:
    code = "import sys; from capdesk.ui.app import run_app; sys.exit(run_app(sys.argv))"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_request_flags() -> None:
    assert request_from(["capdesk"]) == "show"
    assert request_from(["capdesk", "--record"]) == "record"
    assert request_from(["capdesk", "--record-area"]) == "record-area"


def test_second_launch_raises_the_window_then_passes_record(qtbot, make_shell) -> None:
    shell: Shell = make_shell()
    server = InstanceServer()
    assert server.listen()
    server.request.connect(shell.handle_request)
    launches: list[subprocess.Popen[str]] = []
    try:
        shell.start()
        shell.settings.countdown = 0
        shell.window.hide()
        launch = second_launch()
        launches.append(launch)
        qtbot.waitUntil(lambda: launch.poll() is not None, timeout=20_000)
        assert launch.returncode == 0, launch.stderr.read() if launch.stderr else ""
        qtbot.waitUntil(shell.window.isVisible, timeout=5_000)

        launch = second_launch("--record")
        launches.append(launch)
        qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
        qtbot.waitUntil(lambda: launch.poll() is not None, timeout=20_000)
        assert launch.returncode == 0
    finally:
        server.close()
        for launch in launches:  # a launch that did not hand over runs a whole app
            if launch.poll() is None:
                launch.kill()
                launch.wait(10)


def test_a_stale_channel_is_taken_over(qapp: object, tmp_path: Path) -> None:
    """A crashed instance leaves its socket file behind; nobody answers on it."""
    path = tmp_path / "capdesk-stale"
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()
    server = InstanceServer(name=str(path))
    assert server.listen()
    server.close()
