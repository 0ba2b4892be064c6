"""Two screen recordings, one after the other, in one process (as the app does): run
inside a Wayland session by tests/e2e/test_record_wayland.py. Prints one JSON line per
recording: the file, its frames and duration, or the error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from capdesk.engine import Recorder, RecordingOptions


def main(folder: str, seconds: float) -> int:
    for index in (1, 2):
        options = RecordingOptions(seconds=seconds, upload=False,
                                   output=Path(folder) / f"take-{index}.mp4")
        recorder = Recorder(options)
        try:
            recorder.prepare()
            recorder.start()
            recording = recorder.local
            assert recording is not None
            while recording.wait(0.25) is None:
                pass
            outcome = recorder.stop()
        except Exception as exc:
            print(json.dumps({"take": index, "error": str(exc)}), flush=True)
            return 1
        result = outcome.result
        print(json.dumps({"take": index, "file": str(result.file),
                          "frames": result.frames, "duration": result.duration_secs,
                          "error": result.error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
