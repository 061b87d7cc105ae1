"""Load the spoken guidance (``data/guidance.yaml``): relief and stretch steps, warning questions, prompts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import UserError

# Content that is not from the source text must say where it comes from instead.
NON_SOURCE_ORIGINS = ("emergency path", "assistant")


class ContentError(UserError):
    """The guidance file is missing or malformed."""


@dataclass(frozen=True)
class Step:
    """One step of a guided flow."""

    key: str
    source: str
    say: tuple[str, ...]
    hold: str | None = None
    """Name of the timing (in ``Timings``) to hold for after speaking, if any."""
    check_in: str | None = None
    """Question asked after the hold ("Is it easing?")."""


@dataclass(frozen=True)
class Question:
    """One warning-sign question; a yes escalates at ``level``."""

    key: str
    source: str
    ask: str
    level: str


@dataclass(frozen=True)
class Prompt:
    """A keyed piece of speech."""

    key: str
    source: str
    text: tuple[str, ...]

    @property
    def spoken(self) -> str:
        """The sentences joined for speaking."""
        return " ".join(self.text)


@dataclass(frozen=True)
class Guidance:
    """All spoken content, loaded once."""

    sections: tuple[str, ...]
    relief_steps: tuple[Step, ...]
    stretch_steps: tuple[Step, ...]
    questions: tuple[Question, ...]
    prompts: dict[str, Prompt]

    def prompt(self, key: str) -> Prompt:
        """The prompt with this key."""
        return self.prompts[key]


# Every prompt the dialog manager uses must exist, so a broken file fails at load, not mid-conversation.
REQUIRED_PROMPTS = (
    "serious.intro", "serious.all_clear", "serious.answer_yes_no", "escalate.provider", "escalate.emergency",
    "escalate.emergency_conditional", "escalate.provider_conditional", "escalate.confirmed_no", "answer.causes",
    "answer.prevention", "answer.calcium", "episode.better", "episode.stopped", "session.goodbye", "relief.done",
    "relief.no_response", "relief.yes_easing", "relief.not_easing", "help", "fallback", "no_open_question",
    "paused", "nothing_paused", "first_step", "nothing_to_repeat", "voice.slower", "voice.faster",
    "voice.louder", "voice.softer", "voice.limit",
    # the cramp diary
    "diary.frequent", "diary.offer_check", "diary.offer_declined", "diary.noted", "diary.note_no_episode",
    "diary.note_unclear", "history.count", "history.none", "history.last", "history.last_idle", "history.never",
    "history.unavailable",
)
HOLD_NAMES = ("hold_seconds", "massage_seconds", "stretch_seconds")
LEVELS = ("provider", "emergency")


def _sentences(raw: object, where: str) -> tuple[str, ...]:
    # A single string would otherwise be split into characters and spoken letter by letter.
    if isinstance(raw, str) or not isinstance(raw, list) or not raw or not all(isinstance(t, str) for t in raw):
        raise ContentError(f"{where}: expected a non-empty list of sentences")
    return tuple(raw)


def _steps(raw: object, where: str) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{where}: expected a non-empty list of steps")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise ContentError(f"{where}: each step must be a mapping")
        step = Step(
            key=str(item["key"]), source=str(item["source"]), say=_sentences(item.get("say"), f"{where} say"),
            hold=item.get("hold"), check_in=item.get("check_in"),
        )
        if step.hold is not None and step.hold not in HOLD_NAMES:
            raise ContentError(f"{where}: {step.key} holds for unknown timing {step.hold!r}")
        out.append(step)
    return tuple(out)


def default_guidance_path() -> Path:
    """The packaged guidance file."""
    return Path(__file__).resolve().parent / "data" / "guidance.yaml"


def load_guidance(path: Path | None = None) -> Guidance:
    """Read and validate the guidance file (every source must be a section of the source text)."""
    path = path or default_guidance_path()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read guidance ({exc.__class__.__name__}); reinstall voice-guide") from exc
    try:
        if not isinstance(doc, dict):
            raise TypeError("the file is not a mapping")
        sections = tuple(str(s) for s in doc["sections"])
        guidance = Guidance(
            sections=sections,
            relief_steps=_steps(doc["relief_steps"], f"{path}: relief_steps"),
            stretch_steps=_steps(doc["stretch_steps"], f"{path}: stretch_steps"),
            questions=tuple(
                Question(key=str(q["key"]), source=str(q["source"]), ask=str(q["ask"]), level=str(q["level"]))
                for q in doc["warning_questions"]
            ),
            prompts={
                str(k): Prompt(key=str(k), source=str(v["source"]), text=_sentences(v.get("text"), f"{path}: {k}"))
                for k, v in doc["prompts"].items()
            },
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ContentError(f"{path}: malformed guidance ({exc.__class__.__name__}: {exc})") from exc
    missing = [k for k in REQUIRED_PROMPTS if k not in guidance.prompts]
    if missing:
        raise ContentError(f"{path}: missing prompts {', '.join(missing)}")
    if not guidance.questions or any(q.level not in LEVELS for q in guidance.questions):
        raise ContentError(f"{path}: warning_questions must be non-empty, each with level provider or emergency")
    allowed = set(sections) | set(NON_SOURCE_ORIGINS)
    items: list[Step | Question | Prompt] = [*guidance.relief_steps, *guidance.stretch_steps, *guidance.questions,
                                             *guidance.prompts.values()]
    for item in items:
        if item.source not in allowed:
            raise ContentError(f"{path}: {item.key} names unknown source section {item.source!r}")
    return guidance


@lru_cache(maxsize=1)
def default_guidance() -> Guidance:
    """The packaged guidance, loaded on first use."""
    return load_guidance()
