"""``voice-guide chat``: a text conversation with the same brain the voice loop uses."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..config import Config, load_config, remember_voice
from ..dialog import Dialog, initial_state
from ..diary.frequency import FrequentRule
from ..diary.recorder import DiaryRecorder, open_recorder, stderr_warning
from ..events import End, HoldDone, Listen, Say, Wait
from ..runtime import Conversation, JsonLines, Terminal, instant_holds
from ..textio import LineSource


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``chat``."""
    p = sub.add_parser("chat", help="talk to the guide in text (stdin lines)",
                       description="Type what you would say; the guide answers in text.")
    p.add_argument("--json", action="store_true", help="print one JSON event per line")
    p.add_argument("--no-delay", action="store_true", help="do not wait out timed holds (report them only)")
    diary = p.add_mutually_exclusive_group()
    diary.add_argument("--diary", type=Path, metavar="PATH",
                       help="record episodes in this diary file (default: $XDG_DATA_HOME/voice-guide/diary.sqlite3, "
                            "else ~/.local/share/voice-guide/diary.sqlite3)")
    diary.add_argument("--no-diary", action="store_true", help="do not record anything in the cramp diary")
    p.set_defaults(func=run)


def diary_rule(cfg: Config) -> FrequentRule:
    """The frequent-cramps rule of the config's ``[diary]`` section."""
    d = cfg.diary
    return FrequentRule(d.frequent_nights, d.frequent_window, d.night_cutoff_hour)


def voice_memory(cfg: Config) -> Callable[[float, float], None]:
    """Remember voice changes across runs; a problem is one line on stderr, never a stop."""

    def remember(rate: float, volume: float) -> None:
        problem = remember_voice(cfg, rate, volume)
        if problem:
            print(f"voice-guide: {problem}", file=sys.stderr)

    return remember


def open_diary(args: argparse.Namespace, cfg: Config) -> DiaryRecorder | None:
    """The diary recorder for this conversation, or None when disabled; a problem is one line on stderr."""
    if getattr(args, "no_diary", False) or (not cfg.diary.enabled and getattr(args, "diary", None) is None):
        return None
    return open_recorder(getattr(args, "diary", None), on_warning=stderr_warning)


def run(args: argparse.Namespace) -> int:
    """Run the conversation until goodbye or end of input."""
    cfg = load_config()
    output = JsonLines(sys.stdout) if args.json else Terminal(sys.stdout)
    hold_until: list[float] = []

    def real_hold(w: Wait) -> None:
        hold_until[:] = [time.monotonic() + w.seconds]

    convo = Conversation(output=output, dialog=Dialog(), state=initial_state(cfg.timings),
                         on_wait=instant_holds if args.no_delay else real_hold, diary=open_diary(args, cfg),
                         rule=diary_rule(cfg), on_voice=voice_memory(cfg))
    try:
        return _converse(args, convo, output, hold_until)
    finally:
        convo.close()


def _converse(args: argparse.Namespace, convo: Conversation, output: JsonLines | Terminal,
              hold_until: list[float]) -> int:
    interactive = sys.stdin.isatty() and not args.json
    if interactive:
        print("voice-guide text chat. Type what you would say (e.g. 'I have a cramp'); Ctrl-D to quit.")
    source = LineSource(sys.stdin.fileno())
    while not convo.ended:
        timeout = max(0.0, hold_until[0] - time.monotonic()) if hold_until else None
        try:
            item = source.next_line(timeout)
        except EOFError:
            break
        if item is None:
            hold_until.clear()
            convo.feed(HoldDone())
            continue
        if item.problem:
            print(f"voice-guide: {item.problem}", file=sys.stderr)
        if not item.text.strip():
            output.action(Say("I didn't hear anything. Say 'help' to hear what I can do.", "empty_input",
                              "assistant"))
            continue
        actions = convo.hear_text(item.text)
        if any(isinstance(a, Listen) for a in actions) and not any(isinstance(a, Wait) for a in actions):
            hold_until.clear()  # the dialog now waits for an answer instead of a hold
    if not convo.ended:
        output.action(End("session", "end_of_input"))
    return 0
