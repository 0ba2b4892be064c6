"""The recorder's sound rows: the microphone (on/off and which) and the system sound."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QVBoxLayout, QWidget

from capdesk.settings import Settings
from capdesk.ui import glyphs, wording
from capdesk.ui.audio import AudioOffer
from capdesk.ui.device_row import device_row, hint_label
from capdesk.ui.signals import emit

SYSTEM_TIP = "Everything this computer plays: videos, calls, alerts"


class AudioPicker(QWidget):
    changed = Signal()  # the microphone, its device or the system sound changed

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._offer: AudioOffer | None = None
        self._wanted_mic = settings.microphone
        self._wanted_device = settings.microphone_device
        self._wanted_system = settings.system_audio
        self._filling = False
        self._idle = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.microphone = QCheckBox("Microphone")
        self.microphone.setObjectName("microphone")
        self.microphone.setToolTip("Record the microphone")
        self.mic_combo = QComboBox()
        self.mic_combo.setObjectName("microphoneCombo")
        self.mic_combo.setAccessibleName("Microphone")
        self.mic_combo.addItem("Looking for microphones…", "")
        self.mic_combo.setEnabled(False)
        self.system_audio = QCheckBox("System sound")
        self.system_audio.setObjectName("systemAudio")
        self.system_audio.setToolTip(SYSTEM_TIP)
        self.hint = hint_label("audioHint")
        layout.addWidget(device_row(self.microphone, glyphs.microphone_icon(), self.mic_combo))
        layout.addWidget(device_row(self.system_audio, glyphs.speaker_icon()))
        layout.addWidget(self.hint)
        self.microphone.toggled.connect(self._toggled)
        self.system_audio.toggled.connect(self._toggled)
        self.mic_combo.currentIndexChanged.connect(lambda _i: self._toggled())

    def set_offer(self, offer: AudioOffer) -> None:
        """The microphones and system sound found (looked up in a worker)."""
        self._offer = offer
        self._filling = True
        self.mic_combo.clear()
        for mic in offer.microphones:
            label = f"System default · {mic.name}" if mic.is_default else mic.name
            self.mic_combo.addItem(label, "" if mic.is_default else mic.id)
        if offer.microphones and not any(m.is_default for m in offer.microphones):
            self.mic_combo.insertItem(0, "System default", "")
        if not offer.microphones:
            self.mic_combo.addItem("No microphone", "")
        index = self.mic_combo.findData(self._wanted_device)
        if index >= 0:
            self.mic_combo.setCurrentIndex(index)
        self.microphone.setChecked(self._wanted_mic and bool(offer.microphones))
        self.system_audio.setChecked(self._wanted_system and offer.system)
        self.system_audio.setToolTip(SYSTEM_TIP if offer.system else offer.system_problem)
        self._filling = False
        hints = [offer.microphone_problem] if not offer.microphones else []
        if not offer.system and offer.system_problem not in hints:
            hints.append(offer.system_problem)
        self.hint.setText(" ".join(h for h in hints if h))
        self.hint.setVisible(bool(self.hint.text()))
        self.set_idle(self._idle)

    @property
    def has_microphones(self) -> bool:
        return self._offer is not None and bool(self._offer.microphones)

    def turn_on_microphone(self) -> None:
        if self.has_microphones:
            self.microphone.setChecked(True)

    def wanted(self) -> tuple[bool, str, bool]:
        """What the person chose (kept while a device is missing): mic, device, system."""
        return self._wanted_mic, self._wanted_device, self._wanted_system

    def mode(self) -> str:
        """The engine's audio mode for what is on now."""
        return wording.audio_mode(self._mic_on(), self._system_on())

    def device(self) -> str | None:
        return (str(self.mic_combo.currentData() or "") or None) if self._mic_on() else None

    def _mic_on(self) -> bool:
        return self.has_microphones and self.microphone.isChecked()

    def _system_on(self) -> bool:
        return (self._offer is not None and self._offer.system
                and self.system_audio.isChecked())

    def _toggled(self, *_args: object) -> None:
        self.set_idle(self._idle)
        if self._filling or self._offer is None:
            return
        if self.microphone.isEnabled():
            self._wanted_mic = self.microphone.isChecked()
            self._wanted_device = str(self.mic_combo.currentData() or "")
        if self.system_audio.isEnabled():
            self._wanted_system = self.system_audio.isChecked()
        emit(self.changed)

    def set_idle(self, idle: bool) -> None:
        """Choices change only between recordings."""
        self._idle = idle
        offer = self._offer
        mics = offer is not None and bool(offer.microphones)
        self.microphone.setEnabled(idle and mics)
        self.mic_combo.setEnabled(idle and mics and self.microphone.isChecked())
        self.system_audio.setEnabled(idle and offer is not None and offer.system)
