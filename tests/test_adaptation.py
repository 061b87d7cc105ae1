"""The adaptation of the wheel's model (MLLR, then MAP): the estimators, the script end to end, the shipped files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pocketsphinx
import pytest

from tests.speech_fixtures import VOICES, speech
from voice_guide.asr import pocketsphinx_backend as backend
from voice_guide.asr.base import Final
from voice_guide.asr.pocketsphinx_backend import (
    SYNTHETIC_VOICE_MAP,
    SYNTHETIC_VOICE_MLLR,
    PocketSphinxRecognizer,
    RoomKind,
)
from voice_guide.asr.sphinx_params import (
    apply_mllr,
    build_adapted_means,
    build_adapted_variances,
    read_gauden,
    read_mllr,
    sha256,
    write_gauden,
    write_mean_offsets,
    write_variance_scales,
)
from voice_guide.intents import load_intents

ROOT = Path(__file__).resolve().parents[1]
WHEEL_MODEL = Path(pocketsphinx.get_model_path()) / "en-us" / "en-us"
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


def aligned_hypothesis(**adaptation: str) -> str | None:
    """Force-align spoken "i have a cramp" with the wheel's model under the given decoder options; the text or None."""
    decoder = pocketsphinx.Decoder(lm=None, dict=str(WHEEL_MODEL.parent / "cmudict-en-us.dict"), loglevel="FATAL",
                                   **adaptation)
    decoder.set_align_text("i have a cramp")
    decoder.start_utt()
    decoder.process_raw(speech("i have a cramp", VOICES[0]).astype("<i2").tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return None if hyp is None else str(hyp.hypstr)


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


def test_map_estimate_moves_well_observed_means_and_keeps_unseen_ones() -> None:
    rng = np.random.default_rng(4)
    means = rng.normal(0, 3, (2, 3, 128, 13))
    stats = adapt.MllrStats(means, np.ones((2, 3, 128, 13)))
    target = [means[0, s, 7] + 0.5 for s in range(3)]  # frames near Gaussian 7 of codebook 0, offset by 0.5
    stats.add(0, [t + rng.normal(0, 0.01, (200, 13)) for t in target])
    adapted = stats.map_means(tau=5.0)
    for s in range(3):
        assert np.allclose(adapted[0, s, 7], means[0, s, 7] + 0.5 * 200 / 205, atol=0.02)
    assert np.allclose(adapted[1], means[1]), "a codebook with no frames keeps its means"
    assert np.allclose(np.delete(adapted[0, 0], 7, axis=0), np.delete(means[0, 0], 7, axis=0), atol=1e-6)


def test_map_variances_narrow_towards_the_frames_around_the_adapted_means() -> None:
    rng = np.random.default_rng(6)
    means = rng.normal(0, 3, (2, 3, 128, 13))
    stats = adapt.MllrStats(means, np.ones((2, 3, 128, 13)))
    # 400 frames around Gaussian 9 of codebook 1 with a standard deviation of 0.5 (variance 0.25, base 1.0).
    stats.add(1, [means[1, s, 9] + rng.normal(0, 0.5, (400, 13)) for s in range(3)])
    adapted = stats.map_variances(tau=10.0)
    occupancy = stats.occupancy[1, 0, 9]
    assert occupancy > 390, "the frames belong to their own Gaussian"
    expected = (10.0 + occupancy * 0.25) / (10.0 + occupancy)
    assert np.allclose(adapted[1, :, 9], expected, atol=0.04)
    assert np.allclose(adapted[0], 1.0), "a codebook with no frames keeps its variances"


def test_variance_scales_apply_only_to_the_variances_they_were_made_for(tmp_path: Path) -> None:
    base = read_gauden(WHEEL_MODEL / "variances")
    offsets = tmp_path / "offsets.npz"
    write_mean_offsets(offsets, np.zeros(base.shape), WHEEL_MODEL / "means")
    assert not build_adapted_variances(WHEEL_MODEL / "variances", offsets, tmp_path / "v"), "no scales: no file"
    assert not (tmp_path / "v").exists()
    scales = np.random.default_rng(7).normal(0, 0.2, base.shape)
    write_variance_scales(offsets, scales, WHEEL_MODEL / "variances")
    assert build_adapted_variances(WHEEL_MODEL / "variances", offsets, tmp_path / "v")
    assert np.allclose(read_gauden(tmp_path / "v"), base * np.exp(scales.astype(np.float16)), rtol=1e-3)
    with np.load(offsets, allow_pickle=False) as data:
        assert np.array_equal(data["offsets"], np.zeros(base.shape, np.float16)), "the mean offsets are kept"
    other = tmp_path / "other-variances"
    write_gauden(other, base * 1.5)  # as if pocketsphinx shipped a new model
    assert not build_adapted_variances(other, offsets, tmp_path / "v2")
    assert aligned_hypothesis(mean=str(WHEEL_MODEL / "means"), var=str(tmp_path / "v")) == "i have a cramp"


def test_gaussian_file_round_trip_loads_in_pocketsphinx(tmp_path: Path) -> None:
    means = read_gauden(WHEEL_MODEL / "means")
    assert means.shape == (42, 3, 128, 13)
    copy = tmp_path / "means"
    write_gauden(copy, means)
    assert np.array_equal(read_gauden(copy), means)
    assert aligned_hypothesis(mean=str(copy)) == "i have a cramp"


def test_shipped_map_offsets_fit_the_installed_model_and_are_mild() -> None:
    with np.load(SYNTHETIC_VOICE_MAP, allow_pickle=False) as data:
        offsets, base = data["offsets"].astype(np.float64), str(data["base_sha256"])
    assert base == sha256(WHEEL_MODEL / "means"), "offsets made for another pocketsphinx model"
    assert offsets.shape == read_gauden(WHEEL_MODEL / "means").shape and np.all(np.isfinite(offsets))
    spread = np.sqrt(read_gauden(WHEEL_MODEL / "variances"))
    assert np.mean(np.abs(offsets) < spread) > 0.9, "most means move by less than one standard deviation"
    assert np.mean(np.abs(offsets) > 1e-3) > 0.2, "the offsets adapt a good part of the model"


def test_the_noisy_room_ships_mild_variance_scales_for_the_installed_model(tmp_path: Path) -> None:
    room = RoomKind(narrowband=False, noisy=True)
    with np.load(backend._adaptation_files(room)[1], allow_pickle=False) as data:
        scales, base = data["variance_log_ratio"].astype(np.float64), str(data["variance_base_sha256"])
    assert base == sha256(WHEEL_MODEL / "variances"), "scales made for another pocketsphinx model"
    assert scales.shape == read_gauden(WHEEL_MODEL / "variances").shape and np.all(np.isfinite(scales))
    assert np.mean(np.abs(scales) < np.log(2.0)) > 0.95, "nearly every variance within a factor of two"
    assert np.mean(np.abs(scales) > 0.01) > 0.2, "the scales adapt a good part of the model"
    name, options = backend.adaptation_config(tmp_path, room)
    assert name == "MLLR + MAP" and Path(options["var"]).is_file()
    assert np.allclose(read_gauden(Path(options["var"])), read_gauden(WHEEL_MODEL / "variances") * np.exp(scales),
                       rtol=1e-5)
    # The other rooms keep the wheel's variances: scales estimated for them were not measured to help (module notes).
    for other in set(backend.ROOMS) - {room}:
        assert "var" not in backend.adaptation_config(tmp_path, other)[1]
    # Narrower variances spread the fit: that room rejects below its own floor (test_listen_wav's noisy room).
    rooms = PocketSphinxRecognizer(load_intents())._rooms
    assert rooms[room].reject_below == backend.REJECT_CONFIDENCE_ADAPTED_VARIANCES < backend.REJECT_CONFIDENCE
    assert rooms[RoomKind(False, False)].reject_below == backend.REJECT_CONFIDENCE


def test_recognizer_adapts_the_wheel_model_only() -> None:
    intents = load_intents()
    adapted = PocketSphinxRecognizer(intents)
    assert adapted.adaptation == "MLLR + MAP"
    assert adapted._decoder.config["mllr"] is None, "the adapted means already include the MLLR transform"
    assert Path(adapted._decoder.config["mean"]).name == "means"
    assert set(adapted._rooms) == {RoomKind(False, False), RoomKind(False, True)}, "8 kHz rooms built when needed"
    adapted._use_room(noisy=False, narrowband=True)
    adapted._use_room(noisy=True, narrowband=True)
    adapted._use_room(noisy=False)
    assert set(adapted.adaptations.values()) == {"MLLR + MAP"} and len(adapted.adaptations) == 4
    decoders = {room: adapted._rooms[room].decoder for room in adapted.adaptations}
    names = {room: Path(decoder.config["mean"]).name for room, decoder in decoders.items()}
    assert names == {RoomKind(False, False): "means", RoomKind(False, True): "means-noisy",
                     RoomKind(True, False): "means-8k", RoomKind(True, True): "means-8k-noisy"}
    assert len({id(decoder) for decoder in decoders.values()}) == 4
    plain = PocketSphinxRecognizer(intents, adapt=False)
    assert plain.adaptation == "" and plain._decoder.config["mllr"] is None
    assert plain.adaptations == {RoomKind(False, False): ""} and set(plain._rooms) == {RoomKind(False, False)}, (
        "no adaptation: one model for every room")
    assert Path(plain._decoder.config["mean"]) == WHEEL_MODEL / "means"
    outcome = adapted.recognize_whole(speech("i have a cramp", VOICES[0]).astype("<i2").tobytes())
    assert isinstance(outcome, Final) and outcome.text == "i have a cramp"


def test_offsets_for_another_model_fall_back_to_mllr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other_means = tmp_path / "other-means"
    write_gauden(other_means, read_gauden(WHEEL_MODEL / "means") + 0.25)  # as if pocketsphinx shipped a new model
    foreign = tmp_path / "foreign.npz"
    write_mean_offsets(foreign, np.zeros((42, 3, 128, 13)), other_means)
    assert not build_adapted_means(WHEEL_MODEL / "means", SYNTHETIC_VOICE_MLLR, foreign, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(backend, "SYNTHETIC_VOICE_MAP", foreign)
    assert backend.adaptation_config(tmp_path) == ("MLLR", {"mllr": str(SYNTHETIC_VOICE_MLLR)})
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    monkeypatch.setattr(backend, "SYNTHETIC_VOICE_MAP", broken)
    assert backend.adaptation_config(tmp_path) == ("MLLR", {"mllr": str(SYNTHETIC_VOICE_MLLR)})
    recognizer = PocketSphinxRecognizer(load_intents())
    assert recognizer.adaptation == "MLLR" and recognizer._decoder.config["mllr"] == str(SYNTHETIC_VOICE_MLLR)


def test_adapted_means_are_base_plus_mllr_plus_offsets(tmp_path: Path) -> None:
    base = read_gauden(WHEEL_MODEL / "means")
    offsets = np.random.default_rng(5).normal(0, 0.1, base.shape).astype(np.float16)
    mine = tmp_path / "offsets.npz"
    write_mean_offsets(mine, offsets, WHEEL_MODEL / "means")
    assert build_adapted_means(WHEEL_MODEL / "means", SYNTHETIC_VOICE_MLLR, mine, tmp_path / "means")
    expected = apply_mllr(base, read_mllr(SYNTHETIC_VOICE_MLLR)) + offsets.astype(np.float64)
    assert np.allclose(read_gauden(tmp_path / "means"), expected, atol=1e-4)


def test_adaptation_script_writes_files_pocketsphinx_loads(tmp_path: Path) -> None:
    out = tmp_path / "small.mllr"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "adapt_pocketsphinx.py"), "--phrases", "12", "--espeak-only",
         "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "phrases aligned" in run.stdout and "MAP (TAU" in run.stdout and "MAP variances" in run.stdout
    assert len(read_transform(out)) == 3
    assert build_adapted_means(WHEEL_MODEL / "means", out, out.with_suffix(".npz"), tmp_path / "means")
    assert not np.allclose(read_gauden(tmp_path / "means"), apply_mllr(read_gauden(WHEEL_MODEL / "means"),
                                                                      read_mllr(out))), "MAP moved no mean"
    assert aligned_hypothesis(mllr=str(out)) == "i have a cramp"
    assert aligned_hypothesis(mean=str(tmp_path / "means")) == "i have a cramp"
    assert build_adapted_variances(WHEEL_MODEL / "variances", out.with_suffix(".npz"), tmp_path / "variances")
    assert not np.allclose(read_gauden(tmp_path / "variances"), read_gauden(WHEEL_MODEL / "variances"))
    assert aligned_hypothesis(mean=str(tmp_path / "means"), var=str(tmp_path / "variances")) == "i have a cramp"


def test_each_recording_is_heard_by_the_model_of_its_room() -> None:
    # The decoder that heard a recording counts its frames; the other keeps its count.
    recognizer = PocketSphinxRecognizer(load_intents())
    quiet, noisy = recognizer._rooms[RoomKind(False, False)].decoder, recognizer._rooms[RoomKind(False, True)].decoder
    untouched = quiet.n_frames()
    heard = recognizer.recognize_whole(speech("i have a cramp", VOICES[0], snr_db=5).astype("<i2").tobytes())
    assert isinstance(heard, Final) and heard.text == "i have a cramp"
    assert noisy.n_frames() > 50 and quiet.n_frames() == untouched, "a filtered recording goes to the noisy model"
    assert recognizer._decoder is quiet, "and the stream goes back to the quiet room's model"
    heard = recognizer.recognize_whole(speech("is this serious", VOICES[0]).astype("<i2").tobytes())
    assert isinstance(heard, Final) and heard.text == "is this serious" and quiet.n_frames() > 50
    # The live loop says the room is noisy (its filter is on): the stream and the second pass use that model.
    before = quiet.n_frames()
    recognizer.set_room(noisy=True)
    clean = speech("next", VOICES[0]).astype("<i2")
    for start in range(0, clean.size, 1600):
        recognizer.accept(clean[start : start + 1600].tobytes())
    streamed = recognizer.finish()
    assert isinstance(streamed, Final) and streamed.text == "next"
    assert quiet.n_frames() == before and recognizer._decoder is noisy
    recognizer.set_room(noisy=False)
    assert recognizer._decoder is quiet
