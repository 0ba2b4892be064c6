"""``emit(signal, *args)``: emit a Qt signal from Python. Use it instead of ``.emit()``.

PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without taking a
reference to it, so every emission from Python drops one reference to ``True``.
On Python 3.12+ ``True`` is immortal and nothing happens; on Python 3.11 the
count reaches zero after a few hundred emissions and the interpreter aborts
("bool_dealloc: deallocating True or False"). ``emit`` measures the leak once,
at import, and gives the reference back after each emission; on a fixed PySide
(or a newer Python) it measures zero and does nothing extra.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 64


class _Probe(QObject):
    ping = Signal()


def _measure_leak() -> int:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        _give_back(lost)
    return max(0, round(lost / _PROBES))


def _give_back(count: int) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


LEAK_PER_EMIT = _measure_leak()


def emit(signal: SignalInstance, *args: Any) -> None:
    signal.emit(*args)
    if LEAK_PER_EMIT:
        _give_back(LEAK_PER_EMIT)
