"""A full disk mid-conversation: SQLite's own "database or disk is full" error, reached for real by
capping the file's page count (the same error a full filesystem gives), is reported once and never raised."""

from datetime import UTC, datetime
from pathlib import Path

from voice_guide.diary.recorder import DiaryRecorder
from voice_guide.diary.store import Diary


def test_full_disk_is_reported_once_and_the_conversation_goes_on(tmp_path: Path) -> None:
    diary = Diary.open(tmp_path / "diary.sqlite3")
    warnings: list[str] = []
    recorder = DiaryRecorder(diary, lambda: datetime(2026, 11, 25, 3, 0, tzinfo=UTC), on_warning=warnings.append)
    recorder.on_episode_start("cramp")
    pages = diary._conn.execute("PRAGMA page_count").fetchone()[0]
    diary._conn.execute(f"PRAGMA max_page_count = {pages}")  # no room for one more page
    for i in range(300):  # far more than fits in the pages left
        recorder.on_step(f"relief.step{i}-" + "x" * 500)
    recorder.on_end("better")
    assert recorder.degraded and len(warnings) == 1, warnings
    assert "full" in warnings[0].lower() or "disk" in warnings[0].lower(), warnings
    assert diary.integrity_check() == "ok"
    # What fitted before the disk filled is still there.
    assert diary.open_episodes() or diary.list()
