"""The diary's dialog flows as tables (like test_dialog_flows.py): notes, history, the frequent-cramps offer.

The dialog stays pure: the runtime puts slots and the diary's answers into the events (``Heard.pain``,
``Heard.leg``, ``Heard.history``, ``Frequent``) and records the ``Note`` actions.
"""

from __future__ import annotations

import pytest

from voice_guide.dialog import Awaiting, Dialog, Phase, initial_state
from voice_guide.events import (
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
    Say,
    TimedOut,
    Wait,
)

from .dialog_states import reachable_states

D = Dialog()
G = D.g
R = [s.key for s in G.relief_steps]
Q = [q.key for q in G.questions]
T = initial_state().timings


def H(intent: str, pain: int | None = None, leg: str | None = None, history: History | None = None) -> Heard:
    return Heard(intent, 1.0, pain=pain, leg=leg, history=history)


def says(actions: list[Action]) -> list[str]:
    return [a.key for a in actions if isinstance(a, Say)]


def others(actions: list[Action]) -> list[Action]:
    return [a for a in actions if not isinstance(a, Say | Listen)]


Row = tuple[Event, list[str], list[Action], Phase]
FREQ = Frequent(nights=4, window=7)

FLOWS: dict[str, list[Row]] = {
    "a cramp with its leg, then a rating mid-hold: the hold runs on": [
        (H("cramp_now", leg="left"), [R[0]], [Wait(T.hold_seconds), Note("leg", "left")], Phase.RELIEF),
        (H("diary_note", pain=8), ["diary.noted"], [Note("pain", 8)], Phase.RELIEF),
        (HoldDone(), [R[0] + ".check_in"], [], Phase.RELIEF),
    ],
    "a rating at a check-in asks the check-in again": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (HoldDone(), [R[0] + ".check_in"], [], Phase.RELIEF),
        (H("diary_note", pain=6, leg="both"), ["diary.noted", R[0] + ".check_in"],
         [Note("pain", 6), Note("leg", "both")], Phase.RELIEF),
    ],
    "a rating after the cramp is over is still noted": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("feeling_better", pain=7), ["episode.better"], [End("episode", "better"), Note("pain", 7)], Phase.IDLE),
        (H("diary_note", leg="right"), ["diary.noted"], [Note("leg", "right")], Phase.IDLE),
    ],
    "a note with no episode this session is not recorded": [
        (H("diary_note", pain=8), ["diary.note_no_episode"], [], Phase.IDLE),
        (H("diary_note"), ["diary.note_unclear"], [], Phase.IDLE),
    ],
    "a note during the warning questions asks the question again": [
        (H("is_serious"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        (H("diary_note", pain=9), ["diary.noted", Q[0]], [Note("pain", 9)], Phase.SERIOUS),
        (H("no"), [Q[1]], [], Phase.SERIOUS),
    ],
    "an escalation says its advice first; the leg is noted after": [
        (H("red_flag", leg="left"), ["escalate.provider"], [Escalate("provider"), Note("leg", "left")], Phase.IDLE),
    ],
    "history from idle and mid-relief": [
        (H("ask_history", history=History(cramps=3, nights=2, last_nights_ago=1)),
         ["history.count", "history.last_idle"], [], Phase.IDLE),
        (H("ask_history", history=History(cramps=0, nights=0)), ["history.none", "history.never"], [], Phase.IDLE),
        (H("ask_history"), ["history.unavailable"], [], Phase.IDLE),
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("ask_history", history=History(cramps=1, nights=1, last_nights_ago=5)),
         ["history.count", "history.last", "flow.hint"], [], Phase.RELIEF),
    ],
    "frequent: it's gone, the offer, yes starts the questions": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (FREQ, [], [], Phase.RELIEF),
        (H("feeling_better"), ["episode.better", "diary.frequent", "diary.offer_check"], [End("episode", "better")],
         Phase.IDLE),
        (H("repeat"), ["episode.better", "diary.frequent", "diary.offer_check"], [], Phase.IDLE),
        (H("yes"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        (H("no"), [Q[1]], [], Phase.SERIOUS),
    ],
    "frequent: no is a kind close, and the offer is made once a session": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (FREQ, [], [], Phase.RELIEF),
        (H("stop"), ["episode.stopped", "diary.frequent", "diary.offer_check"], [End("episode", "stopped")],
         Phase.IDLE),
        (H("no"), ["diary.offer_declined"], [], Phase.IDLE),
        (H("yes"), ["no_open_question"], [], Phase.IDLE),
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (FREQ, [], [], Phase.RELIEF),
        (H("feeling_better"), ["episode.better"], [End("episode", "better")], Phase.IDLE),
    ],
    "frequent: relief run to its end, an unclear answer, then silence closes the offer": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (FREQ, [], [], Phase.RELIEF),
        *[(H("next"), [R[i]], [Wait(T.hold_seconds if i != 1 else T.massage_seconds)], Phase.RELIEF)
          for i in range(1, 4)],
        (H("next"), [R[4]], [], Phase.RELIEF),
        (H("next"), ["relief.done", "diary.frequent", "diary.offer_check"], [End("episode", "done")], Phase.IDLE),
        (H("none"), ["serious.answer_yes_no", "diary.offer_check"], [], Phase.IDLE),
        (TimedOut(), [], [], Phase.IDLE),
        (H("yes"), ["no_open_question"], [], Phase.IDLE),
    ],
    "frequent: an emergency during the offer is acted on at once": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (FREQ, [], [], Phase.RELIEF),
        (H("feeling_better"), ["episode.better", "diary.frequent", "diary.offer_check"], [End("episode", "better")],
         Phase.IDLE),
        (Heard("emergency", 0.95), ["escalate.emergency"], [Escalate("emergency")], Phase.IDLE),
    ],
    "no offer after a stretch, a check, or when not frequent": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("feeling_better"), ["episode.better"], [End("episode", "better")], Phase.IDLE),
        (FREQ, [], [], Phase.IDLE),
        (H("is_serious"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        (H("feeling_better"), ["episode.better"], [End("episode", "better")], Phase.IDLE),
    ],
    "goodbye ends the session without an offer": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (FREQ, [], [], Phase.RELIEF),
        (H("goodbye"), ["session.goodbye"], [End("episode", "stopped"), End("session", "goodbye")], Phase.ENDED),
    ],
}


@pytest.mark.parametrize("name", list(FLOWS))
def test_flow(name: str) -> None:
    state = initial_state()
    for i, (event, keys, other, phase) in enumerate(FLOWS[name]):
        state, actions = D.step(state, event)
        assert says(actions) == keys, f"row {i}: {event}: {says(actions)}"
        assert others(actions) == other, f"row {i}: {event}: {others(actions)}"
        assert state.phase is phase, f"row {i}: {event}"


def test_spoken_numbers_and_source_of_the_frequent_notice() -> None:
    state, _ = D.step(initial_state(), H("cramp_now"))
    state, _ = D.step(state, Frequent(nights=5, window=7))
    state, actions = D.step(state, H("feeling_better"))
    notice = next(a for a in actions if isinstance(a, Say) and a.key == "diary.frequent")
    assert "five of the last seven nights" in notice.text
    assert "frequent and severe" in notice.text and "healthcare provider right away" in notice.text
    assert notice.source == "When to Talk to Your Healthcare Provider" and not notice.urgent
    assert state.awaiting is Awaiting.OFFER
    assert isinstance(actions[-1], Listen)


def test_history_words() -> None:
    _, actions = D.step(initial_state(), H("ask_history", history=History(cramps=1, nights=1, last_nights_ago=3)))
    text = " ".join(a.text for a in actions if isinstance(a, Say))
    assert "one cramp in the last seven nights, on one night" in text and "three nights ago" in text


def test_frequent_is_a_silent_fact_and_step_stays_pure() -> None:
    state = initial_state()
    assert D.step(state, FREQ) == D.step(state, FREQ)
    new, actions = D.step(state, FREQ)
    assert actions == [] and new.frequent == (4, 7) and state.frequent is None


def test_offer_and_notes_are_reachable_states() -> None:
    states = reachable_states(D)
    assert any(s.awaiting is Awaiting.OFFER for s in states)
    assert any(s.episode_seen for s in states) and any(s.offered for s in states)
