"""The cramp diary: episodes and their events in one SQLite file (WAL, 0600, versioned schema, never clobbered)."""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import UserError
from .frequency import NIGHT_CUTOFF_HOUR, FrequentRule, night_of, nights_in_window

APPLICATION_ID = 0x56474459
"""``PRAGMA application_id`` of a diary ("VGDY"): tells our file from any other SQLite database."""
SCHEMA_VERSION = 2
"""``PRAGMA user_version`` this code writes; older diaries are migrated on open, newer ones are refused."""
FILE_NAME = "diary.sqlite3"
SQLITE_MAGIC = b"SQLite format 3\x00"

KINDS = ("cramp", "stretch", "check")
"""cramp: relief for a cramp now; stretch: the bedtime stretch; check: the "is this serious?" questions."""
OUTCOMES = ("better", "stopped", "done", "all_clear", "no_answer", "escalated", "interrupted", "unfinished")
"""How an episode ended: the dialog's episode ``End`` outcomes, plus ``escalated`` (with a level),
``interrupted`` (another episode began) and ``unfinished`` (the session ended with it open)."""
LEVELS = ("provider", "emergency")
LEGS = ("left", "right", "both")
EXPECTED_TABLES = ("episodes", "steps", "answers", "escalations")

# Each entry takes the schema from version i to i + 1; never edit one that has shipped, append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: episodes with their steps and warning-sign answers.
    """
    CREATE TABLE episodes (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,   -- ISO 8601, local wall-clock time with its UTC offset
        started_ts REAL NOT NULL,   -- seconds since the epoch: ordering and ranges across offsets
        ended_at TEXT,
        ended_ts REAL,
        outcome TEXT,
        level TEXT
    );
    CREATE INDEX episodes_started ON episodes(started_ts);
    CREATE TABLE steps (
        id INTEGER PRIMARY KEY,
        episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
        question_key TEXT NOT NULL,
        yes INTEGER NOT NULL CHECK (yes IN (0, 1)),
        at TEXT NOT NULL
    );
    """,
    # 2: which leg and a pain rating; every escalation (conditional ones too), not just the final level.
    """
    ALTER TABLE episodes ADD COLUMN leg TEXT CHECK (leg IN ('left', 'right', 'both'));
    ALTER TABLE episodes ADD COLUMN pain INTEGER CHECK (pain BETWEEN 0 AND 10);
    CREATE TABLE escalations (
        id INTEGER PRIMARY KEY,
        episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
        level TEXT NOT NULL,
        conditional INTEGER NOT NULL CHECK (conditional IN (0, 1)),
        at TEXT NOT NULL
    );
    CREATE INDEX steps_episode ON steps(episode_id);
    CREATE INDEX answers_episode ON answers(episode_id);
    CREATE INDEX escalations_episode ON escalations(episode_id);
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/voice-guide/diary.sqlite3``, else ``~/.local/share/voice-guide/diary.sqlite3``."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    if not base or not os.path.isabs(base):
        base = str(Path(env.get("HOME") or str(Path.home())) / ".local" / "share")
    return Path(base) / "voice-guide" / FILE_NAME


# ----- records -----
@dataclass(frozen=True)
class StepRecord:
    """A guidance step said during an episode."""

    key: str
    at: datetime


@dataclass(frozen=True)
class AnswerRecord:
    """A warning-sign question answered yes or no."""

    question_key: str
    yes: bool
    at: datetime


@dataclass(frozen=True)
class EscalationRecord:
    """Advice to get help: ``provider`` or ``emergency``; conditional when the report was uncertain."""

    level: str
    conditional: bool
    at: datetime


@dataclass(frozen=True)
class Episode:
    """One episode as stored; ``ended_at`` is None while in progress (or if the process died)."""

    id: int
    kind: str
    started_at: datetime
    ended_at: datetime | None = None
    outcome: str | None = None
    level: str | None = None
    leg: str | None = None
    pain: int | None = None
    steps: tuple[StepRecord, ...] = field(default=())
    answers: tuple[AnswerRecord, ...] = field(default=())
    escalations: tuple[EscalationRecord, ...] = field(default=())

    def night(self, cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> date:
        """The night this episode belongs to (see ``frequency.night_of``)."""
        return night_of(self.started_at, cutoff_hour)

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from start to end, None while open."""
        return None if self.ended_at is None else (self.ended_at - self.started_at).total_seconds()

    def to_dict(self, cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> dict[str, Any]:
        """JSON-ready form (times as ISO 8601 strings with their offsets)."""
        return {
            "id": self.id,
            "night": self.night(cutoff_hour).isoformat(),
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "duration_seconds": self.duration_seconds,
            "outcome": self.outcome,
            "level": self.level,
            "leg": self.leg,
            "pain": self.pain,
            "steps": [{"key": s.key, "at": s.at.isoformat()} for s in self.steps],
            "answers": [{"question": a.question_key, "yes": a.yes, "at": a.at.isoformat()} for a in self.answers],
            "escalations": [{"level": e.level, "conditional": e.conditional, "at": e.at.isoformat()}
                            for e in self.escalations],
        }


# ----- errors -----
class DiaryError(UserError):
    """The diary cannot be opened or written; the message says why and what to do."""


class DiaryMissing(DiaryError):
    """There is no diary file yet (only raised when opening without ``create``)."""


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"diary times must be timezone-aware, not {at!r}")
    return at


def _write_error(path: Path, exc: BaseException) -> DiaryError:
    """A one-line message for a failed write, naming the likely cause."""
    text = exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
    low = text.lower()
    os_errno = exc.errno if isinstance(exc, OSError) else None
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in low or os_errno == errno.ENOSPC:
        why = "the disk is full; free some space"
    elif "readonly" in low or "read-only" in low or os_errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        why = f"the folder {path.parent} or the file is read-only; make it writable"
    elif "locked" in low or "busy" in low:
        why = "another program kept the diary busy; try again"
    else:
        why = "check the disk and the folder's permissions"
    return DiaryError(f"cannot write the cramp diary {path}: {text}; {why}")


class Diary:
    """An open diary file. Each call is its own short, committed transaction; safe to share between threads."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self._lock = threading.RLock()  # re-entrant: a read snapshot holds it across several reads

    # ----- opening -----
    @classmethod
    def open(cls, path: Path | str | None = None, *, create: bool = True, readonly: bool = False,
             busy_timeout_ms: int = 5000, env: Mapping[str, str] | None = None) -> Diary:
        """Open (creating it, with its folder, if ``create``) the diary at ``path`` or the default path.

        Raises ``DiaryError`` (a ``UserError``) with a one-line message for a missing, foreign, corrupt,
        too-new or unwritable file; a file that is not our diary is never written to.
        """
        path = Path(path) if path is not None else default_path(env)
        if not path.exists():
            if not create or readonly:
                raise DiaryMissing(f"no cramp diary yet at {path}")
            _create(path)
        _check_header(path)
        if readonly:
            return cls(_connect_readonly(path, busy_timeout_ms), path, readonly=True)
        conn = _connect(path, f"file:{_uri_path(path)}?mode=rw", busy_timeout_ms)
        try:
            _validate(conn, path)
            _migrate(conn, path)
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)  # a copied-in diary may have looser permissions; health data is private
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        """Close the file (a clean close also checkpoints the WAL)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Diary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """``PRAGMA user_version`` of the open file."""
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # ----- writing: every call commits before it returns, so kill -9 loses nothing already reported -----
    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise DiaryError(f"the cramp diary {self.path} was opened read-only")
        with self._lock:
            try:
                # IMMEDIATE takes the write lock up front, so busy_timeout applies instead of a mid-transaction
                # SQLITE_BUSY when two processes write at once.
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    # SQLite has already rolled back after some errors (SQLITE_FULL, I/O): a second ROLLBACK
                    # would fail and hide the real cause.
                    with contextlib.suppress(sqlite3.Error):
                        if self._conn.in_transaction:
                            self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError as exc:
                raise ValueError(f"diary: {exc}") from exc
            except (sqlite3.Error, OSError) as exc:
                raise _write_error(self.path, exc) from exc

    def _require_episode(self, conn: sqlite3.Connection, episode_id: int) -> None:
        if conn.execute("SELECT 1 FROM episodes WHERE id = ?", (episode_id,)).fetchone() is None:
            raise ValueError(f"diary: no episode {episode_id}")

    def start_episode(self, kind: str, at: datetime) -> int:
        """Record the start of an episode; returns its id."""
        if kind not in KINDS:
            raise ValueError(f"diary: kind must be one of {KINDS}, not {kind!r}")
        _aware(at)
        with self._write() as conn:
            cur = conn.execute("INSERT INTO episodes (kind, started_at, started_ts) VALUES (?, ?, ?)",
                               (kind, at.isoformat(), at.timestamp()))
            return int(cur.lastrowid or 0)

    def add_step(self, episode_id: int, key: str, at: datetime) -> None:
        """Record a guidance step said during the episode."""
        if not key:
            raise ValueError("diary: a step needs a key")
        _aware(at)
        with self._write() as conn:
            self._require_episode(conn, episode_id)
            conn.execute("INSERT INTO steps (episode_id, key, at) VALUES (?, ?, ?)", (episode_id, key, at.isoformat()))

    def record_answer(self, episode_id: int, question_key: str, yes: bool, at: datetime) -> None:
        """Record a warning-sign answer (question key from guidance.yaml, e.g. ``question.redness``)."""
        if not question_key:
            raise ValueError("diary: an answer needs a question key")
        _aware(at)
        with self._write() as conn:
            self._require_episode(conn, episode_id)
            conn.execute("INSERT INTO answers (episode_id, question_key, yes, at) VALUES (?, ?, ?, ?)",
                         (episode_id, question_key, int(bool(yes)), at.isoformat()))

    def record_escalation(self, episode_id: int, level: str, at: datetime, conditional: bool = False) -> None:
        """Record that the user was told to get help (``provider`` or ``emergency``)."""
        if level not in LEVELS:
            raise ValueError(f"diary: level must be one of {LEVELS}, not {level!r}")
        _aware(at)
        with self._write() as conn:
            self._require_episode(conn, episode_id)
            conn.execute("INSERT INTO escalations (episode_id, level, conditional, at) VALUES (?, ?, ?, ?)",
                         (episode_id, level, int(bool(conditional)), at.isoformat()))

    def set_leg(self, episode_id: int, leg: str) -> None:
        """Which leg: ``left``, ``right`` or ``both``."""
        if leg not in LEGS:
            raise ValueError(f"diary: leg must be one of {LEGS}, not {leg!r}")
        with self._write() as conn:
            self._require_episode(conn, episode_id)
            conn.execute("UPDATE episodes SET leg = ? WHERE id = ?", (leg, episode_id))

    def set_pain(self, episode_id: int, pain: int) -> None:
        """A pain rating from 0 (none) to 10 (worst imaginable)."""
        if isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10:
            raise ValueError(f"diary: pain must be a whole number 0 to 10, not {pain!r}")
        with self._write() as conn:
            self._require_episode(conn, episode_id)
            conn.execute("UPDATE episodes SET pain = ? WHERE id = ?", (pain, episode_id))

    def end_episode(self, episode_id: int, outcome: str, level: str | None = None, *, at: datetime) -> None:
        """Record how the episode ended; ``level`` is required for (and only for) ``escalated``."""
        if outcome not in OUTCOMES:
            raise ValueError(f"diary: outcome must be one of {OUTCOMES}, not {outcome!r}")
        if (outcome == "escalated") != (level is not None) or (level is not None and level not in LEVELS):
            raise ValueError(f"diary: outcome 'escalated' needs a level in {LEVELS}, other outcomes none")
        _aware(at)
        with self._write() as conn:
            self._require_episode(conn, episode_id)
            conn.execute("UPDATE episodes SET ended_at = ?, ended_ts = ?, outcome = ?, level = ? WHERE id = ?",
                         (at.isoformat(), at.timestamp(), outcome, level, episode_id))

    def delete(self, first_night: date | None = None, last_night: date | None = None, *,
               cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> int:
        """Delete episodes of the nights ``first_night``..``last_night`` (inclusive; None = open end).

        Both None deletes everything. Returns how many episodes were deleted. Deleted content is zeroed in
        the file (secure_delete) and the WAL is truncated, so it does not linger on disk.
        """
        with self._write() as conn:
            ids = [row[0] for row in conn.execute("SELECT id, started_at FROM episodes")
                   if _in_nights(datetime.fromisoformat(row[1]), first_night, last_night, cutoff_hour)]
            for table in ("steps", "answers", "escalations"):
                conn.executemany(f"DELETE FROM {table} WHERE episode_id = ?", [(i,) for i in ids])
            conn.executemany("DELETE FROM episodes WHERE id = ?", [(i,) for i in ids])
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(ids)

    # ----- reading -----
    def _read(self, sql: str, params: Iterable[Any] = ()) -> builtins.list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise DiaryError(f"cannot read the cramp diary {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction: episodes and their events from the same moment, whatever others write."""
        with self._lock:
            began = False
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("BEGIN")
                began = True
            try:
                yield
            finally:
                if began:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("COMMIT")

    def _episodes(self, where: str = "", params: Iterable[Any] = ()) -> builtins.list[Episode]:
        with self._snapshot():
            return self._episodes_now(where, params)

    def _episodes_now(self, where: str, params: Iterable[Any]) -> builtins.list[Episode]:
        rows = self._read("SELECT id, kind, started_at, ended_at, outcome, level, leg, pain FROM episodes "
                          f"{where} ORDER BY started_ts, id", params)
        if not rows:
            return []
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        steps: dict[int, builtins.list[StepRecord]] = {}
        for eid, key, at in self._read(f"SELECT episode_id, key, at FROM steps WHERE episode_id IN ({marks}) "
                                       "ORDER BY id", ids):
            steps.setdefault(eid, []).append(StepRecord(key, datetime.fromisoformat(at)))
        answers: dict[int, builtins.list[AnswerRecord]] = {}
        for eid, key, yes, at in self._read("SELECT episode_id, question_key, yes, at FROM answers "
                                            f"WHERE episode_id IN ({marks}) ORDER BY id", ids):
            answers.setdefault(eid, []).append(AnswerRecord(key, bool(yes), datetime.fromisoformat(at)))
        escalations: dict[int, builtins.list[EscalationRecord]] = {}
        for eid, level, cond, at in self._read("SELECT episode_id, level, conditional, at FROM escalations "
                                               f"WHERE episode_id IN ({marks}) ORDER BY id", ids):
            escalations.setdefault(eid, []).append(EscalationRecord(level, bool(cond), datetime.fromisoformat(at)))
        return [Episode(id=r[0], kind=r[1], started_at=datetime.fromisoformat(r[2]),
                        ended_at=datetime.fromisoformat(r[3]) if r[3] else None, outcome=r[4], level=r[5],
                        leg=r[6], pain=r[7], steps=tuple(steps.get(r[0], ())),
                        answers=tuple(answers.get(r[0], ())), escalations=tuple(escalations.get(r[0], ())))
                for r in rows]

    def get(self, episode_id: int) -> Episode | None:
        """One episode, or None."""
        found = self._episodes("WHERE id = ?", (episode_id,))
        return found[0] if found else None

    def list(self, since: datetime | None = None, until: datetime | None = None, *,
             nights: tuple[date | None, date | None] | None = None,
             cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> builtins.list[Episode]:
        """Episodes starting in ``[since, until)``, and if given within ``nights`` (first, last; inclusive)."""
        clauses, params = [], []
        if since is not None:
            clauses.append("started_ts >= ?")
            params.append(_aware(since).timestamp())
        if until is not None:
            clauses.append("started_ts < ?")
            params.append(_aware(until).timestamp())
        found = self._episodes(("WHERE " + " AND ".join(clauses)) if clauses else "", params)
        if nights is not None:
            found = [e for e in found if _in_nights(e.started_at, nights[0], nights[1], cutoff_hour)]
        return found

    def open_episodes(self) -> builtins.list[Episode]:
        """Episodes with no end recorded: in progress here or elsewhere, or left by a killed process."""
        return self._episodes("WHERE ended_at IS NULL")

    def _starts(self, kinds: Iterable[str]) -> builtins.list[datetime]:
        kinds = tuple(kinds)
        rows = self._read(f"SELECT started_at FROM episodes WHERE kind IN ({','.join('?' * len(kinds))})", kinds)
        return [datetime.fromisoformat(r[0]) for r in rows]

    def nights_with_episodes(self, first_night: date, last_night: date, *, cutoff_hour: int = NIGHT_CUTOFF_HOUR,
                             kinds: Iterable[str] = ("cramp",)) -> dict[date, int]:
        """Episodes per night for the nights that had any, ``first_night``..``last_night`` inclusive."""
        counts: dict[date, int] = {}
        for at in self._starts(kinds):
            night = night_of(at, cutoff_hour)
            if first_night <= night <= last_night:
                counts[night] = counts.get(night, 0) + 1
        return dict(sorted(counts.items()))

    def count_since(self, at: datetime, kinds: Iterable[str] = ("cramp",)) -> int:
        """How many episodes of ``kinds`` started at or after ``at``."""
        kinds = tuple(kinds)
        rows = self._read(f"SELECT COUNT(*) FROM episodes WHERE started_ts >= ? "
                          f"AND kind IN ({','.join('?' * len(kinds))})", (_aware(at).timestamp(), *kinds))
        return int(rows[0][0])

    def is_frequent(self, now: datetime, rule: FrequentRule | None = None) -> bool:
        """Whether cramp episodes meet the frequent rule (default: 4 of the last 7 nights) as of ``now``."""
        rule = rule or FrequentRule()
        return len(nights_in_window(self._starts(("cramp",)), _aware(now), rule)) >= rule.nights

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"`` for a sound file."""
        return "; ".join(str(r[0]) for r in self._read("PRAGMA integrity_check"))


def _in_nights(at: datetime, first: date | None, last: date | None, cutoff_hour: int) -> bool:
    night = night_of(at, cutoff_hour)
    return (first is None or night >= first) and (last is None or night <= last)


# ----- file handling -----
def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.absolute()), safe="/")


def _connect(path: Path, uri: str, busy_timeout_ms: int) -> sqlite3.Connection:
    try:
        # Autocommit (isolation_level None): we issue BEGIN IMMEDIATE/COMMIT ourselves, keeping each short.
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                               timeout=busy_timeout_ms / 1000)
    except sqlite3.Error as exc:
        raise DiaryError(f"cannot open the cramp diary {path}: {exc}; check the folder's permissions") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # deleted health data is zeroed, not left in free pages
    except sqlite3.Error as exc:
        conn.close()
        raise DiaryError(f"cannot open the cramp diary {path}: {exc}") from exc
    return conn


def _connect_readonly(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """Read-only: for list/export/report, which must work on a read-only folder too.

    Reading a WAL database needs its -shm file; in a read-only folder it cannot be created, so the last
    resort is ``immutable=1`` (safe there: no one can be writing where no one can create the WAL).
    """
    last: Exception | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        conn = _connect(path, f"file:{_uri_path(path)}?{query}", busy_timeout_ms)
        try:
            _validate(conn, path)
            return conn
        except DiaryError as exc:
            conn.close()
            last = exc
            if "unable to open" not in str(exc) and "readonly" not in str(exc).lower():
                raise
    assert last is not None
    raise last


def _check_header(path: Path) -> None:
    """Refuse anything that is not our diary before SQLite touches it (SQLite would happily use any db)."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise DiaryError(f"cannot read the cramp diary {path}: {exc.strerror}; check its permissions") from exc
    hint = "move it away or pass another --db; it was left untouched"
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise DiaryError(f"{path} is not a voice-guide diary (not an SQLite database); {hint}")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id != APPLICATION_ID:
        raise DiaryError(f"{path} is an SQLite database of another application (application_id {app_id:#x}), "
                         f"not a voice-guide diary; {hint}")


def _validate(conn: sqlite3.Connection, path: Path) -> None:
    """Schema checks before anything is written: version known, tables present, pages sound."""
    hint = "it was left untouched; move it away to start a new diary"
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "readonly" in text.lower():
            raise _write_error(path, exc) from exc
        if "unable to open" in text:
            raise DiaryError(f"cannot open the cramp diary {path}: {text}; check the folder's permissions") from exc
        raise DiaryError(f"the cramp diary {path} is damaged ({text}); {hint}") from exc
    if app_id != APPLICATION_ID:
        raise DiaryError(f"{path} is not a voice-guide diary (application_id {app_id:#x}); {hint}")
    if version > SCHEMA_VERSION:
        raise DiaryError(f"the cramp diary {path} was written by a newer voice-guide (schema {version}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade voice-guide")
    if version < 1:
        raise DiaryError(f"the cramp diary {path} has no schema version; {hint}")
    wanted = set(EXPECTED_TABLES if version >= 2 else EXPECTED_TABLES[:3])
    if not wanted <= tables:
        raise DiaryError(f"the cramp diary {path} is damaged (missing tables: {', '.join(sorted(wanted - tables))}); "
                         f"{hint}")
    if check != "ok":
        raise DiaryError(f"the cramp diary {path} is damaged ({check}); {hint}")


def _apply(conn: sqlite3.Connection, from_version: int, to_version: int) -> None:
    """Run migrations inside the caller's transaction (executescript would commit; run statement by statement)."""
    for version in range(from_version, to_version):
        for statement in MIGRATIONS[version].split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {int(to_version)}")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring an older diary up to date in one transaction; a concurrent opener may already have done it."""
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current < SCHEMA_VERSION:
                    _apply(conn, current, SCHEMA_VERSION)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a medical diary: survive power loss too, events are rare
    except (sqlite3.Error, OSError) as exc:
        raise _write_error(path, exc) from exc


def _create(path: Path) -> None:
    """Create a new, complete diary at ``path`` atomically, never replacing a file that appeared meanwhile.

    It is built under a temporary name (schema, application_id and WAL mode all in the main file, so the
    header check passes even if we are killed later) and then hard-linked into place: link() fails if the
    name exists, so a racing process or a user's file is never overwritten.
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.close(fd)
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("BEGIN IMMEDIATE")
            _apply(conn, 0, SCHEMA_VERSION)
            conn.execute("COMMIT")
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()  # a clean close checkpoints and removes the temporary WAL
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # A file system without hard links: rename, re-checking first (a small window, but never a clobber
            # of a file that was already there when we looked).
            if not path.exists():
                os.rename(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except (sqlite3.Error, OSError) as exc:
        raise _write_error(path, exc) from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
