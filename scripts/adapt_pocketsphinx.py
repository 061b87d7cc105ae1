"""Estimate the adaptation of the pocketsphinx wheel's US English model to synthetic voices: MLLR, then MAP.

    .venv/bin/python scripts/adapt_pocketsphinx.py --room quiet|noisy [--phrases 2700] [--out ...mllr]

Four runs make the shipped files: --room quiet (clean phrases) and --room noisy (phrases at 20, 10 and 5 dB SNR),
and the same two recorded at 8 kHz (--room narrow-quiet, narrow-noisy); the recognizer decodes a filtered (noisy)
recording with a noisy room's model, and a recording with nothing above 4 kHz with a narrow room's.

Why: the wheel's acoustic model was trained on human speech and hears espeak-ng voices poorly.
1. A global MLLR mean transform (one class, per feature stream: mean' = A mean + b) is the standard Sphinx
   adaptation: a few hundred numbers, loaded with the decoder's ``mllr`` option (the .mllr file).
2. MAP then moves each Gaussian's mean from its MLLR-adapted value towards the frames it explains, in proportion
   to how many it explains: mean = (TAU mean_mllr + sum of frames) / (TAU + occupancy). Rarely seen Gaussians stay
   where MLLR put them. Only the offsets from the MLLR means are saved (float16, compressed, with the SHA-256 of the
   wheel's means file they belong to: the .npz beside the .mllr); the recognizer builds the means at load time.

Data, kept apart from every evaluation: phrases sampled from the intent grammar (never the held-out phrasings)
spoken by eight espeak-ng voices that neither scripts/eval_speech.py nor the tests' main voices use and by four
voices built from recordings of real speakers (MBROLA us1 and us2 through espeak-ng, SVOX Pico en-US at two
speeds; --espeak-only leaves them out), each phrase clean (quiet room) or at 20, 10 or 5 dB SNR (noisy room) in
white or (half of them) pink noise, and prepared exactly as ``recognize_whole`` prepares a recording (noise
reduction, trimming, dither). Which phrases, and each one's voice, condition and noise, follow from a hash of the
phrase, so phrases added to the intent files later leave the others' recordings unchanged.
A third pass, aligned under the MLLR + MAP model, estimates MAP variances around the adapted means (TAU_VARIANCE)
and adds a scale per variance to the .npz; --variances-only runs that pass alone, keeping the transform and means
already in --out (how the shipped noisy room got its variances; the recognizer applies them in that room only).
Each phrase is force-aligned to phones with the wheel's model
(for MAP: with the MLLR transform loaded); per frame, the top four Gaussians of the phone's codebook share the
frame (PTM model: one codebook of 128 Gaussians per base phone and stream). Silence and noise phones are left out.

Measured choices (96 held-out utterances x 4 evaluation voices, clean / 10 / 5 dB, set A):
- MLLR alone 81.2/71.9/62.5 % (unadapted 72.9/63.5/53.1); from clean phrases only 83.3/67.7/56.2 %, but Flite
  voices in noise lost; a second MLLR iteration 78.1/71.9/63.5 %.
- MAP after MLLR, 900 phrases: TAU 2 93.8/88.5/85.4, 5 93.8/89.6/85.4, 10 93.8/87.5/81.2, 20 93.8/86.5/78.1,
  80 93.8/83.3/75.0 %; 1,800 phrases, TAU 5: 93.8/90.6/86.5 % (blind set G 78.1/76.0/69.8 %, MLLR alone
  68.8/63.5/47.9 %). Re-aligning under the MAP model for a second pass gained one utterance of 288. 3,600
  phrases in 16 voices (8 more espeak-ng variants, rates 120-200): A 94.8/90.6/86.5 % against 93.8/91.7/88.5 %,
  and 8 unseen voices 86.5/84.4/67.7 % against 86.5/83.3/64.6 % (clean / pink 10 dB / white 5 dB): no clear gain.
- Regression-class MLLR (one transform per base phone, ridge towards the global one) 89.6/82.3/75.0 %.
- The voices above were espeak-ng's alone until the other synthesizers showed what that cost: Pico voices at 10 and
  5 dB 20.8 and 9.4 %, MBROLA 76.0 and 60.4 %. With a third of the phrases in MBROLA and Pico voices and half in
  pink noise (2,700 phrases, the default): Pico 47.9 and 20.8 %, MBROLA 85.4 and 67.7 %, Flite 55.2 -> 66.7 and
  26.0 -> 34.4 %, but set A's espeak-ng voices 91.7 -> 89.6 and 88.5 -> 78.1 % (unseen espeak-ng voices level).
  Variants: white noise only, 1,800 phrases: A 94.8/87.5/80.2, Pico 84.4/42.7/21.9 %; 3,600 phrases: no better
  than 2,700; a deeper noise-filter floor (0.03) in adaptation and use: worse everywhere.
- Two rooms (--room quiet and --room noisy, the recognizer choosing per recording) against the one mixed model:
  set A 93.8/90.6/79.2 -> 95.8/90.6/85.4 %, MBROLA 91.7/84.4/66.7 -> 95.8/86.5/69.8 %, Pico in pink noise
  85.4/60.4/46.9 -> 88.5/68.8/44.8 %; a noisy room from 15, 10, 5 and 0 dB lost on Pico (0 dB rarely aligns).
- Variances (noisy room, TAU_VARIANCE 10; the recognizer's module notes have the figures): non-commands in noise
  ignored far more often and fewer false escalations, intent accuracy level; in a first trial TAU 30 heard one
  fewer of set A at 5 dB than TAU 10.
"""

from __future__ import annotations

import argparse
import hashlib
import struct
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pocketsphinx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice_guide.asr import pocketsphinx_backend as ps_backend  # noqa: E402
from voice_guide.asr.sphinx_params import (  # noqa: E402
    Array,
    Transform,
    apply_mllr,
    build_adapted_means,
    read_gauden,
    write_mean_offsets,
    write_mllr,
    write_variance_scales,
)
from voice_guide.intents import load_intents  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_speech import in_room, speak, with_noise  # noqa: E402

MODEL = Path(pocketsphinx.get_model_path()) / "en-us" / "en-us"
VOICES = [("espeak", voice, rate) for voice, rate in (
    ("gmw/en-GB-x-gbclan", 160), ("gmw/en-us+f2", 145), ("gmw/en-us+m7", 170), ("gmw/en-GB-scotland", 150),
    ("gmw/en+klatt", 155), ("gmw/en-us+f4", 175), ("gmw/en-029", 140), ("gmw/en+m1", 135))]
RECORDED_VOICES = [("mbrola", "mb-us1", 155), ("mbrola", "mb-us2", 145), ("pico", "en-US", 100),
                   ("pico", "en-US", 90)]
"""Voices built from recordings of real speakers (left out by --espeak-only); the evaluation keeps mb-us3, mb-en1,
Pico's en-GB and every Flite voice unseen."""
NON_SPEECH = {"SIL", "+NSN+", "+SPN+"}
TOP_N = 4
ROOMS = {
    "quiet": ("clean", ps_backend.SYNTHETIC_VOICE_MLLR, False),
    "noisy": ("20,10,5", ps_backend.NOISY_ROOM_MLLR, False),
    "narrow-quiet": ("clean", ps_backend.NARROWBAND_MLLR, True),
    "narrow-noisy": ("20,10,5", ps_backend.NARROWBAND_NOISY_MLLR, True),
}
"""The shipped adaptations: the phrases' conditions, the file, and whether the phrases are recorded at 8 kHz (a
phone's recorder, brought back to 16 kHz as a WAV file is read). The recognizer picks one per recording."""
PINK_SHARE = 0.5
"""Share of phrases put in pink (fan-like) rather than white noise."""
TAU = 5.0
"""MAP prior weight, in frames: how much evidence moves a mean halfway from its MLLR value (see above)."""
TAU_VARIANCE = 10.0
"""The same for the variances, around the adapted means: a variance needs more frames than a mean (see above)."""
VARIANCE_FLOOR = 1e-4
"""No variance is taken below this (a Gaussian seen in a few identical frames would otherwise collapse)."""
CEPLEN = 13
STREAMS = 3


def base_phones(mdef: Path) -> list[str]:
    """The model's base phones in codebook order (a PTM model has one codebook per base phone)."""
    raw = mdef.read_bytes()
    i, names = raw.index(b"+NSN+\0"), list[str]()
    while True:
        j = raw.index(b"\0", i)
        name = raw[i:j].decode("ascii", "replace")
        if not name or not all(c.isalnum() or c in "+_" for c in name):
            return names
        names.append(name)
        i = j + 1


def read_mfc(path: Path) -> Array:
    """A Sphinx cepstrum file (big-endian count, then 13 floats per frame)."""
    raw = path.read_bytes()
    count = struct.unpack(">i", raw[:4])[0]
    return np.frombuffer(raw[4 : 4 + 4 * count], dtype=">f4").astype(np.float64).reshape(-1, CEPLEN)


def streams(cep: Array) -> list[Array]:
    """The model's 1s_c_d_dd features: batch-CMN cepstra, their deltas and double deltas."""
    cep = cep - cep.mean(axis=0)
    padded = np.concatenate([np.repeat(cep[:1], 3, 0), cep, np.repeat(cep[-1:], 3, 0)])
    t = np.arange(cep.shape[0]) + 3
    return [cep, padded[t + 2] - padded[t - 2], (padded[t + 3] - padded[t - 1]) - (padded[t + 1] - padded[t - 3])]


class MllrStats:
    """Occupancies and first-order sums per Gaussian, enough for a global diagonal-covariance MLLR or for MAP."""

    def __init__(self, means: Array, variances: Array) -> None:
        self.means, self.variances = means, np.maximum(variances, VARIANCE_FLOOR)
        self.occupancy = np.zeros(means.shape[:3])
        self.sums = np.zeros(means.shape)
        self.squares = np.zeros(means.shape)
        self.frames = 0

    def add(self, codebook: int, feats: list[Array]) -> None:
        """Frames (one stream list) spent in states of one base phone."""
        self.frames += feats[0].shape[0]
        for s, x in enumerate(feats):
            mu, var = self.means[codebook, s], self.variances[codebook, s]
            loglik = -0.5 * ((((x[:, None, :] - mu[None]) ** 2) / var[None]).sum(-1) + np.log(var).sum(-1)[None])
            top = np.argsort(loglik, axis=1)[:, -TOP_N:]
            best = np.take_along_axis(loglik, top, axis=1)
            gamma = np.exp(best - best.max(axis=1, keepdims=True))
            gamma /= gamma.sum(axis=1, keepdims=True)
            for k in range(TOP_N):
                np.add.at(self.occupancy[codebook, s], top[:, k], gamma[:, k])
                np.add.at(self.sums[codebook, s], top[:, k], gamma[:, k, None] * x)
                np.add.at(self.squares[codebook, s], top[:, k], gamma[:, k, None] * x * x)

    def solve(self) -> Transform:
        """(A, b) per stream: row i solves G_i w_i = k_i with extended means [1, mu]."""
        out = []
        for s in range(STREAMS):
            mu = self.means[:, s].reshape(-1, CEPLEN)
            ext = np.concatenate([np.ones((mu.shape[0], 1)), mu], axis=1)
            occ = self.occupancy[:, s].reshape(-1)
            sums = self.sums[:, s].reshape(-1, CEPLEN)
            inv_var = 1.0 / self.variances[:, s].reshape(-1, CEPLEN)
            rows = []
            for i in range(CEPLEN):
                g = (ext * (occ * inv_var[:, i])[:, None]).T @ ext
                k = ext.T @ (sums[:, i] * inv_var[:, i])
                rows.append(np.linalg.solve(g, k))
            w = np.array(rows)
            out.append((w[:, 1:], w[:, 0]))
        return out


    def map_means(self, tau: float = TAU) -> Array:
        """MAP means: each mean moves towards its frames' average in proportion to its occupancy."""
        return (tau * self.means + self.sums) / (tau + self.occupancy)[..., None]

    def map_variances(self, tau: float = TAU_VARIANCE) -> Array:
        """MAP variances around the means these statistics were gathered with (the adapted ones), likewise."""
        occupancy = self.occupancy[..., None]
        scatter = self.squares - 2.0 * self.means * self.sums + occupancy * self.means**2
        return np.maximum((tau * self.variances + np.maximum(scatter, 0.0)) / (tau + occupancy), VARIANCE_FLOOR)


def _phrase_key(phrase: str) -> int:
    """A stable pseudo-random number for a phrase (sampling order, voice, condition, noise)."""
    return int(hashlib.sha256(phrase.encode()).hexdigest()[:15], 16)


def prepared(
    text: str, voice: tuple[str, str, int], snr_db: float | None, noise: str, rng: np.random.Generator,
    narrowband: bool = False,
) -> bytes:
    """The phrase spoken, put in a room as the evaluation does, then prepared as recognize_whole prepares it."""
    recording = with_noise(speak(text, *voice), snr_db, rng, noise)
    if narrowband:  # the room's noise is recorded at 8 kHz too
        recording = in_room(recording, "8k", rng)
    return ps_backend.dithered(ps_backend.prepare_recording(recording), rng)


def _decode(decoder: pocketsphinx.Decoder, pcm: bytes) -> None:
    """One whole-utterance pass."""
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


def estimate(
    recordings: Iterable[tuple[str, bytes]], stats: MllrStats, logs: Path, adapted: dict[str, str] | None = None
) -> int:
    """Align each (phrase, audio) with the wheel's model (adapted: decoder options such as mllr or mean) and add its
    speech frames to stats; the number of phrases used."""
    phones = base_phones(MODEL / "mdef")
    aligner = pocketsphinx.Decoder(lm=None, mfclogdir=str(logs), loglevel="FATAL", **(adapted or {}))
    used = 0
    for phrase, pcm in recordings:
        try:
            aligner.set_align_text(phrase)
            _decode(aligner, pcm)
            if aligner.hyp() is None:  # no path through the audio
                continue
            aligner.set_alignment()  # a second pass aligns phones and states within the word alignment
            _decode(aligner, pcm)  # (hyp() after this pass crashes PocketSphinx 5: not called)
        except RuntimeError:  # a word the full dictionary lacks
            continue
        alignment = aligner.get_alignment()
        files = sorted(logs.iterdir())
        if alignment is None or not files:
            continue
        feats = streams(read_mfc(files[-1]))
        for f in files:
            f.unlink()
        for word in alignment:
            for phone in word:
                if phone.name in NON_SPEECH or phone.name not in phones:
                    continue
                end = min(phone.start + phone.duration, feats[0].shape[0])
                if end > phone.start:
                    stats.add(phones.index(phone.name), [s[phone.start : end] for s in feats])
        used += 1
    return used


def saved(recordings: Iterable[tuple[str, bytes]], folder: Path) -> list[tuple[str, Path]]:
    """Keep each prepared recording on disk for the second pass (1,800 of them take about 130 MB)."""
    out = []
    for k, (phrase, pcm) in enumerate(recordings):
        path = folder / f"{k:05d}.raw"
        path.write_bytes(pcm)
        out.append((phrase, path))
    return out


def loaded(files: list[tuple[str, Path]]) -> Iterator[tuple[str, bytes]]:
    """The saved recordings, one at a time."""
    return ((phrase, path.read_bytes()) for phrase, path in files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--phrases", type=int, default=2700)
    ap.add_argument("--room", choices=ROOMS, default="quiet",
                    help="which shipped adaptation to estimate: quiet (clean phrases) or noisy (20, 10, 5 dB), "
                         "each also recorded at 8 kHz (narrow-)")
    ap.add_argument("--out", type=Path, help="the .mllr (.npz beside it); default: the shipped file of --room")
    ap.add_argument("--espeak-only", action="store_true",
                    help="leave out the voices built from recordings (they need Debian's contrib and non-free "
                         "packages mbrola mbrola-us1 mbrola-us2 libttspico-utils)")
    ap.add_argument("--pink", type=float, default=PINK_SHARE, help="share of phrases in pink rather than white noise")
    ap.add_argument("--variances-only", action="store_true",
                    help="keep the MLLR transform and MAP means already in --out and estimate only the variances")
    ap.add_argument("--conditions", help="SNRs in dB (or 'clean') the phrases take in turn; default: those of --room")
    args = ap.parse_args()
    default_conditions, default_out, narrowband = ROOMS[args.room]
    args.out = args.out or default_out
    conditions = [None if c == "clean" else float(c) for c in (args.conditions or default_conditions).split(",")]
    if args.variances_only and not (args.out.is_file() and args.out.with_suffix(".npz").is_file()):
        print(f"--variances-only needs {args.out} and the .npz beside it; run without it first", file=sys.stderr)
        return 2
    voices = VOICES + ([] if args.espeak_only else RECORDED_VOICES)
    means, variances = read_gauden(MODEL / "means"), read_gauden(MODEL / "variances")
    recognizer = ps_backend.PocketSphinxRecognizer(load_intents(), adapt=False)
    # Each phrase's voice, condition, noise and place in the sample follow from its own hash, so adding phrases to
    # the intent files later leaves the recordings of the others as they were (the shipped files stay reproducible).
    keyed = sorted((_phrase_key(p), p) for p in set(recognizer.grammar.phrases))[: args.phrases]
    recordings = (
        (phrase, prepared(phrase, voices[key % len(voices)], conditions[(key // 7) % len(conditions)],
                          "pink" if (key // 97) % 1000 < args.pink * 1000 else "white", np.random.default_rng(key),
                          narrowband))
        for key, phrase in keyed
    )
    with tempfile.TemporaryDirectory() as logs, tempfile.TemporaryDirectory() as audio:
        files = saved(recordings, Path(audio))
        if not args.variances_only:
            estimate_means(files, means, variances, Path(logs), args.out, len(keyed))
        # Third pass: the variances around the adapted means, aligned under the adapted model.
        adapted_means = Path(audio) / "adapted-means"
        if not build_adapted_means(MODEL / "means", args.out, args.out.with_suffix(".npz"), adapted_means):
            print(f"{args.out.with_suffix('.npz')} was made for another pocketsphinx model", file=sys.stderr)
            return 1
        var_stats = MllrStats(read_gauden(adapted_means), variances)
        used = estimate(loaded(files), var_stats, Path(logs), {"mean": str(adapted_means)})
    log_ratio = np.log(var_stats.map_variances() / np.maximum(variances, VARIANCE_FLOOR))
    write_variance_scales(args.out.with_suffix(".npz"), log_ratio, MODEL / "variances")
    print(f"MAP variances (TAU {TAU_VARIANCE:g}): {used} phrases aligned under MLLR + MAP; median scale per stream "
          f"{[round(float(np.exp(np.median(log_ratio[:, s]))), 3) for s in range(STREAMS)]} "
          f"-> {args.out.with_suffix('.npz')}")
    return 0


def estimate_means(
    files: list[tuple[str, Path]], means: Array, variances: Array, logs: Path, out: Path, phrases: int
) -> None:
    """The first two passes: a global MLLR transform (written to out), then MAP mean offsets (the .npz beside it)."""
    mllr_stats = MllrStats(means, variances)
    used = estimate(loaded(files), mllr_stats, logs)
    transform = mllr_stats.solve()
    write_mllr(out, transform)
    print(f"MLLR: {used} of {phrases} phrases aligned, {mllr_stats.frames} speech frames -> {out}")
    for s, (a, b) in enumerate(transform):
        print(f"stream {s}: diag(A) {np.round(np.diag(a), 2)}  b {np.round(b, 2)}")
    map_stats = MllrStats(apply_mllr(means, transform), variances)
    used = estimate(loaded(files), map_stats, logs, {"mllr": str(out)})
    offsets = map_stats.map_means() - map_stats.means
    write_mean_offsets(out.with_suffix(".npz"), offsets, MODEL / "means")
    moved = np.abs(offsets).max(axis=-1) > 0.1
    print(f"MAP (TAU {TAU:g}): {used} phrases aligned under MLLR, {map_stats.frames} speech frames; "
          f"{100 * moved.mean():.0f} % of Gaussians moved -> {out.with_suffix('.npz')}")


if __name__ == "__main__":
    sys.exit(main())
