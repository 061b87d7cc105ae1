"""The project's own text-to-speech (pyttsx3 on espeak-ng): the same text comes out the same, as asked for."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide.errors import UserError
from voice_guide.tts_synth import synthesize

ROOT = Path(__file__).resolve().parents[1]
PHRASES = ("i have a cramp", "next", "stop", "say that again", "is this serious", "what causes this", "go back",
           "slower please")
# Prints one "digest:length" per phrase, synthesized in a row in one fresh process, as a test module's speech is.
SCRIPT = """
import hashlib, sys
from voice_guide.tts_synth import synthesize
for text in sys.argv[2:]:
    samples, rate = synthesize(text, voice=sys.argv[1], rate=140, volume=0.8)
    print(hashlib.sha256(samples.tobytes()).hexdigest()[:16], samples.size, rate)
"""


def _synthesized_in_fresh_process(voice: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, voice, *PHRASES], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    return proc.stdout.splitlines()


@pytest.mark.parametrize("voice", ["gmw/en-us+f3", "gmw/en-gb-x-rp"])
def test_the_same_phrases_come_out_identical_in_every_fresh_process(voice: str) -> None:
    # Before the engine was kept and espeak-ng's thread waited on, about 1 run in 10 cut a phrase short (pyttsx3's
    # runAndWait cancelled espeak-ng while our rate and volume were still queued), so test speech changed by run.
    runs = [_synthesized_in_fresh_process(voice) for _ in range(4)]
    assert len(runs[0]) == len(PHRASES)
    assert all(run == runs[0] for run in runs[1:]), runs


def test_rate_and_volume_are_applied_to_the_text_that_follows() -> None:
    slow, rate = synthesize("say that again please", voice="gmw/en-us", rate=100, volume=1.0)
    fast, _ = synthesize("say that again please", voice="gmw/en-us", rate=250, volume=1.0)
    quiet, _ = synthesize("say that again please", voice="gmw/en-us", rate=250, volume=0.3)
    assert rate == 22050
    assert slow.size > 1.8 * fast.size  # 100 against 250 words per minute
    assert abs(quiet.size - fast.size) < 0.02 * fast.size
    loud_peak = int(abs(fast.astype(int)).max())
    quiet_peak = int(abs(quiet.astype(int)).max())
    assert quiet_peak < 0.5 * loud_peak
    digest = {hashlib.sha256(x.tobytes()).hexdigest() for x in (slow, fast, quiet)}
    assert len(digest) == 3


def test_an_unknown_voice_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="unknown voice"):
        synthesize("next", voice="no-such-voice")


def _say_with_voice_config(config_home: Path, voice: str, out: Path) -> subprocess.CompletedProcess[str]:
    """`voice-guide say ... --wav out` (real CLI) with `[voice] voice` set in the user's config file."""
    (config_home / "voice-guide").mkdir(exist_ok=True)
    (config_home / "voice-guide" / "config.toml").write_text(f'[voice]\nvoice = "{voice}"\n', encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "voice_guide", "say", "hello there", "--wav", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "XDG_CONFIG_HOME": str(config_home)})


def test_a_misspelt_voice_in_the_config_is_one_clear_line_at_start_up(tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    proc = _say_with_voice_config(tmp_path, "en-uss", out)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "voice-guide: error: unknown voice 'en-uss': choose one that 'espeak-ng --voices=en' lists (e.g. gmw/en-us, "
        "en-us+f3), or leave it empty for the default"]
    assert not out.exists()
    proc = _say_with_voice_config(tmp_path, "en-us+f3", out)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 10000
