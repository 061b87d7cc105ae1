"""Transcribe the assistant's recorded speech with PocketSphinx over a grammar of everything it can say."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from voice_guide.content import default_guidance
from voice_guide.endpoint import Endpointer


def _sentences() -> list[str]:
    g = default_guidance()
    texts = [s for st in (*g.relief_steps, *g.stretch_steps) for s in st.say]
    texts += [st.check_in for st in (*g.relief_steps, *g.stretch_steps) if st.check_in]
    texts += [q.ask for q in g.questions] + [t for p in g.prompts.values() for t in p.text]
    # Spoken as written (fillers such as "please" included): only case and punctuation go.
    out = {" ".join(re.sub(r"[^\w\s']", " ", t).lower().split()) for t in texts}
    return sorted(s for s in out if s)


@lru_cache(maxsize=1)
def _decoder():  # type: ignore[no-untyped-def]
    import pocketsphinx

    d = pocketsphinx.Decoder(lm=None, loglevel="ERROR")
    known = [s for s in _sentences() if all(d.lookup_word(w) is not None for w in s.split())]
    body = " | ".join(known)
    d.set_jsgf_string("replies", f"#JSGF V1.0;\ngrammar replies;\npublic <s> = ( {body} )+ ;\n")
    d.activate_search("replies")
    return d


def transcribe_reply(samples: np.ndarray) -> str:
    """The words heard in a 16 kHz recording of the assistant, utterance by utterance."""
    d = _decoder()
    ep, words = Endpointer(), []
    dither = np.random.default_rng(0)
    for i in range(0, samples.size, 320):
        _, utt = ep.accept(samples[i:i + 320])
        if utt is None:
            continue
        seg = samples[utt.start_sample:utt.end_sample].astype(np.float64)
        seg = np.clip(seg + dither.normal(0, 8, seg.size), -32768, 32767).astype(np.int16)
        d.start_utt()
        d.process_raw(seg.tobytes(), full_utt=True)
        d.end_utt()
        if d.hyp() is not None:
            words.append(d.hyp().hypstr)
    return " ".join(words)
