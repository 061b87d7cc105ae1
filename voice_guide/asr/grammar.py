"""Recognition grammars built from the intent phrases: word graph, JSGF, FSG, Vosk list, vocabulary checks."""

from __future__ import annotations

import json
import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..intents import IntentSet
from ..normalize import FILLERS, SPELLINGS

log = logging.getLogger(__name__)

# Spoken forms for tokens a recognizer dictionary spells out (emergency numbers are the ones that matter).
# The grammar listens for the spoken words; recognizers map them back so the matcher sees "911" again.
SPOKEN_FORMS: dict[str, tuple[str, ...]] = {
    "911": ("nine", "one", "one"),
    "999": ("nine", "nine", "nine"),
    "112": ("one", "one", "two"),
    "111": ("one", "one", "one"),
    **{str(i): (w,) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )},
}

# Fillers a speaker may put around a command; normalize() deletes them, so the grammar must allow them.
# Only the common spoken ones: each one costs decoding time at every place it is allowed.
SPOKEN_FILLERS: tuple[str, ...] = tuple(sorted({"um", "uh", "please", "hey", "well"} & FILLERS))


# How people say what the intent files spell out: the files (and the matcher) hold one normalised form, "it is"
# and "yes", but speech says "it's" and "yeah". The grammar listens for both; normalize.SPELLINGS, which maps the
# spoken form back for the matcher, says what each one stands for. Only forms a pronouncing dictionary holds.
SPOKEN_CONTRACTIONS: tuple[str, ...] = (
    "it's", "i'm", "don't", "can't", "what's", "that's", "there's", "let's", "i've", "i'll", "won't", "she's",
    "he's", "you're", "we're",
)
"""No "isn't", "doesn't", "wasn't", "didn't", "haven't": each is its positive plus a consonant, so a negated warning
sign lay next to the sign itself ("my calf is swollen and hot" at 5 dB, an unseen voice -> "my calf isn't swollen",
an answer of no). The speaker's "isn't" still reaches "is not" or the positive: errors towards caution."""
SPOKEN_ANSWERS: tuple[str, ...] = ("yeah", "yep", "yup", "uh-huh", "nope", "nah")
"""Spoken stand-ins for a phrase's first word when it is "yes" or "no" ("yeah that's right", "nope")."""
CONTRACTED: dict[tuple[str, ...], str] = {tuple(SPELLINGS[w].split()): w for w in SPOKEN_CONTRACTIONS}
ANSWER_FORMS: dict[str, tuple[str, ...]] = {
    answer: tuple(w for w in SPOKEN_ANSWERS if SPELLINGS[w] == answer) for answer in ("yes", "no")
}
VARIANT_WORDS: frozenset[str] = frozenset(SPOKEN_CONTRACTIONS + SPOKEN_ANSWERS)
MAX_CONTRACTIONS = 3
"""A phrase with more contractible pairs gets only its fully contracted form (2^n variants would bloat the graph)."""


def spoken_variants(phrase: str) -> list[str]:
    """Other ways to say a normalised phrase (not including it): contracted, and with "yeah" / "nope" first.

    "it is easing" -> "it's easing"; "yes it is" -> "yeah it is", "yeah it's", ...
    """
    words = phrase.split()
    spans = [i for i, pair in enumerate(zip(words, words[1:], strict=False)) if pair in CONTRACTED]
    if not spans and (not words or words[0] not in ANSWER_FORMS):
        return []  # most phrases: nothing to vary
    spans = [i for n, i in enumerate(spans) if n == 0 or i > spans[n - 1] + 1]  # "i am not": one pair, not two
    if len(spans) > MAX_CONTRACTIONS:
        choices = [(), tuple(spans)]
    else:
        choices = [tuple(i for bit, i in enumerate(spans) if mask >> bit & 1) for mask in range(1 << len(spans))]
    out: list[str] = []
    for chosen in choices:
        contracted: list[str] = []
        i = 0
        while i < len(words):
            if i in chosen:
                contracted.append(CONTRACTED[(words[i], words[i + 1])])
                i += 2
            else:
                contracted.append(words[i])
                i += 1
        out.append(" ".join(contracted))
        for form in ANSWER_FORMS.get(contracted[0], ()):
            out.append(" ".join([form, *contracted[1:]]))
    return [v for v in dict.fromkeys(out) if v != phrase]


def canonical(words: Iterable[str]) -> list[str]:
    """Undo spoken_variants: the normalised words of a phrase heard in a spoken form."""
    return [part for word in words for part in (SPELLINGS[word].split() if word in VARIANT_WORDS else (word,))]


TYPED_ONLY: frozenset[str] = frozenset({"brb", "cya", "nxt", "prev", "sloww", "owww"})
"""Spellings in the intent files for typed chat ("nxt", "brb"): no speech dictionary has them, and no one says them,
so their absence is not worth a warning at every start."""


@dataclass
class WordGraph:
    """A minimal acyclic word automaton accepting exactly the given phrases.

    Built as a trie, then minimised by merging states with identical futures, which shrinks the
    ~19k expanded intent phrases (31k trie nodes) to a graph the decoder can search quickly.
    """

    arcs: list[dict[str, int]]
    """State -> {word: next state}. State 0 is the start."""
    final: set[int]
    """States where a phrase may end."""

    @classmethod
    def from_phrases(cls, phrases: Iterable[str]) -> WordGraph:
        """Build the minimal graph for a set of space-separated phrases (empty ones ignored)."""
        trie: list[dict[str, int]] = [{}]
        trie_final: set[int] = set()
        for phrase in phrases:
            words = phrase.split()
            if not words:
                continue
            node = 0
            for word in words:
                nxt = trie[node].get(word)
                if nxt is None:
                    nxt = len(trie)
                    trie.append({})
                    trie[node][word] = nxt
                node = nxt
            trie_final.add(node)
        # Children before parents (trie node ids grow with depth along each path), so one reverse pass works.
        canonical: dict[int, int] = {}
        registry: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
        arcs: list[dict[str, int]] = []
        final: set[int] = set()
        for node in range(len(trie) - 1, -1, -1):
            key = (node in trie_final, tuple(sorted((w, canonical[c]) for w, c in trie[node].items())))
            state = registry.get(key)
            if state is None:
                state = len(arcs)
                registry[key] = state
                arcs.append(dict(key[1]))
                if key[0]:
                    final.add(state)
            canonical[node] = state
        # Renumber so the start state is 0 (it was registered last).
        start = canonical[0]
        order = [start] + [s for s in range(len(arcs)) if s != start]
        new_id = {old: new for new, old in enumerate(order)}
        return cls(
            arcs=[{w: new_id[t] for w, t in arcs[old].items()} for old in order],
            final={new_id[s] for s in final},
        )

    def with_optional_prefix(self, words: list[str]) -> WordGraph:
        """The same phrases, each also accepted after ``words`` (a wake phrase), and ``words`` alone.

        Done by adding a few states rather than by prefixing every phrase: that doubled the phrases and
        cost about 18 MB of peak memory while building the graph.
        """
        if not words or words[0] in self.arcs[0]:
            return self
        arcs = [dict(a) for a in self.arcs]
        final = set(self.final)
        prev = 0
        for word in words:
            arcs.append({})
            arcs[prev][word] = len(arcs) - 1
            prev = len(arcs) - 1
        arcs[prev].update(self.arcs[0])
        final.add(prev)
        return WordGraph(arcs=arcs, final=final)

    @property
    def n_states(self) -> int:
        """Number of states."""
        return len(self.arcs)

    @property
    def n_arcs(self) -> int:
        """Number of word arcs."""
        return sum(len(a) for a in self.arcs)

    def words(self) -> set[str]:
        """Every word on some arc."""
        return {w for a in self.arcs for w in a}

    def accepts(self, phrase: str) -> bool:
        """Whether phrase is one of the graph's phrases."""
        state = 0
        for word in phrase.split():
            nxt = self.arcs[state].get(word)
            if nxt is None:
                return False
            state = nxt
        return state in self.final

    def phrases(self, limit: int = 1_000_000) -> list[str]:
        """Enumerate accepted phrases (for tests and inspection)."""
        out: list[str] = []
        stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
        while stack and len(out) < limit:
            state, prefix = stack.pop()
            if state in self.final:
                out.append(" ".join(prefix))
            for word, nxt in self.arcs[state].items():
                stack.append((nxt, prefix + (word,)))
        return out


@dataclass(frozen=True)
class VocabularyReport:
    """Which grammar words a recognizer's dictionary knows, which were respelled, and which are missing."""

    known: frozenset[str]
    respelled: Mapping[str, tuple[str, ...]]
    """Word -> the spoken words that stand in for it (all known)."""
    missing: frozenset[str]
    dropped_phrases: int = 0

    def spoken(self, phrase: str) -> str:
        """The phrase as the recognizer hears it: respellable tokens replaced by their spoken forms."""
        return " ".join(" ".join(self.respelled.get(w, (w,))) for w in phrase.split())

    def describe(self, model: str) -> str | None:
        """One warning line for a user, or None when nothing that is ever spoken is missing."""
        if not self.missing - TYPED_ONLY:
            return None
        words = ", ".join(sorted(self.missing))
        return (
            f"{model} does not know {len(self.missing)} command word(s): {words}; "
            f"{self.dropped_phrases} phrase(s) using them cannot be recognized"
        )


def check_vocabulary(
    words: Iterable[str], is_known: Callable[[str], bool], spoken_forms: Mapping[str, tuple[str, ...]] = SPOKEN_FORMS
) -> VocabularyReport:
    """Split words into known / respelled (via spoken_forms, if all of those are known) / missing."""
    known: set[str] = set()
    respelled: dict[str, tuple[str, ...]] = {}
    missing: set[str] = set()
    for word in sorted(set(words)):
        if is_known(word):
            known.add(word)
        elif word in spoken_forms and all(is_known(w) for w in spoken_forms[word]):
            respelled[word] = spoken_forms[word]
        else:
            missing.add(word)
    return VocabularyReport(frozenset(known), respelled, frozenset(missing))


@dataclass(frozen=True)
class GrammarPhrases:
    """The phrases a recognizer will listen for, after applying a vocabulary report."""

    phrases: tuple[str, ...]
    """Spoken phrases (respelled words replaced by their spoken forms)."""
    report: VocabularyReport
    back_map: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    """Multi-word spoken sequence -> the original token, longest first, to undo respelling in results."""

    def restore(self, text: str) -> str:
        """Undo respelling in a recognizer result ("nine one one" -> "911")."""
        words = text.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            for spoken, original in self.back_map.items():
                if tuple(words[i : i + len(spoken)]) == spoken:
                    out.append(original)
                    i += len(spoken)
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)


def prepare_phrases(
    intents: IntentSet, is_known: Callable[[str], bool], model: str = "the speech model"
) -> GrammarPhrases:
    """Apply the dictionary to every intent phrase: respell what can be, drop (and warn about) the rest."""
    all_phrases = sorted({p for _, ps in intents.phrases.items() for p in ps})
    report = check_vocabulary({w for p in all_phrases for w in p.split()}, is_known)
    kept: list[str] = []
    dropped = 0
    usable = report.known | report.respelled.keys() | {w for w in VARIANT_WORDS if is_known(w)}
    for phrase in all_phrases:
        words = phrase.split()
        if any(w in report.missing for w in words):
            dropped += 1
            continue
        kept.append(report.spoken(phrase))
        # A spoken variant needs every word known, and adds none to the missing ones: it is only an extra way in.
        kept += [report.spoken(v) for v in spoken_variants(phrase) if all(w in usable for w in v.split())]
    report = VocabularyReport(report.known, report.respelled, report.missing, dropped)
    warning = report.describe(model)
    if warning:
        log.warning("%s", warning)
    # Only multi-word forms, longest first: "nine one one" is "911", and a lone "one" stays a word (the matcher
    # reads number words); digit by digit, "dial one one two" came back as "dial 1 1 2", a pain score.
    multi_word = sorted((item for item in report.respelled.items() if len(item[1]) > 1), key=lambda i: -len(i[1]))
    back_map = {spoken: word for word, spoken in multi_word}
    return GrammarPhrases(tuple(dict.fromkeys(kept)), report, back_map)


# ---------------------------------------------------------------- PocketSphinx: JSGF and FSG


_JSGF_WORD = re.compile(r"^[a-z0-9][a-z0-9_'-]*$")


def to_jsgf(graph: WordGraph, name: str = "voice_guide", fillers: Iterable[str] = SPOKEN_FILLERS) -> str:
    """The graph as a JSGF grammar: one rule per shared state, the rest inlined.

    Optional fillers may open and close an utterance ("um my leg is cramping please").
    """
    incoming: dict[int, int] = defaultdict(int)
    for arcs in graph.arcs:
        for target in arcs.values():
            incoming[target] += 1
    shared = {s for s, n in incoming.items() if n > 1 and graph.arcs[s]}  # leaves are inlined as words

    def expansion(state: int) -> str:
        options: list[str] = []
        for word, target in sorted(graph.arcs[state].items()):
            if not _JSGF_WORD.match(word):
                raise ValueError(f"word {word!r} cannot appear in a JSGF grammar")
            if not graph.arcs[target]:
                options.append(word)
            elif target in shared:
                options.append(f"{word} <s{target}>")
            else:
                options.append(f"{word} {expansion(target)}")
        body = " | ".join(options)
        if state in graph.final:
            return f"[ {body} ]"  # a phrase may end here or go on
        return f"( {body} )" if len(options) > 1 else body

    filler_rule = " | ".join(sorted(fillers))
    lines = [
        "#JSGF V1.0;",
        f"grammar {name};",
        f"<filler> = {filler_rule};" if filler_rule else "<filler> = <NULL>;",
        f"public <command> = [ <filler> ] {expansion(0)} [ <filler> ];",
    ]
    lines += [f"<s{state}> = {expansion(state)};" for state in sorted(shared)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Fsg:
    """A PocketSphinx finite-state grammar: numbered states, (from, to, prob, word|None) transitions."""

    n_states: int
    start: int
    final: int
    transitions: tuple[tuple[int, int, float, str | None], ...]

    def to_text(self, name: str = "voice_guide") -> str:
        """The grammar in PocketSphinx's FSG text format (for ``fsg=`` files and inspection)."""
        lines = [f"FSG_BEGIN {name}", f"NUM_STATES {self.n_states}", f"START_STATE {self.start}",
                 f"FINAL_STATE {self.final}"]
        for src, dst, prob, word in self.transitions:
            lines.append(f"TRANSITION {src} {dst} {prob:.6g}" + (f" {word}" if word else ""))
        lines.append("FSG_END")
        return "\n".join(lines) + "\n"


FRAME_SHARE = 0.05
"""Probability of entering a polite opening (or closing) in to_fsg, shared by all of them."""


def to_fsg(
    graph: WordGraph,
    fillers: Iterable[str] = SPOKEN_FILLERS,
    garbage: Iterable[str] = (),
    garbage_prob: float = 0.0,
    frames: tuple[Iterable[tuple[str, ...]], Iterable[tuple[str, ...]]] = ((), ()),
) -> Fsg:
    """The graph as an FSG, with optional fillers before and after, and an optional garbage branch.

    ``frames`` are polite openings and closings ("could you", "thank you") that may wrap any command: the text
    matcher strips them (normalize.POLITE_HEADS), so the phrase files hold the bare command, and without them
    here "could you repeat that" had no path through the grammar. They are word chains of their own, entered
    from the entry state and left into the command, so no command needs repeating after them.

    A garbage branch (a loop over ``garbage`` words, entered with ``garbage_prob``) gives out-of-grammar
    speech somewhere to go other than the nearest command; recognizers report a path through it as
    "not understood". Probabilities out of each state are uniform over its arcs (plus ending).
    """
    fillers = sorted(set(fillers))
    garbage = sorted(set(garbage))
    # States: 0 = entry, 1 = exit, then the graph's states shifted by 2, then the garbage loop state.
    entry, exit_, offset = 0, 1, 2
    gstate = graph.n_states + offset
    n_states = gstate + (1 if garbage else 0)
    trans: list[tuple[int, int, float, str | None]] = []
    heads, tails = (sorted(set(chains)) for chains in frames)
    for chains, source, target in ((heads, entry, offset), (tails, exit_, exit_)):
        for chain in chains:
            state, prob = source, FRAME_SHARE / len(chains)
            for word in chain[:-1]:
                trans.append((state, n_states, prob, word))
                state, prob, n_states = n_states, 1.0, n_states + 1
            trans.append((state, target, prob, chain[-1]))
    start = offset
    cmd_prob = 1.0 - garbage_prob if garbage else 1.0
    # Entry: optionally one filler, then the command (or the garbage loop).
    n_lead = len(fillers)
    lead_share = 0.1 if fillers else 0.0
    for f in fillers:
        trans.append((entry, entry, cmd_prob * lead_share / n_lead, f))
    trans.append((entry, start, cmd_prob * (1.0 - lead_share), None))
    if garbage:
        trans.append((entry, gstate, garbage_prob, None))
        for g in garbage:
            trans.append((gstate, gstate, 0.9 / len(garbage), g))
        trans.append((gstate, exit_, 0.1, None))
    for state, arcs in enumerate(graph.arcs):
        n_out = len(arcs) + (1 if state in graph.final else 0)
        for word, target in arcs.items():
            trans.append((state + offset, target + offset, 1.0 / n_out, word))
        if state in graph.final:
            trans.append((state + offset, exit_, 1.0 / n_out, None))
    for f in fillers:
        # Trailing fillers ("... please") loop on the exit state; the final state needs no arc out.
        trans.append((exit_, exit_, 0.1 / len(fillers), f))
    return Fsg(n_states=n_states, start=entry, final=exit_, transitions=tuple(trans))


# ---------------------------------------------------------------- Vosk


def to_vosk_grammar(phrases: Iterable[str], unk: bool = True) -> str:
    """A Vosk grammar: a JSON list of the phrases, plus "[unk]" so unknown speech need not match a phrase."""
    items = sorted(set(phrases))
    if unk:
        items.append("[unk]")
    return json.dumps(items, ensure_ascii=False)


def read_vosk_words(model_dir: Path) -> set[str] | None:
    """The words in a Vosk model's ``graph/words.txt`` (or old-layout ``words.txt``); None if it has none.

    Lookahead models (HCLr.fst + Gr.fst) keep their word list inside Gr.fst instead; for those, ask the
    loaded model (``vosk_model_find_word``) as vosk_backend does.
    """
    for candidate in (model_dir / "graph" / "words.txt", model_dir / "words.txt"):
        if candidate.is_file():
            with candidate.open(encoding="utf-8", errors="replace") as fh:
                return {line.split(maxsplit=1)[0] for line in fh if line.strip()}
    return None


def cmudict_headword(line: str) -> str | None:
    """The word a CMUdict-format line pronounces ("word(2)" folded into "word"); None for blanks and comments."""
    if not line.strip() or line.startswith(";;;"):
        return None
    return line.split(maxsplit=1)[0].split("(", 1)[0].lower()


def read_cmudict_words(dict_path: Path) -> set[str]:
    """Headwords of a CMUdict-format pronunciation dictionary ("word(2)" variants folded in)."""
    with dict_path.open(encoding="utf-8", errors="replace") as fh:
        return {word for word in map(cmudict_headword, fh) if word is not None}


def copy_cmudict_entries(words: set[str], source: Path, target: Path) -> set[str]:
    """Write the entries of ``words`` (alternate pronunciations included) from a CMUdict file; return those found."""
    found: set[str] = set()
    with source.open(encoding="utf-8", errors="replace") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            word = cmudict_headword(line)
            if word in words:
                out.write(line)
                found.add(word)
    return found


# ---------------------------------------------------------------- N-gram language model (the measured alternative)


def to_arpa(phrases: Iterable[str], order: int = 3, discount: float = 0.5) -> str:
    """A back-off n-gram LM of the phrases in ARPA format (absolute discounting, Katz-style back-off).

    Kept for comparison with the grammar (scripts/bench_asr.py --search lm): it lets the decoder produce
    word sequences outside the phrase list, which measurement showed costs accuracy here.
    """
    counts: list[dict[tuple[str, ...], float]] = [defaultdict(float) for _ in range(order + 1)]
    for phrase in phrases:
        words = ["<s>", *phrase.split(), "</s>"]
        for n in range(1, order + 1):
            for i in range(len(words) - n + 1):
                counts[n][tuple(words[i : i + n])] += 1.0
    total = sum(c for g, c in counts[1].items() if g != ("<s>",))
    logp: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    bow: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    prob1 = {g: c / total for g, c in counts[1].items() if g != ("<s>",)}
    for g, p in prob1.items():
        logp[1][g] = math.log10(p)
    logp[1][("<s>",)] = -99.0  # a sentence never predicts its own start
    prob_of: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    prob_of[1] = dict(prob1)
    for n in range(2, order + 1):
        context_total: dict[tuple[str, ...], float] = defaultdict(float)
        followers: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for g, c in counts[n].items():
            context_total[g[:-1]] += c
            followers[g[:-1]].append(g)
        for ctx, grams in followers.items():
            seen_mass = 0.0
            lower_mass = 0.0
            for g in grams:
                p = (counts[n][g] - discount) / context_total[ctx]
                prob_of[n][g] = p
                seen_mass += p
                lower_mass += _backed_off(prob_of, bow, g[1:])
            left = 1.0 - seen_mass
            bow[n - 1][ctx] = math.log10(left / max(1e-12, 1.0 - lower_mass)) if left > 0 else -99.0
        for g, p in prob_of[n].items():
            logp[n][g] = math.log10(p)
    lines = ["\\data\\"] + [f"ngram {n}={len(logp[n])}" for n in range(1, order + 1)] + [""]
    for n in range(1, order + 1):
        lines.append(f"\\{n}-grams:")
        for g in sorted(logp[n]):
            b = bow[n].get(g)
            lines.append(f"{logp[n][g]:.6f} {' '.join(g)}" + (f" {b:.6f}" if b is not None and n < order else ""))
        lines.append("")
    lines.append("\\end\\")
    return "\n".join(lines) + "\n"


def _backed_off(
    prob_of: list[dict[tuple[str, ...], float]], bow: list[dict[tuple[str, ...], float]], gram: tuple[str, ...]
) -> float:
    """P(gram[-1] | gram[:-1]) under the lower-order model, following back-off weights."""
    n = len(gram)
    if gram in prob_of[n]:
        return prob_of[n][gram]
    if n == 1:
        return 0.0
    weight = 10 ** bow[n - 1].get(gram[:-1], 0.0)
    return weight * _backed_off(prob_of, bow, gram[1:])
