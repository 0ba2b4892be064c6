"""The recorder's camera row: the bubble on/off and which camera (``camera_control``
runs the camera itself)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QVBoxLayout, QWidget

from capdesk.settings import Settings
from capdesk.ui import glyphs
from capdesk.ui.camera import NO_CAMERA, CameraOffer
from capdesk.ui.device_row import device_row, hint_label
from capdesk.ui.signals import emit

CAMERA_TIP = "A round picture of you in the recording; drag it where it should be"


class CameraPicker(QWidget):
    changed = Signal()  # the toggle or the chosen camera changed

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._offer: CameraOffer | None = None
        self._wanted = settings.camera
        self._wanted_device = settings.camera_device
        self._filling = False
        self._idle = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.camera = QCheckBox("Camera")
        self.camera.setObjectName("camera")
        self.camera.setEnabled(False)
        self.camera.setToolTip("Looking for cameras…")
        self.camera_combo = QComboBox()
        self.camera_combo.setObjectName("cameraCombo")
        self.camera_combo.setAccessibleName("Camera")
        self.camera_combo.addItem("Looking for cameras…", "")
        self.camera_combo.setEnabled(False)
        self.hint = hint_label("cameraHint")
        layout.addWidget(device_row(self.camera, glyphs.camera_icon(), self.camera_combo))
        layout.addWidget(self.hint)
        self.camera.toggled.connect(self._toggled)
        self.camera_combo.currentIndexChanged.connect(lambda _i: self._toggled())

    def set_offer(self, offer: CameraOffer) -> None:
        """The cameras found (looked up in a worker), a video file standing in included."""
        self._offer = offer
        self._filling = True
        self.camera_combo.clear()
        for cam in offer.cameras:
            label = f"System default · {cam.name}" if cam.is_default else cam.name
            self.camera_combo.addItem(label, "" if cam.is_default else cam.id)
        if not offer.cameras:
            self.camera_combo.addItem("No camera", "")
        index = self.camera_combo.findData(self._wanted_device)
        if index >= 0:
            self.camera_combo.setCurrentIndex(index)
        self.camera.setChecked(self._wanted and bool(offer.cameras))
        self.camera.setToolTip(CAMERA_TIP if offer.cameras else NO_CAMERA)
        self._filling = False
        self.set_problem("" if offer.cameras else (offer.problem or NO_CAMERA).rstrip(".") + ".")
        self.set_idle(self._idle)
        emit(self.changed)

    @Slot(str)
    def set_problem(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    @property
    def has_cameras(self) -> bool:
        return self._offer is not None and bool(self._offer.cameras)

    def wanted(self) -> tuple[bool, str]:
        """What the person chose (kept while the camera is missing): on, camera id."""
        return self._wanted, self._wanted_device

    def choice(self) -> tuple[bool, str]:
        """What can be done now: on (a camera exists and is chosen), its id."""
        on = self.has_cameras and self.camera.isChecked()
        return on, str(self.camera_combo.currentData() or "") if on else ""

    def set_on(self, on: bool) -> None:
        if self.has_cameras:
            self.camera.setChecked(on)

    def _toggled(self, *_args: object) -> None:
        self.set_idle(self._idle)
        if self._filling or self._offer is None:
            return
        if self.has_cameras:
            self._wanted = self.camera.isChecked()
            self._wanted_device = str(self.camera_combo.currentData() or "")
        emit(self.changed)

    def set_idle(self, idle: bool) -> None:
        self._idle = idle
        self.camera.setEnabled(idle and self.has_cameras)
        self.camera_combo.setEnabled(idle and self.has_cameras and self.camera.isChecked())
