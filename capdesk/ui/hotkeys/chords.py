"""Shortcut text (``Ctrl+Shift+R``, as Qt's QKeySequence writes it) to a key chord. Pure."""

from __future__ import annotations

from dataclasses import dataclass

MODIFIERS = {"ctrl": "ctrl", "control": "ctrl", "shift": "shift", "alt": "alt",
             "meta": "meta", "super": "meta", "win": "meta", "cmd": "meta"}

# X11 keysyms for keys that are not a letter or digit.
_NAMED = {
    "space": 0x20, "return": 0xFF0D, "enter": 0xFF0D, "esc": 0xFF1B, "escape": 0xFF1B,
    "tab": 0xFF09, "backspace": 0xFF08, "home": 0xFF50, "left": 0xFF51, "up": 0xFF52,
    "right": 0xFF53, "down": 0xFF54, "pgup": 0xFF55, "pageup": 0xFF55, "pgdown": 0xFF56,
    "pagedown": 0xFF56, "end": 0xFF57, "ins": 0xFF63, "insert": 0xFF63, "del": 0xFFFF,
    "delete": 0xFFFF, "print": 0xFF61, "pause": 0xFF13, "scrolllock": 0xFF14,
}
# Windows virtual-key codes for the same.
_VK_NAMED = {
    "space": 0x20, "return": 0x0D, "enter": 0x0D, "esc": 0x1B, "escape": 0x1B, "tab": 0x09,
    "backspace": 0x08, "home": 0x24, "left": 0x25, "up": 0x26, "right": 0x27, "down": 0x28,
    "pgup": 0x21, "pageup": 0x21, "pgdown": 0x22, "pagedown": 0x22, "end": 0x23,
    "ins": 0x2D, "insert": 0x2D, "del": 0x2E, "delete": 0x2E, "print": 0x2C, "pause": 0x13,
    "scrolllock": 0x91,
}


class ChordError(ValueError):
    pass


@dataclass(frozen=True)
class Chord:
    modifiers: frozenset[str]
    key: str  # lower case: "r", "5", "f9", "space"

    @property
    def keysym(self) -> int:
        if len(self.key) == 1:
            return ord(self.key)
        if self.key.startswith("f") and self.key[1:].isdigit():
            return 0xFFBE + int(self.key[1:]) - 1
        return _NAMED[self.key]

    @property
    def virtual_key(self) -> int:
        if len(self.key) == 1:
            return ord(self.key.upper())
        if self.key.startswith("f") and self.key[1:].isdigit():
            return 0x70 + int(self.key[1:]) - 1
        return _VK_NAMED[self.key]


def parse(text: str) -> Chord:
    """``"Ctrl+Shift+R"`` -> Chord({"ctrl", "shift"}, "r"). A chord needs a modifier,
    except for function keys and Print/Pause, which are free on most desktops."""
    cleaned = text.strip()
    if not cleaned:
        raise ChordError("no shortcut")
    if "," in cleaned:
        raise ChordError(f"{text!r}: only one key combination is allowed")
    words = cleaned.split("+")
    if cleaned.endswith("++"):  # "Ctrl++": the plus key is not supported
        raise ChordError(f"{text!r}: the + key cannot be used")
    *mods, key = (w.strip().lower() for w in words)
    modifiers = set()
    for mod in mods:
        if mod not in MODIFIERS:
            raise ChordError(f"{text!r}: {mod!r} is not a modifier (Ctrl, Shift, Alt, Meta)")
        modifiers.add(MODIFIERS[mod])
    if key in MODIFIERS:
        raise ChordError(f"{text!r}: add a key after the modifiers")
    is_function = key.startswith("f") and key[1:].isdigit() and 1 <= int(key[1:]) <= 24
    if not (len(key) == 1 and key.isascii() and key.isalnum()) and not is_function \
            and key not in _NAMED:
        raise ChordError(f"{text!r}: the key {key!r} is not supported")
    if not modifiers and not is_function and key not in ("print", "pause", "scrolllock"):
        raise ChordError(f"{text!r}: add Ctrl, Alt, Shift or Meta so typing does not trigger it")
    return Chord(frozenset(modifiers), key)
