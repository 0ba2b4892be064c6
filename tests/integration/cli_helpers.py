"""Run ``capdesk`` commands in-process against the fake server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from capdesk.cli import main
from tests.fakecap.fixtures import CapApp
from tests.media import write_video


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def use_app(monkeypatch: pytest.MonkeyPatch, app: CapApp, home: Path, *,
            secret: bool = True) -> None:
    """Point capdesk at the fake app through the environment (no keychain needed)."""
    monkeypatch.setenv("CAPDESK_HOME", str(home))
    for name, value in app.env(secret=secret).items():
        monkeypatch.setenv(name, value)
    if not secret:
        monkeypatch.delenv("CAP_SECRET_KEY", raising=False)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def make_video(path: Path, seconds: float = 2.0, size: tuple[int, int] = (320, 240),
               fps: int = 30) -> Path:
    """A small real H.264 MP4 to upload."""
    rng = np.random.default_rng(1)
    pictures = (rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
                for _ in range(int(seconds * fps)))
    return write_video(path, pictures, fps=fps)
