"""One local recording: capture thread -> bounded queue -> encoder thread -> spool file.

``LocalRecording`` is the engine the command line and (later) the Qt UI and the
uploading orchestrator drive. It has no Qt in it. Callbacks come from worker
threads; a UI must marshal them to its own thread.

- ``on_durable(durable_bytes)``: encoder thread, after each fragment is fsync'd
  (and once more at stop with the final size, trailer included).
- ``on_state(state)``: the thread that changed the state (the caller's for
  start/pause/resume, the encoder thread for stopping on its own and for the end).
- ``on_finished(result)``: encoder thread, once, when the file is complete.
- ``on_warning(message)``: the thread that noticed (the sound's, the encoder thread for
  a transform or the camera bubble), for problems the recording goes on with.

The camera bubble: with ``options.camera`` set (and a source other than the camera
itself), ``preflight`` starts a ``CameraFeed`` at the bubble's size in pixels and puts a
``BubbleTransform`` last in the transform chain, at ``options.bubble`` (None: bottom-right,
medium, placed for the frame's real aspect). A camera that fails there never stops the
recording: it goes on without the bubble, with a warning in ``warnings`` and in the
result's ``notes``; so does a camera that stops mid-recording. ``move_bubble`` moves it
while recording (any thread). A feed the caller already runs (the app's preview) can be
handed in as ``camera_feed``: it is used instead of starting one, and not stopped.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from capdesk.capture.audio.base import AudioSource
from capdesk.capture.audio.mixer import AudioCapture, AudioTimeline
from capdesk.capture.audio.sources import BEEP_EVERY, make_sources
from capdesk.capture.camera import CameraError
from capdesk.capture.camera.feed import MAX_SIZE as MAX_CAMERA_SIZE
from capdesk.capture.camera.feed import MIN_SIZE as MIN_CAMERA_SIZE
from capdesk.capture.camera.feed import CameraFeed
from capdesk.capture.kinds import AudioMode, SourceKind
from capdesk.capture.loop import (
    CaptureControl,
    CaptureEnd,
    FrameQueue,
    lower_thread_priority,
    run_capture,
)
from capdesk.capture.pacing import FramePacer
from capdesk.capture.registry import SourceSettings, open_source
from capdesk.capture.sources import FrameSource
from capdesk.capture.transforms import FrameTransform, TransformChain
from capdesk.capture.transforms.bubble import BubblePlacement, BubbleTransform, corner_placement
from capdesk.capture.transforms.bubble_shape import pixel_box
from capdesk.encode.audio import AacTrack
from capdesk.encode.diskspace import RESERVE_BYTES, FreeSpace, check_before_start, free_bytes
from capdesk.encode.stillness import StillFrames
from capdesk.encode.writer import Fmp4Writer, WriteFailed
from capdesk.engine.options import RecordingOptions

log = logging.getLogger(__name__)


class State(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


class StopReason(StrEnum):
    USER = "user"
    SECONDS = "seconds"
    DISK_FULL = "disk-full"
    ERROR = "error"


QUEUE_BUDGET_BYTES = 48 * 1024 * 1024  # frames waiting for the encoder (6 at 1080p)


@dataclass
class RecordingResult:
    file: Path
    bytes: int
    duration_secs: float
    width: int
    height: int
    fps: int
    frames: int  # frames in the file
    dropped_frames: int  # grid slots with no frame (late grabs), gaps in the timeline
    repeated_frames: int  # slots whose grab was identical to the frame before: not encoded
    encoder: str
    conversion: str  # what happened to the pixels before the encoder (see encode.encoders)
    stopped_reason: str  # a StopReason value
    has_index: bool  # the file ends in its mfra index (duration and seeking in browsers)
    salvaged: bool = False  # cut short by a write error, kept up to its last fragment
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    audio: str | None = None  # what the audio track holds, None without one


RecordingCallback = Callable[[RecordingResult], None]


class LocalRecording:
    """Record a screen (or the test card) into a fragmented MP4 file."""

    def __init__(
        self,
        config: RecordingOptions,
        *,
        on_durable: Callable[[int], None] | None = None,
        on_state: Callable[[State], None] | None = None,
        on_finished: RecordingCallback | None = None,
        source: FrameSource | None = None,
        clock: Callable[[], float] = time.monotonic,
        free_space: FreeSpace = free_bytes,
        audio_sources: list[AudioSource] | None = None,
        on_audio_level: Callable[[float], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
        transforms: list[FrameTransform] | None = None,
        camera_feed: CameraFeed | None = None,
    ) -> None:
        if config.output is None:
            raise ValueError("the pipeline needs options.output: the file to write")
        self.config = config
        self.output: Path = config.output
        self._audio_sources = audio_sources
        self._on_audio_level = on_audio_level
        self._on_warning = on_warning
        # Run on each frame in the encoder thread; a failing overlay is dropped with a
        # warning, a failing crop stops the recording (see capture.transforms.chain).
        self._given_transforms = list(transforms or ())
        self._transforms = TransformChain(self._given_transforms, on_warning=self._warn)
        # The camera bubble (see the module's docstring): the feed, whether this recording
        # started it (and so stops it), the transform, and what the result's notes say.
        self._camera_feed = camera_feed
        self._owns_camera = False
        self._bubble: BubbleTransform | None = None
        self._bubble_placement: BubblePlacement | None = config.bubble
        self._camera_notes: list[str] = []
        self._threads_started = False
        self._made_source = False  # the source was opened here (and is closed here)
        self._frame_size = (0, 0)  # what the encoder gets: the source's, after the transforms
        self._audio: AudioCapture | None = None
        self._audio_track: AacTrack | None = None
        self._on_durable = on_durable
        self._on_state = on_state
        self._on_finished = on_finished
        self._source = source
        self._clock = clock
        self._free_space = free_space
        self._pacer = FramePacer(config.fps)
        self._lock = threading.Condition()
        self._control = CaptureControl(self._lock)
        self._state = State.IDLE
        self._stop_reason: StopReason | None = None
        self._done = threading.Event()
        self._queue: FrameQueue = queue.Queue()
        self._writer: Fmp4Writer | None = None
        self._threads: list[threading.Thread] = []
        self._encode_error: BaseException | None = None
        self._frames_written = 0
        self._still: StillFrames | None = None
        self._timeline = AudioTimeline(self._pacer.anchor)
        self._checked = False
        self.result: RecordingResult | None = None
        self.warnings: list[str] = []
        self.error: str | None = None

    # -- properties -------------------------------------------------------------------------
    @property
    def state(self) -> State:
        return self._state

    @property
    def is_paused(self) -> bool:
        return self._state == State.PAUSED

    @property
    def elapsed(self) -> float:
        """Recorded seconds so far (pauses excluded)."""
        if self.result is not None:
            return self.result.duration_secs
        return self._pacer.elapsed(self._clock()) if self._pacer.started else 0.0

    @property
    def durable_bytes(self) -> int:
        """Bytes at the start of the file that are final and fsync'd (see encode.spool)."""
        return self._writer.durable_bytes if self._writer is not None else 0

    @property
    def frames(self) -> int:
        return self._frames_written

    @property
    def dropped_frames(self) -> int:
        return self._pacer.dropped

    @property
    def encoder(self) -> str | None:
        return self._writer.encoder_name if self._writer is not None else None

    @property
    def output_size(self) -> tuple[int, int] | None:
        return (self._writer.width, self._writer.height) if self._writer is not None else None

    @property
    def source_description(self) -> str:
        return self._source.description if self._source is not None else ""

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the frames the transforms make, before the encoder scales
        them; (0, 0) before ``preflight``."""
        return self._frame_size

    @property
    def camera_feed(self) -> CameraFeed | None:
        """The camera feed of the bubble (or of ``--source camera``), once running."""
        if self._camera_feed is not None:
            return self._camera_feed
        return getattr(self._source, "feed", None)

    def move_bubble(self, placement: BubblePlacement) -> None:
        """Move (or resize, reshape, mirror) the camera bubble; any thread, from the next
        frame on. Before ``preflight`` it sets where the bubble starts."""
        self._bubble_placement = placement
        if self._bubble is not None:
            self._bubble.move(placement)

    # -- control ----------------------------------------------------------------------------
    def start(self) -> None:
        """Check space, open the source and the encoder, start the threads.

        Raises DiskSpaceError, CaptureError, EncoderUnavailable or OSError with a message
        meant for people; nothing is left running when it raises.
        """
        if self._state != State.IDLE:
            raise RuntimeError(f"cannot start a recording that is {self._state}")
        self.preflight()
        try:
            self._open_and_start()
        except BaseException:
            self.close()
            raise

    def _open_and_start(self) -> None:
        cfg = self.config
        source = self._source
        assert source is not None
        if hasattr(source, "reuse_unchanged"):
            # A source may hand out its last frame again when nothing changed, if no
            # transform draws into frames and repeated frames are skipped anyway.
            source.reuse_unchanged = self.config.skip_unchanged and self._transforms.pure
        self._start_audio()
        self._writer = Fmp4Writer(
            self.output,
            src_width=self._frame_size[0],
            src_height=self._frame_size[1],
            fps=cfg.fps,
            max_height=cfg.max_height,
            encoder=cfg.encoder,
            on_durable=self._on_durable,
        )
        if self._audio is not None:
            self._audio_track = AacTrack(self._writer)
        if cfg.queue_frames:
            depth = max(1, cfg.queue_frames)
        else:
            depth = max(3, min(16, QUEUE_BUDGET_BYTES // (source.width * source.height * 4)))
        self._queue = queue.Queue(maxsize=depth)
        self._threads = [
            threading.Thread(target=self._capture_loop, name="capdesk-capture", daemon=True),
            threading.Thread(target=self._encode_loop, name="capdesk-encode", daemon=True),
        ]
        self._set_state(State.RECORDING)
        self._threads_started = True
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        """Free what ``preflight`` opened (the source it made, the camera) for a recording
        that will not be started; once started, the recording frees them itself at the end."""
        if self._threads_started:
            return
        self._stop_camera()
        if self._source is not None and self._made_source:
            source, self._source, self._made_source = self._source, None, False
            try:
                source.close()
            except Exception:
                log.debug("closing the unused source", exc_info=True)

    def preflight(self) -> None:
        """Check everything local that a recording needs, before anything else happens
        (before a video is created on Cap): room on the disk, the capture source, the
        audio devices. Raises DiskSpaceError, CaptureError or AudioError with a message
        meant for people. ``start`` calls it if it was not called before.
        """
        if self._checked:
            return
        cfg = self.config
        folder = self.output.parent
        folder.mkdir(parents=True, exist_ok=True)
        warning = check_before_start(folder, self._free_space)
        if warning:
            self.warnings.append(warning)
        if self._source is None:
            self._source = self._make_source()
            self._made_source = True
        self.warnings.extend(self._source.notes)
        try:
            self._frame_size = self._transforms.output_size(
                self._source.width, self._source.height)
            if self._audio_sources is None:
                self._audio_sources = make_sources(
                    cfg.audio, self._timeline.at, device=cfg.audio_device, clock=self._clock
                )
            self._start_bubble()  # last: nothing after it can fail and leave it running
        except BaseException:
            self.close()
            raise
        self._checked = True

    def _start_bubble(self) -> None:
        """Start the camera (unless one was handed in) and add the bubble to the chain. A
        camera that cannot be used is a warning: the recording goes on without it."""
        cfg = self.config
        feed = self._camera_feed
        if cfg.source == SourceKind.CAMERA or (feed is None and not cfg.camera):
            return
        assert self._source is not None
        width, height = self._frame_size
        placement = self._bubble_placement or corner_placement(aspect=width / height)
        if feed is None:
            assert cfg.camera is not None
            side = pixel_box(placement.center_x, placement.center_y, placement.diameter,
                             width, height)[2]
            feed = CameraFeed(cfg.camera,
                              size=min(MAX_CAMERA_SIZE, max(MIN_CAMERA_SIZE, side)))
            try:
                feed.start()
            except (CameraError, OSError) as exc:
                message = (f"the camera could not be used ({exc}): the recording goes on "
                           "without the bubble")
                log.warning("%s", message)
                self.warnings.append(message)
                self._camera_notes.append(message)
                return
            self._camera_feed, self._owns_camera = feed, True
        self._bubble = BubbleTransform(feed, placement, on_warning=self._camera_warning)
        self._transforms = TransformChain([*self._given_transforms, self._bubble],
                                          on_warning=self._warn)
        self._frame_size = self._transforms.output_size(self._source.width, self._source.height)

    def _camera_warning(self, message: str) -> None:
        """The bubble's camera stopped mid-recording: a warning, and a note in the result."""
        self._camera_notes.append(message)
        self._warn(message)

    def _stop_camera(self) -> None:
        feed, owned = self._camera_feed, self._owns_camera
        self._owns_camera = False
        if feed is not None and owned:
            feed.stop()

    def _start_audio(self) -> None:
        """Start reading the audio sources (AudioError if one cannot be used)."""
        timeline = self._timeline
        sources = self._audio_sources
        if not sources:
            return
        audio = AudioCapture(
            sources,
            timeline,
            clock=self._clock,
            on_level=self._on_audio_level,
            on_warning=self._warn,
        )
        audio.set_muted(self.config.audio_muted)
        audio.start()
        self._audio = audio

    def _warn(self, message: str) -> None:
        """A warning from a worker (the sound, a transform): kept, and told to the caller."""
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    @property
    def audio_description(self) -> str | None:
        return self._audio.description if self._audio is not None else None

    def set_audio_muted(self, muted: bool) -> None:
        """Mute or unmute the microphone while recording (any thread)."""
        if self._audio is not None:
            self._audio.set_muted(muted)

    def _write_audio(self, until: float) -> None:
        """Encoder thread: encode the audio that is final, up to ``until`` seconds."""
        if self._audio is not None and self._audio_track is not None:
            self._audio_track.write(self._audio.take(until))

    def _make_source(self) -> FrameSource:
        cfg = self.config
        settings = SourceSettings(
            monitor=cfg.monitor,
            region=cfg.region,
            cursor=cfg.cursor,
            fps=cfg.fps,
            synthetic_style=cfg.synthetic_style,
            # the test card flashes when the synthetic sound beeps
            flash_every=round(BEEP_EVERY * cfg.fps) if cfg.audio == AudioMode.SYNTHETIC else None,
            allow_xwayland=cfg.allow_xwayland,
            camera=cfg.camera,
            window=cfg.window,
        )
        return open_source(cfg.source, settings, cfg.backend)

    def pause(self) -> None:
        with self._lock:
            if self._state != State.RECORDING:
                return
            now = self._clock()
            if self._pacer.started:  # else the capture thread pauses it as it starts
                self._pacer.pause(now)
            if self._audio is not None:
                self._audio.timeline.pause(now)
            self._state = State.PAUSED
            self._control.paused = True
            self._lock.notify_all()
        self._emit_state(State.PAUSED)

    def resume(self) -> None:
        with self._lock:
            if self._state != State.PAUSED:
                return
            now = self._clock()
            if self._pacer.started:
                self._pacer.resume(now)
            if self._audio is not None:
                self._audio.timeline.resume(now)
            self._state = State.RECORDING
            self._control.paused = False
            self._lock.notify_all()
        self._emit_state(State.RECORDING)

    def stop(self, timeout: float | None = None) -> RecordingResult:
        """Stop (if still running), wait for the file to be complete, return the result."""
        if self._state == State.IDLE:
            raise RuntimeError("the recording was not started")
        self._request_stop(StopReason.USER)
        if not self._done.wait(timeout):
            raise TimeoutError("the recording did not finish in time")
        assert self.result is not None
        return self.result

    def wait(self, timeout: float | None = None) -> RecordingResult | None:
        """Wait until the recording ends by itself (--seconds, disk full, error) or is stopped."""
        if not self._done.wait(timeout):
            return None
        return self.result

    def _request_stop(self, reason: StopReason) -> None:
        with self._lock:
            if self._stop_reason is None:
                self._stop_reason = reason
            self._control.stopping = True
            changed = self._state in (State.RECORDING, State.PAUSED)
            if changed:
                self._state = State.STOPPING
            self._lock.notify_all()
        if changed:
            self._emit_state(State.STOPPING)

    def _set_state(self, state: State) -> None:
        with self._lock:
            self._state = state
        self._emit_state(state)

    def _emit_state(self, state: State) -> None:
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("on_state callback failed")

    # -- capture thread ---------------------------------------------------------------------
    def _capture_loop(self) -> None:
        assert self._source is not None
        seconds = self.config.seconds
        run_capture(
            self._source, self._pacer, self._queue, self._control, self._clock,
            limit=round(seconds * self.config.fps) if seconds else None,
            frame_log=self.config.frame_log,
            before_grab=lambda slot: self._transforms.grabbing(slot),
        )

    # -- encoder thread ---------------------------------------------------------------------
    def _encode_loop(self) -> None:
        lower_thread_priority(self.config.encoder_nice)
        writer = self._writer
        source = self._source
        assert writer is not None and source is not None
        folder = self.output.parent
        check_every = max(1, self.config.fps)
        writing = True
        # A frame identical to the last one written is skipped (unless a keyframe is due),
        # when the transforms make the same output from the same input.
        still = self._still = StillFrames(source.release)
        skip_still = self.config.skip_unchanged and self._transforms.pure
        # The frame written before, for converting only what changed: only when frames
        # reach the writer as captured (no transform in between).
        bands = skip_still and not self._transforms.names
        frames_seen = 0
        while True:
            item = self._queue.get()
            if isinstance(item, CaptureEnd):
                end = item
                break
            # changed: where this frame can differ from the one grabbed before it (which
            # the kept frame equals: it was written, or repeated it), when the source knows
            slot, image, changed = item
            try:
                if writing:
                    frames_seen += 1
                    if skip_still and still.repeats(image) and not writer.keyframe_due(slot):
                        still.repeated += 1
                    else:
                        writer.write(self._transforms.apply(image, slot), slot,
                                     previous=still.kept if bands else None,
                                     changed=changed if bands else None)
                        self._frames_written += 1
                        if skip_still:
                            still.keep(image)
                    self._write_audio((slot + 1) / self.config.fps)
                    if frames_seen % check_every == 0 and self._disk_nearly_full(folder):
                        log.warning("disk nearly full: stopping the recording")
                        self._request_stop(StopReason.DISK_FULL)
            except WriteFailed as exc:
                writing = False
                self._encode_error = exc
                self._request_stop(StopReason.DISK_FULL if exc.disk_full else StopReason.ERROR)
            except Exception as exc:
                writing = False
                self._encode_error = exc
                log.exception("encoding failed")
                self._request_stop(StopReason.ERROR)
                writer.abort(f"encoding failed: {exc}")
            finally:
                if not still.holds(image):
                    source.release(image)
        still.close()
        self._transforms.close()
        self._stop_camera()
        self._finish(writer, end)

    def _finish_audio(self, total_seconds: float) -> None:
        """Encoder thread: the rest of the audio, cut or padded to the video's duration."""
        audio, track = self._audio, self._audio_track
        if audio is None or track is None:
            return
        track.write(audio.finish(total_seconds))
        track.close()

    def _disk_nearly_full(self, folder: Path) -> bool:
        try:
            return self._free_space(folder) < RESERVE_BYTES
        except OSError as exc:
            log.debug("cannot check free space: %s", exc)
            return False

    def _finish(self, writer: Fmp4Writer, end: CaptureEnd) -> None:
        if end.error is not None:
            self._request_stop(StopReason.ERROR)
        elif end.reached_limit:
            self._request_stop(StopReason.SECONDS)
        if writer.result is None:
            try:
                self._finish_audio(end.total_slots / self.config.fps)
                writer.close(end.total_slots)
            except WriteFailed as exc:
                self._encode_error = exc
                with self._lock:
                    if self._stop_reason in (None, StopReason.USER, StopReason.SECONDS):
                        self._stop_reason = (
                            StopReason.DISK_FULL if exc.disk_full else StopReason.ERROR
                        )
            except Exception as exc:
                self._encode_error = exc
                log.exception("finishing the file failed")
                with self._lock:
                    self._stop_reason = StopReason.ERROR
                writer.abort(f"finishing failed: {exc}")
        written = writer.result
        assert written is not None
        if end.error is not None:
            with self._lock:
                if self._stop_reason in (None, StopReason.USER, StopReason.SECONDS):
                    self._stop_reason = StopReason.ERROR
        reason = self._stop_reason or StopReason.USER
        error = self._encode_error or end.error
        self.error = str(error) if error is not None else None
        notes = list(writer.choice.report[-1:]) + list(written.notes)
        if self._audio is not None:
            notes.extend(self._audio.warnings)
        notes.extend(self._transforms.warnings)
        notes.extend(self._camera_notes)
        self.result = RecordingResult(
            file=written.path,
            bytes=written.bytes,
            duration_secs=written.duration_slots / self.config.fps,
            width=writer.width,
            height=writer.height,
            fps=self.config.fps,
            frames=written.frames,
            dropped_frames=self._pacer.dropped,
            repeated_frames=self._still.repeated if self._still is not None else 0,
            encoder=writer.encoder_name,
            conversion=writer.conversion,
            stopped_reason=str(reason),
            has_index=written.has_index,
            salvaged=written.salvaged,
            error=self.error,
            notes=notes,
            audio=self.audio_description,
        )
        final = State.FAILED if reason == StopReason.ERROR else State.STOPPED
        self._set_state(final)
        self._done.set()
        if self._on_finished is not None:
            try:
                self._on_finished(self.result)
            except Exception:
                log.exception("on_finished callback failed")

