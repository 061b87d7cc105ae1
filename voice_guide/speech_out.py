"""Speech out: sentence-by-sentence TTS into an interruptible sounddevice stream, with a soft fade-in."""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .config import VoiceSettings
from .events import Say

FloatArray = npt.NDArray[np.float32]
TTS_RATE = 22050  # espeak-ng's native rate; PulseAudio/ALSA converts for the device
FADE_IN_S = 0.06
SENTENCE_GAP_S = 0.18
DEVICE_TAIL_S = 0.15
WATCH_EVERY_S = 0.25
STALL_TICKS = 4
"""Watchdog ticks in a row with no output callback while speech waits to play: the stream has stalled (callbacks come
every 20 ms). PortAudio's ALSA path (here through PulseAudio's plugin) can stop calling back after an underrun; the
queued speech then never plays nor ends, and a hold that waits for the assistant to finish speaking never begins (the
likely cause of one CI run where the relief stopped after "rub the tight muscle", with underruns on stderr; it could
not be reproduced). Counted in ticks, not clock time: a process starved of CPU (or of the GIL, during a long decode)
delays the ticks as much as the callbacks, so it is never taken for a stalled device."""
BLOCK = 441  # 20 ms at TTS_RATE
HISTORY_S = 12.0
"""Seconds of played audio kept, to recognise it coming back through the microphone: the longest utterance
(the endpointer's 8 s) plus the echo check's 2 s of lag, and room to spare. With 8 s kept, an 8 s utterance of our
own voice had nothing to be compared with: one, under load here, scored 0.001. The likely cause of a CI run in which
the assistant's long answer, coming back through the microphone, was heard as "yes" and answered."""
_HISTORY_BLOCKS = int(HISTORY_S * TTS_RATE / BLOCK)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences, so the first can play while the rest are synthesised."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def trim_silence(samples: FloatArray, threshold: float = 0.01) -> FloatArray:
    """Drop leading and trailing near-silence (espeak-ng pads ~60 ms), which only adds latency."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[max(0, loud[0] - 80): loud[-1] + 400]


def render(text: str, *, wpm: int, gain: float, voice: str = "") -> FloatArray:
    """One sentence as float32 samples at TTS_RATE, gain applied (no clipping)."""
    from .audio import resample
    from .tts_synth import synthesize

    samples, rate = synthesize(text, voice=voice or None, rate=wpm, volume=1.0)
    audio = samples.astype(np.float32) / 32768.0
    if rate != TTS_RATE:
        audio = resample(audio.astype(np.float64), rate, TTS_RATE).astype(np.float32)
    audio = trim_silence(audio) * gain
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def fade_in(audio: FloatArray, seconds: float = FADE_IN_S) -> FloatArray:
    """A short ramp so speech never starts with a click or a jolt at night."""
    n = min(audio.size, int(seconds * TTS_RATE))
    out = audio.copy()
    out[:n] *= np.linspace(0.0, 1.0, n, dtype=np.float32)
    return out


def speech_levels(voice: VoiceSettings, say: Say, input_gain: float = 1.0) -> tuple[int, float]:
    """Words per minute and output gain for an utterance; escalations are never slowed or whispered."""
    wpm = int(voice.rate_wpm * voice.rate * say.rate)
    gain = voice.volume * voice.loudness * say.volume
    if say.urgent:
        return max(wpm, voice.rate_wpm), max(gain, 0.7)  # audible, whatever the night settings
    return max(80, wpm), min(1.0, max(0.05, gain * input_gain))


def render_whole(say: Say, voice: VoiceSettings) -> FloatArray:
    """A whole utterance as one buffer (sentences with pauses, one fade-in), for files rather than live play."""
    wpm, gain = speech_levels(voice, say)
    gap = np.zeros(int(SENTENCE_GAP_S * TTS_RATE), np.float32)
    parts = [np.concatenate([render(s, wpm=wpm, gain=gain, voice=voice.voice), gap]) for s in split_sentences(say.text)]
    return fade_in(np.concatenate(parts)) if parts else np.zeros(0, np.float32)


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass
class _Clip:
    audio: FloatArray
    urgent: bool
    pos: int = 0


@dataclass
class Player:
    """Plays queued clips through one output stream; ``cut()`` silences it within one block."""

    device: int | str | None = None
    blocksize: int = BLOCK
    clock: Callable[[], float] = time.monotonic
    _clips: deque[_Clip] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stream: Any = None
    first_audio_at: float | None = None
    """Clock time the first non-silent block of the current speech was handed to the device."""
    last_audio_at: float = 0.0
    """Clock time the last non-silent block was handed to the device (for echo gating)."""
    cut_at: float | None = None
    paused: bool = False
    """Held while someone talks over the assistant (urgent speech never is); resume() or cut() follows."""
    _history: deque[FloatArray] = field(default_factory=lambda: deque(maxlen=_HISTORY_BLOCKS))
    open_stream: Callable[[Callable[..., None]], Any] | None = None
    """Opens and starts an output stream calling back the given function (None: sounddevice on ``device``)."""
    watchdog: bool = True
    """Check every WATCH_EVERY_S for a stalled stream (check_stalled) in a thread of its own."""
    reopened: int = 0
    """Times a stalled stream was replaced."""
    _callbacks: int = 0
    _callbacks_at_last_tick: int = 0
    _quiet_ticks: int = 0
    _stream_generation: int = 0
    _closed: threading.Event = field(default_factory=_set_event)
    """Set until start() and again after stop()."""
    _stream_lock: threading.Lock = field(default_factory=threading.Lock)
    _retiring: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        """Open the output stream (it plays silence until something is queued)."""
        self._closed.clear()
        with self._stream_lock:
            self._stream = self._open()
        if self.watchdog:
            threading.Thread(target=self._watch, daemon=True).start()

    def _open(self) -> Any:
        """A started stream whose callbacks count only while it is the current one (see check_stalled)."""
        self._stream_generation += 1
        generation = self._stream_generation

        def callback(outdata: Any, frames: int, time_info: Any, status: Any) -> None:
            if generation != self._stream_generation:
                outdata.fill(0.0)  # a replaced stream that came back to life must not take the queued speech
                return
            self._callbacks += 1
            self._callback(outdata, frames, time_info, status)

        if self.open_stream is not None:
            return self.open_stream(callback)
        from .errors import UserError
        from .mic import _sd

        sd = _sd()
        try:
            stream = sd.OutputStream(samplerate=TTS_RATE, blocksize=self.blocksize, channels=1, latency="low",
                                     dtype="float32", device=self.device, callback=callback)
            stream.start()
        except Exception as exc:  # PortAudio's own error types: all mean "cannot open"
            raise UserError(f"cannot open the speaker ({exc}); try --output-device or 'voice-guide devices'") from None
        return stream

    def _watch(self) -> None:
        while not self._closed.wait(WATCH_EVERY_S):
            try:
                self.check_stalled()
            except Exception as exc:  # noqa: BLE001 - a speaker that cannot be reopened now may be later
                print(f"voice-guide: the speaker stopped and could not be reopened ({exc})", file=sys.stderr)

    def check_stalled(self) -> bool:
        """One watchdog tick: replace a stream silent for STALL_TICKS ticks while speech waits; True if replaced."""
        with self._stream_lock:
            with self._lock:
                waiting = bool(self._clips)
            progressed = self._callbacks != self._callbacks_at_last_tick
            self._callbacks_at_last_tick = self._callbacks
            if self._closed.is_set() or not waiting or (self._stream is not None and progressed):
                self._quiet_ticks = 0
                return False
            self._quiet_ticks += 1
            if self._stream is not None and self._quiet_ticks < STALL_TICKS:
                return False
            self._quiet_ticks = 0
            old, self._stream = self._stream, None
            if old is not None:
                self._retire(old)
            self._stream = self._open()  # on failure _stream stays None and the next tick tries again
            self.reopened += 1
        print("voice-guide: the speaker stopped responding; reopened it", file=sys.stderr)
        return True

    def _retire(self, stream: Any) -> None:
        """Close a stalled stream without waiting for it: closing one can block on the stuck device."""
        from .mic import close_quietly

        thread = threading.Thread(target=close_quietly, args=(stream,), daemon=True)
        thread.start()
        self._retiring.append(thread)

    def stop(self) -> None:
        """Close the stream."""
        self._closed.set()
        with self._stream_lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        out = outdata[:, 0]
        out.fill(0.0)
        filled = 0
        with self._lock:
            while filled < frames and self._clips and not (self.paused and not self._clips[0].urgent):
                clip = self._clips[0]
                take = min(frames - filled, clip.audio.size - clip.pos)
                out[filled:filled + take] = clip.audio[clip.pos:clip.pos + take]
                clip.pos += take
                filled += take
                if clip.pos >= clip.audio.size:
                    self._clips.popleft()
        self._history.append(out.copy())
        if filled and np.any(np.abs(out[:filled]) > 1e-3):
            now = self.clock()
            if self.first_audio_at is None:
                self.first_audio_at = now
            self.last_audio_at = now

    def enqueue(self, audio: FloatArray, urgent: bool = False) -> None:
        """Queue audio to play after what is already queued."""
        with self._lock:
            self._clips.append(_Clip(audio, urgent))

    def pause(self) -> bool:
        """Hold non-urgent speech at once (within one block); True if something was playing."""
        with self._lock:
            playing = bool(self._clips) and not self._clips[0].urgent
            self.paused = True
        return playing

    def resume(self) -> None:
        """Carry on from where pause() held it."""
        with self._lock:
            self.paused = False

    def cut(self) -> bool:
        """Stop speaking now; urgent audio (escalation advice) is never cut. True if anything was cut."""
        with self._lock:
            self.paused = False
            kept = deque(c for c in self._clips if c.urgent)
            was = len(self._clips) != len(kept)
            self._clips = kept
        if was:
            self.cut_at = self.clock()
        return was

    def recent(self, seconds: float) -> FloatArray:
        """The last ``seconds`` of what was handed to the device (silence included), at TTS_RATE."""
        blocks = list(self._history)[-max(1, int(seconds * TTS_RATE / self.blocksize)):]
        return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)

    def busy(self) -> bool:
        """True while audio is queued or playing (held speech counts)."""
        with self._lock:
            return bool(self._clips)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until everything queued has played (plus the device's latency margin)."""
        end = self.clock() + timeout
        while self.busy():
            if self.clock() > end:
                return False
            time.sleep(0.01)
        time.sleep(DEVICE_TAIL_S)  # the last blocks are still in the device's buffer
        return True


@dataclass
class Speaker:
    """Turns ``Say`` actions into audio: the first sentence is synthesised and queued at once."""

    player: Player
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    input_gain: float = 1.0
    """Quiet speech in gets a quieter reply out (never for escalations); set by the loop, 0.4..1."""
    spoken: list[str] = field(default_factory=list)
    """Texts queued so far (the loop compares what it hears with this to ignore its own voice)."""
    _generation: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # A misspelt voice in the config is reported at start-up, not by the first reply (in pain, at night).
        if self.voice.voice:
            from .tts_synth import check_voice

            check_voice(self.voice.voice)

    def levels(self, say: Say) -> tuple[int, float]:
        """Words per minute and output gain for this utterance."""
        return speech_levels(self.voice, say, self.input_gain)

    def say(self, say: Say, wait: bool = False) -> None:
        """Queue speech; synthesis of later sentences continues in the background."""
        wpm, gain = self.levels(say)
        sentences = split_sentences(say.text)
        self.spoken.append(say.text)
        with self._lock:
            generation = self._generation
        if not sentences:
            return
        first = fade_in(render(sentences[0], wpm=wpm, gain=gain, voice=self.voice.voice))
        self.player.enqueue(first, urgent=say.urgent)
        rest = sentences[1:]

        def work() -> None:
            gap = np.zeros(int(SENTENCE_GAP_S * TTS_RATE), np.float32)
            for sentence in rest:
                audio = render(sentence, wpm=wpm, gain=gain, voice=self.voice.voice)
                with self._lock:
                    if generation != self._generation and not say.urgent:
                        return  # cut off meanwhile: do not resume speaking
                self.player.enqueue(np.concatenate([gap, audio]), urgent=say.urgent)

        if rest:
            thread = threading.Thread(target=work, daemon=True)
            thread.start()
            if wait:
                thread.join()
        if wait:
            self.player.wait_idle()

    def cut(self) -> bool:
        """Barge-in: silence non-urgent speech now and drop sentences not yet synthesised."""
        with self._lock:
            self._generation += 1
        return self.player.cut()
