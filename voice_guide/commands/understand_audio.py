"""WAV-file path of ``understand`` (kept apart so text mode never imports audio code)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..asr.base import Final, NoSpeech, detect_backend, load_recognizer
from ..matcher import default_model, match
from ..recognize_files import transcribe_files


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Not a subcommand of its own."""


def understand_files(args: argparse.Namespace, emit: Callable[[dict[str, object]], None]) -> int:
    """Transcribe and classify each WAV file, the recognizer loaded once; a bad file gets its own line."""
    choice = detect_backend(args.backend, args.vosk_model)
    print(f"voice-guide: speech recognizer: {choice.name} ({choice.reason})", file=sys.stderr)
    recognizer = load_recognizer(choice)
    model = default_model()
    failed = 0
    for path, outcome in transcribe_files(args.files, recognizer):
        if isinstance(outcome, str):
            failed += 1
            print(f"voice-guide: error: {outcome}", file=sys.stderr)
            emit({"input": str(path), "error": outcome})
            continue
        if isinstance(outcome, Final):
            result = match(outcome.text, model)
            emit({"input": str(path), "transcript": outcome.text, "intent": result.intent,
                  "confidence": round(min(result.confidence, max(outcome.confidence, 0.05) ** 0.25), 3)})
        else:
            text = "" if isinstance(outcome, NoSpeech) else outcome.text
            emit({"input": str(path), "transcript": text, "intent": "none", "confidence": 1.0})
    return 1 if failed else 0
