"""The composition root: builds every piece of the app and wires every signal, here only.

Pieces know nothing of each other; this module connects them. Reading
``wire()`` tells the whole behaviour of the app.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import QObject, QRectF, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QMessageBox, QSystemTrayIcon

from capdesk import secrets
from capdesk import settings as settings_module
from capdesk.engine import AudioMode, Credits, RecordingOptions, SourceKind, geometry
from capdesk.engine import JournalState as State
from capdesk.settings import Settings
from capdesk.ui import hotkeys as hotkeys_module
from capdesk.ui import wording
from capdesk.ui.aftercare import Aftercare, recent_recordings
from capdesk.ui.area_picker import AreaPicker, PickedArea, screen_tuples
from capdesk.ui.artwork import TrayState
from capdesk.ui.audio import AudioOffer, probe_audio
from capdesk.ui.camera import CameraOffer, Rect, probe_cameras
from capdesk.ui.camera_control import HIDES_NOTE, CameraControl
from capdesk.ui.controller import (
    MIC_MODES,
    Phase,
    RecorderFactory,
    RecordingController,
    make_recorder,
)
from capdesk.ui.credits import CreditsWatch
from capdesk.ui.keycheck import KeyReport, check_keys
from capdesk.ui.library_window import LibraryWindow
from capdesk.ui.main_window import Choice, MainWindow
from capdesk.ui.recording_bar import RecordingBar
from capdesk.ui.services import Services
from capdesk.ui.settings_dialog import SettingsDialog
from capdesk.ui.share import Share
from capdesk.ui.threads import run_in_worker
from capdesk.ui.tray import Tray
from capdesk.ui.welcome import WelcomeDialog, should_show

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Options:
    """How this run of the app is put together (tests change these)."""

    source: str = "screen"  # "synthetic": the moving test card instead of the screen
    synthetic_size: tuple[int, int] = (640, 360)
    use_tray: bool = True
    use_hotkeys: bool = True
    resume_at_start: bool = True
    first_run: bool = True
    # Looks up microphones and system sound (blocking; run in a worker).
    audio_probe: Callable[[], AudioOffer] = probe_audio
    audio: str | None = None  # forces the audio mode (tests: "synthetic"); None: the window's
    # Looks up the cameras (a child process, about a second; run in a worker).
    camera_probe: Callable[[], CameraOffer] = probe_cameras


class Shell(QObject):
    def __init__(self, options: Options | None = None, services: Services | None = None,
                 factory: RecorderFactory = make_recorder) -> None:
        super().__init__()
        self.options = options or Options()
        self.services = services or Services()
        self.settings = settings_module.load()
        self.controller = RecordingController(factory, self)
        self.aftercare = Aftercare(parent=self)
        self.window = MainWindow(self.settings)
        self.credits = CreditsWatch(parent=self)
        self.library = LibraryWindow()
        self.bar = RecordingBar()
        self.picker = AreaPicker(self)
        self.camera = CameraControl(self.settings, self._save_settings, self._camera_reference,
                                    self)
        self.tray: Tray | None = None
        if self.options.use_tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(recent_recordings, self)
        self.hotkeys = (hotkeys_module.create(self) if self.options.use_hotkeys
                        else hotkeys_module.Unsupported("Global shortcuts are turned off.", self))
        self.hotkey_problems: list[str] = []
        self.settings_dialog: SettingsDialog | None = None
        self.welcome: WelcomeDialog | None = None
        self.last_link = ""
        self._key_note: str | None = None  # why uploads are off or will fail
        self._credit_note: str | None = None  # a low or empty balance
        self._quit_after_stop = False
        self._pending_choice: Choice | None = None
        self.mic_prompt: QMessageBox | None = None
        self._probing = False
        self.wire()

    # -- wiring: every connection between pieces is here -----------------------------------
    def wire(self) -> None:
        c, w, bar, after = self.controller, self.window, self.bar, self.aftercare
        w.record_clicked.connect(self.record_from_window)
        w.stop_clicked.connect(c.stop)
        w.settings_clicked.connect(self.open_settings)
        w.library_clicked.connect(self.open_library)
        w.result.copy_clicked.connect(self.copy_link)
        w.result.open_clicked.connect(self.services.browser.open)
        w.result.retry_clicked.connect(after.retry)
        w.result.settings_clicked.connect(self.open_settings)
        w.audio_changed.connect(self._audio_choice_changed)
        w.camera_changed.connect(self._camera_choice_changed)
        cam = self.camera
        cam.problem.connect(w.set_camera_problem)
        cam.placed.connect(c.move_bubble)
        cam.turned_off.connect(lambda: w.set_camera_on(False))

        c.phase_changed.connect(self._phase_changed)
        c.phase_changed.connect(w.set_phase)
        c.phase_changed.connect(bar.set_phase)
        c.countdown_tick.connect(bar.set_countdown)
        c.elapsed_changed.connect(bar.set_elapsed)
        c.health_changed.connect(bar.set_health)
        c.upload_note_changed.connect(self._recording_note)
        c.link_ready.connect(self.link_ready)
        c.share_changed.connect(self.show_share)
        c.problem.connect(self.show_problem)
        c.discarded.connect(self._discarded)
        c.audio_changed.connect(bar.set_audio)
        c.audio_level.connect(bar.set_level)
        c.audio_warning.connect(bar.set_audio_warning)
        c.camera_warning.connect(bar.set_camera_warning)
        c.phase_changed.connect(cam.set_phase)

        bar.mute_clicked.connect(c.toggle_mute)
        bar.pause_clicked.connect(c.toggle_pause)
        bar.stop_clicked.connect(c.stop)
        bar.discard_confirmed.connect(c.discard)
        bar.cancel_clicked.connect(c.discard)

        self.picker.picked.connect(self._area_picked)
        self.picker.cancelled.connect(self._area_cancelled)

        after.share_changed.connect(self.show_share_update)
        after.link_ready.connect(self.link_ready)
        after.resumed.connect(self._resumed)

        lib, credits = self.library, self.credits
        lib.copy_link.connect(self.copy_link)
        lib.open_url.connect(self.services.browser.open)
        lib.link_ready.connect(self.link_ready)
        lib.settings_wanted.connect(self.open_settings)
        lib.credits_wanted.connect(credits.refresh)
        credits.changed.connect(lib.set_credits)
        credits.failed.connect(lib.credits_failed)
        credits.changed.connect(self._credits_changed)

        if self.tray is not None:
            t = self.tray
            t.record_screen.connect(lambda: self.record_mode("screen"))
            t.record_area.connect(lambda: self.record_mode("area"))
            t.pause_clicked.connect(c.toggle_pause)
            t.stop_clicked.connect(c.stop)
            t.copy_link.connect(self.copy_link)
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
        self.refresh_upload_note()
        self.refresh_audio()
        self.refresh_cameras()
        if self.options.resume_at_start:
            self.aftercare.resume_unfinished()
        if self.options.first_run and should_show(self.services.keys):
            QTimer.singleShot(0, self.open_welcome)

    def bind_hotkeys(self) -> None:
        self.hotkey_problems = self.hotkeys.bind({
            "record": self.settings.hotkey_record, "pause": self.settings.hotkey_pause,
        })
        for problem in self.hotkey_problems:
            log.info("shortcut: %s", problem)

    def refresh_upload_note(self) -> None:
        """Say why uploads are off: no key now; a low balance once the secret key tells."""
        public = self.services.keys.get(secrets.PUBLIC).value
        secret = self.services.keys.get(secrets.SECRET).value
        self._key_note = wording.upload_off_note(public)
        self._credit_note = None
        self._show_note()
        self.credits.forget()
        self.credits.refresh(0)
        self.library.keys_changed()
        if public and secret:
            base = str(self.settings.effective("base_url"))
            origin = str(self.settings.effective("origin")) or None
            run_in_worker(lambda: check_keys(base, origin, public, secret), self._keys_checked)

    def _keys_checked(self, report: KeyReport | None, error: BaseException | None) -> None:
        if report is None or self.controller.busy:
            return
        if report.public.ok is False:
            self._key_note = f"Uploads will fail: {report.public.text}"
        elif report.secret.low_balance:
            self._credit_note = self._credit_note or report.secret.text
        self._show_note()

    def _show_note(self) -> None:
        self.window.set_upload_note(self._key_note or self._credit_note or "")

    @Slot(object)
    def _credits_changed(self, credits: Credits | None) -> None:
        """Warn before recording when the balance is low; say so plainly when it is empty."""
        self._credit_note = credits.note if credits is not None else None
        if not self.controller.busy:
            self._show_note()
        if self.tray is not None:
            if credits is None:
                self.tray.set_credits("")
            else:
                self.tray.set_credits(f"Cap balance: {credits.summary}", credits.totals)

    # -- audio devices ------------------------------------------------------------------------
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

    # -- the camera -----------------------------------------------------------------------------
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

    def _camera_reference(self) -> QRectF:
        """The area (logical) the preview's sizes and saved place refer to: the one that
        will be recorded, where it is known now."""
        if self.options.source == SourceKind.SYNTHETIC:
            return QRectF(0, 0, *self.options.synthetic_size)
        choice = self.window.choice()
        screens = QGuiApplication.screens()
        screen = next((s for s in screens if s.name() == choice.screen_name), None)
        screen = screen or QGuiApplication.primaryScreen()
        return QRectF(screen.geometry())

    def _recorded_area(self, options: RecordingOptions) -> Rect:
        """The recorded area in physical pixels (the bubble's place is relative to it)."""
        if options.region is not None:
            return options.region
        screens = screen_tuples(QGuiApplication.screens())
        if options.monitor == 0:
            return geometry.virtual_desktop(screens)
        g = QGuiApplication.primaryScreen().geometry()
        return geometry.logical_to_physical((g.x(), g.y(), g.width(), g.height()), screens)

    def _save_settings(self) -> None:
        try:
            settings_module.save(self.settings)
        except OSError as exc:
            log.warning("could not save the settings: %s", exc)

    def _should_ask_microphone(self, choice: Choice) -> bool:
        return (self.options.audio is None and choice.audio not in MIC_MODES
                and self.settings.ask_microphone and self.window.has_microphones)

    def ask_microphone(self, choice: Choice) -> None:
        """Cap's question before a recording without the microphone; never blocks the loop."""
        box = QMessageBox(self.window)
        box.setObjectName("microphonePrompt")
        box.setWindowTitle("capdesk")
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

        def closed(_result: int) -> None:  # Esc, the close box, or after a button
            if self.mic_prompt is box:
                self.mic_prompt = None
                box.deleteLater()

        def answered(button: QAbstractButton) -> None:
            if self.mic_prompt is not box:
                return
            self.mic_prompt = None
            box.deleteLater()
            if button is cancel:
                if not self.window.isVisible():
                    self.window.bring_to_front()
                return
            if dont_ask.isChecked():
                self.settings.ask_microphone = False
                self._save_settings()
            if button is turn_on:
                self.window.turn_on_microphone()
                now = self.window.choice()
                choice_now = dataclasses.replace(choice, audio=now.audio,
                                                 audio_device=now.audio_device)
                self._begin(choice_now)
            else:
                self._begin(choice)

        box.buttonClicked.connect(answered)
        box.finished.connect(closed)
        self.mic_prompt = box
        box.open()

    @Slot()
    def open_library(self) -> None:
        self.library.bring_to_front()

    # -- recording ----------------------------------------------------------------------------
    @Slot()
    def record_from_window(self) -> None:
        self.begin(self.window.choice())

    def record_mode(self, mode: str) -> None:
        if self.controller.busy:
            return
        self.window.set_mode(mode)
        self.begin(self.window.choice())

    def toggle_record(self) -> None:
        if self.controller.phase == Phase.IDLE:
            self.record_from_window()
        else:
            self.controller.stop()

    def begin(self, choice: Choice) -> None:
        if self.controller.busy or self.mic_prompt is not None:
            return
        if self._should_ask_microphone(choice):
            self.ask_microphone(choice)
            return
        self._begin(choice)

    def _begin(self, choice: Choice) -> None:
        if self.controller.busy:
            return
        if choice.mode == "area":
            self._pending_choice = choice
            self.window.hide()
            QTimer.singleShot(150, self.picker.open)  # let the window vanish before the grab
            return
        self._launch(choice, self._options_for(choice, None))

    def _area_picked(self, area: PickedArea) -> None:
        choice, self._pending_choice = self._pending_choice, None
        if choice is not None:
            self._launch(choice, self._options_for(choice, area.physical))

    def _area_cancelled(self) -> None:
        self._pending_choice = None
        self.window.bring_to_front()

    def _options_for(self, choice: Choice, region: tuple[int, int, int, int] | None
                     ) -> RecordingOptions:
        monitor: int | None = None
        if self.options.source == SourceKind.SYNTHETIC:
            region = (0, 0, *self.options.synthetic_size)
        elif choice.mode == "desktop":
            monitor, region = 0, None
        elif region is None:
            region = self._screen_region(choice.screen_name)
        options = RecordingOptions(
            source=SourceKind(self.options.source), monitor=monitor, region=region,
            fps=choice.fps, max_height=choice.max_height,
            name=f"Recording {datetime.now():%Y-%m-%d %H:%M}",
            user_id=self.settings.user_id or None,
            audio=AudioMode(self.options.audio or choice.audio),
            audio_device=choice.audio_device,
        )
        feed = self.camera.recording_feed()
        if feed is None:
            return options
        return options.with_changes(camera=self.camera.device or "default",
                                    bubble=self.camera.placement(self._recorded_area(options)))

    def _screen_region(self, name: str | None) -> tuple[int, int, int, int] | None:
        screens = QGuiApplication.screens()
        screen = next((s for s in screens if s.name() == name), None)
        if screen is None:
            return None  # the primary monitor
        g = screen.geometry()
        return geometry.logical_to_physical((g.x(), g.y(), g.width(), g.height()),
                                            screen_tuples(screens))

    def _launch(self, choice: Choice, options: RecordingOptions) -> None:
        self.aftercare.stop_following()
        self.window.hide()
        self.bar.set_health("busy", "Connecting to Cap…")
        feed = self.camera.recording_feed() if options.camera else None
        self.camera.recording_area(self._recorded_area(options) if feed else None)
        self.bar.set_camera_note(HIDES_NOTE if feed and self.camera.hides_while_recording
                                 else "")
        self.controller.record(options, choice.countdown, feed)
        self.bar.place()
        self.bar.show()

    # -- engine results ---------------------------------------------------------------------------
    @Slot(str)
    def _phase_changed(self, phase: str) -> None:
        if phase == Phase.IDLE:
            self.bar.hide()
            self.refresh_audio()  # a device may have come or gone meanwhile
            if self._quit_after_stop:
                QTimer.singleShot(0, self.quit)

    def _own_note(self) -> str | None:
        """The app's own words for "no key" (the engine's speak of the command line)."""
        return wording.upload_off_note(self.services.keys.get(secrets.PUBLIC).value)

    @Slot(str)
    def _recording_note(self, note: str) -> None:
        if note:
            self.window.set_upload_note(self._own_note() or note)

    @Slot(str)
    def link_ready(self, url: str) -> None:
        """``complete`` succeeded: the link works. Copy it at once, say so."""
        self.last_link = url
        self.credits.forget()  # the upload was billed: the next look asks Cap again
        if self.settings.copy_link:
            self.copy_link(url)
        self.notify("Your link is ready",
                    f"{url}\n{'Copied to the clipboard.' if self.settings.copy_link else ''}")

    @Slot(str)
    def copy_link(self, url: str) -> None:
        if url:
            self.services.clipboard.set_text(url)
            self.window.result.mark_copied(url)

    @Slot(object)
    def show_share(self, share: Share) -> None:
        if share.state == State.LOCAL_ONLY and self._own_note():
            share.detail = "Uploads are off: no Cap public key is set."
            share.hint = (f"The video is in {share.file}. Add your key in Settings and the "
                          "next recording gets a share link.")
            share.fix_in_settings = True
        elif share.state == State.NEEDS_CREDITS:
            need = share.journal.needed_micro_credits
            share.detail = ("Your Cap balance is too low for this video"
                            + (f" (it needs {need:,} micro-credits)" if need else "")
                            + ", so it is saved on this computer.")
            share.hint = ("Add credits in Cap's developer dashboard, then press Retry upload; "
                          "the recording also waits in the Library.")
        self.show_share_update(share)
        self.window.bring_to_front()
        if share.link:
            self.aftercare.follow(share)
        elif not share.ok:
            self.notify(share.headline, share.detail or share.hint)
        self.window.set_status("")

    @Slot(object)
    def show_share_update(self, share: Share) -> None:
        self.window.result.show_share(share)
        if share.link:
            on_clipboard = self.services.clipboard.text() == share.link
            self.window.result.mark_copied(share.link if on_clipboard else "")
        self.window.fit()
        if self.tray is not None and not self.controller.busy:
            self.tray.set_state(TrayState.IDLE if share.ok or share.link else TrayState.ERROR)

    @Slot(str, str)
    def show_problem(self, title: str, message: str) -> None:
        self.bar.hide()
        self.window.bring_to_front()
        self.window.set_status(f"{title}: {message}")
        self.notify(title, message)

    def _discarded(self) -> None:
        self.window.bring_to_front()
        self.window.set_status("The recording was discarded.")

    def _resumed(self, finished: int, unfinished: int) -> None:
        if finished:
            text = (f"{finished} recording{'s' if finished > 1 else ''} from last time "
                    "finished uploading.")
            self.notify("Uploads finished", text)
            self.window.set_status(text)
        if unfinished:
            self.window.set_status(f"{unfinished} earlier recording(s) could not upload yet; "
                                   "run `capdesk resume` later, or fix the settings.")

    def notify(self, title: str, message: str) -> None:
        """A system notification where a tray exists; the window shows the same anyway."""
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.notify(title, message)

    # -- hotkeys, single instance ----------------------------------------------------------------
    @Slot(str)
    def _hotkey(self, action: str) -> None:
        if action == "record":
            self.toggle_record()
        elif action == "pause":
            self.controller.toggle_pause()

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

    # -- settings --------------------------------------------------------------------------------
    @Slot()
    def open_settings(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.show_tab(0)
            return
        note = "\n".join(self.hotkey_problems) or (
            "" if self.hotkeys.available else self.hotkeys.reason)
        dialog = SettingsDialog(self.settings, self.services.keys, note, self.window)
        dialog.saved.connect(self.settings_saved)
        dialog.finished.connect(self._settings_closed)
        self.settings_dialog = dialog
        dialog.show()

    def _settings_closed(self, _result: int) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
        self.settings_dialog = None

    def open_welcome(self) -> None:
        dialog = WelcomeDialog(self.settings, self.services.keys, self.window)
        dialog.saved.connect(self.settings_saved)
        self.welcome = dialog
        dialog.show()

    @Slot(object)
    def settings_saved(self, new: Settings) -> None:
        self.settings = new
        self.window.apply_settings(new)
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
        if self.mic_prompt is not None:
            self.mic_prompt.close()
            self.mic_prompt = None
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
