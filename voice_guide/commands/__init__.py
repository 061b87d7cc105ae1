"""CLI subcommands: each module here defines ``add_parser(subparsers)`` that sets ``func``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(subparsers: argparse._SubParsersAction) -> None:
    """Import every command module in this package and let it add its parser."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.add_parser(subparsers)
