"""``voice-guide diary``: list, export, report, delete; and clear one-line errors for bad or unwritable files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from voice_guide.__main__ import main
from voice_guide.diary import Diary

from .permissions import unprivileged

TZ = timezone(timedelta(hours=1))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=TZ)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill(path: Path) -> None:
    """Three nights: a full escalated cramp, a plain cramp, a stretch; one open episode."""
    with Diary.open(path) as d:
        a = d.start_episode("cramp", at(11, 3, 5))
        d.add_step(a, "relief.straighten", at(11, 3, 5))
        d.add_step(a, "relief.massage", at(11, 3, 6))
        d.record_answer(a, "question.emergency", False, at(11, 3, 8))
        d.record_answer(a, "question.swelling", True, at(11, 3, 9))
        d.record_escalation(a, "provider", at(11, 3, 9), conditional=True)
        d.record_escalation(a, "provider", at(11, 3, 10))
        d.set_leg(a, "left")
        d.set_pain(a, 7)
        d.end_episode(a, "escalated", "provider", at=at(11, 3, 12))
        b = d.start_episode("cramp", at(12, 23, 40))
        d.set_leg(b, "both")
        d.end_episode(b, "better", at=at(12, 23, 45))
        c = d.start_episode("stretch", at(13, 21, 0))
        d.add_step(c, "stretch.intro", at(13, 21, 0))
        d.end_episode(c, "done", at=at(13, 21, 3))
        d.start_episode("cramp", at(14, 4, 0))


def cli(*args: str | Path) -> int:
    return main(["diary", *map(str, args)])


def run_cli(*args: str | Path, env: dict[str, str] | None = None, prefix: list[str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process, with no terminal on stdin."""
    return subprocess.run([*(prefix or []), sys.executable, "-m", "voice_guide", "diary", *map(str, args)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "diary.sqlite3"
    fill(path)
    return path


# ----- list -----
def test_list(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--db", db) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["night", "started", "kind"]
    body = out[1:-1]
    assert len(body) == 4
    assert body[0].startswith("2024-03-10") and "told to get help (provider)" in body[0] and "yes: swelling" in body[0]
    assert body[1].startswith("2024-03-12") and "both" in body[1]
    assert body[3].startswith("2024-03-13") and "in progress / unfinished" in body[3]
    assert out[-1].startswith("4 episodes.")


def test_list_range_and_db_after_action(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("list", "--db", db, "--from", "2024-03-12", "--to", "2024-03-12") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == ["2024-03-12"]


def test_list_without_a_diary_creates_nothing(tmp_path: Path) -> None:
    out = run_cli("list", env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert out.returncode == 0
    assert out.stdout.startswith("No episodes recorded") and str(tmp_path / "xdg" / "voice-guide") in out.stdout
    assert not (tmp_path / "xdg").exists()


def test_xdg_data_home_is_honoured(tmp_path: Path) -> None:
    fill(tmp_path / "xdg" / "voice-guide" / "diary.sqlite3")
    out = run_cli(env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1].startswith("4 episodes.")


# ----- export -----
def test_export_json_round_trip(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "diary.json"
    target.parent.mkdir()
    assert cli("--db", db, "export", "--json", "--output", target) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    doc = json.loads(target.read_text())
    assert doc["format"] == "voice-guide-diary" and doc["schema"] == 2
    with Diary.open(db, readonly=True) as d:
        episodes = d.list()
    assert doc["episodes"] == [e.to_dict() for e in episodes]
    first = doc["episodes"][0]
    assert datetime.fromisoformat(first["started_at"]) == at(11, 3, 5)
    assert (first["night"], first["leg"], first["pain"], first["outcome"], first["level"]) == (
        "2024-03-10", "left", 7, "escalated", "provider")
    assert [a["question"] for a in first["answers"] if a["yes"]] == ["question.swelling"]
    assert [(x["level"], x["conditional"]) for x in first["escalations"]] == [("provider", True), ("provider", False)]
    assert doc["episodes"][3]["ended_at"] is None


def test_export_csv_round_trip(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--db", db, "export", "--csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    with Diary.open(db, readonly=True) as d:
        episodes = d.list()
    assert len(rows) == len(episodes) == 4
    for row, e in zip(rows, episodes, strict=True):
        assert int(row["id"]) == e.id and row["kind"] == e.kind
        assert datetime.fromisoformat(row["started_at"]) == e.started_at
        assert (datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None) == e.ended_at
        assert (int(row["pain"]) if row["pain"] else None) == e.pain
        assert (row["leg"] or None, row["outcome"] or None, row["level"] or None) == (e.leg, e.outcome, e.level)
        assert date.fromisoformat(row["night"]) == e.night()
        assert [k for k in row["steps"].split(";") if k] == [s.key for s in e.steps]
        assert [tuple(x.split("=")) for x in row["answers"].split(";") if x] == [
            (a.question_key, "yes" if a.yes else "no") for a in e.answers]
    assert rows[0]["escalations"] == "conditional:provider;provider"
    assert float(rows[0]["duration_seconds"]) == 420.0


def test_export_refuses_to_overwrite_the_diary(db: Path) -> None:
    before = sha(db)
    out = run_cli("--db", db, "export", "--json", "--output", db)
    assert out.returncode == 2 and "is the diary itself" in out.stderr
    assert sha(db) == before


# ----- report -----
def test_report_writes_a_private_page(db: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert cli("--db", db, "report", "--html", page, "--as-of", "2024-03-15T09:00+01:00", "--weeks", "2") == 0
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    assert 'data-key="cramp_episodes" data-value="3"' in text
    assert stat.S_IMODE(page.stat().st_mode) == 0o600


@pytest.mark.parametrize("args", [["--weeks", "0"], ["--weeks", "99"], ["--frequent", "9/7"],
                                  ["--as-of", "yesterday"], ["--cutoff-hour", "25"]])
def test_report_bad_options(db: Path, tmp_path: Path, args: list[str]) -> None:
    out = run_cli("--db", db, "report", "--html", tmp_path / "r.html", *args)
    assert out.returncode == 2 and out.stderr.startswith("voice-guide: error:")
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "r.html").exists()


# ----- delete -----
def test_delete_without_terminal_or_yes_refuses(db: Path) -> None:
    before = sha(db)
    out = run_cli("--db", db, "delete", "--all")
    assert out.returncode == 2
    assert out.stderr.strip() == ("voice-guide: error: refusing to delete 4 episodes without confirmation: there is "
                                  "no terminal to ask on; add --yes to delete anyway")
    assert sha(db) == before
    with Diary.open(db, readonly=True) as d:
        assert len(d.list()) == 4


def test_delete_all_with_yes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--db", db, "delete", "--all", "--yes") == 0
    assert "Deleted 4 episodes." in capsys.readouterr().out
    with Diary.open(db) as d:
        assert d.list() == [] and d.integrity_check() == "ok"


def test_delete_range_is_by_night(db: Path) -> None:
    # Night of the 10th (03:05 on the 11th) and of the 12th; not the 13th's stretch, not the 14th's 04:00.
    assert cli("--db", db, "delete", "--from", "2024-03-10", "--to", "2024-03-12", "--yes") == 0
    with Diary.open(db) as d:
        assert [e.started_at for e in d.list()] == [at(13, 21, 0), at(14, 4, 0)]


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "rc", "left"), [("y\n", 0, 2), ("n\n", 1, 4), ("\n", 1, 4)])
def test_delete_asks_on_a_terminal(db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                   answer: str, rc: int, left: int) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTTY(answer))
    assert cli("--db", db, "delete", "--to", "2024-03-12") == rc
    assert "Delete 2 episodes" in capsys.readouterr().err
    with Diary.open(db) as d:
        assert len(d.list()) == left


@pytest.mark.parametrize(("args", "message"), [
    (["--all", "--from", "2024-03-01"], "either --all or --from/--to"),
    ([], "say what to delete"),
    (["--from", "2024-03-12", "--to", "2024-03-01"], "is after --to"),
    (["--from", "12/03/2024"], "is not a date; use YYYY-MM-DD"),
])
def test_delete_bad_ranges(db: Path, args: list[str], message: str) -> None:
    out = run_cli("--db", db, "delete", "--yes", *args)
    assert out.returncode == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_delete_without_a_diary(tmp_path: Path) -> None:
    out = run_cli("--db", tmp_path / "none.sqlite3", "delete", "--all", "--yes")
    assert out.returncode == 0 and "nothing to delete" in out.stdout
    assert not (tmp_path / "none.sqlite3").exists()


# ----- files that are not our diary: one clear line, bytes unchanged -----
def foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('shopping list')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make", ["random", "foreign"])
@pytest.mark.parametrize("action", [[], ["export", "--json"], ["report", "--html", "{tmp}/r.html"],
                                    ["delete", "--all", "--yes"]])
def test_bad_file_gives_one_line_and_is_untouched(tmp_path: Path, make: str, action: list[str]) -> None:
    path = tmp_path / "diary.sqlite3"
    if make == "random":
        path.write_bytes(os.urandom(20000))
    else:
        foreign(path)
    before = sha(path)
    out = run_cli("--db", path, *[a.format(tmp=tmp_path) for a in action])
    assert out.returncode == 2, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("voice-guide: error:") and "Traceback" not in out.stderr
    expected = "not an SQLite database" if make == "random" else "another application"
    assert expected in lines[0] and "left untouched" in lines[0]
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diary.sqlite3"]


# ----- a read-only data folder -----
def test_read_only_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "voice-guide"
    path = folder / "diary.sqlite3"
    fill(path)
    before = sha(path)
    folder.chmod(0o555)
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    try:
        deleting = run_cli("delete", "--all", "--yes", env=env, prefix=unprivileged())
        listing = run_cli("list", env=env, prefix=unprivileged())
        exporting = run_cli("export", "--csv", env=env, prefix=unprivileged())
    finally:
        folder.chmod(0o755)
    assert deleting.returncode == 2
    lines = deleting.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in deleting.stderr
    assert "cannot write the cramp diary" in lines[0] and "is read-only; make it writable" in lines[0]
    # Reading still works: list and export fall back to a read-only open.
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[-1].startswith("4 episodes.")
    assert exporting.returncode == 0 and len(exporting.stdout.strip().splitlines()) == 5
    assert sha(path) == before
