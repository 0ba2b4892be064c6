"""``run_app(argv)``: start the desktop app, or hand the request to the running one.

Arguments after the program name: ``--record`` (record the screen), ``--record-area``,
``--stop``; nothing opens or raises the window.
"""

from __future__ import annotations

import logging
import signal
import sys

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from capdesk import __version__
from capdesk.ui import artwork, theme
from capdesk.ui.shell import Shell
from capdesk.ui.single_instance import InstanceServer, send_to_running
from capdesk.ui.threads import wait_for_workers

log = logging.getLogger(__name__)

REQUEST_FLAGS = {"--record": "record", "--record-area": "record-area", "--stop": "stop"}
MIN_WORKERS = 8  # a recording holds one worker for its whole length; keep room for the rest


def request_from(argv: list[str]) -> str:
    for arg in argv[1:]:
        if arg in REQUEST_FLAGS:
            return REQUEST_FLAGS[arg]
    return "show"


def make_application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName("capdesk")
    app.setApplicationDisplayName("capdesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("capdesk")
    app.setDesktopFileName("capdesk")
    app.setWindowIcon(artwork.app_icon())
    app.setQuitOnLastWindowClosed(False)
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(MIN_WORKERS, pool.maxThreadCount()))
    theme.apply(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: theme.apply(app))
    return app


def run_app(argv: list[str]) -> int:
    app = make_application(argv)
    request = request_from(argv)
    if send_to_running(request):
        log.info("capdesk is already running; passed it %r", request)
        return 0
    server = InstanceServer()
    if not server.listen():
        print("capdesk: could not claim the single-instance channel", file=sys.stderr)
    shell = Shell()
    server.request.connect(shell.handle_request)
    shell.start()
    if request != "show":
        shell.handle_request(request)
    if shell.tray is None:
        app.setQuitOnLastWindowClosed(True)
    signal.signal(signal.SIGINT, lambda *_: shell.quit())
    wake = QTimer()  # lets Python run its signal handlers while Qt's loop waits
    wake.start(500)
    wake.timeout.connect(lambda: None)
    code = app.exec()
    server.close()
    wait_for_workers(60_000)
    return int(code)
