"""Hardware encoders only after they really encode a frame; libx264 otherwise."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from capdesk.encode.encoders import (
    HARDWARE_CANDIDATES,
    EncoderChoice,
    EncoderSettings,
    EncoderUnavailable,
    choose_encoder,
    describe_conversion,
    encoder_settings,
    probe_encoder,
)


def fake_prober(results: dict[str, str | None]):
    tried: list[str] = []

    def probe(settings: EncoderSettings, width: int, height: int, fps: int) -> str | None:
        tried.append(settings.name)
        return results.get(settings.name, "not in this FFmpeg build")

    return probe, tried


def test_falls_back_to_libx264_and_says_why() -> None:
    probe, tried = fake_prober({
        "h264_nvenc": "cannot open (Operation not permitted)",
        "h264_qsv": "opened but failed to encode a frame (Invalid argument)",
        "libx264": None,
    })
    choice = choose_encoder(1920, 1080, 30, 9_000_000, prober=probe)
    assert choice.name == "libx264"
    assert tried == [*HARDWARE_CANDIDATES, "libx264"]
    assert "h264_nvenc: cannot open (Operation not permitted)" in choice.report
    assert any(line.startswith("h264_qsv: opened but failed") for line in choice.report)
    assert choice.report[-1].startswith("libx264: using the software encoder (no hardware")


def test_a_working_hardware_encoder_is_used() -> None:
    probe, tried = fake_prober({"h264_qsv": None, "libx264": None})
    choice = choose_encoder(1280, 720, 30, 4_000_000, prober=probe)
    assert choice.name == "h264_qsv" and choice.settings.hardware
    assert tried == ["h264_videotoolbox", "h264_nvenc", "h264_qsv"]


def test_software_preference_skips_hardware() -> None:
    probe, tried = fake_prober({"libx264": None})
    assert choose_encoder(640, 360, 30, 1, preference="software", prober=probe).name == "libx264"
    assert tried == ["libx264"]


def test_nothing_works() -> None:
    probe, _ = fake_prober({"libx264": "cannot open (broken)"})
    with pytest.raises(EncoderUnavailable, match="libx264: cannot open"):
        choose_encoder(640, 360, 30, 1, prober=probe)


def test_real_probe_here_falls_back_to_libx264() -> None:
    choice = choose_encoder(640, 360, 30, 1_000_000)
    assert choice.name == "libx264"
    tried = {line.split(":")[0] for line in choice.report}
    assert set(HARDWARE_CANDIDATES) <= tried  # each one was tried and reported


def test_real_probe_of_libx264_and_of_a_missing_encoder() -> None:
    assert probe_encoder(encoder_settings("libx264", 30, 1_000_000), 320, 240, 30) is None
    missing = probe_encoder(encoder_settings("h264_nosuchthing", 30, 1), 320, 240, 30)
    assert missing is not None and missing.startswith("not in this FFmpeg build")


def test_libx264_settings() -> None:
    settings = encoder_settings("libx264", 30, 9_331_200)
    assert settings.pix_fmt == "yuv420p"
    assert settings.options["preset"] == "ultrafast"
    assert settings.options["tune"] == "zerolatency"
    assert settings.options["maxrate"] == "9331200"
    assert settings.options["g"] == "60"


# -- hardware encoders used well (the GPUs cannot run here: the choice is tested with a
# fake prober, and the no-conversion path with libx264rgb, which also takes packed RGB) --


def test_probe_list_has_linux_board_and_vaapi_encoders() -> None:
    assert "h264_v4l2m2m" in HARDWARE_CANDIDATES
    assert HARDWARE_CANDIDATES[-1] == "h264_vaapi"


def test_nvenc_takes_the_captured_bgra_as_it_is() -> None:
    probe, _ = fake_prober({"h264_nvenc": None})
    choice = choose_encoder(1920, 1080, 30, 9_000_000, prober=probe)
    assert choice.name == "h264_nvenc"
    assert choice.settings.pix_fmt == "bgra" and choice.settings.takes_capture_as_is
    assert describe_conversion("bgra", (1920, 1080), (1920, 1080)) == \
        "none: BGRA straight to the encoder"
    # A capture taller than the output cap is still scaled, but never converted.
    assert describe_conversion("bgra", (2560, 1440), (1920, 1080)) == \
        "none: BGRA straight to the encoder, scaled 2560x1440 -> 1920x1080 (swscale)"
    for name in ("h264_qsv", "h264_v4l2m2m", "libx264"):
        assert not encoder_settings(name, 30, 9_000_000).takes_capture_as_is


def test_conversion_words() -> None:
    assert describe_conversion("yuv420p", (1920, 1080), (1920, 1080), 1) == \
        "BGRA -> yuv420p BT.709 (swscale, 1 thread, each 2x2 block's colour from one pixel)"
    # odd sides are cropped, not scaled
    assert describe_conversion("nv12", (1921, 1081), (1920, 1080), 0) == \
        "BGRA -> nv12 BT.709 (swscale, auto threads, each 2x2 block's colour from one pixel)"
    assert describe_conversion("yuv420p", (2560, 1440), (1920, 1080), 0) == \
        "BGRA -> yuv420p BT.709 (swscale, auto threads), scaled 2560x1440 -> 1920x1080"


def test_the_no_conversion_path_never_runs_the_cpu_converter(tmp_path: Path) -> None:
    from capdesk.encode.writer import Fmp4Writer

    settings = EncoderSettings("libx264rgb", "bgr0", {"preset": "ultrafast", "g": "60"},
                               hardware=False)
    writer = Fmp4Writer(tmp_path / "direct.mp4", src_width=64, src_height=48, fps=30,
                        choose=lambda *a, **k: EncoderChoice(settings, ["stand-in"]))

    class NoConverter:
        def reformat(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("the CPU converter ran on the no-conversion path")

    writer._reformatter = NoConverter()  # type: ignore[assignment]
    assert writer.conversion == "none: BGRA straight to the encoder"
    frame = np.zeros((48, 64, 4), dtype=np.uint8)
    frame[..., 2] = 200  # red in BGRA
    for slot in range(10):
        writer.write(frame, slot)
    result = writer.close(10)
    assert result.frames == 10
    with av.open(str(result.path)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    # Every frame reached the file and decodes (the stand-in's RGB output is tagged as
    # BT.709 YUV, which NVENC's output is, so its colours are not checked here).
    assert len(decoded) == 10 and all(f.shape == (48, 64, 3) for f in decoded)
    assert (decoded[0] == decoded[0][0, 0]).all()  # one uniform picture, as written
