"""Global shortcuts on X11: ``XGrabKey`` on the root window through xcb (ctypes).

The app opens its own xcb connection (xcb connections are thread-safe). Grabs are
made from the GUI thread with checked requests, so a key already grabbed by
another program is reported (BadAccess) instead of failing silently. A daemon
thread waits on the connection's file descriptor and emits ``Relay``-style
signals that Qt queues onto the GUI thread. Each chord is grabbed four times,
with and without Caps Lock and Num Lock, so those locks do not break it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot

from capdesk.ui.hotkeys import Hotkeys
from capdesk.ui.hotkeys.chords import Chord, ChordError, parse
from capdesk.ui.signals import emit

log = logging.getLogger(__name__)

SHIFT, LOCK, CONTROL, MOD1, MOD2, MOD4 = 1, 2, 4, 8, 16, 64
MASKS = {"shift": SHIFT, "ctrl": CONTROL, "alt": MOD1, "meta": MOD4}
IGNORED = (0, LOCK, MOD2, LOCK | MOD2)  # Caps Lock, Num Lock
KEY_PRESS = 2
GRAB_MODE_ASYNC = 1
BAD_ACCESS = 10


class X11Unavailable(RuntimeError):
    pass


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _GenericError(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("error_code", ctypes.c_uint8)]


class _KeyPress(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8), ("detail", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16), ("time", ctypes.c_uint32), ("root", ctypes.c_uint32),
        ("event", ctypes.c_uint32), ("child", ctypes.c_uint32), ("root_x", ctypes.c_int16),
        ("root_y", ctypes.c_int16), ("event_x", ctypes.c_int16), ("event_y", ctypes.c_int16),
        ("state", ctypes.c_uint16), ("same_screen", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
    ]


def _load(name: str) -> ctypes.CDLL:
    path = ctypes.util.find_library(name)
    if not path:
        raise X11Unavailable(f"the {name} library is missing")
    return ctypes.CDLL(path)


class _Xcb:
    """The handful of xcb calls we need, typed for ctypes."""

    def __init__(self) -> None:
        xcb = _load("xcb")
        keysyms = _load("xcb-keysyms")
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        vp, u8, u16, u32, i = (ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16,
                               ctypes.c_uint32, ctypes.c_int)
        xcb.xcb_connect.restype = vp
        xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(i)]
        xcb.xcb_connection_has_error.argtypes = [vp]
        xcb.xcb_get_setup.restype = vp
        xcb.xcb_get_setup.argtypes = [vp]
        xcb.xcb_setup_roots_iterator.restype = _ScreenIterator
        xcb.xcb_setup_roots_iterator.argtypes = [vp]
        xcb.xcb_screen_next.argtypes = [ctypes.POINTER(_ScreenIterator)]
        xcb.xcb_grab_key_checked.restype = _Cookie
        xcb.xcb_grab_key_checked.argtypes = [vp, u8, u32, u16, u8, u8, u8]
        xcb.xcb_ungrab_key_checked.restype = _Cookie
        xcb.xcb_ungrab_key_checked.argtypes = [vp, u8, u32, u16]
        xcb.xcb_request_check.restype = ctypes.POINTER(_GenericError)
        xcb.xcb_request_check.argtypes = [vp, _Cookie]
        xcb.xcb_flush.argtypes = [vp]
        xcb.xcb_get_file_descriptor.argtypes = [vp]
        xcb.xcb_poll_for_event.restype = vp
        xcb.xcb_poll_for_event.argtypes = [vp]
        xcb.xcb_disconnect.argtypes = [vp]
        keysyms.xcb_key_symbols_alloc.restype = vp
        keysyms.xcb_key_symbols_alloc.argtypes = [vp]
        keysyms.xcb_key_symbols_free.argtypes = [vp]
        keysyms.xcb_key_symbols_get_keycode.restype = ctypes.POINTER(u8)
        keysyms.xcb_key_symbols_get_keycode.argtypes = [vp, u32]
        libc.free.argtypes = [vp]
        self.xcb, self.keysyms, self.libc = xcb, keysyms, libc


class _Relay(QObject):
    pressed = Signal(int, int)  # keycode, modifier state


class X11Hotkeys(Hotkeys):
    available = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._x = _Xcb()
        screen_number = ctypes.c_int(0)
        self._conn = self._x.xcb.xcb_connect(None, ctypes.byref(screen_number))
        if not self._conn or self._x.xcb.xcb_connection_has_error(self._conn):
            raise X11Unavailable("cannot connect to the X server")
        iterator = self._x.xcb.xcb_setup_roots_iterator(self._x.xcb.xcb_get_setup(self._conn))
        for _ in range(screen_number.value):
            self._x.xcb.xcb_screen_next(ctypes.byref(iterator))
        self._root = ctypes.c_uint32.from_address(iterator.data).value  # first field: root
        self._symbols = self._x.keysyms.xcb_key_symbols_alloc(self._conn)
        self._grabs: dict[tuple[int, int], str] = {}  # (keycode, mask) -> action
        self._relay = _Relay(self)
        self._relay.pressed.connect(self._pressed, Qt.ConnectionType.QueuedConnection)
        self._wake_r, self._wake_w = os.pipe()
        self._closed = False
        self._thread = threading.Thread(target=self._listen, name="capdesk-hotkeys",
                                        daemon=True)
        self._thread.start()

    # -- grabbing (GUI thread) ----------------------------------------------------------------
    def bind(self, bindings: dict[str, str]) -> list[str]:
        self._ungrab_all()
        problems = []
        for action, text in bindings.items():
            if not text:
                continue
            try:
                chord = parse(text)
            except ChordError as exc:
                problems.append(str(exc))
                continue
            problem = self._grab(action, chord, text)
            if problem:
                problems.append(problem)
        self._x.xcb.xcb_flush(self._conn)
        return problems

    def _keycodes(self, chord: Chord) -> list[int]:
        found = self._x.keysyms.xcb_key_symbols_get_keycode(self._symbols, chord.keysym)
        if not found:
            return []
        codes, index = [], 0
        while found[index]:
            codes.append(int(found[index]))
            index += 1
        self._x.libc.free(ctypes.cast(found, ctypes.c_void_p))
        return codes

    def _grab(self, action: str, chord: Chord, text: str) -> str | None:
        codes = self._keycodes(chord)
        if not codes:
            return f"{text}: this keyboard has no such key"
        mask = sum(MASKS[m] for m in chord.modifiers)
        xcb = self._x.xcb
        for code in codes[:1]:
            for extra in IGNORED:
                cookie = xcb.xcb_grab_key_checked(self._conn, 1, self._root, mask | extra, code,
                                                  GRAB_MODE_ASYNC, GRAB_MODE_ASYNC)
                error = xcb.xcb_request_check(self._conn, cookie)
                if error:
                    code_number = error.contents.error_code
                    self._x.libc.free(ctypes.cast(error, ctypes.c_void_p))
                    if code_number == BAD_ACCESS:
                        return f"{text} is already used by another program; choose another"
                    return f"{text}: the X server refused the shortcut (error {code_number})"
                self._grabs[(code, mask | extra)] = action
        return None

    def _ungrab_all(self) -> None:
        xcb = self._x.xcb
        for code, mask in list(self._grabs):
            cookie = xcb.xcb_ungrab_key_checked(self._conn, code, self._root, mask)
            error = xcb.xcb_request_check(self._conn, cookie)
            if error:
                self._x.libc.free(ctypes.cast(error, ctypes.c_void_p))
        self._grabs.clear()

    @Slot(int, int)
    def _pressed(self, keycode: int, state: int) -> None:
        action = self._grabs.get((keycode, state & 0xFF))
        if action is None:
            action = self._grabs.get((keycode, state & ~(LOCK | MOD2) & 0xFF))
        if action is not None:
            emit(self.triggered, action)

    # -- listening (daemon thread) ---------------------------------------------------------
    def _listen(self) -> None:
        xcb = self._x.xcb
        fd = xcb.xcb_get_file_descriptor(self._conn)
        while not self._closed:
            readable, _, _ = select.select([fd, self._wake_r], [], [], 5.0)
            if self._wake_r in readable or self._closed:
                return
            while True:
                event = xcb.xcb_poll_for_event(self._conn)
                if not event:
                    break
                press = _KeyPress.from_address(event)
                if press.response_type & 0x7F == KEY_PRESS:
                    emit(self._relay.pressed, int(press.detail), int(press.state))
                self._x.libc.free(event)
            if xcb.xcb_connection_has_error(self._conn):
                log.warning("the X connection for global shortcuts broke")
                return

    def close(self) -> None:
        if self._closed:
            return
        self._ungrab_all()
        self._x.xcb.xcb_flush(self._conn)
        self._closed = True
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=2)
        os.close(self._wake_r)
        os.close(self._wake_w)
        self._x.keysyms.xcb_key_symbols_free(self._symbols)
        self._x.xcb.xcb_disconnect(self._conn)
