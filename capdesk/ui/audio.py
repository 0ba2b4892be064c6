"""Audio in the app: what the computer offers (looked up off the GUI thread), a level meter,
and the throttle between the engine's level callback and the GUI.

The engine has no preview of a microphone outside a recording, so the level meter
lives in the recording bar and moves only while recording.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from capdesk.ui import theme

LEVEL_HZ = 15  # level updates per second that cross to the GUI thread


@dataclass(frozen=True)
class Microphone:
    id: str
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class AudioOffer:
    """What can be recorded on this computer right now."""

    microphones: list[Microphone] = field(default_factory=list)
    microphone_problem: str = ""  # why there is no microphone ("" when there is one)
    system: bool = False  # the system sound can be recorded
    system_problem: str = ""  # why it cannot, in the engine's words


def probe_audio() -> AudioOffer:
    """Look up the microphones and the system sound. Blocking: run it in a worker."""
    from capdesk.engine import AudioError, find_audio_sources, list_microphones

    microphones: list[Microphone] = []
    mic_problem = ""
    try:
        microphones = [Microphone(d.id, d.name, d.is_default) for d in list_microphones()]
        if not microphones:
            mic_problem = "No microphone found: connect one."
    except AudioError as exc:
        mic_problem = _sentence(_short(str(exc)))
    except Exception as exc:  # a sound server in a bad state: no microphone, say why
        mic_problem = _sentence(f"the microphones cannot be listed: {exc}")
    system, system_problem = False, ""
    try:
        find_audio_sources("system", lambda _t: None)  # finds the monitor; opens nothing
        system = True
    except AudioError as exc:
        system_problem = _sentence(_short(str(exc)))
    except Exception as exc:
        system_problem = _sentence(f"the system sound cannot be recorded: {exc}")
    return AudioOffer(microphones, mic_problem, system, system_problem)


def no_audio() -> AudioOffer:
    """An offer without devices (tests, and until the first look-up is back)."""
    return AudioOffer([], "No microphone found.", False, "No system sound to record.")


def _short(text: str) -> str:
    """The engine's reason without the sound library's own detail after it."""
    if text.startswith("no sound server"):
        return text.split(":", 1)[0]
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class LevelThrottle:
    """The engine's ``on_audio_level`` (any thread): passes on the loudest level of each
    1/``LEVEL_HZ`` s, at most ``LEVEL_HZ`` times a second, to ``deliver`` (a Relay emit)."""

    def __init__(self, deliver: Callable[[float], None], hz: float = LEVEL_HZ,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._deliver = deliver
        self._every = 1.0 / hz
        self._clock = clock
        self._lock = threading.Lock()
        self._peak = 0.0
        self._last = float("-inf")

    def __call__(self, level: float) -> None:
        now = self._clock()
        with self._lock:
            self._peak = max(self._peak, level)
            if now - self._last < self._every:
                return
            self._last, peak, self._peak = now, self._peak, 0.0
        self._deliver(peak)


class LevelMeter(QWidget):
    """A horizontal sound level: green, amber when loud, red near clipping.

    Levels are peaks in [0, 1]; shown on a dB scale (-60 dB .. 0 dB), falling back
    smoothly between updates.
    """

    FLOOR_DB = -60.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self._level = 0.0  # the last peak given
        self._shown = 0.0  # 0..1 on the dB scale, what is drawn
        self.muted = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Sound level")

    @property
    def level(self) -> float:
        return self._level

    def sizeHint(self) -> QSize:
        return QSize(90, 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, 6)

    @staticmethod
    def scale(level: float) -> float:
        """A peak in [0, 1] as a fraction of the meter (dB scale)."""
        if level <= 0:
            return 0.0
        db = 20 * math.log10(min(1.0, level))
        return max(0.0, 1.0 - db / LevelMeter.FLOOR_DB)

    @Slot(float)
    def set_level(self, level: float) -> None:
        self._level = max(0.0, min(1.0, level))
        target = self.scale(self._level)
        # Rise at once, fall gently (about a third per update at 15 Hz).
        self._shown = target if target >= self._shown else max(target, self._shown * 0.6)
        self.update()

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        colours = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colours.border))
        p.drawRoundedRect(rect, radius, radius)
        if self._shown > 0 and not self.muted:
            width = max(rect.height(), rect.width() * self._shown)
            colour = (colours.ok if self._shown < 0.85
                      else "#D97706" if self._shown < 0.97 else colours.record)
            p.setBrush(QColor(colour))
            p.drawRoundedRect(QRectF(rect.left(), rect.top(), width, rect.height()),
                              radius, radius)
        p.end()
