"""Dialog flows as tables: (event) -> (spoken prompt keys, other actions, phase after)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voice_guide.dialog import Awaiting, Dialog, Phase, State, Timings, initial_state
from voice_guide.events import (
    Action,
    DoneSpeaking,
    End,
    Escalate,
    Event,
    Heard,
    HoldDone,
    Listen,
    NotUnderstood,
    Say,
    TimedOut,
    Wait,
)

D = Dialog()
G = D.g


def H(intent: str, confidence: float = 1.0) -> Heard:
    return Heard(intent, confidence)


def says(actions: list[Action]) -> list[str]:
    return [a.key for a in actions if isinstance(a, Say)]


def others(actions: list[Action]) -> list[Action]:
    return [a for a in actions if not isinstance(a, Say | Listen)]


Row = tuple[Event, list[str], list[Action], Phase]
R = [s.key for s in G.relief_steps]
S = [s.key for s in G.stretch_steps]
Q = [q.key for q in G.questions]
T = Timings()

FLOWS: dict[str, list[Row]] = {
    "relief through two steps and it's gone": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (HoldDone(), [R[0] + ".check_in"], [], Phase.RELIEF),
        (H("no"), ["relief.not_easing", R[1]], [Wait(T.massage_seconds)], Phase.RELIEF),
        (HoldDone(), [R[1] + ".check_in"], [], Phase.RELIEF),
        (H("feeling_better"), ["episode.better"], [End("episode", "better")], Phase.IDLE),
    ],
    "relief navigation: next, back, repeat, slower, louder": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("next"), [R[1]], [Wait(T.massage_seconds)], Phase.RELIEF),
        (H("back"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("back"), ["first_step", R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("repeat"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("slower"), ["voice.slower"], [], Phase.RELIEF),
        (H("louder"), ["voice.louder"], [], Phase.RELIEF),
        (HoldDone(), [R[0] + ".check_in"], [], Phase.RELIEF),
        (TimedOut(), ["relief.no_response", R[1]], [Wait(T.massage_seconds)], Phase.RELIEF),
    ],
    "relief runs to its end": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("next"), [R[1]], [Wait(T.massage_seconds)], Phase.RELIEF),
        (H("next"), [R[2]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("next"), [R[3]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("next"), [R[4]], [], Phase.RELIEF),
        (H("next"), ["relief.done"], [End("episode", "done")], Phase.IDLE),
    ],
    "pause and resume mid-hold": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("pause"), ["paused"], [], Phase.RELIEF),
        (HoldDone(), [], [], Phase.RELIEF),  # a hold ending while paused does nothing
        (TimedOut(), [], [], Phase.RELIEF),
        (H("resume"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
    ],
    "stop ends the episode, the session goes on": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("stop"), ["episode.stopped"], [End("episode", "stopped")], Phase.IDLE),
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
    ],
    "bedtime stretch runs on its holds": [
        (H("stretch_routine"), [S[0], S[1]], [Wait(T.stretch_seconds)], Phase.STRETCH),
        (HoldDone(), [S[2]], [Wait(T.stretch_seconds)], Phase.STRETCH),
        (HoldDone(), [S[3]], [Wait(T.stretch_seconds)], Phase.STRETCH),
        (HoldDone(), [S[4]], [End("episode", "done")], Phase.IDLE),
    ],
    "is this serious, all no": [
        (H("is_serious"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        *[(H("no"), [Q[i + 1]], [], Phase.SERIOUS) for i in range(len(Q) - 1)],
        (H("no"), ["serious.all_clear"], [End("episode", "all_clear")], Phase.IDLE),
    ],
    "is this serious, a warning sign": [
        (H("is_serious"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        (H("no"), [Q[1]], [], Phase.SERIOUS),
        (H("no"), [Q[2]], [], Phase.SERIOUS),
        (H("yes"), ["escalate.provider"], [Escalate("provider")], Phase.IDLE),
    ],
    "is this serious, emergency screen yes": [
        (H("is_serious"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        (H("yes"), ["escalate.emergency"], [Escalate("emergency")], Phase.IDLE),
    ],
    "is this serious: unclear answers, back, repeat, next": [
        (H("is_serious"), ["serious.intro", Q[0]], [], Phase.SERIOUS),
        (NotUnderstood("hmm"), ["serious.answer_yes_no", Q[0]], [], Phase.SERIOUS),
        (H("next"), ["serious.answer_yes_no", Q[0]], [], Phase.SERIOUS),
        (H("no"), [Q[1]], [], Phase.SERIOUS),
        (H("back"), [Q[0]], [], Phase.SERIOUS),
        (H("repeat"), [Q[0]], [], Phase.SERIOUS),
        (TimedOut(), [Q[0]], [], Phase.SERIOUS),
        (TimedOut(), [Q[0]], [], Phase.SERIOUS),
        (TimedOut(), ["serious.abandoned"], [End("episode", "no_answer")], Phase.IDLE),
    ],
    "questions answered while a stretch is on": [
        (H("stretch_routine"), [S[0], S[1]], [Wait(T.stretch_seconds)], Phase.STRETCH),
        (H("ask_calcium"), ["answer.calcium", "flow.hint"], [], Phase.STRETCH),
        (TimedOut(), [S[2]], [Wait(T.stretch_seconds)], Phase.STRETCH),
    ],
    "answers from idle": [
        (H("ask_causes"), ["answer.causes"], [], Phase.IDLE),
        (H("ask_prevention"), ["answer.prevention"], [], Phase.IDLE),
        (H("ask_calcium"), ["answer.calcium"], [], Phase.IDLE),
        (H("help"), ["help"], [], Phase.IDLE),
        (H("yes"), ["no_open_question"], [], Phase.IDLE),
        (H("none"), ["fallback"], [], Phase.IDLE),
        (NotUnderstood(""), ["fallback"], [], Phase.IDLE),
        (H("repeat"), ["fallback"], [], Phase.IDLE),
    ],
    "emergency mid-stretch, at once": [
        (H("stretch_routine"), [S[0], S[1]], [Wait(T.stretch_seconds)], Phase.STRETCH),
        (H("emergency", 0.95), ["escalate.emergency"], [Escalate("emergency")], Phase.IDLE),
    ],
    "unsure red flag, declined, back to the step": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("red_flag", 0.5), ["escalate.provider_conditional"], [Escalate("provider", conditional=True)],
         Phase.CONFIRM),
        (H("no"), ["escalate.confirmed_no", R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
    ],
    "unsure emergency, confirmed": [
        (H("emergency", 0.5), ["escalate.emergency_conditional"], [Escalate("emergency", conditional=True)],
         Phase.CONFIRM),
        (H("yes"), ["escalate.emergency"], [Escalate("emergency")], Phase.IDLE),
    ],
    "goodbye ends the session; nothing after it": [
        (H("cramp_now"), [R[0]], [Wait(T.hold_seconds)], Phase.RELIEF),
        (H("goodbye"), ["session.goodbye"], [End("episode", "stopped"), End("session", "goodbye")], Phase.ENDED),
        (H("cramp_now"), [], [], Phase.ENDED),
        (DoneSpeaking(), [], [], Phase.ENDED),
    ],
}


@pytest.mark.parametrize("name", list(FLOWS))
def test_flow(name: str) -> None:
    state = initial_state()
    for i, (event, keys, other, phase) in enumerate(FLOWS[name]):
        state, actions = D.step(state, event)
        assert says(actions) == keys, f"row {i}: {event}"
        assert others(actions) == other, f"row {i}: {event}"
        assert state.phase is phase, f"row {i}: {event}"


def test_step_is_pure() -> None:
    state = initial_state()
    a = D.step(state, H("cramp_now"))
    b = D.step(state, H("cramp_now"))
    assert a == b
    assert state == initial_state()


def test_voice_limits_and_ack() -> None:
    state = initial_state()
    for _ in range(20):
        state, actions = D.step(state, H("softer"))
    assert state.volume == pytest.approx(0.25)
    assert says(actions) == ["voice.limit"]
    state, _ = D.step(state, H("louder"))
    assert state.volume == pytest.approx(0.5)
    for _ in range(20):
        state, _ = D.step(state, H("faster"))
    assert state.rate <= 1.6
    # Ordinary speech follows the settings.
    _, actions = D.step(state, H("help"))
    say = next(a for a in actions if isinstance(a, Say))
    assert say.volume == state.volume and say.rate == state.rate


def test_holds_follow_configured_timings() -> None:
    state = initial_state(Timings(hold_seconds=7, massage_seconds=11, stretch_seconds=5))
    state, actions = D.step(state, H("cramp_now"))
    assert Wait(7) in actions
    state, actions = D.step(state, H("next"))
    assert Wait(11) in actions
    state, actions = D.step(replace(initial_state(Timings(stretch_seconds=5))), H("stretch_routine"))
    assert Wait(5) in actions


def test_answers_are_recorded_for_the_check() -> None:
    state = initial_state()
    for event in [H("is_serious"), H("no"), H("no"), H("yes")]:
        state, _ = D.step(state, event)
    assert state.answers == ((Q[0], False), (Q[1], False), (Q[2], True))


def test_feeling_better_when_idle_is_kind_and_ends_nothing() -> None:
    state, actions = D.step(State(), H("feeling_better"))
    assert says(actions) == ["episode.better"]
    assert not any(isinstance(a, End) for a in actions)
    assert state.awaiting is Awaiting.NOTHING
