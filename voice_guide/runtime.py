"""The one loop that carries out dialog actions; events come from text, audio or timers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from .dialog import Dialog, State, initial_state
from .events import Action, End, Escalate, Event, Heard, HoldDone, Listen, NotUnderstood, Say, Wait
from .matcher import Match, MatcherModel, NoMatch, match

# A runaway chain of holds (a bug) must not spin forever.
MAX_CHAINED_STEPS = 64


class Output(Protocol):
    """Where the loop reports what happens: JSON lines, a terminal, a speaker."""

    def intent(self, text: str, result: Match | NoMatch) -> None:
        """An utterance was understood (or not)."""

    def action(self, action: Action) -> None:
        """An action is carried out."""


@dataclass
class JsonLines:
    """Writes one JSON object per event (the ``chat --json`` / ``listen --json`` contract)."""

    stream: TextIO

    def _emit(self, obj: dict[str, object]) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=True) + "\n")
        self.stream.flush()

    def intent(self, text: str, result: Match | NoMatch) -> None:
        """Print an intent event."""
        self._emit({"event": "intent", "text": text, "intent": result.intent, "confidence": result.confidence})

    def action(self, action: Action) -> None:
        """Print a say / wait / escalate / end event (listen is internal)."""
        if isinstance(action, Say):
            self._emit({"event": "say", "text": action.text, "key": action.key, "source": action.source,
                        "urgent": action.urgent})
        elif isinstance(action, Wait):
            self._emit({"event": "wait", "seconds": action.seconds})
        elif isinstance(action, Escalate):
            self._emit({"event": "escalate", "level": action.level, "conditional": action.conditional})
        elif isinstance(action, End):
            self._emit({"event": "end", "scope": action.scope, "outcome": action.outcome})


@dataclass
class Terminal:
    """Human-readable conversation on a terminal."""

    stream: TextIO

    def intent(self, text: str, result: Match | NoMatch) -> None:
        """Show what was understood, quietly."""
        self.stream.write(f"  ({result.intent}, {result.confidence:.2f})\n")

    def action(self, action: Action) -> None:
        """Show speech and holds."""
        if isinstance(action, Say):
            self.stream.write(f"guide: {action.text}\n")
        elif isinstance(action, Wait):
            self.stream.write(f"  [holding {action.seconds:g} s]\n")
        elif isinstance(action, Escalate) and not action.conditional:
            self.stream.write(f"  [escalated: {action.level}]\n")
        self.stream.flush()


@dataclass
class Conversation:
    """Feeds events to the dialog and hands the resulting actions to an output."""

    output: Output
    dialog: Dialog = field(default_factory=Dialog)
    model: MatcherModel | None = None
    state: State = field(default_factory=initial_state)
    on_wait: Callable[[Wait], Event | None] | None = None
    """Called for each Wait: returns HoldDone to chain at once, or None when the hold runs on a real timer."""

    @property
    def ended(self) -> bool:
        """True once the session has ended."""
        return self.state.phase.value == "ended"

    def hear_text(self, text: str) -> list[Action]:
        """Match text, report the intent and step the dialog."""
        result = match(text, self.model)
        self.output.intent(text, result)
        event: Event = Heard(result.intent, result.confidence, text) if isinstance(result, Match) else \
            NotUnderstood(text)
        return self.feed(event)

    def feed(self, event: Event) -> list[Action]:
        """Step the dialog with an event and carry out its actions (chaining instant holds)."""
        done: list[Action] = []
        pending: list[Event] = [event]
        for _ in range(MAX_CHAINED_STEPS):
            if not pending:
                break
            self.state, actions = self.dialog.step(self.state, pending.pop(0))
            for action in actions:
                self.output.action(action)
                done.append(action)
                if isinstance(action, Wait) and self.on_wait is not None:
                    follow = self.on_wait(action)
                    if follow is not None:
                        pending.append(follow)
        return done


def instant_holds(_: Wait) -> Event:
    """For ``--no-delay``: every hold ends at once."""
    return HoldDone()


__all__ = ["Conversation", "JsonLines", "Listen", "Terminal", "instant_holds"]
