"""Every sentence the app shows about time, sizes, uploads and failures (no Qt)."""

from __future__ import annotations

import re

from capdesk.engine import AudioMode, UploadProgress
from capdesk.engine import JournalState as State


def clock(seconds: float) -> str:
    """``0:07``, ``12:34``, ``1:02:03``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 minute``, ``2 minutes``, ``0 recordings``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


_ONE_OF_MANY = re.compile(r"(?<![\d.,])1 (minute|video|recording|second|hour)s\b")


def singulars(text: str) -> str:
    """``1 minutes`` -> ``1 minute`` (counts written elsewhere without a plural rule)."""
    return _ONE_OF_MANY.sub(r"1 \1", text)


def size(num_bytes: int | float) -> str:
    value = float(num_bytes)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def upload_health(progress: UploadProgress | None, upload_note: str | None) -> tuple[str, str]:
    """(level, text) for the recording bar: level is ok, busy, warn or error."""
    if upload_note:
        return "warn", "Not uploading"
    if progress is None:
        return "busy", "Connecting to Cap…"
    if progress.state in (State.KEY_REFUSED, State.NEEDS_CREDITS, State.ORIGIN_REFUSED,
                          State.FAILED):
        headline = STATE_HEADLINES.get(progress.state, "Upload stopped")
        return "error", f"{headline} · still recording; the video is kept"
    recorded = size(progress.durable_bytes)
    if progress.offline:
        return "error", (f"Offline: Cap cannot be reached · {recorded} recorded here, "
                         "uploads when it is back")
    if progress.retrying and progress.video_id is None:
        return "warn", "Cannot reach Cap · retrying; recording on this computer"
    if progress.retrying:
        return "warn", f"Retrying · {size(progress.confirmed_bytes)} uploaded · {recorded} recorded"
    if progress.video_id is None:
        return "busy", "Connecting to Cap…"
    if progress.durable_bytes == 0:  # the countdown: connected, nothing recorded yet
        return "busy", "Connected to Cap · ready"
    if progress.confirmed_bytes == 0:  # nothing up yet: not a success to show in green
        return "busy", f"Connected to Cap · {recorded} recorded"
    return "ok", f"{size(progress.confirmed_bytes)} uploaded · {recorded} recorded"


def stopping_health(progress: UploadProgress | None) -> tuple[str, str]:
    """(level, text) for the bar after Stop, while the rest goes up."""
    if progress is None:
        return "busy", "Finishing the upload…"
    left = max(0, progress.durable_bytes - progress.confirmed_bytes)
    if progress.offline or (progress.retrying and progress.video_id is None):
        return "error", "Cap cannot be reached · the recording is safe on this computer"
    if progress.retrying:
        return "warn", f"Cap is not answering · retrying, {size(left)} to go"
    return "busy", f"Finishing the upload · {size(left)} to go"


STATE_HEADLINES = {
    State.COMPLETE: "Uploaded",
    State.LOCAL_ONLY: "Saved on this computer",
    State.NEEDS_CREDITS: "Not enough Cap credits",
    State.KEY_REFUSED: "Cap refused the key",
    State.ORIGIN_REFUSED: "Cap refused this app's Origin",
    State.WAITING_NETWORK: "Cannot reach Cap right now",
    State.FAILED: "The upload failed",
    State.UPLOADING: "Uploading…",
    State.RECORDING: "Uploading…",
    State.DISCARDED: "Recording discarded",
}

# Which failures the user fixes in Settings before retrying.
SETTINGS_FIXES = frozenset({State.KEY_REFUSED, State.ORIGIN_REFUSED})

TRANSCRIPTION = {
    None: "",
    "PROCESSING": "transcribing",
    "COMPLETE": "transcript ready",
    "ERROR": "transcription failed",
    "SKIPPED": "no transcript",
    "NO_AUDIO": "no audio to transcribe",
}


def processing_line(ready: bool, transcription: str | None) -> str:
    words = "Ready to watch" if ready else "Processing on Cap…"
    extra = TRANSCRIPTION.get(transcription, transcription.lower() if transcription else "")
    return f"{words} · {extra}" if extra else words


def upload_off_note(public_key: str | None, note: str | None = None) -> str | None:
    """Why recordings will not upload, and how to turn uploads on; None if they will."""
    if note:
        return note
    if not public_key:
        return ("Uploads are off: no Cap public key is set. Add it in Settings to get a "
                "link the moment you stop.")
    return None


def credits_note(balance_micro_credits: int) -> str | None:
    if balance_micro_credits < 5000:
        return ("Uploads are off: your Cap balance is too low to create videos. Add credits "
                "in Cap's developer dashboard; recordings are kept and upload afterwards.")
    return None


_STOPPED = re.compile(r"^(?P<name>.+?) stopped delivering sound")
_SILENT = re.compile(r"^no sound from (?P<name>.+?) for \d+ s")
_BACK = re.compile(r"^(?P<name>.+) is back$")


def audio_warning(message: str) -> tuple[str, str]:
    """(level, text) for the recording bar from an engine warning: ok or warn."""
    for pattern in (_STOPPED, _SILENT):
        match = pattern.match(message)
        if match:
            return "warn", (f"No sound from {match['name']} (unplugged?). The recording goes "
                            "on with silence until it comes back.")
    match = _BACK.match(message)
    if match:
        return "ok", f"{match['name']} is back: its sound is recorded again."
    text = message.strip()
    return "warn", (text[:1].upper() + text[1:]) if text else "Something is wrong with the sound."


def is_camera_warning(message: str) -> bool:
    """The engine's camera warnings ("the camera stopped ...", "the camera could not be
    used ...") as opposed to the sound's."""
    return message.strip().lower().startswith("the camera")


def camera_warning(message: str) -> str:
    """A camera warning for the recording bar, as a sentence."""
    text = message.strip()
    text = (text[:1].upper() + text[1:]) if text else "The camera stopped."
    return text if text.endswith((".", "!", "?")) else text + "."


def audio_mode(microphone: bool, system: bool) -> AudioMode:
    """The engine's audio mode for the two checkboxes."""
    if microphone and system:
        return AudioMode.MIC_SYSTEM
    if microphone:
        return AudioMode.MIC
    return AudioMode.SYSTEM if system else AudioMode.NONE


_COMMANDS = (  # the command line's advice, as the app's buttons say it
    (re.compile(r"Save (?:the key|it) in the keychain with `capdesk config set [^`]*`"
                r"(?: \(or `[^`]*`\))?, or, without a keychain, set [A-Z_]+"
                r"(?: \(or [A-Z_]+\))? in the environment"), "Add your keys in Settings"),
    (re.compile(r" with `capdesk config set [^`]*` \(or in Settings\)"), " in Settings"),
    (re.compile(r"`capdesk config set [^`]*` \(or in Settings\)"), "in Settings"),
    (re.compile(r"and `capdesk resume` finishes the upload afterwards"),
     "and Retry upload finishes it afterwards"),
    (re.compile(r"(?:can be )?uploaded later with `capdesk resume`"),
     "uploads later (Retry upload, or the Library)"),
    (re.compile(r";? ?run `capdesk resume` (?:later|to [^.;]*)"),
     "; Retry upload in the Library finishes it"),
    (re.compile(r"`capdesk (?:resume|upload)`"), "Retry upload"),
    (re.compile(r"`capdesk config set [^`]*`"), "Settings"),
    (re.compile(r"choose another --output"), "choose another folder in Settings"),
    (re.compile(r" ?\(--no-upload\)"), ""),
)


def for_people(text: str) -> str:
    """The engine's and the Cap client's messages without command-line advice
    (``capdesk resume``, ``capdesk config ...``, ``--output``): the app has buttons."""
    for pattern, words in _COMMANDS:
        text = pattern.sub(words, text)
    return text
