"""Speech recognition: a narrow streaming interface with Vosk and PocketSphinx behind it."""

from .base import (
    BACKENDS,
    SAMPLE_RATE,
    VOSK_MODEL_ENV,
    BackendChoice,
    Event,
    Final,
    NoSpeech,
    NotUnderstood,
    Outcome,
    Partial,
    Recognizer,
    choose_backend,
    detect_backend,
    engine_available,
    find_vosk_model,
    load_recognizer,
)

__all__ = [
    "BACKENDS", "SAMPLE_RATE", "VOSK_MODEL_ENV", "BackendChoice", "Event", "Final", "NoSpeech",
    "NotUnderstood", "Outcome", "Partial", "Recognizer", "choose_backend", "detect_backend",
    "engine_available", "find_vosk_model", "load_recognizer",
]
