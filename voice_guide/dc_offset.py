"""Removing a DC offset: a constant bias under the whole recording, which some microphones and files carry.

Every level the pipeline reads assumes the background is centred on zero: the noise floor (denoise.estimate_snr_db,
the live filter's room level), the speech frames and the trimming. An offset of 300 (-41 dBFS, inaudible) read as a
noisy room, so clean speech was Wiener-filtered and heard by the noisy room's model.

The offset is read from the quietest frames, where only the background is: voiced speech has a mean of its own
(espeak-ng's recordings of set A: 16-48 over the whole recording, nearly all of it in the words), and taking the
whole recording's mean put that under the silence instead.

Measured (set A's 96 recordings in 4 espeak-ng voices, decoded as files, right intents): clean 94, with 300 added
89, with 3000 added 85; with the offset removed 94 in all three. Recordings whose background is centred (every
recording of the evaluation sets) are left bit for bit as they were.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from .audio import Int16Array

FRAME = 320
"""20 ms frames at 16 kHz, as audio.frame_levels reads levels."""
QUIET_SHARE = 20.0
"""The background is read from the quietest fifth of the frames (as denoise.wiener reads the noise)."""
NEGLIGIBLE = 8.0
"""An offset under this (about -72 dBFS) is left alone: the recording stays exactly as it was."""
BELOW_BACKGROUND = 0.5
"""Nor is one under half the background's own RMS: it changes the background's level by under 1 dB, and in a noisy
recording the mean of a few frames of noise wanders that far by chance (up to 65 at 5 dB SNR in set A)."""
HISTORY_FRAMES = 150
"""A live stream's offset is read from its last 3 s of frames."""


def _offset(means: npt.NDArray[np.float64], powers: npt.NDArray[np.float64]) -> float:
    """The background's offset: the median mean of the quietest frames (0 when it is negligible).

    Quietest: the QUIET_SHARE percent with the least power about their own mean. Negligible: under NEGLIGIBLE, or
    under BELOW_BACKGROUND times those frames' RMS.
    """
    quiet = powers <= np.percentile(powers, QUIET_SHARE)
    offset = float(np.median(means[quiet]))
    background = float(np.sqrt(np.median(powers[quiet])))
    return offset if abs(offset) >= max(NEGLIGIBLE, BELOW_BACKGROUND * background) else 0.0


def _frame_stats(samples: Int16Array) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each frame's mean and its power about that mean: frames of FRAME samples, the remainder shared among them.

    A short remainder on its own would look like the quietest frame of all.
    """
    x = samples.astype(np.float64)
    frames = np.array_split(x, max(1, x.size // FRAME))
    means = np.array([f.mean() for f in frames])
    powers = np.array([f.var() for f in frames])
    return means, powers


def _shifted(samples: Int16Array, offset: float) -> Int16Array:
    """The samples minus the offset in whole steps (the samples themselves when it is 0)."""
    step = round(offset)
    if step == 0:
        return samples
    return np.clip(samples.astype(np.int32) - step, -32768, 32767).astype(np.int16)


def without_dc(samples: Int16Array) -> Int16Array:
    """The recording minus the offset of its quietest frames (unchanged when that is negligible: _offset)."""
    if samples.size == 0:
        return samples
    return _shifted(samples, _offset(*_frame_stats(samples)))


class StreamingDcBlocker:
    """without_dc for a live stream: the offset is read from the quietest frames of the last 3 s, chunk by chunk."""

    def __init__(self) -> None:
        self._means: deque[float] = deque(maxlen=HISTORY_FRAMES)
        self._powers: deque[float] = deque(maxlen=HISTORY_FRAMES)

    @property
    def offset(self) -> float:
        """The offset read so far (0 before any audio)."""
        if not self._means:
            return 0.0
        return _offset(np.array(self._means), np.array(self._powers))

    def process(self, chunk: Int16Array) -> Int16Array:
        """The chunk with the offset read up to and including it removed."""
        if chunk.size == 0:
            return chunk
        means, powers = _frame_stats(chunk)
        self._means.extend(means.tolist())
        self._powers.extend(powers.tolist())
        return _shifted(chunk, self.offset)
