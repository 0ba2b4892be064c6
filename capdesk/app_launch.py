"""Open the desktop app, or say clearly why it cannot open here."""

from __future__ import annotations

import sys

from capdesk import exitcodes
from capdesk.platform_env import NO_DISPLAY, display_available


def launch_app(argv: list[str] | None = None) -> int:
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return exitcodes.FAILURE
    try:
        from capdesk.ui.app import run_app
    except ImportError as exc:  # a missing Qt system library, typically libxcb-*
        print(f"The desktop app cannot start: {exc}. To record without a window, run: "
              "capdesk record --source synthetic", file=sys.stderr)
        return exitcodes.FAILURE
    code: int = run_app(argv or sys.argv[:1])
    return code
