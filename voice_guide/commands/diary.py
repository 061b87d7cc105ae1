"""``voice-guide diary``: list, export (CSV/JSON), report (HTML for the provider) and delete diary episodes."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from ..diary.frequency import NIGHT_CUTOFF_HOUR, FrequentRule
from ..diary.recorder import local_now
from ..diary.report import MAX_WEEKS, OUTCOME_LABELS, build_report, write_private
from ..diary.store import SCHEMA_VERSION, Diary, DiaryMissing, Episode, default_path
from ..errors import UserError

CSV_FIELDS = ("id", "night", "kind", "started_at", "ended_at", "duration_seconds", "outcome", "level", "leg", "pain",
              "steps", "answers", "escalations")


def _add_common(p: argparse.ArgumentParser, top: bool = False) -> None:
    # On the ``diary`` parser and again on each action, so ``--db`` works before or after the action;
    # SUPPRESS on the actions keeps their unset default from overwriting a value given before them.
    p.add_argument("--db", type=Path, default=None if top else argparse.SUPPRESS,
                   help="diary file (default: $XDG_DATA_HOME/voice-guide/diary.sqlite3, "
                        "else ~/.local/share/voice-guide/diary.sqlite3)")


def _add_range(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="first", metavar="DATE", help="first night, YYYY-MM-DD (inclusive)")
    p.add_argument("--to", dest="last", metavar="DATE", help="last night, YYYY-MM-DD (inclusive)")


def _add_rule(p: argparse.ArgumentParser) -> None:
    p.add_argument("--frequent", default="4/7", metavar="N/M",
                   help="'frequent' means cramps on at least N of the last M nights (default 4/7)")
    p.add_argument("--cutoff-hour", type=int, default=NIGHT_CUTOFF_HOUR, metavar="H",
                   help=f"episodes before this hour belong to the previous night (default {NIGHT_CUTOFF_HOUR})")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``diary`` and its actions."""
    p = sub.add_parser("diary", help="the cramp diary: list, export, report, delete",
                       description="Episodes recorded during conversations (no audio): list them, export them, "
                                   "print a one-page report for your healthcare provider, or delete them. "
                                   "A night is the date of the evening: episodes before the cut-off hour "
                                   f"(default {NIGHT_CUTOFF_HOUR}:00) belong to the night before.")
    _add_common(p, top=True)
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    ls = actions.add_parser("list", help="list episodes (the default)")
    _add_common(ls)
    _add_range(ls)
    _add_rule(ls)

    ex = actions.add_parser("export", help="export episodes as CSV or JSON")
    _add_common(ex)
    fmt = ex.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", action="store_const", const="csv", dest="format", help="one row per episode")
    fmt.add_argument("--json", action="store_const", const="json", dest="format", help="episodes with every event")
    ex.add_argument("--output", "-o", type=Path, help="write here (private, 0600) instead of standard output")
    _add_range(ex)
    ex.add_argument("--cutoff-hour", type=int, default=NIGHT_CUTOFF_HOUR, metavar="H",
                    help=f"night cut-off hour for the 'night' column (default {NIGHT_CUTOFF_HOUR})")

    rp = actions.add_parser("report", help="a printable one-page HTML report for your healthcare provider")
    _add_common(rp)
    rp.add_argument("--html", type=Path, required=True, metavar="FILE", help="write the report here")
    rp.add_argument("--weeks", type=int, default=4, help=f"how many recent weeks (default 4, at most {MAX_WEEKS})")
    rp.add_argument("--as-of", metavar="DATETIME", help="report as of this ISO time (default: now)")
    _add_rule(rp)

    dl = actions.add_parser("delete", help="delete episodes: all, or the nights of a date range")
    _add_common(dl)
    dl.add_argument("--all", action="store_true", help="delete every episode")
    _add_range(dl)
    dl.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    dl.add_argument("--cutoff-hour", type=int, default=NIGHT_CUTOFF_HOUR, metavar="H",
                    help=f"night cut-off hour for the range (default {NIGHT_CUTOFF_HOUR})")

    p.set_defaults(func=run)


# ----- helpers -----
def _db_path(args: argparse.Namespace) -> Path:
    return args.db if getattr(args, "db", None) else default_path()


def _night(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{flag} {text!r} is not a date; use YYYY-MM-DD") from None


def _nights(args: argparse.Namespace) -> tuple[date | None, date | None] | None:
    first, last = _night(args.first, "--from"), _night(args.last, "--to")
    if first and last and first > last:
        raise UserError(f"--from {first} is after --to {last}")
    return None if first is None and last is None else (first, last)


def _rule(args: argparse.Namespace) -> FrequentRule:
    return FrequentRule.parse(args.frequent, args.cutoff_hour)


def _read_episodes(path: Path, nights: tuple[date | None, date | None] | None, cutoff_hour: int) -> list[Episode]:
    """Episodes from the diary, read-only (works on a read-only folder); no diary yet means none."""
    try:
        diary = Diary.open(path, readonly=True)
    except DiaryMissing:
        return []
    with diary:
        return diary.list(nights=nights, cutoff_hour=cutoff_hour)


def _minutes(e: Episode) -> str:
    return "" if e.duration_seconds is None else f"{e.duration_seconds / 60:.0f}"


def _ended(e: Episode) -> str:
    if e.outcome is None:
        return "in progress / unfinished"
    text = OUTCOME_LABELS.get(e.outcome, e.outcome)
    return f"{text} ({e.level})" if e.level else text


# ----- actions -----
def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen action (``list`` when none is given)."""
    action = args.action or "list"
    if action == "list" and args.action is None:
        # Bare ``voice-guide diary``: the list parser's options were never parsed; use their defaults.
        args = argparse.Namespace(**vars(args), first=None, last=None, frequent="4/7", cutoff_hour=NIGHT_CUTOFF_HOUR)
    return {"list": _list, "export": _export, "report": _report, "delete": _delete}[action](args)


def _list(args: argparse.Namespace) -> int:
    rule = _rule(args)
    path = _db_path(args)
    episodes = _read_episodes(path, _nights(args), rule.cutoff_hour)
    if not episodes:
        print(f"No episodes recorded (diary: {path}).")
        return 0
    rows = [("night", "started", "kind", "min", "leg", "pain", "warning signs", "ended")]
    for e in episodes:
        yes = [a.question_key.removeprefix("question.") for a in e.answers if a.yes]
        signs = ("yes: " + ", ".join(yes)) if yes else (f"{len(e.answers)} no" if e.answers else "")
        rows.append((e.night(rule.cutoff_hour).isoformat(), e.started_at.strftime("%a %d %b %H:%M"), e.kind,
                     _minutes(e), e.leg or "", "" if e.pain is None else str(e.pain), signs, _ended(e)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    try:
        diary = Diary.open(path, readonly=True)
    except DiaryMissing:
        return 0
    with diary:
        frequent = diary.is_frequent(local_now(), rule)
    print(f"{len(episodes)} episodes. Frequent ({rule.describe()}): {'YES' if frequent else 'no'}.")
    return 0


def episodes_csv(episodes: Sequence[Episode], cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> str:
    """CSV, one row per episode; steps/answers/escalations as ';'-separated lists."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for e in episodes:
        d = e.to_dict(cutoff_hour)
        d["steps"] = ";".join(s.key for s in e.steps)
        d["answers"] = ";".join(f"{a.question_key}={'yes' if a.yes else 'no'}" for a in e.answers)
        d["escalations"] = ";".join(("conditional:" if x.conditional else "") + x.level for x in e.escalations)
        w.writerow({k: "" if d[k] is None else d[k] for k in CSV_FIELDS})
    return buf.getvalue()


def episodes_json(episodes: Sequence[Episode], cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> str:
    """JSON: a small header and every episode with all its events."""
    doc = {"format": "voice-guide-diary", "schema": SCHEMA_VERSION, "night_cutoff_hour": cutoff_hour,
           "exported_at": local_now().isoformat(timespec="seconds"),
           "episodes": [e.to_dict(cutoff_hour) for e in episodes]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _refuse_diary_as_output(out: Path, db: Path) -> None:
    try:
        same = out.resolve() in {db.resolve(), db.resolve().with_name(db.name + "-wal"),
                                 db.resolve().with_name(db.name + "-shm")}
    except OSError:
        same = False
    if same:
        raise UserError(f"{out} is the diary itself; choose another output file")


def _export(args: argparse.Namespace) -> int:
    path = _db_path(args)
    episodes = _read_episodes(path, _nights(args), args.cutoff_hour)
    text = episodes_csv(episodes, args.cutoff_hour) if args.format == "csv" else episodes_json(episodes,
                                                                                                args.cutoff_hour)
    if args.output:
        _refuse_diary_as_output(args.output, path)
        write_private(args.output, text)
        print(f"Exported {len(episodes)} episodes to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _report(args: argparse.Namespace) -> int:
    rule = _rule(args)
    path = _db_path(args)
    now = local_now()
    if args.as_of:
        try:
            now = datetime.fromisoformat(args.as_of)
        except ValueError:
            raise UserError(f"--as-of {args.as_of!r} is not a date and time; use e.g. 2024-03-12T09:00") from None
        now = now if now.tzinfo else now.astimezone()
    if not 1 <= args.weeks <= MAX_WEEKS:
        raise UserError(f"--weeks must be 1 to {MAX_WEEKS}, not {args.weeks}")
    _refuse_diary_as_output(args.html, path)
    episodes = _read_episodes(path, None, rule.cutoff_hour)
    page = build_report(episodes, now, weeks=args.weeks, rule=rule)
    write_private(args.html, page)
    print(f"Wrote the report to {args.html} (open it in a browser and print it).", file=sys.stderr)
    return 0


def _confirm(question: str) -> bool:
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _delete(args: argparse.Namespace) -> int:
    nights = _nights(args)
    if args.all and nights:
        raise UserError("give either --all or --from/--to, not both")
    if not args.all and not nights:
        raise UserError("say what to delete: --all, or --from DATE and/or --to DATE (nights, YYYY-MM-DD)")
    path = _db_path(args)
    try:
        diary = Diary.open(path, create=False)
    except DiaryMissing:
        print(f"No diary at {path}; nothing to delete.")
        return 0
    with diary:
        first, last = nights or (None, None)
        count = len(diary.list(nights=nights, cutoff_hour=args.cutoff_hour)) if nights else len(diary.list())
        what = "every episode" if args.all else f"episodes of the nights {first or 'start'} to {last or 'now'}"
        if count == 0:
            print(f"Nothing to delete ({what}: none recorded).")
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                raise UserError(f"refusing to delete {count} episodes without confirmation: there is no terminal "
                                "to ask on; add --yes to delete anyway")
            if not _confirm(f"Delete {count} episodes ({what}) from {path}? This cannot be undone."):
                print("Nothing deleted.")
                return 1
        deleted = diary.delete(first, last, cutoff_hour=args.cutoff_hour)
    print(f"Deleted {deleted} episodes.")
    return 0
