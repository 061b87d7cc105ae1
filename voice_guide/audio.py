"""WAV reading (any common layout, resampled to 16 kHz mono int16), writing, chunking and levels."""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .errors import UserError

TARGET_RATE = 16000
"""The one sample rate every recognizer here is fed (both engines' models are 16 kHz)."""

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float64]

# WAVE format tags (mmreg.h); EXTENSIBLE carries the real tag in the first two bytes of its sub-format GUID.
_PCM, _IEEE_FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE
# The GUID tail shared by every KSDATAFORMAT_SUBTYPE_* that maps back to a plain format tag.
_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
# Writers streaming to a pipe cannot seek back to fill in the size, so they leave this placeholder.
_UNKNOWN_SIZE = 0xFFFFFFFF

_CONVERT_HINT = "convert it with e.g. `sox IN -r 16000 -c 1 -b 16 OUT.wav`"


class AudioFileError(UserError):
    """A file that cannot be read as audio; the message names the file and what is wrong."""


@dataclass(frozen=True)
class WavFormat:
    """What a WAV file's ``fmt`` chunk declares (after resolving WAVE_FORMAT_EXTENSIBLE)."""

    format_tag: int
    channels: int
    sample_rate: int
    block_align: int
    bits_per_sample: int

    @property
    def container_bytes(self) -> int:
        """Bytes one sample of one channel occupies (24-bit-in-32 and similar use the container size)."""
        return self.block_align // self.channels


def _sniff(head: bytes) -> str | None:
    """Name a common non-WAV format from its magic bytes, for a more useful error."""
    signatures = (
        (b"ID3", "an MP3 file"), (b"OggS", "an Ogg file"), (b"fLaC", "a FLAC file"),
        (b"FORM", "an AIFF file"), (b"caff", "a CAF file"), (b"\x1aE\xdf\xa3", "a WebM/Matroska file"),
        (b"RIFX", "a big-endian RIFX file"), (b"RF64", "an RF64 (over 4 GB) WAV file"),
        (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
        (b"PK\x03\x04", "a ZIP archive"),
    )
    for magic, name in signatures:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "an MP4/M4A file"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "an MP3/AAC stream"
    return None


def _parse_fmt(body: bytes, name: str) -> WavFormat:
    if len(body) < 16:
        raise AudioFileError(f"{name}: broken WAV header (fmt chunk is {len(body)} bytes, needs 16)")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _EXTENSIBLE:
        if len(body) < 40:
            raise AudioFileError(f"{name}: broken WAV header (WAVE_FORMAT_EXTENSIBLE fmt chunk too short)")
        sub_format = body[24:40]
        if sub_format[2:] != _GUID_TAIL:
            raise AudioFileError(f"{name}: unsupported WAVE_FORMAT_EXTENSIBLE sub-format; {_CONVERT_HINT}")
        tag = struct.unpack("<H", sub_format[:2])[0]
    if channels == 0 or rate == 0 or block_align == 0 or block_align % channels:
        raise AudioFileError(
            f"{name}: broken WAV header ({channels} channels, {rate} Hz, block align {block_align})"
        )
    fmt = WavFormat(tag, channels, rate, block_align, bits)
    supported = {
        _PCM: (1, 2, 3, 4), _IEEE_FLOAT: (4, 8), _ALAW: (1,), _MULAW: (1,),
    }
    if tag not in supported:
        raise AudioFileError(f"{name}: compressed WAV (format tag 0x{tag:04x}) is not supported; {_CONVERT_HINT}")
    if fmt.container_bytes not in supported[tag]:
        raise AudioFileError(
            f"{name}: unsupported sample size ({fmt.container_bytes * 8}-bit container, tag 0x{tag:04x}); "
            f"{_CONVERT_HINT}"
        )
    return fmt


def _g711_table(mu_law: bool) -> FloatArray:
    """Decode all 256 G.711 byte values to floats in [-1, 1] (ITU-T G.711 segment/mantissa layout)."""
    codes = np.arange(256, dtype=np.int64)
    if mu_law:
        inv = ~codes & 0xFF
        sign = np.where(inv & 0x80, -1, 1)
        exponent = (inv >> 4) & 0x07
        mantissa = inv & 0x0F
        magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
        return (sign * magnitude / 32768.0).astype(np.float64)
    val = codes ^ 0x55
    sign = np.where(val & 0x80, 1, -1)
    exponent = (val >> 4) & 0x07
    mantissa = val & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent - 1))
    return (sign * magnitude / 32768.0).astype(np.float64)


def _decode_samples(raw: bytes, fmt: WavFormat) -> FloatArray:
    """Interleaved sample bytes -> float64 array of shape (frames, channels), full scale = 1.0."""
    width = fmt.container_bytes
    n_frames = len(raw) // fmt.block_align
    raw = raw[: n_frames * fmt.block_align]  # a torn last frame is dropped, not misread
    if fmt.format_tag == _IEEE_FLOAT:
        data = np.frombuffer(raw, dtype="<f4" if width == 4 else "<f8").astype(np.float64)
        # Float files may legally hold NaN/inf or exceed full scale; neither may reach the decoder.
        data = np.clip(np.nan_to_num(data, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    elif fmt.format_tag in (_ALAW, _MULAW):
        data = _g711_table(fmt.format_tag == _MULAW)[np.frombuffer(raw, dtype=np.uint8)]
    elif width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0  # 8-bit is unsigned
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints & 0x800000, ints - 0x1000000, ints)
        data = ints.astype(np.float64) / 8388608.0
    else:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    return data.reshape(n_frames, fmt.channels)


def decode_wav(data: bytes, name: str = "<audio>") -> tuple[FloatArray, int]:
    """Parse RIFF/WAVE bytes into (float64 frames x channels, sample rate); raises AudioFileError."""
    if not data:
        raise AudioFileError(f"{name}: file is empty")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        what = _sniff(data[:16])
        if what:
            raise AudioFileError(f"{name}: this is {what}, not a WAV file; {_CONVERT_HINT}")
        if len(data) < 12 and b"RIFF".startswith(data[:4]):
            raise AudioFileError(f"{name}: truncated WAV file ({len(data)} bytes)")
        raise AudioFileError(f"{name}: not a WAV file (no RIFF/WAVE header)")
    fmt: WavFormat | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body_start = pos + 8
        if chunk_id == b"fmt ":
            if body_start + size > len(data):
                raise AudioFileError(f"{name}: truncated WAV file (cut off inside the format header)")
            fmt = _parse_fmt(data[body_start : body_start + size], name)
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioFileError(f"{name}: broken WAV file (audio data before the format header)")
            available = len(data) - body_start
            if size == _UNKNOWN_SIZE:
                size = available
            elif size > available:
                raise AudioFileError(
                    f"{name}: truncated WAV file (header promises {size} bytes of audio, only {available} present)"
                )
            frames = _decode_samples(data[body_start : body_start + size], fmt)
            if frames.shape[0] == 0:
                raise AudioFileError(f"{name}: WAV file contains no audio")
            return frames, fmt.sample_rate
        pos = body_start + size + (size & 1)  # RIFF chunks are padded to an even length
    if fmt is None:
        raise AudioFileError(f"{name}: broken or truncated WAV file (no format header)")
    raise AudioFileError(f"{name}: truncated WAV file (no audio data chunk)")


def _resample_kernel(up: int, down: int, zero_crossings: int = 16, rolloff: float = 0.9) -> FloatArray:
    """Kaiser-windowed sinc low-pass, one row of taps per output phase (polyphase form).

    The cut-off sits at ``rolloff`` x the lower Nyquist frequency so the transition band lies below it
    and aliasing is suppressed by the Kaiser window's stop band (beta 8.6, about -80 dB).
    """
    cutoff = rolloff * min(1.0, up / down)  # in units of the input Nyquist frequency
    half_width = zero_crossings / cutoff  # kernel half-length, in input samples
    taps = int(math.ceil(half_width)) * 2 + 1
    # Output sample n sits at input position n*down/up; only its fractional part (phase/up) varies.
    phases = np.arange(up, dtype=np.float64)[:, None] / up
    offsets = np.arange(taps, dtype=np.float64)[None, :] - (taps // 2)
    t = offsets - phases  # distance from each tap to the output position, in input samples
    # The window is evaluated at each tap's true distance t, so every phase's kernel stays centred.
    edge = half_width + 1.0
    window = np.i0(8.6 * np.sqrt(np.clip(1.0 - (t / edge) ** 2, 0.0, None))) / np.i0(8.6)
    out: FloatArray = cutoff * np.sinc(cutoff * t) * window
    return out


def resample(samples: FloatArray, rate: int, target: int = TARGET_RATE) -> FloatArray:
    """Band-limited rational resampling of a 1-D float signal (polyphase windowed sinc, numpy only)."""
    if rate == target or samples.size == 0:
        return samples
    g = math.gcd(rate, target)
    up, down = target // g, rate // g
    kernel = _resample_kernel(up, down)
    taps = kernel.shape[1]
    half = taps // 2
    padded = np.concatenate([np.zeros(half), samples, np.zeros(half + 1)])
    n_out = (samples.size * up) // down
    out = np.empty(n_out, dtype=np.float64)
    block = max(1, (1 << 20) // taps)  # bounded memory for the gathered (block x taps) window
    tap_idx = np.arange(taps)
    for start in range(0, n_out, block):
        n = np.arange(start, min(start + block, n_out), dtype=np.int64)
        base = (n * down) // up  # input index at or before the output position
        phase = (n * down) % up
        windows = padded[base[:, None] + tap_idx[None, :]]  # padded[base + half] is samples[base]
        out[start : start + n.size] = np.einsum("ij,ij->i", windows, kernel[phase])
    return out


def to_int16(samples: FloatArray) -> Int16Array:
    """Float samples (full scale 1.0) -> int16, rounded and clipped."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def read_wav(path: str | Path, target_rate: int = TARGET_RATE) -> Int16Array:
    """Read any PCM/float/G.711 WAV (any rate, any channel count) as mono int16 at target_rate.

    Raises AudioFileError (a UserError) naming the file for anything that is not readable audio.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise AudioFileError(f"{path}: is a directory, not a WAV file") from None
    except FileNotFoundError:
        raise AudioFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise AudioFileError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    frames, rate = decode_wav(data, str(path))
    mono = frames.mean(axis=1) if frames.shape[1] > 1 else frames[:, 0]
    return to_int16(resample(mono, rate, target_rate))


def write_wav(path: str | Path, samples: npt.NDArray[np.integer] | npt.NDArray[np.floating], rate: int) -> None:
    """Write 16-bit PCM WAV; samples are int16 or float in [-1, 1], 1-D (mono) or (frames, channels)."""
    arr = np.asarray(samples)
    if arr.dtype.kind == "f":
        arr = to_int16(arr.astype(np.float64))
    arr = arr.astype("<i2")
    channels = 1 if arr.ndim == 1 else arr.shape[1]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(arr.tobytes())


def chunks(samples: Int16Array, chunk_samples: int) -> Iterator[bytes]:
    """Yield consecutive little-endian s16 byte blocks of chunk_samples (the last may be shorter)."""
    if chunk_samples <= 0:
        raise ValueError("chunk_samples must be positive")
    pcm = np.asarray(samples, dtype="<i2")
    for start in range(0, pcm.size, chunk_samples):
        yield pcm[start : start + chunk_samples].tobytes()


def rms_dbfs(samples: Int16Array | bytes) -> float:
    """Root-mean-square level relative to int16 full scale, in dBFS; -inf for silence or no samples."""
    arr = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) else np.asarray(samples)
    if arr.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(arr.astype(np.float64)))))
    return 20.0 * math.log10(rms / 32768.0) if rms > 0 else float("-inf")


def frame_levels(samples: Int16Array, frame: int = 320) -> list[float]:
    """Levels (dBFS) of consecutive frames (20 ms at 16 kHz by default); a shorter last frame included."""
    return [rms_dbfs(samples[i : i + frame]) for i in range(0, samples.size, frame)]


NARROWBAND_BELOW_DB = -55.0
"""A recording whose loudest frames hold this little energy at 4.3-7.5 kHz, against 0.3-3.7 kHz, was recorded at
8 kHz (a phone's recorder, a Bluetooth headset's call mode) and brought back to 16 kHz. Measured on held-out
sentences in espeak-ng, MBROLA, Pico and Flite voices, clean and at 10 and 5 dB SNR: 1,983 recorded at 16 kHz
-49 to -2 dB; the same recorded at 8 kHz (or in the telephone band) and resampled as read_wav does, 3,966
recordings: -89 to -58 dB."""
_BAND_FRAME = 512


def high_band_db(samples: Int16Array) -> float:
    """Energy at 4.3-7.5 kHz against 0.3-3.7 kHz (dB) in the loudest 30 % of 32 ms frames (16 kHz audio)."""
    count = samples.size // _BAND_FRAME
    if count == 0:
        return 0.0
    frames = samples[: count * _BAND_FRAME].astype(np.float64).reshape(count, _BAND_FRAME) * np.hanning(_BAND_FRAME)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(_BAND_FRAME, 1 / TARGET_RATE)
    energy = power.sum(axis=1)
    loud = power[energy >= np.percentile(energy, 70)]
    high = float(loud[:, (freqs > 4300) & (freqs < 7500)].sum())
    low = float(loud[:, (freqs > 300) & (freqs < 3700)].sum())
    return 10.0 * math.log10((high + 1e-9) / (low + 1e-9))


def is_narrowband(samples: Int16Array) -> bool:
    """Whether a 16 kHz recording was made at 8 kHz: nothing above 4 kHz (see NARROWBAND_BELOW_DB)."""
    return high_band_db(samples) < NARROWBAND_BELOW_DB
