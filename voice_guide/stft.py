"""Short-time spectra of a whole recording and their overlap-add resynthesis, for the noise and echo filters."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def short_time_spectra(
    x: npt.NDArray[np.float64], fft: int, hop: int, window: npt.NDArray[np.float64], lead: int
) -> tuple[npt.NDArray[np.complex128], npt.NDArray[np.int64], int]:
    """Spectra of windowed frames every hop samples, their starts, and the padded length (for overlap_add).

    x is padded with lead zeros before it and enough after it (lead more) to fill the last frame.
    """
    pad = (-(x.size - fft) % hop) if x.size > fft else fft - x.size
    padded = np.concatenate([np.zeros(lead), x, np.zeros(pad + lead)])
    starts = np.arange(0, padded.size - fft + 1, hop)
    return np.fft.rfft(window * padded[starts[:, None] + np.arange(fft)[None, :]], axis=1), starts, padded.size


def overlap_add(
    spectra: npt.NDArray[np.complex128], starts: npt.NDArray[np.int64], size: int, window: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The padded signal rebuilt from (filtered) spectra: each frame windowed again and added at its start."""
    fft = window.size
    out = np.zeros(size)
    for spectrum, start in zip(spectra, starts, strict=True):
        out[start : start + fft] += window * np.fft.irfft(spectrum, fft)
    return out


def to_pcm(y: npt.NDArray[np.float64]) -> npt.NDArray[np.int16]:
    """Filtered samples (int16 scale) rounded and clipped back to 16-bit PCM."""
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)
