"""``voice-guide understand``: utterances (text lines or WAV files) -> intent JSON, one line each."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..matcher import default_model, match
from ..textio import read_lines


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``understand``."""
    p = sub.add_parser("understand", help="print the intent of text lines (stdin) or WAV files",
                       description="Prints one JSON object per input: input, transcript, intent, confidence.")
    p.add_argument("files", nargs="*", type=Path, help="WAV files (omit with --text to read stdin lines)")
    p.add_argument("--text", action="store_true", help="read utterances from stdin, one per line")
    p.add_argument("--json", action="store_true", help="JSON output (the default; kept for clarity)")
    p.add_argument("--backend", choices=["auto", "vosk", "pocketsphinx"], default="auto",
                   help="speech recognizer for WAV files")
    p.add_argument("--vosk-model", type=Path, help="Vosk model directory")
    p.set_defaults(func=run)


def _emit(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    """Classify each input and print its JSON line."""
    if args.text or not args.files:
        model = default_model()
        for line in read_lines(sys.stdin.buffer):
            if line.problem:
                print(f"voice-guide: {line.problem}", file=sys.stderr)
            result = match(line.text, model)
            _emit({"input": line.text, "transcript": line.text, "intent": result.intent,
                   "confidence": result.confidence})
        return 0
    from .understand_audio import understand_files

    return understand_files(args, _emit)
