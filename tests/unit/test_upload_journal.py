import json
from pathlib import Path

import pytest

from capdesk.engine import journal as journals
from capdesk.engine.journal import Journal, State


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path))
    return tmp_path


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    journal = Journal.new(tmp_path / "a.mp4", name="demo", metadata={"k": 1})
    journal.update(video_id="v1", upload_id="u1", share_url="https://x/dev/v1")
    part = journal.plan_part(0, 5)
    journal.confirm(part, '"etag-1"')
    journal.plan_part(5, 7)
    assert journal.path is not None
    loaded = journals.load(journal.path)
    assert loaded.to_json() == journal.to_json()
    assert [p.etag for p in loaded.parts] == ['"etag-1"', None]
    assert loaded.planned_end() == 12
    assert loaded.confirmed_bytes() == 5
    assert [p.number for p in loaded.unconfirmed()] == [2]


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    journal = Journal.new(tmp_path / "a.mp4")
    for i in range(20):
        journal.plan_part(i * 10, 10)
    assert journal.path is not None
    siblings = list(journal.path.parent.iterdir())
    assert siblings == [journal.path]
    assert len(json.loads(journal.path.read_text())["parts"]) == 20


def test_all_journals_newest_first_and_skips_garbage(tmp_path: Path) -> None:
    old = Journal.new(tmp_path / "old.mp4", created_at=1.0)
    old.save()
    new = Journal.new(tmp_path / "new.mp4", created_at=2.0, state=State.COMPLETE)
    new.save()
    assert new.path is not None
    (new.path.parent / "broken.json").write_text("{not json")
    found = journals.all_journals()
    assert [j.id for j in found] == [new.id, old.id]
