"""Removing mains hum: a steady 50 or 60 Hz tone and its harmonics, which a badly earthed microphone or charger adds.

Hum lies in the voice's own band (its harmonics reach 120-400 Hz and beyond), so neither the rumble step nor the
Wiener filter is made for it: the filter's gain floor leaves a tone 10 dB under the speech audible, and every level
read after (the SNR estimate, the speech frames) reads the hum as a noisy room. Because hum is one exact frequency
and its multiples, it can be taken out exactly: each harmonic's amplitude and phase are fitted by least squares over
2 s blocks (a slow drift is followed) and subtracted. The fit is weighted towards the room between the words, so
what the words have at those frequencies is neither taken from them nor put back as a tone where they are not.
StreamingHumCanceller does the same for the live stream, chunk by chunk, with no delay.

A recording has hum when a harmonic of 50 or 60 Hz stands far above its neighbours in the whole recording's
spectrum (HUM_PEAK_DB) and also in its quietest half second (QUIET_PEAK_DB), where there are no words: a steady
sung vowel can make one sharp peak, but only while it lasts. Every other recording is returned unchanged (the same
object), so no figure measured without hum moves.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .audio import TARGET_RATE, Int16Array
from .stft import to_pcm

MAINS_HZ = (50.0, 60.0)
"""Mains frequencies: Europe, Asia, Africa and Australia at 50 Hz, the Americas at 60 Hz."""
HIGHEST_HARMONIC_HZ = 4000.0
"""Harmonics are looked for up to here: above it a buzz's harmonics carry little power."""
HUM_PEAK_DB = 24.0
"""A harmonic at least this far above the median of its neighbours (5-25 Hz away) in the whole recording. Measured
on 3,000 recordings without hum (set A, blind set H, 8 unseen voices, short lines, slow and fast speech, 85
non-commands; clean, white and pink noise at 10 and 5 dB): 28 dB at most (a held "mmm"); hum 10 to 30 dB under the
speech: 26 dB and more."""
QUIET_PEAK_DB = 12.0
"""...and this far above them in the quietest half second, where only the room is. Recordings without hum: 16 dB at
most, but never together with a whole-recording peak over HUM_PEAK_DB."""
SUBTRACT_ABOVE_DB = 6.0
"""Harmonics that stand out this far are subtracted; fainter ones are left (fitting them would only take speech)."""
MAX_HARMONICS = 20
"""At most this many harmonics, the ones standing out most, are subtracted: nearly all of a hum's power is in its
first few, and each one fitted costs time (a synthetic tone of 80 clean harmonics took 325 s for 10 minutes)."""
SEGMENT = 8192
"""The quietest segment's length: half a second, 2 Hz resolution."""
BLOCK = 32000
"""2 s: each harmonic's amplitude and phase are fitted per block (blocks overlap by half, crossfaded). Measured on
"i have a cramp" in the 4 test voices, hum 10 dB under it at 50.03 and 59.96 Hz: what the fit also takes of the
voice, against the hum's power, with a plain (unweighted) fit: 0.5 s blocks -6 to -12 dB, 1 s -9 to -16, 2 s -11 to
-17, the whole recording at once -11 to -18; the hum is taken down 32 to 67 dB at every length. Weighted towards the
room (FIT_ROUNDS), 2 s blocks take -38 to -52 dB of the voice and leave the hum 62 to 78 dB down."""
FRAME = 320
"""20 ms: the frames whose power weighs the fit towards the room."""
FIT_ROUNDS = 3
"""A plain fit, then two weighted by the power each frame has left."""
RIDGE = 1e-6
"""Keeps the fit's normal equations solvable when a harmonic has hardly been heard yet."""
SEARCH_HZ = 0.5
"""The mains frequency is found within this much of its nominal value (grids hold it to 0.1 %; a device's clock
moves it too)."""


def _power_spectrum(x: npt.NDArray[np.float64], size: int | None = None) -> npt.NDArray[np.float64]:
    return np.abs(np.fft.rfft(x, size)) ** 2


def _peak_ratios_db(power: npt.NDArray[np.float64], bin_hz: float, f0: float) -> list[tuple[int, float]]:
    """(k, how far the k-th harmonic of f0 stands above its neighbours 5-25 Hz away, in dB) for each harmonic."""
    width = max(1, round(1.5 / bin_hz))  # the peak may sit 1.5 Hz off the nominal harmonic
    near, far = max(1, round(5 / bin_hz)), max(2, round(25 / bin_hz))
    ratios = []
    for k in range(1, int(HIGHEST_HARMONIC_HZ // f0) + 1):
        c = round(k * f0 / bin_hz)
        neighbours = np.r_[power[max(0, c - far) : max(0, c - near)], power[c + near : c + far]]
        if neighbours.size == 0 or c + width >= power.size:
            break
        peak = float(power[max(0, c - width) : c + width + 1].max())
        ratios.append((k, 10.0 * np.log10(peak / (float(np.median(neighbours)) + 1e-12) + 1e-12)))
    return ratios


def _quietest_segment(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The recording's quietest SEGMENT, windowed: the room alone, without words."""
    n = x.size // SEGMENT
    frames = x[: n * SEGMENT].reshape(n, SEGMENT)
    return frames[int(np.argmin(np.mean(frames**2, axis=1)))] * np.hanning(SEGMENT)


def find_hum(samples: Int16Array) -> tuple[float, list[int]] | None:
    """(the mains frequency, the harmonics to subtract) if the recording has hum, else None."""
    if samples.size < SEGMENT:
        return None
    x = samples.astype(np.float64)
    power = _power_spectrum(x)
    bin_hz = TARGET_RATE / x.size
    # Of the mains frequencies with a harmonic standing out that far, the one whose first ten stand out most in all:
    # 50 and 60 Hz share harmonics (300, 600 Hz...), and in half a second the shared one could stand highest.
    best: tuple[float, float] | None = None
    for f0 in MAINS_HZ:
        ratios = [r for _, r in _peak_ratios_db(power, bin_hz, f0)]
        together = sum(max(r, 0.0) for r in ratios[:10])
        if max(ratios, default=0.0) > HUM_PEAK_DB and (best is None or together > best[1]):
            best = (f0, together)
    if best is None:
        return None
    f0 = best[0]
    # The harmonics are chosen where only the room is: in the whole recording a voice's own harmonics stood out
    # too, and took places among the MAX_HARMONICS from the hum's.
    room = _peak_ratios_db(_power_spectrum(_quietest_segment(x)), TARGET_RATE / SEGMENT, f0)
    if max((r for _, r in room[:10]), default=0.0) < QUIET_PEAK_DB:
        return None
    strongest = sorted((r, k) for k, r in room if r > SUBTRACT_ABOVE_DB)[-MAX_HARMONICS:]
    return _exact_frequency(x, f0), sorted(k for _, k in strongest)


def _room_weights(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per sample, one over the power of its 20 ms frame: the room between words counts, the words hardly do."""
    n = -(-x.size // FRAME)
    padded = np.zeros(n * FRAME)
    padded[: x.size] = x
    power = np.maximum(np.mean(padded.reshape(n, FRAME) ** 2, axis=1), 1.0)
    return np.repeat(1.0 / power, FRAME)[: x.size]


def _exact_frequency(x: npt.NDArray[np.float64], nominal: float) -> float:
    """The mains frequency near nominal: where its first three harmonics carry the most power, between words.

    Weighted towards the room (_room_weights), so the words do not pull the peak; read to 0.01 Hz on a zero-padded
    spectrum, then between its bins from the peak's curvature. An error of 0.004 Hz left the hum only 15 dB down
    in the room before the words: the fit is carried there from the frames around it.
    """
    weighted = x * np.sqrt(_room_weights(x))
    size = 1 << int(np.ceil(np.log2(TARGET_RATE / 0.01)))  # zero-padded: bins 0.01 Hz apart
    power = _power_spectrum(weighted, size)
    bin_hz = TARGET_RATE / size
    candidates = np.arange(nominal - SEARCH_HZ, nominal + SEARCH_HZ + bin_hz / 2, bin_hz)
    total = np.log(sum(power[np.round(k * candidates / bin_hz).astype(int)] for k in (1, 2, 3)) + 1e-12)
    i = int(np.argmax(total))
    if 0 < i < candidates.size - 1:
        left, mid, right = total[i - 1], total[i], total[i + 1]
        curvature = left - 2 * mid + right
        if curvature < 0:
            return float(candidates[i] + 0.5 * (left - right) / curvature * bin_hz)
    return float(candidates[i])


def _fitted_hum(x: npt.NDArray[np.float64], f0: float, harmonics: list[int]) -> npt.NDArray[np.float64]:
    """The hum in x: its harmonics fitted per BLOCK (blocks crossfaded), weighted towards the room between words.

    A plain least-squares fit also took what the words had at the hum's frequencies, 11-17 dB under the hum, and put
    it back as a tone where there are no words. Weighted by one over the power each 20 ms frame has left after the
    fit before (FIT_ROUNDS), the words hardly count. The sines and cosines are built per block, once for all its
    rounds: for a whole long recording they would take gigabytes.
    """
    if x.size <= BLOCK:
        starts = [0]
    else:
        starts = list(range(0, x.size - BLOCK + 1, BLOCK // 2))
        if starts[-1] + BLOCK < x.size:
            starts.append(x.size - BLOCK)
    hum, overlap = np.zeros_like(x), np.zeros_like(x)
    for start in starts:
        end = min(x.size, start + BLOCK)
        basis = _sinusoids(start, end - start, f0, harmonics)
        block = x[start:end]
        weights = np.ones_like(block)
        for _ in range(FIT_ROUNDS - 1):
            weights = _room_weights(block - basis @ _solve(*_normal_equations(basis, block, weights)))
        fitted = basis @ _solve(*_normal_equations(basis, block, weights))
        fade = np.hanning(end - start + 2)[1:-1]
        hum[start:end] += fade * fitted
        overlap[start:end] += fade
    return hum / np.maximum(overlap, 1e-9)


def _sinusoids(start: int, size: int, f0: float, harmonics: list[int]) -> npt.NDArray[np.float64]:
    """Cosines, then sines, of the harmonics of f0 over samples start .. start + size of a recording or stream.

    The sample count is kept in float64: after 8 hours the phase of the 80th harmonic of 60 Hz is still exact to
    1e-7 radians.
    """
    phases = 2 * np.pi * f0 * np.outer((start + np.arange(size)) / TARGET_RATE, harmonics)
    return np.concatenate([np.cos(phases), np.sin(phases)], axis=1)


def _normal_equations(basis: npt.NDArray[np.float64], x: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]
                      ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The normal equations (B'WB, B'Wx) of the weighted least-squares fit of x on the basis's columns.

    The sines and cosines are nearly orthogonal, so solving these is safe, and it took a tenth of the time of a full
    solver. The live canceller sums them over chunks.
    """
    weighted = basis * weights[:, None]
    return weighted.T @ basis, weighted.T @ x


def _solve(normal: npt.NDArray[np.float64], projection: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The fit's coefficients from its normal equations (a small ridge keeps them solvable).

    The ridge is relative to the equations' own scale: the room weights make their entries anything from 1e-9 to 1.
    """
    ridge = RIDGE * max(float(np.trace(normal)) / max(1, normal.shape[0]), 1e-30) * np.eye(normal.shape[0])
    return np.asarray(np.linalg.solve(normal + ridge, projection), dtype=np.float64)


def without_hum(samples: Int16Array) -> Int16Array:
    """The recording with mains hum subtracted if it has hum (find_hum); otherwise the same array, untouched."""
    found = find_hum(samples)
    if found is None:
        return samples
    f0, harmonics = found
    x = samples.astype(np.float64)
    return to_pcm(x - _fitted_hum(x, f0, harmonics))


LIVE_WINDOW = 4 * TARGET_RATE
"""The live canceller looks for hum in the microphone's last 4 s (its quietest half second is then the room)."""
LOOK_EVERY = SEGMENT
"""It looks every half second while it hears no hum, so a hum is taken out from the first words on..."""
LOOK_AGAIN_EVERY = 4 * TARGET_RATE
"""...and every 4 s while it does: a mains frequency drifts slowly, and a charger can be unplugged."""
MEMORY_S = 1.0
"""The live fit weighs the past by exp(-age / MEMORY_S), and each frame by one over its power (as _fitted_hum):
each chunk is fitted together with the audio before it, and its own fit is subtracted from it."""


class StreamingHumCanceller:
    """without_hum for a live stream: chunks in, the same chunks out at once, hum subtracted once it is found.

    The mains frequency and its harmonics come from find_hum over the microphone's last LIVE_WINDOW. Each harmonic's
    amplitude and phase are then a least-squares fit with exponential forgetting (recursive least squares over
    sines and cosines counted in samples since the stream began), updated with every chunk and subtracted from it.
    """

    def __init__(self) -> None:
        self._recent = np.zeros(0)
        self.samples = 0
        self._next_look = LOOK_EVERY
        self.found: tuple[float, list[int]] | None = None
        self._normal = np.zeros((0, 0))
        self._projection = np.zeros(0)

    def process(self, chunk: Int16Array) -> Int16Array:
        """One chunk with the hum heard so far subtracted (the same chunk object when there is no hum)."""
        start = self.samples
        self.samples += chunk.size
        self._recent = np.concatenate([self._recent, chunk.astype(np.float64)])[-LIVE_WINDOW:]
        refitted = self.samples >= self._next_look and self._look(self.samples - self._recent.size)
        if self.found is None or chunk.size == 0:
            return chunk
        x = chunk.astype(np.float64)
        basis = self._basis(start, chunk.size)
        if not refitted:  # a refit already holds this chunk
            # Weighted by the power the fit so far leaves in each frame: words hardly move it (_fitted_hum).
            normal, projection = _normal_equations(basis, x, _room_weights(x - basis @ self._fit()))
            decay = np.exp(-chunk.size / (MEMORY_S * TARGET_RATE))
            self._normal = decay * self._normal + normal
            self._projection = decay * self._projection + projection
        return to_pcm(x - basis @ self._fit())

    def _look(self, window_start: int) -> bool:
        """Find hum in the recent window; on a new frequency or harmonics, fit it afresh from it (then True)."""
        found = find_hum(to_pcm(self._recent))
        # Once found, looked at again each time the window has doubled (1, 2, 4 s): half a second fixes the
        # frequency only to about 0.01 Hz, and the fit is carried through the words on it.
        again = min(LOOK_AGAIN_EVERY, self._recent.size) if found else LOOK_EVERY
        self._next_look = self.samples + again
        if found is None or found != self.found:
            self.found = found
            if found is not None:
                # The window already holds the chunk just received: the fit is what process() then subtracts.
                basis = self._basis(window_start, self._recent.size)
                age = (self._recent.size - 1 - np.arange(self._recent.size)) / (MEMORY_S * TARGET_RATE)
                weights = np.exp(-age)
                for _ in range(FIT_ROUNDS - 1):
                    fitted = basis @ _solve(*_normal_equations(basis, self._recent, weights))
                    weights = np.exp(-age) * _room_weights(self._recent - fitted)
                self._normal, self._projection = _normal_equations(basis, self._recent, weights)
                return True
        return False

    def _basis(self, start: int, size: int) -> npt.NDArray[np.float64]:
        assert self.found is not None
        return _sinusoids(start, size, *self.found)

    def _fit(self) -> npt.NDArray[np.float64]:
        return _solve(self._normal, self._projection)
