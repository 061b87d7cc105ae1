"""Expand phrase templates such as ``i [have] (a|the) cramp`` into concrete phrases."""

from __future__ import annotations

import itertools
from dataclasses import dataclass


class TemplateError(ValueError):
    """A template is malformed (unbalanced brackets, empty alternative set)."""


@dataclass(frozen=True)
class _Seq:
    parts: tuple[_Node, ...]


@dataclass(frozen=True)
class _Alt:
    options: tuple[_Seq, ...]


_Node = str | _Seq | _Alt

# Expansion is combinatorial; a limit turns an accidental explosion into a load-time error.
MAX_EXPANSIONS = 1000


def _parse(template: str) -> _Seq:
    pos = 0

    def parse_seq(closers: str) -> tuple[_Seq, str | None]:
        nonlocal pos
        parts: list[_Node] = []
        buf: list[str] = []
        while pos < len(template):
            ch = template[pos]
            if ch in "([":
                if buf:
                    parts.append("".join(buf))
                    buf = []
                pos += 1
                closer = ")" if ch == "(" else "]"
                options: list[_Seq] = []
                while True:
                    seq, end = parse_seq(closer + "|")
                    options.append(seq)
                    if end == closer:
                        break
                    if end is None:
                        raise TemplateError(f"unclosed {ch!r} in template: {template!r}")
                if ch == "[":
                    options.append(_Seq(()))
                parts.append(_Alt(tuple(options)))
                continue
            if ch in ")]|":
                if ch not in closers:
                    raise TemplateError(f"unexpected {ch!r} in template: {template!r}")
                if buf:
                    parts.append("".join(buf))
                pos += 1
                return _Seq(tuple(parts)), ch
            buf.append(ch)
            pos += 1
        if buf:
            parts.append("".join(buf))
        return _Seq(tuple(parts)), None

    seq, end = parse_seq("")
    if end is not None:
        raise TemplateError(f"unbalanced template: {template!r}")
    return seq


def _expand(node: _Node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, _Alt):
        out: list[str] = []
        for option in node.options:
            out.extend(_expand(option))
        return out
    pieces = [_expand(part) for part in node.parts]
    total = 1
    for p in pieces:
        total *= len(p)
    if total > MAX_EXPANSIONS:
        raise TemplateError(f"template expands to more than {MAX_EXPANSIONS} phrases")
    return ["".join(combo) for combo in itertools.product(*pieces)]


def expand(template: str) -> list[str]:
    """Return every phrase a template produces, whitespace-collapsed, in first-seen order."""
    seen: dict[str, None] = {}
    for phrase in _expand(_parse(template)):
        clean = " ".join(phrase.split())
        if clean:
            seen.setdefault(clean, None)
    return list(seen)
