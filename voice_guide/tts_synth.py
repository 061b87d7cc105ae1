"""Offline text-to-speech through pyttsx3's espeak-ng driver, returned as samples (used to make test speech)."""

from __future__ import annotations

import contextlib
import io
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .audio import AudioFileError, Int16Array, decode_wav, to_int16
from .errors import UserError

# espeak-ng can be initialised once per process and pyttsx3 keeps one engine per driver, so every
# synthesis goes through this lock (pytest-xdist workers are separate processes and need none).
_LOCK = threading.Lock()
SYNTH_ATTEMPTS = 3


@dataclass(frozen=True)
class VoiceInfo:
    """One installed voice: its id (pass it as ``voice=``), display name and languages."""

    id: str
    name: str
    languages: tuple[str, ...]


def _engine() -> Any:
    try:
        import pyttsx3
    except ImportError:
        raise UserError("text-to-speech needs pyttsx3: pip install 'voice-guide[speech]'") from None
    try:
        return pyttsx3.init("espeak")
    except (OSError, RuntimeError) as exc:
        raise UserError(f"cannot start espeak-ng ({exc}); install it: apt-get install espeak-ng") from None


def list_voices() -> list[VoiceInfo]:
    """The voices espeak-ng offers (ids like ``gmw/en-us``; ``+f3``-style variants may be appended)."""
    with _LOCK:
        voices = _engine().getProperty("voices")
    return [VoiceInfo(v.id, v.name or v.id, tuple(v.languages or ())) for v in voices]


def synthesize(
    text: str, *, voice: str | None = None, rate: int | None = None, volume: float | None = None
) -> tuple[Int16Array, int]:
    """Speak text into memory; returns (mono int16 samples, sample rate).

    The rate is espeak-ng's native one (22050 Hz): callers that need 16 kHz go through
    ``audio.resample`` or write the samples to a WAV that ``read_wav`` loads, the same path user files take.
    ``rate`` is words per minute (espeak default 175), ``volume`` 0.0-1.0 (pyttsx3 scale; >1 is louder).
    """
    if not text.strip():
        raise ValueError("nothing to synthesize")
    with _LOCK, tempfile.TemporaryDirectory(prefix="voice-guide-tts-") as tmp:
        engine = _engine()
        # The engine is shared, so every property is set on every call (a previous caller's voice must not leak).
        try:
            engine.setProperty("voice", voice or "gmw/en-us")
        except ValueError:
            raise UserError(f"unknown voice {voice!r}; see list_voices()") from None
        engine.setProperty("rate", 175 if rate is None else rate)
        engine.setProperty("volume", 1.0 if volume is None else volume)
        for attempt in range(SYNTH_ATTEMPTS):
            out = Path(tmp) / f"speech{attempt}.wav"
            # pyttsx3's espeak driver prints "Audio saved to ..." on stdout; keep stdout for our own output.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(text, str(out))
                engine.runAndWait()
            try:
                frames, sample_rate = decode_wav(out.read_bytes(), str(out))
                return to_int16(frames[:, 0]), sample_rate
            except (OSError, AudioFileError):
                continue  # seen under load: runAndWait returned with the file missing or empty; try again
    raise RuntimeError(f"espeak-ng produced no audio for {text!r} in {SYNTH_ATTEMPTS} attempts")
