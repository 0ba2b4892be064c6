"""The one way work and results cross threads in the app (see ``capdesk.ui``).

``run_in_worker(fn, on_done)`` runs ``fn()`` on the Qt global thread pool and
calls ``on_done(result, error)`` on the GUI thread: the worker emits a signal of
a :class:`_Delivery` object that lives on the GUI thread, connected with
``Qt.QueuedConnection``. ``Relay`` does the same for callbacks that other
threads call on their own (the recorder's ``on_state``, ``on_progress``,
``on_audio_level`` and ``on_warning``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from capdesk.ui.signals import emit

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]

_pending: set[_Delivery] = set()  # keeps deliveries alive until they ran (GUI thread only)


class _Delivery(QObject):
    finished = Signal(object, object)  # result, error

    def __init__(self, on_done: Done) -> None:
        super().__init__()
        self._on_done = on_done
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _deliver(self, result: Any, error: BaseException | None) -> None:
        _pending.discard(self)
        self._on_done(result, error)
        self.deleteLater()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], delivery: _Delivery) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._delivery = delivery

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the GUI thread, which decides
            log.debug("worker job failed", exc_info=True)
            emit(self._delivery.finished, None, exc)
            return
        emit(self._delivery.finished, result, None)


def run_in_worker(fn: Callable[[], Any], on_done: Done | None = None) -> None:
    """Run ``fn`` off the GUI thread; ``on_done(result, error)`` runs back on it.

    Call from the GUI thread only.
    """
    delivery = _Delivery(on_done or _log_failure)
    _pending.add(delivery)
    QThreadPool.globalInstance().start(_Job(fn, delivery))


def _log_failure(_result: Any, error: BaseException | None) -> None:
    if error is not None:
        log.error("background job failed: %s", error)


def wait_for_workers(msecs: int = 30_000) -> bool:
    """Block until every worker job ended (at quit, and in tests)."""
    return bool(QThreadPool.globalInstance().waitForDone(msecs))


class Relay(QObject):
    """Signals that engine threads emit; connected (queued) on the GUI thread.

    Create it on the GUI thread; hand ``partial(emit, relay.state)`` and
    ``partial(emit, relay.progress)`` to the engine as its callbacks (``emit``
    from ``capdesk.ui.signals``, which works around a PySide 6.12 refcount bug).
    """

    state = Signal(str)
    progress = Signal(object)
    audio_level = Signal(float)  # the sound's peak, 0..1 (already throttled)
    warning = Signal(str)  # an engine warning (a device gone silent, back again)
