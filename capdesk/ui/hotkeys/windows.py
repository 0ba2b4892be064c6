"""Global shortcuts on Windows: ``RegisterHotKey`` on a thread with its own message loop.

Hotkeys registered with a NULL window post ``WM_HOTKEY`` to the registering
thread, so one daemon thread registers them and runs ``GetMessageW``; ``bind``
hands it the new bindings with ``PostThreadMessageW`` and waits for its answer.
Presses reach the GUI thread through a queued Qt signal.
"""

from __future__ import annotations

import ctypes
import queue
import sys
import threading
from ctypes import wintypes

from PySide6.QtCore import QObject, Qt, Signal, Slot

from capdesk.ui.hotkeys import Hotkeys
from capdesk.ui.hotkeys.chords import ChordError, parse
from capdesk.ui.signals import emit

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
MASKS = {"alt": MOD_ALT, "ctrl": MOD_CONTROL, "shift": MOD_SHIFT, "meta": MOD_WIN}
WM_HOTKEY, WM_QUIT, WM_APP = 0x0312, 0x0012, 0x8000


class _Relay(QObject):
    pressed = Signal(int)


class WindowsHotkeys(Hotkeys):
    available = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        assert sys.platform == "win32"
        self._user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        self._kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
        self._actions: dict[int, str] = {}
        self._requests: queue.Queue[dict[int, tuple[int, int, str]]] = queue.Queue()
        self._answers: queue.Queue[list[str]] = queue.Queue()
        self._relay = _Relay(self)
        self._relay.pressed.connect(self._pressed, Qt.ConnectionType.QueuedConnection)
        self._ready = threading.Event()
        self._thread_id = 0
        self._thread = threading.Thread(target=self._loop, name="capdesk-hotkeys", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def bind(self, bindings: dict[str, str]) -> list[str]:
        problems: list[str] = []
        wanted: dict[int, tuple[int, int, str]] = {}
        actions: dict[int, str] = {}
        for number, (action, text) in enumerate(bindings.items(), start=1):
            if not text:
                continue
            try:
                chord = parse(text)
            except ChordError as exc:
                problems.append(str(exc))
                continue
            mods = sum(MASKS[m] for m in chord.modifiers) | MOD_NOREPEAT
            wanted[number] = (mods, chord.virtual_key, text)
            actions[number] = action
        self._actions = actions
        self._requests.put(wanted)
        self._user32.PostThreadMessageW(self._thread_id, WM_APP, 0, 0)
        try:
            problems += self._answers.get(timeout=5)
        except queue.Empty:
            problems.append("Windows did not answer the shortcut registration")
        return problems

    @Slot(int)
    def _pressed(self, number: int) -> None:
        action = self._actions.get(number)
        if action:
            emit(self.triggered, action)

    def _loop(self) -> None:
        self._thread_id = self._kernel32.GetCurrentThreadId()
        registered: list[int] = []
        msg = wintypes.MSG()
        # Make sure the thread has a message queue before anyone posts to it.
        self._user32.PeekMessageW(ctypes.byref(msg), None, 0, 0, 0)
        self._ready.set()
        while self._user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
            if msg.message == WM_HOTKEY:
                emit(self._relay.pressed, int(msg.wParam))
            elif msg.message == WM_APP:
                for number in registered:
                    self._user32.UnregisterHotKey(None, number)
                registered = []
                problems = []
                wanted = self._requests.get()
                for number, (mods, vk, text) in wanted.items():
                    if self._user32.RegisterHotKey(None, number, mods, vk):
                        registered.append(number)
                    else:
                        problems.append(f"{text} is already used by another program; "
                                        "choose another")
                self._answers.put(problems)
        for number in registered:
            self._user32.UnregisterHotKey(None, number)

    def close(self) -> None:
        if self._thread.is_alive():
            self._user32.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0)
            self._thread.join(timeout=2)
