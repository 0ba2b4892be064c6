"""One recording, end to end: create -> capture/encode/upload -> complete.

The command line and the desktop app both drive this class. It has no Qt in it;
its callbacks (``on_state``, ``on_progress``) come from worker threads, and the
UI marshals them onto its own thread.

Order of events:
1. ``prepare()``: the journal is written and the uploader starts ``create`` and
   ``initiate`` in the background, while any countdown runs;
2. ``start()``: the engine records to the spool file; after every fragment it
   reports the durable size, and the uploader sends full parts as they fill;
3. ``stop()``: the engine writes the trailer, the uploader sends the tail and
   calls ``complete``. ``stop_to_complete`` is measured from the stop request.

The camera bubble (``options.camera``) starts in ``prepare()`` with the other local
checks; a camera that fails is a warning, never a reason not to record (see
``pipeline``). ``move_bubble()`` moves it, before or during the recording.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capdesk import paths, settings
from capdesk.cap.errors import CapError
from capdesk.encode.spool import claim
from capdesk.engine.journal import Journal, State
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording, RecordingResult
from capdesk.engine.pipeline import State as RecordingState
from capdesk.upload.lock import RecordingLock, lock_for

if TYPE_CHECKING:
    import httpx

    from capdesk import connect
    from capdesk.cap.rest import CapRest
    from capdesk.cap.sdk import CapSdk
    from capdesk.capture.camera.feed import CameraFeed
    from capdesk.capture.transforms.bubble import BubblePlacement
    from capdesk.upload.uploader import StreamingUploader, UploadProgress

log = logging.getLogger(__name__)


@dataclass
class RecordOutcome:
    journal: Journal
    result: RecordingResult
    stop_to_complete: float | None
    upload_note: str | None = None  # why it was not uploaded, for people
    extra: dict[str, Any] = field(default_factory=dict)


def default_output(folder: Path) -> Path:
    """A file name in ``folder`` (created if missing) that is free now. Only a name:
    ``spool.claim`` takes it for good, or the next free one if another recording
    took it meanwhile. capdesk's own recordings folder is made private (0700)."""
    if folder.resolve() == paths.recordings_dir().resolve():
        paths.private_dir(folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"capdesk-{stamp}.mp4"
    counter = 2
    while candidate.exists():
        candidate = folder / f"capdesk-{stamp}-{counter}.mp4"
        counter += 1
    return candidate


class Recorder:
    def __init__(
        self,
        options: RecordingOptions,
        *,
        http: httpx.Client | None = None,
        connection: connect.Connection | None = None,
        on_state: Callable[[str], None] | None = None,
        on_progress: Callable[[UploadProgress], None] | None = None,
        upload_give_up_after: float = 90.0,
        on_audio_level: Callable[[float], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
        camera_feed: CameraFeed | None = None,
    ) -> None:
        self.options = options
        self._camera_feed = camera_feed  # the app's running feed, used for the bubble
        self._muted = options.audio_muted
        self.on_audio_level = on_audio_level
        self.on_warning = on_warning
        self.on_state = on_state
        self.on_progress = on_progress
        self._owns_http = http is None
        # Only an uploading recording needs a client: building one loads the TLS
        # certificates (about 0.08 CPU s), which --no-upload should not pay.
        self.http: httpx.Client | None = http
        self.sdk: CapSdk | None = None
        self.rest: CapRest | None = None
        self.upload_note: str | None = None
        if options.upload:
            # Imported here: the HTTP stack costs a --no-upload recording nothing.
            from capdesk import connect

            if self.http is None:
                self.http = connect.http_client()
            try:
                clients = connect.upload_clients(self.http, connection)
                self.sdk, self.rest = clients.sdk, clients.rest
            except CapError as exc:
                self.upload_note = f"Uploads are off: {exc.describe()}"
        else:
            self.upload_note = "Uploads are off (--no-upload)"
        self._auto_name = options.output is None
        if options.output is not None:
            self.path = options.output.expanduser().resolve()
        else:
            folder = options.folder or settings.load().recordings_folder()
            self.path = default_output(folder.expanduser()).resolve()
        self.journal = Journal.new(
            self.path,
            name=options.name or self.path.stem,
            user_id=options.user_id,
            metadata=options.metadata,
            state=State.RECORDING if self.sdk else State.LOCAL_ONLY,
        )
        self._lock: RecordingLock | None = None
        self.uploader: StreamingUploader | None = None
        self.local: LocalRecording | None = None
        self._give_up_after = upload_give_up_after
        self._prepared = False

    # -- lifecycle -----------------------------------------------------------
    def prepare(self) -> None:
        """Write the journal and start creating the video on Cap (during the countdown)."""
        if self._prepared:
            return
        # The file first, exclusively: a name taken meanwhile becomes the next free one
        # (an explicit --output that exists is refused). Then everything local is
        # checked, so nothing is created on Cap for a recording that cannot start.
        self.path = claim(self.path, next_free=self._auto_name)
        try:
            self.journal.spool_path = str(self.path)
            self.journal.name = self.options.name or self.path.stem
            self.local = self._make_local()
            self.local.preflight()
        except BaseException:
            if self.local is not None:
                self.local.close()
            self.local = None
            self.path.unlink(missing_ok=True)  # the empty file claimed above, nothing else
            raise
        self._prepared = True
        self.journal.save()
        self._lock = lock_for(self.journal)
        self._lock.acquire()
        if self.sdk is not None:
            from capdesk.upload.uploader import StreamingUploader

            assert self.http is not None
            self.uploader = StreamingUploader(
                self.sdk, self.http, self.journal, rest=self.rest,
                on_progress=self.on_progress, give_up_after=self._give_up_after,
            )
            self.uploader.start()
        self._state("preparing")

    def start(self) -> None:
        self.prepare()
        assert self.local is not None
        try:
            self.local.start()
        except Exception:
            self._abandon()
            raise
        self._state("recording")

    def _make_local(self) -> LocalRecording:
        # The same options, with the file this session claimed and the mute state now.
        return LocalRecording(
            self.options.with_changes(output=self.path, audio_muted=self._muted),
            on_durable=self._notify_durable,
            on_audio_level=self.on_audio_level,
            on_warning=self.on_warning,
            camera_feed=self._camera_feed,
        )

    def _notify_durable(self, durable_bytes: int) -> None:
        if self.uploader is not None:
            self.uploader.notify_durable(durable_bytes)

    def pause(self) -> None:
        if self.local:
            self.local.pause()
            self._state("paused")

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute the microphone (any thread; takes effect at once)."""
        self._muted = muted
        if self.local:
            self.local.set_audio_muted(muted)

    def move_bubble(self, placement: BubblePlacement) -> None:
        """Move (resize, reshape) the camera bubble: any thread, from the next frame on;
        before ``prepare`` it sets where the bubble starts."""
        self.options = self.options.with_changes(bubble=placement)
        if self.local is not None:
            self.local.move_bubble(placement)

    def resume(self) -> None:
        if self.local:
            self.local.resume()
            self._state("recording")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the recording to end by itself (--seconds, a full disk)."""
        assert self.local is not None
        return self.local.wait(timeout) is not None

    def stop(self) -> RecordOutcome:
        """Stop recording, upload the tail, complete. Blocks until done or given up."""
        assert self.local is not None
        stop_requested = time.monotonic()
        self._state("stopping")
        result = self.local.stop()
        stop_to_complete: float | None = None
        if self.uploader is not None:
            self._state("uploading")
            self.uploader.finish(result.bytes, result.duration_secs, result.width,
                                 result.height, float(result.fps))
            if self.journal.state == State.COMPLETE:
                stop_to_complete = time.monotonic() - stop_requested
        else:
            self.journal.update(final_size=result.bytes, duration_secs=result.duration_secs,
                                width=result.width, height=result.height,
                                fps=float(result.fps))
        self._release()
        self._state(self.journal.state)
        return RecordOutcome(self.journal, result, stop_to_complete, self.upload_note)

    def discard(self) -> None:
        """Throw the recording away: stop, abort the upload, delete the file."""
        if self.local is not None and self.local.state != RecordingState.IDLE:
            try:
                self.local.stop()
            except Exception:
                log.exception("stopping the discarded recording failed")
        self._abandon()
        self.path.unlink(missing_ok=True)
        self._state(State.DISCARDED)

    def close(self) -> None:
        self._release()
        if self._owns_http and self.http is not None:
            self.http.close()

    # -- internals -------------------------------------------------------------
    def _abandon(self) -> None:
        if self.local is not None:
            self.local.close()  # a camera started by prepare() and never recorded
        if self.uploader is not None:
            self.uploader.abort()
        else:
            self.journal.update(state=State.DISCARDED)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _state(self, state: str) -> None:
        log.debug("recorder: %s", state)
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("state callback failed")
