"""Run one loaded recognizer over WAV files, one utterance per file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .asr.base import Final, NoSpeech, NotUnderstood, Recognizer, WholeRecordingRecognizer
from .audio import AudioFileError, Int16Array, chunks, read_wav

CHUNK_SAMPLES = 1600
"""0.1 s per chunk when a file is streamed: the size a live microphone loop feeds."""

FileOutcome = Final | NoSpeech | NotUnderstood


def recognize_samples(samples: Int16Array, recognizer: Recognizer) -> FileOutcome:
    """One recording as one utterance: decoded whole where the backend can, else streamed in live-sized chunks."""
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
