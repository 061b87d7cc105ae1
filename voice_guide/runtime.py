"""The one loop that carries out dialog actions; events come from text, audio or timers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol, TextIO

from .dialog import Dialog, Phase, State, initial_state
from .diary.frequency import FrequentRule, night_of
from .diary.recorder import Clock, DiaryRecorder, local_now
from .events import (
    Action,
    End,
    Escalate,
    Event,
    Frequent,
    Heard,
    History,
    HoldDone,
    Listen,
    Note,
    NotUnderstood,
    Say,
    Wait,
)
from .matcher import Match, MatcherModel, NoMatch, match
from .slots import extract

# A runaway chain of holds (a bug) must not spin forever.
MAX_CHAINED_STEPS = 64
# "How many cramps this week?": the last seven nights, tonight included.
HISTORY_NIGHTS = 7
# The diary episode kind of each dialog phase; entering the phase starts (or joins) an episode.
EPISODE_KIND = {Phase.RELIEF: "cramp", Phase.STRETCH: "stretch", Phase.SERIOUS: "check"}


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
        elif isinstance(action, Note):
            self._emit({"event": "note", "kind": action.kind, "value": action.value})


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
        elif isinstance(action, Note):
            self.stream.write(f"  [noted: {action.kind} {action.value}]\n")
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
    diary: DiaryRecorder | None = None
    """The cramp diary, if any: every episode is recorded as it happens (never raises; see DiaryRecorder)."""
    rule: FrequentRule = field(default_factory=FrequentRule)
    """When cramps count as frequent (config [diary]); also gives the night cut-off hour."""
    clock: Clock = local_now
    """Aware local time, for diary look-ups ("this week", "frequent")."""
    on_voice: Callable[[float, float], None] | None = None
    """Called with the dialog's (rate, volume) multipliers whenever "slower"/"louder"... change them."""

    @property
    def ended(self) -> bool:
        """True once the session has ended."""
        return self.state.phase.value == "ended"

    def hear_text(self, text: str) -> list[Action]:
        """Match text, report the intent and step the dialog."""
        result = match(text, self.model)
        self.output.intent(text, result)
        event: Event
        if isinstance(result, Match):
            slots = extract(text)
            history = self._history() if result.intent == "ask_history" else None
            event = Heard(result.intent, result.confidence, text, pain=slots.pain, leg=slots.leg, history=history)
        else:
            event = NotUnderstood(text)
        return self.feed(event)

    def feed(self, event: Event) -> list[Action]:
        """Step the dialog with an event and carry out its actions (chaining instant holds)."""
        done: list[Action] = []
        pending: list[Event] = [event]
        for _ in range(MAX_CHAINED_STEPS):
            if not pending:
                break
            before = self.state
            self.state, actions = self.dialog.step(before, pending.pop(0))
            # Recorded before anything is shown or said: once the reply is out, the diary already has it.
            if self._record(before, self.state, actions):
                frequent = self._frequent()
                if frequent is not None:
                    pending.insert(0, frequent)
            if self.on_voice is not None and (before.rate, before.volume) != (self.state.rate, self.state.volume):
                self.on_voice(self.state.rate, self.state.volume)
            for action in actions:
                self.output.action(action)
                done.append(action)
                if isinstance(action, Wait) and self.on_wait is not None:
                    follow = self.on_wait(action)
                    if follow is not None:
                        pending.append(follow)
        return done

    def close(self) -> None:
        """End of session: an episode still open is closed as ``unfinished`` and the diary is closed."""
        if self.diary is not None:
            self.diary.close()

    # ----- the cramp diary -----
    def _record(self, before: State, after: State, actions: list[Action]) -> bool:
        """Tell the diary what this step did; True when a cramp episode began."""
        rec = self.diary
        if rec is None:
            return False
        kind = EPISODE_KIND.get(after.phase)
        began = kind is not None and after.phase is not before.phase
        if began and kind is not None:
            rec.on_episode_start(kind)
        if len(after.answers) == len(before.answers) + 1 and after.answers[:-1] == before.answers:
            key, yes = after.answers[-1]
            rec.on_answer(key, yes)
        for action in actions:
            if isinstance(action, Say) and action.key in self._step_keys:
                rec.on_step(action.key)
            elif isinstance(action, Escalate):
                rec.on_escalate(action.level, action.conditional)
            elif isinstance(action, End) and action.scope == "episode":
                rec.on_end(action.outcome)
            elif isinstance(action, Note):
                if action.kind == "pain" and isinstance(action.value, int):
                    rec.on_pain(action.value)
                elif action.kind == "leg" and isinstance(action.value, str):
                    rec.on_leg(action.value)
        return began and kind == "cramp" and before.phase is not Phase.CONFIRM

    @property
    def _step_keys(self) -> frozenset[str]:
        g = self.dialog.g
        return frozenset(st.key for st in (*g.relief_steps, *g.stretch_steps))

    def _frequent(self) -> Frequent | None:
        """``Frequent`` when the diary's cramps meet the rule now (tonight's cramp included), else None."""
        diary = self.diary.diary if self.diary is not None else None
        if diary is None:
            return None
        try:
            now = self.clock()
            first, last = self.rule.window_nights(now)
            nights = len(diary.nights_with_episodes(first, last, cutoff_hour=self.rule.cutoff_hour))
        except Exception:  # a diary that cannot be read never stops the conversation
            return None
        return Frequent(nights, self.rule.window) if nights >= self.rule.nights else None

    def _history(self) -> History | None:
        """The diary's answer to "how many cramps this week?", or None when there is no readable diary."""
        rec = self.diary
        diary = rec.diary if rec is not None else None
        if rec is None or diary is None:
            return None
        try:
            now = self.clock()
            tonight = night_of(now, self.rule.cutoff_hour)
            first = tonight - timedelta(days=HISTORY_NIGHTS - 1)
            per_night = diary.nights_with_episodes(first, tonight, cutoff_hour=self.rule.cutoff_hour)
            earlier = [e for e in diary.list(since=now - timedelta(days=366), until=now + timedelta(seconds=1))
                       if e.kind == "cramp" and e.id != rec.episode_id]
        except Exception:  # a diary that cannot be read never stops the conversation
            return None
        last = max(earlier, key=lambda e: e.started_at, default=None)
        return History(cramps=sum(per_night.values()), nights=len(per_night), window=HISTORY_NIGHTS,
                       last_nights_ago=None if last is None else (tonight - last.night(self.rule.cutoff_hour)).days)


def instant_holds(_: Wait) -> Event:
    """For ``--no-delay``: every hold ends at once."""
    return HoldDone()


__all__ = ["Conversation", "JsonLines", "Listen", "Terminal", "instant_holds"]
