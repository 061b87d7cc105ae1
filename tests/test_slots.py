"""Pain rating and leg slots (voice_guide/slots.py), as tables: positives and the negatives that share words."""

from __future__ import annotations

import pytest

from voice_guide.slots import WORD_SCALE, extract, leg, pain_rating, word_value

PAIN: list[tuple[str, int | None]] = [
    ("it's an eight", 8),
    ("It's an 8.", 8),
    ("about a 7", 7),
    ("maybe an eight", 8),
    ("7 out of 10", 7),
    ("seven out of ten", 7),
    ("eight/10", 8),
    ("8/10", 8),
    ("8 / 10", 8),
    ("it was like a 9 out of 10", 9),
    ("I'd say a six", 6),
    ("the pain is about a six i think", 6),
    ("call it a five", 5),
    ("pain level four", 4),
    ("it was a ten", 10),
    ("zero", 0),
    ("eight", 8),
    ("it is five", 5),
    ("a seven on a scale of one to ten", 7),
    # words: a rough mapping (module docstring)
    ("it was bad", 7),
    ("It was really bad", 8),
    ("that one was terrible", 9),
    ("the pain was mild", 3),
    ("it wasn't too bad", 3),
    ("it's not bad", 3),
    ("a bad one", 7),
    ("I have a really bad cramp in my left leg", 8),
    ("it was the worst pain of my life", 10),
    ("bad", 7),
    ("moderate", 5),
    # negatives: numbers and words that are not ratings
    ("I have eight weeks left", None),
    ("set an alarm for eight", None),
    ("it's 3 am", None),
    ("it is five am", None),
    ("call 911", None),
    ("I have two cramps", None),
    ("I'm seven months pregnant", None),
    ("is this bad", None),
    ("how bad is it", None),
    ("is it bad that my calf is red", None),
    ("I have a cramp", None),
    ("I had a bad night", None),
    ("", None),
    ("testing one two three", None),
]


@pytest.mark.parametrize("text,expected", PAIN, ids=[t or "empty" for t, _ in PAIN])
def test_pain_rating(text: str, expected: int | None) -> None:
    assert pain_rating(text) == expected


LEGS: list[tuple[str, str | None]] = [
    ("left leg", "left"),
    ("Left leg.", "left"),
    ("the right one", "right"),
    ("it's my right calf", "right"),
    ("in my left", "left"),
    ("both legs", "both"),
    ("both of them", "both"),
    ("left and right", "both"),
    ("my left leg and my right leg", "both"),
    ("I have a cramp in my left leg", "left"),
    ("it hurts on my left side", "left"),
    # negatives: "left" and "right" that are not legs
    ("left the light on", None),
    ("I left the light on", None),
    ("I have eight weeks left", None),
    ("all right", None),
    ("right now", None),
    ("call them right away", None),
    ("that's right", None),
    ("right", None),
    ("my leg", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", LEGS, ids=[t or "empty" for t, _ in LEGS])
def test_leg(text: str, expected: str | None) -> None:
    assert leg(text) == expected


def test_extract_gives_both() -> None:
    slots = extract("it was a terrible cramp in my left calf")
    assert (slots.pain, slots.leg) == (9, "left")
    assert extract("what's the weather") == extract("") == type(slots)()


def test_word_scale_is_ordered_and_in_range() -> None:
    values = [v for _, v in WORD_SCALE]
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 10 for v in values)
    assert (word_value("bad"), word_value("really bad"), word_value("mild"), word_value("terrible")) == (7, 8, 3, 9)
    assert word_value("purple") is None


def test_hostile_input_is_harmless() -> None:
    for text in ("\x00\x1b[31m8/10", "eight " * 5000, "🦵 left leg", "ten/10/10"):
        slots = extract(text)
        assert slots.pain is None or 0 <= slots.pain <= 10
