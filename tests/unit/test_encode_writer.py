"""The fragmented MP4 writer: layout, append-only durability, timing, salvage on ENOSPC."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import av
import pytest
from av.container import InputContainer

from capdesk.capture.testcard import TestCard, read_video_counters
from capdesk.encode import fmp4, spool
from capdesk.encode.writer import Fmp4Writer, WriteFailed

FPS = 30


def record(path: Path, slots: list[int], total: int | None = None, *, size=(320, 180),
           max_height: int = 1080, on_durable=None) -> Fmp4Writer:
    card = TestCard(*size)
    writer = Fmp4Writer(path, src_width=size[0], src_height=size[1], fps=FPS,
                        max_height=max_height, encoder="software", on_durable=on_durable)
    buffer = card.new_buffer()
    for slot in slots:
        writer.write(card.draw(slot, buffer), slot)
    if total is not None:
        writer.close(total)
    return writer


def frame_slots(path: Path) -> list[int]:
    return [round(f.time * FPS) for f in read_video_counters(path)]


def duration_secs(container: InputContainer) -> float:
    """The container's duration in seconds (PyAV gives microseconds, or None)."""
    assert container.duration is not None
    return container.duration / 1e6


def keyframe_slots(container: InputContainer) -> list[int]:
    """The slots of the video's keyframes, from its packets."""
    slots = []
    for packet in container.demux(container.streams.video[0]):
        if packet.is_keyframe:
            assert packet.pts is not None and packet.time_base is not None
            slots.append(round(float(packet.pts * packet.time_base) * FPS))
    return slots


def test_layout_index_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    writer = record(path, list(range(150)), 150)
    result = writer.result
    assert result is not None and result.has_index and result.frames == 150
    kinds = [b.type for b in fmp4.top_level_boxes(path)]
    assert kinds[:2] == ["ftyp", "moov"] and kinds[-1] == "mfra"
    assert kinds[2:-1] == ["moof", "mdat"] * 3  # a fragment per 2 s keyframe
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        assert (ctx.color_primaries, ctx.color_trc, ctx.colorspace) == (1, 1, 1)  # BT.709
        assert ctx.pix_fmt == "yuv420p" and (ctx.width, ctx.height) == (320, 180)
        assert duration_secs(container) == pytest.approx(5.0, abs=1e-3)
        keys = keyframe_slots(container)
    assert keys == [0, 60, 120]
    assert [f.counter for f in read_video_counters(path)] == list(range(150))


def test_dropped_slots_stay_gaps_and_duration_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "gaps.mp4"
    slots = [s for s in range(100) if s not in {5, 6, 7, 50, 98, 99}]
    writer = record(path, slots, 100)
    assert frame_slots(path) == slots
    frames = read_video_counters(path)
    assert [f.counter for f in frames] == slots  # each frame shows its own slot
    with av.open(str(path)) as container:
        assert duration_secs(container) == pytest.approx(100 / FPS, abs=1e-3)
        keys = keyframe_slots(container)
    assert keys == [0, 60]  # keyframes follow time, not frame count
    assert writer.result is not None and writer.result.duration_slots == 100


def test_append_only_and_durable_prefix_never_changes(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "d.mp4"
    snapshots: list[bytes] = []
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(os.fstat(fd).st_size)

    monkeypatch.setattr("capdesk.encode.spool.os.fsync", fsync)

    def on_durable(durable: int) -> None:
        assert synced and synced[-1] >= durable  # reported only after fsync
        snapshots.append(path.read_bytes()[:durable])

    record(path, list(range(200)), 200, on_durable=on_durable)
    sizes = [len(s) for s in snapshots]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)  # strictly growing
    assert len(sizes) >= 5  # header, 3 fragments (0, 2, 4 s), the end
    final = path.read_bytes()
    assert sizes[-1] == len(final)
    for prefix in snapshots:
        assert final.startswith(prefix)  # nothing before durable_bytes was rewritten
    # Each durable point is a box boundary: header, whole fragments.
    ends = {b.end for b in fmp4.top_level_boxes(path)}
    assert set(sizes) <= ends


def test_spool_refuses_to_seek(tmp_path: Path) -> None:
    spool_file = spool.SpoolFile(tmp_path / "s")
    assert not spool_file.seekable() and not hasattr(spool_file, "seek")
    spool_file.write(b"abc")
    assert spool_file.tell() == 3 and spool_file.durable_bytes == 0
    assert spool_file.commit() == 3 and spool_file.durable_bytes == 3
    assert spool_file.finish() == 3


def test_scaled_to_max_height_even_sides(tmp_path: Path) -> None:
    path = tmp_path / "s.mp4"
    writer = record(path, list(range(10)), 10, size=(640, 360), max_height=181)
    assert (writer.width, writer.height) == (320, 180)
    odd = tmp_path / "odd.mp4"
    writer = record(odd, list(range(10)), 10, size=(333, 201))
    assert (writer.width, writer.height) == (332, 200)
    assert [f.counter for f in read_video_counters(odd)] == list(range(10))


def test_disk_full_is_salvaged_up_to_the_last_fragment(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "full.mp4"
    budget = {"left": 0}
    real_write = os.write

    reserve = path.with_name(f".{path.name}.reserve")

    def write(fd: int, data: bytes) -> int:
        # A full disk, until the spool's reserve file is deleted and frees some room.
        if not reserve.exists():
            return real_write(fd, data)
        if budget["left"] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = real_write(fd, bytes(data)[: budget["left"]])
        budget["left"] -= n
        return n

    card = TestCard(320, 180)
    writer = Fmp4Writer(path, src_width=320, src_height=180, fps=FPS, encoder="software")
    buffer = card.new_buffer()
    for slot in range(130):  # fragments end at 2 s and 4 s
        writer.write(card.draw(slot, buffer), slot)
    durable_before = writer.durable_bytes
    assert reserve.exists()
    budget["left"] = 4000  # the next fragment starts but the disk fills half-way
    monkeypatch.setattr("capdesk.encode.spool.os.write", write)
    with pytest.raises(WriteFailed) as caught:
        for slot in range(130, 200):
            writer.write(card.draw(slot, buffer), slot)
    monkeypatch.setattr("capdesk.encode.spool.os.write", real_write)
    assert caught.value.disk_full
    assert not reserve.exists()
    result = writer.result
    assert result is not None and result.salvaged and result.has_index
    assert result.frames == 120 and result.duration_slots == 120
    assert path.stat().st_size == result.bytes > durable_before
    assert fmp4.has_mfra(path)
    frames = read_video_counters(path)
    assert [f.counter for f in frames] == list(range(120))
    with av.open(str(path)) as container:
        assert duration_secs(container) == pytest.approx(4.0, abs=0.05)


def test_the_file_starts_with_its_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "late.mp4"
    record(path, [2, 3, 5], 6)
    frames = read_video_counters(path)
    assert [round(f.time * FPS) for f in frames] == [0, 3, 5]
    assert [f.counter for f in frames] == [2, 3, 5]
    with av.open(str(path)) as container:
        assert duration_secs(container) == pytest.approx(6 / FPS, abs=1e-3)


def test_slots_must_increase(tmp_path: Path) -> None:
    writer = record(tmp_path / "x.mp4", [0, 1])
    with pytest.raises(ValueError):
        writer.write(TestCard(320, 180).draw(1), 1)
    writer.close(2)
