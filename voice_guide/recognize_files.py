"""Run one loaded recognizer over WAV files, one utterance per file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from .asr.base import Final, NoSpeech, NotUnderstood, Recognizer, WholeRecordingRecognizer
from .audio import AudioFileError, Int16Array, chunks, frame_levels, read_wav
from .dc_offset import without_dc
from .endpoint import EndpointConfig, normalise
from .hum import without_hum
from .rumble import without_rumble

CHUNK_SAMPLES = 1600
"""0.1 s per chunk when a file is streamed: the size a live microphone loop feeds."""

FileOutcome = Final | NoSpeech | NotUnderstood
FRAME = 320
"""20 ms at 16 kHz: the frames a recording's speech level is measured in."""
MIN_VOICED_FRAMES = 5
"""Fewer voiced frames than this (a click, a breath) set no speech level: the recording is left as it is."""
QUIET_BELOW_DB = 10.0
"""A recording is raised only when its speech is this far below the live loop's target level: ordinary recordings
(espeak-ng's voices at full and half volume: -27 to -13 dBFS) are decoded exactly as before."""


def speech_level_dbfs(samples: Int16Array, config: EndpointConfig) -> float | None:
    """The level of a recording's voiced frames (as the live loop's endpointer judges voice), or None if too few.

    Voiced: above the recording's own noise floor (its 10th-percentile frame) by the endpointer's margin, and
    above the level below which nothing is voice.
    """
    whole_frames = samples[: samples.size // FRAME * FRAME]  # a shorter last frame says little about a level
    levels = np.array(frame_levels(whole_frames, FRAME))
    sound = levels[np.isfinite(levels) & (levels > config.digital_silence_dbfs)]
    if sound.size == 0:
        return None
    voiced = sound[sound > max(config.min_voice_dbfs, float(np.percentile(sound, 10)) + config.margin_db)]
    if voiced.size < MIN_VOICED_FRAMES:
        return None
    return float(10.0 * np.log10(np.mean(10.0 ** (voiced / 10.0))))


def raised_if_quiet(samples: Int16Array, config: EndpointConfig | None = None) -> Int16Array:
    """A quiet recording raised towards the level the live loop gives speech; other recordings unchanged.

    The live loop normalises every utterance (endpoint.normalise) before the recognizer hears it; a file had no
    such step, so speech 30 dB down (a whisper, a phone far from the bed) fell under the recognizer's speech floor:
    set A's clean recordings 30 dB down, 9.4 % right intents. Only a quiet recording (QUIET_BELOW_DB) is raised,
    never lowered, and by at most the live loop's bound.
    """
    config = config or EndpointConfig()
    level = speech_level_dbfs(samples, config)
    if level is None or level >= config.target_dbfs - QUIET_BELOW_DB:
        return samples
    return normalise(samples, level, config)


def recognize_samples(samples: Int16Array, recognizer: Recognizer) -> FileOutcome:
    """One recording as one utterance: decoded whole where the backend can, else streamed in live-sized chunks.

    Its DC offset goes first: every level read after (quiet, noisy, where the words are) assumes audio centred on 0.
    Mains hum goes next (hum.py), exactly, before the rumble step would take only its lowest harmonic; then rumble
    far below the voice, for the same levels' sake (rumble.py).
    """
    samples = raised_if_quiet(without_rumble(without_hum(without_dc(samples))))
    if isinstance(recognizer, WholeRecordingRecognizer):
        return recognizer.recognize_whole(samples.astype("<i2").tobytes())
    return recognize_stream(chunks(samples, CHUNK_SAMPLES), recognizer)


def recognize_stream(pcm_chunks: Iterable[bytes], recognizer: Recognizer) -> FileOutcome:
    """Stream chunks through recognizer as one utterance; Finals emitted mid-stream are joined in."""
    recognizer.reset()
    finals: list[Final] = []
    for chunk in pcm_chunks:
        finals += [e for e in recognizer.accept(chunk) if isinstance(e, Final)]
    last = recognizer.finish()
    if not finals:
        return last
    if isinstance(last, Final):
        finals.append(last)
    return Final(" ".join(f.text for f in finals), min(f.confidence for f in finals))


def transcribe_files(
    paths: Iterable[str | Path], recognizer: Recognizer
) -> Iterator[tuple[Path, FileOutcome | str]]:
    """Yield (path, outcome) per file, or (path, one-line error) for a file that is not readable audio.

    The recognizer is loaded once by the caller and reused; a bad file never stops the others.
    """
    for raw in paths:
        path = Path(raw)
        try:
            samples = read_wav(path)
        except AudioFileError as exc:
            yield path, str(exc)
            continue
        yield path, recognize_samples(samples, recognizer)
