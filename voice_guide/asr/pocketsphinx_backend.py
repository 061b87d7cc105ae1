"""PocketSphinx 5 recognizer: the wheel's US English model searching a grammar built from the intent phrases.

Search: a finite-state grammar (the minimal word graph of all intent phrases) rather than an n-gram LM or
a JSGF file. Measured on 72 espeak-ng commands (4 voices/rates/volumes, 0.5 s padding): grammar 53/72
exact, 64/72 right intent, WER 0.12, real-time factor 0.11; domain trigram LM 40/72, 50/72, WER 0.18;
the same grammar as JSGF 56/72, 64/72 but RTF 1.15 and 8 s to load (PocketSphinx inlines JSGF rules);
the wheel's general LM 14/72. Details: scripts/bench_asr.py.

Fillers: PocketSphinx's automatic filler insertion (``fsgusefiller``) let silence swallow whole words of
synthetic speech (exact 36/72), so it is off and silence is allowed only at the ends of the grammar.

Rejection: the grammar may start with one filler word and end with any number ("um ... please"). Speech
that is not a command has nowhere else to go, so it is decoded as a short command plus a long run of
fillers; when fillers take more than REJECT_FILLER_SHARE of the speech time the utterance is
NotUnderstood. Measured (72 commands / 20 other sentences): clean 5 false rejections, 16/20 rejected
(+1 decoded as a "none" phrase); 10 dB SNR 13 / 18 of 20; 5 dB SNR 26 / 20 of 20.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pocketsphinx

from ..audio import rms_dbfs
from ..errors import UserError
from ..intents import IntentSet
from .base import Final, NoSpeech, NotUnderstood, Partial
from .grammar import SPOKEN_FILLERS, GrammarPhrases, WordGraph, prepare_phrases, to_fsg

log = logging.getLogger(__name__)

REJECT_FILLER_SHARE = 0.35
"""Above this share of speech frames decoded as fillers, the utterance is not a command (see above)."""
SILENCE_LOOP_PROB = 0.5
SPEECH_MIN_FRAMES = 10
"""20 ms frames above the speech level needed before an utterance counts as containing speech."""
SPEECH_FLOOR_DBFS = -45.0
DITHER = 8.0
"""Std. dev. (in 16-bit steps) of the noise added before decoding: digital silence (a virtual device, a
synthesized file) breaks PocketSphinx's noise and cepstral-mean estimation; measured 1/6 -> 4/6 right intents."""
PARTIAL_EVERY = 800
"""Samples between partial hypotheses: hyp() costs a search traceback, 20 ms chunks made it dominate."""
_NON_WORDS = {"<s>", "</s>", "<sil>", "[NOISE]", "+NSN+", "+SPN+"}


def _base_word(word: str) -> str:
    """PocketSphinx marks alternate pronunciations as ``word(2)``."""
    return word.split("(", 1)[0]


class PocketSphinxRecognizer:
    """Streaming grammar recognizer; one utterance at a time."""

    name = "pocketsphinx"

    def __init__(self, intents: IntentSet, model_dir: Path | None = None, wake_phrase: str = "") -> None:
        config: dict[str, Any] = {"lm": None, "fsgusefiller": False, "loglevel": "ERROR"}
        if model_dir is not None:  # an alternative acoustic model directory (hmm); default is the wheel's
            config["hmm"] = str(model_dir)
        try:
            self._decoder = pocketsphinx.Decoder(**config)
        except (RuntimeError, ValueError) as exc:
            raise UserError(f"PocketSphinx could not load its model ({exc}); reinstall pocketsphinx") from None
        self.grammar: GrammarPhrases = prepare_phrases(
            intents, lambda w: self._decoder.lookup_word(w) is not None, "PocketSphinx's dictionary"
        )
        if not self.grammar.phrases:
            raise UserError("PocketSphinx knows none of the command words; check the intent files")
        wake = [w for w in wake_phrase.lower().split() if self._decoder.lookup_word(w) is not None]
        self.graph = WordGraph.from_phrases(self.grammar.phrases).with_optional_prefix(wake)
        fsg = to_fsg(self.graph)
        transitions: list[tuple[Any, ...]] = [t if t[3] else t[:3] for t in fsg.transitions]
        # Leading/trailing silence, and only there (see the module docstring).
        transitions += [(s, s, SILENCE_LOOP_PROB, "<sil>") for s in (fsg.start, fsg.final)]
        model = self._decoder.create_fsg("commands", fsg.start, fsg.final, transitions)
        self._decoder.add_fsg("commands", model)
        self._decoder.activate_search("commands")
        self._fillers = set(SPOKEN_FILLERS)
        self._rng = np.random.default_rng(0)  # fixed seed: the same audio always decodes the same way
        self._since_partial = 0
        self._started = False
        self._last_partial = ""
        self._levels: list[float] = []

    def _start(self) -> None:
        if not self._started:
            self._decoder.start_utt()
            self._started = True
            self._last_partial = ""
            self._levels = []
            self._since_partial = 0
            self._rng = np.random.default_rng(0)

    def _clean(self, raw: str) -> str:
        words = [_base_word(w) for w in raw.split()]
        return self.grammar.restore(" ".join(w for w in words if w not in self._fillers and w not in _NON_WORDS))

    def accept(self, pcm: bytes) -> list[Partial | Final]:
        """Decode a chunk; returns a Partial when the best hypothesis changed."""
        if not pcm:
            return []
        self._start()
        samples = np.frombuffer(pcm, dtype="<i2")
        self._levels += [rms_dbfs(samples[i : i + 320]) for i in range(0, samples.size, 320)]
        noisy = samples.astype(np.float32) + self._rng.normal(0.0, DITHER, samples.size).astype(np.float32)
        self._decoder.process_raw(np.clip(noisy, -32768, 32767).astype("<i2").tobytes())
        self._since_partial += samples.size
        if self._since_partial < PARTIAL_EVERY:
            return []
        self._since_partial = 0
        hyp = self._decoder.hyp()
        text = self._clean(hyp.hypstr) if hyp is not None else ""
        if text and text != self._last_partial:
            self._last_partial = text
            return [Partial(text)]
        return []

    def _has_speech(self) -> bool:
        """Enough 20 ms frames clearly above both an absolute floor and the recording's own noise floor."""
        if not self._levels:
            return False
        levels = np.array(self._levels)
        finite = levels[np.isfinite(levels)]
        if finite.size == 0:
            return False
        threshold = max(SPEECH_FLOOR_DBFS, float(np.percentile(finite, 10)) + 6.0)
        return int(np.sum(finite > threshold)) >= SPEECH_MIN_FRAMES

    def finish(self) -> Final | NoSpeech | NotUnderstood:
        """End the utterance: Final, NotUnderstood (off-grammar) or NoSpeech."""
        if not self._started:
            return NoSpeech()
        self._decoder.end_utt()
        self._started = False
        has_speech = self._has_speech()
        hyp = self._decoder.hyp()
        if hyp is None:  # no path reached the end of the grammar
            return NotUnderstood(self._last_partial) if has_speech else NoSpeech()
        words = [
            (_base_word(s.word), s.end_frame - s.start_frame + 1)
            for s in self._decoder.seg()
            if _base_word(s.word) not in _NON_WORDS
        ]
        speech = sum(n for _, n in words)
        text = self._clean(hyp.hypstr)
        if not has_speech or speech == 0 or not text:
            return NoSpeech() if not has_speech else NotUnderstood(text)
        filler_share = sum(n for w, n in words if w in self._fillers) / speech
        if filler_share > REJECT_FILLER_SHARE:
            return NotUnderstood(text)
        # Confidence: the share of speech time explained by command words (fillers are the garbage path).
        return Final(text, round(1.0 - filler_share, 3))

    def reset(self) -> None:
        """Abandon the current utterance."""
        if self._started:
            self._decoder.end_utt()
            self._started = False
        self._last_partial = ""
        self._levels = []


def create(intents: IntentSet, model_path: Path | None, wake_phrase: str = "") -> PocketSphinxRecognizer:
    """Backend entry point used by ``asr.load_recognizer``."""
    return PocketSphinxRecognizer(intents, model_path, wake_phrase)
