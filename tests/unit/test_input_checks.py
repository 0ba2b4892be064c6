"""Bad input is refused with a clear message before anything starts: Cap's limits counted
as Cap counts them, argument checks, the video file check, and ``record --output``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from capdesk import exitcodes, settings
from capdesk.cap.errors import ConfigError
from capdesk.cap.limits import METADATA_MAX, check_metadata, cut_utf16, utf16_length
from capdesk.cli import build_parser
from capdesk.commands import record, validate
from capdesk.commands.output_file import OutputRefused, claim
from capdesk.engine.journal import UNFINISHED_STATES, Journal, State
from capdesk.media_probe import ProbeError, probe
from capdesk.upload.lock import lock_for
from tests.media import write_video

EMOJI = "\U0001f600"  # two UTF-16 code units


# --- names: cut by UTF-16 code units ---------------------------------------------------


def test_utf16_length_counts_like_javascript() -> None:
    assert utf16_length("") == 0
    assert utf16_length("abc") == 3
    assert utf16_length("é中") == 2
    assert utf16_length(EMOJI) == 2
    assert utf16_length(f"a{EMOJI}b") == 4


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("a" * 255, 255, "a" * 255),  # exactly at the limit: kept whole
        ("a" * 256, 255, "a" * 255),
        (EMOJI * 200, 255, EMOJI * 127),  # 254 units: the 128th emoji would make 256
        ("a" * 253 + EMOJI, 255, "a" * 253 + EMOJI),  # ends exactly on 255
        ("a" * 254 + EMOJI, 255, "a" * 254),  # the pair does not fit: not split
        ("Démo 中文 " + EMOJI * 3 + " fin", 11, "Démo 中文 " + EMOJI),  # a 2nd emoji needs 12
        ("Démo 中文 " + EMOJI * 3 + " fin", 12, "Démo 中文 " + EMOJI * 2),
        (EMOJI, 1, ""),
        ("abc", 0, ""),
        ("", 255, ""),
    ],
)
def test_cut_utf16(text: str, limit: int, expected: str) -> None:
    cut = cut_utf16(text, limit)
    assert cut == expected
    assert utf16_length(cut) <= limit
    cut.encode("utf-8")  # no lone surrogate left behind


def test_cut_utf16_is_the_longest_fitting_start() -> None:
    text = "".join(EMOJI if i % 3 == 0 else "x" for i in range(400))
    for limit in range(0, 300, 7):
        cut = cut_utf16(text, limit)
        assert text.startswith(cut) and utf16_length(cut) <= limit
        rest = text[len(cut):]
        assert not rest or utf16_length(cut + rest[0]) > limit


def _sent(cap_server: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(cap_server.requests[0].content)
    return body


def test_create_video_cuts_emoji_names_by_utf16_units(cap_server: Any, cap_sdk: Any,
                                                      cap_kit: Any) -> None:
    cap_server.on("POST", f"{cap_kit.SDK}/videos/create", cap_kit.reply(200, {
        "videoId": "abc", "s3Key": "k", "shareUrl": "https://s/abc", "embedUrl": "https://e"}))
    cap_sdk.create_video(name=EMOJI * 200, user_id="u" + EMOJI * 200)
    body = _sent(cap_server)
    assert body["name"] == EMOJI * 127 and utf16_length(body["name"]) == 254
    assert body["userId"] == "u" + EMOJI * 127 and utf16_length(body["userId"]) == 255


def test_create_video_sends_a_name_with_a_lone_surrogate(cap_server: Any, cap_sdk: Any,
                                                         cap_kit: Any) -> None:
    """A file name that is not valid UTF-8 reaches Python with a lone surrogate."""
    cap_server.on("POST", f"{cap_kit.SDK}/videos/create", cap_kit.reply(200, {
        "videoId": "abc", "s3Key": "k", "shareUrl": "https://s/abc", "embedUrl": "https://e"}))
    cap_sdk.create_video(name="clip\udcff")
    assert _sent(cap_server)["name"] == "clip\ufffd"


# --- --metadata: strict JSON, at most 8192 UTF-16 units of compact JSON -----------------


def _over(limit_units: int, char: str = "x") -> str:
    """An object whose compact JSON is exactly ``limit_units`` long: {"k":"xxx..."}."""
    inner = limit_units - len('{"k":""}')
    count = inner // utf16_length(char)
    return json.dumps({"k": char * count}, ensure_ascii=False)


@pytest.mark.parametrize("char", ["x", "é", EMOJI])
def test_metadata_exactly_at_the_limit_is_accepted(char: str) -> None:
    text = _over(METADATA_MAX, char)
    assert validate.metadata(text) == json.loads(text)


@pytest.mark.parametrize("char", ["x", "é"])
def test_metadata_one_over_the_limit_is_refused(char: str) -> None:
    text = json.dumps({"k": json.loads(_over(METADATA_MAX, char))["k"] + char},
                      ensure_ascii=False)
    with pytest.raises(argparse.ArgumentTypeError, match="8192"):
        validate.metadata(text)


def test_metadata_limit_counts_compact_json_not_the_spacing_typed() -> None:
    value = json.loads(_over(METADATA_MAX))
    assert validate.metadata(json.dumps(value, indent=8)) == value


@pytest.mark.parametrize(
    "text",
    ["NaN", '{"a": NaN}', '{"a": Infinity}', '{"a": [-Infinity]}', '{"a": 1e400}',
     "[1]", '"text"', "null", "{", "", '{"a": "\\ud800"}', '{"n": ' + "9" * 5000 + "}"],
)
def test_metadata_that_cap_cannot_take_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        validate.metadata(text)


def test_check_metadata_refuses_values_from_code_too() -> None:
    with pytest.raises(ValueError, match="strict JSON"):
        check_metadata({"a": float("nan")})
    with pytest.raises(ValueError, match="object"):
        check_metadata(["a"])


def _record_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capdesk")
    record.register(parser.add_subparsers(dest="command"))
    return parser


@pytest.mark.parametrize("metadata", ['{"a": NaN}', "Infinity", _over(METADATA_MAX + 1)])
def test_record_refuses_bad_metadata_before_recording(
    metadata: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        _record_parser().parse_args(["record", "--metadata", metadata])
    assert caught.value.code == exitcodes.USAGE
    assert "--metadata" in capsys.readouterr().err


def test_user_id_over_cap_limit_is_refused() -> None:
    assert validate.user_id("u" * 255) == "u" * 255
    with pytest.raises(argparse.ArgumentTypeError, match="255"):
        validate.user_id(EMOJI * 128)


# --- local argument checks -------------------------------------------------------------


@pytest.mark.parametrize("good", ["abc123def456ghj", "A-b_9", "x" * 64])
def test_video_ids_that_pass(good: str) -> None:
    assert validate.video_id(good) == good


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "a/b", "abc?x=1", "a#b", "%2e%2e", "..", "", "x" * 65, "a b",
            "ümlaut"],
)
def test_video_ids_that_could_change_the_request_path_are_refused(bad: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not a Cap video id"):
        validate.video_id(bad)


def test_a_key_given_as_a_video_id_is_refused_and_not_repeated() -> None:
    key = "csk_" + "a1" * 16
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        validate.video_id(key)
    assert key[4:] not in str(caught.value)


def test_usage_errors_never_repeat_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    key = "cpk_" + "b2" * 16
    with pytest.raises(SystemExit):
        build_parser().parse_args(["record", "--source", key])
    err = capsys.readouterr().err
    assert "--source" in err and key[4:] not in err


def test_region_may_start_with_a_dash() -> None:
    args = build_parser().parse_args(["record", "--region", "-1920,0,1920,1080"])
    assert args.region == (-1920, 0, 1920, 1080)


def test_config_values_that_are_not_numbers_name_the_setting() -> None:
    with pytest.raises(ValueError, match="fps must be a whole number"):
        settings.coerce("fps", "abc")
    with pytest.raises(ValueError, match="max-height must be a whole number"):
        settings.coerce("max_height", "1080p")
    assert settings.coerce("fps", "60") == 60


def test_missing_configuration_has_its_own_exit_code() -> None:
    error = ConfigError("no secret key is set")
    assert error.exit_code == exitcodes.NOT_CONFIGURED == 7
    assert "capdesk config set" in error.hint and "CAP_SECRET_KEY" in error.hint


# --- upload: only videos a browser plays -----------------------------------------------


def _make(path: Path, codec: str, pix_fmt: str = "yuv420p", frames: int = 10) -> Path:
    pictures = (np.full((48, 64, 3), i * 20, dtype=np.uint8) for i in range(frames))
    return write_video(path, pictures, fps=10, codec=codec, pix_fmt=pix_fmt)


def test_a_text_file_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("".join(f"line {i}: nothing to see here\n" for i in range(300)))
    with pytest.raises(ProbeError, match=r"notes\.txt is not a video: FFmpeg reads it as tty"):
        probe(text)


def test_random_bytes_are_not_a_video(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(7).bytes(50_000))
    with pytest.raises(ProbeError, match=r"junk\.mp4 is not a video"):
        probe(junk)


def test_an_h264_mp4_passes(tmp_path: Path) -> None:
    info = probe(_make(tmp_path / "clip.mp4", "libx264"))
    assert (info.width, info.height, info.content_type) == (64, 48, "video/mp4")
    assert info.duration_secs > 0


def test_h264_in_matroska_passes_with_its_own_type(tmp_path: Path) -> None:
    assert probe(_make(tmp_path / "clip.mkv", "libx264")).content_type == "video/x-matroska"


@pytest.mark.parametrize(
    ("name", "codec", "pix_fmt", "said"),
    [("old.mp4", "mpeg4", "yuv420p", "mpeg4 (MPEG-4 part 2)"),
     ("cam.avi", "mjpeg", "yuvj420p", "MJPEG")],
)
def test_video_browsers_do_not_play_is_refused(tmp_path: Path, name: str, codec: str,
                                               pix_fmt: str, said: str) -> None:
    path = _make(tmp_path / name, codec, pix_fmt)
    with pytest.raises(ProbeError) as caught:
        probe(path)
    message = str(caught.value)
    assert said in message and "browsers do not play" in message and "libx264" in message


# --- record --output: never over a file, nor one still uploading -----------------------


@pytest.fixture
def old_file(cap_home: Path, tmp_path: Path) -> Path:
    path = tmp_path / "take.mp4"
    path.write_bytes(b"the old recording")
    return path


def _journal(path: Path, state: str) -> Journal:
    journal = Journal.new(path, state=state, video_id="abc123")
    journal.save()
    return journal


def test_a_new_output_path_is_free(cap_home: Path, tmp_path: Path) -> None:
    claim(tmp_path / "new.mp4", overwrite=False)


def test_an_existing_output_needs_overwrite(old_file: Path) -> None:
    with pytest.raises(OutputRefused) as caught:
        claim(old_file, overwrite=False)
    assert str(old_file) in str(caught.value) and "--overwrite" in str(caught.value)
    assert old_file.read_bytes() == b"the old recording"


def test_overwrite_removes_the_old_file(old_file: Path) -> None:
    _journal(old_file, State.COMPLETE)  # a finished upload does not need the file
    claim(old_file, overwrite=True)
    assert not old_file.exists()


@pytest.mark.parametrize("state", sorted(UNFINISHED_STATES))
def test_overwrite_never_replaces_a_file_still_uploading(old_file: Path, state: str) -> None:
    _journal(old_file, state)
    with pytest.raises(OutputRefused, match="unfinished") as caught:
        claim(old_file, overwrite=True)
    assert str(old_file) in str(caught.value) and "capdesk resume" in str(caught.value)
    assert old_file.read_bytes() == b"the old recording"


def test_overwrite_sees_the_same_file_by_another_path(old_file: Path) -> None:
    _journal(old_file.parent / "." / old_file.name, State.NEEDS_CREDITS)
    link = old_file.parent / "link.mp4"
    link.symlink_to(old_file)
    with pytest.raises(OutputRefused):
        claim(link, overwrite=True)
    assert old_file.exists()


def test_overwrite_never_replaces_a_file_another_capdesk_holds(old_file: Path) -> None:
    lock = lock_for(_journal(old_file, State.COMPLETE))
    assert lock.acquire()
    try:
        with pytest.raises(OutputRefused, match="another capdesk"):
            claim(old_file, overwrite=True)
    finally:
        lock.release()
    assert old_file.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs")
def test_overwrite_never_removes_something_that_is_not_a_file(cap_home: Path,
                                                              tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputRefused, match="not a regular file"):
        claim(fifo, overwrite=True)
    assert fifo.exists()
