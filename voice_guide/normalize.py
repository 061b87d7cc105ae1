"""Text normalisation shared by the matcher, the intent loader and grammar building."""

from __future__ import annotations

import re
import unicodedata

# Contractions are expanded so "don't" and "do not" (as a recognizer may write either) look the same; the speech
# grammar reads this table back to listen for the spoken forms (asr/grammar.py).
SPELLINGS = {
    "can't": "can not", "cannot": "can not", "cant": "can not", "won't": "will not", "wont": "will not",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "wasn't": "was not", "wasnt": "was not", "weren't": "were not",
    "haven't": "have not", "havent": "have not", "hasn't": "has not", "hadn't": "had not",
    "couldn't": "could not", "couldnt": "could not", "shouldn't": "should not", "wouldn't": "would not",
    "ain't": "is not", "it's": "it is", "its": "it is", "i'm": "i am", "im": "i am", "i've": "i have",
    "ive": "i have", "i'd": "i would", "i'll": "i will", "that's": "that is", "thats": "that is",
    "what's": "what is", "whats": "what is", "there's": "there is", "let's": "let us", "lets": "let us",
    "you're": "you are", "we're": "we are", "they're": "they are", "he's": "he is", "she's": "she is",
    # The same without apostrophes, as people type them and transcripts spell them ("were" and "ill" are words).
    "youre": "you are", "theyre": "they are", "shes": "she is", "hes": "he is", "theres": "there is",
    "arent": "are not", "werent": "were not", "hasnt": "has not", "hadnt": "had not", "shouldnt": "should not",
    "wouldnt": "would not", "youve": "you have", "weve": "we have", "theyve": "they have", "aint": "is not",
    "who's": "who is", "how's": "how is", "where's": "where is", "gonna": "going to", "wanna": "want to",
    "gotta": "got to", "kinda": "kind of", "sorta": "sort of", "y'know": "you know", "'cause": "because",
    "cos": "because", "cuz": "because", "ok": "okay", "o.k.": "okay", "alright": "all right",
    "charlie": "charley", "nope": "no", "nah": "no", "yep": "yes", "yeah": "yes", "yup": "yes",
    "ya": "yes", "yah": "yes", "uh-huh": "yes", "mhm": "yes", "mm-hmm": "yes", "uh-uh": "no",
    "nae": "no",  # Scots: "nae swelling", "i cannae get my breath"
    "cannae": "can not", "canna": "can not", "couldnae": "could not", "dinnae": "do not", "didnae": "did not",
    "doesnae": "does not", "isnae": "is not", "wouldnae": "would not", "willnae": "will not",
    "they've": "they have", "we've": "we have", "you've": "you have",
    # Jamaican: "mi cyaan ketch mi breath".
    "cyaan": "can not", "kyaan": "can not", "cyan": "can not", "ketch": "catch", "nuh": "not",
}

# Hesitations carry no meaning; "please" and "hey" only soften a request.
FILLERS = frozenset(
    "um umm uhm uh uhh er erm hmm hm mmm ah ahh please pls hey well like actually basically".split()
)

# A negator starts a scope that runs to the end of its clause (or a few words).
NEGATORS = frozenset("not no never without nor neither none nothing nobody hardly".split())
CLAUSE_BREAKS = frozenset("but and although though however yet except if because since when while so".split())
NEGATION_SCOPE = 5
# After these words a leading "no" is an answer ("no, it is fine"), not a negator ("no swelling").
_ANSWER_NO_FOLLOWERS = frozenset(
    "it i that this there my the thanks thank way not just but and you we she he they yes okay "
    "all right everything nothing none".split()
)

_PUNCT = re.compile(r"[^\w\s']+")
_CLAUSE_PUNCT = re.compile(r"[.,;:!?()\[\]\"/\\]+|\s[-–—]+\s")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# Spoken yes/no grunts, spelled as recognizers and people write them, before "uh" is dropped as a filler.
_GRUNTS = re.compile(r"\b(uh[ -]?huh|mm[ -]?hmm|m+ ?hm+|yeah yeah)\b")
_NEGATIVE_GRUNTS = re.compile(r"\b(uh[ -]?uh|nuh[ -]?uh)\b")


def clean_text(text: str) -> str:
    """Lower-case, NFKC-fold and strip control characters and curly quotes."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text).replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = _NEGATIVE_GRUNTS.sub("no", text.lower())
    return _GRUNTS.sub("yes", text)


def clauses(text: str) -> list[list[str]]:
    """Split text at punctuation into clauses of normalised tokens (contractions expanded, fillers gone)."""
    out: list[list[str]] = []
    for chunk in _CLAUSE_PUNCT.split(clean_text(text)):
        words: list[str] = []
        tokens = [token.strip("'-") for token in chunk.split()]
        for i, raw in enumerate(tokens):
            expanded = SPELLINGS.get(raw)
            # "'s been" is "has been" ("the pain's been going for hours", "it's been swollen since tuesday").
            has_been = raw.endswith("'s") and tokens[i + 1 : i + 2] == ["been"]
            if expanded is None and raw.endswith("'s"):
                raw = raw[:-2]  # "calf's gone" / "my calf's muscle": the noun is what matters
                expanded = f"{raw} has" if has_been else None
            elif has_been and expanded is not None and expanded.endswith(" is"):
                expanded = expanded.removesuffix(" is") + " has"
            for word in (expanded.split() if expanded else [raw]):
                word = _PUNCT.sub("", word).replace("'", "")
                if word and word not in FILLERS:
                    words.append(word)
        words = _strip_politeness(words)
        if words:
            out.append(words)
    return out


# "can you ... now please": the request is the same without its polite frame.
POLITE_HEADS = (("can", "you"), ("could", "you"), ("would", "you"), ("will", "you"), ("can", "we"), ("could", "we"),
                ("would", "you", "mind"))
_POLITE_TAILS = (("thank", "you"), ("thanks",), ("for", "me"), ("a", "touch"), ("if", "that", "is", "okay"))
_HEADS_LONGEST_FIRST = sorted(POLITE_HEADS, key=len, reverse=True)


def strip_polite_opening(words: list[str]) -> list[str]:
    """Return words without a polite opening ("could you repeat that" -> "repeat that"), if a command remains."""
    for head in _HEADS_LONGEST_FIRST:
        if len(words) > len(head) and tuple(words[: len(head)]) == head:
            return words[len(head):]
    return words


def _strip_politeness(words: list[str]) -> list[str]:
    words = strip_polite_opening(words)
    changed = True
    while changed:
        changed = False
        for tail in _POLITE_TAILS:
            if len(words) > len(tail) + 1 and tuple(words[-len(tail):]) == tail:
                words = words[: -len(tail)]
                changed = True
    return words


def tokens(text: str) -> list[str]:
    """Return the normalised tokens of text, punctuation dropped."""
    return [w for clause in clauses(text) for w in clause]


def normalize(text: str) -> str:
    """Return text as one normalised, space-joined string."""
    return " ".join(tokens(text))


def mark_negation(clause_list: list[list[str]]) -> list[str]:
    """Prefix words inside a negation scope with ``not_`` so "not swollen" differs from "swollen"."""
    out: list[str] = []
    for clause in clause_list:
        scope = 0
        for i, word in enumerate(clause):
            if word in CLAUSE_BREAKS:
                scope = 0
                out.append(word)
                continue
            if word in NEGATORS:
                nxt = clause[i + 1] if i + 1 < len(clause) else ""
                if word == "no" and (i == 0 or clause[i - 1] in ("oh", "yes")) and (
                    not nxt or nxt in _ANSWER_NO_FOLLOWERS
                ):
                    out.append(word)  # a bare answer, "no" / "no it is fine"
                    scope = 0
                    continue
                out.append(word)
                scope = NEGATION_SCOPE
                continue
            if scope:
                out.append("not_" + word)
                scope -= 1
            else:
                out.append(word)
    return out


def negated_tokens(text: str) -> list[str]:
    """Tokens of text with negation scopes marked."""
    return mark_negation(clauses(text))
