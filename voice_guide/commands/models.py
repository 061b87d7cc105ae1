"""``voice-guide models``: list installed Vosk models, install one (name, URL or zip), remove one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import models as m
from ..errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``models`` with its ``list``, ``install`` and ``remove`` actions."""
    p = sub.add_parser("models", help="speech models: list, install, remove",
                       description="Vosk speech models. Installed into the project's models/ folder when it is "
                                   "writable, else $XDG_CACHE_HOME/voice-guide/models; --dir overrides.")
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    ls = actions.add_parser("list", help="installed models, which one is used, and the catalogue (the default)")
    ls.add_argument("--dir", type=Path, action="append", help="look here instead (repeatable)")

    ins = actions.add_parser("install", help="install from a catalogue name, an http(s) URL or a local .zip")
    ins.add_argument("source", metavar="NAME|URL|ZIP")
    ins.add_argument("--dir", type=Path, help="install into this directory")
    ins.add_argument("--name", help="directory name for the model (default: from the source)")
    ins.add_argument("--sha256", metavar="HEX", help="expected SHA-256 of the zip")
    ins.add_argument("--max-size", type=int, default=m.Limits.max_total_bytes // 1_000_000, metavar="MB",
                     help="largest download and unpacked size accepted, in MB (default %(default)s)")
    ins.add_argument("--max-files", type=int, default=m.Limits.max_files, help="most entries (default %(default)s)")
    ins.add_argument("--max-ratio", type=float, default=m.Limits.max_ratio,
                     help="largest compression ratio accepted (default %(default)s)")
    ins.add_argument("--retries", type=int, default=3, help="reconnects after a dropped download (default 3)")
    ins.add_argument("--quiet", "-q", action="store_true", help="no progress output")

    rm = actions.add_parser("remove", help="delete an installed model")
    rm.add_argument("name")
    rm.add_argument("--dir", type=Path, action="append", help="look here instead (repeatable)")

    p.set_defaults(func=run)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def _list(dirs: list[Path]) -> int:
    listing = m.list_models(dirs)
    if listing.models:
        rows = [("NAME", "SIZE", "USED", "WHERE / WHY")]
        for model in listing.models:
            rows.append((model.name, _human(model.size_bytes), "yes" if model.used else "no",
                         f"{model.path.parent}: {model.reason}"))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            print(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}")
    else:
        print(f"no Vosk models installed in {', '.join(str(d) for d in dirs)}")
    backend = listing.backend.name if listing.backend else "none"
    print(f"\nspeech backend now: {backend} ({listing.backend_reason})")
    print("\ncatalogue (voice-guide models install NAME):")
    for entry in m.CATALOGUE.values():
        print(f"  {entry.name:<30} {entry.size:>5}  {entry.description}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Dispatch the ``models`` action."""
    action = args.action or "list"
    if action == "list":
        return _list(getattr(args, "dir", None) or m.default_dirs())
    if action == "remove":
        path = m.remove(args.name, args.dir or m.default_dirs())
        print(f"removed {path}")
        return 0
    if args.max_size <= 0 or args.max_files <= 0 or args.max_ratio <= 1:
        raise UserError("--max-size and --max-files must be positive and --max-ratio above 1")
    limits = m.Limits(max_total_bytes=args.max_size * 1_000_000, max_files=args.max_files, max_ratio=args.max_ratio)
    target_dir = args.dir or m.default_target_dir()
    progress: m.Progress = m.NullProgress() if args.quiet else m.StderrProgress(sys.stderr)
    path = m.install(args.source, target_dir, progress=progress, name=args.name, sha256=args.sha256,
                     limits=limits, retries=max(0, args.retries))
    print(f"installed {path}")
    return 0
