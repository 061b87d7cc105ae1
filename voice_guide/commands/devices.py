"""``voice-guide devices``: list audio devices (the numbers work with --input-device / --output-device)."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``devices``."""
    p = sub.add_parser("devices", help="list audio input and output devices")
    p.add_argument("--json", action="store_true", help="one JSON object per device")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the devices PortAudio sees."""
    from ..mic import list_devices

    devices = list_devices()
    if not devices:
        print("no audio devices found; connect a microphone and speaker, or try 'voice-guide demo'", file=sys.stderr)
        return 1
    for d in devices:
        if args.json:
            print(json.dumps({"index": d["index"], "name": d["name"], "inputs": d["max_input_channels"],
                              "outputs": d["max_output_channels"]}))
        else:
            kinds = [k for k, n in (("in", d["max_input_channels"]), ("out", d["max_output_channels"])) if n]
            print(f"{d['index']:>3}  {d['name']}  ({'/'.join(kinds) or 'no channels'})")
    return 0
