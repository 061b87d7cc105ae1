"""Echo reduction for reverberant recordings: the room's decay time read from the words, late echo subtracted."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .audio import TARGET_RATE as RATE
from .audio import Int16Array
from .stft import overlap_add, short_time_spectra, to_pcm

FFT = 512
HOP = 128
"""8 ms steps: the late-reverberation estimate is a delayed copy of the spectrum, so its delay needs a fine grid."""
WINDOW = np.sqrt(np.hanning(FFT + 1)[:FFT])
"""Square-root periodic Hann for analysis and synthesis: at a quarter-frame hop the two sum to FFT / HOP / 2."""
LATE_AFTER_S = 0.05
"""Reflections later than this smear one sound into the next; earlier ones colour it, which the model tolerates."""
GAIN_FLOOR = 0.2
"""Lowest gain per bin (-14 dB): deeper cuts leave gaps the recognizer hears as phones."""
ENVELOPE_HOP, ENVELOPE_WINDOW = 160, 320
"""The level envelope the decay is read from: 20 ms frames every 10 ms."""
DECAY_SPAN = 5
"""Frames (50 ms) over which one fall of the level is measured."""
REVERBERANT_BELOW_DB_PER_S = 260.0
"""A recording whose fastest falls of level (95th percentile) are slower than this is reverberant: sound cannot die
away faster than the room lets it. Cached set A, 4 espeak-ng voices: dry recordings clean 305-1002 dB/s (median
690), Wiener-filtered at 5 dB 236-540 (median 389, a tenth below 306); in a simulated bedroom (RT60 0.3 s) clean
169-330 (median 216), filtered at 5 dB 160-285 (median 233); RT60 0.6 s clean 109-222 (median 143). Pico and
MBROLA voices (cut from human speech) clean: 304 and 319 at the slowest."""


def _envelope_db(samples: Int16Array) -> npt.NDArray[np.float64]:
    """The level of 20 ms frames every 10 ms, in dB."""
    n = (samples.size - ENVELOPE_WINDOW) // ENVELOPE_HOP
    if n <= 0:
        return np.zeros(0)
    index = np.arange(ENVELOPE_WINDOW)[None, :] + ENVELOPE_HOP * np.arange(n)[:, None]
    frames = samples.astype(np.float64)[index]
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-3)


def decay_rate_db_per_s(samples: Int16Array) -> float:
    """How fast the recording's level falls where it falls fastest (95th percentile of 50 ms falls), in dB/s.

    Only steady falls that start near the loudest speech are counted, and only down to 5 dB above the noise floor
    (its 10th percentile), so that noise neither adds falls nor cuts them short. inf when fewer than three exist.
    """
    level = _envelope_db(samples)
    if level.size < 4 * DECAY_SPAN:
        return float("inf")
    floor, top = float(np.percentile(level, 10)), float(np.percentile(level, 95))
    windows = np.lib.stride_tricks.sliding_window_view(level, DECAY_SPAN + 1)
    start, end = windows[:, 0], windows[:, -1]
    steady = np.all(np.diff(windows, axis=1) <= 1.0, axis=1)
    counted = steady & (start > floor + 20.0) & (start >= top - 25.0) & (end < start)
    if np.count_nonzero(counted) < 3:
        return float("inf")
    falls = (start[counted] - np.maximum(end[counted], floor + 5.0)) / (DECAY_SPAN * ENVELOPE_HOP / RATE)
    return float(np.percentile(falls, 95))


def reverberation_time(samples: Int16Array) -> float | None:
    """The room's RT60 (seconds for sound to fall 60 dB) as the words show it, or None for a dry recording."""
    rate = decay_rate_db_per_s(samples)
    return 60.0 / rate if rate < REVERBERANT_BELOW_DB_PER_S else None


def suppress_late_reverb(samples: Int16Array, rt60: float) -> Int16Array:
    """The recording with the echo of its own earlier sound subtracted (Lebart's spectral subtraction).

    In an exponentially decaying room the power arriving LATE_AFTER_S after a sound is that sound's power times
    exp(-2 delta LATE_AFTER_S), delta = 3 ln 10 / rt60: each bin loses what its own spectrum LATE_AFTER_S earlier
    predicts, never below GAIN_FLOOR.
    """
    spectra, starts, size = short_time_spectra(samples.astype(np.float64), FFT, HOP, WINDOW, lead=FFT)
    power = np.abs(spectra) ** 2
    delay = max(1, round(LATE_AFTER_S * RATE / HOP))
    late = np.zeros_like(power)
    late[delay:] = np.exp(-2.0 * 3.0 * np.log(10.0) / rt60 * delay * HOP / RATE) * power[:-delay]
    gain = np.sqrt(np.maximum(1.0 - late / (power + 1e-9), GAIN_FLOOR**2))
    out = overlap_add(gain * spectra, starts, size, WINDOW)
    return to_pcm(out[FFT : FFT + samples.size] / (FFT / HOP / 2))


def reduce_reverb_if_reverberant(samples: Int16Array) -> Int16Array:
    """The recording with late reverberation suppressed when it is reverberant (reverberation_time), else as it is."""
    rt60 = reverberation_time(samples)
    return samples if rt60 is None else suppress_late_reverb(samples, rt60)
