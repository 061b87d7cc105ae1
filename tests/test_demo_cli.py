"""The README's run command on a machine without audio devices: `voice-guide demo` through the real pipeline."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide.audio import read_wav

pytest.importorskip("pocketsphinx")
pytest.importorskip("pyttsx3")
ROOT = Path(__file__).resolve().parents[1]


def test_demo_hears_the_spoken_request_and_speaks_the_first_step(tmp_path):
    reply = tmp_path / "reply.wav"
    proc = subprocess.run(
        [sys.executable, "-m", "voice_guide", "demo", "--json", "--backend", "pocketsphinx", "--reply-wav", str(reply)],
        capture_output=True, text=True, cwd=ROOT, timeout=180,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")},
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[0]["event"] == "intent" and events[0]["intent"] == "cramp_now", events[:2]
    says = [e for e in events if e["event"] == "say"]
    assert says and "heel" in says[0]["text"].lower(), says
    assert read_wav(reply).size > 16000  # more than a second of spoken reply
    assert "Traceback" not in proc.stderr
