"""A speaker or microphone stream that stops calling back is replaced, and speech plays (or is heard) on the new one.

A stalled PortAudio stream cannot be produced on demand here (it follows an underrun under load), so the streams in
this test are stand-ins (``StandInStream``): they record the callback they are given, and the test plays the part
of the device by calling it, or not. The real streams' path runs in tests/test_e2e_voice.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from voice_guide.mic import Microphone
from voice_guide.speech_out import STALL_TICKS, Player


class StandInStream:
    """Stand-in for a started sounddevice OutputStream: the test decides when the device pulls audio."""

    def __init__(self, callback: Callable[..., None]) -> None:
        self.callback = callback
        self.aborted = self.closed = False

    def pull(self, frames: int = 441) -> np.ndarray:
        out = np.zeros((frames, 1), np.float32)
        self.callback(out, frames, None, None)
        return out[:, 0].copy()

    def abort(self) -> None:
        self.aborted = True

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _player() -> tuple[Player, list[StandInStream]]:
    streams: list[StandInStream] = []

    def open_stream(callback: Callable[..., None]) -> Any:
        streams.append(StandInStream(callback))
        return streams[-1]

    player = Player(open_stream=open_stream, watchdog=False)
    player.start()
    return player, streams


def test_a_stream_that_stops_calling_back_is_replaced_and_the_speech_plays_on():
    player, streams = _player()
    speech = np.linspace(0.1, 0.5, 2000, dtype=np.float32)
    player.enqueue(speech)
    first = streams[0].pull()  # the device plays one block, then stalls
    assert np.allclose(first, speech[:441])
    assert not player.check_stalled()  # this tick sees the block played
    for _ in range(STALL_TICKS - 1):  # quiet ticks, not yet enough
        assert not player.check_stalled()
    assert player.check_stalled() and player.reopened == 1 and len(streams) == 2
    for thread in player._retiring:
        thread.join(timeout=5)
    assert streams[0].aborted and streams[0].closed
    # The new stream carries on where the old one stopped; the old one, should it come back, plays silence.
    assert not np.any(streams[0].pull())
    assert np.allclose(streams[1].pull(), speech[441:882])
    assert player.busy()
    player.stop()


def test_a_healthy_or_idle_stream_is_never_replaced():
    player, streams = _player()
    for _ in range(3 * STALL_TICKS):  # nothing queued: a silent device is no fault
        assert not player.check_stalled()
    player.enqueue(np.full(441 * 40, 0.2, np.float32))
    for _ in range(3 * STALL_TICKS):  # the device keeps pulling between ticks
        streams[0].pull()
        assert not player.check_stalled()
    assert player.reopened == 0 and len(streams) == 1
    player.stop()
    for _ in range(3 * STALL_TICKS):  # stopped: never reopened
        assert not player.check_stalled()
    assert len(streams) == 1


def test_a_speaker_that_cannot_be_reopened_is_tried_again_on_the_next_tick():
    streams: list[StandInStream] = []
    fail = [False]

    def open_stream(callback: Callable[..., None]) -> Any:
        if fail[0]:
            raise OSError("device unplugged")
        streams.append(StandInStream(callback))
        return streams[-1]

    player = Player(open_stream=open_stream, watchdog=False)
    player.start()
    player.enqueue(np.full(2000, 0.2, np.float32))
    fail[0] = True
    for _ in range(STALL_TICKS - 1):
        player.check_stalled()
    try:
        player.check_stalled()
        raise AssertionError("reopening an unplugged speaker should have failed")
    except OSError:
        pass
    fail[0] = False
    assert player.check_stalled() and len(streams) == 2  # at once: there is no stream to wait for
    assert np.allclose(streams[1].pull(), 0.2)
    player.stop()


def test_a_microphone_that_stops_sending_audio_is_reopened_once():
    streams: list[StandInStream] = []
    working = [True]

    def open_stream(callback: Callable[..., None]) -> Any:
        streams.append(StandInStream(callback))
        if working[0]:
            callback(np.full(320, 7, np.int16).tobytes(), 320, None, None)  # a new stream delivers at once
        return streams[-1]

    mic = Microphone(open_stream=open_stream)
    mic.start()
    first = mic.read_or_reopen(timeout=0)
    assert first is not None and np.all(first == 7) and mic.reopened == 0
    # The device stops calling back: the next read finds nothing, and a new stream carries on.
    before = set(threading.enumerate())
    again = mic.read_or_reopen(timeout=0)
    for closer in set(threading.enumerate()) - before:  # the old stream is closed in a thread of its own
        closer.join(timeout=5)
    assert again is not None and np.all(again == 7)
    assert mic.reopened == 1 and len(streams) == 2 and streams[0].aborted and streams[0].closed
    # A microphone that sends nothing even when reopened: None, for the caller's one-line error.
    working[0] = False
    assert mic.read_or_reopen(timeout=0) is None and mic.reopened == 2
