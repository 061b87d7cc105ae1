"""Write the open-vocabulary search's word list: the wheel dictionary's words most probable in its general LM.

    .venv/bin/python scripts/open_vocabulary_words.py [--top 20000]

The second pass (voice_guide/asr/pocketsphinx_backend.py, "Escalations the grammar lacks") decodes with the
pocketsphinx wheel's general trigram LM but only these words (plus every command word): the whole 134k-word
dictionary cost about 180 MB of memory and 3 s of start-up over two rooms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pocketsphinx

from voice_guide.asr.grammar import cmudict_headword
from voice_guide.asr.pocketsphinx_backend import OPEN_VOCABULARY_LM, OPEN_VOCABULARY_WORDS, WHEEL_DICT, wheel_file


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=20000, help="how many words to keep")
    ap.add_argument("--out", type=Path, default=OPEN_VOCABULARY_WORDS)
    args = ap.parse_args()
    lm = pocketsphinx.NGramModel(pocketsphinx.Config(), pocketsphinx.LogMath(), str(wheel_file(OPEN_VOCABULARY_LM)))
    with wheel_file(WHEEL_DICT).open(encoding="utf-8", errors="replace") as dictionary:
        words = sorted({w for w in map(cmudict_headword, dictionary) if w})
    unknown = lm.prob(["<unk>"])
    # Unigram log probabilities; words the LM lacks score as <unk> and are left out. Ties keep alphabetical order.
    scored = [(lm.prob([w]), w) for w in words if w.isascii()]
    ranked = [w for p, w in sorted(scored, key=lambda pw: -pw[0]) if p > unknown]
    args.out.write_text("\n".join(sorted(ranked[: args.top])) + "\n", encoding="utf-8")
    print(f"{min(args.top, len(ranked))} of {len(ranked)} LM words -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
