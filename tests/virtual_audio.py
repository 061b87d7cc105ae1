"""Helpers for tests through the virtual microphone and speaker of ../shared/audio/virtual-audio.sh."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT.parent / "shared" / "audio" / "virtual-audio.sh"


_STARTED: dict[str, dict[str, str]] = {}


def audio_env() -> dict[str, str]:
    """The environment with virtual devices of this test run's own (an instance per process, so parallel
    runs never hear each other); skips the test, saying why, if they cannot run here."""
    if not SCRIPT.exists():
        pytest.skip(f"virtual audio script not found at {SCRIPT}")
    if shutil.which("paplay") is None:
        pytest.skip("pulseaudio-utils not installed (scripts/setup.sh installs it)")
    va_dir = f"/tmp/va-voice-guide-{os.getpid()}"
    if va_dir in _STARTED:
        return dict(_STARTED[va_dir])
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "VA_", "ALSA_CONFIG"))}
    base["VA_DIR"] = va_dir
    out = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60, env=base)
    if out.returncode != 0:
        pytest.skip(f"virtual audio did not start: {out.stderr.strip()[-200:]}")
    atexit.register(subprocess.run, ["bash", str(SCRIPT), "stop"], env=base, capture_output=True, timeout=30)
    env = dict(base)
    for line in out.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            env[key] = value.strip().strip("'\"")
    _STARTED[va_dir] = env
    return dict(env)


def play_into_mic(env: dict[str, str], wav: Path) -> None:
    """Play a WAV into the virtual microphone (blocking, like a person speaking)."""
    subprocess.run(["paplay", f"--device={env['VA_PULSE_MIC_FEED_SINK']}", str(wav)], env=env, check=True,
                   timeout=60)


@dataclass
class SpeakerRecording:
    """Records the virtual speaker (what the assistant said) at 16 kHz while it runs."""

    env: dict[str, str]
    path: Path
    proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SpeakerRecording:
        self.proc = subprocess.Popen(
            ["parecord", "--raw", f"--device={self.env['VA_PULSE_SPEAKER_MONITOR']}", "--format=s16le",
             "--rate=16000", "--channels=1", "--latency-msec=20"],
            stdout=self.path.open("wb"), env=self.env)
        time.sleep(0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def samples(self) -> np.ndarray:
        """Everything recorded so far."""
        return np.frombuffer(self.path.read_bytes(), dtype=np.int16)


@dataclass
class Assistant:
    """``voice-guide listen --json`` running on the virtual devices, its events collected as they come."""

    env: dict[str, str]
    args: list[str]
    events: list[dict[str, object]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Assistant:
        self.proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "listen", "--json", *self.args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                     cwd=ROOT)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        self.wait_for(lambda: any("listening" in line for line in self.stderr), 60, "the assistant to listen")
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.events.append(json.loads(line))

    def _read_err(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def wait_for(self, condition: object, timeout: float, what: str) -> None:
        """Poll until condition() is true."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if condition():  # type: ignore[operator]
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; events={self.events} stderr={''.join(self.stderr)[-800:]}")

    def intents(self) -> list[str]:
        """Intents heard so far."""
        return [str(e["intent"]) for e in self.events if e["event"] == "intent"]

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
