"""How well the loop tells its own voice, coming back through the microphone, from a person speaking.

Echoes are cut from the assistant's spoken answers (rendered as they are played) and passed through what a real
path back does to them: dropped blocks (a device starved of CPU), clock drift between speaker and microphone, room
reverberation. People are espeak-ng voices saying commands while an answer plays, alone and with the answer's echo
10 dB under them. For each, the similarity to the playback is computed two ways: one correlation over the whole
utterance (the check before windows) and `voice_loop.echo_similarity` (louder 1 s windows, each at its own lag).
Printed: percentiles (min / 10th / median) for echoes, (median / 90th / max) for people. An echo at or above
ECHO_CORRELATION is dropped; a person must stay under ECHO_WITH_WORDS.

    python scripts/bench_echo.py [--reps 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice_guide.audio import resample  # noqa: E402
from voice_guide.config import load_config  # noqa: E402
from voice_guide.content import load_guidance  # noqa: E402
from voice_guide.events import Say  # noqa: E402
from voice_guide.speech_out import TTS_RATE, render_whole  # noqa: E402
from voice_guide.tts_synth import synthesize  # noqa: E402
from voice_guide.voice_loop import ECHO_CORRELATION, ECHO_LAG_S, ECHO_WITH_WORDS, _peak_correlation, echo_similarity  # noqa: E402

RATE = 16000
ANSWERS = ("answer.prevention", "answer.causes")
VOICES = ("gmw/en-us", "gmw/en", "en-us+f3", "en-us+m3")
COMMANDS = ("stop", "next please", "I have a cramp", "is this serious", "what causes leg cramps",
            "can you repeat that", "my calf is swollen and red", "I can't breathe")
CONDITIONS = ("clean", "dropouts", "drift 200 ppm", "drift 1000 ppm", "reverb 0.3 s", "reverb 0.6 s")
Similarity = Callable[[npt.NDArray[np.int16], npt.NDArray[np.float32]], float]


def whole(heard: npt.NDArray[np.int16], played: npt.NDArray[np.float32]) -> float:
    """One correlation over the whole utterance."""
    return _peak_correlation(heard, played) if heard.size >= 1600 and played.size >= heard.size else 0.0


def path_back(x: npt.NDArray[np.float64], condition: str, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """What the way from speaker to microphone does to the played audio."""
    if condition.startswith("reverb"):
        rt60 = float(condition.split()[1])
        t = np.arange(int(rt60 * RATE)) / RATE
        h = rng.normal(0, 1, t.size) * np.exp(-6.9 * t / rt60)
        h[0] = 3 * np.abs(h).max()  # the direct sound
        return np.convolve(x, h / np.sqrt(np.sum(h ** 2)))[: x.size]
    if condition.startswith("drift"):
        step = 1 + float(condition.split()[1]) * 1e-6
        return np.interp(np.arange(int(x.size / step)) * step, np.arange(x.size), x)
    if condition == "dropouts":  # three blocks of 40-125 ms of silence the device inserted
        for _ in range(3):
            i, n = int(rng.integers(0, x.size)), int(rng.integers(640, 2000))
            x = np.concatenate([x[:i], np.zeros(n), x[i:]])
        return x
    return x


def heard(x: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.int16]:
    """Through the microphone: a room noise floor, 16-bit."""
    return np.clip(x + rng.normal(0, 30, x.size), -32768, 32767).astype(np.int16)


def played_before(answer: npt.NDArray[np.float32], end: int, size: int) -> npt.NDArray[np.float32]:
    """What the loop compares an utterance ending at ``end`` with: its length plus the lag searched, 50 ms later."""
    stop = min(answer.size, end + 800)
    return answer[max(0, stop - size - int(ECHO_LAG_S * RATE)): stop]


def measure(similarity: Similarity, answers: list[npt.NDArray[np.float32]], people: list[npt.NDArray[np.float64]],
            reps: int, seed: int) -> dict[str, list[float]]:
    """Similarities per condition (echoes) and for people."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {}
    for condition in CONDITIONS:
        values = out.setdefault(condition, [])
        for answer in answers:
            back = path_back(answer.astype(np.float64) * 20000, condition, np.random.default_rng(seed))
            for seconds in (0.6, 1.5, 3.2, 8.0):
                for _ in range(reps):
                    n = int(seconds * RATE)
                    start = int(rng.integers(2 * RATE, answer.size - n))
                    values.append(similarity(heard(back[start:start + n] * 0.5, rng),
                                             played_before(answer, start + n, n)))
    for person in people:
        answer = answers[int(rng.integers(0, len(answers)))]
        start = int(rng.integers(2 * RATE, answer.size - person.size))
        played = played_before(answer, start + person.size, person.size)
        out.setdefault("person", []).append(similarity(heard(person, rng), played))
        echo = path_back(answer.astype(np.float64) * 20000, "reverb 0.3 s", rng)[start:start + person.size]
        under = echo * 10 ** (-10 / 20) * np.std(person) / max(float(np.std(echo)), 1.0)
        out.setdefault("person, echo 10 dB under", []).append(similarity(heard(person + under, rng), played))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4, help="echoes per answer, length and condition")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    guidance, voice = load_guidance(), load_config().voice
    answers = [resample(render_whole(Say(guidance.prompt(k).spoken, k, ""), voice).astype(np.float64), TTS_RATE,
                        RATE).astype(np.float32) for k in ANSWERS]
    people = []
    for v in VOICES:
        for text in COMMANDS:
            samples, rate = synthesize(text, voice=v, rate=150)
            people.append(resample(samples.astype(np.float64), rate, RATE) * 0.8)
    print(f"answers {', '.join(f'{a.size / RATE:.0f} s' for a in answers)}; {len(people)} commands; "
          f"an echo is dropped at >= {ECHO_CORRELATION}, a person must stay < {ECHO_WITH_WORDS}")
    for name, similarity in (("whole utterance", whole), ("windows (echo_similarity)", echo_similarity)):
        t0 = time.perf_counter()
        result = measure(similarity, answers, people, args.reps, args.seed)
        print(f"{name}  ({time.perf_counter() - t0:.1f} s)")
        for key, values in result.items():
            q = (0, 10, 50) if key in CONDITIONS else (50, 90, 100)
            dropped = sum(v >= ECHO_CORRELATION for v in values)
            print(f"  {key:26s} p{q[0]}/p{q[1]}/p{q[2]} " + " / ".join(f"{p:.3f}" for p in np.percentile(values, q))
                  + f"   at or above {ECHO_CORRELATION}: {dropped} of {len(values)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
