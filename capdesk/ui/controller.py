"""The recording state machine: one recording at a time, no widgets.

Phases::

    idle --record--> countdown --(prepared, count reached 0)--> starting --> recording
    recording <--pause/resume--> paused
    recording|paused --stop--> stopping --(stop() returned in a worker)--> idle + finished(Share)
    stopping --keep_local (Cap unreachable)--> idle; the upload goes on in the background
    recording|paused|countdown --discard--> stopping --> idle

Every blocking engine call runs through ``run_in_worker``; the engine's own
callbacks reach this object through a :class:`~capdesk.ui.threads.Relay`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from capdesk.engine import (
    AudioMode,
    Journal,
    Recorder,
    RecordingOptions,
    RecordOutcome,
    UploadProgress,
)
from capdesk.engine import JournalState as State
from capdesk.errors import describe
from capdesk.ui import wording
from capdesk.ui.audio import LevelThrottle
from capdesk.ui.share import share_from_journal
from capdesk.ui.signals import emit
from capdesk.ui.threads import Relay, run_in_worker

if TYPE_CHECKING:
    from capdesk.engine import BubblePlacement, CameraFeed

log = logging.getLogger(__name__)

ELAPSED_TICK_MS = 250
QUIET_SECS = 2.5  # after Stop, an upload that has not moved this long is stuck...
SLOW_STOP_CHECK_MS = 500  # ... looked at this often: "keep it here" comes within ~3 s


class Phase(StrEnum):
    IDLE = "idle"
    COUNTDOWN = "countdown"
    STARTING = "starting"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPING = "stopping"


class RecorderLike(Protocol):
    journal: Journal
    upload_note: str | None

    def prepare(self) -> None: ...
    def start(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> RecordOutcome: ...
    def discard(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...
    def close(self) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def move_bubble(self, placement: BubblePlacement) -> None: ...


# (options, on_state, on_progress, on_audio_level, on_warning[, camera_feed]) -> a recorder;
# camera_feed (the app's running CameraFeed) is passed only when there is one.
RecorderFactory = Callable[..., RecorderLike]


def make_recorder(
    options: RecordingOptions,
    on_state: Callable[[str], None],
    on_progress: Callable[[UploadProgress], None],
    on_audio_level: Callable[[float], None],
    on_warning: Callable[[str], None],
    camera_feed: CameraFeed | None = None,
) -> RecorderLike:
    return Recorder(options, on_state=on_state, on_progress=on_progress,
                    on_audio_level=on_audio_level, on_warning=on_warning,
                    camera_feed=camera_feed)


MIC_MODES = frozenset(mode for mode in AudioMode if mode.has_microphone)


class RecordingController(QObject):
    phase_changed = Signal(str)
    countdown_tick = Signal(int)  # seconds left
    elapsed_changed = Signal(float)
    health_changed = Signal(str, str)  # level, text
    upload_note_changed = Signal(str)  # why this recording does not upload ("" = it does)
    share_changed = Signal(object)  # Share: the recording that just ended, as it evolves
    link_ready = Signal(str)  # complete succeeded: the share URL works now
    link_known = Signal(str)  # the video exists on Cap: its share URL (works after Stop)
    problem = Signal(str, str)  # title, message: something the user should read
    discarded = Signal()
    audio_changed = Signal(str, bool)  # the recording's audio mode, and whether it is muted
    audio_level = Signal(float)  # the sound's peak, 0..1, about 15 times a second
    audio_warning = Signal(str, str)  # level (warn/ok), plain words; ("", "") clears
    camera_warning = Signal(str)  # the camera stopped, in plain words; "" clears
    keep_local_offered = Signal(bool)  # Stop is slow (Cap unreachable): offer to keep it here
    background_progress = Signal(object, object)  # Journal, UploadProgress: a kept recording
    background_done = Signal(object)  # Share: a kept recording's upload ended (or gave up)

    def __init__(self, factory: RecorderFactory = make_recorder,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._phase = Phase.IDLE
        self._recorder: RecorderLike | None = None
        self._prepared = False
        self._countdown_left = 0
        self._elapsed_before = 0.0
        self._running_since: float | None = None
        self._progress: UploadProgress | None = None
        self._link_sent = False
        self._link_known = False
        self._relay = self._new_relay()
        self._engine_state = ""
        self._offered = False
        self._progress_at = 0.0  # when the current recording's upload last moved
        # Recordings kept locally while their upload goes on, by their relay.
        self._detached: dict[Relay, RecorderLike] = {}
        self._slow_stop = QTimer(self)
        self._slow_stop.setInterval(SLOW_STOP_CHECK_MS)
        self._slow_stop.timeout.connect(self._maybe_offer)
        self._audio = "none"
        self._muted = False
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick_countdown)
        self._ticker = QTimer(self)
        self._ticker.setInterval(ELAPSED_TICK_MS)
        self._ticker.timeout.connect(self._tick_elapsed)

    def _new_relay(self) -> Relay:
        """One relay per recording, so the engine's callbacks say which recording they
        are about (a recording kept locally still reports its upload)."""
        relay = Relay(self)
        relay.state.connect(self._on_engine_state, Qt.ConnectionType.QueuedConnection)
        relay.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        relay.audio_level.connect(self._on_level, Qt.ConnectionType.QueuedConnection)
        relay.warning.connect(self._on_warning, Qt.ConnectionType.QueuedConnection)
        return relay

    # -- queries ---------------------------------------------------------------
    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def busy(self) -> bool:
        return self._phase != Phase.IDLE

    def current_journal(self) -> Journal | None:
        return self._recorder.journal if self._recorder is not None else None

    def recorder_video_id(self) -> str | None:
        journal = self.current_journal()
        return journal.video_id if journal is not None else None

    @property
    def audio(self) -> str:
        """The audio mode of the current (or last) recording."""
        return self._audio

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def has_microphone(self) -> bool:
        return self._audio in MIC_MODES

    def elapsed(self) -> float:
        running = time.monotonic() - self._running_since if self._running_since else 0.0
        return self._elapsed_before + running

    # -- commands (GUI thread) -----------------------------------------------------
    @Slot(object, int)
    def record(self, options: RecordingOptions, countdown: int,
               camera_feed: CameraFeed | None = None) -> None:
        """Record; ``camera_feed``: the app's running camera, for the bubble."""
        if self._phase != Phase.IDLE:
            return
        self._elapsed_before, self._running_since = 0.0, None
        self._progress, self._link_sent, self._prepared = None, False, False
        self._link_known = False
        self._engine_state, self._offered = "", False
        if self._relay in self._detached:
            self._relay = self._new_relay()
        relay = self._relay
        factory = self._factory
        self._audio, self._muted = options.audio, options.audio_muted
        emit(self.audio_changed, self._audio, self._muted)
        emit(self.audio_warning, "", "")
        emit(self.camera_warning, "")
        extra: tuple[Any, ...] = () if camera_feed is None else (camera_feed,)
        on_level = LevelThrottle(partial(emit, relay.audio_level))

        def make_and_prepare() -> RecorderLike:
            recorder = factory(options, partial(emit, relay.state), partial(emit, relay.progress),
                               on_level, partial(emit, relay.warning), *extra)
            try:
                recorder.prepare()
            except BaseException:
                recorder.close()
                raise
            return recorder

        self._countdown_left = max(0, countdown)
        if self._countdown_left:
            self._set_phase(Phase.COUNTDOWN)
            emit(self.countdown_tick, self._countdown_left)
            self._countdown.start()
        else:
            self._set_phase(Phase.STARTING)
        emit(self.health_changed, "busy", "Connecting to Cap…")
        run_in_worker(make_and_prepare, self._prepared_done)

    def _prepared_done(self, recorder: RecorderLike | None, error: BaseException | None) -> None:
        if error is not None or recorder is None:
            self._countdown.stop()
            self._set_phase(Phase.IDLE)
            emit(self.problem, "Could not start recording", _plain(error))
            return
        if self._phase not in (Phase.COUNTDOWN, Phase.STARTING):  # cancelled meanwhile
            run_in_worker(lambda: _discard_and_close(recorder))
            return
        self._recorder = recorder
        self._prepared = True
        emit(self.upload_note_changed, recorder.upload_note or "")
        if recorder.upload_note:
            emit(self.health_changed, *wording.upload_health(None, recorder.upload_note))
        if self._phase == Phase.STARTING:
            self._start()

    @Slot()
    def _tick_countdown(self) -> None:
        self._countdown_left -= 1
        if self._countdown_left > 0:
            emit(self.countdown_tick, self._countdown_left)
            return
        self._countdown.stop()
        self._set_phase(Phase.STARTING)
        if self._prepared:
            self._start()

    def _start(self) -> None:
        recorder = self._recorder
        assert recorder is not None
        if self.has_microphone:
            recorder.set_muted(self._muted)  # a mute chosen before the start
        run_in_worker(recorder.start, lambda _r, e: self._started(recorder, e))

    def _started(self, recorder: RecorderLike, error: BaseException | None) -> None:
        if recorder is not self._recorder:
            return
        if error is not None:
            self._recorder = None
            self._set_phase(Phase.IDLE)
            run_in_worker(recorder.close)
            emit(self.problem, "Could not start recording", _plain(error))
            return
        if self._phase != Phase.STARTING:  # stop or discard came while starting
            return
        self._running_since = time.monotonic()
        self._ticker.start()
        self._set_phase(Phase.RECORDING)
        emit(self.elapsed_changed, 0.0)
        # A recording can end by itself (a time limit, a full disk): stop it properly then.
        run_in_worker(lambda: recorder.wait(None), lambda _r, _e: self._ended_by_itself(recorder))

    def _ended_by_itself(self, recorder: RecorderLike) -> None:
        if recorder is self._recorder and self._phase in (Phase.RECORDING, Phase.PAUSED):
            self.stop()

    @Slot()
    def toggle_pause(self) -> None:
        recorder = self._recorder
        if recorder is None:
            return
        try:
            if self._phase == Phase.RECORDING:
                recorder.pause()
                self._elapsed_before = self.elapsed()
                self._running_since = None
                self._set_phase(Phase.PAUSED)
            elif self._phase == Phase.PAUSED:
                recorder.resume()
                self._running_since = time.monotonic()
                self._set_phase(Phase.RECORDING)
        except Exception as exc:
            emit(self.problem, "Pause failed", _plain(exc))
        emit(self.elapsed_changed, self.elapsed())

    @Slot(bool)
    def set_muted(self, muted: bool) -> None:
        """Mute or unmute the microphone of the running recording (takes effect at once)."""
        if not self.has_microphone or muted == self._muted:
            return
        self._muted = muted
        recorder = self._recorder
        if recorder is not None:
            recorder.set_muted(muted)  # sets a gain: does not block
        emit(self.audio_changed, self._audio, self._muted)

    @Slot(object)
    def move_bubble(self, placement: BubblePlacement) -> None:
        """Move the camera bubble of the running recording (the engine's call is
        thread-safe and does not block)."""
        recorder = self._recorder
        if recorder is not None and self._phase != Phase.IDLE:
            recorder.move_bubble(placement)

    @Slot()
    def toggle_mute(self) -> None:
        self.set_muted(not self._muted)

    @Slot()
    def stop(self) -> None:
        if self._phase in (Phase.COUNTDOWN, Phase.STARTING) and self._running_since is None:
            self.discard()
            return
        recorder = self._recorder
        if recorder is None or self._phase not in (Phase.RECORDING, Phase.PAUSED):
            return
        self._freeze_clock()
        self._set_phase(Phase.STOPPING)
        emit(self.health_changed, *wording.stopping_health(None))
        if recorder.upload_note is None:
            self._progress_at = time.monotonic()
            self._slow_stop.start()

        def stop_and_close() -> RecordOutcome:
            try:
                return recorder.stop()
            finally:
                recorder.close()

        run_in_worker(stop_and_close, lambda r, e: self._stopped(recorder, r, e))

    def _stopped(self, recorder: RecorderLike, outcome: RecordOutcome | None,
                 error: BaseException | None) -> None:
        detached = recorder is not self._recorder
        if detached:
            for relay, kept in list(self._detached.items()):
                if kept is recorder:
                    del self._detached[relay]
                    relay.deleteLater()
        else:
            self._recorder = None
            self._slow_stop.stop()
            self._offer(False)
            self._set_phase(Phase.IDLE)
        if error is not None or outcome is None:
            journal = recorder.journal
            share = share_from_journal(journal, upload_note=recorder.upload_note)
            share.headline = "The recording failed"
            share.detail = _plain(error)
            share.hint = f"What was recorded is kept in {journal.spool_path}."
            emit(self.background_done if detached else self.share_changed, share)
            return
        journal = outcome.journal
        share = share_from_journal(journal, upload_note=outcome.upload_note,
                                   duration=outcome.result.duration_secs,
                                   size_bytes=outcome.result.bytes)
        if detached:
            if journal.state == State.COMPLETE and journal.share_url:
                emit(self.link_ready, journal.share_url)
            elif journal.state == State.WAITING_NETWORK:
                share.headline = "Saved on this computer"
                share.detail = "Cap could not be reached, so the upload waits."
                share.hint = ("It uploads when capdesk starts next, or press Upload now "
                              "once the network is back.")
                share.retry_label = "Upload now"
            emit(self.background_done, share)
            return
        if journal.state == State.COMPLETE and journal.share_url:
            self._announce_link(journal.share_url)
        emit(self.share_changed, share)

    # -- Cap unreachable at Stop: keep the recording here, upload later ------------------
    @Slot()
    def _maybe_offer(self) -> None:
        """Stop has taken a while: offer to keep the recording once its file is final."""
        if self._phase != Phase.STOPPING:
            self._slow_stop.stop()
            return
        if self._engine_state != "uploading" or self._offered:
            return  # the file is not final yet, or the offer stands
        progress = self._progress
        stuck = progress is None or progress.offline or progress.retrying
        quiet = time.monotonic() - self._progress_at >= QUIET_SECS
        if stuck or quiet:
            if not stuck:  # no error yet, but nothing moves: say what is true
                emit(self.health_changed, "warn",
                     "Cap is not answering · the recording is safe on this computer")
            self._offer(True)

    def _offer(self, on: bool) -> None:
        if on != self._offered:
            self._offered = on
            emit(self.keep_local_offered, on)

    @property
    def offering_keep_local(self) -> bool:
        return self._offered

    @Slot()
    def keep_local(self) -> None:
        """Stop waiting for Cap: the recording is final on this computer and its upload
        goes on in the background (``background_progress``, ``background_done``)."""
        recorder = self._recorder
        if recorder is None or self._phase != Phase.STOPPING or not self._offered:
            return
        self._detached[self._relay] = recorder
        self._recorder = None
        self._slow_stop.stop()
        self._offer(False)
        self._set_phase(Phase.IDLE)
        journal = recorder.journal
        share = share_from_journal(journal)
        share.headline = "Saved on this computer"
        share.detail = "Cap cannot be reached right now; the upload goes on in the background."
        share.status_line = "Trying to reach Cap…"
        share.hint = f"The video is in {share.file}."
        share.can_retry = False
        share.fix_in_settings = False
        emit(self.share_changed, share)

    @Slot()
    def discard(self) -> None:
        """Throw the recording away (the caller has asked the user to confirm)."""
        if self._phase == Phase.IDLE or self._phase == Phase.STOPPING:
            return
        self._countdown.stop()
        self._freeze_clock()
        recorder = self._recorder
        self._recorder = None
        self._set_phase(Phase.STOPPING)
        if recorder is None:  # still preparing: _prepared_done throws it away
            self._set_phase(Phase.IDLE)
            emit(self.discarded)
            return

        def done(_r: object, error: BaseException | None) -> None:
            self._set_phase(Phase.IDLE)
            if error is not None:
                emit(self.problem, "Discarding failed", _plain(error))
            emit(self.discarded)

        run_in_worker(lambda: _discard_and_close(recorder), done)

    # -- engine callbacks (delivered queued on the GUI thread) ---------------------------
    @Slot(str)
    def _on_engine_state(self, state: str) -> None:
        log.debug("engine state: %s", state)
        if self.sender() is not self._relay:
            return
        self._engine_state = state

    @Slot(object)
    def _on_progress(self, progress: UploadProgress) -> None:
        sender = self.sender()
        kept = self._detached.get(sender) if isinstance(sender, Relay) else None
        if kept is not None:
            emit(self.background_progress, kept.journal, progress)
            return
        if sender is not self._relay or (self._recorder is None and self._phase == Phase.IDLE):
            return
        before = self._progress.confirmed_bytes if self._progress is not None else -1
        self._progress = progress
        if progress.confirmed_bytes > before or progress.state == State.COMPLETE:
            self._progress_at = time.monotonic()  # the upload moved
        note = self._recorder.upload_note if self._recorder else None
        if self._phase == Phase.STOPPING:
            if progress.state != State.COMPLETE:
                emit(self.health_changed, *wording.stopping_health(progress))
            if (progress.offline or progress.retrying) and self._engine_state == "uploading":
                self._offer(True)
        else:
            emit(self.health_changed, *wording.upload_health(progress, note))
        if progress.share_url and not self._link_known:
            self._link_known = True
            emit(self.link_known, progress.share_url)
        if progress.state == State.COMPLETE and progress.share_url:
            self._announce_link(progress.share_url)

    @Slot(float)
    def _on_level(self, level: float) -> None:
        if self.sender() is self._relay and self._phase in (Phase.RECORDING, Phase.PAUSED):
            emit(self.audio_level, level)

    @Slot(str)
    def _on_warning(self, message: str) -> None:
        if self.sender() is not self._relay or (self._recorder is None
                                                and self._phase == Phase.IDLE):
            return
        if wording.is_camera_warning(message):
            emit(self.camera_warning, wording.camera_warning(message))
            return
        emit(self.audio_warning, *wording.audio_warning(message))

    def _announce_link(self, url: str) -> None:
        if not self._link_sent:
            self._link_sent = True
            emit(self.link_ready, url)

    # -- internals ---------------------------------------------------------------
    def _freeze_clock(self) -> None:
        self._elapsed_before = self.elapsed()
        self._running_since = None
        self._ticker.stop()

    @Slot()
    def _tick_elapsed(self) -> None:
        emit(self.elapsed_changed, self.elapsed())

    def _set_phase(self, phase: Phase) -> None:
        if phase != self._phase:
            self._phase = phase
            emit(self.phase_changed, phase.value)


def _discard_and_close(recorder: RecorderLike) -> None:
    try:
        recorder.discard()
    finally:
        recorder.close()


def _plain(error: BaseException | None) -> str:
    """A sentence for a person (``capdesk.errors.describe``), without command-line advice."""
    return wording.for_people(describe(error))
