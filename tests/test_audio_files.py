import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voice_guide.audio import AudioFileError, chunks, read_wav, rms_dbfs, write_wav
from voice_guide.matcher import default_model, match

ROOT = Path(__file__).resolve().parents[1]


def _tone(rate, freq=1000.0, seconds=0.5, amp=0.5, channels=1):
    t = np.arange(int(rate * seconds)) / rate
    x = amp * np.sin(2 * np.pi * freq * t)
    return np.repeat(x[:, None], channels, axis=1)


def _wav_bytes(frames, rate, *, tag=1, bits=16, extensible=False):
    """A hand-built RIFF/WAVE file (independent of the reader), any tag/bit depth, optional EXTENSIBLE."""
    frames = np.asarray(frames, dtype=np.float64)
    channels = frames.shape[1]
    flat = frames.reshape(-1)
    if tag == 3:
        data = flat.astype("<f4" if bits == 32 else "<f8").tobytes()
    elif bits == 8:
        data = np.clip(np.round(flat * 128 + 128), 0, 255).astype(np.uint8).tobytes()
    elif bits == 16:
        data = np.round(flat * 32767).astype("<i2").tobytes()
    elif bits == 24:
        ints = np.round(flat * 8388607).astype("<i4")
        data = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in ints)
    else:
        data = np.round(flat * 2147483647).astype("<i4").tobytes()
    block = channels * bits // 8
    if extensible:
        guid = struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, 0) + guid
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"LIST" + struct.pack("<I", 5) + b"abcde\x00"  # odd-sized chunk: pad byte must be skipped
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _peak_hz(x):
    spec = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(x.size)))
    return np.argmax(spec) * 16000 / x.size


FORMATS = [
    (16000, 1, 1, 16, False), (8000, 1, 1, 8, False), (44100, 2, 1, 16, False), (48000, 2, 1, 24, False),
    (22050, 1, 1, 32, False), (11025, 1, 3, 32, False), (96000, 2, 3, 64, False),
    (44100, 6, 1, 24, True), (48000, 2, 3, 32, True), (32000, 4, 1, 16, True),
]


@pytest.mark.parametrize(("rate", "channels", "tag", "bits", "ext"), FORMATS)
def test_every_format_reads_as_16k_mono_with_tone_intact(tmp_path, rate, channels, tag, bits, ext):
    path = tmp_path / "tone.wav"
    path.write_bytes(_wav_bytes(_tone(rate, channels=channels), rate, tag=tag, bits=bits, extensible=ext))
    x = read_wav(path)
    assert x.dtype == np.int16 and x.ndim == 1
    assert abs(x.size - 8000) <= 1
    assert abs(_peak_hz(x) - 1000) < 5
    level = rms_dbfs(x[500:-500])
    assert abs(level - 20 * np.log10(0.5 / np.sqrt(2))) < 0.3  # amplitude survives conversion and resampling


def test_downmix_averages_channels(tmp_path):
    frames = np.stack([_tone(16000)[:, 0], np.zeros(8000)], axis=1)
    path = tmp_path / "st.wav"
    path.write_bytes(_wav_bytes(frames, 16000))
    x = read_wav(path)
    assert abs(np.max(np.abs(x)) / 32768 - 0.25) < 0.01


def test_resampling_removes_content_above_new_nyquist(tmp_path):
    path = tmp_path / "hi.wav"
    path.write_bytes(_wav_bytes(_tone(48000, freq=11000), 48000))
    # 11 kHz cannot exist at 16 kHz and must not alias to 5 kHz (the edges hold the switch-on click).
    assert rms_dbfs(read_wav(path)[200:-200]) < -70


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox not installed")
@pytest.mark.parametrize("args", [
    ["-b", "8", "-e", "unsigned-integer"], ["-b", "24"], ["-b", "32", "-e", "floating-point"],
    ["-b", "64", "-e", "floating-point"], ["-e", "mu-law"], ["-e", "a-law"], ["-c", "3", "-b", "16"],
])
def test_files_written_by_sox(tmp_path, args):
    path = tmp_path / "sox.wav"
    subprocess.run(["sox", "-n", "-r", "22050", *args, str(path), "synth", "0.5", "sine", "440", "vol", "0.5"],
                   check=True)
    x = read_wav(path)
    assert abs(_peak_hz(x) - 440) < 5
    assert abs(rms_dbfs(x[500:-500]) - 20 * np.log10(0.5 / np.sqrt(2))) < 0.6


def _good(tmp_path):
    return _wav_bytes(_tone(16000), 16000)


BROKEN = {
    "empty": lambda good: b"",
    "text": lambda good: b"hello, this is not audio at all\n",
    "mp3": lambda good: b"ID3\x04\x00" + b"\x00" * 100,
    "truncated-data": lambda good: good[: len(good) // 2],
    "truncated-header": lambda good: good[:30],
    "riff-only": lambda good: good[:8],
    "no-samples": lambda good: _wav_bytes(np.zeros((0, 1)), 16000),
    "compressed": lambda good: good.replace(struct.pack("<HH", 1, 1), struct.pack("<HH", 2, 1), 1),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_files_raise_one_line_audio_file_error(tmp_path, kind):
    path = tmp_path / f"{kind}.wav"
    path.write_bytes(BROKEN[kind](_good(tmp_path)))
    with pytest.raises(AudioFileError) as info:
        read_wav(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(AudioFileError, match="no such file"):
        read_wav(tmp_path / "absent.wav")
    with pytest.raises(AudioFileError, match="directory"):
        read_wav(tmp_path)


def test_write_read_round_trip_and_chunks(tmp_path):
    x = (np.arange(-5000, 5000) * 3).astype(np.int16)
    write_wav(tmp_path / "r.wav", x, 16000)
    assert np.array_equal(read_wav(tmp_path / "r.wav"), x)
    parts = list(chunks(x, 3000))
    assert [len(p) for p in parts] == [6000, 6000, 6000, 2000]
    assert b"".join(parts) == x.astype("<i2").tobytes()
    assert rms_dbfs(np.zeros(10, np.int16)) == float("-inf")
    assert abs(rms_dbfs(np.full(100, 32767, np.int16))) < 0.01


def test_cli_transcribe_mixes_good_and_bad_files(tmp_path):
    from tests.speech_fixtures import speech_wav

    good = speech_wav(tmp_path, "stop", "stop")
    silent = tmp_path / "silent.wav"
    write_wav(silent, np.zeros(16000, np.int16), 16000)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    proc = subprocess.run(
        [sys.executable, "-m", "voice_guide", "transcribe", "--backend", "pocketsphinx", str(good), str(bad),
         str(silent), str(tmp_path / "missing.wav")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    path, transcript = lines[0].split("\t")[:2]
    assert path == str(good) and match(transcript, default_model()).intent == "stop", lines[0]  # "stop" or "stop it"
    assert lines[1] == f"{silent}\t(no speech)"
    assert len(lines) == 2
    assert "using pocketsphinx" in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("voice-guide: error:")]
    assert len(errors) == 2 and "bad.wav" in errors[0] and "missing.wav" in errors[1]
    assert "Traceback" not in proc.stderr
