"""End to end through real audio devices: synthesized speech into the virtual microphone, the assistant's
reply recorded from the virtual speaker and transcribed with the recognizer."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from voice_guide.audio import resample, write_wav
from voice_guide.endpoint import Endpointer

from .speech_fixtures import synthesized
from .virtual_audio import Assistant, SpeakerRecording, audio_env, play_into_mic

pytestmark = pytest.mark.e2e


def spoken(tmp: Path, name: str, text: str, voice: str | None = None) -> Path:
    """Synthesize what the user says, with a little room noise (a real microphone is never digitally silent)."""
    samples, rate = synthesized(text, voice=voice, rate=150)
    x = resample(samples.astype(np.float64) / 32768, rate, 16000)
    pad = np.zeros(8000)
    y = np.concatenate([pad, x, pad]) + np.random.default_rng(len(text)).normal(0, 0.0006, x.size + 16000)
    path = tmp / f"{name}.wav"
    write_wav(path, np.clip(y, -1, 1), 16000)
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = audio_env()
    cfg = tmp_path / "cfg" / "voice-guide"
    cfg.mkdir(parents=True)
    # Short holds keep the test quick; pacing is configuration, not behaviour.
    (cfg / "config.toml").write_text("[timings]\nhold_seconds = 2.0\nmassage_seconds = 2.0\n"
                                     "stretch_seconds = 6.0\nlisten_seconds = 20.0\n")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "cfg")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    return e


def say_until(env: dict[str, str], a: Assistant, wav: Path, condition: object, what: str, tries: int = 3) -> None:
    """Speak, and like a person who was not understood, say it again (at most ``tries`` times)."""
    for attempt in range(tries):
        play_into_mic(env, wav)
        try:
            a.wait_for(condition, 12, what)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


def keys(a: Assistant) -> list[str]:
    return [str(e["key"]) for e in a.events if e["event"] == "say"]


def reply_segments(samples: np.ndarray) -> list[np.ndarray]:
    """Cut a speaker recording into its utterances."""
    ep, out = Endpointer(), []
    for i in range(0, samples.size, 320):
        _, utt = ep.accept(samples[i:i + 320])
        if utt is not None:
            out.append(samples[utt.start_sample:utt.end_sample])
    return out


def heard_words(samples: np.ndarray) -> str:
    """Transcribe the assistant's recorded speech with the project's recognizer (open vocabulary)."""
    from .reply_transcriber import transcribe_reply

    return transcribe_reply(samples)


def test_cramp_conversation_two_steps_and_gone(env: dict[str, str], tmp_path: Path) -> None:
    with SpeakerRecording(env, tmp_path / "speaker.raw") as rec, Assistant(env, ["--always-listen"]) as a:
        say_until(env, a, spoken(tmp_path, "cramp", "I have a cramp"), lambda: "relief.straighten" in keys(a),
                  "the first relief step")
        a.wait_for(lambda: "relief.straighten.check_in" in keys(a), 40, "the check-in after the hold")
        say_until(env, a, spoken(tmp_path, "no", "no not really"), lambda: "relief.massage" in keys(a),
                  "the second step")
        a.wait_for(lambda: "relief.massage.check_in" in keys(a), 40, "the second check-in")
        say_until(env, a, spoken(tmp_path, "gone", "it's gone"), lambda: "episode.better" in keys(a),
                  "the kind ending")
        time.sleep(3)
        heard = [i for i in a.intents() if i != "none"]  # a repeated, unrecognised try is "none"
        # The check-in answer only has to move the relief on ("no", or heard as "yes"/"next", all advance).
        assert heard[0] == "cramp_now" and heard[1] in ("no", "yes", "next"), a.intents()
        assert heard[-1] == "feeling_better", a.intents()
        ends = [e for e in a.events if e["event"] == "end"]
        assert ends and ends[-1]["outcome"] == "better"
        recorded = rec.samples()
    words = heard_words(recorded)
    assert "straighten" in words and "heel" in words, words
    # The spoken episode is in the cramp diary, ended well.
    import json
    import sys
    out = subprocess.run([sys.executable, "-m", "voice_guide", "diary", "export", "--json"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    episodes = json.loads(out.stdout)
    episodes = episodes["episodes"] if isinstance(episodes, dict) else episodes
    assert any(e.get("kind") == "cramp" and e.get("outcome") == "better" for e in episodes), episodes
    assert any(w in words for w in ("rub", "muscle", "strokes", "relax")), words


def test_is_this_serious_with_a_warning_sign_escalates_to_provider(env: dict[str, str], tmp_path: Path) -> None:
    with SpeakerRecording(env, tmp_path / "speaker.raw") as rec, Assistant(env, ["--always-listen"]) as a:
        say_until(env, a, spoken(tmp_path, "serious", "is this serious"), lambda: "question.emergency" in keys(a),
                  "the first question")
        time.sleep(6)  # let the question finish
        say_until(env, a, spoken(tmp_path, "no", "no not really"), lambda: "question.frequent_severe" in keys(a),
                  "the second question")
        time.sleep(2)
        before = rec.samples().size
        say_until(env, a, spoken(tmp_path, "swollen", "my calf is swollen and red"),
                  lambda: any(e["event"] == "escalate" for e in a.events), "an escalation")
        time.sleep(10)  # the advice is always spoken in full
        esc = [e for e in a.events if e["event"] == "escalate"]
        assert esc[0]["level"] == "provider" and not esc[0]["conditional"]
        recorded = rec.samples()
    advice = recorded[before:]
    words = heard_words(advice)
    assert "serious problem" in words, words
    # Escalations are spoken at no less than normal volume, louder than the soft night voice of the questions.
    def level(x: np.ndarray) -> float:
        loud = np.abs(x[np.abs(x) > 300].astype(np.float64))
        return float(np.median(loud)) if loud.size else 0.0
    assert level(advice) > level(recorded[:before]) * 1.2


def test_emergency_mid_stretch_is_acted_on_at_once(env: dict[str, str], tmp_path: Path) -> None:
    with Assistant(env, ["--always-listen"]) as a:
        say_until(env, a, spoken(tmp_path, "stretch", "start my bedtime stretch"), lambda: "stretch.left" in keys(a),
                  "the stretch to start")
        say_until(env, a, spoken(tmp_path, "breathe", "I can't breathe"),
                  lambda: any(e["event"] == "escalate" for e in a.events), "the emergency escalation")
        esc = [e for e in a.events if e["event"] == "escalate"]
        assert esc[0]["level"] == "emergency"
        says = [e for e in a.events if e["event"] == "say"]
        assert any(s["key"].startswith("escalate.emergency") and s["urgent"] for s in says)


def test_barge_in_stop_cuts_speech(env: dict[str, str], tmp_path: Path) -> None:
    with SpeakerRecording(env, tmp_path / "speaker.raw") as rec, Assistant(env, ["--always-listen"]) as a:
        say_until(env, a, spoken(tmp_path, "causes", "what causes leg cramps"), lambda: "answer.causes" in keys(a),
                  "the long answer to start")
        time.sleep(2.0)  # mid-answer (it runs for about 25 s)
        say_until(env, a, spoken(tmp_path, "stop", "stop"), lambda: "stop" in a.intents(), "stop to be heard")
        time.sleep(1.5)  # the stop has been acted on; at most a short "Okay." follows
        after_stop = len(rec.samples())
        time.sleep(4.0)
        tail = rec.samples()[after_stop:]
    # The long answer (about 25 s of speech) is no longer playing.
    loud = np.flatnonzero(np.abs(tail.astype(np.int32)) > 500)
    assert loud.size < 16000 * 1.0, f"{loud.size / 16000:.1f} s of speech after stop"


def test_stop_while_speaking_is_heard_after_the_help_prompt_named_it(env: dict[str, str], tmp_path: Path) -> None:
    # The help prompt says "... say next, back, repeat, pause, slower, louder, or stop": a person's "stop" must not
    # be taken for the assistant's own words coming back.
    with Assistant(env, ["--always-listen"]) as a:
        say_until(env, a, spoken(tmp_path, "help", "what can you do"), lambda: "help" in a.intents(), "help")
        time.sleep(14)  # the whole prompt plays (four sentences in the slow night voice)
        say_until(env, a, spoken(tmp_path, "causes", "what causes leg cramps"), lambda: "answer.causes" in keys(a),
                  "the long answer to start")
        time.sleep(2.0)  # mid-answer
        say_until(env, a, spoken(tmp_path, "stop", "stop"), lambda: "stop" in a.intents(), "stop to be heard")


def test_own_voice_played_back_triggers_nothing(env: dict[str, str], tmp_path: Path) -> None:
    # A real room: everything the speaker plays comes back into the microphone.
    module = subprocess.run(["pactl", "load-module", "module-loopback",
                             f"source={env['VA_PULSE_SPEAKER_MONITOR']}", f"sink={env['VA_PULSE_MIC_FEED_SINK']}",
                             "latency_msec=30"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    try:
        with Assistant(env, ["--always-listen"]) as a:
            say_until(env, a, spoken(tmp_path, "prevent", "how can I prevent leg cramps"),
                      lambda: "answer.prevention" in keys(a), "the long answer")
            asked = len(a.intents())
            time.sleep(30)  # the whole answer plays, and comes back through the microphone
            assert a.intents()[asked - 1:] == ["ask_prevention"], a.events
    finally:
        subprocess.run(["pactl", "unload-module", module], env=env, check=False)
