"""Safe reading of user text lines: bytes in, clean text or a clear one-line problem out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Longer lines are cut (a spoken request is never this long); the rest is not lost silently: we say so.
MAX_LINE_CHARS = 2000


@dataclass(frozen=True)
class Line:
    """One input line, decoded."""

    number: int
    text: str
    problem: str = ""
    """Non-empty when the line could not be used as it was (not UTF-8, cut, empty)."""


def read_lines(raw_lines: Iterable[bytes]) -> Iterator[Line]:
    """Decode lines as UTF-8 and describe anything unusual; never raises on bad bytes."""
    for number, raw in enumerate(raw_lines, start=1):
        raw = raw.rstrip(b"\r\n")
        try:
            text = raw.decode("utf-8")
            problem = ""
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            problem = f"line {number} is not valid UTF-8 text; unreadable bytes were replaced"
        if len(text) > MAX_LINE_CHARS:
            text = text[:MAX_LINE_CHARS]
            problem = problem or f"line {number} is longer than {MAX_LINE_CHARS} characters; only the start was used"
        if not text.strip():
            problem = problem or f"line {number} is empty"
        yield Line(number, text, problem)
