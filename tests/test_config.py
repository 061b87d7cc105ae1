"""voice_guide.config: defaults < $XDG_CONFIG_HOME/voice-guide/config.toml < flags; bad files are one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide.config import Config, VoiceSettings, config_path, load_config
from voice_guide.dialog import Timings
from voice_guide.errors import UserError


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "voice-guide" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_defaults_match_the_readme(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "absent.toml")
    assert cfg == Config()
    assert cfg.wake_phrase == "hey guide"
    assert cfg.timings == Timings(hold_seconds=20.0, massage_seconds=30.0, stretch_seconds=30.0,
                                  listen_seconds=8.0)
    assert (cfg.voice.rate_wpm, cfg.voice.volume) == (140, 0.5)


def test_config_path_follows_xdg_then_home(tmp_path: Path) -> None:
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path), "HOME": "/nowhere"}) == \
        tmp_path / "voice-guide" / "config.toml"
    assert config_path({"HOME": str(tmp_path)}) == tmp_path / ".config" / "voice-guide" / "config.toml"
    # An empty XDG_CONFIG_HOME means "unset" (XDG base directory spec).
    assert config_path({"XDG_CONFIG_HOME": "", "HOME": str(tmp_path)}) == \
        tmp_path / ".config" / "voice-guide" / "config.toml"


def test_file_overrides_timings(tmp_path: Path) -> None:
    path = write(tmp_path, "[timings]\nhold_seconds = 5\nmassage_seconds = 7.5\n")
    cfg = load_config(path)
    assert cfg.timings.hold_seconds == 5.0 and isinstance(cfg.timings.hold_seconds, float)
    assert cfg.timings.massage_seconds == 7.5
    assert cfg.timings.stretch_seconds == Timings().stretch_seconds, "unset values keep their defaults"
    assert cfg.voice == VoiceSettings()


def test_file_is_found_through_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, 'wake_phrase = "hello guide"\n[voice]\nrate_wpm = 120\nvolume = 0.3\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    cfg = load_config()
    assert cfg.wake_phrase == "hello guide"
    assert (cfg.voice.rate_wpm, cfg.voice.volume) == (120, 0.3)


def test_overrides_beat_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'wake_phrase = "from file"\n[timings]\nhold_seconds = 5\nmassage_seconds = 6\n')
    cfg = load_config(path, {"wake_phrase": "from flag", "timings": {"hold_seconds": 9}, "backend": None})
    assert cfg.wake_phrase == "from flag"
    assert cfg.timings.hold_seconds == 9.0
    assert cfg.timings.massage_seconds == 6.0, "a flag for one timing keeps the file's other timings"
    assert cfg.backend == Config().backend, "a None override (flag not given) changes nothing"


def test_bad_override_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="command line"):
        load_config(tmp_path / "absent.toml", {"timings": {"hold_seconds": "long"}})


BROKEN: list[tuple[str, bytes, str]] = [
    ("unknown key", b"colour = \"blue\"\n", "colour"),
    ("unknown nested key", b"[timings]\nhold_secs = 5\n", "hold_secs"),
    ("unknown table", b"[voices]\nrate_wpm = 100\n", "voices"),
    ("string for float", b"[timings]\nhold_seconds = \"five\"\n", "hold_seconds"),
    ("bool for float", b"[timings]\nhold_seconds = true\n", "hold_seconds"),
    ("float for int", b"[voice]\nrate_wpm = 140.5\n", "rate_wpm"),
    ("bool for int", b"[voice]\nrate_wpm = false\n", "rate_wpm"),
    ("number for string", b"wake_phrase = 3\n", "wake_phrase"),
    ("scalar for table", b"timings = 5\n", "timings"),
    ("table for scalar", b"[wake_phrase]\nx = 1\n", "wake_phrase"),
    ("invalid TOML", b"[timings\nhold_seconds = 5\n", "config"),
    ("invalid TOML value", b"[timings]\nhold_seconds = 5 seconds\n", "config"),
    ("duplicate key", b"[timings]\nhold_seconds = 5\nhold_seconds = 6\n", "config"),
    ("non-UTF-8 bytes", b"wake_phrase = \"h\xe9 guide\"\n", "config"),
    ("UTF-16", "wake_phrase = \"hey\"\n".encode("utf-16"), "config"),
]


@pytest.mark.parametrize("content,needle", [(c, n) for _, c, n in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_file_is_a_one_line_user_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(UserError) as info:
        load_config(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg, "the message names the file"
    assert needle in msg


def test_config_path_is_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "voice-guide" / "config.toml"
    path.mkdir(parents=True)
    with pytest.raises(UserError) as info:
        load_config(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value", ["-5", "nan", "inf"])
def test_nonsense_timings_are_rejected(tmp_path: Path, value: str) -> None:
    with pytest.raises(UserError):
        load_config(write(tmp_path, f"[timings]\nhold_seconds = {value}\n"))


# ----- through the CLI -----
def run_chat(xdg: Path, stdin: bytes, *extra: str) -> subprocess.CompletedProcess[bytes]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(xdg), "XDG_CONFIG_HOME": str(xdg), "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "voice_guide", "chat", "--json", *extra], input=stdin,
                          capture_output=True, cwd=xdg, env=env, timeout=60, check=False)


def test_config_file_timings_show_up_in_chat_wait_events(tmp_path: Path) -> None:
    write(tmp_path, "[timings]\nhold_seconds = 5\nmassage_seconds = 7\nstretch_seconds = 11\n")
    proc = run_chat(tmp_path, b"I have a cramp\nyes\nstart my bedtime stretch\n", "--no-delay")
    err = proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in err, err
    events = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    waits = [e["seconds"] for e in events if e["event"] == "wait"]
    # relief.straighten holds hold_seconds, relief.massage holds massage_seconds, then the stretch holds.
    assert waits[:2] == [5.0, 7.0]
    assert waits[-3:] == [11.0, 11.0, 11.0]
    assert 20.0 not in waits and 30.0 not in waits


def test_without_a_config_file_chat_uses_defaults(tmp_path: Path) -> None:
    proc = run_chat(tmp_path, b"I have a cramp\n", "--no-delay")
    assert proc.returncode == 0
    waits = [e["seconds"] for e in map(json.loads, proc.stdout.decode().splitlines()) if e["event"] == "wait"]
    assert waits == [Timings().hold_seconds]


@pytest.mark.parametrize("content", [b"colour = 1\n", b"[timings]\nhold_seconds = \"x\"\n", b"[timings\n",
                                     b"wake_phrase = \"\xff\"\n"],
                         ids=["unknown key", "wrong type", "invalid TOML", "non-UTF-8"])
def test_cli_with_broken_config_exits_2_with_one_line(tmp_path: Path, content: bytes) -> None:
    write(tmp_path, content)
    proc = run_chat(tmp_path, b"I have a cramp\n", "--no-delay")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("voice-guide: error: ")
    assert "config.toml" in lines[0]
    assert proc.stdout == b"", "nothing is said before the config is known to be good"
