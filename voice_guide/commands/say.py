"""``voice-guide say TEXT``: speak text in the night voice (or write it to a WAV file)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import load_config
from ..errors import UserError
from ..events import Say


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``say``."""
    p = sub.add_parser("say", help="speak text in the night voice",
                       description="Speak text aloud, sentence by sentence.")
    p.add_argument("text", nargs="+", help="what to say")
    p.add_argument("--output-device", help="speaker device (index or part of its name)")
    p.add_argument("--wav", type=Path, help="write the speech to this WAV file instead of playing it")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Speak (or render) the text."""
    from ..speech_out import TTS_RATE, Player, Speaker, render_whole

    cfg = load_config()
    text = " ".join(args.text).strip()
    if not text:
        raise UserError("nothing to say; give some text, e.g. voice-guide say 'hello'")
    if args.wav:
        from ..audio import write_wav

        audio = render_whole(Say(text, "say", "assistant"), cfg.voice)
        try:
            write_wav(args.wav, audio, TTS_RATE)
        except OSError as exc:
            raise UserError(f"cannot write {args.wav}: {exc.strerror}") from None
        return 0
    from ..mic import resolve_device

    player = Player(device=resolve_device(args.output_device or cfg.output_device, "output"))
    player.start()
    try:
        Speaker(player, cfg.voice).say(Say(text, "say", "assistant"), wait=True)
    finally:
        player.stop()
    return 0
