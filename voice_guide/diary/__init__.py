"""The cramp diary: episodes recorded as they happen, listed, exported and reported for the provider."""

from .frequency import NIGHT_CUTOFF_HOUR, FrequentRule, is_frequent, night_of
from .recorder import DiaryRecorder, local_now, open_recorder, stderr_warning
from .store import (
    KINDS,
    LEGS,
    LEVELS,
    OUTCOMES,
    SCHEMA_VERSION,
    AnswerRecord,
    Diary,
    DiaryError,
    DiaryMissing,
    Episode,
    EscalationRecord,
    StepRecord,
    default_path,
)

__all__ = [
    "KINDS", "LEGS", "LEVELS", "NIGHT_CUTOFF_HOUR", "OUTCOMES", "SCHEMA_VERSION", "AnswerRecord", "Diary",
    "DiaryError", "DiaryMissing", "DiaryRecorder", "Episode", "EscalationRecord", "FrequentRule", "StepRecord",
    "default_path", "is_frequent", "local_now", "night_of", "open_recorder", "stderr_warning",
]
