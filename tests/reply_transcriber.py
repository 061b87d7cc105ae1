"""Transcribe the assistant's recorded speech with PocketSphinx over a grammar of everything it can say."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np

from voice_guide.asr.grammar import WordGraph, to_fsg
from voice_guide.content import default_guidance
from voice_guide.endpoint import EndpointConfig, Endpointer


def _sentences() -> list[str]:
    g = default_guidance()
    texts = [s for st in (*g.relief_steps, *g.stretch_steps) for s in st.say]
    texts += [st.check_in for st in (*g.relief_steps, *g.stretch_steps) if st.check_in]
    texts += [q.ask for q in g.questions] + [t for p in g.prompts.values() for t in p.text]
    # Spoken as written (fillers such as "please" included); sentences split where the voice pauses.
    parts = [p for t in texts for p in re.split(r"[.?!,]", t)]
    out = {" ".join(re.sub(r"[^\w\s']", " ", p).replace("'", " '").replace(" '", "'").lower().split()) for p in parts}
    return sorted(s for s in out if s)


@lru_cache(maxsize=1)
def _decoder() -> Any:
    import pocketsphinx

    d = pocketsphinx.Decoder(lm=None, loglevel="ERROR", fsgusefiller=False)
    known = [s for s in _sentences() if all(d.lookup_word(w) is not None for w in s.split())]
    fsg = to_fsg(WordGraph.from_phrases(known), fillers=())
    transitions: list[tuple[Any, ...]] = [t if t[3] else t[:3] for t in fsg.transitions]
    transitions += [(s, s, 0.5, "<sil>") for s in (fsg.start, fsg.final)]
    d.add_fsg("replies", d.create_fsg("replies", fsg.start, fsg.final, transitions))
    d.activate_search("replies")
    return d


def transcribe_reply(samples: np.ndarray) -> str:
    """The words heard in a 16 kHz recording of the assistant, phrase by phrase."""
    d = _decoder()
    # Short end silence: each spoken phrase (the voice pauses at commas and full stops) is its own segment.
    ep, words = Endpointer(EndpointConfig(end_ms=120, calibrate_ms=0)), []
    rng = np.random.default_rng(0)
    for i in range(0, samples.size, 320):
        _, utt = ep.accept(samples[i:i + 320])
        if utt is None:
            continue
        seg = samples[utt.start_sample:utt.end_sample].astype(np.float64)
        seg = np.clip(seg + rng.normal(0, 8, seg.size), -32768, 32767).astype(np.int16)
        d.start_utt()
        d.process_raw(seg.tobytes(), full_utt=True)
        d.end_utt()
        if d.hyp() is not None and d.hyp().hypstr:
            words.append(d.hyp().hypstr)
    return " ".join(words)
