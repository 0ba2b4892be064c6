"""One running app per user: a second launch hands its request to the first and exits.

The first instance listens on a QLocalServer whose name is derived from the user
and the data folder (so ``CAPDESK_HOME`` gives tests their own). A later launch
connects, sends one line (``show``, ``record``, ``record-area``) and quits.
"""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from capdesk import paths
from capdesk.ui.signals import emit

REQUESTS = ("show", "record", "record-area", "stop")
TIMEOUT_MS = 1500


def server_name() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}:{paths.data_dir()}".encode()).hexdigest()[:16]
    return f"capdesk-{digest}"


def send_to_running(request: str, name: str | None = None) -> bool:
    """True if an instance is running and took the request."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    socket.write(f"{request}\n".encode())
    socket.flush()
    while socket.bytesToWrite() > 0 and socket.waitForBytesWritten(TIMEOUT_MS):
        pass
    answered = False  # the running app answers "ok" once it took the request
    while not answered and socket.waitForReadyRead(TIMEOUT_MS):
        answered = b"ok" in bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for later launches; emits ``request(str)`` on the GUI thread."""

    request = Signal(str)

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A stale socket file from a crashed instance: nobody answers on it.
        if not send_to_running("show", self.name):
            QLocalServer.removeServer(self.name)
            return self.server.listen(self.name)
        return False

    @Slot()
    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine().data()).decode(errors="replace").strip()
            if line in REQUESTS:
                socket.write(b"ok\n")
                emit(self.request, line)

    def close(self) -> None:
        self.server.close()
