"""The pure dialog manager: ``step(state, event) -> (state, actions)``; no I/O, no clock, no randomness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .content import Guidance, Step, default_guidance
from .events import (
    Action,
    DoneSpeaking,
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
    TimedOut,
    Wait,
)

# At or above this an escalation report is acted on in full; below, the advice is said conditionally
# at once and then confirmed. Either way it is never dropped and never delayed.
CONFIRMED_ESCALATION = 0.75
ESCALATION_LEVEL = {"emergency": "emergency", "red_flag": "provider"}
RATE_STEP, RATE_MIN, RATE_MAX = 0.15, 0.55, 1.6
VOLUME_STEP, VOLUME_MIN, VOLUME_MAX = 0.25, 0.25, 2.0
MAX_RETRIES = 2
# While the "go through the warning signs?" offer is open, these leave it open; anything else closes it.
KEEPS_OFFER = frozenset({"repeat", "slower", "faster", "louder", "softer", "help", "pause", "resume", "diary_note"})
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


class Phase(StrEnum):
    """What the conversation is doing."""

    IDLE = "idle"
    RELIEF = "relief"
    STRETCH = "stretch"
    SERIOUS = "serious"
    CONFIRM = "confirm"
    ENDED = "ended"


class Awaiting(StrEnum):
    """What the assistant is waiting for inside a phase."""

    NOTHING = "nothing"
    HOLD = "hold"
    CHECK_IN = "check_in"
    ANSWER = "answer"
    OFFER = "offer"
    """After a cramp, with cramps frequent: "Would you like to go through the warning signs?" (phase IDLE)."""


@dataclass(frozen=True)
class Timings:
    """Pacing (not medical claims): how long holds and listening last, in seconds."""

    hold_seconds: float = 20.0
    massage_seconds: float = 30.0
    stretch_seconds: float = 30.0
    listen_seconds: float = 8.0


@dataclass(frozen=True)
class State:
    """The whole conversation state; replaced, never mutated."""

    phase: Phase = Phase.IDLE
    index: int = 0
    """Current step (relief/stretch) or question (serious)."""
    awaiting: Awaiting = Awaiting.NOTHING
    paused: bool = False
    retries: int = 0
    confirm_level: str = ""
    """While confirming an uncertain escalation: its level."""
    back_to: State | None = None
    """While confirming: the state to return to on "no"."""
    last_said: tuple[tuple[str, str, str], ...] = ()
    """(text, key, source) of the last things said, for "repeat"."""
    rate: float = 1.0
    volume: float = 1.0
    answers: tuple[tuple[str, bool], ...] = ()
    """Warning-sign answers of the current check: (question key, yes?)."""
    timings: Timings = field(default_factory=Timings)
    frequent: tuple[int, int] | None = None
    """(nights with cramps, window) when the runtime said cramps are frequent (``Frequent`` event)."""
    offered: bool = False
    """The frequent-cramps offer was made this session (it is made once)."""
    episode_seen: bool = False
    """An episode (cramp, stretch, check or escalation) happened this session: pain and leg notes have a home."""


Result = tuple[State, list[Action]]


class Dialog:
    """Steps a conversation over fixed guidance; every method is pure."""

    def __init__(self, guidance: Guidance | None = None) -> None:
        self.g = guidance or default_guidance()

    # ----- speech helpers -----
    def _say(self, state: State, key: str, urgent: bool = False) -> Say:
        prompt = self.g.prompt(key)
        return self._say_text(state, prompt.spoken, key, prompt.source, urgent)

    @staticmethod
    def _say_text(state: State, text: str, key: str, source: str, urgent: bool = False) -> Say:
        if urgent:
            # Escalations are never slowed to a crawl or whispered.
            return Say(text, key, source, rate=min(max(state.rate, 1.0), 1.15), volume=max(state.volume, 1.0),
                       urgent=True)
        return Say(text, key, source, rate=state.rate, volume=state.volume)

    @staticmethod
    def _remember(state: State, actions: list[Action]) -> State:
        said = tuple((a.text, a.key, a.source) for a in actions if isinstance(a, Say))
        return replace(state, last_said=said) if said else state

    def _listen(self, state: State) -> Listen:
        return Listen(state.timings.listen_seconds)

    def _flow_steps(self, phase: Phase) -> tuple[Step, ...]:
        return self.g.relief_steps if phase is Phase.RELIEF else self.g.stretch_steps

    # ----- entry point -----
    def step(self, state: State, event: Event) -> Result:
        """Advance the conversation by one event."""
        if state.phase is Phase.ENDED:
            return state, []
        if isinstance(event, Heard):
            new_state, actions = self._heard(state, event)
        elif isinstance(event, NotUnderstood):
            new_state, actions = self._heard(state, Heard("none", 0.0, event.text))
        elif isinstance(event, HoldDone):
            new_state, actions = self._hold_done(state)
        elif isinstance(event, TimedOut):
            new_state, actions = self._timed_out(state)
        elif isinstance(event, DoneSpeaking):
            return state, []
        elif isinstance(event, Frequent):
            # A fact from the runtime (read from the diary), kept for the end of the cramp: nothing is said now.
            return replace(state, frequent=(event.nights, event.window)), []
        else:  # pragma: no cover - the Event union is closed
            raise TypeError(f"unknown event {event!r}")
        if not new_state.episode_seen and (
                new_state.phase in (Phase.RELIEF, Phase.STRETCH, Phase.SERIOUS)
                or any(isinstance(a, Escalate) for a in actions)):
            new_state = replace(new_state, episode_seen=True)
        if isinstance(event, Heard) and new_state.episode_seen:
            # Pain and leg ride along with any utterance ("a bad cramp in my left leg"); recorded after the
            # reply, so an escalation's advice stays the very first action.
            if event.pain is not None and 0 <= event.pain <= 10:
                actions.append(Note("pain", event.pain))
            if event.leg in ("left", "right", "both"):
                actions.append(Note("leg", event.leg))
        return self._remember(new_state, actions), actions

    # ----- flows -----
    def _present(self, state: State, phase: Phase, index: int, lead: Sequence[Action] | None = None) -> Result:
        steps = self._flow_steps(phase)
        actions: list[Action] = list(lead or [])
        if index >= len(steps):
            done_key = "relief.done" if phase is Phase.RELIEF else None
            if done_key:
                actions.append(self._say(state, done_key))
            actions.append(End("episode", "done"))
            actions.append(self._listen(state))
            idle = replace(state, phase=Phase.IDLE, index=0, awaiting=Awaiting.NOTHING, paused=False)
            return self._after_cramp(idle, actions) if phase is Phase.RELIEF else (idle, actions)
        st = steps[index]
        actions.append(self._say_text(state, " ".join(st.say), st.key, st.source))
        state = replace(state, phase=phase, index=index, paused=False, retries=0)
        if st.hold:
            actions.append(Wait(float(getattr(state.timings, st.hold))))
            return replace(state, awaiting=Awaiting.HOLD), actions
        if st.check_in:
            actions.append(self._say_text(state, st.check_in, st.key + ".check_in", "assistant"))
            actions.append(self._listen(state))
            return replace(state, awaiting=Awaiting.CHECK_IN), actions
        if index == len(steps) - 1:
            if phase is Phase.STRETCH:
                # The bedtime stretch is complete once its closing words are said.
                actions += [End("episode", "done"), self._listen(state)]
                return replace(state, phase=Phase.IDLE, index=0, awaiting=Awaiting.NOTHING, paused=False), actions
            # The relief's closing step: the episode stays open until the user says it's gone or stops.
            actions.append(self._listen(state))
            return replace(state, awaiting=Awaiting.NOTHING), actions
        return self._present(state, phase, index + 1, actions)

    def _ask(self, state: State, index: int, lead: Sequence[Action] | None = None) -> Result:
        actions: list[Action] = list(lead or [])
        if index >= len(self.g.questions):
            actions.append(self._say(state, "serious.all_clear"))
            actions.append(End("episode", "all_clear"))
            actions.append(self._listen(state))
            return replace(state, phase=Phase.IDLE, index=0, awaiting=Awaiting.NOTHING, paused=False), actions
        q = self.g.questions[index]
        actions.append(self._say_text(state, q.ask, q.key, q.source))
        actions.append(self._listen(state))
        return replace(state, phase=Phase.SERIOUS, index=index, awaiting=Awaiting.ANSWER, paused=False), actions

    def _escalate(self, state: State, level: str, confidence: float) -> Result:
        key = "escalate.emergency" if level == "emergency" else "escalate.provider"
        if confidence >= CONFIRMED_ESCALATION:
            actions: list[Action] = [self._say(state, key, urgent=True), Escalate(level), self._listen(state)]
            return replace(state, phase=Phase.IDLE, index=0, awaiting=Awaiting.NOTHING, paused=False,
                           back_to=None, confirm_level=""), actions
        actions = [self._say(state, key + "_conditional", urgent=True), Escalate(level, conditional=True),
                   self._listen(state)]
        back = state.back_to if state.phase is Phase.CONFIRM else state
        return replace(state, phase=Phase.CONFIRM, awaiting=Awaiting.ANSWER, confirm_level=level,
                       back_to=back, paused=False), actions

    # ----- event handlers -----
    def _heard(self, state: State, ev: Heard) -> Result:
        intent = ev.intent
        # Safety first, from every state, before anything else is considered.
        if intent in ESCALATION_LEVEL:
            return self._escalate(state, ESCALATION_LEVEL[intent], ev.confidence)
        if state.phase is Phase.CONFIRM and intent in ("yes", "no"):
            if intent == "yes":
                level = state.confirm_level
                return self._escalate(replace(state, phase=Phase.IDLE), level, 1.0)
            back = state.back_to or State()
            back = replace(back, rate=state.rate, volume=state.volume, paused=False)
            lead: list[Action] = [self._say(back, "escalate.confirmed_no")]
            if back.phase is Phase.IDLE:
                return back, [*lead, self._listen(back)]
            return self._current(back, lead)
        if state.phase is Phase.CONFIRM:
            # Anything else: carry on from where we were, as if the confirmation were declined.
            state = replace(state.back_to or State(), rate=state.rate, volume=state.volume)
        if state.awaiting is Awaiting.OFFER:
            if intent in ("yes", "no"):
                return self._offer_answered(state, intent == "yes")
            if intent == "none":
                return state, [self._say(state, "serious.answer_yes_no"), self._say(state, "diary.offer_check"),
                               self._listen(state)]
            if intent not in KEEPS_OFFER:
                state = replace(state, awaiting=Awaiting.NOTHING)
        handler = getattr(self, f"_on_{intent}", None)
        if handler is None:
            return self._on_none(state, ev)
        result: Result = handler(state, ev)
        return result

    def _on_cramp_now(self, state: State, ev: Heard) -> Result:
        if state.phase is Phase.RELIEF:
            return self._present(state, Phase.RELIEF, state.index)
        return self._present(replace(state, answers=()), Phase.RELIEF, 0)

    def _on_stretch_routine(self, state: State, ev: Heard) -> Result:
        return self._present(state, Phase.STRETCH, 0)

    def _on_is_serious(self, state: State, ev: Heard) -> Result:
        return self._ask(replace(state, answers=()), 0, [self._say(state, "serious.intro")])

    def _answer(self, state: State, key: str) -> Result:
        return self._answer_with(state, [self._say(state, key)])

    def _on_ask_causes(self, state: State, ev: Heard) -> Result:
        return self._answer(state, "answer.causes")

    def _on_ask_prevention(self, state: State, ev: Heard) -> Result:
        return self._answer(state, "answer.prevention")

    def _on_ask_calcium(self, state: State, ev: Heard) -> Result:
        return self._answer(state, "answer.calcium")

    def _on_feeling_better(self, state: State, ev: Heard) -> Result:
        actions: list[Action] = [self._say(state, "episode.better")]
        if state.phase is not Phase.IDLE:
            actions.append(End("episode", "better"))
        actions.append(self._listen(state))
        idle = replace(state, phase=Phase.IDLE, index=0, awaiting=Awaiting.NOTHING, paused=False)
        return self._after_cramp(idle, actions) if state.phase is Phase.RELIEF else (idle, actions)

    def _on_goodbye(self, state: State, ev: Heard) -> Result:
        actions: list[Action] = [self._say(state, "session.goodbye")]
        if state.phase is not Phase.IDLE:
            actions.append(End("episode", "stopped"))
        actions.append(End("session", "goodbye"))
        return replace(state, phase=Phase.ENDED, awaiting=Awaiting.NOTHING), actions

    def _on_stop(self, state: State, ev: Heard) -> Result:
        if state.phase is Phase.IDLE:
            return state, [self._say_text(state, "Okay.", "stop.idle", "assistant"), self._listen(state)]
        actions: list[Action] = [self._say(state, "episode.stopped"), End("episode", "stopped"), self._listen(state)]
        idle = replace(state, phase=Phase.IDLE, index=0, awaiting=Awaiting.NOTHING, paused=False)
        return self._after_cramp(idle, actions) if state.phase is Phase.RELIEF else (idle, actions)

    def _on_pause(self, state: State, ev: Heard) -> Result:
        if state.phase is Phase.IDLE:
            return state, [self._say_text(state, "Okay.", "pause.idle", "assistant"), self._listen(state)]
        return replace(state, paused=True), [self._say(state, "paused")]

    def _on_resume(self, state: State, ev: Heard) -> Result:
        if state.phase is Phase.IDLE:
            return state, [self._say(state, "nothing_paused"), self._listen(state)]
        return self._current(replace(state, paused=False))

    def _current(self, state: State, lead: Sequence[Action] | None = None) -> Result:
        """Say the current step or question again (with its hold or listen)."""
        if state.phase is Phase.SERIOUS:
            return self._ask(state, state.index, lead)
        if state.awaiting is Awaiting.CHECK_IN:
            st = self._flow_steps(state.phase)[state.index]
            actions: list[Action] = [*(lead or []),
                                     self._say_text(state, st.check_in or "", st.key + ".check_in", "assistant"),
                                     self._listen(state)]
            return state, actions
        return self._present(state, state.phase, state.index, lead)

    def _on_next(self, state: State, ev: Heard) -> Result:
        if state.phase in (Phase.RELIEF, Phase.STRETCH):
            return self._present(state, state.phase, state.index + 1)
        if state.phase is Phase.SERIOUS:
            return self._ask(state, state.index, [self._say(state, "serious.answer_yes_no")])
        return state, [self._say(state, "no_open_question"), self._listen(state)]

    def _on_back(self, state: State, ev: Heard) -> Result:
        if state.phase is Phase.IDLE:
            return state, [self._say(state, "no_open_question"), self._listen(state)]
        lead: list[Action] = [self._say(state, "first_step")] if state.index == 0 else []
        if state.phase is Phase.SERIOUS:
            return self._ask(replace(state, answers=state.answers[:-1]), max(0, state.index - 1), lead)
        return self._present(state, state.phase, max(0, state.index - 1), lead)

    def _on_repeat(self, state: State, ev: Heard) -> Result:
        if state.phase is not Phase.IDLE and not state.paused:
            return self._current(state)
        if not state.last_said:
            return state, [self._say(state, "nothing_to_repeat"), self._listen(state)]
        actions: list[Action] = [
            self._say_text(state, text, key, source, urgent=key.startswith("escalate."))
            for text, key, source in state.last_said
        ]
        return state, [*actions, self._listen(state)]

    def _voice(self, state: State, key: str, rate: float, volume: float) -> Result:
        rate = round(min(RATE_MAX, max(RATE_MIN, rate)), 2)
        volume = round(min(VOLUME_MAX, max(VOLUME_MIN, volume)), 2)
        limit = (rate, volume) == (state.rate, state.volume)
        new = replace(state, rate=rate, volume=volume)
        actions: list[Action] = [self._say(new, "voice.limit" if limit else key)]
        if new.awaiting is not Awaiting.HOLD:
            actions.append(self._listen(new))
        return new, actions

    def _on_slower(self, state: State, ev: Heard) -> Result:
        return self._voice(state, "voice.slower", state.rate - RATE_STEP, state.volume)

    def _on_faster(self, state: State, ev: Heard) -> Result:
        return self._voice(state, "voice.faster", state.rate + RATE_STEP, state.volume)

    def _on_louder(self, state: State, ev: Heard) -> Result:
        return self._voice(state, "voice.louder", state.rate, state.volume + VOLUME_STEP)

    def _on_softer(self, state: State, ev: Heard) -> Result:
        return self._voice(state, "voice.softer", state.rate, state.volume - VOLUME_STEP)

    def _on_help(self, state: State, ev: Heard) -> Result:
        return state, [self._say(state, "help"), self._listen(state)]

    def _on_yes(self, state: State, ev: Heard) -> Result:
        return self._answered(state, True)

    def _on_no(self, state: State, ev: Heard) -> Result:
        return self._answered(state, False)

    def _answered(self, state: State, yes: bool) -> Result:
        if state.phase is Phase.SERIOUS and state.awaiting is Awaiting.ANSWER:
            q = self.g.questions[state.index]
            state = replace(state, answers=state.answers + ((q.key, yes),))
            if yes:
                # A warning sign: escalate at the question's level, in full.
                return self._escalate(state, q.level, 1.0)
            return self._ask(state, state.index + 1)
        if state.phase in (Phase.RELIEF, Phase.STRETCH) and state.awaiting is Awaiting.CHECK_IN:
            lead = [self._say(state, "relief.yes_easing" if yes else "relief.not_easing")]
            return self._present(state, state.phase, state.index + 1, lead)
        return state, [self._say(state, "no_open_question"), self._listen(state)]

    def _on_none(self, state: State, ev: Heard) -> Result:
        if state.phase is Phase.SERIOUS and state.awaiting is Awaiting.ANSWER:
            return self._ask(state, state.index, [self._say(state, "serious.answer_yes_no")])
        return state, [self._say(state, "fallback"), self._listen(state)]

    # ----- the cramp diary -----
    def _after_cramp(self, state: State, actions: list[Action]) -> Result:
        """A cramp episode just ended (better, done, stopped): if cramps are frequent, say so and offer the check.

        Once per session. ``state.frequent`` comes from the runtime (``Frequent``), which read the diary.
        """
        if state.frequent is None or state.offered:
            return state, actions
        nights, window = state.frequent
        notice = self.g.prompt("diary.frequent")
        text = notice.spoken.format(nights=_number(nights), window=_number(window))
        kept = [a for a in actions if not isinstance(a, Listen)]
        offer: list[Action] = [self._say_text(state, text, notice.key, notice.source),
                               self._say(state, "diary.offer_check"), self._listen(state)]
        return replace(state, awaiting=Awaiting.OFFER, offered=True), [*kept, *offer]

    def _offer_answered(self, state: State, yes: bool) -> Result:
        state = replace(state, awaiting=Awaiting.NOTHING)
        if yes:
            return self._on_is_serious(state, Heard("is_serious", 1.0))
        return state, [self._say(state, "diary.offer_declined"), self._listen(state)]

    def _on_ask_history(self, state: State, ev: Heard) -> Result:
        return self._answer_with(state, self._history_says(state, ev.history))

    def _history_says(self, state: State, h: History | None) -> list[Say]:
        if h is None:
            return [self._say(state, "history.unavailable")]
        says = []
        if h.cramps:
            p = self.g.prompt("history.count")
            text = p.spoken.format(cramps=_count(h.cramps, "cramp"), nights=_count(h.nights, "night"),
                                   window=_number(h.window))
        else:
            p = self.g.prompt("history.none")
            text = p.spoken.format(window=_number(h.window))
        says.append(self._say_text(state, text, p.key, p.source))
        if h.last_nights_ago is None:
            if h.cramps == 0:
                says.append(self._say(state, "history.never"))
        else:
            key = "history.last" if state.phase is Phase.RELIEF else "history.last_idle"
            p = self.g.prompt(key)
            says.append(self._say_text(state, p.spoken.format(when=_nights_ago(h.last_nights_ago)), p.key, p.source))
        return says

    def _answer_with(self, state: State, says: list[Say]) -> Result:
        """Answer a question mid-flow or from idle; mid-flow, say how to carry on."""
        actions: list[Action] = list(says)
        if state.phase is not Phase.IDLE and not state.paused:
            actions.append(self._say_text(state, "Say next to go on, or repeat to hear the step again.",
                                          "flow.hint", "assistant"))
        actions.append(self._listen(state))
        return state, actions

    def _on_diary_note(self, state: State, ev: Heard) -> Result:
        parts = []
        if ev.pain is not None and 0 <= ev.pain <= 10:
            parts.append(f"pain {_number(ev.pain)} out of ten")
        if ev.leg in ("left", "right", "both"):
            parts.append("both legs" if ev.leg == "both" else f"your {ev.leg} leg")
        if not parts:
            return self._continue(state, [self._say(state, "diary.note_unclear")])
        if not state.episode_seen:
            return state, [self._say(state, "diary.note_no_episode"), self._listen(state)]
        p = self.g.prompt("diary.noted")
        ack = self._say_text(state, p.spoken.format(what=", ".join(parts)), p.key, p.source)
        return self._continue(state, [ack])

    def _continue(self, state: State, lead: list[Action]) -> Result:
        """Say ``lead`` without losing the thread: a hold runs on, a question or offer is asked again."""
        if state.awaiting is Awaiting.HOLD:
            return state, lead  # the hold runs on
        if state.paused:
            return state, [*lead, self._listen(state)]
        if state.awaiting is Awaiting.OFFER:
            return state, [*lead, self._say(state, "diary.offer_check"), self._listen(state)]
        if state.phase is Phase.SERIOUS or state.awaiting is Awaiting.CHECK_IN:
            return self._current(state, lead)
        return state, [*lead, self._listen(state)]

    def _hold_done(self, state: State) -> Result:
        if state.paused or state.awaiting is not Awaiting.HOLD:
            return state, []
        st = self._flow_steps(state.phase)[state.index]
        if st.check_in:
            actions: list[Action] = [self._say_text(state, st.check_in, st.key + ".check_in", "assistant"),
                                     self._listen(state)]
            return replace(state, awaiting=Awaiting.CHECK_IN), actions
        return self._present(state, state.phase, state.index + 1)

    def _timed_out(self, state: State) -> Result:
        if state.awaiting is Awaiting.OFFER:
            return replace(state, awaiting=Awaiting.NOTHING), []  # no answer to the offer: let her rest
        if state.paused:
            return state, []
        if state.awaiting is Awaiting.HOLD:
            # A question answered mid-hold replaced the hold timer with a listen: the hold is over too.
            return self._hold_done(state)
        if state.awaiting is Awaiting.CHECK_IN:
            return self._present(state, state.phase, state.index + 1, [self._say(state, "relief.no_response")])
        if state.awaiting is Awaiting.ANSWER and state.phase is Phase.SERIOUS:
            if state.retries >= MAX_RETRIES:
                return replace(state, phase=Phase.IDLE, awaiting=Awaiting.NOTHING, retries=0), [
                    self._say_text(state, "I'll stop the questions for now. Say 'is this serious' to start again.",
                                   "serious.abandoned", "assistant"),
                    End("episode", "no_answer"),
                ]
            state, actions = self._ask(state, state.index)
            return replace(state, retries=state.retries + 1), actions
        return state, []


def _number(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _count(n: int, noun: str) -> str:
    return f"{_number(n)} {noun}" + ("" if n == 1 else "s")


def _nights_ago(n: int) -> str:
    if n <= 0:
        return "earlier tonight"
    if n == 1:
        return "last night"
    return f"{_number(n)} nights ago"


def initial_state(timings: Timings | None = None) -> State:
    """The state a new session starts in."""
    return State(timings=timings or Timings())
