"""Safety rules of the dialog manager, checked over every reachable state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voice_guide.dialog import Dialog, Phase, State, initial_state
from voice_guide.events import Escalate, Heard, Say

from .dialog_states import NON_ESCALATING, all_events, reachable_states

DIALOG = Dialog()
STATES = reachable_states(DIALOG)


def test_state_space_covers_every_phase() -> None:
    phases = {s.phase for s in STATES}
    assert phases >= {Phase.IDLE, Phase.RELIEF, Phase.STRETCH, Phase.SERIOUS, Phase.CONFIRM, Phase.ENDED}
    assert any(s.paused for s in STATES)
    assert len(STATES) > 50


LIVE_STATES = [s for s in STATES if s.phase is not Phase.ENDED]


@pytest.mark.parametrize("level_intent,level", [("emergency", "emergency"), ("red_flag", "provider")])
def test_sure_escalation_is_immediate_from_every_state(level_intent: str, level: str) -> None:
    for state in LIVE_STATES:
        _, actions = DIALOG.step(state, Heard(level_intent, 0.95))
        # At once: the very first action speaks the advice in full, the second records the escalation.
        first, second = actions[0], actions[1]
        assert isinstance(first, Say) and first.urgent, (state, actions)
        assert first.key == f"escalate.{level}", (state, actions)
        assert second == Escalate(level), (state, actions)


@pytest.mark.parametrize("level_intent,level", [("emergency", "emergency"), ("red_flag", "provider")])
def test_unsure_escalation_is_said_conditionally_at_once_then_confirmed(level_intent: str, level: str) -> None:
    for state in LIVE_STATES:
        new, actions = DIALOG.step(state, Heard(level_intent, 0.5))
        first, second = actions[0], actions[1]
        assert isinstance(first, Say) and first.urgent and first.key == f"escalate.{level}_conditional"
        assert "right away" in first.text or "emergency services now" in first.text
        assert second == Escalate(level, conditional=True)
        assert new.phase is Phase.CONFIRM
        # "yes" confirms: the full advice follows.
        _, after = DIALOG.step(new, Heard("yes", 1.0))
        assert Escalate(level) in after
        assert any(isinstance(a, Say) and a.key == f"escalate.{level}" for a in after)


def _legit_answer_escalation(state: State, label: str) -> bool:
    # A "yes" to a warning-sign question or to "did you mean ...?" is a report of a warning sign.
    return label == "yes" and state.phase in (Phase.SERIOUS, Phase.CONFIRM) and state.awaiting.value == "answer"


def test_nothing_else_ever_escalates() -> None:
    checked = 0
    for state in STATES:
        for event in all_events():
            if isinstance(event, Heard) and event.intent in ("red_flag", "emergency"):
                continue
            if isinstance(event, Heard) and _legit_answer_escalation(state, event.intent):
                continue
            _, actions = DIALOG.step(state, event)
            assert not any(isinstance(a, Escalate) for a in actions), (state, event, actions)
            if not (isinstance(event, Heard) and event.intent == "repeat"):  # repeating advice is not new
                assert not any(isinstance(a, Say) and a.urgent for a in actions), (state, event, actions)
            checked += 1
    assert checked > 1000


def test_yes_no_and_none_without_open_question_get_a_helpful_reply() -> None:
    idle = initial_state()
    for label in ("yes", "no", "none"):
        _, actions = DIALOG.step(idle, Heard(label, 1.0))
        says = [a for a in actions if isinstance(a, Say)]
        assert says and not any(isinstance(a, Escalate) for a in actions)
        assert "cramp" in says[0].text.lower() and "help" in says[0].text.lower()


def test_escalation_is_spoken_in_full_whatever_the_voice_settings() -> None:
    for state in LIVE_STATES[:200]:
        quiet_slow = replace(state, rate=0.55, volume=0.25)
        for intent in ("emergency", "red_flag"):
            _, actions = DIALOG.step(quiet_slow, Heard(intent, 0.95))
            say = actions[0]
            assert isinstance(say, Say) and say.urgent
            assert say.volume >= 1.0 and say.rate >= 1.0
            assert say.text == DIALOG.g.prompt(say.key).spoken  # every sentence, nothing cut


@pytest.mark.parametrize("label", NON_ESCALATING)
def test_every_non_escalating_intent_is_handled_in_every_state(label: str) -> None:
    for state in LIVE_STATES:
        new, actions = DIALOG.step(state, Heard(label, 1.0))
        # Something is always said back, except pause / stop-like silence is still an acknowledgement.
        assert any(isinstance(a, Say) for a in actions), (state, label, actions)
        assert new is not None
