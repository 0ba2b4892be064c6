"""Without a display the UI tests must not vanish: skipped with a reason, or a failed run in CI.

Runs pytest on one UI test file in a subprocess with no display (tests/ui/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI_FILE = "tests/ui/test_autostart_exec.py"  # small, and needs no display itself
NO_DISPLAY_REASON = "no display: run under Xvfb (scripts/test starts one)"
CI_NEEDS_DISPLAY = "UI tests need a display (Xvfb); CI must provide one"


def run_without_display(*args: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if name not in ("DISPLAY", "WAYLAND_DISPLAY", "CI", "QT_QPA_PLATFORM")
           and not name.startswith("PYTEST_")}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *args, UI_FILE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_ci_without_a_display_fails_the_run() -> None:
    run = run_without_display("--collect-only", ci=True)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert CI_NEEDS_DISPLAY in out


def test_without_a_display_ui_tests_are_skipped_with_a_reason() -> None:
    run = run_without_display(ci=False)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert NO_DISPLAY_REASON in out
    assert "1 skipped" in out and "passed" not in out
