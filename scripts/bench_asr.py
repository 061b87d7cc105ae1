"""Real-time factor of a recognizer on synthesized commands: median over repeated runs, as a table.

    .venv/bin/python scripts/bench_asr.py [--backend pocketsphinx|vosk] [--vosk-model DIR] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.speech_fixtures import VOICES, speech  # noqa: E402
from voice_guide.asr.base import detect_backend, load_recognizer  # noqa: E402
from voice_guide.recognize_files import recognize_samples  # noqa: E402

UTTERANCES = ["stop", "my calf is cramping", "is this serious", "how do i get rid of my cramp",
              "can you walk me through the bedtime stretch"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="pocketsphinx")
    parser.add_argument("--vosk-model", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    choice = detect_backend(args.backend, args.vosk_model)
    start = time.perf_counter()
    rec = load_recognizer(choice)
    print(f"backend {choice.name}: loaded in {time.perf_counter() - start:.2f} s")
    print(f"{'utterance':46} {'audio s':>7} {'median RTF':>10} {'max RTF':>8}  result")
    for text in UTTERANCES:
        samples = speech(text, VOICES[0])
        seconds = samples.size / 16000
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = recognize_samples(samples, rec)
            times.append(time.perf_counter() - t0)
        rtf = [t / seconds for t in times]
        print(f"{text:46} {seconds:7.2f} {statistics.median(rtf):10.3f} {max(rtf):8.3f}  {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
