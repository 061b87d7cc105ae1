"""The MLLR adaptation of the wheel's model: the estimator, the script end to end, and the shipped transform."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pocketsphinx

from tests.speech_fixtures import VOICES, speech
from voice_guide.asr.base import Final
from voice_guide.asr.pocketsphinx_backend import SYNTHETIC_VOICE_MLLR, PocketSphinxRecognizer
from voice_guide.intents import load_intents

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import adapt_pocketsphinx as adapt  # noqa: E402


def read_transform(path: Path) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(A, b, h) per stream from PocketSphinx's MLLR text format."""
    tokens = path.read_text(encoding="ascii").split()
    assert int(tokens[0]) == 1, "one regression class"
    n_streams, pos, out = int(tokens[1]), 2, []
    for _ in range(n_streams):
        n = int(tokens[pos])
        pos += 1
        values = np.array([float(t) for t in tokens[pos : pos + n * n + 2 * n]])
        pos += n * n + 2 * n
        out.append((values[: n * n].reshape(n, n), values[n * n : n * n + n], values[n * n + n :]))
    assert pos == len(tokens), "nothing after the last stream"
    return out


def test_estimator_recovers_a_known_transform() -> None:
    rng = np.random.default_rng(3)
    means = rng.normal(0, 3, (4, 3, 128, 13))
    variances = rng.uniform(0.5, 2.0, (4, 3, 128, 13))
    true_a = np.eye(13) * 1.2 + rng.normal(0, 0.05, (13, 13))
    true_b = rng.normal(0, 0.5, 13)
    stats = adapt.MllrStats(means, variances)
    for cb in range(4):
        for _ in range(20):  # frames from the transformed Gaussians, one Gaussian per short segment
            g = rng.integers(0, 128)
            shifted = [means[cb, s, g] @ true_a.T + true_b for s in range(3)]
            stats.add(cb, [m + rng.normal(0, 0.01, (5, 13)) for m in shifted])
    for a, b in stats.solve():
        assert np.allclose(a, true_a, atol=0.05)
        assert np.allclose(b, true_b, atol=0.1)


def test_dynamic_features_follow_sphinx_1s_c_d_dd() -> None:
    cep = np.arange(10 * 13, dtype=np.float64).reshape(10, 13) ** 1.5
    c, d, dd = adapt.streams(cep)
    centred = cep - cep.mean(axis=0)
    assert np.allclose(c, centred)
    assert np.allclose(d[5], centred[7] - centred[3])
    assert np.allclose(dd[5], (centred[8] - centred[4]) - (centred[6] - centred[2]))
    assert np.allclose(d[0], centred[2] - centred[0])  # edges repeat the first frame


def test_shipped_transform_is_well_formed_and_mild() -> None:
    streams = read_transform(SYNTHETIC_VOICE_MLLR)
    assert len(streams) == 3
    for a, b, h in streams:
        assert a.shape == (13, 13) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))
        assert np.all((np.diag(a) > 0.5) & (np.diag(a) < 2.0)), "a mild adaptation, not a new model"
        assert np.all(h == 1.0)


def test_recognizer_loads_the_transform_for_the_wheel_model_only() -> None:
    intents = load_intents()
    adapted = PocketSphinxRecognizer(intents)
    assert adapted.adaptation == SYNTHETIC_VOICE_MLLR
    assert adapted._decoder.config["mllr"] == str(SYNTHETIC_VOICE_MLLR)
    plain = PocketSphinxRecognizer(intents, adapt=False)
    assert plain.adaptation is None and plain._decoder.config["mllr"] is None
    outcome = adapted.recognize_whole(speech("i have a cramp", VOICES[0]).astype("<i2").tobytes())
    assert isinstance(outcome, Final) and outcome.text == "i have a cramp"


def test_adaptation_script_writes_a_transform_pocketsphinx_loads(tmp_path: Path) -> None:
    out = tmp_path / "small.mllr"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "adapt_pocketsphinx.py"), "--phrases", "12", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "phrases aligned" in run.stdout
    assert len(read_transform(out)) == 3
    model = Path(pocketsphinx.get_model_path()) / "en-us"
    decoder = pocketsphinx.Decoder(lm=None, mllr=str(out), dict=str(model / "cmudict-en-us.dict"), loglevel="FATAL")
    decoder.set_align_text("i have a cramp")
    decoder.start_utt()
    decoder.process_raw(speech("i have a cramp", VOICES[0]).astype("<i2").tobytes(), full_utt=True)
    decoder.end_utt()
    assert decoder.hyp() is not None and decoder.hyp().hypstr == "i have a cramp"
