"""Synthesized test speech: real espeak-ng audio made at test time through voice_guide.tts_synth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice_guide.audio import Int16Array, resample, to_int16, write_wav
from voice_guide.tts_synth import synthesize


@dataclass(frozen=True)
class Voice:
    id: str
    rate: int
    volume: float


VOICES = (
    Voice("gmw/en-us", 150, 1.0),
    Voice("gmw/en-us+f3", 140, 0.8),
    Voice("gmw/en-gb-x-rp", 160, 1.0),
    Voice("gmw/en-us+m3", 130, 0.5),
)
PAD_SECONDS = 0.4  # recordings have silence around speech; espeak output has almost none


def speech(text: str, voice: Voice = VOICES[0], snr_db: float | None = None, seed: int = 0) -> Int16Array:
    """text spoken at 16 kHz with silence around it; white noise at snr_db (relative to the speech) if given.

    Without snr_db a faint noise floor (about -64 dBFS) is added: real microphones are never digitally silent.
    """
    samples, rate = synthesize(text, voice=voice.id, rate=voice.rate, volume=voice.volume)
    x = resample(samples.astype(np.float64) / 32768.0, rate)
    pad = np.zeros(int(PAD_SECONDS * 16000))
    y = np.concatenate([pad, x, pad])
    rng = np.random.default_rng(seed)
    if snr_db is None:
        noise_rms = 20 / 32768.0
    else:
        speech_power = float(np.mean(x**2))
        noise_rms = float(np.sqrt(speech_power / 10 ** (snr_db / 10)))
    return to_int16(y + rng.normal(0.0, noise_rms, y.size))


def speech_wav(tmp: Path, name: str, text: str, voice: Voice = VOICES[0], snr_db: float | None = None) -> Path:
    """speech() written to tmp/name.wav."""
    path = tmp / f"{name}.wav"
    write_wav(path, speech(text, voice, snr_db), 16000)
    return path
