"""The camera's frames without a camera: the pixel formats cameras deliver (planes with
padded strides) converted to BGRA and cropped, and the shared-memory block with its
seqlock."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pytest

from capdesk.capture.camera import protocol
from capdesk.capture.camera.convert import (
    PIXEL_FORMATS,
    FrameConverter,
    JpegDecoder,
    centred_square,
)
from capdesk.capture.camera.shared_frame import SharedFrame

Image = npt.NDArray[np.uint8]
WIDTH, HEIGHT, PAD = 64, 48, 16
# BT.601, limited range: what swscale assumes when the camera says nothing
YUV = {"red": (82, 90, 240), "blue": (41, 240, 110), "green": (145, 54, 34)}
BGRA = {"red": (0, 0, 255, 255), "blue": (255, 0, 0, 255), "green": (0, 255, 0, 255)}
# columns 0-7 green, 8-31 red, 32-55 blue, 56-63 green: the centred 48x48 square is 8-55
COLUMNS = ["green"] * 8 + ["red"] * 24 + ["blue"] * 24 + ["green"] * 8


def padded(rows: Image) -> Image:
    """Rows with PAD garbage bytes at the end of each, as a camera's strides have."""
    out = np.full((rows.shape[0], rows.shape[1] + PAD), 0xEE, dtype=np.uint8)
    out[:, : rows.shape[1]] = rows
    return out


def planes_for(pixel_format: str) -> list[Image]:
    ys = np.array([[YUV[c][0] for c in COLUMNS]] * HEIGHT, dtype=np.uint8)
    us = np.array([[YUV[c][1] for c in COLUMNS[::2]]] * (HEIGHT // 2), dtype=np.uint8)
    vs = np.array([[YUV[c][2] for c in COLUMNS[::2]]] * (HEIGHT // 2), dtype=np.uint8)
    if pixel_format == "YUV420P":
        return [padded(ys), padded(us), padded(vs)]
    if pixel_format == "YV12":
        return [padded(ys), padded(vs), padded(us)]
    if pixel_format in ("NV12", "NV21"):
        first, second = (us, vs) if pixel_format == "NV12" else (vs, us)
        return [padded(ys), padded(np.stack([first, second], axis=2).reshape(HEIGHT // 2, -1))]
    if pixel_format in ("YUYV", "UYVY"):
        u_full, v_full = np.repeat(us, 2, axis=0), np.repeat(vs, 2, axis=0)
        y0, y1 = ys[:, 0::2], ys[:, 1::2]
        order = (y0, u_full, y1, v_full) if pixel_format == "YUYV" else (u_full, y0, v_full, y1)
        return [padded(np.stack(order, axis=2).reshape(HEIGHT, -1))]
    bgra = np.array([[BGRA[c] for c in COLUMNS]] * HEIGHT, dtype=np.uint8)
    if pixel_format == "BGRA8888":
        return [padded(bgra.reshape(HEIGHT, -1))]
    if pixel_format == "RGBX8888":
        rgbx = bgra[..., [2, 1, 0, 3]].copy()
        rgbx[..., 3] = 0
        return [padded(rgbx.reshape(HEIGHT, -1))]
    raise AssertionError(pixel_format)


def close_to(pixel: Image, colour: str, tolerance: int = 12) -> bool:
    return bool(np.abs(pixel[:3].astype(int) - BGRA[colour][:3]).max() <= tolerance)


@pytest.mark.parametrize("pixel_format",
                         ["YUV420P", "YV12", "NV12", "NV21", "YUYV", "UYVY", "BGRA8888",
                          "RGBX8888"])
def test_camera_formats_become_the_centred_square_in_bgra(pixel_format: str) -> None:
    assert pixel_format in PIXEL_FORMATS
    image = FrameConverter(24).convert(pixel_format, WIDTH, HEIGHT, planes_for(pixel_format))
    assert image.shape == (24, 24, 4) and image.dtype == np.uint8
    for row in (2, 12, 21):
        assert close_to(image[row, 3], "red") and close_to(image[row, 8], "red"), image[row, 3]
        assert close_to(image[row, 15], "blue") and close_to(image[row, 20], "blue")
    assert not any(close_to(pixel, "green", 60) for pixel in image.reshape(-1, 4))


def jpeg_of_columns() -> bytes:
    """The columns picture as one JPEG frame, as a camera in MJPEG mode sends it."""
    import av

    rgb = np.array([[BGRA[c][2::-1] for c in COLUMNS]] * HEIGHT, dtype=np.uint8)
    encoder = av.CodecContext.create("mjpeg", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuvj422p"
    encoder.time_base = Fraction(1, 30)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuvj422p")
    frame.pts = 0
    return b"".join(bytes(packet) for packet in [*encoder.encode(frame), *encoder.encode(None)])


def test_jpeg_frames_are_decoded_then_converted_the_same_way() -> None:
    pixel_format, width, height, planes, colour_range = JpegDecoder().decode(jpeg_of_columns())
    assert (pixel_format, width, height, colour_range) == ("YUV422P", WIDTH, HEIGHT, "Full")
    image = FrameConverter(24).convert(pixel_format, width, height, planes,
                                       color_range=colour_range)
    assert close_to(image[12, 3], "red", 20) and close_to(image[12, 20], "blue", 20)
    assert not any(close_to(pixel, "green", 60) for pixel in image.reshape(-1, 4))
    with pytest.raises(ValueError, match="JPEG camera frame"):
        JpegDecoder().decode(b"not a jpeg")


def test_the_full_frame_keeps_the_camera_size_and_its_first_size() -> None:
    converter = FrameConverter(None)
    image = converter.convert("NV12", WIDTH, HEIGHT, planes_for("NV12"))
    assert image.shape == (HEIGHT, WIDTH, 4)
    assert close_to(image[10, 2], "green") and close_to(image[10, 20], "red")
    assert close_to(image[10, 40], "blue") and close_to(image[10, 61], "green")
    assert converter.output_size == (WIDTH, HEIGHT)
    half = np.ascontiguousarray(planes_for("BGRA8888")[0][: HEIGHT // 2, : WIDTH * 2])
    later = converter.convert("BGRA8888", WIDTH // 2, HEIGHT // 2, [half])
    assert later.shape == (HEIGHT, WIDTH, 4)  # a recording cannot change size mid-file


def test_centred_squares_start_on_even_pixels() -> None:
    assert centred_square(64, 48) == (8, 0, 48)
    assert centred_square(1920, 1080) == (420, 0, 1080)
    assert centred_square(641, 479) == (80, 0, 478)


def test_file_sources_are_told_from_camera_names(tmp_path) -> None:
    clip = tmp_path / "me.webm"
    clip.write_bytes(b"")
    assert protocol.is_file_source(str(clip))
    assert protocol.is_file_source("missing.mp4") and protocol.is_file_source("./cam")
    assert not protocol.is_file_source("default")
    assert not protocol.is_file_source("FaceTime HD Camera")
    assert not protocol.is_file_source("/dev/video0")


def test_the_shared_frame_hands_over_the_newest_frame_whole() -> None:
    block = SharedFrame.create(8, 6)
    try:
        assert block.read() is None  # no frame yet
        first = np.arange(6 * 8 * 4, dtype=np.uint8).reshape(6, 8, 4)
        assert block.write(first) == 1
        reader = SharedFrame.attach(block.name)
        try:
            number, image = reader.read() or (0, first[:0])
            assert number == 1 and np.array_equal(image, first)
            image[:] = 0  # a copy: the block is not changed
            second = np.full((3, 4, 4), 9, dtype=np.uint8)  # smaller frames fit too
            assert block.write(second) == 2
            out = np.empty((3, 4, 4), dtype=np.uint8)
            got = reader.read(out)
            assert got is not None and got[0] == 2 and got[1] is out and (out == 9).all()
            block._sequence[0] += 1  # type: ignore[index]  # a writer caught mid-frame
            assert reader.read() is None  # never a torn frame
        finally:
            reader.close()
        with pytest.raises(ValueError, match="does not fit"):
            block.write(np.zeros((7, 8, 4), dtype=np.uint8))
    finally:
        block.close()
    with pytest.raises(FileNotFoundError):
        SharedFrame.attach(block.name)  # the engine's close removed it


def test_the_shared_frame_says_when_the_worker_received_each_frame() -> None:
    """The stamp is the time the worker got the frame (given), or the time of writing; a
    reader in another process reads it with the frame, on the same clock."""
    block = SharedFrame.create(4, 4)
    reader = SharedFrame.attach(block.name)
    try:
        frame = np.zeros((4, 4, 4), dtype=np.uint8)
        block.write(frame, 1234.5)
        got = reader.read_stamped()
        assert got is not None and got[0] == 1 and got[2] == 1234.5
        before = time.monotonic()
        block.write(frame)
        got = reader.read_stamped()
        assert got is not None and got[0] == 2 and before <= got[2] <= time.monotonic()
    finally:
        reader.close()
        block.close()


def test_a_reader_never_gets_a_frame_the_writer_is_still_writing() -> None:
    block = SharedFrame.create(512, 512)
    reader = SharedFrame.attach(block.name)
    frames = [np.full((512, 512, 4), value, dtype=np.uint8) for value in (10, 200)]
    stop = threading.Event()

    def write() -> None:  # as the camera worker does, only faster
        count = 0
        while not stop.is_set():
            block.write(frames[count % 2])
            count += 1
            time.sleep(0.0005)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        images = [got[1] for got in (reader.read() for _ in range(1000)) if got is not None]
    finally:
        stop.set()
        writer.join()
        reader.close()
        block.close()
    assert len(images) > 100
    assert all(image.min() == image.max() for image in images)  # each one frame, whole
