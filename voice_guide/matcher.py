"""Pure text -> intent matcher over intent data loaded once (rapidfuzz + naive Bayes + safety rules)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .intents import ESCALATING, IntentSet, load_intents
from .normalize import clauses, mark_negation
from .safety import Finding, detect

# A single clause beats the whole utterance only when this much more confident.
CLAUSE_MARGIN = 0.1
# Below this the best guess is reported as "none" (out of scope).
CONFIDENCE_CUTOFF = 0.45
# The winning intent needs a word or word pair with at least this P(intent | feature).
MIN_EVIDENCE = 0.3
# How much unknown content words lower confidence (0 = not at all, 1 = in proportion).
COVERAGE_WEIGHT = 0.5
# A low-confidence escalation is still acted on, conditionally, then confirmed (see dialog.py).
CONFIRMED_ESCALATION = 0.75
# A single suggestive word is acted on (conditionally) when the phrases rate its intent at least this share of the
# most likely intent's: first, or a close second.
WEAK_FINDING_SHARE = 0.8
# Token correction: an unknown word is replaced by the nearest intent word at or above this ratio.
TOKEN_FIX_CUTOFF = 80.0
# A fix this close is trusted for safety findings too ("breth" -> "breath"; not "painted" -> "fainted").
SURE_FIX = 90.0
# Whole-phrase fuzzy match for short utterances (rapidfuzz ratio, 0..100, higher = closer).
PHRASE_FUZZY_CUTOFF = 84.0
SHORT_UTTERANCE = 4
# Floor for log P(intent | feature) and the temperature that tempers over-confident posteriors.
EPSILON = 0.02
TEMPERATURE = 2.0

# Words too common to say anything about scope.
STOPWORDS = frozenset(
    "a an the i me my is am are was be it this that to of in on at and or do does did so you your "
    "with for can could would should will just now again really very some any have has had what by from "
    "about as if when there here then than get got up out off all".split()
)

# Recognizer near-homophones that a string distance cannot fix.
SOUNDS_LIKE = {
    "text": "next", "nest": "next", "necks": "next", "nex": "next", "neck": "next", "cramps": "cramp",
    "crap": "cramp", "cram": "cramp", "clamp": "cramp", "cramped": "cramp", "calve": "calf", "cough": "cough",
    "paws": "pause", "pores": "pause", "paul's": "pause", "pours": "pause", "louder": "louder",
    "lauder": "louder", "slowa": "slower", "softa": "softer", "stoop": "stop", "top": "stop",
    "breath": "breathe", "calcium's": "calcium", "charlie": "charley", "horse's": "horse",
}


@dataclass(frozen=True)
class Match:
    """The utterance matched an intent."""

    intent: str
    confidence: float
    text: str
    """The normalised text that was matched."""


@dataclass(frozen=True)
class NoMatch:
    """Nothing matched well enough: out of scope (``none``)."""

    confidence: float
    """Confidence that the utterance is out of scope."""
    text: str
    reason: str
    intent: str = "none"


@dataclass
class MatcherModel:
    """Everything the matcher needs, built once from an IntentSet."""

    intents: IntentSet
    exact: dict[str, str]
    vocabulary: frozenset[str]
    vocab_list: list[str]
    short_phrases: list[str]
    short_labels: list[str]
    log_prob: dict[str, dict[str, float]]
    log_unseen: dict[str, float]
    labels: tuple[str, ...]
    known_features: frozenset[str]
    feature_index: dict[str, int] = field(default_factory=dict)
    weights: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))
    """One row per known feature: its log P(intent | feature) for every label (floored), for vectorised sums."""
    english: frozenset[str] = frozenset()
    """Real English words: a recognizer only outputs these, so they are never "corrected" by spelling."""
    _fixes: dict[str, str] = field(default_factory=dict)


def _features(words: list[str]) -> list[str]:
    feats = list(words)
    feats.extend(f"{a}_{b}" for a, b in zip(words, words[1:], strict=False))
    return feats


def english_words() -> frozenset[str]:
    """Real English words: those of the pocketsphinx wheel's dictionary that its language model knows.

    The dictionary alone also holds names and rare spellings that are common typing slips ("redish", "breth");
    the language model's vocabulary leaves them out. Empty if pocketsphinx is not installed.
    """
    try:
        import pocketsphinx  # noqa: PLC0415 - optional data source, imported only here

        model_dir = Path(pocketsphinx.get_model_path()) / "en-us"
        with (model_dir / "cmudict-en-us.dict").open(encoding="utf-8", errors="replace") as fh:
            words = frozenset(line.split(" ", 1)[0] for line in fh if "(" not in line.split(" ", 1)[0])
        language_model = pocketsphinx.NGramModel.readfile(str(model_dir / "en-us.lm.bin"))
    except (ImportError, OSError, RuntimeError, ValueError):
        return frozenset()
    unknown = language_model.prob(["xqzjv"])  # the score of a word the model does not know
    return frozenset(w for w in words if language_model.prob([w]) != unknown)


def build_model(intents: IntentSet, english: frozenset[str] = frozenset()) -> MatcherModel:
    """Index the intent phrases: exact lookup, short-phrase fuzzy list and naive Bayes tables."""
    exact: dict[str, str] = {}
    short_phrases: list[str] = []
    short_labels: list[str] = []
    rates: dict[str, dict[str, float]] = {}
    for label, phrases in intents.phrases.items():
        presence: Counter[str] = Counter()
        for phrase in phrases:
            marked = mark_negation([phrase.split()])
            exact.setdefault(" ".join(marked), label)
            presence.update(set(_features(marked)))
            if len(marked) <= SHORT_UTTERANCE:
                short_phrases.append(" ".join(marked))
                short_labels.append(label)
        # Presence rates, so an intent with many template expansions is not favoured for it.
        rates[label] = {f: c / len(phrases) for f, c in presence.items()}
    # Each known feature votes for intents in proportion to how typical it is of each: log P(intent | feature).
    totals: Counter[str] = Counter()
    for per_label in rates.values():
        totals.update(per_label)
    log_prob = {
        label: {f: math.log(r / totals[f] + EPSILON) for f, r in per_label.items()}
        for label, per_label in rates.items()
    }
    log_unseen = {label: math.log(EPSILON) for label in rates}
    vocab = frozenset(intents.vocabulary())
    labels = tuple(intents.phrases)
    feature_index = {f: i for i, f in enumerate(sorted(totals))}
    weights = np.full((len(feature_index), len(labels)), math.log(EPSILON))
    for j, label in enumerate(labels):
        for f, value in log_prob[label].items():
            weights[feature_index[f], j] = value
    return MatcherModel(
        intents=intents, exact=exact, vocabulary=vocab, vocab_list=sorted(vocab),
        short_phrases=short_phrases, short_labels=short_labels, log_prob=log_prob,
        log_unseen=log_unseen, labels=labels, known_features=frozenset(totals), english=english,
        feature_index=feature_index, weights=weights,
    )


@lru_cache(maxsize=1)
def default_model() -> MatcherModel:
    """The model over the shipped intent files, built on first use."""
    return build_model(load_intents(), english_words())


def _fix_token(model: MatcherModel, word: str) -> str:
    if word in model.vocabulary:
        return word
    cached = model._fixes.get(word)
    if cached is not None:
        return cached
    fixed = SOUNDS_LIKE.get(word, word)
    if fixed not in model.vocabulary and len(word) >= 4 and not word.isdigit():
        # A real English word is what was said unless it is a near-certain slip ("redish" -> "reddish").
        cutoff = SURE_FIX if word in model.english else TOKEN_FIX_CUTOFF
        best = process.extractOne(word, model.vocab_list, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is not None:
            fixed = best[0]
    model._fixes[word] = fixed
    return fixed


def _contentful(feature: str) -> bool:
    return any(w.removeprefix("not_") not in STOPWORDS for w in feature.split("_"))


def _stronger(a: Finding | None, b: Finding | None) -> Finding | None:
    if a is None or b is None:
        return a or b
    rank = {("emergency", True): 3, ("red_flag", True): 2, ("emergency", False): 1, ("red_flag", False): 0}
    return a if rank[(a.intent, a.strong)] >= rank[(b.intent, b.strong)] else b


def _fix_is_sure(model: MatcherModel, word: str) -> bool:
    fixed = _fix_token(model, word)
    return fixed != word and (word in SOUNDS_LIKE or fuzz.ratio(word, fixed) >= SURE_FIX)


def _softmax_top(scores: dict[str, float]) -> list[tuple[str, float]]:
    top = max(scores.values())
    exps = {k: math.exp((v - top) / TEMPERATURE) for k, v in scores.items()}
    total = sum(exps.values())
    return sorted(((k, e / total) for k, e in exps.items()), key=lambda kv: -kv[1])


def match(text: str, model: MatcherModel | None = None) -> Match | NoMatch:
    """Classify one utterance; deterministic and free of I/O."""
    model = model or default_model()
    raw_clauses = clauses(text)
    whole = _match_clauses(raw_clauses, model)
    if len(raw_clauses) < 2 or whole.intent in ESCALATING:
        return whole
    # "Sorry, a little slower please, I'm half asleep": one clause carries the request. The most
    # confident in-scope reading wins (the whole first on ties); safety findings were already checked above.
    best, best_score = whole, whole.confidence if whole.intent != "none" else -1.0
    for clause in raw_clauses:
        part = _match_clauses([clause], model)
        if part.intent in ESCALATING or part.intent == "none":
            continue
        # A clause with more to say beats a bare "sorry" or "okay" at the same confidence.
        score = part.confidence + 0.02 * min(5, sum(w not in STOPWORDS for w in clause)) - CLAUSE_MARGIN
        if score > best_score:
            best, best_score = part, score
    return best


def _match_clauses(raw_clauses: list[list[str]], model: MatcherModel) -> Match | NoMatch:
    clause_list = [[_fix_token(model, w) for w in c] for c in raw_clauses]
    marked = mark_negation(clause_list)
    joined = " ".join(marked)
    if not marked:
        return NoMatch(1.0, "", "empty")

    # Safety rules see the words as heard; a finding that appears only after spelling correction
    # ("painted" -> "fainted") is uncertain, so it counts as weak (said conditionally, then confirmed).
    finding = detect(raw_clauses)
    if (finding is None or not finding.strong) and clause_list != raw_clauses:
        # Near-certain spelling fixes ("breth" -> "breath") keep a finding strong; looser ones do not.
        # A real English word is what was said ("the steak was tender" is no "streak", "the top of the hill" no
        # "stop"): the safety rules see only fixes of words that are not English.
        sure = [[_fix_token(model, w) if _fix_is_sure(model, w) and w not in model.english else w for w in c]
                for c in raw_clauses]
        sure_finding = detect(sure) if sure != raw_clauses else None
        heard = [[w if w in model.english else _fix_token(model, w) for w in c] for c in raw_clauses]
        corrected = detect(heard) if heard != raw_clauses else None
        finding = _stronger(finding, sure_finding)
        if corrected is not None:
            finding = _stronger(finding, Finding(corrected.intent, False))
    if finding is not None and finding.strong:
        return Match(finding.intent, 0.95, joined)

    label = model.exact.get(joined)
    if label is not None and label not in ("red_flag", "emergency"):
        return _result(label, 1.0, joined)

    if len(marked) <= SHORT_UTTERANCE:
        best = process.extractOne(joined, model.short_phrases, scorer=Levenshtein.normalized_similarity,
                                  score_cutoff=PHRASE_FUZZY_CUTOFF / 100)
        if best is not None and model.short_labels[best[2]] not in ("red_flag", "emergency"):
            return _result(model.short_labels[best[2]], float(best[1]), joined)

    feats = [f for f in _features(marked) if f in model.known_features]
    if not feats:
        return NoMatch(1.0, joined, "no known words")
    totals = model.weights[[model.feature_index[f] for f in feats]].sum(axis=0)
    scores = dict(zip(model.labels, totals.tolist(), strict=True))
    ranked = _softmax_top(scores)
    top_label, top_p = ranked[0]
    finding_p = dict(ranked).get(finding.intent, 0.0) if finding is not None else 0.0
    if finding is not None and finding_p >= WEAK_FINDING_SHARE * top_p:
        # A suggestive word ("my chest...", "it is hot") that the phrases also point to, first or a close second:
        # never drop it, but let the dialog say the advice conditionally and confirm.
        return Match(finding.intent, round(min(finding_p, CONFIRMED_ESCALATION - 0.05), 3), joined)
    # Otherwise escalations come only from the safety rules: rank the other intents among themselves.
    for label in ESCALATING:
        scores.pop(label, None)
    best_label, best_p = _softmax_top(scores)[0]
    content = [w.removeprefix("not_") for w in marked if w.removeprefix("not_") not in STOPWORDS]
    supported = model.log_prob[best_label]
    known = [w for w in content if w in supported or f"not_{w}" in supported]
    # Out-of-scope text often wins on common words alone; demand one word or pair typical of the intent.
    evidence = max((supported.get(f, model.log_unseen[best_label]) for f in feats if _contentful(f)),
                   default=-99.0)
    if best_label != "none" and evidence < math.log(MIN_EVIDENCE):
        return NoMatch(round(1.0 - best_p * math.exp(evidence), 3), joined, "no typical word")
    coverage = len(known) / len(content) if content else 0.5
    confidence = best_p * (1 - COVERAGE_WEIGHT + COVERAGE_WEIGHT * coverage)
    return _result(best_label, confidence, joined)


def _result(label: str, confidence: float, text: str) -> Match | NoMatch:
    confidence = round(min(1.0, max(0.0, confidence)), 3)
    if label == "none":
        return NoMatch(confidence, text, "out of scope")
    if confidence < CONFIDENCE_CUTOFF:
        return NoMatch(round(1.0 - confidence, 3), text, "low confidence")
    return Match(label, confidence, text)
