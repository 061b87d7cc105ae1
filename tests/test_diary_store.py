"""The diary store, the frequent rule and the recorder, on real SQLite files in temporary folders."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from voice_guide.diary import (
    Diary,
    DiaryError,
    DiaryMissing,
    DiaryRecorder,
    FrequentRule,
    default_path,
    is_frequent,
    night_of,
    open_recorder,
)
from voice_guide.diary.store import APPLICATION_ID, SCHEMA_VERSION
from voice_guide.errors import UserError

from .permissions import unprivileged

TZ = timezone(timedelta(hours=1))
T0 = datetime(2024, 3, 12, 3, 0, tzinfo=TZ)  # 03:00 on the 12th: the night of the 11th


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, second, tzinfo=TZ)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "voice-guide" / "diary.sqlite3"


class Clock:
    """A settable clock: no sleeps, every event at a known time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=10)
        return self.now


# ----- the file -----
def test_new_diary_is_private_wal_versioned(db: Path) -> None:
    with Diary.open(db) as d:
        assert d.schema_version == SCHEMA_VERSION
        d.start_episode("cramp", T0)
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            assert stat.S_IMODE(side.stat().st_mode) == 0o600
        assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()
    # No temporary files left behind by the atomic creation.
    assert sorted(p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_loose_permissions_are_tightened(db: Path) -> None:
    Diary.open(db).close()
    os.chmod(db, 0o644)
    Diary.open(db).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_default_path_follows_xdg() -> None:
    assert default_path({"XDG_DATA_HOME": "/x/data", "HOME": "/home/u"}) == Path("/x/data/voice-guide/diary.sqlite3")
    # A relative XDG_DATA_HOME is invalid per the spec and ignored.
    assert default_path({"XDG_DATA_HOME": "rel", "HOME": "/home/u"}) == Path(
        "/home/u/.local/share/voice-guide/diary.sqlite3")
    assert default_path({"HOME": "/home/u"}) == Path("/home/u/.local/share/voice-guide/diary.sqlite3")


def test_open_without_create_does_not_make_a_file(db: Path) -> None:
    with pytest.raises(DiaryMissing):
        Diary.open(db, create=False)
    with pytest.raises(DiaryMissing):
        Diary.open(db, readonly=True)
    assert not db.exists() and not db.parent.exists()


# ----- records -----
def test_episode_round_trip(db: Path) -> None:
    with Diary.open(db) as d:
        eid = d.start_episode("cramp", T0)
        d.add_step(eid, "relief.straighten", T0 + timedelta(seconds=1))
        d.add_step(eid, "relief.massage", T0 + timedelta(seconds=30))
        d.record_answer(eid, "question.emergency", False, T0 + timedelta(seconds=40))
        d.record_answer(eid, "question.redness", True, T0 + timedelta(seconds=50))
        d.record_escalation(eid, "provider", T0 + timedelta(seconds=51), conditional=True)
        d.record_escalation(eid, "provider", T0 + timedelta(seconds=52))
        d.set_leg(eid, "left")
        d.set_pain(eid, 8)
        assert [e.id for e in d.open_episodes()] == [eid]
        d.end_episode(eid, "escalated", "provider", at=T0 + timedelta(minutes=2))
        assert d.open_episodes() == []
    with Diary.open(db, readonly=True) as d:
        (e,) = d.list()
    assert (e.kind, e.started_at, e.ended_at, e.outcome, e.level, e.leg, e.pain) == (
        "cramp", T0, T0 + timedelta(minutes=2), "escalated", "provider", "left", 8)
    assert e.started_at.utcoffset() == timedelta(hours=1)  # the user's wall clock is kept
    assert [(s.key, s.at) for s in e.steps] == [("relief.straighten", T0 + timedelta(seconds=1)),
                                                ("relief.massage", T0 + timedelta(seconds=30))]
    assert [(a.question_key, a.yes) for a in e.answers] == [("question.emergency", False), ("question.redness", True)]
    assert [(x.level, x.conditional) for x in e.escalations] == [("provider", True), ("provider", False)]
    assert e.night() == date(2024, 3, 11)
    assert e.duration_seconds == 120


@pytest.mark.parametrize("call", [
    lambda d, i: d.start_episode("nap", T0),
    lambda d, i: d.start_episode("cramp", T0.replace(tzinfo=None)),
    lambda d, i: d.set_leg(i, "middle"),
    lambda d, i: d.set_pain(i, 11),
    lambda d, i: d.set_pain(i, -1),
    lambda d, i: d.set_pain(i, True),
    lambda d, i: d.end_episode(i, "fine", at=T0),
    lambda d, i: d.end_episode(i, "escalated", at=T0),
    lambda d, i: d.end_episode(i, "better", "provider", at=T0),
    lambda d, i: d.record_escalation(i, "police", T0),
    lambda d, i: d.add_step(i + 99, "relief.straighten", T0),
    lambda d, i: d.add_step(i, "", T0),
])
def test_invalid_values_are_refused(db: Path, call: object) -> None:
    with Diary.open(db) as d:
        eid = d.start_episode("cramp", T0)
        with pytest.raises(ValueError):
            call(d, eid)  # type: ignore[operator]
        (e,) = d.list()
        assert (e.leg, e.pain, e.outcome, e.steps, e.escalations) == (None, None, None, (), ())


def test_queries(db: Path) -> None:
    with Diary.open(db) as d:
        for when, kind in [(at(5, 2), "cramp"), (at(8, 23), "cramp"), (at(9, 4), "cramp"), (at(9, 21), "stretch"),
                           (at(11, 1), "cramp"), (at(12, 3), "check")]:
            d.end_episode(d.start_episode(kind, when), "done", at=when + timedelta(minutes=1))
        assert len(d.list()) == 6
        assert [e.started_at for e in d.list(since=at(9, 0), until=at(12, 0))] == [at(9, 4), at(9, 21), at(11, 1)]
        # Nights: 8th 23:00 and 9th 04:00 are both the night of the 8th.
        assert [e.started_at for e in d.list(nights=(date(2024, 3, 8), date(2024, 3, 8)))] == [at(8, 23), at(9, 4)]
        assert d.nights_with_episodes(date(2024, 3, 1), date(2024, 3, 31)) == {
            date(2024, 3, 4): 1, date(2024, 3, 8): 2, date(2024, 3, 10): 1}
        assert d.count_since(at(9, 0)) == 2  # cramps only: 9th 04:00 and 11th 01:00
        assert d.count_since(at(9, 0), kinds=("cramp", "stretch", "check")) == 4
        assert not d.is_frequent(at(12, 9))  # cramp nights in the last 7 (6th-11th window): 8th, 10th
        assert d.is_frequent(at(12, 9), FrequentRule(2, 7))
        assert d.is_frequent(at(12, 9), FrequentRule(3, 7)) is False
        assert d.is_frequent(at(12, 9), FrequentRule(3, 9))  # 4th, 8th, 10th


def test_delete_ranges_and_all(db: Path) -> None:
    with Diary.open(db) as d:
        for when in (at(10, 23), at(11, 3), at(11, 22), at(12, 3), at(13, 2)):
            eid = d.start_episode("cramp", when)
            d.add_step(eid, "relief.secret_marker_step", when)
            d.record_answer(eid, "question.redness", True, when)
        # Nights 10th..11th: 10th 23:00, 11th 03:00 (night 10), 11th 22:00, 12th 03:00 (night 11).
        assert d.delete(date(2024, 3, 11), date(2024, 3, 11)) == 2
        assert [e.started_at for e in d.list()] == [at(10, 23), at(11, 3), at(13, 2)]
        assert d.delete(None, date(2024, 3, 10)) == 2
        assert [e.started_at for e in d.list()] == [at(13, 2)]
        assert d.delete() == 1
        assert d.list() == []
        counts = [d._read(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("episodes", "steps", "answers")]
        assert counts == [0, 0, 0]
        assert d.integrity_check() == "ok"
        # secure_delete + WAL truncate: the deleted content is not left readable in the files, even while
        # the diary is still open (a clean close would checkpoint anyway; a killed process would not).
        for f in db.parent.iterdir():
            assert b"secret_marker_step" not in f.read_bytes(), f


# ----- migrations -----
V1_SCHEMA = """
CREATE TABLE episodes (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL,
    started_ts REAL NOT NULL, ended_at TEXT, ended_ts REAL, outcome TEXT, level TEXT);
CREATE INDEX episodes_started ON episodes(started_ts);
CREATE TABLE steps (id INTEGER PRIMARY KEY, episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
    key TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE answers (id INTEGER PRIMARY KEY, episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
    question_key TEXT NOT NULL, yes INTEGER NOT NULL CHECK (yes IN (0, 1)), at TEXT NOT NULL);
"""


def make_v1(path: Path) -> None:
    """A diary as version 1 of the schema wrote it (written out here, independent of the migration code)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO episodes VALUES (7, 'cramp', ?, ?, ?, ?, 'better', NULL)",
                 (T0.isoformat(), T0.timestamp(), (T0 + timedelta(minutes=3)).isoformat(),
                  (T0 + timedelta(minutes=3)).timestamp()))
    conn.execute("INSERT INTO steps (episode_id, key, at) VALUES (7, 'relief.straighten', ?)", (T0.isoformat(),))
    conn.execute("INSERT INTO answers (episode_id, question_key, yes, at) VALUES (7, 'question.warmth', 0, ?)",
                 (T0.isoformat(),))
    conn.commit()
    conn.close()


def test_migrates_version_1(db: Path) -> None:
    make_v1(db)
    with Diary.open(db) as d:
        assert d.schema_version == SCHEMA_VERSION == 2
        (e,) = d.list()
        assert (e.id, e.outcome, [s.key for s in e.steps], [(a.question_key, a.yes) for a in e.answers]) == (
            7, "better", ["relief.straighten"], [("question.warmth", False)])
        assert (e.leg, e.pain, e.escalations) == (None, None, ())
        d.set_leg(7, "right")
        d.set_pain(7, 4)
        d.record_escalation(7, "emergency", T0)
        with pytest.raises(ValueError):
            d.set_pain(7, 12)  # the new column's CHECK constraint came with the migration
        assert d.integrity_check() == "ok"
    with Diary.open(db) as d:
        (e,) = d.list()
        assert (e.leg, e.pain, [x.level for x in e.escalations]) == ("right", 4, ["emergency"])


def test_newer_schema_is_refused_untouched(db: Path) -> None:
    Diary.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = sha(db)
    with pytest.raises(DiaryError, match="newer voice-guide"):
        Diary.open(db)
    assert sha(db) == before


# ----- foreign and corrupt files: clear error, never written -----
def test_random_bytes_are_refused_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(8192))
    before = sha(db)
    with pytest.raises(DiaryError, match="not an SQLite database") as err:
        Diary.open(db)
    assert "\n" not in str(err.value) and isinstance(err.value, UserError)
    assert sha(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]  # no -wal/-shm/journal created either


def test_foreign_sqlite_database_is_refused_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = sha(db)
    with pytest.raises(DiaryError, match="another application"):
        Diary.open(db)
    with pytest.raises(DiaryError, match="another application"):
        Diary.open(db, readonly=True)
    assert sha(db) == before


def test_empty_file_is_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.touch()
    with pytest.raises(DiaryError, match="not a voice-guide diary"):
        Diary.open(db)
    assert db.stat().st_size == 0


def test_damaged_diary_is_refused_untouched(db: Path) -> None:
    with Diary.open(db) as d:
        for i in range(30):
            eid = d.start_episode("cramp", T0 + timedelta(days=i))
            d.add_step(eid, "relief.straighten", T0)
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page:] = os.urandom(len(data) - page)  # keep the header page, garble every table page
    db.write_bytes(bytes(data))
    before = sha(db)
    with pytest.raises(DiaryError, match="damaged"):
        Diary.open(db)
    assert sha(db) == before


def test_missing_table_is_refused(db: Path) -> None:
    Diary.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE escalations")
    conn.commit()
    conn.close()
    with pytest.raises(DiaryError, match="missing tables: escalations"):
        Diary.open(db)


# ----- two processes, and kill -9 -----
WRITER = r"""
import sys, time
from datetime import datetime, timezone
from pathlib import Path
from voice_guide.diary import Diary
path, tag, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
d = Diary.open(path)
print("ready", flush=True)
while not go.exists():
    pass  # spin: both writers start together, maximising contention
for i in range(n):
    t = datetime.now(timezone.utc)
    e = d.start_episode("cramp", t)
    d.add_step(e, f"{tag}.{i}", t)
d.close()
print("done", flush=True)
"""


def test_two_processes_writing_at_once(db: Path, tmp_path: Path) -> None:
    Diary.open(db).close()
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag, "200", str(go)],
                              stdout=subprocess.PIPE, text=True) for tag in ("a", "b")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    go.touch()
    for p in procs:
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 0 and out.strip() == "done"
    with Diary.open(db) as d:
        assert d.integrity_check() == "ok"
        episodes = d.list()
        keys = sorted(s.key for e in episodes for s in e.steps)
    assert len(episodes) == 400
    assert keys == sorted([f"a.{i}" for i in range(200)] + [f"b.{i}" for i in range(200)])
    assert all(len(e.steps) == 1 for e in episodes)


CREATOR = r"""
import sys
from datetime import datetime, timezone
from pathlib import Path
from voice_guide.diary import Diary
path, go = sys.argv[1], Path(sys.argv[2])
print("ready", flush=True)
while not go.exists():
    pass
with Diary.open(path) as d:
    d.start_episode("cramp", datetime.now(timezone.utc))
"""


def test_processes_creating_the_same_new_diary(db: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", CREATOR, str(db), str(go)], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    go.touch()
    for p in procs:
        p.communicate(timeout=60)
        assert p.returncode == 0
    with Diary.open(db) as d:
        assert len(d.list()) == 4 and d.integrity_check() == "ok"
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []


KILLED = r"""
import sys
from datetime import datetime, timedelta, timezone
from voice_guide.diary import Diary
d = Diary.open(sys.argv[1])
t = datetime(2024, 3, 12, 3, 0, tzinfo=timezone(timedelta(hours=1)))
e = d.start_episode("cramp", t)
d.set_leg(e, "left")
print("started", e, flush=True)
i = 0
while True:
    d.add_step(e, f"relief.step{i}", t + timedelta(seconds=i))
    print("step", i, flush=True)  # printed only after the step is committed
    i += 1
"""


@pytest.mark.parametrize("kill_after", [-1, 0, 40, 300])
def test_kill_9_mid_episode_loses_nothing_committed(db: Path, kill_after: int) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline().split()
    assert first[0] == "started"
    eid, last = int(first[1]), -1
    while last < kill_after:
        last = int(proc.stdout.readline().split()[1])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    # The child goes on committing while the lines above are read: the last step it reported is the last line it
    # wrote before the kill (a busy machine let it run 15 steps ahead of the reader).
    for line in proc.stdout.read().splitlines():
        word, _, number = line.partition(" ")
        if word == "step" and number.isdigit():  # a line cut short by the kill is not a report
            last = int(number)
    with Diary.open(db) as d:
        assert d.integrity_check() == "ok"
        e = d.get(eid)
        assert e is not None and e.ended_at is None and e.leg == "left"
        assert [o.id for o in d.open_episodes()] == [eid]
        keys = [s.key for s in e.steps]
    # Every step reported as committed is there, in order (the one in flight may or may not be).
    assert keys[: last + 1] == [f"relief.step{i}" for i in range(last + 1)]
    assert len(keys) in (last + 1, last + 2)


# ----- the frequent rule -----
@pytest.mark.parametrize(("when", "cutoff", "night"), [
    (at(12, 3), 12, date(2024, 3, 11)),     # 03:00 on the 12th -> night of the 11th
    (at(12, 0, 0), 12, date(2024, 3, 11)),  # midnight
    (at(12, 11, 59), 12, date(2024, 3, 11)),
    (at(12, 12, 0), 12, date(2024, 3, 12)),  # the cut-off itself starts the new night
    (at(12, 23, 59), 12, date(2024, 3, 12)),
    (at(12, 3), 0, date(2024, 3, 12)),      # cut-off 0: plain calendar dates
    (at(12, 5, 59), 6, date(2024, 3, 11)),
    (at(12, 6, 0), 6, date(2024, 3, 12)),
    # 13:00 at UTC+14 is 23:00 UTC on the 11th: the user's wall clock decides, so it is the 12th's night.
    (datetime(2024, 3, 12, 13, 0, tzinfo=timezone(timedelta(hours=14))), 12, date(2024, 3, 12)),
    (datetime(2024, 3, 12, 1, 30, tzinfo=timezone(timedelta(hours=-8))), 12, date(2024, 3, 11)),
])
def test_night_of(when: datetime, cutoff: int, night: date) -> None:
    assert night_of(when, cutoff) == night


def test_night_of_needs_aware_time() -> None:
    with pytest.raises(ValueError):
        night_of(datetime(2024, 3, 12, 3, 0))


NOW = at(15, 9)  # 09:00 on the 15th: the current night is the 14th; the last 7 nights are 8th..14th


@pytest.mark.parametrize(("starts", "rule", "expected"), [
    ([], FrequentRule(), False),
    ([at(d, 2) for d in (9, 10, 11, 12)], FrequentRule(), True),          # exactly 4 of 7
    ([at(d, 2) for d in (9, 10, 11)], FrequentRule(), False),              # 3 of 7
    ([at(9, 2), at(9, 4), at(9, 23), at(10, 3)], FrequentRule(), False),   # 4 episodes, 2 nights (8th, 9th)
    ([at(8, 13), at(9, 23), at(11, 1), at(15, 3)], FrequentRule(), True),  # window edges: 8th and 14th count
    ([at(8, 11), at(9, 23), at(11, 1), at(15, 3)], FrequentRule(), False),  # 8th 11:00 is night 7: outside
    ([at(9, 2), at(10, 2), at(11, 2), at(15, 10)], FrequentRule(), False),  # 15th 10:00 is after now
    ([at(9, 2), at(10, 2), at(11, 2), at(14, 20)], FrequentRule(), True),
    ([at(d, 2) for d in (9, 10, 11, 12)], FrequentRule(5, 7), False),
    ([at(d, 2) for d in (13, 14)], FrequentRule(2, 2), False),              # nights 12th, 13th; window 13th-14th
    ([at(d, 2) for d in (14, 15)], FrequentRule(2, 2), True),               # nights 13th, 14th
    ([at(d, 2) for d in (9, 10, 11, 12)], FrequentRule(4, 7, cutoff_hour=0), True),   # calendar days 9..12
    ([at(8, 2), at(9, 2), at(10, 2), at(11, 2)], FrequentRule(4, 7, cutoff_hour=0), False),  # 8th: out of 9..15
])
def test_frequent_rule_table(starts: list[datetime], rule: FrequentRule, expected: bool) -> None:
    assert is_frequent(starts, NOW, rule) is expected


def test_frequent_rule_parse_and_limits() -> None:
    assert FrequentRule.parse("3/5") == FrequentRule(3, 5)
    assert FrequentRule.parse(" 4 / 7 ", cutoff_hour=6) == FrequentRule(4, 7, 6)
    assert "4 of the last 7 nights" in FrequentRule().describe()
    for bad in ("8/7", "0/7", "x", "4-7", "4/0"):
        with pytest.raises(UserError):
            FrequentRule.parse(bad)
    with pytest.raises(UserError):
        FrequentRule(4, 7, cutoff_hour=24)


# ----- the recorder -----
def test_recorder_records_a_night(db: Path) -> None:
    clock = Clock(datetime(2024, 3, 12, 2, 59, 50, tzinfo=TZ))  # ticks 10 s per reading: the first event is at 03:00:00
    warnings: list[str] = []
    rec = open_recorder(db, clock, on_warning=warnings.append)
    rec.on_episode_start("cramp")
    rec.on_episode_start("cramp")  # "I have a cramp" again mid-relief: same episode
    rec.on_step("relief.straighten")
    rec.on_leg("right")
    rec.on_pain(6)
    rec.on_episode_start("check")  # "is this serious?" during the cramp: joins it
    rec.on_answer("question.emergency", False)
    rec.on_escalate("provider", conditional=True)  # uncertain: said conditionally, episode goes on
    rec.on_answer("question.redness", True)
    rec.on_escalate("provider")
    rec.on_step("ignored.after_end")  # no open episode: nothing recorded, no error
    rec.on_escalate("emergency")  # "chest pain" from idle: its own check episode
    rec.on_episode_start("stretch")
    rec.on_step("stretch.intro")
    rec.on_episode_start("cramp")  # a cramp during the stretch: the stretch is interrupted
    rec.on_end("better")
    rec.on_episode_start("cramp")
    rec.close()
    assert warnings == [] and not rec.degraded
    with Diary.open(db) as d:
        cramp, sos, stretch, cramp2, open_one = d.list()
    assert (cramp.kind, cramp.leg, cramp.pain, cramp.outcome, cramp.level) == ("cramp", "right", 6, "escalated",
                                                                              "provider")
    assert [s.key for s in cramp.steps] == ["relief.straighten"]
    assert [(a.question_key, a.yes) for a in cramp.answers] == [("question.emergency", False),
                                                                ("question.redness", True)]
    assert [(x.level, x.conditional) for x in cramp.escalations] == [("provider", True), ("provider", False)]
    assert (sos.kind, sos.outcome, sos.level, [x.level for x in sos.escalations]) == (
        "check", "escalated", "emergency", ["emergency"])
    assert (stretch.kind, stretch.outcome, [s.key for s in stretch.steps]) == ("stretch", "interrupted",
                                                                                ["stretch.intro"])
    assert (cramp2.kind, cramp2.outcome) == ("cramp", "better")
    assert (open_one.outcome, open_one.ended_at is not None) == ("unfinished", True)
    assert cramp.started_at == at(12, 3, 0)  # the injected clock, not the wall clock


def test_recorder_disk_full_warns_once_and_goes_on(db: Path) -> None:
    warnings: list[str] = []
    diary = Diary.open(db)
    rec = DiaryRecorder(diary, Clock(T0), on_warning=warnings.append)
    rec.on_episode_start("cramp")
    assert rec.episode_id is not None
    pages = diary._conn.execute("PRAGMA page_count").fetchone()[0]
    diary._conn.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: SQLITE_FULL, as on a full disk
    for i in range(300):
        rec.on_step(f"relief.step{i}")
        rec.on_answer("question.redness", False)
    rec.on_pain(5)
    rec.on_end("better")
    assert rec.degraded and rec.failures > 1
    assert len(warnings) == 1 and warnings == rec.warnings
    assert "disk is full" in warnings[0] and "conversation goes on" in warnings[0]
    rec.close()
    with Diary.open(db) as d:
        assert d.integrity_check() == "ok"
        (e,) = d.list()
        assert e.steps  # what fitted before the disk filled is kept


def test_recorder_without_a_diary_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    warnings: list[str] = []
    rec = open_recorder(blocker / "voice-guide" / "diary.sqlite3", Clock(T0), on_warning=warnings.append)
    assert rec.degraded and len(warnings) == 1 and "will not be recorded" in warnings[0]
    rec.on_episode_start("cramp")
    rec.on_step("relief.straighten")
    rec.on_answer("question.redness", True)
    rec.on_escalate("provider")
    rec.on_leg("left")
    rec.on_pain(3)
    rec.on_end("better")
    rec.close()
    assert len(warnings) == 1


def test_recorder_on_a_corrupt_file_leaves_it_alone(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(4096))
    before = sha(db)
    rec = open_recorder(db, Clock(T0))
    rec.on_episode_start("cramp")
    rec.on_end("better")
    assert rec.degraded and "not a voice-guide diary" in rec.warnings[0]
    assert sha(db) == before


def test_recorder_swallows_bad_values_and_a_broken_sink(db: Path) -> None:
    def sink(message: str) -> None:
        raise RuntimeError("the speaker fell off the table")

    rec = open_recorder(db, Clock(T0), on_warning=sink)
    rec.on_episode_start("cramp")
    rec.on_leg("middle")
    rec.on_pain(42)
    rec.on_episode_start("nap")
    rec.on_end("better")
    assert rec.degraded and len(rec.warnings) == 1 and "which leg" in rec.warnings[0]
    rec.close()


READ_ONLY_RECORDER = r"""
import json, sys
from datetime import datetime, timedelta, timezone
from voice_guide.diary import open_recorder
t = [datetime(2024, 3, 12, 3, 0, tzinfo=timezone.utc)]
def clock():
    t[0] += timedelta(seconds=5)
    return t[0]
rec = open_recorder(sys.argv[1], clock)
rec.on_episode_start("cramp"); rec.on_step("relief.straighten"); rec.on_pain(4); rec.on_escalate("provider")
rec.close()
print(json.dumps({"degraded": rec.degraded, "warnings": rec.warnings}))
"""


def test_recorder_in_a_read_only_folder_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "voice-guide"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = subprocess.run([*unprivileged(), sys.executable, "-c", READ_ONLY_RECORDER,
                              str(folder / "diary.sqlite3")], capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["degraded"] is True and len(result["warnings"]) == 1
    assert "read-only" in result["warnings"][0] and "will not be recorded" in result["warnings"][0]
    assert list(folder.iterdir()) == []
