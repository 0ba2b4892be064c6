"""Helper run in a subprocess with QT_SCALE_FACTOR=2: select a logical area, print the
physical one (the scale factor can only be set before Qt starts)."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from capdesk.ui.area_picker import AreaPicker


def main() -> int:
    app = QApplication(sys.argv[:1])
    picker = AreaPicker()
    picker.open()
    app.processEvents()
    picker.select(0, QRect(100, 80, 150, 100))
    area = picker.current()
    assert area is not None
    print(json.dumps({"ratio": picker.overlays[0].qscreen.devicePixelRatio(),
                      "physical": list(area.physical)}))
    picker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
