"""Mains hum (50 or 60 Hz and its harmonics: a badly earthed microphone or charger): found and subtracted."""

import numpy as np
import pytest

from tests.speech_fixtures import VOICES, right_by_cli, right_with_and_without, speech
from voice_guide.hum import find_hum, without_hum

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
            assert abs(hum_left) < 0.1, hum_left  # over 20 dB down (32-42 dB when written)
            # What the fit also took of the voice is over 10 dB under the hum (11-14 dB when written).
            assert np.mean(voice_taken**2) < 0.1 * np.mean(hum_only**2)
    assert without_hum(np.zeros(0, dtype=np.int16)).size == 0
    assert without_hum(np.zeros(800, dtype=np.int16)).size == 800
    assert without_hum(np.zeros(16000, dtype=np.int16)).size == 16000


def _recordings() -> list[tuple[np.ndarray, str]]:
    """The commands in four voices, each with hum at 10 dB SNR, 50 or 60 Hz in turn."""
    return [(hummed(speech(text, voice, seed=i), 10.0, MAINS[i % 2], seed=i), intent)
            for voice in VOICES for i, (text, intent) in enumerate(COMMANDS)]


def test_commands_over_hum_are_understood_by_the_real_cli(tmp_path):
    right, heard = right_by_cli(tmp_path, _recordings())
    assert right >= 26, heard  # 29 of 32 when written; 20 without the subtraction (below)


def test_without_the_subtraction_hum_costs_commands(monkeypatch):
    # The counter-check of the test above: the same recordings, the subtraction taken out of the file path.
    removed, kept = right_with_and_without(_recordings(), "without_hum", monkeypatch)
    assert removed >= kept + 5, (removed, kept)  # 28 and 20 when written
