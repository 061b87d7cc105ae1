"""A DC offset under a recording (some microphones and files carry one): read from the background and removed."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.speech_fixtures import VOICES, intent_heard, intents_heard_by_listen, speech
from voice_guide import recognize_files
from voice_guide.asr.base import detect_backend, load_recognizer
from voice_guide.audio import write_wav
from voice_guide.dc_offset import StreamingDcBlocker, without_dc
from voice_guide.matcher import default_model

pytest.importorskip("pocketsphinx")
pytest.importorskip("pyttsx3")
ROOT = Path(__file__).resolve().parents[1]
# Without the offset removed, 4 of these 8 (2 voices) went wrong with 3000 added: "stop", "next" twice, "go back".
REQUESTS = [("i have a cramp", "cramp_now"), ("stop", "stop"), ("next", "next"), ("go back", "back")]
OFFSET = 3000  # -21 dBFS; 300 (-41 dBFS) already cost set A 5 of 96 clean recordings


def _offset(samples: np.ndarray, offset: int) -> np.ndarray:
    return np.clip(samples.astype(np.int32) + offset, -32768, 32767).astype(np.int16)


def _recordings() -> list[tuple[np.ndarray, str]]:
    return [(speech(text, voice, seed=i), intent) for i, (text, intent) in enumerate(REQUESTS) for voice in VOICES[:2]]


def test_the_offset_is_read_from_the_background_and_speech_is_kept():
    clean = speech("i have a cramp", VOICES[0])
    for offset in (300, OFFSET, -1000):
        restored = without_dc(_offset(clean, offset))
        assert np.abs(restored.astype(np.int32) - clean).max() <= 2, offset
    # Voiced speech has a mean of its own; a recording centred under its words is left exactly as it is,
    # and so is a noisy one, whose background wanders more than any offset that small could matter.
    assert without_dc(clean) is clean
    noisy = speech("i have a cramp", VOICES[1], snr_db=10.0)
    assert without_dc(noisy) is noisy
    assert without_dc(np.zeros(0, dtype=np.int16)).size == 0


def test_a_stream_loses_its_offset_from_the_first_chunk_on():
    clean = speech("stop", VOICES[2])
    blocker = StreamingDcBlocker()
    chunks = np.array_split(_offset(clean, OFFSET), clean.size // 320)
    out = np.concatenate([blocker.process(chunk) for chunk in chunks])
    assert abs(blocker.offset - OFFSET) < 3
    assert np.abs(out[:320].astype(np.int32) - clean[:320]).max() <= 3  # the first 20 ms: room noise, centred
    assert np.abs(out.astype(np.int32) - clean).max() <= 3
    untouched = StreamingDcBlocker()
    chunks = np.array_split(clean, clean.size // 320)
    assert all(untouched.process(chunk) is chunk for chunk in chunks)


def test_requests_over_an_offset_are_understood_by_the_real_cli(tmp_path):
    recordings = _recordings()
    files = []
    for i, (samples, _) in enumerate(recordings):
        path = tmp_path / f"offset{i}.wav"
        write_wav(path, _offset(samples, OFFSET), 16000)
        files.append(path)
    proc = subprocess.run([sys.executable, "-m", "voice_guide", "understand", "--json", "--backend", "pocketsphinx",
                           *map(str, files)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    heard = [json.loads(line)["intent"] for line in proc.stdout.splitlines()]
    assert heard == [intent for _, intent in recordings], heard


def test_without_the_removal_the_offset_costs_requests(monkeypatch):
    # The counter-check of the test above: the same recordings, the removal taken out of the file path.
    monkeypatch.setattr(recognize_files, "without_dc", lambda samples: samples)
    recognizer = load_recognizer(detect_backend(), wake_phrase="")
    model = default_model()
    wrong = 0
    for samples, intent in _recordings():
        outcome = recognize_files.recognize_samples(_offset(samples, OFFSET), recognizer)
        heard = intent_heard(outcome, model)
        wrong += heard != intent
    assert wrong >= 2


def test_a_live_session_over_an_offset_is_heard(tmp_path):
    # The microphone's offset is taken out before the room's level is learned. Left in, this quiet bedroom read as
    # a noisy one (the live filter's room level -67 dBFS -> -21 dBFS, over its -55 dBFS switch; -41 with 300), and
    # the session was heard as cramp_now, stop: "next" was lost (checked with the live removal taken out).
    session = [("i have a cramp", "cramp_now"), ("next", "next"), ("stop", "stop")]
    room = np.random.default_rng(5).normal(0.0, 15.0, 16000).astype(np.int16)  # a second of a quiet bedroom
    parts = [room]
    for i, (text, _) in enumerate(session):
        parts += [speech(text, VOICES[0], seed=i), room, room]
    wav = tmp_path / "session.wav"
    write_wav(wav, _offset(np.concatenate(parts), OFFSET), 16000)
    assert intents_heard_by_listen(wav, tmp_path / "config") == [want for _, want in session]
