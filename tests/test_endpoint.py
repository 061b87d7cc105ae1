"""Endpointing on synthetic PCM: decisions are counted in samples, so every run gives the same result."""

import numpy as np

from voice_guide.endpoint import RATE, EndpointConfig, Endpointer, dbfs

CHUNK = 320


def tone(seconds: float, dbfs_level: float, freq: float = 300.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    amp = 32768 * 10 ** (dbfs_level / 20) * np.sqrt(2)
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def noise(seconds: float, dbfs_level: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * RATE)) * 32768 * 10 ** (dbfs_level / 20)).astype(np.int16)


def run(audio: np.ndarray, ep: Endpointer, complete_after: int | None = None):
    starts, utts = [], []
    for i in range(0, audio.size, CHUNK):
        chunk = audio[i:i + CHUNK]
        started, utt = ep.accept(chunk, phrase_complete=complete_after is not None and i >= complete_after)
        if started:
            starts.append(i)
        if utt:
            utts.append(utt)
    return starts, utts


def test_silence_and_steady_noise_are_not_speech() -> None:
    ep = Endpointer()
    starts, utts = run(np.concatenate([np.zeros(RATE, np.int16), noise(3, -45)]), ep)
    assert not utts and len(starts) <= 1 and not [s for s in starts if s > RATE * 1.5]


def test_utterance_boundaries_are_sample_exact() -> None:
    audio = np.concatenate([noise(1.0, -60), tone(0.8, -20), noise(1.0, -60)])
    starts, utts = run(audio, Endpointer())
    assert len(utts) == 1
    (u,) = utts
    # Starts within start_ms of the onset (with lead-in kept before it), ends end_ms after the offset.
    assert RATE * 1.0 - 0.31 * RATE <= u.start_sample <= RATE * 1.0
    assert abs(u.end_sample - (1.8 * RATE + EndpointConfig().end_ms / 1000 * RATE)) <= 2 * CHUNK
    assert starts and abs(starts[0] - RATE) <= 0.1 * RATE
    # Same input, same decisions.
    assert [x.end_sample for x in run(audio, Endpointer())[1]] == [u.end_sample]


def test_complete_phrase_ends_early() -> None:
    audio = np.concatenate([noise(1.0, -60), tone(0.6, -20), noise(1.0, -60)])
    _, normal = run(audio, Endpointer())
    _, early = run(audio, Endpointer(), complete_after=int(1.6 * RATE))
    assert early[0].end_sample < normal[0].end_sample - 0.2 * RATE


def test_whisper_is_heard_and_normalised() -> None:
    audio = np.concatenate([noise(1.0, -70), tone(0.8, -48), noise(1.0, -70)])
    _, utts = run(audio, Endpointer())
    assert len(utts) == 1
    pcm = np.frombuffer(utts[0].pcm, np.int16)
    assert utts[0].level_dbfs < -45
    assert dbfs(pcm[int(0.35 * RATE):int(0.9 * RATE)]) > -30  # boosted towards the target


def test_speech_over_a_fan_is_found() -> None:
    fan = noise(4.0, -40, seed=3)
    speech = np.zeros_like(fan)
    speech[int(1.5 * RATE):int(2.3 * RATE)] = tone(0.8, -22)
    _, utts = run((fan.astype(np.int32) + speech).clip(-32768, 32767).astype(np.int16), Endpointer())
    assert len(utts) == 1


def test_endless_sound_is_cut_at_max_length() -> None:
    cfg = EndpointConfig(max_ms=2000)
    _, utts = run(np.concatenate([np.zeros(RATE // 2, np.int16), tone(5.0, -20)]), Endpointer(cfg))
    assert utts and (utts[0].end_sample - utts[0].start_sample) <= 2.0 * RATE + CHUNK


def test_a_zero_block_at_start_up_does_not_hide_the_room() -> None:
    # The noise filter's first block is zeros (its delay), as a sound device's first block can be. The room's
    # floor must come from the room: a mean in dB over the calibration, dragged down by -270 dBFS, put the floor
    # 15 dB too low, the hiss counted as voice, and the utterance ran on to max_ms.
    hiss = noise(3.0, -50, seed=4)
    audio = hiss.copy()
    audio[int(1.0 * RATE):int(1.8 * RATE)] += tone(0.8, -22)
    _, utts = run(np.concatenate([np.zeros(CHUNK, np.int16), audio]), Endpointer())
    assert len(utts) == 1
    assert abs(utts[0].end_sample - CHUNK - (1.8 * RATE + EndpointConfig().end_ms / 1000 * RATE)) <= 2 * CHUNK
