"""Sample-counted voice activity and end-of-utterance detection, with gain normalisation (pure, no clock)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

RATE = 16000


class VadState(StrEnum):
    """Where the detector is within an utterance."""

    QUIET = "quiet"
    SPEAKING = "speaking"


@dataclass(frozen=True)
class EndpointConfig:
    """Thresholds, in dB and milliseconds of audio (never wall-clock time)."""

    start_ms: int = 60
    """Voiced audio needed before an utterance is said to start."""
    end_ms: int = 450
    """Trailing silence that ends an utterance."""
    early_end_ms: int = 200
    """Trailing silence that ends it when the recognizer already has a complete phrase."""
    max_ms: int = 8000
    """An utterance is cut here, whatever happens (a fan never ends)."""
    margin_db: float = 9.0
    """How far above the noise floor counts as voice."""
    min_voice_dbfs: float = -62.0
    """Nothing quieter than this is voice, however quiet the room."""
    target_dbfs: float = -20.0
    """Speech is normalised towards this level before recognition (whispers become audible)."""
    max_gain_db: float = 30.0
    calibrate_ms: int = 300
    """At start-up the room is only listened to, to learn its noise floor (a fan is not a voice)."""
    digital_silence_dbfs: float = -100.0
    """Quieter chunks are no room at all (a device's first zero-filled block, the noise filter's delay): they
    never set the noise floor."""


@dataclass
class Utterance:
    """A finished utterance: its normalised 16 kHz PCM and where it was in the stream."""

    pcm: bytes
    start_sample: int
    end_sample: int
    level_dbfs: float
    """Speech level before normalisation: quiet speech gets a quieter reply."""
    trailing_silence: int = 0
    """Samples of silence waited for after the last voiced chunk (part of the reply latency)."""


def dbfs(samples: npt.NDArray[np.int16]) -> float:
    """RMS level of int16 samples in dB relative to full scale."""
    if samples.size == 0:
        return -120.0
    rms = math.sqrt(float(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * math.log10(max(rms, 1e-9) / 32768.0)


@dataclass
class Endpointer:
    """Feed 16 kHz int16 chunks; get events when speech starts and when an utterance ends."""

    config: EndpointConfig = field(default_factory=EndpointConfig)
    state: VadState = VadState.QUIET
    noise_dbfs: float = -60.0
    samples_seen: int = 0
    _voiced_run: int = 0
    _silent_run: int = 0
    _buffer: list[npt.NDArray[np.int16]] = field(default_factory=list)
    _pre: list[npt.NDArray[np.int16]] = field(default_factory=list)
    _start: int = 0
    _speech_levels: list[float] = field(default_factory=list)
    _run_levels: list[float] = field(default_factory=list)
    _lead: list[npt.NDArray[np.int16]] = field(default_factory=list)
    _calibration: list[float] = field(default_factory=list)
    start_level_dbfs: float = -30.0
    """Level of the voiced audio that started the current utterance (sets a streaming recognizer's gain)."""

    def _ms(self, samples: int) -> float:
        return samples * 1000.0 / RATE

    def accept(self, chunk: npt.NDArray[np.int16], phrase_complete: bool = False) -> tuple[bool, Utterance | None]:
        """Process one chunk; returns (speech started in this chunk, finished utterance or None)."""
        level = dbfs(chunk)
        threshold = max(self.noise_dbfs + self.config.margin_db, self.config.min_voice_dbfs)
        voiced = level > threshold
        self.samples_seen += chunk.size
        started = False
        if self._ms(self.samples_seen) <= self.config.calibrate_ms:
            # The median, without digital silence: a mean in dB was dragged down by one zero-filled block (-270
            # dBFS) to 13-15 dB below a fan's filtered hiss, so the hiss counted as voice and the first utterance
            # in a noisy room ran on to max_ms.
            if level > self.config.digital_silence_dbfs:
                self._calibration.append(level)
                self.noise_dbfs = float(np.median(self._calibration))
            return False, None
        if self.state is VadState.QUIET:
            # Track the room's noise floor while nobody speaks (slowly up, quickly down).
            rate = 0.05 if level > self.noise_dbfs else 0.3
            self.noise_dbfs += rate * (level - self.noise_dbfs)
            self._pre.append(chunk)
            # Keep ~300 ms of lead-in so the first syllable is not lost.
            while sum(c.size for c in self._pre) > RATE * 0.3:
                self._pre.pop(0)
            self._voiced_run = self._voiced_run + chunk.size if voiced else 0
            self._run_levels = [*self._run_levels, level] if voiced else []
            if self._ms(self._voiced_run) >= self.config.start_ms:
                self.state = VadState.SPEAKING
                self.start_level_dbfs = float(np.median(self._run_levels))
                self._buffer = list(self._pre)
                self._lead = list(self._pre)
                self._start = self.samples_seen - sum(c.size for c in self._buffer)
                self._pre = []
                self._silent_run = 0
                self._speech_levels = [level]
                started = True
            return started, None
        self._buffer.append(chunk)
        if voiced:
            self._silent_run = 0
            self._speech_levels.append(level)
        else:
            self._silent_run += chunk.size
        length = self.samples_seen - self._start
        end_ms = self.config.early_end_ms if phrase_complete else self.config.end_ms
        if self._ms(self._silent_run) >= end_ms:
            return False, self._finish()
        if self._ms(length) >= self.config.max_ms:
            # Sound this long and steady is the room (a fan, rain): learn it as the new floor.
            self.noise_dbfs = max(self.noise_dbfs, float(np.median(self._speech_levels)) - 3.0)
            return False, self._finish()
        return False, None

    def _finish(self) -> Utterance:
        audio = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
        speech_level = float(np.median(self._speech_levels)) if self._speech_levels else dbfs(audio)
        utt = Utterance(normalise(audio, speech_level, self.config).tobytes(), self._start, self.samples_seen,
                        speech_level, self._silent_run)
        self.state = VadState.QUIET
        self._buffer, self._voiced_run, self._silent_run, self._speech_levels = [], 0, 0, []
        return utt

    def lead_in(self) -> list[npt.NDArray[np.int16]]:
        """The audio of the utterance so far, right after it started (lead-in included), once."""
        lead, self._lead = self._lead, []
        return lead

    def flush(self) -> Utterance | None:
        """End of input: return the utterance in progress, if any."""
        return self._finish() if self.state is VadState.SPEAKING else None

    def reset(self) -> None:
        """Drop any utterance in progress (e.g. the assistant's own voice)."""
        self.state = VadState.QUIET
        self._buffer, self._pre, self._voiced_run, self._silent_run = [], [], 0, 0


def normalise(audio: npt.NDArray[np.int16], speech_dbfs: float, config: EndpointConfig) -> npt.NDArray[np.int16]:
    """Scale speech towards the target level (bounded gain, no clipping)."""
    if audio.size == 0:
        return audio
    gain_db = min(config.max_gain_db, config.target_dbfs - speech_dbfs)
    gain = 10 ** (gain_db / 20)
    peak = float(np.max(np.abs(audio.astype(np.int32)))) or 1.0
    gain = min(gain, 32000.0 / peak)
    return np.clip(audio.astype(np.float64) * gain, -32768, 32767).astype(np.int16)
