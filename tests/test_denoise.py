"""Noise reduction on real synthesized speech with white noise mixed in."""

import numpy as np
import pytest

from tests.speech_fixtures import PAD_SECONDS, VOICES, speech
from voice_guide.denoise import NOISY_BELOW_DB, estimate_snr_db, reduce_noise_if_noisy, wiener

pytest.importorskip("pyttsx3")


def _level_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-9))


def test_clean_speech_passes_untouched():
    clean = speech("my calf is cramping", VOICES[0])
    assert estimate_snr_db(clean) > NOISY_BELOW_DB
    assert reduce_noise_if_noisy(clean) is clean


def test_noisy_speech_is_cleaned_and_the_words_kept():
    clean = speech("is this serious", VOICES[1])
    lead = int(0.8 * PAD_SECONDS * 16000)  # noise only: before the words start
    words = clean[lead:-lead].astype(np.float64)
    noise = np.random.default_rng(1).normal(0.0, np.sqrt(np.mean(words**2) / 10 ** (5 / 10)), clean.size)
    noisy = np.clip(clean + noise, -32768, 32767).astype(np.int16)  # 5 dB SNR
    assert estimate_snr_db(noisy) < NOISY_BELOW_DB
    out = reduce_noise_if_noisy(noisy)
    assert out.shape == noisy.shape and out.dtype == np.int16
    assert _level_db(out[:lead]) < _level_db(noisy[:lead]) - 10  # the noise floor drops by more than 10 dB
    # Closer to the clean recording than the noisy one was (correlation over the whole utterance).
    assert np.corrcoef(out, clean)[0, 1] > np.corrcoef(noisy, clean)[0, 1] + 0.05
    assert _level_db(out[lead:-lead]) > _level_db(clean[lead:-lead]) - 6  # the speech itself is not cut away


def test_short_and_silent_inputs():
    short = np.arange(100, dtype=np.int16)
    assert reduce_noise_if_noisy(short) is short
    silent = np.zeros(16000, np.int16)
    assert np.array_equal(wiener(silent), silent)
