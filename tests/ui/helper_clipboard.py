"""A clipboard in memory for the helper processes that open the app's windows: the X11
clipboard may be owned by the test process, which cannot answer while it waits for the
helper (each read then waited for Qt's clipboard timeout: about 30 s per helper)."""

from __future__ import annotations


class MemoryClipboard:
    def __init__(self) -> None:
        self._text = ""

    def set_text(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text
