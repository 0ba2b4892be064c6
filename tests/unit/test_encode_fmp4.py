"""Reading boxes, and the mfra index we append to a salvaged file."""

from __future__ import annotations

import struct
from pathlib import Path

from capdesk.encode import fmp4


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def fragment(track: int, base: int) -> bytes:
    tfhd = box(b"tfhd", struct.pack(">II", 0x020000, track))
    tfdt = box(b"tfdt", struct.pack(">BxxxQ", 1, base))
    traf = box(b"traf", tfhd + tfdt)
    moof = box(b"moof", box(b"mfhd", struct.pack(">II", 0, 1)) + traf)
    return moof + box(b"mdat", b"\0" * 20)


def test_fragments_and_index(tmp_path: Path) -> None:
    head = box(b"ftyp", b"isom\0\0\0\0") + box(b"moov", b"")
    frag1, frag2 = fragment(1, 0), fragment(1, 30720)
    path = tmp_path / "f.mp4"
    data = head + frag1 + frag2
    path.write_bytes(data + frag1[:30])  # a fragment cut off at the end
    boxes = fmp4.top_level_boxes(path)
    assert [b.type for b in boxes] == ["ftyp", "moov", "moof", "mdat", "moof", "mdat"]
    fragments = fmp4.read_fragments(path, path.stat().st_size)
    assert [(f.moof_offset, f.track_id, f.base_decode_time) for f in fragments] == [
        (len(head), 1, 0), (len(head) + len(frag1), 1, 30720)]
    assert not fmp4.has_mfra(path)
    path.write_bytes(data + fmp4.build_mfra(fragments))
    assert fmp4.has_mfra(path)
    mfra = fmp4.top_level_boxes(path)[-1]
    assert mfra.type == "mfra" and mfra.end == path.stat().st_size


def test_has_mfra_on_junk(tmp_path: Path) -> None:
    path = tmp_path / "junk"
    path.write_bytes(b"x" * 10)
    assert not fmp4.has_mfra(path)
    path.write_bytes(b"\0" * 64)
    assert not fmp4.has_mfra(path)
