"""``voice-guide transcribe FILE.wav...``: print what the recognizer makes of each file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..asr.base import BACKENDS, Final, NoSpeech, detect_backend, load_recognizer
from ..recognize_files import transcribe_files


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``transcribe`` subcommand."""
    parser = subparsers.add_parser(
        "transcribe",
        help="print the recognized command phrase of WAV files",
        description="Recognize each WAV file (any rate/channels/format) as one utterance and print it.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.wav")
    parser.add_argument("--backend", choices=("auto", *BACKENDS), default="auto",
                        help="speech engine (default: Vosk if a model is installed, else PocketSphinx)")
    parser.add_argument("--vosk-model", type=Path, metavar="PATH", help="Vosk model directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Transcribe every file; exit status 1 if any file could not be read."""
    choice = detect_backend(args.backend, args.vosk_model)
    where = f" ({choice.model_path})" if choice.model_path else ""
    print(f"voice-guide: using {choice.name}{where}: {choice.reason}", file=sys.stderr)
    recognizer = load_recognizer(choice)
    failed = 0
    for path, outcome in transcribe_files(args.files, recognizer):
        if isinstance(outcome, str):
            failed += 1
            print(f"voice-guide: error: {outcome}", file=sys.stderr)
        elif isinstance(outcome, Final):
            print(f"{path}\t{outcome.text}\t{outcome.confidence:.2f}")
        elif isinstance(outcome, NoSpeech):
            print(f"{path}\t(no speech)")
        else:
            print(f"{path}\t(not understood: {outcome.text})" if outcome.text else f"{path}\t(not understood)")
        sys.stdout.flush()
    return 1 if failed else 0
