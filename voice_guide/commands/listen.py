"""``voice-guide listen`` (the default): microphone -> recognizer -> matcher -> dialog -> speech, hands-free."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from ..config import Config, load_config
from ..errors import UserError
from ..events import Say
from ..runtime import JsonLines, Terminal


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``listen``."""
    p = sub.add_parser("listen", help="the hands-free assistant (default command)",
                       description="Listen on the microphone and talk through a leg cramp.")
    p.add_argument("--json", action="store_true", help="print the conversation as JSON events, one per line")
    p.add_argument("--always-listen", action="store_true", help="no wake phrase: act on everything heard")
    p.add_argument("--wake-phrase", help="the phrase that opens a conversation (default: from config, 'hey guide')")
    p.add_argument("--input-device", help="microphone (index or part of its name; see 'voice-guide devices')")
    p.add_argument("--output-device", help="speaker (index or part of its name)")
    p.add_argument("--wav", type=Path, help="read this WAV file instead of the microphone")
    p.add_argument("--no-speak", action="store_true", help="do not play speech (events only)")
    p.add_argument("--backend", choices=["auto", "vosk", "pocketsphinx"], help="speech recognizer")
    p.add_argument("--vosk-model", type=Path, help="Vosk model directory")
    p.add_argument("--seconds", type=float, help="stop after this many seconds of audio (for tests and demos)")
    p.add_argument("--diary", type=Path, help="cramp diary file (default: in the user's data dir)")
    p.add_argument("--no-diary", action="store_true", help="keep no diary for this session")
    p.set_defaults(func=run)


class SilentSpeech:
    """Speech sink for --no-speak: nothing plays, nothing is ever busy."""

    def say(self, say: Say, wait: bool = False) -> None:
        """Drop speech."""

    def cut(self) -> bool:
        """Nothing to cut."""
        return False

    def pause(self) -> bool:
        """Nothing playing."""
        return False

    def resume(self) -> None:
        """Nothing held."""

    def busy(self) -> bool:
        """Never speaking."""
        return False

    def last_audio_at(self) -> float:
        """Never spoke."""
        return -1e9

    def set_input_gain(self, gain: float) -> None:
        """No output level to follow."""

    def recent_audio(self, seconds: float) -> Any:
        """Nothing was played."""
        import numpy as np

        return np.zeros(0, np.float32)


class _Spoken:
    """Speech sink over the real speaker."""

    def __init__(self, speaker: Any) -> None:
        self.speaker = speaker

    def say(self, say: Say, wait: bool = False) -> None:
        """Speak."""
        self.speaker.say(say, wait=wait)

    def cut(self) -> bool:
        """Barge-in."""
        return bool(self.speaker.cut())

    def pause(self) -> bool:
        """Hold speech while someone talks over it."""
        return bool(self.speaker.player.pause())

    def resume(self) -> None:
        """Carry on after a false alarm."""
        self.speaker.player.resume()

    def busy(self) -> bool:
        """Speaking or queued."""
        return bool(self.speaker.player.busy())

    def last_audio_at(self) -> float:
        """Last audible block."""
        return float(self.speaker.player.last_audio_at)

    def set_input_gain(self, gain: float) -> None:
        """Follow the user's voice level."""
        self.speaker.input_gain = gain

    def recent_audio(self, seconds: float) -> Any:
        """What the speaker played lately, at 16 kHz."""
        import numpy as np

        from ..speech_out import TTS_RATE

        played = self.speaker.player.recent(seconds)
        # Linear interpolation: this only feeds the echo correlation (0.9998 against the band-limited resampler on
        # speech), and it costs 2 ms where the band-limited one cost 25-45 ms of reply latency per check.
        at = np.arange(played.size * 16000 // TTS_RATE) * (TTS_RATE / 16000)
        return np.interp(at, np.arange(played.size), played).astype("float32")


def build_loop(args: argparse.Namespace, cfg: Config, output: Any, speech: Any) -> Any:
    """Recognizer + loop, reporting the backend choice on stderr."""
    from ..asr.base import detect_backend, load_recognizer
    from ..intents import load_intents
    from ..normalize import normalize
    from ..voice_loop import LoopSettings, VoiceLoop

    choice = detect_backend(args.backend or cfg.backend, args.vosk_model or (Path(cfg.vosk_model) if cfg.vosk_model
                                                                            else None))
    print(f"voice-guide: speech recognizer: {choice.name} ({choice.reason})", file=sys.stderr)
    settings = LoopSettings(wake_phrase=args.wake_phrase or cfg.wake_phrase,
                            always_listen=args.always_listen or cfg.always_listen)
    # The recognizer listens for every command with or without the wake phrase in front of it.
    recognizer = load_recognizer(choice, load_intents(), wake_phrase=normalize(settings.wake_phrase))
    from .chat import diary_rule, open_diary, voice_memory

    return VoiceLoop(recognizer=recognizer, speech=speech, output=output, settings=settings, timings=cfg.timings,
                     on_voice=voice_memory(cfg), diary=open_diary(args, cfg), rule=diary_rule(cfg))


def reserve_stdout() -> TextIO:
    """Keep standard output for the JSON events alone; later writes to it go to standard error.

    That covers libraries writing at the C level too (espeak-ng, PortAudio), which redirect_stdout cannot.
    """
    sys.stdout.flush()
    events = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    return events


def run(args: argparse.Namespace) -> int:
    """Run the hands-free loop until goodbye, end of the WAV, --seconds, or Ctrl-C."""
    from ..mic import Microphone, resolve_device, wav_chunks

    cfg = load_config()
    out = JsonLines(reserve_stdout()) if args.json else Terminal(sys.stdout)
    speech: Any = SilentSpeech()
    player = None
    if not args.no_speak:
        from ..speech_out import Player, Speaker

        player = Player(device=resolve_device(args.output_device or cfg.output_device, "output"))
        player.start()
        speech = _Spoken(Speaker(player, cfg.voice))
    loop = None
    try:
        loop = build_loop(args, cfg, out, speech)
        if args.wav:
            loop.run(wav_chunks(args.wav))
            if player is not None:
                player.wait_idle()
            return 0
        mic = Microphone(device=resolve_device(args.input_device or cfg.input_device, "input"))
        mic.start()
        started = time.monotonic()
        pending_reply: tuple[float, float] | None = None
        wake = "" if loop.settings.always_listen else f" Say '{loop.settings.wake_phrase}' to start."
        print(f"voice-guide: listening.{wake} Ctrl-C to quit.", file=sys.stderr)
        try:
            while not loop.ended:
                chunk = mic.read_or_reopen(timeout=1.0)
                if chunk is None:
                    raise UserError("the microphone stopped sending audio; check it with 'voice-guide devices'")
                cuts, replies = len(loop.metrics.barge_in), len(loop.metrics.speech_end_to_reply)
                if player is not None and pending_reply is None:
                    player.first_audio_at = None
                loop.feed(chunk)
                if player is not None and len(loop.metrics.speech_end_to_reply) > replies:
                    pending_reply = loop.metrics.speech_end_to_reply[-1]
                if player is not None and pending_reply is not None and player.first_audio_at is not None:
                    queued, waited = pending_reply
                    # Instrumentation for scripts/bench_latency.py: end of speech -> first reply audio handed
                    # to the device (the device adds its own output latency).
                    print(f"voice-guide: reply after {(waited + player.first_audio_at - queued) * 1000:.0f} ms "
                          f"(end-of-speech wait {waited * 1000:.0f} ms)", file=sys.stderr, flush=True)
                    pending_reply = None
                if len(loop.metrics.barge_in) > cuts:
                    # Instrumentation for scripts/bench_latency.py; the device adds one block after the cut.
                    print(f"voice-guide: barge-in after {loop.metrics.barge_in[-1] * 1000:.0f} ms of speech",
                          file=sys.stderr, flush=True)
                if args.seconds and time.monotonic() - started >= args.seconds:
                    break
        finally:
            mic.stop()
        if player is not None:
            player.wait_idle()
        return 0
    finally:
        if loop is not None:
            loop.convo.close()
        if player is not None:
            player.stop()
