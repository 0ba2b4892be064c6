"""The spool file: an append-only file whose durable prefix only ever grows.

The muxer writes through this object (PyAV accepts a file-like object). It offers
no ``seek``, so FFmpeg treats the output as a stream and can never go back to
rewrite a byte it has handed over; every write must land exactly at the end.
After each fragment the writer calls ``commit()``: the data is fsync'd and
``durable_bytes`` moves to the end of the file. Everything before ``durable_bytes``
is final, on disk, and will not change, so an uploader may read and send it at once.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from capdesk.errors import DiskError

log = logging.getLogger(__name__)

DurableCallback = Callable[[int], None]


class SpoolError(DiskError, OSError):
    """A write or sync of the spool file failed; ``errno`` says why (ENOSPC for a full disk)."""


RESERVE_BYTES = 256 * 1024  # room kept for the index after a disk-full (~13,000 fragments)


RECORDING_MODE = 0o600  # only the user: a recording is a picture of their screen
_BINARY = getattr(os, "O_BINARY", 0)


def open_new(path: Path) -> int:
    """Open a recording file for writing without ever truncating one.

    The file is created exclusively; a file that already exists is used only if it is
    empty (a name claimed with :func:`claim`), else FileExistsError: capdesk never
    writes over a recording.
    """
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, RECORDING_MODE)
    except FileExistsError:
        pass
    fd = os.open(path, os.O_WRONLY | _BINARY)
    if os.fstat(fd).st_size != 0:
        os.close(fd)
        raise FileExistsError(errno.EEXIST, "a recording is already there; capdesk never "
                              "writes over one", str(path))
    return fd


def claim(path: Path, *, next_free: bool) -> Path:
    """Create ``path`` as an empty file only if no file has that name (``O_EXCL``), so
    two recordings started in the same second never share a file. With ``next_free``,
    a taken name becomes ``name-2``, ``name-3``, ... instead of FileExistsError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, counter = path, 2
    while True:
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY,
                         RECORDING_MODE)
        except FileExistsError:
            if not next_free:
                raise
            candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
            counter += 1
            continue
        os.close(fd)
        _fsync_dir(candidate.parent)
        return candidate


class SpoolFile:
    """Append-only writer with fsync'd commits. Not thread-safe for writing: one writer thread.

    Next to the spool file sits a small reserve file (hidden, same folder, so the same
    filesystem). When the disk fills up, deleting it frees exactly the room needed to
    append the index to the salvaged recording. It is removed when the spool closes.
    """

    def __init__(self, path: str | Path, on_durable: DurableCallback | None = None) -> None:
        self.path = Path(path)
        self.reserve_path = self.path.with_name(f".{self.path.name}.reserve")
        self._fd: int | None = open_new(self.path)
        self._make_reserve()
        self._on_durable = on_durable
        self._size = 0
        self._durable = 0
        self._lock = threading.Lock()
        self.error: OSError | None = None
        self.discarding = False
        _fsync_dir(self.path.parent)

    def _make_reserve(self) -> None:
        try:
            fd = os.open(self.reserve_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError:
            return
        try:
            os.write(fd, bytes(RESERVE_BYTES))
            os.fsync(fd)
        except OSError:
            self.release_reserve()
        finally:
            os.close(fd)

    def release_reserve(self) -> None:
        """Delete the reserve file, freeing its room on the disk."""
        try:
            os.unlink(self.reserve_path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.debug("could not remove %s: %s", self.reserve_path, exc)

    # -- the file-like interface PyAV uses -------------------------------------------------
    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False  # append only: FFmpeg must never come back

    def tell(self) -> int:
        return self._size

    def write(self, data: bytes | bytearray | memoryview) -> int:
        length = len(data)
        if self.discarding or self._fd is None:
            return length  # after a failure: the muxer may flail, nothing more reaches the file
        view = memoryview(data)
        done = 0
        try:
            while done < length:
                wrote = os.write(self._fd, view[done:])
                if wrote <= 0:
                    raise OSError(errno.EIO, "write made no progress")
                done += wrote
        except OSError as exc:
            self._size += done
            self._fail(exc)
            raise SpoolError(exc.errno, f"writing {self.path.name}: {exc.strerror}") from exc
        self._size += done
        return length

    def flush(self) -> None:
        pass  # unbuffered: every write is already in the OS

    def close(self) -> None:
        """Called by PyAV when the container closes; the writer finishes with ``finish()``."""

    # -- durability -------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Bytes handed to the OS so far (including any not yet committed)."""
        return self._size

    @property
    def durable_bytes(self) -> int:
        """Everything before this offset is final and fsync'd."""
        with self._lock:
            return self._durable

    def commit(self) -> int:
        """fsync, then advance ``durable_bytes`` to the end of the file and report it."""
        if self._fd is None or self.discarding:
            return self.durable_bytes
        if self._size == self._durable:
            return self._durable
        try:
            os.fsync(self._fd)
        except OSError as exc:
            self._fail(exc)
            raise SpoolError(exc.errno, f"syncing {self.path.name}: {exc.strerror}") from exc
        self._advance()
        return self._size

    def _advance(self) -> None:
        with self._lock:
            self._durable = self._size
        if self._on_durable is not None:
            try:
                self._on_durable(self._size)
            except Exception:
                log.exception("on_durable callback failed")

    def _fail(self, exc: OSError) -> None:
        if self.error is None:
            self.error = exc
        self.discarding = True

    def truncate_to_durable(self) -> int:
        """Drop whatever follows the durable prefix (a partly written fragment)."""
        if self._fd is not None:
            os.ftruncate(self._fd, self._durable)
            os.lseek(self._fd, self._durable, os.SEEK_SET)
            self._size = self._durable
        return self._durable

    def append_final(self, data: bytes) -> bool:
        """Append a last piece (an index) after a failure; False (and nothing left) if it fails."""
        self.release_reserve()
        if self._fd is None:
            return False
        try:
            written = 0
            while written < len(data):
                wrote = os.write(self._fd, data[written:])
                if wrote <= 0:
                    raise OSError(errno.EIO, "write made no progress")
                written += wrote
            os.fsync(self._fd)
        except OSError as exc:
            log.warning("could not append the index: %s", exc)
            self.truncate_to_durable()
            return False
        self._size += len(data)
        self._advance()
        return True

    def finish(self) -> int:
        """Final fsync and close; returns the final size. Safe to call twice.

        After a clean finish ``durable_bytes`` equals the final size and ``on_durable``
        is called one last time with it (the muxer's trailer is on disk too).
        """
        self.release_reserve()
        if self._fd is None:
            return self._size
        fd, self._fd = self._fd, None
        try:
            if not self.discarding:
                os.fsync(fd)
        except OSError as exc:
            self._fail(exc)
            raise SpoolError(exc.errno, f"syncing {self.path.name}: {exc.strerror}") from exc
        finally:
            os.close(fd)
        if not self.discarding and self._size != self.durable_bytes:
            self._advance()
        return self._size

    @property
    def disk_full(self) -> bool:
        return self.error is not None and self.error.errno in (errno.ENOSPC, errno.EDQUOT)


def _fsync_dir(path: Path) -> None:
    """Make the new file's directory entry durable too (POSIX; a no-op elsewhere)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
