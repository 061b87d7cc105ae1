"""Safe reading of user text lines: bytes in, clean text or a clear one-line problem out."""

from __future__ import annotations

import os
import select
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


def decode_line(number: int, raw: bytes) -> Line:
    """Decode one line as UTF-8 and describe anything unusual; never raises on bad bytes."""
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
    return Line(number, text, problem)


def read_lines(raw_lines: Iterable[bytes]) -> Iterator[Line]:
    """Decode every line of a byte stream."""
    for number, raw in enumerate(raw_lines, start=1):
        yield decode_line(number, raw)


class LineSource:
    """Lines from a file descriptor with a timeout, without threads (a blocked reader thread cannot exit)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False
        self.count = 0

    def next_line(self, timeout: float | None) -> Line | None:
        """The next line; None when ``timeout`` seconds pass first. Raises EOFError at the end of input."""
        while b"\n" not in self.buffer:
            if self.eof:
                if not self.buffer:
                    raise EOFError
                raw, self.buffer = self.buffer, b""
                self.count += 1
                return decode_line(self.count, raw)
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.eof = True
            self.buffer += chunk
            if len(self.buffer) > 4 * MAX_LINE_CHARS and b"\n" not in self.buffer:
                # A runaway line: keep its start only, so memory stays bounded.
                self.buffer = self.buffer[: 4 * MAX_LINE_CHARS]
                while not self.eof and b"\n" not in self.buffer:
                    chunk = os.read(self.fd, 65536)
                    if not chunk:
                        self.eof = True
                    elif b"\n" in chunk:
                        self.buffer += chunk[chunk.index(b"\n"):]
        raw, _, self.buffer = self.buffer.partition(b"\n")
        self.count += 1
        return decode_line(self.count, raw)
