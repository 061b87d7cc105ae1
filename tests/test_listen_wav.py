"""The live loop from a WAV (`voice-guide listen --wav`), each request in a new process: the first utterance."""

from pathlib import Path

import numpy as np
import pytest

from tests.speech_fixtures import VOICES, intents_heard_by_listen, synthesized
from voice_guide.audio import resample, write_wav
from voice_guide.speech_out import trim_silence

pytest.importorskip("pocketsphinx")
pytest.importorskip("pyttsx3")
REQUESTS = [("i have a cramp", "cramp_now"), ("my calf is swollen and red", "red_flag"), ("stop", "stop"),
            ("slow down please", "slower")]


def _spoken(text: str, index: int, gain: float = 0.3) -> np.ndarray:
    voice = VOICES[index % len(VOICES)]
    samples, rate = synthesized(text, voice=voice.id, rate=voice.rate, volume=voice.volume)
    return resample(samples.astype(np.float64) / 32768, rate, 16000) * gain


def _heard(tmp_path: Path, text: str, index: int) -> list[str]:
    x = _spoken(text, index)
    room = np.random.default_rng(index).normal(0.0, 0.0005, x.size + 40000)  # a quiet bedroom, not silence
    return _listen(tmp_path, f"request{index}", np.clip(np.concatenate([np.zeros(24000), x, np.zeros(16000)]) + room,
                                                         -1, 1))


def _listen(tmp_path: Path, name: str, audio: np.ndarray) -> list[str]:
    """The intents `listen --wav` acted on, in order."""
    wav = tmp_path / f"{name}.wav"
    write_wav(wav, audio, 16000)
    return intents_heard_by_listen(wav, tmp_path / "config")


def test_first_requests_of_a_session_are_understood(tmp_path):
    # The streamed pass alone understood 1 of these 4 first utterances (its noise and cepstral-mean estimates
    # start cold); with the whole-utterance second pass on "not understood", 4 of 4.
    heard = [_heard(tmp_path, text, i) for i, (text, _) in enumerate(REQUESTS)]
    right = sum(want in got for (_, want), got in zip(REQUESTS, heard, strict=True))
    assert right >= 3, list(zip(REQUESTS, heard, strict=True))


def test_requests_in_a_noisy_room_are_heard_from_the_first_second(tmp_path):
    # Speech close to the microphone over a fan 10 dB below it, running from the first sample, as when the
    # assistant starts in a noisy bedroom. Before the endpointer's calibration ignored the noise filter's
    # zero-filled first block, the filtered hiss counted as voice: the first utterance ran on for 8 s and
    # swallowed both requests.
    first, second = _spoken("i have a cramp", 0, gain=1.0), _spoken("stop", 1, gain=1.0)
    gap = np.zeros(32000)
    speech = np.concatenate([np.zeros(16000), first, gap, second, gap])
    level = float(np.sqrt(np.mean(np.concatenate([first, second]) ** 2)))
    fan = np.random.default_rng(7).normal(0.0, level / np.sqrt(10.0), speech.size)
    assert _listen(tmp_path, "noisy-room", np.clip(speech + fan, -1, 1)) == ["cramp_now", "stop"]


def test_a_pause_inside_a_request_in_a_noisy_room_does_not_cut_it(tmp_path):
    # "what" is a whole command (repeat) and "what can you do" another (help). Over a fan 20 dB below the voice,
    # a 300 ms pause after "what" ended the utterance there (a complete phrase in the partial hypothesis ended it
    # after 200 ms of quiet): voices were heard as "what" (repeat), then "do". In a noisy room, where quiet sounds
    # fall below the voice threshold, only an escalation ends an utterance early now; "what" waits for the silence.
    heard = []
    for index in (2, 3):
        first = trim_silence(_spoken("what", index, gain=1.0))
        rest = trim_silence(_spoken("can you do", index, gain=1.0))
        pause = np.zeros(4800)  # 300 ms: past the early end (200 ms), short of the end of an utterance (450 ms)
        speech = np.concatenate([np.zeros(32000), first, pause, rest, np.zeros(32000)])
        level = float(np.sqrt(np.mean(np.concatenate([first, rest]) ** 2)))
        fan = np.random.default_rng(3).normal(0.0, level / 10.0, speech.size)
        heard.append(_listen(tmp_path, f"noisy-pause{index}", np.clip(speech + fan, -1, 1)))
    assert all(len(intents) <= 1 and "repeat" not in intents for intents in heard), heard
    assert ["help"] in heard, heard
