"""The composition root: builds every piece of the app and wires every signal, here only.

Pieces know nothing of each other; this module connects them. Reading
``wire()`` tells the whole behaviour of the app. The start of a recording is in
``start_flow``, what happens when one ends in ``outcomes``, the note above Record in
``upload_notes``.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from capdesk import settings as settings_module
from capdesk.engine import CaptureError, Credits
from capdesk.settings import Settings
from capdesk.ui import hotkeys as hotkeys_module
from capdesk.ui import theme, wording
from capdesk.ui.aftercare import Aftercare, recent_recordings
from capdesk.ui.app_options import Options
from capdesk.ui.area_picker import AreaPicker
from capdesk.ui.audio import AudioOffer
from capdesk.ui.camera import CameraOffer
from capdesk.ui.camera_control import CameraControl
from capdesk.ui.choice import Choice
from capdesk.ui.controller import Phase, RecorderFactory, RecordingController, make_recorder
from capdesk.ui.credits import CreditsWatch
from capdesk.ui.library_window import LibraryWindow
from capdesk.ui.main_window import MainWindow
from capdesk.ui.outcomes import Outcomes
from capdesk.ui.recording_bar import RecordingBar
from capdesk.ui.services import Services
from capdesk.ui.settings_dialog import RECORDING_TAB, SettingsDialog
from capdesk.ui.share import share_from_journal
from capdesk.ui.source_picker import WindowLike
from capdesk.ui.start_flow import StartFlow
from capdesk.ui.threads import run_in_worker
from capdesk.ui.tray import Tray
from capdesk.ui.upload_notes import DASHBOARD, SETTINGS, UPLOAD_LOCAL, UploadNotes
from capdesk.ui.welcome import WelcomeDialog, should_show

__all__ = ["Options", "Shell"]

log = logging.getLogger(__name__)
TRAY_NOTE = ("capdesk keeps running in the tray: start a recording from its menu or with "
             "your shortcut. Quit it from the tray menu.")


class Shell(QObject):
    def __init__(self, options: Options | None = None, services: Services | None = None,
                 factory: RecorderFactory = make_recorder) -> None:
        super().__init__()
        self.options = options or Options()
        self.services = services or Services()
        self.settings = settings_module.load()
        theme.set_preference(self.settings.theme)
        self.controller = RecordingController(factory, self)
        self.aftercare = Aftercare(parent=self)
        self.window = MainWindow(self.settings)
        self.credits = CreditsWatch(parent=self)
        self.library = LibraryWindow()
        self.bar = RecordingBar()
        self.picker = AreaPicker(self)
        self.tray: Tray | None = None
        if self.options.use_tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(recent_recordings, self)
        self.notes = UploadNotes(self.services.keys, self.credits, lambda: self.settings,
                                 lambda: self.controller.busy, parent=self)
        self.camera = CameraControl(self.settings, self._save_settings,
                                    lambda: self.starter.camera_reference(), self)
        self.starter = StartFlow(self.options, lambda: self.settings, self._save_settings,
                                 self.controller, self.window, self.bar, self.picker,
                                 self.camera, self.aftercare, self)
        self.outcomes = Outcomes(lambda: self.settings, self.services, self.window, self.bar,
                                 self.controller, self.aftercare, self.notes, self.tray, self)
        self.hotkeys = (hotkeys_module.create(self) if self.options.use_hotkeys
                        else hotkeys_module.Unsupported("Global shortcuts are turned off.", self))
        self.hotkey_problems: list[str] = []
        self.settings_dialog: SettingsDialog | None = None
        self.welcome: WelcomeDialog | None = None
        self._quit_after_stop = False
        self._probing = False
        self._listing_windows = False
        self.wire()

    @property
    def mic_prompt(self) -> QMessageBox | None:
        return self.starter.mic_prompt

    @property
    def last_link(self) -> str:
        return self.outcomes.last_link

    # -- wiring: every connection between pieces is here -----------------------------------
    def wire(self) -> None:
        c, w, bar, after, out = (self.controller, self.window, self.bar, self.aftercare,
                                 self.outcomes)
        card, start = w.result, self.starter
        w.record_clicked.connect(self.record_from_window)
        w.stop_clicked.connect(c.stop)
        w.settings_clicked.connect(self.open_settings)
        w.library_clicked.connect(self.open_library)
        w.note_clicked.connect(self._note_action)
        w.problem_clicked.connect(lambda _action: self.open_settings(RECORDING_TAB))
        w.windows_wanted.connect(self.refresh_windows)
        w.audio_changed.connect(self._audio_choice_changed)
        w.camera_changed.connect(self._camera_choice_changed)
        w.closed_to_tray.connect(self._closed_to_tray)
        card.copy_clicked.connect(out.copy_link)
        card.embed_clicked.connect(out.copy_embed)
        card.open_clicked.connect(self.services.browser.open)
        card.retry_clicked.connect(after.retry)
        card.settings_clicked.connect(self.open_settings)
        cam = self.camera
        cam.problem.connect(w.set_camera_problem)
        cam.placed.connect(c.move_bubble)
        cam.turned_off.connect(lambda: w.set_camera_on(False))
        self.notes.changed.connect(w.set_upload_note)

        c.phase_changed.connect(self._phase_changed)
        c.phase_changed.connect(w.set_phase)
        c.phase_changed.connect(bar.set_phase)
        c.phase_changed.connect(cam.set_phase)
        c.phase_changed.connect(start.overlay.set_phase)
        c.countdown_tick.connect(bar.set_countdown)
        c.countdown_tick.connect(start.overlay.show_count)
        c.elapsed_changed.connect(bar.set_elapsed)
        c.health_changed.connect(bar.set_health)
        c.upload_note_changed.connect(self.notes.show_recording_note)
        c.link_ready.connect(out.link_ready)
        c.link_known.connect(out.link_known)
        c.share_changed.connect(out.show_share)
        c.problem.connect(out.show_problem)
        c.discarded.connect(out.discarded)
        c.audio_changed.connect(bar.set_audio)
        c.audio_level.connect(bar.set_level)
        c.audio_warning.connect(bar.set_audio_warning)
        c.camera_warning.connect(bar.set_camera_warning)
        c.keep_local_offered.connect(bar.offer_keep_local)
        c.background_progress.connect(out.background_progress)
        c.background_done.connect(out.background_done)

        bar.mute_clicked.connect(c.toggle_mute)
        bar.pause_clicked.connect(c.toggle_pause)
        bar.stop_clicked.connect(c.stop)
        bar.discard_confirmed.connect(c.discard)
        bar.cancel_clicked.connect(c.discard)
        bar.keep_local_clicked.connect(c.keep_local)
        start.overlay.cancel_requested.connect(c.discard)
        start.refused.connect(out.refused)

        self.picker.picked.connect(start.area_picked)
        self.picker.cancelled.connect(start.area_cancelled)

        after.share_changed.connect(out.show_share_update)
        after.link_ready.connect(out.link_ready)
        after.resumed.connect(out.resumed)

        lib, credits = self.library, self.credits
        lib.copy_link.connect(out.copy_link)
        lib.open_url.connect(self.services.browser.open)
        lib.link_ready.connect(out.link_ready)
        lib.settings_wanted.connect(self.open_settings)
        lib.credits_wanted.connect(credits.refresh)
        credits.changed.connect(lib.set_credits)
        credits.failed.connect(lib.credits_failed)
        credits.changed.connect(self.notes.credits_changed)
        credits.changed.connect(self._tray_credits)

        if self.tray is not None:
            t = self.tray
            t.record_screen.connect(lambda: self.record_mode("screen"))
            t.record_area.connect(lambda: self.record_mode("area"))
            t.pause_clicked.connect(c.toggle_pause)
            t.stop_clicked.connect(c.stop)
            t.copy_link.connect(out.copy_link)
            t.open_app.connect(w.bring_to_front)
            t.open_library.connect(self.open_library)
            t.credits_wanted.connect(lambda: credits.refresh(60.0))
            t.open_settings.connect(self.open_settings)
            t.quit_clicked.connect(self.quit)
            t.camera_toggled.connect(w.set_camera_on)
            c.phase_changed.connect(t.set_phase)
        self.hotkeys.triggered.connect(self._hotkey)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenAdded.connect(lambda _s: w.refresh_screens())
            app.screenRemoved.connect(lambda _s: w.refresh_screens())

    # -- start-up ------------------------------------------------------------------------------
    def start(self) -> None:
        self.window.quit_on_close = self.tray is None
        if self.tray is not None:
            self.tray.show()
        self.window.show()
        self.bind_hotkeys()
        self.notes.refresh()
        self.library.keys_changed()
        self.refresh_audio()
        self.refresh_cameras()
        if self.options.resume_at_start:
            self.aftercare.resume_unfinished()
        if self.options.first_run and should_show(self.services.keys):
            QTimer.singleShot(0, self.open_welcome)

    def bind_hotkeys(self) -> None:
        self.hotkey_problems = self.hotkeys.bind({
            "record": self.settings.hotkey_record, "pause": self.settings.hotkey_pause,
            "area": self.settings.hotkey_area,
        })
        for problem in self.hotkey_problems:
            log.info("shortcut: %s", problem)

    def refresh_upload_note(self) -> None:
        self.notes.refresh()
        self.library.keys_changed()

    @Slot(object)
    def _tray_credits(self, credits: Credits | None) -> None:
        if self.tray is None:
            return
        if credits is None:
            self.tray.set_credits("")
        else:
            self.tray.set_credits(f"Cap balance: {credits.summary}",
                                  wording.singulars(credits.totals))

    @Slot(str)
    def _note_action(self, action: str) -> None:
        if action == SETTINGS:
            self.open_settings()
        elif action == DASHBOARD:
            base = str(self.settings.effective("base_url")).rstrip("/")
            self.services.browser.open(f"{base}/dashboard/developers")
            self.credits.refresh(0)
        elif action == UPLOAD_LOCAL:
            self.upload_waiting()

    def upload_waiting(self) -> None:
        """Upload the recordings made while uploads were off, one after the other."""
        waiting = list(self.notes.waiting)
        if not waiting:
            return
        self.window.set_upload_note(f"Uploading {len(waiting)}…", "", "")
        self.aftercare.upload_all([share_from_journal(j) for j in waiting],
                                  self.notes.uploaded)

    # -- devices and windows --------------------------------------------------------------------
    def refresh_audio(self) -> None:
        """Look up the microphones and the system sound again, off the GUI thread."""
        if self._probing:
            return
        self._probing = True
        run_in_worker(self.options.audio_probe, self._audio_found)

    def _audio_found(self, offer: AudioOffer | None, error: BaseException | None) -> None:
        self._probing = False
        if not shiboken6.isValid(self.window):
            return
        if offer is None:
            log.warning("looking up the audio devices failed: %s", error)
            offer = AudioOffer([], f"The microphones cannot be listed: {error}", False,
                               "The system sound cannot be recorded.")
        self.window.set_audio_offer(offer)

    @Slot()
    def _audio_choice_changed(self) -> None:
        mic, device, system = self.window.audio_wanted()
        s = self.settings
        if (s.microphone, s.microphone_device, s.system_audio) == (mic, device, system):
            return
        s.microphone, s.microphone_device, s.system_audio = mic, device, system
        self._save_settings()

    def refresh_cameras(self) -> None:
        """Look up the cameras, off the GUI thread (a child process: about a second)."""
        run_in_worker(self.options.camera_probe, self._cameras_found)

    def _cameras_found(self, offer: CameraOffer | None, error: BaseException | None) -> None:
        if not shiboken6.isValid(self.window):
            return
        if offer is None:
            log.warning("looking up the cameras failed: %s", error)
            offer = CameraOffer([], f"The cameras cannot be listed: {error}")
        self.window.set_camera_offer(offer)

    @Slot()
    def _camera_choice_changed(self) -> None:
        on, device = self.window.camera_choice()
        self.camera.set_camera(on, device)
        if self.tray is not None:
            self.tray.set_camera(on, self.window.has_cameras)
        wanted, wanted_device = self.window.camera_wanted()
        s = self.settings
        if (s.camera, s.camera_device) != (wanted, wanted_device):
            s.camera, s.camera_device = wanted, wanted_device
            self._save_settings()

    @Slot()
    def refresh_windows(self) -> None:
        """Look up the windows that can be recorded, off the GUI thread."""
        if self._listing_windows:
            return
        self._listing_windows = True
        self.window.source.looking_for_windows()
        run_in_worker(lambda: list(self.options.window_lister()), self._windows_found)

    def _windows_found(self, windows: list[WindowLike] | None,
                       error: BaseException | None) -> None:
        self._listing_windows = False
        if not shiboken6.isValid(self.window):
            return
        if windows is None:
            problem = (str(error) if isinstance(error, CaptureError)
                       else f"The windows cannot be listed: {error}").strip()
            problem = problem[:1].upper() + problem[1:]
            problem += "" if problem.endswith((".", "!", "?")) else "."
            self.window.set_windows([], problem)
            return
        self.window.set_windows(windows)

    def _save_settings(self) -> None:
        try:
            settings_module.save(self.settings)
        except OSError as exc:
            log.warning("could not save the settings: %s", exc)

    # -- recording ----------------------------------------------------------------------------
    @Slot()
    def record_from_window(self) -> None:
        self.begin(self.window.choice())

    def record_mode(self, mode: str) -> None:
        """Record with another mode this once (the tray, a shortcut): the window keeps
        its own choice."""
        if self.controller.busy:
            return
        self.begin(self.window.choice(mode))

    def toggle_record(self) -> None:
        if self.controller.phase == Phase.IDLE:
            self.record_from_window()
        else:
            self.controller.stop()

    def begin(self, choice: Choice) -> None:
        self.window.set_problem("")
        self.starter.begin(choice)

    @Slot(str)
    def _phase_changed(self, phase: str) -> None:
        if phase == Phase.IDLE:
            self.bar.hide()
            self.refresh_audio()  # a device may have come or gone meanwhile
            if self._quit_after_stop:
                QTimer.singleShot(0, self.quit)

    def _closed_to_tray(self) -> None:
        if self.settings.told_about_tray:
            return
        self.settings.told_about_tray = True
        self._save_settings()
        self.outcomes.notify("capdesk is still running", TRAY_NOTE)

    # -- hotkeys, single instance ----------------------------------------------------------------
    @Slot(str)
    def _hotkey(self, action: str) -> None:
        if action == "record":
            self.toggle_record()
        elif action == "pause":
            self.controller.toggle_pause()
        elif action == "area":
            self.record_mode("area")

    @Slot(str)
    def handle_request(self, request: str) -> None:
        if request == "record":
            self.record_mode("screen")
        elif request == "record-area":
            self.record_mode("area")
        elif request == "stop":
            self.controller.stop()
        else:
            self.window.bring_to_front()

    # -- windows: library, settings, welcome -------------------------------------------------------
    @Slot()
    def open_library(self) -> None:
        self.library.bring_to_front()

    @Slot()
    def open_settings(self, tab: int = 0) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.show_tab(tab)
            return
        note = "\n".join(self.hotkey_problems) or (
            "" if self.hotkeys.available else self.hotkeys.reason)
        dialog = SettingsDialog(self.settings, self.services.keys, note, self.window,
                                browser=self.services.browser)
        dialog.saved.connect(self.settings_saved)
        dialog.finished.connect(self._settings_closed)
        self.settings_dialog = dialog
        dialog.tabs.setCurrentIndex(tab)
        dialog.show()

    def _settings_closed(self, _result: int) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
        self.settings_dialog = None

    def open_welcome(self) -> None:
        dialog = WelcomeDialog(self.settings, self.services.keys, self.window,
                               browser=self.services.browser)
        dialog.saved.connect(self.settings_saved)
        self.welcome = dialog
        dialog.show()

    @Slot(object)
    def settings_saved(self, new: Settings) -> None:
        theme_changed = new.theme != self.settings.theme
        self.settings = new
        self.camera.settings = new
        self.window.apply_settings(new)
        if theme_changed:
            theme.set_preference(new.theme)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                theme.apply(app)
        self.bind_hotkeys()
        self.refresh_upload_note()

    # -- quitting ---------------------------------------------------------------------------
    @Slot()
    def quit(self) -> None:
        if self.controller.busy:
            self._quit_after_stop = True
            self.controller.stop()
            return
        self.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        self.starter.close()
        self.aftercare.stop_following()
        if shiboken6.isValid(self.library):  # shutting down twice is harmless
            self.library.shutdown()
        self.hotkeys.close()
        self.picker.close()
        if self.tray is not None:
            self.tray.hide()
        self.bar.close()
        self.camera.shutdown()
        self.window.quit_on_close = True
        self.window.close()
