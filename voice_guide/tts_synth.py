"""Offline text-to-speech through pyttsx3's espeak-ng driver, returned as samples (replies and test speech)."""

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

# espeak-ng can be initialised once per process and one engine serves it (below), so every
# synthesis goes through this lock (pytest-xdist workers are separate processes and need none).
_LOCK = threading.Lock()
# pyttsx3 keeps engines in a weak dictionary: without a reference of our own each call built a new engine, whose
# command queue starts "busy", so the properties set before runAndWait were applied inside it, racing espeak-ng's
# thread (see _wait_until_espeak_idle). One engine, made ready once, is kept for the process.
_ENGINE: Any | None = None
# pyttsx3 runs each command in a loop that turns exceptions into "error" notifications (an unknown voice raised
# nowhere); the engine's errors are collected here, through its public connect().
_ERRORS: list[BaseException] = []
SYNTH_ATTEMPTS = 3
DEFAULT_VOICE = "gmw/en-us"


@dataclass(frozen=True)
class VoiceInfo:
    """One installed voice: its id (pass it as ``voice=``), display name and languages."""

    id: str
    name: str
    languages: tuple[str, ...]


def _engine() -> Any:
    """The process's pyttsx3 espeak-ng engine, ready: its command queue idle and espeak-ng's thread idle."""
    global _ENGINE
    if _ENGINE is not None:
        return _ENGINE
    try:
        import pyttsx3
    except ImportError:
        raise UserError("text-to-speech needs pyttsx3: pip install 'voice-guide[speech]'") from None
    try:
        engine = pyttsx3.init("espeak")
    except (OSError, RuntimeError) as exc:
        raise UserError(f"cannot start espeak-ng ({exc}); install it: apt-get install espeak-ng") from None
    # A new engine queues every command until its first run loop; an empty runAndWait (after espeak-ng has applied
    # the driver's own start-up settings, so nothing is cancelled) leaves it executing commands at once.
    _wait_until_espeak_idle()
    engine.runAndWait()
    engine.connect("error", lambda exception=None, **_: _ERRORS.append(exception or RuntimeError("pyttsx3 error")))
    _ENGINE = engine
    return engine


def _wait_until_espeak_idle() -> None:
    """Return once espeak-ng's own thread has carried out every command it was given.

    With pyttsx3's espeak driver, espeak-ng runs commands on a thread of its own, and parameter changes (rate,
    volume) are queued there too. runAndWait starts by stopping the driver, which cancels espeak-ng if it reports
    playing: a rate or volume still queued was dropped, and the pending cancel cut the text that followed short
    (measured before this wait: "is this serious" 22,293 samples instead of 32,696, "slower please" 20,735 instead
    of 32,383, in about 1 of 10 runs of 8 phrases), so the same text came out differently from run to run. pyttsx3
    has no public call for this; its ctypes binding of espeak_Synchronize, the library's own wait, is used.
    """
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()  # itself waits while espeak_IsPlaying, the flag pyttsx3's stop() checks


def _set_voice(engine: Any, voice: str | None) -> None:
    """Select the voice (None: DEFAULT_VOICE); UserError if espeak-ng does not know it."""
    _ERRORS.clear()
    engine.setProperty("voice", voice or DEFAULT_VOICE)
    if _ERRORS:
        raise UserError(f"unknown voice {voice!r}: choose one that 'espeak-ng --voices=en' lists (e.g. gmw/en-us, "
                        "en-us+f3), or leave it empty for the default")


def check_voice(voice: str) -> None:
    """Raise UserError unless espeak-ng knows this voice (a name, an id, or either with a +variant)."""
    with _LOCK:
        _set_voice(_engine(), voice)


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
        _set_voice(engine, voice)
        engine.setProperty("rate", 175 if rate is None else rate)
        engine.setProperty("volume", 1.0 if volume is None else volume)
        for attempt in range(SYNTH_ATTEMPTS):
            out = Path(tmp) / f"speech{attempt}.wav"
            _wait_until_espeak_idle()  # the properties above are applied before runAndWait's stop() looks
            # pyttsx3's espeak driver prints "Audio saved to ..." on stdout; keep stdout for our own output.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(text, str(out))
                engine.runAndWait()
            _wait_until_espeak_idle()  # the file is written by espeak-ng's thread, in its last callback
            try:
                frames, sample_rate = decode_wav(out.read_bytes(), str(out))
                return to_int16(frames[:, 0]), sample_rate
            except (OSError, AudioFileError):
                continue  # seen under load before the waits: runAndWait returned with no file; try again
    raise RuntimeError(f"espeak-ng produced no audio for {text!r} in {SYNTH_ATTEMPTS} attempts")
