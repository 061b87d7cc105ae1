"""Audio in: the microphone through sounddevice (callback only queues bytes) or a WAV file, as 16 kHz chunks."""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import UserError

RATE = 16000
CHUNK = 320  # 20 ms: short enough for barge-in, long enough for cheap callbacks


def _sd() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise UserError(f"audio devices need sounddevice and PortAudio ({exc}); "
                        "run: apt-get install libportaudio2 && pip install 'voice-guide[speech]'") from None
    return sounddevice


def list_devices() -> list[dict[str, Any]]:
    """Every audio device PortAudio sees, with its index, name and channel counts."""
    sd = _sd()
    return [dict(d, index=i) for i, d in enumerate(sd.query_devices())]


def _names(kind: str) -> str:
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    found = [f"{d['index']}: {d['name']}" for d in list_devices() if d[key] > 0]
    return ", ".join(found) if found else "none"


def resolve_device(spec: str | None, kind: str) -> int | str | None:
    """Turn ``--input-device``/``--output-device`` (index or name part) into a device; clear error if absent."""
    sd = _sd()
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    devices = list_devices()
    if not any(d[key] > 0 for d in devices):
        raise UserError(f"no audio {kind} device found (devices: {_names('input' if kind == 'output' else 'output')}"
                        f"); connect a {'microphone' if kind == 'input' else 'speaker'}, or try 'voice-guide demo'")
    if spec in (None, ""):
        try:
            default = sd.default.device[0 if kind == "input" else 1]
        except (TypeError, IndexError):
            default = None
        if default is None or default < 0:
            raise UserError(f"no default audio {kind} device; choose one with --{kind}-device ({_names(kind)})")
        return None
    assert spec is not None
    if spec.isdigit():
        index = int(spec)
        if index < len(devices) and devices[index][key] > 0:
            return index
    else:
        matches = [d["index"] for d in devices if spec.lower() in str(d["name"]).lower() and d[key] > 0]
        if matches:
            return int(matches[0])
    raise UserError(f"no audio {kind} device {spec!r}; {kind} devices found: {_names(kind)}")


class Microphone:
    """Live 16 kHz mono int16 chunks from an input device; the PortAudio callback only queues bytes."""

    def __init__(self, device: int | str | None = None, chunk: int = CHUNK,
                 open_stream: Callable[[Callable[..., None]], Any] | None = None) -> None:
        self.device = device
        self.chunk = chunk
        self.queue: queue.Queue[bytes] = queue.Queue()
        self.overflows = 0
        self.reopened = 0
        """Times a stream that stopped sending audio was replaced (read_or_reopen)."""
        self._open_stream = open_stream
        """Opens and starts an input stream calling back the given function (None: sounddevice on device)."""
        self._stream: Any = None

    def _callback(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        self.queue.put(bytes(indata))

    def start(self) -> None:
        """Open the input stream."""
        if self._open_stream is not None:
            self._stream = self._open_stream(self._callback)
            return
        sd = _sd()
        try:
            # Low latency: every millisecond of buffering here is added to the reply and barge-in times.
            self._stream = sd.RawInputStream(samplerate=RATE, blocksize=self.chunk, device=self.device, latency="low",
                                             channels=1, dtype="int16", callback=self._callback)
            self._stream.start()
        except Exception as exc:  # PortAudio raises its own error types; all mean "cannot open"
            raise UserError(f"cannot open the microphone ({exc}); input devices: {_names('input')}") from None

    def stop(self) -> None:
        """Close the input stream."""
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def read(self, timeout: float | None = None) -> npt.NDArray[np.int16] | None:
        """The next chunk, or None if none arrives within timeout."""
        try:
            return np.frombuffer(self.queue.get(timeout=timeout), dtype=np.int16)
        except queue.Empty:
            return None

    def read_or_reopen(self, timeout: float) -> npt.NDArray[np.int16] | None:
        """The next chunk; when none comes within timeout, the stream is reopened once and read again.

        PortAudio's ALSA path can stop calling back after an xrun, as the speaker's can (speech_out.STALL_TICKS):
        a new stream on the same device carries on. None: the new stream sent nothing either.
        """
        chunk = self.read(timeout)
        if chunk is not None:
            return chunk
        old, self._stream = self._stream, None
        if old is not None:
            threading.Thread(target=close_quietly, args=(old,), daemon=True).start()  # can block on the stuck device
        self.start()
        self.reopened += 1
        print("voice-guide: the microphone stopped sending audio; reopened it", file=sys.stderr)
        return self.read(timeout)


def close_quietly(stream: Any) -> None:
    """Abort and close a stream that stopped working, ignoring what the stuck device says."""
    with contextlib.suppress(Exception):
        stream.abort()
    with contextlib.suppress(Exception):
        stream.close()


def wav_chunks(path: Path, chunk: int = CHUNK) -> Iterator[npt.NDArray[np.int16]]:
    """A WAV file as the same chunks the microphone gives (any format, resampled to 16 kHz mono)."""
    from .audio import read_wav

    samples = read_wav(path)
    for start in range(0, samples.size, chunk):
        yield samples[start:start + chunk]
