"""The cramp diary by voice, through the real ``voice-guide chat`` in subprocesses and real SQLite files.

Every test has its own data folder (XDG_DATA_HOME) and config folder, so nothing touches the user's diary.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from voice_guide.config import load_config
from voice_guide.diary import Diary
from voice_guide.errors import UserError

from .permissions import unprivileged

TIMEOUT = 60


def env_for(tmp_path: Path, config: str | None = None) -> dict[str, str]:
    xdg = tmp_path / "config"
    (xdg / "voice-guide").mkdir(parents=True, exist_ok=True)
    if config is not None:
        (xdg / "voice-guide" / "config.toml").write_text(config, encoding="utf-8")
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(xdg),
            "XDG_DATA_HOME": str(tmp_path / "data"), "LANG": "C.UTF-8"}


def diary_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "voice-guide" / "diary.sqlite3"


def chat(tmp_path: Path, lines: list[str], *extra: str, config: str | None = None,
         prefix: list[str] | None = None) -> tuple[list[dict[str, Any]], str]:
    raw = "".join(line + "\n" for line in lines).encode("utf-8")
    proc = subprocess.run([*(prefix or []), sys.executable, "-m", "voice_guide", "chat", "--json", "--no-delay",
                           *extra], input=raw, capture_output=True, cwd=tmp_path, env=env_for(tmp_path, config),
                          timeout=TIMEOUT, check=False)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in err, err
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()], err


def export(tmp_path: Path) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, "-m", "voice_guide", "diary", "export", "--json"], capture_output=True,
                          text=True, env=env_for(tmp_path), timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    episodes: list[dict[str, Any]] = json.loads(proc.stdout)["episodes"]
    return episodes


def said(events: list[dict[str, Any]]) -> list[str]:
    return [e["key"] for e in events if e["event"] == "say"]


def seed(tmp_path: Path, nights_ago: list[int], kind: str = "cramp") -> None:
    """Episodes on earlier nights, at the time of day it is now (so each lands on its own night)."""
    now = datetime.now().astimezone()
    with Diary.open(diary_path(tmp_path)) as d:
        for k in nights_ago:
            at = now - timedelta(days=k)
            eid = d.start_episode(kind, at)
            d.end_episode(eid, "better", at=at + timedelta(minutes=4))


# ----- recording a conversation -----
def test_a_chat_records_the_episode_with_steps_pain_and_leg(tmp_path: Path) -> None:
    events, err = chat(tmp_path, ["I have a cramp in my left leg", "no", "it's an eight", "yes", "it's gone"])
    assert err == ""
    assert {"event": "note", "kind": "leg", "value": "left"} in events
    assert {"event": "note", "kind": "pain", "value": 8} in events
    [episode] = export(tmp_path)
    assert (episode["kind"], episode["leg"], episode["pain"], episode["outcome"]) == ("cramp", "left", 8, "better")
    assert [s["key"] for s in episode["steps"]] == ["relief.straighten", "relief.massage", "relief.heat"]
    assert episode["ended_at"] is not None


def test_a_rating_after_the_cramp_goes_to_that_cramp(tmp_path: Path) -> None:
    chat(tmp_path, ["I have a cramp", "it's gone", "it was bad", "both legs"])
    [episode] = export(tmp_path)
    assert (episode["pain"], episode["leg"], episode["outcome"]) == (7, "both", "better")


def test_warning_answers_and_escalation_are_recorded(tmp_path: Path) -> None:
    chat(tmp_path, ["I have a cramp", "is this serious", "no", "yes"])
    [episode] = export(tmp_path)
    assert episode["kind"] == "cramp" and (episode["outcome"], episode["level"]) == ("escalated", "provider")
    assert [(a["question"], a["yes"]) for a in episode["answers"]] == [("question.emergency", False),
                                                                      ("question.frequent_severe", True)]
    assert [e["level"] for e in episode["escalations"]] == ["provider"]


def test_no_diary_records_nothing(tmp_path: Path) -> None:
    events, err = chat(tmp_path, ["I have a cramp", "it's gone", "how many cramps this week"], "--no-diary")
    assert err == "" and not diary_path(tmp_path).exists()
    assert said(events)[-1] == "history.unavailable"


def test_diary_flag_and_config_switch(tmp_path: Path) -> None:
    elsewhere = tmp_path / "mine.sqlite3"
    chat(tmp_path, ["I have a cramp", "stop"], "--diary", str(elsewhere))
    assert not diary_path(tmp_path).exists()
    with Diary.open(elsewhere, create=False) as d:
        assert [e.outcome for e in d.list()] == ["stopped"]
    chat(tmp_path, ["I have a cramp", "stop"], config="[diary]\nenabled = false\n")
    assert not diary_path(tmp_path).exists()


# ----- "how many cramps this week?" -----
def test_how_many_cramps_this_week_counts_the_diary(tmp_path: Path) -> None:
    seed(tmp_path, [1, 1, 3, 10])  # three cramps on two nights this week, one older
    seed(tmp_path, [2], kind="stretch")  # a stretch is not a cramp
    events, _ = chat(tmp_path, ["how many cramps this week", "when was my last cramp"])
    texts = [e["text"] for e in events if e["event"] == "say"]
    assert [e["intent"] for e in events if e["event"] == "intent"] == ["ask_history", "ask_history"]
    assert "three cramps in the last seven nights, on two nights" in texts[0]
    assert "last night" in texts[1]


def test_how_many_counts_tonight_too(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["I have a cramp", "it's gone", "how many cramps have I had this week"])
    assert "one cramp in the last seven nights" in [e["text"] for e in events if e["event"] == "say"][-2]


# ----- the frequent rule -----
def test_frequent_cramps_trigger_the_offer_and_yes_starts_the_questions(tmp_path: Path) -> None:
    seed(tmp_path, [1, 2, 3])  # with tonight's cramp: four of the last seven nights
    events, _ = chat(tmp_path, ["I have a cramp", "it's gone", "yes", "no"])
    keys = said(events)
    i = keys.index("diary.frequent")
    assert keys[i - 1] == "episode.better" and keys[i + 1] == "diary.offer_check"
    notice = next(e for e in events if e.get("key") == "diary.frequent")
    assert "four of the last seven nights" in notice["text"] and "frequent and severe" in notice["text"]
    assert keys[i + 2:i + 4] == ["serious.intro", "question.emergency"]
    assert keys[-1] == "question.frequent_severe"
    episodes = export(tmp_path)
    assert [e["kind"] for e in episodes][-2:] == ["cramp", "check"]


def test_three_nights_is_not_frequent_and_the_rule_is_configurable(tmp_path: Path) -> None:
    seed(tmp_path, [1, 2])
    events, _ = chat(tmp_path, ["I have a cramp", "it's gone"])
    assert "diary.frequent" not in said(events)
    events, _ = chat(tmp_path, ["I have a cramp", "it's gone", "no"],
                     config="[diary]\nfrequent_nights = 3\nfrequent_window = 5\n")
    keys = said(events)
    assert "diary.frequent" in keys and keys[-1] == "diary.offer_declined"
    assert "three of the last five nights" in next(e["text"] for e in events if e.get("key") == "diary.frequent")


# ----- nothing lost -----
def test_kill_9_mid_episode_keeps_the_episode(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "chat", "--json", "--no-delay"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                            env=env_for(tmp_path))
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    seen: list[dict[str, Any]] = []
    try:
        proc.stdin.write(b"I have a cramp in my right leg\nno\nit's a seven\n")
        proc.stdin.flush()
        buf = b""
        deadline = time.monotonic() + TIMEOUT
        while not any(e.get("kind") == "pain" for e in seen):
            assert time.monotonic() < deadline, seen
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                assert chunk, "chat exited early"
                buf += chunk
                *lines, rest = buf.split(b"\n")
                buf = rest
                seen += [json.loads(line) for line in lines]
        assert "relief.massage" in said(seen)
        os.kill(proc.pid, signal.SIGKILL)  # mid-episode: the stdin is still open, nothing was closed
        assert proc.wait(timeout=TIMEOUT) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    with Diary.open(diary_path(tmp_path)) as d:
        assert d.integrity_check() == "ok"
        [episode] = d.list()
        assert d.open_episodes() == [episode]  # still open: the process never got to end it
    assert (episode.kind, episode.leg, episode.pain, episode.ended_at) == ("cramp", "right", 7, None)
    assert [s.key for s in episode.steps] == ["relief.straighten", "relief.massage"]
    # The next conversation carries on normally with the same diary.
    chat(tmp_path, ["I have a cramp", "it's gone"])
    assert [e["outcome"] for e in export(tmp_path)] == [None, "better"]


def test_read_only_data_folder_one_line_and_the_chat_goes_on(tmp_path: Path) -> None:
    folder = diary_path(tmp_path).parent
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        events, err = chat(tmp_path, ["I have a cramp", "it was an eight", "it's gone", "how many cramps this week"],
                           prefix=unprivileged())
    finally:
        folder.chmod(0o755)
    lines = err.splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and "will not be recorded" in lines[0], err
    keys = said(events)
    assert keys[0] == "relief.straighten" and "episode.better" in keys and keys[-1] == "history.unavailable"
    assert events[-1] == {"event": "end", "scope": "session", "outcome": "end_of_input"}
    assert list(folder.iterdir()) == []


def test_an_unusable_diary_file_is_left_alone(tmp_path: Path) -> None:
    path = diary_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a diary at all" * 10)
    events, err = chat(tmp_path, ["I have a cramp", "it's gone"])
    assert len(err.splitlines()) == 1 and "not a voice-guide diary" in err
    assert "episode.better" in said(events)
    assert path.read_bytes() == b"not a diary at all" * 10


# ----- config -----
def test_diary_config_defaults_and_ranges(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "none.toml")
    assert (cfg.diary.enabled, cfg.diary.frequent_nights, cfg.diary.frequent_window,
            cfg.diary.night_cutoff_hour) == (True, 4, 7, 12)
    path = tmp_path / "config.toml"
    for text, message in [("[diary]\nfrequent_nights = 0\n", "out of range"),
                          ("[diary]\nnight_cutoff_hour = 24\n", "out of range"),
                          ("[diary]\nfrequent_window = 400\n", "out of range"),
                          ("[diary]\nfrequent_nights = 8\n", "more than frequent_window"),
                          ("[diary]\nenabled = 1\n", "must be bool"),
                          ("[diary]\npath = 'x'\n", "unknown setting")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UserError, match=message):
            load_config(path)
