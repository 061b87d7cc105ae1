"""Synthesized test speech: real espeak-ng audio made at test time through voice_guide.tts_synth."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import numpy as np
import pytest

from voice_guide.asr.base import Final, NoSpeech, NotUnderstood
from voice_guide.audio import Int16Array, resample, to_int16, write_wav
from voice_guide.matcher import MatcherModel, match
from voice_guide.tts_synth import synthesize

# espeak-ng's output depends on everything it synthesized before in the process (internal state carries over: not
# the C library's random generator, reseeding which changed nothing; no API resets it), so test speech made in the
# test process changed with the tests that ran before, and with the timing of any retry. A synthesis process of its
# own, restarted for each test module (conftest.py), makes a module's speech the same on every run: a failure can be
# reproduced by running the module alone.
_worker: tuple[BaseProcess, Connection] | None = None


@dataclass(frozen=True)
class Voice:
    id: str
    rate: int
    volume: float


VOICES = (
    Voice("gmw/en-us", 150, 1.0),
    Voice("gmw/en-us+f3", 140, 0.8),
    Voice("gmw/en-gb-x-rp", 160, 1.0),
    Voice("gmw/en-us+m3", 130, 0.5),
)
PAD_SECONDS = 0.4  # recordings have silence around speech; espeak output has almost none


def _serve(conn: Connection) -> None:
    """The synthesis process: one request at a time until the pipe closes."""
    while True:
        try:
            text, voice, rate, volume = conn.recv()
        except EOFError:
            return
        try:
            samples, sample_rate = synthesize(text, voice=voice, rate=rate, volume=volume)
            conn.send((samples.tobytes(), sample_rate, ""))
        except Exception as exc:  # noqa: BLE001 - reported to the test process, which raises it
            conn.send((b"", 0, f"{type(exc).__name__}: {exc}"))


def synthesized(
    text: str, voice: str | None = None, rate: int | None = None, volume: float | None = None
) -> tuple[Int16Array, int]:
    """tts_synth.synthesize, run in this test module's own synthesis process (see above)."""
    global _worker
    if _worker is None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        _worker = (process, ours)
    conn = _worker[1]
    conn.send((text, voice, rate, volume))
    data, sample_rate, error = conn.recv()
    if error:
        raise RuntimeError(f"synthesis of {text!r} failed: {error}")
    return np.frombuffer(data, dtype=np.int16).copy(), sample_rate


def fresh_synthesis() -> None:
    """End the synthesis process, so that the next synthesis starts from espeak-ng's initial state."""
    global _worker
    if _worker is None:
        return
    process, conn = _worker
    _worker = None
    conn.close()  # the process's recv() ends with EOFError
    process.join(timeout=10)
    if process.is_alive():
        process.kill()
        process.join()


def speech(text: str, voice: Voice = VOICES[0], snr_db: float | None = None, seed: int = 0) -> Int16Array:
    """text spoken at 16 kHz with silence around it; white noise at snr_db (relative to the speech) if given.

    Without snr_db a faint noise floor (about -64 dBFS) is added: real microphones are never digitally silent.
    """
    samples, rate = synthesized(text, voice=voice.id, rate=voice.rate, volume=voice.volume)
    x = resample(samples.astype(np.float64) / 32768.0, rate)
    pad = np.zeros(int(PAD_SECONDS * 16000))
    y = np.concatenate([pad, x, pad])
    rng = np.random.default_rng(seed)
    if snr_db is None:
        noise_rms = 20 / 32768.0
    else:
        speech_power = float(np.mean(x**2))
        noise_rms = float(np.sqrt(speech_power / 10 ** (snr_db / 10)))
    return to_int16(y + rng.normal(0.0, noise_rms, y.size))


def speech_wav(tmp: Path, name: str, text: str, voice: Voice = VOICES[0], snr_db: float | None = None) -> Path:
    """speech() written to tmp/name.wav."""
    path = tmp / f"{name}.wav"
    write_wav(path, speech(text, voice, snr_db), 16000)
    return path


def intent_heard(outcome: Final | NoSpeech | NotUnderstood, model: MatcherModel) -> str:
    """The intent the matcher finds in a recognizer's outcome; "none" when nothing was understood."""
    return match(outcome.text, model).intent if isinstance(outcome, Final) else "none"


def right_by_cli(tmp: Path, recordings: list[tuple[Int16Array, str]]) -> tuple[int, list[str]]:
    """(how many the real CLI, `understand --json`, heard as the wanted intent; what it heard) for (samples, intent)."""
    files = []
    for i, (samples, _) in enumerate(recordings):
        files.append(tmp / f"recording{i}.wav")
        write_wav(files[-1], samples, 16000)
    proc = subprocess.run([sys.executable, "-m", "voice_guide", "understand", "--json", "--backend", "pocketsphinx",
                           *map(str, files)], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    heard = [json.loads(line)["intent"] for line in proc.stdout.splitlines()]
    return sum(h == want for h, (_, want) in zip(heard, recordings, strict=True)), heard


def right_with_and_without(recordings: list[tuple[Int16Array, str]], step: str,
                           monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """How many (samples, intent) recordings the file path hears right, as it is and with recognize_files.<step> (a
    cleaning step: samples in, samples out) taken out: the counter-check of a cleaning step."""
    from voice_guide import recognize_files
    from voice_guide.asr.base import detect_backend, load_recognizer
    from voice_guide.matcher import default_model

    recognizer = load_recognizer(detect_backend(), wake_phrase="")
    model = default_model()

    def right() -> int:
        outcomes = [recognize_files.recognize_samples(x, recognizer) for x, _ in recordings]
        return sum(intent_heard(o, model) == want for o, (_, want) in zip(outcomes, recordings, strict=True))

    with_step = right()
    monkeypatch.setattr(recognize_files, step, lambda samples: samples)
    return with_step, right()


def intents_heard_by_listen(wav: Path, config_home: Path) -> list[str]:
    """The intents the real live loop (`voice-guide listen --wav`, always listening, silent) acted on, in order."""
    proc = subprocess.run(
        [sys.executable, "-m", "voice_guide", "listen", "--wav", str(wav), "--json", "--no-speak", "--always-listen",
         "--no-diary", "--backend", "pocketsphinx"],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], timeout=120,
        env={**os.environ, "XDG_CONFIG_HOME": str(config_home)},
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return [e["intent"] for e in events if e.get("event") == "intent"]
