"""``voice-guide demo``: the whole pipeline without a microphone: spoken request -> recognizer -> dialog -> speech."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..config import load_config
from ..events import Action, Say
from ..runtime import JsonLines, Terminal


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``demo``."""
    p = sub.add_parser("demo", help="show the whole pipeline working, no microphone needed",
                       description="Synthesises a spoken request, recognises it, answers it and speaks the reply.")
    p.add_argument("--request", default="I have a cramp", help="what the simulated person says")
    p.add_argument("--reply-wav", type=Path, help="also write the spoken reply to this WAV file")
    p.add_argument("--json", action="store_true", help="print the conversation as JSON events")
    p.add_argument("--backend", choices=["auto", "vosk", "pocketsphinx"], help="speech recognizer")
    p.add_argument("--vosk-model", type=Path, help="Vosk model directory")
    p.set_defaults(func=run)


class _Collect:
    """Speech sink that renders replies into one buffer (and plays them when a speaker exists)."""

    def __init__(self, speaker: Any | None, voice: Any) -> None:
        self.speaker = speaker
        self.voice = voice
        self.audio: list[np.ndarray] = []

    def say(self, say: Say, wait: bool = False) -> None:
        from ..speech_out import render_whole

        self.audio.append(render_whole(say, self.voice))
        if self.speaker is not None:
            self.speaker.say(say)

    def cut(self) -> bool:
        return False

    def pause(self) -> bool:
        return False

    def resume(self) -> None:
        return None

    def busy(self) -> bool:
        return False

    def last_audio_at(self) -> float:
        return -1e9

    def set_input_gain(self, gain: float) -> None:
        return None

    def recent_audio(self, seconds: float) -> np.ndarray:
        return np.zeros(0, np.float32)


def run(args: argparse.Namespace) -> int:
    """Run one spoken exchange end to end."""
    from ..audio import write_wav
    from ..speech_out import TTS_RATE, Player, Speaker
    from ..tts_synth import synthesize
    from .listen import build_loop

    cfg = load_config()
    out = JsonLines(sys.stdout) if args.json else Terminal(sys.stdout)
    player = None
    try:
        from ..mic import list_devices

        if any(d["max_output_channels"] > 0 for d in list_devices()):
            player = Player()
            player.start()
    except Exception:  # no PortAudio or no device: the reply is written to a file instead
        player = None
    sink = _Collect(Speaker(player, cfg.voice) if player else None, cfg.voice)
    with tempfile.TemporaryDirectory(prefix="voice-guide-demo-") as tmp:
        request = Path(tmp) / "request.wav"
        samples, rate = synthesize(args.request, rate=150)
        # A bedroom is never digitally silent: a faint noise floor (about -64 dBFS) around the words, as a
        # microphone would give, so the recognizer's noise estimate starts from something real.
        floor = np.random.default_rng(0).normal(0.0, 20.0, samples.size + 3 * (rate // 2))
        padded = np.concatenate([np.zeros(rate // 2), samples.astype(np.float64), np.zeros(rate)]) + floor
        write_wav(request, np.clip(padded, -32768, 32767).astype(np.int16), rate)
        print(f"demo: the person says {args.request!r} (synthesised speech, {len(samples) / rate:.1f} s)",
              file=sys.stderr)
        ns = argparse.Namespace(backend=args.backend, vosk_model=args.vosk_model, wake_phrase=None,
                                always_listen=True, no_diary=True, diary=None)
        loop = build_loop(ns, cfg, out, sink)
        loop.run(_chunks(request))
    if player is not None:
        player.wait_idle()
        player.stop()
    reply = args.reply_wav or Path(tempfile.gettempdir()) / "voice-guide-demo-reply.wav"
    if sink.audio:
        write_wav(reply, np.concatenate(sink.audio), TTS_RATE)
        print(f"demo: the spoken reply is in {reply}", file=sys.stderr)
    print("demo: to use a real microphone, run 'voice-guide listen' (see 'voice-guide devices'); "
          "'voice-guide chat' works in text.", file=sys.stderr)
    return 0 if sink.audio else 1


def _chunks(path: Path) -> Any:
    from ..mic import wav_chunks

    return wav_chunks(path)


__all__ = ["Action", "run"]
