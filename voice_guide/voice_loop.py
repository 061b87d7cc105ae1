"""The hands-free loop: audio chunks -> endpointing -> recognizer -> matcher -> dialog -> speech, timed in samples."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from .asr.base import Final, NoSpeech, NotUnderstood, Partial, Recognizer, RoomAwareRecognizer, WholeRecordingRecognizer
from .audio import is_narrowband
from .dc_offset import StreamingDcBlocker
from .denoise import StreamingDenoiser
from .dialog import Dialog, Phase, Timings, initial_state
from .diary.frequency import FrequentRule
from .diary.recorder import DiaryRecorder
from .endpoint import RATE, Endpointer
from .events import Action, Escalate, HoldDone, Listen, Say, TimedOut, Wait
from .events import NotUnderstood as NotUnderstoodEvent
from .hum import StreamingHumCanceller
from .intents import ESCALATING
from .matcher import Match, MatcherModel, NoMatch, default_model, match
from .normalize import normalize
from .runtime import Conversation, Output

# Commands that may cut the assistant off mid-sentence, acted on from a partial hypothesis.
BARGE_IN = ("stop", "emergency", "red_flag")
# Our own voice coming back through the microphone: a transcript this similar to what we said is ignored.
ECHO_SIMILARITY = 80.0
# After speech ends, sound may still arrive from the room for this long (reverberation, device latency).
ECHO_TAIL_S = 0.4
# Heard audio this correlated with what was just played is our own voice: an echo is the played waveform
# delayed and scaled (near 1 through a clean path, lower in a reverberant room); another voice is not.
ECHO_CORRELATION = 0.4
# Heard words that repeat what we said count as an echo only from this correlation on (see _is_own_voice).
ECHO_WITH_WORDS = 0.3
# Echo is compared in windows this long, each at its own lag (see echo_similarity).
ECHO_WINDOW = RATE
# The echo check searches lags up to this: the output and input devices' latency, with room to spare.
ECHO_LAG_S = 2.0


class SpeechSink(Protocol):
    """What the loop needs from speech out."""

    def say(self, say: Say, wait: bool = False) -> None:
        """Queue speech."""

    def cut(self) -> bool:
        """Stop non-urgent speech now."""

    def pause(self) -> bool:
        """Hold non-urgent speech now; True if something was playing."""

    def resume(self) -> None:
        """Carry on after pause()."""

    def busy(self) -> bool:
        """True while speech is queued or playing."""

    def last_audio_at(self) -> float:
        """Clock time of the last audible sample handed to the device."""

    def set_input_gain(self, gain: float) -> None:
        """Quiet speech in -> quieter reply out."""

    def recent_audio(self, seconds: float) -> npt.NDArray[np.float32]:
        """The last seconds of played audio at 16 kHz (empty when nothing is played)."""


def echo_similarity(heard: npt.NDArray[np.int16], played: npt.NDArray[np.float32]) -> float:
    """How much of what was heard is what was played (0..1): the median peak correlation of its louder 1 s windows.

    Our own voice coming back through the microphone is the played signal, delayed and scaled: it correlates
    strongly; a person speaking does not. Each window finds its own lag, because the path back is not one fixed
    delay: the device drops blocks under load, and the speaker's and microphone's clocks drift apart. On echoes cut
    from the spoken answers (`scripts/bench_echo.py`), one correlation over the whole utterance scored a median of
    0.78 with 200 ppm of drift (0.26 at worst) and a 10th percentile of 0.80 with dropouts; the windows score 0.94
    (0.80 at worst) and 0.997, and people's commands still score at most 0.27 against the playback. The windows
    also cost less: 13 ms for an 8 s utterance where one correlation cost 31 ms.
    """
    slack = played.size - heard.size  # the lags searched: what was played before the heard audio began
    if heard.size < 1600 or slack < 0:
        return 0.0
    if heard.size <= ECHO_WINDOW * 3 // 2:
        return _peak_correlation(heard, played)
    starts = range(0, heard.size - ECHO_WINDOW + 1, ECHO_WINDOW // 2)
    energy = [float(np.sum(heard[i:i + ECHO_WINDOW].astype(np.float64) ** 2)) for i in starts]
    louder = sorted(zip(energy, starts, strict=True), reverse=True)[: max(1, len(energy) // 2)]
    # Heard sample i echoes a played sample between i and i + slack (played starts slack samples earlier).
    return float(np.median([_peak_correlation(heard[i:i + ECHO_WINDOW], played[i:i + ECHO_WINDOW + slack])
                            for _, i in louder]))


def _peak_correlation(heard: npt.NDArray[np.int16], played: npt.NDArray[np.float32]) -> float:
    """Peak normalised cross-correlation of heard with played, over every lag at which it fits inside played."""
    a = heard.astype(np.float64)
    a -= a.mean()
    b = played.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(a.size + b.size)))
    corr = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)[: b.size - a.size + 1]
    # Energy of every played window of the heard length, by running sums (a convolution cost 140 ms per check).
    energy = np.concatenate([[0.0], np.cumsum(b ** 2)])
    window = energy[a.size:] - energy[: b.size - a.size + 1]
    denom = np.sqrt(np.maximum(window, 1e-12) * float(np.sum(a ** 2)))
    return float(np.max(np.abs(corr) / denom)) if denom.size else 0.0


@dataclass
class LoopSettings:
    """How the loop listens."""

    wake_phrase: str = "hey guide"
    always_listen: bool = False
    open_seconds: float = 30.0
    """A conversation stays open (no wake phrase needed) this long after the assistant last spoke."""


@dataclass
class Metrics:
    """Latency instrumentation (seconds on the injected clock)."""

    speech_end_to_reply: list[tuple[float, float]] = field(default_factory=list)
    """(clock time the endpoint fired, trailing silence already waited by then) per reply: the reply's latency is
    that wait plus the time from the endpoint to its first audio (recognition, dialog and synthesis included)."""
    barge_in: list[float] = field(default_factory=list)
    """Seconds of audio from the onset of a barge-in command to the moment speech was cut."""


@dataclass
class _SpeakingOutput:
    """Reports every action to the outer output and speaks the ``Say`` actions."""

    outer: Output
    speech: SpeechSink

    def intent(self, text: str, result: Match | NoMatch) -> None:
        self.outer.intent(text, result)

    def action(self, action: Action) -> None:
        self.outer.action(action)
        if isinstance(action, Say):
            self.speech.say(action)


@dataclass
class VoiceLoop:
    """Carries one conversation over a stream of 16 kHz chunks (microphone or WAV)."""

    recognizer: Recognizer
    speech: SpeechSink
    output: Output
    settings: LoopSettings = field(default_factory=LoopSettings)
    dialog: Dialog = field(default_factory=Dialog)
    model: MatcherModel | None = None
    timings: Timings = field(default_factory=Timings)
    on_voice: Callable[[float, float], None] | None = None
    """Called when the user changes the voice by voice (so it can be remembered across runs)."""
    diary: DiaryRecorder | None = None
    """The cramp diary (episodes, steps, pain, leg, "how many cramps this week")."""
    rule: FrequentRule = field(default_factory=FrequentRule)
    clock: Callable[[], float] = time.monotonic
    endpointer: Endpointer = field(default_factory=Endpointer)
    dc_blocker: StreamingDcBlocker = field(default_factory=StreamingDcBlocker)
    """Takes a microphone's DC offset out first: the room's level and the voice threshold assume audio centred on 0."""
    dehummer: StreamingHumCanceller = field(default_factory=StreamingHumCanceller)
    """Subtracts mains hum next (hum.py): the Wiener filter's gain floor leaves it, and it reads as a noisy room."""
    denoiser: StreamingDenoiser = field(default_factory=StreamingDenoiser)
    """Filters the microphone in a noisy room (a fan), before voice detection and recognition."""
    metrics: Metrics = field(default_factory=Metrics)
    samples: int = 0
    awake_until: int = 0
    hold_at: int | None = None
    listen_at: int | None = None
    _pending_hold: float | None = None
    _pending_listen: float | None = None
    _gain: float = 1.0
    _complete: str | None = None
    """The intent of the complete phrase the partial hypothesis holds (None: no complete phrase)."""
    _cut_this_utterance: bool = False
    _said: list[str] = field(default_factory=list)
    """What the assistant said last (normalised once), to recognise it coming back as text."""
    _utterance_started_speaking: bool = False
    _onset_sample: int = 0
    _held: bool = False
    _narrowband: bool = False
    """Whether the last utterance was recorded at 8 kHz (a headset's call mode): the next is heard by that model."""
    _endpoint: tuple[float, float] = (0.0, 0.0)
    """(clock time the last endpoint fired, trailing silence waited by then): a reply's latency entry."""
    _convo: Conversation | None = None

    def __post_init__(self) -> None:
        self.model = self.model or default_model()
        self._convo = Conversation(output=_SpeakingOutput(self.output, self.speech), dialog=self.dialog,
                                   model=self.model, state=initial_state(self.timings), on_wait=self._on_wait,
                                   on_voice=self.on_voice, diary=self.diary, rule=self.rule)
        self._wake = normalize(self.settings.wake_phrase).split()

    @property
    def convo(self) -> Conversation:
        """The text-level conversation (dialog state and output)."""
        assert self._convo is not None
        return self._convo

    @property
    def ended(self) -> bool:
        """True once the session ended (goodbye)."""
        return self.convo.ended

    # ----- timers, in samples -----
    def _on_wait(self, wait: Wait) -> None:
        self._pending_hold, self.hold_at = wait.seconds, None
        return None

    def _after(self, actions: list[Action]) -> None:
        said = [a.text for a in actions if isinstance(a, Say)]
        self._said = (self._said + [normalize(t) for t in said])[-6:]
        if said or any(isinstance(a, Escalate) for a in actions):
            self.awake_until = self.samples + int(self.settings.open_seconds * RATE)
        listens = [a for a in actions if isinstance(a, Listen)]
        if listens and not any(isinstance(a, Wait) for a in actions):
            self._pending_hold, self.hold_at = None, None
        if listens:
            self._pending_listen, self.listen_at = listens[-1].seconds, None

    def _tick_timers(self) -> None:
        if self.speech.busy():
            return  # holds and listening windows start once the assistant has finished speaking
        if self._pending_hold is not None:
            self.hold_at, self._pending_hold = self.samples + int(self._pending_hold * RATE), None
        if self._pending_listen is not None:
            self.listen_at, self._pending_listen = self.samples + int(self._pending_listen * RATE), None
        if self.endpointer.state.value == "speaking":
            return
        if self.hold_at is not None and self.samples >= self.hold_at:
            self.hold_at = None
            self._after(self.convo.feed(HoldDone()))
        elif self.listen_at is not None and self.samples >= self.listen_at and self.hold_at is None:
            self.listen_at = None
            if self.convo.state.phase is not Phase.IDLE:
                self._after(self.convo.feed(TimedOut()))

    # ----- audio -----
    def _speaking_now(self) -> bool:
        return self.speech.busy() or self.clock() - self.speech.last_audio_at() < ECHO_TAIL_S

    def _is_echo(self, text: str) -> bool:
        norm = normalize(text)
        if not norm:
            return False
        return any(fuzz.partial_ratio(norm, s) >= ECHO_SIMILARITY for s in self._said if s)

    def _awake(self) -> bool:
        return (self.settings.always_listen or self.samples < self.awake_until
                or self.convo.state.phase is not Phase.IDLE)

    def feed(self, chunk: npt.NDArray[np.int16]) -> None:
        """Process one chunk of microphone audio."""
        self.samples += chunk.size
        chunk = self.denoiser.process(self.dehummer.process(self.dc_blocker.process(chunk)))
        # A complete phrase in the partial hypothesis ends the utterance early; in a noisy room only an escalation
        # does. There quiet sounds fall below the voice threshold, and a 200 ms gap inside "what can you do" ended
        # it at "what". Through this loop, cached recordings at 10 / 5 dB (each room alone): set A 89.6 / 81.2 ->
        # 91.7 / 86.5 % (file path 90.6 / 87.5 %); set G's 123 escalation lines heard 92 / 79 -> 92 / 86. Waiting
        # for every phrase cost G 3 at 10 dB: escalations said in a longer sentence, heard in its first part.
        # The costs: 314 non-commands escalated 32 / 34 -> 34 / 39 (recall first), and a reply in a noisy room
        # waits 450 ms of silence instead of 200.
        early = self._complete is not None and (not self.denoiser.active or self._complete in ESCALATING)
        started, utterance = self.endpointer.accept(chunk, phrase_complete=early)
        if started:
            self._onset_sample = self.samples - self.endpointer.config.start_ms * RATE // 1000
            self.recognizer.reset()
            if isinstance(self.recognizer, RoomAwareRecognizer):
                self.recognizer.set_room(noisy=self.denoiser.active, narrowband=self._narrowband)
            self._complete = None
            self._cut_this_utterance = False
            self._utterance_started_speaking = self._speaking_now()
            level = self.endpointer.start_level_dbfs
            self._gain = float(min(10 ** (30 / 20), max(0.3, 10 ** ((-20.0 - level) / 20))))
            lead = self.endpointer.lead_in()
            self._held = False
            if self._utterance_started_speaking and lead:
                # Someone talks over the assistant: hold the speech at once (barge-in), unless it is only
                # our own voice coming back. The utterance then decides: a command cuts, anything else resumes.
                voiced = np.concatenate(lead)[-int(0.25 * RATE):]
                if not self._sounds_like_playback(voiced.tobytes()) and self.speech.pause():
                    self._held = True
                    self.metrics.barge_in.append((self.samples - self._onset_sample) / RATE)
            for pre in lead:
                self._recognize_partial(pre)
        elif self.endpointer.state.value == "speaking":
            self._recognize_partial(chunk)
        if utterance is not None:
            # Taken before recognition finishes: its time is part of the reply latency.
            self._endpoint = (self.clock(), utterance.trailing_silence / RATE)
            self._finish_utterance(utterance.level_dbfs, utterance.end_sample, utterance.pcm)
        self._tick_timers()

    def _scaled(self, chunk: npt.NDArray[np.int16]) -> bytes:
        return np.clip(chunk.astype(np.float32) * self._gain, -32768, 32767).astype(np.int16).tobytes()

    def _recognize_partial(self, chunk: npt.NDArray[np.int16]) -> None:
        for event in self.recognizer.accept(self._scaled(chunk)):
            if isinstance(event, Partial | Final) and event.text:
                norm = normalize(event.text)
                self._complete = self.model.exact.get(norm) if self.model else None
                if self._speaking_now() and not self._cut_this_utterance:
                    self._maybe_barge_in(event.text)

    def _maybe_barge_in(self, text: str) -> None:
        # Held at onset means the audio already proved not to be our voice: words that repeat a reply (the help
        # prompt names every command) must not veto the cut then (see _is_own_voice).
        if not self._held and self._is_echo(text):
            return
        result = match(text, self.model)
        if result.intent in BARGE_IN and self.speech.cut():
            self._cut_this_utterance = True
            # Onset of the words to the cut, counted in audio samples (the microphone is the clock).
            self.metrics.barge_in.append((self.samples - self._onset_sample) / RATE)

    def _playback_similarity(self, pcm: bytes) -> float:
        heard = np.frombuffer(pcm, dtype=np.int16)
        return echo_similarity(heard, self.speech.recent_audio(heard.size / RATE + ECHO_LAG_S))

    def _sounds_like_playback(self, pcm: bytes) -> bool:
        return self._playback_similarity(pcm) >= ECHO_CORRELATION

    def _is_own_voice(self, text: str, pcm: bytes) -> bool:
        """A finished utterance that is our own voice coming back: its waveform, or its words and some of its waveform.

        Words alone are no proof: the help prompt names every command ("say next, back, ... or stop"), so a
        person's "stop" matched it and was dropped as an echo while the assistant spoke, for as long as the prompt
        stayed among the recent replies. A person's command correlated at most 0.27 with the playback in
        bench_latency's sessions (virtual devices); our voice played back correlates far above ECHO_CORRELATION.
        """
        if not pcm:
            return self._is_echo(text)
        similarity = self._playback_similarity(pcm)
        return similarity >= ECHO_CORRELATION or (similarity >= ECHO_WITH_WORDS and self._is_echo(text))

    def _finish_utterance(self, level_dbfs: float, end_sample: int, pcm: bytes = b"") -> None:
        held, self._held = self._held, False
        acted = self._finish(level_dbfs, pcm, held)
        if held and not acted:
            self.speech.resume()  # a cough, the partner, our own echo: carry on where we were

    def _finish(self, level_dbfs: float, pcm: bytes, held: bool) -> bool:
        """Handle a finished utterance; True when the dialog acted on it."""
        result = self.recognizer.finish()
        # The next utterance is streamed in the room of this one's microphone (set_room).
        self._narrowband = (isinstance(self.recognizer, RoomAwareRecognizer) and bool(pcm)
                            and is_narrowband(np.frombuffer(pcm, dtype=np.int16)))
        if pcm and isinstance(self.recognizer, WholeRecordingRecognizer):
            if isinstance(result, NotUnderstood):
                # A second chance before saying "sorry": the whole utterance decoded in one pass, as a file is (the
                # streamed pass, kept for partials and barge-in, is weakest on the first utterances of a session).
                # 16 spoken commands through `listen --wav`, each in a new process: 8 -> 14 understood.
                result = self.recognizer.recognize_whole(pcm)
            elif isinstance(result, Final):
                # A weak fit is searched for escalation keyphrases, as a file's is (set G's 123 escalation lines
                # through this loop, one room at a time: 104/89/78 -> 104/92/79 heard at clean/10/5 dB;
                # 314 non-commands escalated 17/28/31 -> 19/32/34, the file path's trade).
                result = self.recognizer.second_look(result, pcm)
        self._complete = None
        if isinstance(result, NoSpeech):
            return False
        text = result.text
        if self._utterance_started_speaking or self._speaking_now():
            if self._is_own_voice(text, pcm):
                return False  # our own voice, heard back
        words = normalize(text).split()
        awake = self._awake()
        if not awake and not self.settings.always_listen:
            if words[: len(self._wake)] == self._wake:
                words = words[len(self._wake):]
                awake = True
            else:
                check = match(text, self.model)
                # Safety never waits for a wake phrase; everything else does.
                if not (check.intent in ("emergency", "red_flag") and check.confidence >= 0.75):
                    return False
        elif words[: len(self._wake)] == self._wake:
            words = words[len(self._wake):]
        # Quiet speech in, quieter reply out: -50 dBFS -> 0.4, -25 dBFS and louder -> 1.0.
        self.speech.set_input_gain(float(min(1.0, max(0.4, 0.4 + 0.6 * (level_dbfs + 50) / 25))))
        if held and (isinstance(result, NotUnderstood) or match(" ".join(words), self.model).intent == "none"):
            return False  # talked over, but not to us: the held speech carries on
        if isinstance(result, NotUnderstood):
            if awake:  # speech we could not make out: say so, helpfully
                self._after(self.convo.feed(NotUnderstoodEvent(text)))
            return awake
        if not words:
            if awake:
                self.awake_until = self.samples + int(self.settings.open_seconds * RATE)
                welcome = self.dialog.g.prompt("welcome")
                say = Say(welcome.spoken, "welcome", welcome.source)
                self.convo.output.action(say)
                self._after([say, Listen(self.convo.state.timings.listen_seconds)])
            return awake
        if isinstance(result, Final) and not self._cut_this_utterance and self.speech.busy():
            self.speech.cut()  # any command while it speaks interrupts it
        self._after(self.convo.hear_text(" ".join(words)))
        self.metrics.speech_end_to_reply.append(self._endpoint)
        return True

    def run(self, chunks: Iterable[npt.NDArray[np.int16]]) -> None:
        """Feed every chunk until the input ends or the session does."""
        for chunk in chunks:
            self.feed(chunk)
            if self.ended:
                return
        utterance = self.endpointer.flush()
        if utterance is not None:
            self._finish_utterance(utterance.level_dbfs, utterance.end_sample, utterance.pcm)
