"""Report intent accuracy, escalation recall, false escalation and throughput on a held-out TSV set."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

from voice_guide.matcher import default_model, match
from voice_guide.normalize import normalize

ESCALATING = {"red_flag", "emergency"}


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        rows.append((label.strip(), text.strip()))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*", type=Path, default=[Path("tests/heldout/text_heldout.tsv")])
    ap.add_argument("--errors", action="store_true", help="list every misclassified utterance")
    ap.add_argument("--runs", type=int, default=7, help="throughput runs (median reported)")
    args = ap.parse_args()
    rows = [r for f in args.files for r in load(f)]
    model = default_model()
    correct = 0
    per_label: Counter[str] = Counter()
    per_label_ok: Counter[str] = Counter()
    false_esc = 0
    non_esc = 0
    errors = []
    for label, text in rows:
        got = match(text, model).intent
        per_label[label] += 1
        if got == label:
            correct += 1
            per_label_ok[label] += 1
        else:
            errors.append((label, got, text))
        if label not in ESCALATING:
            non_esc += 1
            if got in ESCALATING:
                false_esc += 1
    texts = [t for _, t in rows]
    rates = []
    for _ in range(args.runs):
        model._fixes.clear()  # no spelling-correction cache carried between runs: unseen words cost full price
        start = time.perf_counter()
        for t in texts:
            match(t, model)
        rates.append(len(texts) / (time.perf_counter() - start))
    # Baseline measured in the same run: one rapidfuzz WRatio extractOne over every expanded phrase.
    phrases = [p for p, _ in model.intents.all_phrases()]
    sample = texts[:: max(1, len(texts) // 100)]
    base_rates = []
    for _ in range(3):
        start = time.perf_counter()
        for t in sample:
            process.extractOne(normalize(t), phrases, scorer=fuzz.WRatio)
        base_rates.append(len(sample) / (time.perf_counter() - start))
    print(f"utterances: {len(rows)} from {', '.join(str(f) for f in args.files)}")
    print(f"intent accuracy: {100 * correct / len(rows):.1f} %")
    for lab in sorted(ESCALATING):
        if per_label[lab]:
            ok, n = per_label_ok[lab], per_label[lab]
            print(f"{lab} recall: {100 * ok / n:.1f} % ({ok}/{n})")
    print(f"false escalation: {100 * false_esc / max(1, non_esc):.2f} % ({false_esc}/{non_esc})")
    rate, base = statistics.median(rates), statistics.median(base_rates)
    print(f"throughput: {rate:,.0f} utterances/s (median of {args.runs} runs, cold correction cache)")
    print(f"baseline (WRatio extractOne over {len(phrases):,} phrases): {base:,.0f} utterances/s; "
          f"ratio {rate / base:.0f}x")
    worst = sorted(per_label, key=lambda k: per_label_ok[k] / per_label[k])[:6]
    print("lowest per-label accuracy: " + ", ".join(
        f"{k} {100 * per_label_ok[k] / per_label[k]:.0f}%" for k in worst))
    if args.errors:
        for label, got, text in errors:
            print(f"  {label:>15} -> {got:<15} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
