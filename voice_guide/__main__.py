"""Command-line entry point: ``voice-guide`` and ``python -m voice_guide``."""

from __future__ import annotations

import argparse
import sys

from .commands import register_all
from .errors import UserError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="voice-guide", description="Offline voice guide through a leg cramp.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit status."""
    args_list = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not args_list:
        args_list = [_default_command()]
    args = parser.parse_args(args_list)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"voice-guide: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _default_command() -> str:
    """``listen`` when a microphone exists; otherwise ``demo``, which shows the whole pipeline without one."""
    try:
        from .mic import list_devices

        if any(d["max_input_channels"] > 0 for d in list_devices()):
            return "listen"
    except Exception:  # no PortAudio at all: the demo still writes its reply to a file
        pass
    print("voice-guide: no microphone found, so here is the demo; connect one and run 'voice-guide listen'.",
          file=sys.stderr)
    return "demo"


if __name__ == "__main__":
    sys.exit(main())
