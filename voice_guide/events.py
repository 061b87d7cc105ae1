"""Typed dialog events (what happened) and actions (what to do), as frozen data."""

from __future__ import annotations

from dataclasses import dataclass


# ----- facts the runtime looks up for the dialog (the dialog itself never reads the diary or a clock) -----
@dataclass(frozen=True)
class History:
    """What the cramp diary holds, as of the moment the user asked ("how many cramps this week?")."""

    cramps: int
    """Cramp episodes that started in the last ``window`` nights, tonight (and one in progress) included."""
    nights: int
    """How many of those nights had at least one."""
    window: int = 7
    last_nights_ago: int | None = None
    """Nights since the last cramp before the one in progress (0 = earlier tonight, 1 = last night);
    None when none is recorded."""


# ----- events into the dialog manager -----
@dataclass(frozen=True)
class Heard:
    """The user said something that matched an intent (``none`` included)."""

    intent: str
    confidence: float
    text: str = ""
    pain: int | None = None
    """A pain rating 0..10 the utterance reports (``slots.py``), whatever its intent."""
    leg: str | None = None
    """``left``, ``right`` or ``both``, if the utterance says which leg."""
    history: History | None = None
    """For ``ask_history``: the diary's answer, looked up by the runtime; None when there is no diary."""


@dataclass(frozen=True)
class NotUnderstood:
    """Speech was heard but not understood (matcher or recognizer said no match)."""

    text: str = ""


@dataclass(frozen=True)
class TimedOut:
    """The assistant listened for an answer and heard nothing."""


@dataclass(frozen=True)
class HoldDone:
    """A timed hold (``Wait``) ran to its end without interruption."""


@dataclass(frozen=True)
class DoneSpeaking:
    """Everything queued to be said has been said (or cut off)."""


@dataclass(frozen=True)
class Frequent:
    """The runtime found cramps frequent by the diary's rule when a cramp episode began (tonight included)."""

    nights: int
    """Nights with cramps in the window."""
    window: int
    """The rule's window, in nights."""


Event = Heard | NotUnderstood | TimedOut | HoldDone | DoneSpeaking | Frequent


# ----- actions out of the dialog manager -----
@dataclass(frozen=True)
class Say:
    """Speak text at the given voice settings."""

    text: str
    key: str
    source: str
    rate: float = 1.0
    """Speaking-rate multiplier over the configured night rate."""
    volume: float = 1.0
    """Volume multiplier over the configured night volume."""
    urgent: bool = False
    """Escalation advice: spoken in full at no less than normal rate and volume, never cut off."""


@dataclass(frozen=True)
class Wait:
    """Hold for ``seconds`` (listening all the while); a ``HoldDone`` event follows unless interrupted."""

    seconds: float


@dataclass(frozen=True)
class Escalate:
    """Tell the user to get help: ``provider`` (right away) or ``emergency`` (call emergency services now)."""

    level: str
    conditional: bool = False
    """True when the advice was given conditionally because the report was uncertain."""


@dataclass(frozen=True)
class Listen:
    """Listen for an answer; a ``TimedOut`` event follows after ``seconds`` of silence."""

    seconds: float


@dataclass(frozen=True)
class End:
    """An episode (a cramp, a stretch, a check) or the whole session ended."""

    scope: str
    """``episode`` or ``session``."""
    outcome: str = ""
    """How it ended: ``better``, ``stopped``, ``done``, ``goodbye``."""


@dataclass(frozen=True)
class Note:
    """Record a detail of the current (or just-ended) episode in the diary: ``pain`` (0..10) or ``leg``."""

    kind: str
    value: int | str


Action = Say | Wait | Escalate | Listen | End | Note
