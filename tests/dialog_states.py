"""Enumerate every dialog state reachable from the start, for tests that must hold in *every* state."""

from __future__ import annotations

from dataclasses import replace

from voice_guide.dialog import Dialog, State, initial_state
from voice_guide.events import Event, Frequent, Heard, History, HoldDone, NotUnderstood, TimedOut
from voice_guide.intents import ALL_LABELS

NON_ESCALATING = [label for label in ALL_LABELS if label not in ("red_flag", "emergency")]


def all_events() -> list[Event]:
    """One event of every kind: each intent (sure and unsure), no match, hold done, timeout, and the diary's:
    slots riding on utterances, a history answer, and the runtime's "cramps are frequent"."""
    events: list[Event] = [Heard(label, 1.0) for label in ALL_LABELS]
    events += [Heard("red_flag", 0.5), Heard("emergency", 0.5)]
    events += [NotUnderstood("mumble"), HoldDone(), TimedOut()]
    events += [Heard("diary_note", 1.0, pain=8), Heard("diary_note", 1.0, leg="left"),
               Heard("cramp_now", 1.0, pain=7, leg="right"), Heard("red_flag", 0.95, leg="left"),
               Heard("ask_history", 1.0, history=History(cramps=3, nights=2, last_nights_ago=1)),
               Frequent(nights=4, window=7)]
    return events


def _key(state: State) -> tuple[object, ...]:
    # What makes states behave differently; the history of words said does not.
    return (state.phase, state.index, state.awaiting, state.paused, state.retries, state.confirm_level,
            None if state.back_to is None else _key(state.back_to), state.rate, state.volume, state.frequent,
            state.offered, state.episode_seen)


def reachable_states(dialog: Dialog, max_states: int = 4000) -> list[State]:
    """Breadth-first search over all events from the initial state (deduplicated by behaviour)."""
    start = initial_state()
    seen = {_key(start): start}
    frontier = [start]
    events = all_events()
    while frontier and len(seen) < max_states:
        nxt = []
        for state in frontier:
            for event in events:
                new, _ = dialog.step(state, event)
                # Voice settings multiply the state space without changing logic: keep them at defaults
                # here; a separate test covers extreme settings.
                new = replace(new, rate=1.0, volume=1.0)
                k = _key(new)
                if k not in seen:
                    seen[k] = new
                    nxt.append(new)
        frontier = nxt
    return list(seen.values())
