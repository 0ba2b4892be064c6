"""Hardware encoders only after they really encode a frame; libx264 otherwise."""

from __future__ import annotations

import pytest

from capdesk.encode.encoders import (
    HARDWARE_CANDIDATES,
    EncoderSettings,
    EncoderUnavailable,
    choose_encoder,
    encoder_settings,
    probe_encoder,
)


def fake_prober(results: dict[str, str | None]):  # type: ignore[no-untyped-def]
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
