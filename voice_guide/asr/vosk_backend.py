"""Vosk (Kaldi) recognizer: a local model directory, restricted to the intent phrases by a runtime grammar."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import vosk

from ..errors import UserError
from ..intents import IntentSet
from .base import Final, NoSpeech, NotUnderstood, Partial, is_vosk_model
from .grammar import GrammarPhrases, prepare_phrases, to_vosk_grammar

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
MIN_CONFIDENCE = 0.5
"""Below this mean word confidence a grammar match is reported as NotUnderstood."""
MIN_KNOWN_SHARE = 0.5
"""A model knowing fewer of the command words than this is the wrong language: refuse it."""
UNK = "[unk]"


class VoskRecognizer:
    """Streaming grammar recognizer over a Vosk model; one utterance at a time."""

    name = "vosk"

    def __init__(self, intents: IntentSet, model_path: Path) -> None:
        if not is_vosk_model(model_path):
            raise UserError(f"{model_path} is not a Vosk model directory (expected am/final.mdl inside)")
        vosk.SetLogLevel(-1)  # Kaldi's start-up log goes to stderr; our own messages say what matters
        try:
            # Only ever from a path: Model(lang=...) would try to download.
            self.model = vosk.Model(model_path=str(model_path))
        except Exception as exc:  # vosk raises a bare Exception when Kaldi fails to load the model
            raise UserError(f"cannot load Vosk model {model_path} ({exc}); is it complete?") from None
        self.model_path = model_path
        # Lookahead models keep their word list inside Gr.fst, so ask the loaded model, not words.txt.
        self.grammar: GrammarPhrases = prepare_phrases(
            intents, lambda w: self.model.vosk_model_find_word(w) != -1, f"Vosk model {model_path}"
        )
        report = self.grammar.report
        total = len(report.known) + len(report.respelled) + len(report.missing)
        if not self.grammar.phrases or (len(report.known) + len(report.respelled)) < MIN_KNOWN_SHARE * total:
            raise UserError(
                f"Vosk model {model_path} knows only {len(report.known)} of {total} command words; "
                "it is probably not an English model - pass --vosk-model with an English one"
            )
        # "[unk]" lets off-grammar speech decode as unknown; some models (e.g. the small Korean one) lack it.
        self.grammar_json = to_vosk_grammar(self.grammar.phrases, unk=self.model.vosk_model_find_word(UNK) != -1)
        self._rec = self._new_recognizer()
        self._last_partial = ""
        self._heard_audio = False

    def _new_recognizer(self) -> Any:
        rec = vosk.KaldiRecognizer(self.model, SAMPLE_RATE, self.grammar_json)
        rec.SetWords(True)  # per-word confidences for Final.confidence
        return rec

    def _outcome(self, result_json: str) -> Final | NoSpeech | NotUnderstood:
        result = json.loads(result_json)
        words = result.get("result") or []
        text = (result.get("text") or "").strip()
        spoken = [w for w in words if w.get("word") != UNK]
        clean = self.grammar.restore(" ".join(w["word"] for w in spoken))
        if not text:
            return NoSpeech()
        if UNK in text.split() or not spoken:
            return NotUnderstood(clean)
        confidence = sum(float(w.get("conf", 0.0)) for w in spoken) / len(spoken)
        if confidence < MIN_CONFIDENCE:
            return NotUnderstood(clean)
        return Final(clean, round(confidence, 3))

    def accept(self, pcm: bytes) -> list[Partial | Final]:
        """Feed audio; Vosk's own end-of-utterance detection may yield a Final mid-stream."""
        if not pcm:
            return []
        self._heard_audio = True
        if self._rec.AcceptWaveform(pcm):
            self._last_partial = ""
            outcome = self._outcome(self._rec.Result())
            # Only commands are events; silence or off-grammar stretches inside a stream are skipped.
            return [outcome] if isinstance(outcome, Final) else []
        partial = json.loads(self._rec.PartialResult()).get("partial", "")
        partial = self.grammar.restore(" ".join(w for w in partial.split() if w != UNK))
        if partial and partial != self._last_partial:
            self._last_partial = partial
            return [Partial(partial)]
        return []

    def finish(self) -> Final | NoSpeech | NotUnderstood:
        """Flush the utterance and return its outcome; resets for the next one."""
        if not self._heard_audio:
            return NoSpeech()
        outcome = self._outcome(self._rec.FinalResult())
        self.reset()
        return outcome

    def reset(self) -> None:
        """Forget the current utterance."""
        self._rec.Reset()
        self._last_partial = ""
        self._heard_audio = False


def create(intents: IntentSet, model_path: Path | None, wake_phrase: str = "") -> VoskRecognizer:
    """Backend entry point used by ``asr.load_recognizer``."""
    if model_path is None:
        raise UserError("the vosk backend needs a model directory (--vosk-model DIR)")
    wake = " ".join(wake_phrase.lower().split())
    if wake:
        # Vosk's grammar is a list of phrases: each command also with the wake phrase in front.
        phrases = {label: ps + tuple(f"{wake} {p}" for p in ps) for label, ps in intents.phrases.items()}
        phrases["none"] = phrases.get("none", ()) + (wake,)
        intents = IntentSet(phrases=phrases, templates=intents.templates)
    return VoskRecognizer(intents, model_path)
