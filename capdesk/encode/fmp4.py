"""Just enough ISO BMFF (MP4) box reading to check and repair a fragmented MP4.

Used to verify that a finished file ends in an ``mfra`` index, and, when the muxer
cannot write its own trailer (disk full), to append one built from the fragments
already on disk, so the salvaged file still reports its duration and seeks.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Box:
    type: str
    offset: int
    size: int  # whole box, header included

    @property
    def end(self) -> int:
        return self.offset + self.size


def iter_boxes(handle: BinaryIO, start: int, end: int) -> Iterator[Box]:
    """Boxes laid end to end in ``handle`` between ``start`` and ``end``.

    Stops at the first box that is cut off by ``end`` (a partly written fragment).
    """
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header[:8])
        if size == 1:
            if len(header) < 16:
                return
            size = struct.unpack(">Q", header[8:16])[0]
        elif size == 0:
            size = end - offset
        if size < 8 or offset + size > end:
            return
        yield Box(kind.decode("latin-1"), offset, size)
        offset += size


def top_level_boxes(path: str | Path, end: int | None = None) -> list[Box]:
    with open(path, "rb") as handle:
        limit = end if end is not None else handle.seek(0, 2)
        return list(iter_boxes(handle, 0, limit))


def has_mfra(path: str | Path) -> bool:
    """True when the file ends in a well-formed ``mfra`` box (checked through its ``mfro``)."""
    with open(path, "rb") as handle:
        size = handle.seek(0, 2)
        if size < 16:
            return False
        handle.seek(size - 16)
        tail = handle.read(16)
        box_size, kind = struct.unpack(">I4s", tail[:8])
        if kind != b"mfro" or box_size != 16:
            return False
        mfra_size = struct.unpack(">I", tail[12:16])[0]
        if mfra_size > size or mfra_size < 16:
            return False
        handle.seek(size - mfra_size)
        head = handle.read(8)
        return head[4:8] == b"mfra" and struct.unpack(">I", head[:4])[0] == mfra_size


@dataclass(frozen=True)
class Fragment:
    moof_offset: int
    track_id: int
    base_decode_time: int


def _child(handle: BinaryIO, parent: Box, kind: str) -> Box | None:
    header = 8
    for box in iter_boxes(handle, parent.offset + header, parent.end):
        if box.type == kind:
            return box
    return None


def read_fragments(path: str | Path, end: int) -> list[Fragment]:
    """Every complete ``moof`` before ``end`` with its track and start time (from ``tfdt``)."""
    fragments: list[Fragment] = []
    with open(path, "rb") as handle:
        boxes = list(iter_boxes(handle, 0, end))
        for index, box in enumerate(boxes):
            if box.type != "moof":
                continue
            # A fragment is complete only when its mdat is there too.
            if index + 1 >= len(boxes) or boxes[index + 1].type != "mdat":
                continue
            traf = _child(handle, box, "traf")
            if traf is None:
                continue
            tfhd = _child(handle, traf, "tfhd")
            tfdt = _child(handle, traf, "tfdt")
            if tfhd is None or tfdt is None:
                continue
            handle.seek(tfhd.offset + 12)
            track_id = struct.unpack(">I", handle.read(4))[0]
            handle.seek(tfdt.offset + 8)
            version = handle.read(4)[0]
            raw = handle.read(8 if version == 1 else 4)
            base = struct.unpack(">Q" if version == 1 else ">I", raw)[0]
            fragments.append(Fragment(box.offset, track_id, base))
    return fragments


def build_mfra(fragments: list[Fragment]) -> bytes:
    """An ``mfra`` box (one ``tfra`` per track, then ``mfro``) indexing ``fragments``.

    Each fragment starts with a keyframe, so every entry points at sample 1 of
    trun 1 of traf 1, as FFmpeg's own muxer writes it.
    """
    tracks: dict[int, list[Fragment]] = {}
    for fragment in fragments:
        tracks.setdefault(fragment.track_id, []).append(fragment)
    body = b""
    for track_id, entries in sorted(tracks.items()):
        payload = struct.pack(">BxxxIII", 1, track_id, 0, len(entries))
        for entry in entries:
            payload += struct.pack(">QQBBB", entry.base_decode_time, entry.moof_offset, 1, 1, 1)
        body += struct.pack(">I4s", 8 + len(payload), b"tfra") + payload
    total = 8 + len(body) + 16
    return struct.pack(">I4s", total, b"mfra") + body + struct.pack(">I4sII", 16, b"mfro", 0, total)
