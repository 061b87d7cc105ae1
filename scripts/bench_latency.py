"""Latency of the hands-free loop through the virtual microphone and speaker (../shared/audio).

Measures, with `voice-guide listen --json --always-listen` running on the virtual devices:
- reply latency: last sample of the user's speech -> first audible sample of the reply (median, p95),
  on one timeline: the microphone feed is looped into the speaker sink, so one recording of the speaker
  holds both the request and the reply;
- barge-in: onset of "stop" -> the assistant's speech silent (same timeline);
- cold start: process start -> "listening" on stderr (median of runs);
- peak resident memory (VmHWM) of the assistant.

With --noise-db, white noise plays into the microphone the whole time, at that SNR against the requests' speech:
the loop's noisy room (noise filter on, longer end-of-speech wait for anything but an escalation). The noise also
reaches the one timeline, so only the loop's own count of the reply latency is reported then.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.virtual_audio import Assistant, audio_env  # noqa: E402
from voice_guide.audio import read_wav, resample, write_wav  # noqa: E402
from voice_guide.tts_synth import synthesize  # noqa: E402

REQUESTS = ["help", "what causes leg cramps", "is this serious", "what about calcium", "how can I prevent leg cramps",
            "stop", "slower", "louder", "softer", "faster"]
RATE = 16000
LEAD_S = 0.3  # silence before the words in each request WAV
THRESHOLD = 600  # int16 amplitude that counts as audible
REPLY_LINE = re.compile(r"reply after (?P<reply>\d+) ms \(end-of-speech wait (?P<wait>\d+) ms\)")


def make_wav(tmp: Path, name: str, text: str) -> tuple[Path, float]:
    samples, rate = synthesize(text, rate=150)
    x = resample(samples.astype(np.float64) / 32768, rate, RATE)
    y = np.concatenate([np.zeros(int(LEAD_S * RATE)), x, np.zeros(int(0.2 * RATE))])
    y = y + np.random.default_rng(1).normal(0, 0.0006, y.size)
    path = tmp / f"{name}.wav"
    write_wav(path, np.clip(y, -1, 1), RATE)
    return path, x.size / RATE


def speech_rms(wavs: dict[str, tuple[Path, float]]) -> float:
    """RMS of the requests' speech (full scale 1.0): the words of each WAV make_wav wrote, without its padding."""
    powers = []
    for path, seconds in wavs.values():
        x = read_wav(path).astype(np.float64) / 32768
        start = int(LEAD_S * RATE)
        powers.append(float(np.mean(x[start:start + int(seconds * RATE)] ** 2)))
    return float(np.sqrt(np.mean(powers)))


def play_noise(env: dict[str, str], tmp: Path, rms: float, stop: threading.Event) -> threading.Thread:
    """White noise at rms into the microphone, looped until stop is set."""
    path = tmp / "noise.wav"
    write_wav(path, np.clip(np.random.default_rng(2).normal(0, rms, 30 * RATE), -1, 1), RATE)

    def loop() -> None:
        while not stop.is_set():
            player = subprocess.Popen(["paplay", f"--device={env['VA_PULSE_MIC_FEED_SINK']}", str(path)], env=env)
            while player.poll() is None:
                if stop.wait(0.2):
                    player.terminate()
            player.wait()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def segments(x: np.ndarray, gap_s: float = 0.25) -> list[tuple[float, float]]:
    """Audible stretches of a recording, in seconds, split at gaps longer than gap_s."""
    frame = 160
    loud = np.array([np.abs(x[i:i + frame]).max(initial=0) > THRESHOLD for i in range(0, x.size, frame)])
    out, start, quiet = [], None, 0
    for i, on in enumerate(loud):
        t = i * frame / RATE
        if on:
            if start is None:
                start = t
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * frame / RATE >= gap_s:
                out.append((start, t - quiet * frame / RATE))
                start, quiet = None, 0
    if start is not None:
        out.append((start, x.size / RATE))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=2, help="times through the request list (10 each)")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--noise-db", type=float, default=None,
                    help="play white noise into the microphone throughout, at this SNR (dB) against the speech")
    args = ap.parse_args()
    env = audio_env()
    tmp = Path(tempfile.mkdtemp(prefix="vg-latency-"))
    cfg = tmp / "cfg" / "voice-guide"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text("[timings]\nlisten_seconds = 60.0\n")
    env["XDG_CONFIG_HOME"] = str(tmp / "cfg")
    env["XDG_DATA_HOME"] = str(tmp / "data")
    if os.environ.get("BENCH_PULSE_LATENCY_MSEC"):
        env["PULSE_LATENCY_MSEC"] = os.environ["BENCH_PULSE_LATENCY_MSEC"]
    # One timeline: what is played into the microphone also reaches the speaker sink (fixed 1 ms path).
    loop_mod = subprocess.run(["pactl", "load-module", "module-loopback",
                               f"source={env['VA_PULSE_MIC_FEED_SINK']}.monitor",
                               f"sink={env['VA_PULSE_SPEAKER_SINK']}", "latency_msec=1"], env=env,
                              capture_output=True, text=True, check=True).stdout.strip()
    latencies: list[float] = []
    internal: list[float] = []
    waits: list[float] = []
    barge: list[float] = []
    cold: list[float] = []
    rss_kb = 0
    reopened = 0
    stop_noise = threading.Event()
    try:
        for _ in range(args.cold_runs):
            start = time.monotonic()
            with Assistant(env, ["--always-listen"]) as a:
                cold.append(time.monotonic() - start)
        wavs = {t: make_wav(tmp, f"r{i}", t) for i, t in enumerate(REQUESTS)}
        if args.noise_db is not None:
            noise_rms = speech_rms(wavs) / 10 ** (args.noise_db / 20)
            play_noise(env, tmp, noise_rms, stop_noise)
            time.sleep(1.0)
        rec_path = tmp / "timeline.raw"
        rec = subprocess.Popen(["parecord", "--raw", f"--device={env['VA_PULSE_SPEAKER_MONITOR']}",
                                "--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=10"],
                               stdout=rec_path.open("wb"), env=env)
        time.sleep(0.5)
        with Assistant(env, ["--always-listen"]) as a:
            for _ in range(args.rounds):
                for text in REQUESTS:
                    wav, speech_s = wavs[text]
                    before = rec_path.stat().st_size // 2
                    n_events = len(a.events)
                    subprocess.run(["paplay", f"--device={env['VA_PULSE_MIC_FEED_SINK']}", str(wav)], env=env,
                                   check=True)
                    try:
                        a.wait_for(lambda n=n_events: any(e["event"] == "say" for e in a.events[n:]), 15, "a reply")
                    except AssertionError:
                        continue  # not recognised: no reply to time
                    lines = len(a.stderr)
                    time.sleep(2.5)
                    own = [m for ln in a.stderr[lines - 3:] if (m := REPLY_LINE.search(ln))]
                    if own:
                        internal.append(int(own[-1]["reply"]) / 1000)
                        waits.append(int(own[-1]["wait"]) / 1000)
                    x = np.frombuffer(rec_path.read_bytes(), dtype=np.int16)[before:]
                    segs = segments(x)
                    if len(segs) >= 2:
                        user_end = segs[0][1]
                        reply_start = next((s for s, _ in segs[1:] if s > user_end), None)
                        if reply_start is not None:
                            latencies.append(reply_start - user_end)
                    a.wait_for(lambda: True, 0.1, "")
                    time.sleep(max(0.0, 6.0 if "cause" in text or "prevent" in text else 0.5))
            # Barge-in: "stop" over the long causes answer.
            for _ in range(args.rounds * 2):
                n_events = len(a.events)
                causes_wav = wavs["what causes leg cramps"][0]
                subprocess.run(["paplay", f"--device={env['VA_PULSE_MIC_FEED_SINK']}", str(causes_wav)],
                               env=env, check=True)
                try:
                    a.wait_for(lambda n=n_events: any(e.get("key") == "answer.causes" for e in a.events[n:]), 15,
                               "the answer")
                except AssertionError:
                    time.sleep(3.0)
                    continue
                time.sleep(3.0)
                lines = len(a.stderr)
                stop_wav, _ = wavs["stop"]
                subprocess.run(["paplay", f"--device={env['VA_PULSE_MIC_FEED_SINK']}", str(stop_wav)], env=env,
                               check=True)
                time.sleep(2.0)
                cut = [ln for ln in a.stderr[lines:] if "barge-in after" in ln]
                if cut:
                    # Onset -> cut is counted in microphone samples by the loop; the device then plays out
                    # at most one 20 ms block plus PortAudio's reported output latency (34.8 ms here).
                    barge.append(int(cut[0].split("after ")[1].split(" ms")[0]) / 1000 + 0.020 + 0.035)
                time.sleep(3.0)
            assert a.proc is not None
            reopened = sum("speaker stopped responding" in line for line in a.stderr)
            status = Path(f"/proc/{a.proc.pid}/status").read_text()
            rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        rec.terminate()
    finally:
        stop_noise.set()
        subprocess.run(["pactl", "unload-module", loop_mod], env=env, check=False)

    def p95(v: list[float]) -> float:
        return float(np.percentile(v, 95)) if v else float("nan")

    if args.noise_db is not None:
        print(f"white noise in the microphone at {args.noise_db:g} dB SNR; {len(internal)} of "
              f"{args.rounds * len(REQUESTS)} requests answered and timed")
    else:
        print(f"reply latency (end of speech -> first reply audio): median "
              f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95(latencies) * 1000:.0f} ms over "
              f"{len(latencies)} requests")
    if internal:
        print(f"  the loop's own count (end of speech, in mic samples -> reply audio handed to the device): "
              f"median {statistics.median(internal) * 1000:.0f} ms, p95 {p95(internal) * 1000:.0f} ms")
    if waits:
        pairs = list(zip(internal, waits, strict=True))
        early = [i for i, w in pairs if w < 0.3]
        late = [i for i, w in pairs if w >= 0.3]

        def med(v: list[float]) -> float:
            return statistics.median(v) * 1000 if v else float("nan")

        print(f"  end-of-speech wait: {len(early)} of {len(pairs)} replies ended early (phrase complete, 200 ms), "
              f"the rest after 450 ms of silence; loop's own count: early median {med(early):.0f} ms, "
              f"late median {med(late):.0f} ms")
    if barge:
        print(f"barge-in ('stop' onset -> silence): median {statistics.median(barge) * 1000:.0f} ms, "
              f"max {max(barge) * 1000:.0f} ms over {len(barge)} of {args.rounds * 2} tries")
    else:
        print("barge-in: 'stop' was never recognised while speaking")
    if cold:
        print(f"cold start (process start -> listening): median {statistics.median(cold):.2f} s over {len(cold)} runs")
    print(f"peak resident memory: {rss_kb / 1024:.0f} MB")
    print(f"speaker stream replaced by the stall watchdog: {reopened} times")
    return 0


if __name__ == "__main__":
    sys.exit(main())
