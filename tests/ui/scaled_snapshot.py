"""Helper run in a subprocess with QT_SCALE_FACTOR=2: screenshots of the main window and
the settings at 200% (the scale factor can only be set before Qt starts)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from capdesk.ui.app import make_application
from capdesk.ui.services import Services
from capdesk.ui.shell import Options, Shell

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script
from tests.ui.helper_clipboard import MemoryClipboard


def main() -> int:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["CAPDESK_HOME"] = tempfile.mkdtemp(prefix="capdesk-scaled-")
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY"):
        os.environ.pop(name, None)
    app = make_application(sys.argv[:1])
    shell = Shell(Options(source="synthetic", use_tray=False, use_hotkeys=False,
                          resume_at_start=False, first_run=False),
                  Services(clipboard=MemoryClipboard()))
    shell.start()

    def shoot() -> None:
        shell.window.grab().save(str(folder / "main-200.png"))
        shell.open_settings()
        QTimer.singleShot(400, settings)

    def settings() -> None:
        assert shell.settings_dialog is not None
        shell.settings_dialog.grab().save(str(folder / "settings-200.png"))
        shell.shutdown()
        app.quit()

    QTimer.singleShot(600, shoot)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
