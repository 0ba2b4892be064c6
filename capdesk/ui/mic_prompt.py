"""Cap's question before a recording without the microphone (never blocks the loop)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QCheckBox, QMessageBox, QWidget

RECORD, TURN_ON, CANCEL = "record", "turn-on", "cancel"


def ask_microphone(parent: QWidget | None,
                   answered: Callable[[str, bool], None]) -> QMessageBox:
    """Open the question; ``answered(answer, dont_ask_again)`` runs once with RECORD,
    TURN_ON or CANCEL (Esc and the close box are CANCEL)."""
    box = QMessageBox(parent)
    box.setObjectName("microphonePrompt")
    box.setWindowTitle("Microphone")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("Record without a microphone?")
    box.setInformativeText("Your voice will not be in the video.")
    record = box.addButton("Record", QMessageBox.ButtonRole.AcceptRole)
    record.setObjectName("recordWithoutMic")
    turn_on = box.addButton("Turn on microphone", QMessageBox.ButtonRole.YesRole)
    turn_on.setObjectName("turnOnMic")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(turn_on)
    box.setEscapeButton(cancel)
    dont_ask = QCheckBox("Don't ask again")
    dont_ask.setObjectName("dontAskMic")
    box.setCheckBox(dont_ask)
    done = False

    def finish(answer: str) -> None:
        nonlocal done
        if done:
            return
        done = True
        box.deleteLater()
        answered(answer, dont_ask.isChecked() and answer != CANCEL)

    def clicked(button: QAbstractButton) -> None:
        finish(CANCEL if button is cancel else TURN_ON if button is turn_on else RECORD)

    box.buttonClicked.connect(clicked)
    box.finished.connect(lambda _result: finish(CANCEL))
    box.open()
    return box
