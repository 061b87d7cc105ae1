"""Mains hum (50 or 60 Hz and its harmonics: a badly earthed microphone or charger): found and subtracted."""

from difflib import SequenceMatcher

import numpy as np
import pytest

from tests.speech_fixtures import VOICES, intents_heard_by_listen, right_by_cli, right_with_and_without, speech
from voice_guide.asr.base import detect_backend, load_recognizer
from voice_guide.audio import write_wav
from voice_guide.commands.listen import SilentSpeech
from voice_guide.hum import StreamingHumCanceller, find_hum, without_hum
from voice_guide.matcher import Match, NoMatch, default_model
from voice_guide.voice_loop import LoopSettings, VoiceLoop

pytest.importorskip("pocketsphinx")
pytest.importorskip("pyttsx3")
COMMANDS = [("go on", "next"), ("hold on", "pause"), ("stop", "stop"), ("speed up", "faster"), ("yes", "yes"),
            ("nope", "no"), ("i have a cramp", "cramp_now"), ("say that again", "repeat")]
# Off the nominal frequencies, as a grid and a device's clock put them.
MAINS = (50.03, 59.96)


def hum_tone(size: int, mains_hz: float, seed: int) -> np.ndarray:
    """Hum of unit power: harmonics 1-8 of mains_hz, each 1/k of the first, random phases."""
    rng = np.random.default_rng(seed)
    t = np.arange(size) / 16000
    hum = sum(np.sin(2 * np.pi * k * mains_hz * t + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 9))
    return hum / np.sqrt(np.mean(hum**2))


def hummed(samples: np.ndarray, snr_db: float, mains_hz: float, seed: int) -> np.ndarray:
    """samples with hum_tone at snr_db under the whole file's power."""
    x = samples.astype(np.float64)
    hum = hum_tone(x.size, mains_hz, seed) * np.sqrt(np.mean(x**2) / 10 ** (snr_db / 10))
    return np.clip(x + hum, -32768, 32767).astype(np.int16)


def test_hum_is_found_and_subtracted_and_other_recordings_are_kept():
    for i, voice in enumerate(VOICES[:2]):
        clean = speech("i have a cramp", voice)
        assert find_hum(clean) is None and without_hum(clean) is clean  # bit for bit: no figure moves
        white = speech("i have a cramp", voice, snr_db=5.0)
        assert without_hum(white) is white
        held = speech("mmmmmmmmmmmm", voice)  # one steady hum of the voice's own: sharp peaks, but only while it lasts
        assert without_hum(held) is held
        for mains in MAINS:
            hum_only = hum_tone(clean.size, mains, seed=i) * np.sqrt(np.mean(clean.astype(np.float64) ** 2) / 10)
            with_hum = np.clip(clean + hum_only, -32768, 32767).astype(np.int16)  # hum 10 dB under the file
            found = find_hum(with_hum)
            assert found is not None and abs(found[0] - mains) < 0.05, found
            change = without_hum(with_hum).astype(np.float64) - clean
            hum_left = np.dot(change, hum_only) / np.dot(hum_only, hum_only)  # the share of the hum still there
            voice_taken = change - hum_left * hum_only
            # Over 40 dB down (62-78 dB when written; 32-42 dB before the fit was weighted towards the room).
            assert abs(hum_left) < 0.01, hum_left
            # What the fit also took of the voice is over 30 dB under the hum (38-52 dB when written; 11-14 dB before
            # the fit was weighted towards the room).
            assert np.mean(voice_taken**2) < 1e-3 * np.mean(hum_only**2)
    assert without_hum(np.zeros(0, dtype=np.int16)).size == 0
    assert without_hum(np.zeros(800, dtype=np.int16)).size == 800
    assert without_hum(np.zeros(16000, dtype=np.int16)).size == 16000


def _recordings() -> list[tuple[np.ndarray, str]]:
    """The commands in four voices, each with hum at 10 dB SNR, 50 or 60 Hz in turn."""
    return [(hummed(speech(text, voice, seed=i), 10.0, MAINS[i % 2], seed=i), intent)
            for voice in VOICES for i, (text, intent) in enumerate(COMMANDS)]


def test_commands_over_hum_are_understood_by_the_real_cli(tmp_path):
    right, heard = right_by_cli(tmp_path, _recordings())
    # 31 of 32 when written (29 before the fit was weighted towards the room); 18 without the subtraction (below).
    assert right >= 29, heard


def test_without_the_subtraction_hum_costs_commands(monkeypatch):
    # The counter-check of the test above: the same recordings, the subtraction taken out of the file path.
    removed, kept = right_with_and_without(_recordings(), "without_hum", monkeypatch)
    assert removed >= kept + 8, (removed, kept)  # 31 and 18 when written (28 and 20 before the weighted fit)


SESSION = [("i have a cramp", "cramp_now"), ("next", "next"), ("slower please", "slower"), ("go back", "back"),
           ("stop", "stop")]


def _session_over_hum(voice_index: int) -> np.ndarray:
    """SESSION in one voice, a quiet bedroom's second or two between requests, one steady hum 10 dB under the words."""
    rng = np.random.default_rng(voice_index)
    parts, speech_power = [rng.normal(0.0, 15.0, 16000)], []
    for i, (text, _) in enumerate(SESSION):
        words = speech(text, VOICES[voice_index], seed=i).astype(np.float64)
        speech_power.append(np.mean(words[6400:-6400] ** 2))  # without speech()'s padding
        parts += [words, rng.normal(0.0, 15.0, 32000)]
    x = np.concatenate(parts)
    hum = hum_tone(x.size, MAINS[voice_index % 2], seed=voice_index) * np.sqrt(np.mean(speech_power) / 10)
    return np.clip(x + hum, -32768, 32767).astype(np.int16)


def _in_order(heard: list[str]) -> int:
    """How many of SESSION's intents were heard, in order (a request missed or heard wrong counts as lost)."""
    wanted = [intent for _, intent in SESSION]
    return sum(block.size for block in SequenceMatcher(a=wanted, b=heard).get_matching_blocks())


def test_live_sessions_over_hum_are_heard_by_the_real_cli(tmp_path):
    # The live loop subtracts hum as it streams (hum.StreamingHumCanceller), before its noise filter learns the room.
    right = 0
    for v in range(len(VOICES)):
        wav = tmp_path / f"session{v}.wav"
        write_wav(wav, _session_over_hum(v), 16000)
        heard = intents_heard_by_listen(wav, tmp_path / "config")
        right += _in_order(heard)
    # Of 20 requests: 18 when written (en-gb's "slower please" was lost); in process 19, and 9 without the canceller
    # (below), where "next" was heard as stop.
    assert right >= 16, right


class _Intents:
    """The live loop's output: the intent of each utterance it acted on, in order."""

    def __init__(self) -> None:
        self.intents: list[str] = []

    def intent(self, text: str, result: Match | NoMatch) -> None:
        self.intents.append(result.intent)

    def action(self, action: object) -> None:
        pass


def test_without_the_live_canceller_hum_costs_requests():
    # The counter-check of the test above, in process: the same sessions through the live loop, with the canceller
    # and with one that passes every chunk through.
    recognizer = load_recognizer(detect_backend(), wake_phrase="")
    model = default_model()

    class PassThrough(StreamingHumCanceller):
        def process(self, chunk: np.ndarray) -> np.ndarray:
            return chunk

    def right(canceller: type[StreamingHumCanceller]) -> int:
        total = 0
        for v in range(len(VOICES)):
            heard = _Intents()
            loop = VoiceLoop(recognizer=recognizer, speech=SilentSpeech(), output=heard, model=model,
                             settings=LoopSettings(always_listen=True), diary=None, dehummer=canceller())
            stream = _session_over_hum(v)
            for start in range(0, stream.size, 320):  # the microphone's 20 ms blocks
                loop.feed(stream[start:start + 320])
            loop.run([])
            total += _in_order(heard.intents)
        return total

    with_canceller, without = right(StreamingHumCanceller), right(PassThrough)
    assert with_canceller >= without + 6, (with_canceller, without)  # 19 and 9 of 20 when written
