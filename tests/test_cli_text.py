"""The real CLI in a subprocess: ``understand --json --text`` and ``chat --json --no-delay`` contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from voice_guide.content import default_guidance
from voice_guide.dialog import Timings

TIMEOUT = 60
CONSOLE_SCRIPT = Path(sys.executable).parent / "voice-guide"


def run_cli(args: list[str], stdin: bytes, cwd: Path, config: str | None = None,
            exe: list[str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run voice-guide with a private, empty (or given) config dir so the user's own config never leaks in."""
    xdg = cwd / "xdg"
    (xdg / "voice-guide").mkdir(parents=True, exist_ok=True)
    if config is not None:
        (xdg / "voice-guide" / "config.toml").write_text(config, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "XDG_CONFIG_HOME": str(xdg), "LANG": "C.UTF-8"}
    cmd = (exe or [sys.executable, "-m", "voice_guide"]) + args
    return subprocess.run(cmd, input=stdin, capture_output=True, cwd=cwd, env=env, timeout=TIMEOUT, check=False)


def assert_clean(proc: subprocess.CompletedProcess[bytes], rc: int = 0) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Fatal Python error" not in err, err
    assert proc.returncode == rc, (proc.returncode, err)


def json_lines(stdout: bytes) -> list[dict[str, Any]]:
    """Split on "\\n" only (U+2028 and friends may legally sit inside a JSON string) and parse strictly."""
    text = stdout.decode("utf-8")
    assert text == "" or text.endswith("\n"), "output must end with a newline"
    out = []
    for line in text.split("\n")[:-1]:
        out.append(json.loads(line, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}")))
    return out


# ----- understand --json --text -----
UTTERANCES: list[tuple[str, str | None, str | None]] = [
    # (input line, expected intent or None for "anything", an intent it must NOT be)
    ("Yes.", "yes", None),
    ("I don't think so", "no", None),
    ("it's not swollen", None, "red_flag"),
    ("my leg is red and swollen", "red_flag", None),
    ("I can't breathe", "emergency", None),
    ("what's the weather", "none", None),
    ("I have a cramp", "cramp_now", None),
    ("goodbye", "goodbye", None),
    ("", None, None),
    ("   ", None, None),
    ("\x00 \x1b[31mred text\x1b[0m", None, None),
    ("tab\there", None, None),
    ("line\u2028separator \u0085 inside", None, None),
    ("emoji 🦵 and ünïcödé", None, None),
    ("x" * 100_000, None, None),
    ("my leg is red " * 8000, None, None),
]


@pytest.fixture(scope="module")
def understood(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], str]:
    lines = [u for u, _, _ in UTTERANCES]
    raw = "\n".join(lines).encode("utf-8") + b"\n"
    proc = run_cli(["understand", "--json", "--text"], raw, tmp_path_factory.mktemp("understand"))
    assert_clean(proc)
    return json_lines(proc.stdout), proc.stderr.decode("utf-8")


def test_understand_one_json_line_per_input_line(understood: tuple[list[dict[str, Any]], str]) -> None:
    results, _ = understood
    assert len(results) == len(UTTERANCES)
    for obj in results:
        assert set(obj) == {"input", "transcript", "intent", "confidence"}
        assert obj["transcript"] == obj["input"]
        assert isinstance(obj["intent"], str) and obj["intent"]
        assert isinstance(obj["confidence"], int | float) and 0.0 <= obj["confidence"] <= 1.0


@pytest.mark.parametrize("index", range(len(UTTERANCES)), ids=[u[:30] or "empty" for u, _, _ in UTTERANCES])
def test_understand_table(understood: tuple[list[dict[str, Any]], str], index: int) -> None:
    results, _ = understood
    text, want, not_want = UTTERANCES[index]
    obj = results[index]
    # Long lines are cut (and the cut is reported on stderr); otherwise the input is echoed exactly.
    assert text.startswith(obj["input"])
    if len(text) <= 2000:
        assert obj["input"] == text
    if want is not None:
        assert obj["intent"] == want, obj
    if not_want is not None:
        assert obj["intent"] != not_want, obj


def test_understand_reports_cut_lines_on_stderr(understood: tuple[list[dict[str, Any]], str]) -> None:
    _, err = understood
    long_numbers = [i + 1 for i, (u, _, _) in enumerate(UTTERANCES) if len(u) > 2000]
    for n in long_numbers:
        assert f"line {n} " in err


def test_understand_output_has_no_raw_control_characters(tmp_path: Path) -> None:
    proc = run_cli(["understand", "--json", "--text"], b"\x00 \x1b[31mred\x1b[0m \x07\n", tmp_path)
    assert_clean(proc)
    assert b"\x1b" not in proc.stdout and b"\x00" not in proc.stdout and b"\x07" not in proc.stdout
    [obj] = json_lines(proc.stdout)
    assert obj["input"] == "\x00 \x1b[31mred\x1b[0m \x07"


def test_understand_non_utf8_lines(tmp_path: Path) -> None:
    raw = b"I have a \xff cramp\n\xc3\x28\nyes\n\xfe\xfe\xfe\xfe\n"
    proc = run_cli(["understand", "--json", "--text"], raw, tmp_path)
    assert_clean(proc)
    results = json_lines(proc.stdout)
    assert len(results) == 4
    assert results[2]["intent"] == "yes"
    err = proc.stderr.decode()
    assert "line 1 " in err and "line 2 " in err and "line 4 " in err and "UTF-8" in err
    assert "line 3 " not in err


def test_understand_crlf_and_missing_final_newline(tmp_path: Path) -> None:
    proc = run_cli(["understand", "--json", "--text"], b"Yes.\r\nI have a cramp", tmp_path)
    assert_clean(proc)
    assert [(o["input"], o["intent"]) for o in json_lines(proc.stdout)] == [("Yes.", "yes"),
                                                                             ("I have a cramp", "cramp_now")]


def test_understand_empty_stdin(tmp_path: Path) -> None:
    proc = run_cli(["understand", "--json", "--text"], b"", tmp_path)
    assert_clean(proc)
    assert proc.stdout == b""


def test_console_script_understand(tmp_path: Path) -> None:
    if not CONSOLE_SCRIPT.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    proc = run_cli(["understand", "--json", "--text"], b"I have a cramp\nI can't breathe\n", tmp_path,
                   exe=[str(CONSOLE_SCRIPT)])
    assert_clean(proc)
    assert [o["intent"] for o in json_lines(proc.stdout)] == ["cramp_now", "emergency"]


# ----- chat --json --no-delay -----
def chat(tmp_path: Path, lines: list[str] | bytes, *, no_delay: bool = True, config: str | None = None,
         rc: int = 0) -> tuple[list[dict[str, Any]], str]:
    raw = lines if isinstance(lines, bytes) else "".join(line + "\n" for line in lines).encode("utf-8")
    args = ["chat", "--json"] + (["--no-delay"] if no_delay else [])
    proc = run_cli(args, raw, tmp_path, config=config)
    assert_clean(proc, rc)
    events = json_lines(proc.stdout)
    assert all("event" in e for e in events)
    return events, proc.stderr.decode("utf-8", "replace")


def turns(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Events grouped by user turn: [before first intent], [intent 1 and its reply], ..."""
    out: list[list[dict[str, Any]]] = [[]]
    for e in events:
        if e["event"] == "intent":
            out.append([])
        out[-1].append(e)
    return out


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in events]


def test_chat_events_have_the_documented_fields(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["I have a cramp", "is this serious", "yes"])
    fields = {"intent": {"text", "intent", "confidence"}, "say": {"text", "key", "source", "urgent"},
              "wait": {"seconds"}, "escalate": {"level", "conditional"}, "end": {"scope", "outcome"}}
    assert {e["event"] for e in events} == set(fields)
    for e in events:
        assert set(e) == {"event"} | fields[e["event"]], e


def test_chat_cramp_next_step_then_gone(tmp_path: Path) -> None:
    g = default_guidance()
    events, _ = chat(tmp_path, ["I have a cramp", "yes", "it's gone"])
    _, cramp, yes, gone = turns(events)
    assert cramp[0]["intent"] == "cramp_now"
    assert kinds(cramp)[1:3] == ["say", "wait"]
    assert cramp[1]["key"] == g.relief_steps[0].key and "heel" in cramp[1]["text"].lower()
    assert cramp[2]["seconds"] == Timings().hold_seconds
    assert cramp[-1]["event"] == "say" and cramp[-1]["text"].endswith("?"), "a check-in question ends the turn"
    assert yes[0]["intent"] == "yes"
    assert g.relief_steps[1].key in [e.get("key") for e in yes], "yes moves on to the next relief step"
    assert g.relief_steps[0].key not in [e.get("key") for e in yes]
    assert gone[0]["intent"] == "feeling_better"
    assert {"event": "end", "scope": "episode", "outcome": "better"} in gone
    assert events[-1] == {"event": "end", "scope": "session", "outcome": "end_of_input"}


def test_chat_is_serious_one_question_per_turn_then_provider(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["is this serious", "no", "no", "yes"])
    _, ask, no1, no2, yes = turns(events)

    def questions(turn: list[dict[str, Any]]) -> list[str]:
        return [e["key"] for e in turn if e["event"] == "say" and e["key"].startswith("question.")]

    assert len(questions(ask)) == 1 and len(questions(no1)) == 1 and len(questions(no2)) == 1
    asked = questions(ask) + questions(no1) + questions(no2)
    assert len(set(asked)) == 3, "each answer moves to a new question"
    assert "escalate" not in kinds(ask + no1 + no2), "a no never escalates"
    assert questions(yes) == []
    esc = [e for e in yes if e["event"] == "escalate"]
    assert esc == [{"event": "escalate", "level": "provider", "conditional": False}]
    before = yes[kinds(yes).index("escalate") - 1]
    assert before["event"] == "say" and before["urgent"] is True and "provider" in before["text"].lower()


def test_chat_is_serious_yes_to_emergency_screen(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["is this serious", "yes"])
    esc = [e for e in events if e["event"] == "escalate"]
    assert esc == [{"event": "escalate", "level": "emergency", "conditional": False}]


def check_emergency_escalation(events: list[dict[str, Any]]) -> None:
    i = kinds(events).index("escalate")
    assert events[i] == {"event": "escalate", "level": "emergency", "conditional": False}
    say = events[i - 1]
    assert say["event"] == "say" and say["urgent"] is True
    assert "emergency services" in say["text"].lower()
    assert events[i - 2]["event"] == "intent" and events[i - 2]["intent"] == "emergency"


def test_chat_chest_pain_during_stretch_no_delay(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["start my bedtime stretch", "my chest hurts and I can't breathe"])
    assert events[0]["intent"] == "stretch_routine"
    check_emergency_escalation(events)


def test_chat_chest_pain_mid_hold_interrupts_the_stretch(tmp_path: Path) -> None:
    # Real holds (no --no-delay), made very long: the second line arrives while the first stretch is held,
    # so the escalation must come before the stretch moves on. No sleeping: input is already waiting.
    events, _ = chat(tmp_path, ["start my bedtime stretch", "my chest hurts and I can't breathe"],
                     no_delay=False, config="[timings]\nstretch_seconds = 600\n")
    g = default_guidance()
    keys = [e.get("key") for e in events]
    assert g.stretch_steps[1].key in keys
    assert g.stretch_steps[2].key not in keys, "the stretch went on instead of being interrupted"
    assert {"event": "wait", "seconds": 600.0} in events
    check_emergency_escalation(events)
    assert events[-1] == {"event": "end", "scope": "session", "outcome": "end_of_input"}


def test_chat_goodbye_ends_session_and_ignores_further_input(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["goodbye", "I have a cramp", "is this serious"])
    assert events[-1] == {"event": "end", "scope": "session", "outcome": "goodbye"}
    assert [e["intent"] for e in events if e["event"] == "intent"] == ["goodbye"]
    assert sum(e["event"] == "end" and e["scope"] == "session" for e in events) == 1


def test_chat_goodbye_mid_episode_ends_episode_then_session(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["I have a cramp", "goodbye"])
    ends = [e for e in events if e["event"] == "end"]
    assert ends == [{"event": "end", "scope": "episode", "outcome": "stopped"},
                    {"event": "end", "scope": "session", "outcome": "goodbye"}]


def test_chat_goodbye_exits_cleanly_while_stdin_stays_open(tmp_path: Path) -> None:
    # Like a terminal: the user says goodbye and the input stays open.
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(xdg), "LANG": "C.UTF-8"}
    proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "chat", "--json", "--no-delay"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=tmp_path, env=env)
    assert proc.stdin is not None
    try:
        proc.stdin.write(b"goodbye\n")
        proc.stdin.flush()
        rc = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read().decode("utf-8", "replace")
    proc.stdout.close()
    proc.stderr.close()
    assert "Fatal Python error" not in err and "Traceback" not in err, err
    assert rc == 0
    assert json_lines(out)[-1] == {"event": "end", "scope": "session", "outcome": "goodbye"}


def test_chat_end_of_input_gives_final_end(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["I have a cramp"])
    assert events[-1] == {"event": "end", "scope": "session", "outcome": "end_of_input"}
    assert sum(e["event"] == "end" and e["scope"] == "session" for e in events) == 1


def test_chat_empty_input(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, b"")
    assert events == [{"event": "end", "scope": "session", "outcome": "end_of_input"}]


def test_chat_empty_and_non_utf8_lines(tmp_path: Path) -> None:
    events, err = chat(tmp_path, b"\n   \n\xff\xfe junk\nI have a cramp\n")
    ts = turns(events)
    # The two blank lines get a spoken reply without an intent, before any intent.
    assert [e["event"] for e in ts[0]] == ["say", "say"]
    assert "line 1 " in err and "line 2 " in err
    assert "line 3 " in err and "UTF-8" in err
    # The non-UTF-8 line is still answered, and the conversation carries on normally.
    assert ts[1][0]["event"] == "intent" and any(e["event"] == "say" for e in ts[1])
    assert ts[2][0]["intent"] == "cramp_now"


def test_chat_control_characters_and_huge_line(tmp_path: Path) -> None:
    events, _ = chat(tmp_path, ["\x00\x1b[31m", "cramp " * 20000, "goodbye"])
    assert events[-1] == {"event": "end", "scope": "session", "outcome": "goodbye"}
    assert len([e for e in events if e["event"] == "intent"]) == 3


def test_chat_without_json_prints_human_text(tmp_path: Path) -> None:
    proc = run_cli(["chat", "--no-delay"], b"I have a cramp\n", tmp_path)
    assert_clean(proc)
    out = proc.stdout.decode("utf-8")
    assert "guide: " in out and "heel" in out.lower()
    assert '"event"' not in out
    for line in out.splitlines():
        assert not line.lstrip().startswith("{"), line


def test_unknown_subcommand_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli(["frobnicate"], b"", tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert "usage:" in err and "frobnicate" in err
    assert "Traceback" not in err


def test_unknown_subcommand_via_console_script(tmp_path: Path) -> None:
    if not CONSOLE_SCRIPT.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    proc = run_cli(["frobnicate"], b"", tmp_path, exe=[str(CONSOLE_SCRIPT)])
    assert proc.returncode != 0 and "usage:" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()
