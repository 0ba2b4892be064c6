"""The camera bubble transform on synthetic frames, with a fake camera feed: the camera's
pixels exactly inside the shape (mirrored by default), nothing touched outside it, the
rounded square, moving it, and a camera that dies mid-recording."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
import pytest

from capdesk.capture.transforms import TransformChain
from capdesk.capture.transforms.bubble import (
    BUBBLE_SIZES,
    DEFAULT_PLACEMENT,
    BubblePlacement,
    BubbleTransform,
    corner_placement,
)
from capdesk.capture.transforms.bubble_shape import pixel_box

Image = npt.NDArray[np.uint8]
RED, BLUE, GREEN = (0, 0, 255, 255), (255, 0, 0, 255), (0, 255, 0, 255)  # BGRA
WIDTH, HEIGHT = 200, 100
# centre (100, 50), 60 px across: the square is x 70..129, y 20..79
CENTRE = BubblePlacement(center_x=0.5, center_y=0.5, diameter=0.6)
X0, Y0, SIDE = 70, 20, 60


class FakeFeed:
    """What BubbleTransform reads of a CameraFeed: latest_stamped(), frame_number, alive,
    error."""

    def __init__(self, image: Image | None) -> None:
        self.image = image
        self.number = 1
        self.alive = True
        self.error: str | None = None
        self.reads = 0

    def latest_stamped(self) -> tuple[int, Image, float] | None:
        self.reads += 1
        return None if self.image is None else (self.number, self.image.copy(), 0.0)

    @property
    def frame_number(self) -> int:
        return self.number if self.image is not None else 0


def screen() -> Image:
    """A frame whose every pixel is different and known: B = x, G = y, R = 7, A = 255."""
    image = np.empty((HEIGHT, WIDTH, 4), dtype=np.uint8)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    image[..., 0], image[..., 1], image[..., 2], image[..., 3] = xs, ys, 7, 255
    return image


def gradient_camera(side: int = SIDE) -> Image:
    """A camera picture whose pixels say where they are: B = 3x, G = 2y + 1, R = 200."""
    image = np.empty((side, side, 4), dtype=np.uint8)
    ys, xs = np.mgrid[0:side, 0:side]
    image[..., 0], image[..., 1], image[..., 2], image[..., 3] = 3 * xs, 2 * ys + 1, 200, 255
    return image


def halves_camera(width: int, height: int) -> Image:
    """Left half red, right half blue, as the camera sees it."""
    image = np.empty((height, width, 4), dtype=np.uint8)
    image[:, : width // 2] = RED
    image[:, width // 2 :] = BLUE
    return image


def distances(side: int = SIDE) -> npt.NDArray[np.float64]:
    """Distance of each pixel centre of the square from the circle's centre."""
    centres = np.arange(side) + 0.5 - side / 2
    return np.asarray(np.hypot(centres[None, :], centres[:, None]), dtype=np.float64)


def apply(transform: BubbleTransform, image: Image, slot: int = 0) -> Image:
    transform.output_size(image.shape[1], image.shape[0])
    return transform.apply(image, slot)


def test_the_circle_holds_the_mirrored_camera_and_nothing_else_changes() -> None:
    camera = gradient_camera()
    before = screen()
    out = apply(BubbleTransform(FakeFeed(camera), CENTRE), before.copy())
    assert out.shape == before.shape
    inside = distances() <= SIDE / 2 - 0.5  # fully covered pixels
    outside = distances() >= SIDE / 2 + 0.5  # not covered at all
    box, was = out[Y0 : Y0 + SIDE, X0 : X0 + SIDE], before[Y0 : Y0 + SIDE, X0 : X0 + SIDE]
    mirrored = camera[:, ::-1]
    assert np.array_equal(box[inside], mirrored[inside])  # exact camera pixels, mirrored
    assert not np.array_equal(box[inside], camera[inside])
    assert np.array_equal(box[outside], was[outside])  # the square's corners are untouched
    assert np.array_equal(box[0, 0], was[0, 0]) and np.array_equal(box[-1, -1], was[-1, -1])
    edge = ~inside & ~outside  # blended: between the screen and the camera, per channel
    low = np.minimum(mirrored[edge], was[edge])
    high = np.maximum(mirrored[edge], was[edge])
    assert ((box[edge] >= low) & (box[edge] <= high)).all()
    assert edge.sum() > 100  # a whole ring of anti-aliased pixels
    rest = np.ones((HEIGHT, WIDTH), dtype=bool)
    rest[Y0 : Y0 + SIDE, X0 : X0 + SIDE] = False
    assert np.array_equal(out[rest], before[rest])  # outside the square: untouched


def test_a_left_red_right_blue_camera_shows_blue_on_the_left_of_the_bubble() -> None:
    feed = FakeFeed(halves_camera(480, 480))  # scaled down to 60 px, then mirrored
    out = apply(BubbleTransform(feed, CENTRE), screen())
    assert tuple(out[50, X0 + 10]) == BLUE and tuple(out[50, X0 + SIDE - 11]) == RED
    unmirrored = BubbleTransform(feed, BubblePlacement(0.5, 0.5, 0.6, mirror=False))
    out = apply(unmirrored, screen())
    assert tuple(out[50, X0 + 10]) == RED and tuple(out[50, X0 + SIDE - 11]) == BLUE


def test_a_wide_camera_is_cropped_to_its_centred_square() -> None:
    camera = np.empty((240, 320, 4), dtype=np.uint8)
    camera[:] = GREEN  # the 40-column strips each side are cropped away
    camera[:, 40:160] = RED
    camera[:, 160:280] = BLUE
    out = apply(BubbleTransform(FakeFeed(camera), CENTRE), screen())
    box = out[Y0 : Y0 + SIDE, X0 : X0 + SIDE][distances() <= SIDE / 2 - 0.5]
    colours = {tuple(pixel) for pixel in box}
    assert colours == {RED, BLUE}


def test_the_rounded_square_covers_what_a_circle_leaves_out_but_not_its_corners() -> None:
    camera = gradient_camera()
    rounded = BubblePlacement(0.5, 0.5, 0.6, shape="rounded")
    before = screen()
    out = apply(BubbleTransform(FakeFeed(camera), rounded), before.copy())
    box, was = out[Y0 : Y0 + SIDE, X0 : X0 + SIDE], before[Y0 : Y0 + SIDE, X0 : X0 + SIDE]
    mirrored = camera[:, ::-1]
    assert np.array_equal(box[5, 5], mirrored[5, 5])  # outside a circle, inside the shape
    assert np.array_equal(box[0, SIDE // 2], mirrored[0, SIDE // 2])  # its flat sides
    assert np.array_equal(box[SIDE // 2, 0], mirrored[SIDE // 2, 0])
    for y, x in ((0, 0), (0, SIDE - 1), (SIDE - 1, 0), (SIDE - 1, SIDE - 1)):
        assert np.array_equal(box[y, x], was[y, x])  # the rounded corners
    circle = apply(BubbleTransform(FakeFeed(camera), CENTRE), before.copy())
    assert np.array_equal(circle[Y0 + 5, X0 + 5], before[Y0 + 5, X0 + 5])


def test_move_takes_effect_at_the_next_frame_from_any_thread() -> None:
    feed = FakeFeed(halves_camera(SIDE, SIDE))
    bubble = BubbleTransform(feed, CENTRE)
    first = apply(bubble, screen())
    assert tuple(first[50, 100 - 20]) == BLUE
    corner = BubblePlacement(center_x=0.15, center_y=0.3, diameter=0.6)  # x 0..59, y 0..59
    mover = threading.Thread(target=bubble.move, args=(corner,))
    mover.start()
    mover.join()
    assert bubble.placement == corner
    before = screen()
    moved = bubble.apply(before.copy(), 1)
    assert tuple(moved[30, 10]) == BLUE and tuple(moved[30, 49]) == RED
    assert np.array_equal(moved[:, 70:], before[:, 70:])  # gone from where it was
    assert pixel_box(0.15, 0.3, 0.6, WIDTH, HEIGHT) == (0, 0, SIDE)  # kept inside the frame
    with pytest.raises(TypeError):
        bubble.move((0.5, 0.5, 0.2))  # type: ignore[arg-type]


def test_each_frame_shows_the_camera_of_the_moment_its_screen_was_grabbed() -> None:
    """Frames wait in the encoder's queue while the camera moves on: each is drawn with the
    picture taken just before its grab, not the newer one there when it is encoded."""
    feed = FakeFeed(np.full((SIDE, SIDE, 4), RED, dtype=np.uint8))
    bubble = BubbleTransform(feed, CENTRE)
    bubble.output_size(WIDTH, HEIGHT)
    bubble.grabbing(5)  # the capture thread, slot 5: the camera shows red
    reads = feed.reads
    bubble.grabbing(6)  # the same camera frame: not copied again
    assert feed.reads == reads
    feed.image, feed.number = np.full((SIDE, SIDE, 4), BLUE, dtype=np.uint8), 2
    bubble.grabbing(7)  # now blue
    centre = (Y0 + SIDE // 2, X0 + SIDE // 2)
    assert tuple(bubble.apply(screen(), 5)[centre]) == RED  # encoded after the change
    assert tuple(bubble.apply(screen(), 7)[centre]) == BLUE  # slot 6 was dropped
    assert not bubble._moments  # nothing kept for the skipped slot
    assert tuple(bubble.apply(screen(), 8)[centre]) == BLUE  # not grabbed: the newest


def test_a_dead_feed_leaves_frames_untouched_and_warns_once() -> None:
    feed = FakeFeed(halves_camera(SIDE, SIDE))
    warnings: list[str] = []
    bubble = BubbleTransform(feed, CENTRE, on_warning=warnings.append)
    drawn = apply(bubble, screen())
    assert tuple(drawn[50, 80]) == BLUE
    feed.alive, feed.error = False, "the camera 'Cam' was unplugged"
    for slot in range(1, 5):
        before = screen()
        assert np.array_equal(bubble.apply(before.copy(), slot), before)
    feed.alive = True  # whatever it says now: the bubble stays off
    assert np.array_equal(bubble.apply(screen(), 5), screen())
    assert warnings == ["the camera stopped (the camera 'Cam' was unplugged): "
                        "the recording goes on without the bubble"]


def test_nothing_is_drawn_before_the_first_camera_frame() -> None:
    before = screen()
    assert np.array_equal(apply(BubbleTransform(FakeFeed(None), CENTRE), before.copy()), before)


def test_the_bubble_makes_the_chain_impure() -> None:
    chain = TransformChain([BubbleTransform(FakeFeed(None))])
    assert not chain.pure and chain.names == ["camera bubble"]
    assert chain.output_size(WIDTH, HEIGHT) == (WIDTH, HEIGHT)


def test_corner_placements_keep_the_same_margin_on_both_edges() -> None:
    assert corner_placement("bottom-right", "medium") == DEFAULT_PLACEMENT
    assert DEFAULT_PLACEMENT.mirror and DEFAULT_PLACEMENT.shape == "circle"
    for width, height in ((1920, 1080), (1440, 900), (1024, 768)):
        for corner in ("bottom-right", "bottom-left", "top-right", "top-left"):
            for size, fraction in BUBBLE_SIZES.items():
                place = corner_placement(corner, size, aspect=width / height)
                x, y, side = pixel_box(place.center_x, place.center_y, place.diameter,
                                       width, height)
                assert side == round(fraction * height)
                horizontal = x if corner.endswith("left") else width - x - side
                vertical = y if corner.startswith("top") else height - y - side
                assert abs(horizontal - 0.04 * height) <= 1, (width, corner, size)
                assert abs(vertical - 0.04 * height) <= 1, (width, corner, size)


@pytest.mark.parametrize("bad", [
    {"center_x": 1.5, "center_y": 0.5, "diameter": 0.2},
    {"center_x": 0.5, "center_y": 0.5, "diameter": 0.0},
    {"center_x": 0.5, "center_y": 0.5, "diameter": 0.2, "shape": "star"},
])
def test_a_placement_out_of_range_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BubblePlacement(**bad)  # type: ignore[arg-type]
