"""Fixtures shared by the uploader tests: a private CAPDESK_HOME and an HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every file capdesk writes goes under ``tmp_path/home``; returns ``tmp_path``."""
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    return tmp_path


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A client with the uploader's timeouts (a short read timeout finds lost answers)."""
    with httpx.Client(timeout=httpx.Timeout(10.0, read=5.0)) as client:
        yield client
