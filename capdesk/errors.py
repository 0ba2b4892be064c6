"""The one error tree, and the one place that maps an error to an exit code and to words.

::

    CapdeskError                   anything capdesk raises on purpose; str() is for people
    ├── CapError                   the Cap API (capdesk.cap.errors: not configured, network,
    │                              key/credits/Origin refused, server failures, odd answers)
    ├── CaptureError               a capture source cannot capture (no display, Wayland,
    │                              a region off screen, the screen changed size)
    ├── AudioError                 a sound device cannot be used
    ├── CameraError                the camera cannot be used (none, in use, refused, a
    │                              file that cannot be played, no picture in time)
    ├── EncoderUnavailable         no H.264 encoder works here
    ├── DiskError                  the disk
    │   ├── DiskSpaceError         too little room to start
    │   ├── SpoolError             a write or sync of the recording failed (an OSError too)
    │   └── WriteFailed            the encoder's file write failed (an OSError too)
    ├── PartUploadError            the storage refused or lost a part
    └── InputError                 what the user gave cannot be used
        ├── ProbeError             a file that is not a playable video
        └── OutputRefused          an --output that must not be written over

``exit_code(error)`` is the command line's contract (``capdesk.exitcodes``) and
``describe(error)`` the sentence people read, in the app and on the command line.
"""

from __future__ import annotations

from capdesk import exitcodes


class CapdeskError(Exception):
    """Root of every error capdesk raises on purpose."""

    exit_code: int = exitcodes.FAILURE


class DiskError(CapdeskError):
    """Something about the disk the recording is written to."""


class InputError(CapdeskError):
    """What the user gave (a file, an argument) cannot be used; nothing was started."""

    exit_code = exitcodes.USAGE


def exit_code(error: BaseException) -> int:
    """The process exit code for an error that ended a command."""
    if isinstance(error, CapdeskError):
        return error.exit_code
    return exitcodes.FAILURE


def describe(error: BaseException | None, *, short: bool = False) -> str:
    """The words people see for an error: one sentence with the fix (``short``: without
    the fix, for a list row or a status line)."""
    if error is None:
        return "Something went wrong."
    describe_cap = getattr(error, "describe", None)
    if isinstance(error, CapdeskError) and callable(describe_cap):  # a CapError
        text = str(describe_cap())
        if short:
            what, sep, _hint = text.partition(". ")
            text = what + "." if sep else text
    elif isinstance(error, OSError) and error.strerror and not isinstance(error, CapdeskError):
        text = error.strerror + (f": {error.filename}" if error.filename else "")
    else:
        text = str(error) or type(error).__name__
    return text[:1].upper() + text[1:]
