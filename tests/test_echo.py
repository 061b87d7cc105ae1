"""The loop's own voice, coming back through the microphone, is told from a person speaking (real espeak-ng speech:
the assistant's spoken answer as it is played, and commands in other voices)."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import numpy.typing as npt
import pytest

from voice_guide.audio import resample
from voice_guide.commands.listen import _Spoken
from voice_guide.config import load_config
from voice_guide.content import load_guidance
from voice_guide.endpoint import EndpointConfig
from voice_guide.events import Say
from voice_guide.speech_out import TTS_RATE, Player, render_whole
from voice_guide.voice_loop import ECHO_CORRELATION, ECHO_LAG_S, ECHO_WITH_WORDS, _peak_correlation, echo_similarity

from .speech_fixtures import synthesized

RATE = 16000


@cache
def answer() -> npt.NDArray[np.float32]:
    """The prevention answer as the speaker plays it (about 50 s)."""
    key = "answer.prevention"
    return render_whole(Say(load_guidance().prompt(key).spoken, key, ""), load_config().voice)


@cache
def answer_16k() -> npt.NDArray[np.float64]:
    return resample(answer().astype(np.float64), TTS_RATE, RATE)


def through_the_room(x: npt.NDArray[np.float64], seed: int) -> npt.NDArray[np.int16]:
    """Half as loud, over a faint noise floor, 16-bit."""
    return np.clip(x * 0.5 * 20000 + np.random.default_rng(seed).normal(0, 30, x.size), -32768, 32767).astype(np.int16)


def drifted(x: npt.NDArray[np.float64], ppm: float) -> npt.NDArray[np.float64]:
    """The microphone's clock running ``ppm`` fast against the speaker's."""
    step = 1 + ppm * 1e-6
    return np.interp(np.arange(int(x.size / step)) * step, np.arange(x.size), x)


def with_dropouts(x: npt.NDArray[np.float64], at: tuple[int, ...], length: int) -> npt.NDArray[np.float64]:
    """Blocks of silence the device inserted (a process starved of CPU), shifting everything after them."""
    for i in sorted(at, reverse=True):
        x = np.concatenate([x[:i], np.zeros(length), x[i:]])
    return x


def echo_and_played(path_back: npt.NDArray[np.float64], start: int, seconds: float) -> tuple[npt.NDArray[np.int16],
                                                                                            npt.NDArray[np.float32]]:
    """An utterance of our own voice heard through ``path_back``, and what the loop compares it with."""
    n = int(seconds * RATE)
    end = start + n
    played = answer_16k()[end + 800 - n - int(ECHO_LAG_S * RATE): end + 800].astype(np.float32)
    return through_the_room(path_back[start:end], start), played


@pytest.mark.parametrize("seconds", [3.2, 8.0])
def test_own_voice_is_known_through_drift_and_dropouts(seconds: float) -> None:
    x = answer_16k()
    paths = {"drift 200 ppm": drifted(x, 200),
             "dropouts": with_dropouts(x, (100_000, 150_000, 200_000, 260_000), 1200)}
    for name, path in paths.items():
        for start in (120_000, 180_000, 240_000):
            heard, played = echo_and_played(path, start, seconds)
            assert echo_similarity(heard, played) >= ECHO_CORRELATION, (name, start)
    # The conditions are hard ones: a single correlation over the utterance lost some of these echoes.
    lost = [_peak_correlation(*echo_and_played(path, start, 8.0)) < ECHO_CORRELATION
            for path in paths.values() for start in (120_000, 180_000, 240_000)]
    assert any(lost)


def test_people_over_the_playback_are_not_taken_for_it() -> None:
    x = answer_16k()
    for i, (text, voice) in enumerate([("stop", "gmw/en"), ("next please", "en-us+f3"),
                                       ("is this serious", "gmw/en-us"), ("my calf is swollen and red", "en-us+m3"),
                                       ("I can't breathe", "gmw/en")]):
        samples, rate = synthesized(text, voice=voice, rate=150)
        person = resample(samples.astype(np.float64), rate, RATE) * 0.8
        start = 150_000 + 40_000 * i
        played = x[start + person.size + 800 - person.size - int(ECHO_LAG_S * RATE): start + person.size + 800]
        echo = through_the_room(x[start:start + person.size], i).astype(np.float64) * 0.3  # 10 dB under the person
        heard = np.clip(person + echo, -32768, 32767).astype(np.int16)
        assert echo_similarity(heard, played.astype(np.float32)) < ECHO_WITH_WORDS, text


def test_the_longest_utterance_of_our_own_voice_is_compared_with_what_was_played() -> None:
    # The player's history must hold the longest utterance plus the lag searched; with 8 s kept, an 8 s echo had
    # nothing to be compared with (similarity 0.0) and was acted on.
    player = Player(open_stream=lambda callback: SimpleNamespace(stop=lambda: None, close=lambda: None),
                    watchdog=False)
    player.enqueue(answer())
    out = np.zeros((player.blocksize, 1), np.float32)
    for _ in range(int(20 * TTS_RATE / player.blocksize)):  # 20 s of the answer through the output callback
        player._callback(out, player.blocksize, None, None)
    spoken = _Spoken(SimpleNamespace(player=player))
    longest = EndpointConfig().max_ms * RATE // 1000
    played = spoken.recent_audio(longest / RATE + ECHO_LAG_S)
    assert played.size >= longest + ECHO_LAG_S * RATE - RATE // 50
    came_back = played.astype(np.float64)[-longest - 800: -800]  # heard 50 ms after it was played
    heard = np.clip(came_back * 0.5 * 32767, -32768, 32767).astype(np.int16)
    assert echo_similarity(heard, played) >= ECHO_CORRELATION
