"""Pure slot extraction for the cramp diary: a pain rating (0..10) and a leg (left/right/both) from an utterance.

Both are looked for in every utterance, whatever its intent ("I have a really bad cramp in my left leg" is a
``cramp_now`` with pain 8 and leg left). They only count in a reporting context, so "I have eight weeks left"
has no rating and "I left the light on" has no leg.

Pain ratings
    A number 0..10 (digits or words) counts when it is a rating: "seven out of ten", "8/10", "it's an eight",
    "about a 7", "maybe a six", "pain is five", or the whole utterance ("eight"). A number followed by some
    other noun ("eight weeks", "three am", "two nights") is not a rating.

    Words are a rough mapping onto the 0..10 scale, documented here and in the README, for people who
    describe rather than rate. It is an approximation for the diary, not a clinical score:

    =====================================================  =====
    words                                                  value
    =====================================================  =====
    no pain, painless                                      0
    barely, very mild, hardly hurt                         2
    mild, slight, a little, not (too/that/so) bad, okay    3
    moderate, medium, so-so                                5
    bad, painful, sore, strong, nasty                      7
    really/very/so/pretty bad, severe, intense             8
    terrible, awful, horrible, excruciating, unbearable,   9
    agony, the worst
    the worst ever, worst pain of my life                  10
    =====================================================  =====

    A word only counts after "it was/it's/the pain is/that one was/felt ..." ("it was bad", "the pain is
    mild"), before "one/cramp/pain" ("a bad one", "a terrible cramp"), or as the whole utterance ("bad",
    "really bad"); "is this bad?" is a question, not a rating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import clean_text

NUMBER_WORDS = {
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}
_NUM = r"(?P<n>10|[0-9]|zero|nought|one|two|three|four|five|six|seven|eight|nine|ten)"
_TEN = r"(10|ten)"

# The word scale (see the module docstring): the first entry whose pattern matches the words gives the value.
WORD_SCALE: tuple[tuple[str, int], ...] = (
    (r"(the )?worst (ever|pain ever|pain of my life|i have ever had|one ever)", 10),
    (r"terrible|awful|horrible|horrendous|excruciating|unbearable|agony|agonising|agonizing|the worst|"
     r"killing me", 9),
    (r"(really|very|so|pretty|quite|super|extremely) (bad|painful|sore|strong)|severe|intense", 8),
    (r"bad|painful|sore|strong|nasty", 7),
    (r"moderate|medium|so so|average", 5),
    (r"not (too |that |so |very |really )?(bad|painful|sore)|mild|slight|manageable|bearable", 3),
    (r"very mild|barely anything|hardly anything", 2),
    (r"no pain|painless", 0),
)
# Every phrase of the scale as one alternation, longest first, so "really bad" wins over "bad".
_WORDS = (r"(the )?worst (ever|pain ever|pain of my life|i have ever had|one ever)|"
          r"not (too |that |so |very |really )?(bad|painful|sore)|"
          r"(really|very|so|pretty|quite|super|extremely) (bad|painful|sore|strong)|very mild|"
          r"barely anything|hardly anything|no pain|painless|terrible|awful|horrible|horrendous|excruciating|"
          r"unbearable|agonising|agonizing|agony|the worst|killing me|severe|intense|bad|painful|sore|strong|"
          r"nasty|moderate|medium|so so|average|mild|slight|manageable|bearable")

# A rating number may be followed only by these (or nothing): "an eight now", "a seven i think".
_AFTER_NUMBER = (r"(?=$| (now|i think|i guess|maybe|probably|or so|or (10|[0-9]|one|two|three|four|five|six|"
                 r"seven|eight|nine|ten)|at (least|most)|at the (worst|start|peak)|tonight|really|honestly|"
                 r"again|then|this time|easily|ish|for sure|out of (10|ten)|on the scale)\b)")
_SUBJECT = r"(it|that|this|the pain|pain|the cramp|cramp|that one|this one|the last one|my pain|the last cramp)"
_VERB = r"(is|was|has been|had been|felt|feels|is like|was like|got to|went to|went up to|is about|was about)"
_HEDGE = (r"((about|around|maybe|probably|like|roughly|almost|nearly|at least|definitely|easily|only|just|"
          r"really|more like|solid|good) )*")

_PAIN_NUMBER = [
    # "seven out of ten", "8 / 10", "eight of ten"
    re.compile(rf"\b{_NUM} (out of|of|over|/) {_TEN}\b"),
    # "a seven on a scale of one to ten"
    re.compile(rf"\b{_NUM} on (a|the|your) scale\b"),
    # "it's an eight", "it was about a 7", "i'd say a six", "call it a five", "pain is five"
    re.compile(rf"\b({_SUBJECT} {_VERB}|i would say|i would give it|i would rate it|i say|call it|rate it|"
               rf"give it|rating|pain level|pain score|level|score) (a |an )?{_HEDGE}(a |an )?{_HEDGE}{_NUM}"
               + _AFTER_NUMBER),
    # "about a 7", "maybe an eight", "a solid eight" at the start (a bare "a seven" inside a sentence is too
    # weak a sign of a rating)
    re.compile(rf"^((oh|so|i think|i guess|i would say) )*(about|around|maybe|probably|like|roughly|almost|nearly|"
               rf"more like|a solid|a good|a strong|an easy) (a |an )?{_NUM}" + _AFTER_NUMBER),
]
# The whole utterance is a number: "eight", "an eight", "maybe 7".
_WHOLE_NUMBER = re.compile(rf"^((a|an|oh|so|maybe|about|probably) )*{_NUM}( now| i think| or so)?$")
_PAIN_WORD = [
    # "it was bad", "the pain is really bad", "that one was terrible"
    re.compile(rf"\b{_SUBJECT} {_VERB} ((probably|definitely|honestly|kind of|sort of|just) )*(a |an )?"
               rf"(?P<w>{_WORDS})\b"),
    # "a bad one", "a terrible cramp", "really bad pain"
    re.compile(rf"\b(a |an |the )?(?P<w>{_WORDS}) (one|cramp|pain)\b"),
    # the whole utterance: "bad", "really bad", "mild", "it's terrible"
    re.compile(rf"^((oh|so|just|it is) )*(?P<w>{_WORDS})( (one|now|tonight))?$"),
]
# A question about pain is not a rating of it ("is this bad?", "how bad is too bad?").
_QUESTION = re.compile(r"^(is|was|are|will|does|do|did|can|could|should|would|how|what|why|when|if|whether)\b")

_LEG_NOUN = r"(leg|legs|calf|calves|foot|feet|thigh|thighs|shin|shins|ankle|ankles|hamstring|knee|side|one)"
_LEG_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "both": [
        re.compile(r"\bboth (of )?(my |the |them\b|sides|legs|calves|feet|thighs|shins)"),
        re.compile(rf"\b(left and right|right and left)( {_LEG_NOUN})?\b"),
        re.compile(r"\b(each|either) (leg|calf|foot)\b"),
        re.compile(r"^both( of them)?$"),
    ],
    # "left" / "right" only with a leg word after them, or as "my/the left" ending the utterance: so "I left
    # the light on", "all right", "right now" and "right away" are not legs.
    "left": [
        re.compile(rf"\bleft {_LEG_NOUN}\b"),
        re.compile(r"(^|\b(my|the|on the|in the|in my|on my) )left$"),
    ],
    "right": [
        re.compile(rf"\bright {_LEG_NOUN}\b"),
        re.compile(r"\b(my|the|on the|in the|in my|on my) right$"),
    ],
}
_NOT_A_LEG = re.compile(r"\b(the right one to|right one for|right side up|right foot forward|left foot forward|"
                        r"left side of the bed|right side of the bed)\b")


@dataclass(frozen=True)
class Slots:
    """What an utterance says for the diary; None when it says nothing of the kind."""

    pain: int | None = None
    leg: str | None = None


def _text(text: str) -> str:
    """Lower-case words with contractions expanded and a rating slash kept ("8/10" -> "8 / 10")."""
    text = clean_text(text)
    text = re.sub(r"\b(it|that|what|there|pain|cramp)'s\b", r"\1 is", text)
    text = re.sub(r"\bits\b", "it is", text)
    text = re.sub(r"\bi'd\b", "i would", text)
    text = re.sub(r"\bcan't\b", "can not", text)
    text = re.sub(r"\b(\w+)n't\b", r"\1 not", text)
    text = text.replace("/", " / ")
    text = re.sub(r"[^\w\s/]+", " ", text)
    text = re.sub(r"\b(um+|uh+|erm|hmm+|well)\b", " ", text)
    return " ".join(text.split())


def _number(word: str) -> int | None:
    value = NUMBER_WORDS.get(word)
    if value is None and word.isdigit():
        value = int(word)
    return value if value is not None and 0 <= value <= 10 else None


def word_value(words: str) -> int | None:
    """The scale value of a pain word or phrase ("bad" -> 7), or None."""
    for pattern, value in WORD_SCALE:
        if re.fullmatch(pattern, words):
            return value
    return None


def pain_rating(text: str) -> int | None:
    """The pain rating 0..10 an utterance reports, or None."""
    t = _text(text)
    if not t:
        return None
    for pattern in _PAIN_NUMBER:
        m = pattern.search(t)
        if m:
            return _number(m.group("n"))
    m = _WHOLE_NUMBER.match(t)
    if m:
        return _number(m.group("n"))
    if _QUESTION.match(t):
        return None
    for pattern in _PAIN_WORD:
        m = pattern.search(t)
        if m:
            return word_value(m.group("w"))
    return None


def leg(text: str) -> str | None:
    """Which leg an utterance reports (``left``, ``right`` or ``both``), or None."""
    t = _NOT_A_LEG.sub(" ", _text(text)).strip()
    if not t:
        return None
    found = {side for side, patterns in _LEG_PATTERNS.items() if any(p.search(t) for p in patterns)}
    if "both" in found or {"left", "right"} <= found:
        return "both"
    return found.pop() if found else None


def extract(text: str) -> Slots:
    """Both slots of an utterance."""
    return Slots(pain=pain_rating(text), leg=leg(text))
