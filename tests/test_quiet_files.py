"""Quiet recordings (a whisper, a phone far from the bed) through the real CLI: raised as the live loop raises them."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.speech_fixtures import VOICES, speech
from voice_guide.audio import rms_dbfs, write_wav
from voice_guide.endpoint import EndpointConfig
from voice_guide.recognize_files import raised_if_quiet, speech_level_dbfs

pytest.importorskip("pocketsphinx")
pytest.importorskip("pyttsx3")
ROOT = Path(__file__).resolve().parents[1]
REQUESTS = [("i have a cramp", "cramp_now"), ("stop", "stop"), ("is this serious", "is_serious")]
ROOM_DBFS = -75.0  # a quiet recording's own noise floor: real microphones are never digitally silent


def _quiet(samples: np.ndarray, down_db: float, seed: int) -> np.ndarray:
    """The recording down_db quieter, over a faint room noise floor, as float samples (full scale 1.0)."""
    x = samples.astype(np.float64) / 32768 * 10 ** (-down_db / 20)
    return x + np.random.default_rng(seed).normal(0, 10 ** (ROOM_DBFS / 20), x.size)


def test_speech_30_db_down_is_understood_and_a_quiet_room_is_not_speech(tmp_path):
    files, expected = [], []
    for i, (text, intent) in enumerate(REQUESTS):
        for voice in VOICES[:2]:
            path = tmp_path / f"quiet{len(files)}.wav"
            write_wav(path, _quiet(speech(text, voice, seed=i), 30.0, len(files)), 16000)
            files.append(path)
            expected.append(intent)
    room = tmp_path / "room.wav"  # the same faint floor with nobody speaking
    write_wav(room, np.random.default_rng(99).normal(0, 10 ** (ROOM_DBFS / 20), 32000), 16000)
    proc = subprocess.run([sys.executable, "-m", "voice_guide", "understand", "--json", "--backend", "pocketsphinx",
                           *map(str, files), str(room)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["input"] for line in lines] == [*map(str, files), str(room)]
    # Before quiet files were raised every one of these came out "no speech" (intent none).
    assert [line["intent"] for line in lines[:-1]] == expected, lines
    assert lines[-1]["transcript"] == "" and lines[-1]["intent"] == "none", lines[-1]


def _gain_db(before: np.ndarray, after: np.ndarray) -> float:
    return rms_dbfs(after) - rms_dbfs(before)


def test_only_quiet_recordings_are_raised_and_by_at_most_the_live_bound():
    config = EndpointConfig()
    ordinary = speech("i have a cramp", VOICES[0])
    assert raised_if_quiet(ordinary) is ordinary  # at an ordinary level: decoded exactly as before
    quiet = np.clip(_quiet(ordinary, 30.0, 1) * 32768, -32768, 32767).astype(np.int16)
    level = speech_level_dbfs(quiet, config)
    assert level is not None and level < config.target_dbfs - 25, level
    assert abs(_gain_db(quiet, raised_if_quiet(quiet)) - (config.target_dbfs - level)) < 0.1
    # 45 dB down: raised by the live loop's bound (30 dB), no more.
    faint = np.clip(_quiet(ordinary, 45.0, 2) * 32768, -32768, 32767).astype(np.int16)
    assert abs(_gain_db(faint, raised_if_quiet(faint)) - config.max_gain_db) < 0.1
    # Steady noise alone has no voiced frames: nothing to raise.
    hum = np.random.default_rng(3).normal(0, 30, 32000).astype(np.int16)
    assert speech_level_dbfs(hum, config) is None and raised_if_quiet(hum) is hum
