"""The camera bubble end to end, with the real worker process (QtMultimedia, offscreen) and,
as there is no camera on these machines, a small video file played as the camera: left
half red, right half blue. The recordings are decoded and their pixels checked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from capdesk.capture.camera.feed import CameraFeed
from capdesk.capture.kinds import SourceKind
from capdesk.capture.testcard import band_height, read_video_counters
from capdesk.capture.transforms.bubble import BUBBLE_LOG_ENV, BUBBLE_LOG_RECORD, BubblePlacement
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording
from tests.e2e.screen_check import read_frame_log
from tests.integration.cli_helpers import run_cli
from tests.media import clip_colour, clip_hue, later_keyframes, red_blue_clip

pytest.importorskip("PySide6.QtMultimedia")

RGB = npt.NDArray[np.uint8]
ROOT = Path(__file__).resolve().parents[2]
FPS = 30
Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s 320x240 camera stand-in: left half pure red, right half pure blue."""
    return red_blue_clip(tmp_path_factory.mktemp("camera") / "camera.mp4", fps=FPS)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    return tmp_path


def decode(path: Path | str) -> list[RGB]:
    with av.open(str(path)) as container:
        return [np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
                for frame in container.decode(video=0)]


def colour(pixel: npt.NDArray[np.float64]) -> str | None:
    """"red" or "blue" for the camera's colours, None for anything else. The test card's
    plain style has a blue ramp up to (90, 40, 200) with its red at 90 throughout, above
    the 60 that "blue" allows, so a blue of 160 is enough to tell the camera's and leaves
    room for H.264 on a busy machine (a bubble pixel came out (25, 0, 201) once)."""
    r, g, b = (float(v) for v in pixel)
    return clip_colour(r, g, b, least=160)


def hue(pixel: npt.NDArray[np.float64]) -> str | None:
    """The camera's colour by which channel leads (``clip_hue``: for starved keyframes)."""
    r, g, b = (float(v) for v in pixel)
    return clip_hue(r, g, b)


def reach(line: npt.NDArray[np.float64], start: int, step: int) -> int:
    """How far from ``start`` the camera's colour goes along ``line`` in direction ``step``:
    up to where it is half as strong as inside (the middle of the blurred edge). Which
    colour by which channel leads, as in a starved keyframe (``assert_bubble`` has checked
    the colour itself)."""
    name = hue(line[start])
    assert name is not None
    main = 0 if name == "red" else 2
    others = [c for c in range(3) if c != main]

    def strength(pixel: npt.NDArray[np.float64]) -> float:
        return float(pixel[main] - pixel[others].max())

    at = start
    while 0 <= at + step < len(line) and strength(line[at + step]) > 128:
        at += step
    return at


def bubble_box(frame: RGB, cx: int, cy: int, quarter: int) -> Box:
    """The camera picture's extent around (cx, cy): walking out from its left half to the
    left, from its right half to the right (the two halves meet in a blend of both), and
    up and down a column just left of the centre. Averaged over 5 lines, so that noise
    cannot pass for the camera's colours."""
    row = frame[cy - 2 : cy + 3].astype(np.float64).mean(axis=0)
    column = frame[:, cx - 8 : cx - 3].astype(np.float64).mean(axis=1)
    return (reach(row, cx - quarter, -1), reach(column, cy, -1),
            reach(row, cx + quarter, 1) + 1, reach(column, cy, 1) + 1)


def assert_bubble(frames: list[RGB], expected: Box, *, mirrored: bool = True,
                  starved: list[bool] | None = None) -> None:
    """The camera in a circle filling ``expected``, its halves mirrored, in each frame; its
    edges within 2 px of the expected ones (the median over the frames: on the noisy test
    card a starved encoder smears a frame's edge by a few pixels now and then). In a
    keyframe the bitrate cap starved (``starved``, per frame) the colours are told by which
    channel leads (``clip_hue``)."""
    left, top, right, bottom = expected
    cx, cy = (left + right) // 2, (top + bottom) // 2
    quarter = (right - left) // 4
    found = []
    for index, frame in enumerate(frames):
        tell = hue if starved and starved[index] else colour
        assert tell(frame[cy, cx - quarter]) == ("blue" if mirrored else "red"), index
        assert tell(frame[cy, cx + quarter]) == ("red" if mirrored else "blue"), index
        found.append(bubble_box(frame, cx, cy, quarter))
    median = np.median(np.array(found), axis=0)
    assert all(abs(a - b) <= 2 for a, b in zip(median, expected, strict=True)), (found, expected)


def no_camera_colours(frame: RGB, outside: Box | None) -> bool:
    """No 8x8 tile of the frame (outside ``outside``, the bubble's square) averages to the
    camera's colours: nothing of the bubble is drawn anywhere else."""
    height, width = (frame.shape[0] // 8) * 8, (frame.shape[1] // 8) * 8
    tiles = frame[:height, :width].reshape(height // 8, 8, width // 8, 8, 3).mean(axis=(1, 3))
    for ty in range(tiles.shape[0]):
        for tx in range(tiles.shape[1]):
            if outside is not None:
                left, top, right, bottom = outside
                if left - 8 < tx * 8 < right and top - 8 < ty * 8 < bottom:
                    continue
            if colour(tiles[ty, tx]) is not None:
                return False
    return True


def square_corners_untouched(frame: RGB, box: Box) -> bool:
    """The bubble's square's corners (outside the circle) show no camera colour."""
    left, top, right, bottom = box
    patches = [frame[y : y + 6, x : x + 6].reshape(-1, 3).mean(axis=0)
               for y in (top + 1, bottom - 7) for x in (left + 1, right - 7)]
    return all(colour(patch) is None for patch in patches)


def expected_box(width: int, height: int, center_x: float, center_y: float,
                 diameter: float) -> Box:
    side = round(diameter * height)
    left = round(center_x * width - side / 2)
    top = round(center_y * height - side / 2)
    return left, top, left + side, top + side


def corner_box(width: int, height: int, fraction: float = 0.25) -> Box:
    """Bottom-right, 4% of the height from both edges."""
    side = round(fraction * height)
    margin = 0.04 * height
    right, bottom = round(width - margin), round(height - margin)
    return right - side, bottom - side, right, bottom


def synthetic(tmp_path: Path, **changes: object) -> RecordingOptions:
    options = RecordingOptions(source=SourceKind.SYNTHETIC, region=(0, 0, 640, 360), fps=FPS,
                               synthetic_style="plain", seconds=2.0, upload=False,
                               encoder="software", output=tmp_path / "rec.mp4")
    return options.with_changes(**changes)


def running(feed: CameraFeed) -> bool:
    return feed.alive  # (a function: mypy would take a property asserted once as constant)


def wait_for_frames(recording: LocalRecording, count: int) -> None:
    deadline = time.monotonic() + 30
    while recording.frames < count:
        assert time.monotonic() < deadline, "the recording does not advance"
        assert recording.wait(0.02) is None, "the recording ended too early"


# -- the tests ---------------------------------------------------------------------------------
def test_record_with_camera_puts_the_mirrored_bubble_bottom_right(
        home: Path, clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = home / "bubble.mp4"
    run = run_cli(capsys, "record", "--source", "synthetic", "--seconds", "3", "--camera",
                  str(clip), "--no-upload", "--json", "--output", str(out))
    assert run.code == 0, run.err
    result = run.json()
    assert (result["width"], result["height"]) == (1280, 720)
    assert result["frames"] + result["droppedFrames"] == 3 * FPS
    assert "warning" not in run.err
    frames = decode(out)
    box = corner_box(1280, 720)  # 180 px: x 1071..1251, y 511..691
    picked = range(0, len(frames), 6)
    starved = later_keyframes(out)
    assert starved  # the 2 s keyframe is among the picked frames (60)
    assert_bubble([frames[i] for i in picked], box, starved=[i in starved for i in picked])
    for frame in frames[::15]:
        assert square_corners_untouched(frame, box)
        assert no_camera_colours(frame, box)
    # the rest of the card is intact: every frame's counter reads as its slot
    counters = read_video_counters(out)
    assert [c.counter for c in counters] == [round(c.time * FPS) for c in counters]
    assert band_height(720) < box[1]


def test_moving_the_bubble_mid_recording_moves_it_in_the_file(
        tmp_path: Path, clip: Path) -> None:
    recording = LocalRecording(synthetic(tmp_path, camera=str(clip)))
    recording.start()
    try:
        wait_for_frames(recording, 10)
        moved = BubblePlacement(center_x=0.25, center_y=0.45, diameter=0.3)
        recording.move_bubble(moved)
        result = recording.wait(60)  # the 2 s recording ends by itself
    finally:
        recording.stop(timeout=60)
    assert result is not None and result.stopped_reason == "seconds"
    assert not [note for note in result.notes if "camera" in note]
    frames = decode(result.file)
    first, last = frames[0], frames[-1]
    corner, there = corner_box(640, 360), expected_box(640, 360, 0.25, 0.45, 0.3)
    assert_bubble([first], corner)
    assert no_camera_colours(first, corner)
    assert_bubble([last], there)
    assert no_camera_colours(last, there)  # and no longer in the corner


def test_a_camera_unplugged_mid_recording_leaves_a_whole_recording_with_a_warning(
        tmp_path: Path, clip: Path) -> None:
    told: list[str] = []
    recording = LocalRecording(synthetic(tmp_path, camera=str(clip), seconds=3.0),
                               on_warning=told.append)
    recording.start()
    feed = recording.camera_feed
    assert feed is not None and feed.pid is not None and running(feed)
    wait_for_frames(recording, 20)
    os.kill(feed.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    result = recording.wait(60)
    assert result is not None and result.stopped_reason == "seconds" and result.error is None
    assert result.frames + result.dropped_frames == 3 * FPS and result.frames > 0
    assert not running(feed) and feed.error is not None and "killed" in feed.error
    said = [n for n in result.notes if n.startswith("the camera stopped")]
    assert len(said) == 1 and said[0].endswith("the recording goes on without the bubble")
    assert said == [w for w in recording.warnings if "camera" in w] == told
    frames = decode(result.file)
    assert_bubble(frames[:1], corner_box(640, 360))
    assert no_camera_colours(frames[-1], None)  # the bubble is gone after the unplug
    counters = read_video_counters(result.file)
    assert [c.counter for c in counters] == [round(c.time * FPS) for c in counters]


def test_source_camera_records_the_camera_full_frame(
        home: Path, clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = home / "camera.mp4"
    run = run_cli(capsys, "record", "--source", "camera", "--camera", str(clip), "--seconds",
                  "2", "--no-upload", "--json", "--output", str(out))
    assert run.code == 0, run.err
    result = run.json()
    assert (result["width"], result["height"]) == (320, 240)
    assert result["frames"] > 0
    for frame in decode(out)[:: FPS // 2]:
        assert frame.shape == (240, 320, 3)
        assert colour(frame[120, 60]) == "red" and colour(frame[120, 260]) == "blue"


def test_cameras_lists_none_here(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "cameras", "--json")
    assert run.code == 0, run.err
    cameras = run.json()
    if sys.platform.startswith("linux") and not list(Path("/dev").glob("video*")):
        assert cameras == []
    assert isinstance(cameras, list)
    # the bundled app starts its camera worker as `capdesk --camera-worker ...`
    worker = subprocess.run(
        [sys.executable, "-c", "import sys; from capdesk.cli import main; sys.exit(main())",
         "--camera-worker", "--list"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert worker.returncode == 0, worker.stderr
    assert json.loads(worker.stdout) == {"cameras": [
        {"id": c["id"], "name": c["name"], "isDefault": c["isDefault"]} for c in cameras]}


def test_a_camera_that_does_not_exist_is_a_warning_not_a_failure(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = home / "nocam.mp4"
    run = run_cli(capsys, "record", "--source", "synthetic", "--region", "0,0,640,360",
                  "--seconds", "1", "--camera", "No Such Camera", "--no-upload", "--json",
                  "--output", str(out))
    assert run.code == 0, run.err
    assert "warning: the camera could not be used (there is no camera named 'No Such Camera'" \
        in run.err
    assert "the recording goes on without the bubble" in run.err
    result = run.json()
    assert result["frames"] + result["droppedFrames"] == FPS
    assert no_camera_colours(decode(out)[-1], None)


def test_bubble_options_without_a_bubble_are_usage_errors(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "record", "--source", "synthetic", "--bubble-size", "large",
                  "--no-upload")
    assert run.code == 2 and "--bubble-size need --camera" in run.err
    run = run_cli(capsys, "record", "--source", "camera", "--no-mirror", "--no-upload")
    assert run.code == 2 and "--source camera records the camera full frame" in run.err


class SlowOverlay:
    """A transform that takes ``seconds`` per frame and draws nothing."""

    name = "slow overlay"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        return width, height

    def apply(self, image: RGB, slot: int) -> RGB:
        time.sleep(self.seconds)
        return image

    def close(self) -> None:
        pass


def test_the_bubble_log_tells_how_old_each_drawn_camera_picture_is(
        tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CAPDESK_BUBBLE_LOG: for each recorded frame, the camera frame drawn into it and when
    the worker received it, on the engine's clock (bench/bubble.py turns it into the lag)."""
    bubble_log = tmp_path / "bubble.log"
    monkeypatch.setenv(BUBBLE_LOG_ENV, str(bubble_log))
    # An encoder slower than the screen: frames wait in the queue while the camera moves on.
    recording = LocalRecording(synthetic(tmp_path, camera=str(clip), queue_frames=8,
                                         frame_log=tmp_path / "frames.log"),
                               transforms=[SlowOverlay(0.045)])
    recording.start()
    result = recording.wait(60)
    assert result is not None and result.stopped_reason == "seconds"
    data = bubble_log.read_bytes()
    records = [BUBBLE_LOG_RECORD.unpack_from(data, offset)
               for offset in range(0, len(data), BUBBLE_LOG_RECORD.size)]
    grabs = read_frame_log(tmp_path / "frames.log")
    assert len(records) == result.frames  # the bubble is in every frame written
    waited = [drawn - grabs[slot][1] for slot, _, _, drawn in records]
    assert max(waited) > 0.2  # frames did wait for the encoder
    assert [slot for slot, *_ in records] == sorted(grabs)[: len(records)]
    numbers = [number for _, number, _, _ in records]
    assert numbers == sorted(numbers) and numbers[-1] > numbers[0]  # a moving camera
    for slot, _number, received, drawn in records:
        grabbed, grab_done = grabs[slot]
        # One clock: the frame was drawn into after it was grabbed, and the camera picture
        # drawn into it was taken before that grab ended, never a newer one (the engine
        # takes it just before the grab); neither a stamp of 0 nor another clock passes.
        assert grabbed - 5 < received <= grab_done <= drawn < grabbed + 5
