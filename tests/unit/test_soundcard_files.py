"""A soundcard package without its data file is a broken installation, said as such (not
"no sound server"), and doctor fails on it."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from capdesk.capture.audio import sources
from capdesk.capture.audio.sources import SOUNDCARD_HEADERS, SoundcardBroken


def header_name() -> str:
    name = next((h for p, h in SOUNDCARD_HEADERS.items() if sys.platform.startswith(p)), None)
    if name is None:
        pytest.skip(f"soundcard has no data file on {sys.platform}")
    return name


def test_the_installed_package_has_its_file() -> None:
    assert sources._soundcard_header() is None


def test_a_missing_file_is_a_broken_package(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.find_spec("soundcard")
    assert spec is not None and spec.submodule_search_locations
    copy = tmp_path / "soundcard"
    shutil.copytree(next(iter(spec.submodule_search_locations)), copy)
    (copy / header_name()).unlink()
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: SimpleNamespace(submodule_search_locations=[str(copy)]))
    with pytest.raises(SoundcardBroken, match="the soundcard package is broken") as caught:
        sources._soundcard()
    assert caught.value.missing_file.endswith(header_name())
