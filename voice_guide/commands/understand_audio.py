"""WAV-file path of ``understand`` (kept apart so text mode never imports audio code)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Not a subcommand of its own."""


def understand_files(args: argparse.Namespace, emit: Callable[[dict[str, object]], None]) -> int:
    """Transcribe and classify each WAV file (recognizer loaded once)."""
    raise UserError("understanding WAV files needs the speech recognizer, which is not installed in this build")
