"""Voice settings changed by voice are remembered across runs (real CLI, real config dir)."""

import json
import os
import subprocess
import sys
from pathlib import Path


def chat(lines: str, xdg: Path) -> list[dict[str, object]]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(xdg / "cfg"), "XDG_DATA_HOME": str(xdg / "data")}
    out = subprocess.run([sys.executable, "-m", "voice_guide", "chat", "--json", "--no-delay", "--no-diary"],
                         input=lines, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_slower_and_softer_are_remembered_for_the_next_run(tmp_path: Path) -> None:
    chat("slower\nsofter\nsofter\n", tmp_path)
    remembered = tmp_path / "cfg" / "voice-guide" / "remembered.toml"
    text = remembered.read_text()
    assert "rate = 0.85" in text and "loudness = 0.5" in text
    # Next run: one more "slower" multiplies from the remembered voice.
    chat("slower\n", tmp_path)
    assert "rate = 0.722" in remembered.read_text()


def test_unwritable_config_dir_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "voice-guide").write_text("not a directory")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-m", "voice_guide", "chat", "--json", "--no-delay", "--no-diary"],
                         input="louder\nhelp\n", capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert "cannot remember the voice settings" in out.stderr
    assert any(json.loads(line).get("key") == "help" for line in out.stdout.splitlines())
