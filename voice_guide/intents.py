"""Load intent phrase templates from ``intents/*.yaml`` and expand them once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import UserError
from .normalize import normalize
from .templates import TemplateError, expand

# Outside harnesses score against exactly these labels; the loader refuses files that disagree.
LABELS: tuple[str, ...] = (
    "cramp_now", "stretch_routine", "is_serious", "red_flag", "emergency", "ask_causes",
    "ask_prevention", "ask_calcium", "feeling_better", "next", "back", "repeat", "pause", "resume",
    "stop", "slower", "faster", "louder", "softer", "help", "yes", "no", "goodbye", "none",
)
# Added for the cramp diary, alongside the scored labels (outside harnesses never expect them):
# ask_history - "how many cramps this week?"; diary_note - an utterance that only reports a pain rating or a
# leg ("it's an eight", "left leg", "it was bad").
EXTRA_LABELS: tuple[str, ...] = ("ask_history", "diary_note")
ALL_LABELS: tuple[str, ...] = LABELS + EXTRA_LABELS
ESCALATING = frozenset({"red_flag", "emergency"})


class IntentDataError(UserError):
    """The intent files are missing or malformed."""


@dataclass(frozen=True)
class IntentSet:
    """Every intent's expanded, normalised phrases, loaded once."""

    phrases: dict[str, tuple[str, ...]]
    """Intent label -> its normalised phrases, in file order."""
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Intent label -> the raw templates (for documentation and grammar building)."""

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels in the set."""
        return tuple(self.phrases)

    def all_phrases(self) -> list[tuple[str, str]]:
        """Every (phrase, intent) pair."""
        return [(p, label) for label, ps in self.phrases.items() for p in ps]

    def vocabulary(self) -> set[str]:
        """Every word any phrase uses."""
        return {w for _, ps in self.phrases.items() for p in ps for w in p.split()}


def default_intents_dir() -> Path:
    """Where the shipped intent files are: inside the installed package, else the checkout's ``intents/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "intent_data", here.parent / "intents"):
        if any(candidate.glob("*.yaml")):
            return candidate
    raise IntentDataError(f"no intent files found next to {here}; reinstall voice-guide")


def load_intents(directory: Path | None = None) -> IntentSet:
    """Read every ``*.yaml`` file in directory (each: ``intent: label`` and ``phrases: [templates]``)."""
    directory = directory or default_intents_dir()
    phrases: dict[str, tuple[str, ...]] = {}
    templates: dict[str, tuple[str, ...]] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise IntentDataError(f"{path}: cannot read intent file ({exc.__class__.__name__})") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("intent"), str):
            raise IntentDataError(f"{path}: expected a mapping with 'intent' and 'phrases'")
        label = doc["intent"]
        if label not in ALL_LABELS:
            raise IntentDataError(f"{path}: unknown intent label {label!r}")
        raw = doc.get("phrases") or []
        if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
            raise IntentDataError(f"{path}: 'phrases' must be a list of strings")
        expanded: dict[str, None] = dict.fromkeys(phrases.get(label, ()))
        for template in raw:
            try:
                for phrase in expand(template):
                    norm = normalize(phrase)
                    if norm:
                        expanded.setdefault(norm, None)
            except TemplateError as exc:
                raise IntentDataError(f"{path}: {exc}") from exc
        phrases[label] = tuple(expanded)
        templates[label] = templates.get(label, ()) + tuple(raw)
    missing = [label for label in ALL_LABELS if label not in phrases]
    if missing:
        raise IntentDataError(f"{directory}: no phrases for intents {', '.join(missing)}")
    return IntentSet(phrases=phrases, templates=templates)
