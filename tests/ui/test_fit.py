"""Every window fits a 1920x1080 screen at 100%, 150% and 200%, before and after a
result, and stays on screen when it grows (``scaled_fit.py`` runs in a subprocess: the
scale factor can only be set before Qt starts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.ui.conftest import SCREENSHOTS, helper_env

pytestmark = pytest.mark.display
HERE = Path(__file__).resolve().parent
EXPECTED = {"recorder", "recorder after a link", "result card (link)", "result card (failure)",
            "recorder grown near the screen's edge", "settings",
            "settings with Advanced and an error", "welcome", "library"}


@pytest.mark.parametrize(("scale", "screen"), [("1", [1920, 1080]), ("1.5", [1280, 720]),
                                                ("2", [960, 540])])
def test_every_window_fits_the_screen(scale: str, screen: list[int]) -> None:
    env = helper_env(QT_SCALE_FACTOR=scale)
    result = subprocess.run([sys.executable, str(HERE / "scaled_fit.py"), str(SCREENSHOTS),
                             f"{round(float(scale) * 100)}"],
                            env=env, cwd=HERE.parents[1], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["screen"] != screen:
        pytest.skip(f"the display is not 1920x1080 at {scale}x: {report['screen']}")
    assert set(report["checked"]) >= EXPECTED, report["checked"]
    assert report["problems"] == []
    image = QImage(str(SCREENSHOTS / f"recorder-{round(float(scale) * 100)}.png"))
    assert not image.isNull()
    assert image.width() >= 300 * float(scale), "the screenshot is not at the scale"
