"""Models parsed from answers, and Cap's billing formula."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from capdesk.cap.errors import UnexpectedResponse
from capdesk.cap.models import (
    MAX_BILLED_SECONDS,
    CompletedPart,
    CreatedVideo,
    Usage,
    Video,
    VideoStatus,
    completion_cost,
)


def cap_formula(duration: float, total_bytes: int) -> int:
    """Cap's server: floor(max(min(duration, 4 h), totalBytes / 2.5 MB) / 60 * 5000)."""
    return math.floor(max(min(duration, 4 * 3600), total_bytes / 2_500_000) / 60 * 5000)


@pytest.mark.parametrize(
    ("duration", "total_bytes", "expected"),
    [
        (60, 0, 5000),
        (61.5, 0, 5125),
        (1, 0, 83),
        (0.01, 0, 0),
        (30, 2_500_000 * 90, 7500),  # the size counts when it is larger: 90 s worth
        (90, 2_500_000 * 30, 7500),  # the duration counts when it is larger
        (1, 10_000_000, 333),
        (600, 675_000_000, 50000),  # 10 min of ~9 Mbps 1080p30
        (4 * 3600, 0, 1_200_000),
        (5 * 3600, 0, 1_200_000),  # the duration is capped at 4 h
        (10 * 3600, 1_000_000, 1_200_000),
        (3600, 40_000_000_000, 1_333_333),  # the size term is not capped
    ],
)
def test_completion_cost_is_caps_formula(duration, total_bytes, expected):
    assert completion_cost(duration, total_bytes) == expected
    assert cap_formula(duration, total_bytes) == expected


def test_completion_cost_agrees_with_the_formula_everywhere():
    for duration in (0.5, 7, 59.99, 60, 119.5, 3599.9, MAX_BILLED_SECONDS - 0.1,
                     MAX_BILLED_SECONDS, MAX_BILLED_SECONDS + 1, 86400):
        for total in (0, 1, 2_499_999, 2_500_000, 123_456_789, 36_000_000_000,
                      36_000_000_001, 99_000_000_000):
            assert completion_cost(duration, total) == cap_formula(duration, total), (
                duration, total)


def test_created_video_parses():
    assert CreatedVideo.from_json(
        {"videoId": "v", "s3Key": "developer/a/v/video", "shareUrl": "https://cap.so/dev/v",
         "embedUrl": "https://cap.so/embed/v?sdk=1", "extra": 1}
    ) == CreatedVideo("v", "developer/a/v/video", "https://cap.so/dev/v",
                      "https://cap.so/embed/v?sdk=1")


def test_completed_part_to_json():
    assert CompletedPart(3, '"etag"', 99).to_json() == {"partNumber": 3, "etag": '"etag"',
                                                        "size": 99}


def test_video_ready_is_duration_and_width():
    base = {"id": "v"}
    assert not Video.from_json(base).ready
    assert not Video.from_json({**base, "duration": 3}).ready
    assert not Video.from_json({**base, "width": 640}).ready
    assert Video.from_json({**base, "duration": 3, "width": 640}).ready


def test_video_numbers_and_dates():
    video = Video.from_json({"id": "v", "duration": 10, "width": 1280.0, "fps": 29.97,
                             "createdAt": "2024-01-02T03:04:05+02:00", "metadata": [1]})
    assert video.duration == 10.0
    assert isinstance(video.duration, float)
    assert video.width == 1280
    assert isinstance(video.width, int)
    assert video.fps == 29.97
    assert video.created_at is not None
    assert video.created_at.utcoffset() == timedelta(hours=2)
    assert video.metadata is None  # not an object: dropped


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"id": None},
        {"id": 5},
        {"id": "v", "width": True},
        {"id": "v", "duration": False},
        {"id": "v", "duration": float("nan")},
        {"id": "v", "width": float("inf")},
        {"id": "v", "height": -float("inf")},
        {"id": "v", "updatedAt": "not a date"},
        {"id": "v", "deletedAt": 5},
        {"id": "v", "transcriptionStatus": 1},
        {"id": "v", "externalUserId": ["u"]},
    ],
)
def test_video_refuses_unusable_values(data):
    with pytest.raises(UnexpectedResponse):
        Video.from_json(data)


def test_video_status_parses_and_requires_ready():
    status = VideoStatus.from_json({"id": "v", "duration": 1, "width": 2, "height": 3,
                                    "transcriptionStatus": "NO_AUDIO", "ready": False})
    assert status == VideoStatus("v", 1.0, 2, 3, "NO_AUDIO", False)
    with pytest.raises(UnexpectedResponse):
        VideoStatus.from_json({"id": "v"})


def test_usage_parses_and_converts():
    usage = Usage.from_json({"balanceMicroCredits": 5000.0, "balanceDollars": 1,
                             "totalVideos": 2.0, "totalDurationMinutes": 3})
    assert usage == Usage(5000, 1.0, 2, 3.0)
    assert isinstance(usage.balance_micro_credits, int)
    assert isinstance(usage.balance_dollars, float)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), True, "5", None])
def test_usage_refuses_unusable_numbers(value):
    data = {"balanceMicroCredits": 1, "balanceDollars": 1, "totalVideos": value,
            "totalDurationMinutes": 1}
    with pytest.raises(UnexpectedResponse):
        Usage.from_json(data)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"recording": "abc", "n": 2}, {"recording": "abc", "n": 2}),
        ('{"recording": "abc", "n": 2}', {"recording": "abc", "n": 2}),  # a JSON string
        ("not json", None),
        ("[1, 2]", None),
        (None, None),
    ],
)
def test_video_metadata_as_object_or_json_string(raw, expected):
    assert Video.from_json({"id": "v", "metadata": raw}).metadata == expected
