"""The recognizer interface (events, Protocol), backend choice and Vosk model discovery."""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..errors import UserError

if TYPE_CHECKING:
    from ..intents import IntentSet

SAMPLE_RATE = 16000
"""Every recognizer takes 16 kHz mono signed 16-bit little-endian PCM."""

BACKENDS = ("vosk", "pocketsphinx")
VOSK_MODEL_ENV = "VOICE_GUIDE_VOSK_MODEL"


@dataclass(frozen=True)
class Partial:
    """Words heard so far in an utterance that is still going on (may still change)."""

    text: str


@dataclass(frozen=True)
class Final:
    """A recognized command phrase; confidence in [0, 1]."""

    text: str
    confidence: float


@dataclass(frozen=True)
class NoSpeech:
    """The utterance held no speech (silence or noise only)."""


@dataclass(frozen=True)
class NotUnderstood:
    """Speech was heard but it matched no command phrase; text is whatever was made of it (may be empty)."""

    text: str = ""


Event = Partial | Final
Outcome = Final | NoSpeech | NotUnderstood


@runtime_checkable
class Recognizer(Protocol):
    """A streaming recognizer for one utterance at a time."""

    name: str

    def accept(self, pcm: bytes) -> list[Partial | Final]:
        """Feed a chunk of 16 kHz mono s16le audio; returns any events it produced."""
        ...

    def finish(self) -> Final | NoSpeech | NotUnderstood:
        """End the utterance and return its outcome; the recognizer is then ready for the next one."""
        ...

    def reset(self) -> None:
        """Drop any audio of the current utterance."""
        ...


@runtime_checkable
class WholeRecordingRecognizer(Recognizer, Protocol):
    """A recognizer that can also decode a complete recording in one pass (better than streaming it)."""

    def recognize_whole(self, pcm: bytes) -> Final | NoSpeech | NotUnderstood:
        """Decode a whole recording of 16 kHz mono s16le audio as one utterance."""
        ...

    def second_look(self, streamed: Final, pcm: bytes) -> Final:
        """A streamed Final checked as recognize_whole checks its own, given the utterance's audio (pcm)."""
        ...


@runtime_checkable
class RoomAwareRecognizer(Recognizer, Protocol):
    """A recognizer with models for noisy rooms and 8 kHz microphones, told by the live loop which it hears."""

    def set_room(self, noisy: bool, narrowband: bool = False) -> None:
        """Whether the next utterances come from a noisy (filtered) room, through a microphone recording at 8 kHz."""
        ...


@dataclass(frozen=True)
class BackendChoice:
    """Which engine to use, with which model, and a sentence saying why (printed at start-up)."""

    name: str
    model_path: Path | None
    reason: str


def engine_available(module: str) -> bool:
    """Whether a Python package is importable, without importing it (engines load native libraries)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def is_vosk_model(path: Path) -> bool:
    """Whether path looks like an unpacked Vosk model (new ``am/final.mdl`` or old ``final.mdl`` layout)."""
    return path.is_dir() and ((path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file())


def project_models_dir() -> Path:
    """The checkout's ``models/`` directory (next to the package)."""
    return Path(__file__).resolve().parents[2] / "models"


def user_cache_models_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/voice-guide/models`` (default ``~/.cache/voice-guide/models``)."""
    env = os.environ if env is None else env
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "voice-guide" / "models"


def _models_in(directory: Path) -> list[Path]:
    """Vosk models directly inside directory (or directory itself), English-named ones first."""
    if not directory.is_dir():
        return []
    if is_vosk_model(directory):
        return [directory]
    found = sorted(p for p in directory.iterdir() if is_vosk_model(p))

    def english_first(p: Path) -> tuple[int, str]:
        parts = p.name.lower().replace("_", "-").split("-")
        return (0 if "en" in parts or "en-us" in p.name.lower() else 1, p.name)

    return sorted(found, key=english_first)


def find_vosk_model(
    flag: Path | None, env: Mapping[str, str], models_dir: Path | None, cache_dir: Path | None
) -> Path | None:
    """Find a Vosk model directory, searching in this order.

    1. ``flag`` (``--vosk-model PATH``): must be a model, else UserError;
    2. environment variable ``VOICE_GUIDE_VOSK_MODEL``: must be a model, else UserError;
    3. ``models_dir`` (the project's ``models/``): the directory itself or a model inside it;
    4. ``cache_dir`` (``$XDG_CACHE_HOME/voice-guide/models``): likewise.

    Inside a directory, models with an English-looking name (``...-en-us-...``) win, then by name.
    An explicit path that is wrong is an error rather than a silent fallback to another engine.
    """
    for source, value in (("--vosk-model", flag), (VOSK_MODEL_ENV, env.get(VOSK_MODEL_ENV) or None)):
        if value is None:
            continue
        path = Path(value).expanduser()
        if is_vosk_model(path):
            return path
        inner = _models_in(path)
        if inner:
            return inner[0]
        raise UserError(
            f"{source} {path} is not a Vosk model directory (expected am/final.mdl inside); "
            "unpack a model from the Vosk model list there"
        )
    for directory in (models_dir, cache_dir):
        if directory is not None:
            found = _models_in(directory)
            if found:
                return found[0]
    return None


EMBEDDED_MODEL = ("PocketSphinx's built-in US English model, adapted to synthetic voices (MLLR + MAP), "
                  "with adaptations for noisy rooms and for recordings made at 8 kHz; speech the commands do not "
                  "cover is decoded again with its spectrum warped (in a quiet room, for voices whose formants sit "
                  "far from the model's) and searched with open vocabulary for warning signs")
"""How start-up and ``models list`` name the embedded default (the adaptation ships in voice_guide/data)."""


def choose_backend(
    preferred: str | None, *, vosk_model: Path | None, has_vosk: bool, has_pocketsphinx: bool
) -> BackendChoice:
    """Pick the engine: Vosk when a model and the package are both there, else PocketSphinx.

    ``preferred`` is None/"auto" or a backend name; asking for one that cannot run is a UserError
    that says what to install.
    """
    preferred = (preferred or "auto").lower()
    if preferred not in ("auto", *BACKENDS):
        raise UserError(f"unknown speech backend {preferred!r}; choose auto, vosk or pocketsphinx")
    if preferred == "vosk":
        if not has_vosk:
            raise UserError("the vosk backend needs the vosk package: pip install 'voice-guide[vosk]'")
        if vosk_model is None:
            raise UserError(
                f"no Vosk model found; pass --vosk-model DIR, set {VOSK_MODEL_ENV}, or unpack one into models/"
            )
        return BackendChoice("vosk", vosk_model, f"asked for vosk; model {vosk_model}")
    if preferred == "pocketsphinx":
        if not has_pocketsphinx:
            raise UserError("the pocketsphinx backend needs pocketsphinx: pip install 'voice-guide[speech]'")
        return BackendChoice("pocketsphinx", None, f"asked for pocketsphinx; {EMBEDDED_MODEL}")
    if vosk_model is not None and has_vosk:
        return BackendChoice("vosk", vosk_model, f"Vosk model found at {vosk_model}")
    if has_pocketsphinx:
        if vosk_model is not None:
            why = f"Vosk model at {vosk_model} but the vosk package is not installed (pip install vosk)"
        else:
            why = "no Vosk model installed"
        return BackendChoice("pocketsphinx", None, f"{why}; using {EMBEDDED_MODEL}")
    if vosk_model is not None:
        raise UserError(f"Vosk model at {vosk_model} but no engine to run it: pip install 'voice-guide[vosk]'")
    raise UserError("no speech recognizer installed: pip install 'voice-guide[speech]' (PocketSphinx)")


def detect_backend(preferred: str | None = None, vosk_model_flag: Path | None = None) -> BackendChoice:
    """choose_backend with the real environment: installed packages and the standard model locations."""
    model = find_vosk_model(vosk_model_flag, os.environ, project_models_dir(), user_cache_models_dir())
    return choose_backend(
        preferred,
        vosk_model=model,
        has_vosk=engine_available("vosk"),
        has_pocketsphinx=engine_available("pocketsphinx"),
    )


def load_recognizer(choice: BackendChoice, intents: IntentSet | None = None, wake_phrase: str = "") -> Recognizer:
    """Build the chosen recognizer for the intent phrases; imports the engine module only now."""
    if intents is None:
        from ..intents import load_intents

        intents = load_intents()
    module = importlib.import_module(f"{__package__}.{choice.name}_backend")
    recognizer: Recognizer = module.create(intents, choice.model_path, wake_phrase=wake_phrase)
    return recognizer
