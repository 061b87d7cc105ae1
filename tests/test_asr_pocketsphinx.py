"""Real synthesized speech through the real PocketSphinx decoder and grammar."""

import time

import numpy as np
import pytest

from tests.speech_fixtures import VOICES, intent_heard, speech
from voice_guide.asr.base import Final, NoSpeech, NotUnderstood
from voice_guide.asr.grammar import SPOKEN_FORMS, WordGraph, to_fsg
from voice_guide.audio import chunks
from voice_guide.intents import load_intents
from voice_guide.matcher import default_model, match
from voice_guide.recognize_files import recognize_samples

pytest.importorskip("pocketsphinx")
pytest.importorskip("pyttsx3")

COMMANDS = [
    "my calf is cramping", "stop", "is this serious", "i feel better", "my leg is cramping",
    "repeat that", "slow down", "next", "yes", "no", "go back", "pause", "what can you do", "louder",
    "what causes leg cramps", "i have chest pain",
]
OTHER_SPEECH = [
    "the quick brown fox jumps over the lazy dog", "i would like to order a large pizza with mushrooms",
    "my favourite colour is blue", "remind me to buy milk tomorrow morning",
    "the garden needs watering after the long dry spell", "grandma is coming to visit next weekend",
    "turn on the kitchen lights", "what is the capital of france", "i need to call the plumber about the sink",
    "the football match starts at eight", "can you spell the word necessary", "we are out of bread and eggs",
]


@pytest.fixture(scope="module")
def intents():
    return load_intents()


@pytest.fixture(scope="module")
def recognizer(intents):
    from voice_guide.asr.pocketsphinx_backend import PocketSphinxRecognizer

    return PocketSphinxRecognizer(intents)


def _intent_of(intents, text):
    for label, phrases in intents.phrases.items():
        if text in phrases:
            return label
    return None


def _decode(recognizer, samples):
    return recognize_samples(samples, recognizer)


def _score(recognizer, intents, snr_db, voices):
    right, outcomes = 0, []
    for i, text in enumerate(COMMANDS):
        voice = voices[i % len(voices)]
        out = _decode(recognizer, speech(text, voice, snr_db, seed=i))
        outcomes.append((text, voice.id, out))
        right += isinstance(out, Final) and _intent_of(intents, out.text) == _intent_of(intents, text)
    return right, outcomes


def _sentences(fsg, limit=6):
    """Every word sequence from start to final of an FSG, up to limit words (null arcs followed)."""
    out, todo = set(), [(fsg.start, ())]
    while todo:
        state, words = todo.pop()
        if state == fsg.final:
            out.add(" ".join(words))
        for src, dst, _, *word in fsg.transitions:
            if src == state and len(words) + bool(word and word[0]) <= limit:
                todo.append((dst, words + ((word[0],) if word and word[0] else ())))
    return out


def test_polite_frames_wrap_commands_but_are_no_command_alone():
    graph = WordGraph.from_phrases(["stop", "go back"])
    fsg = to_fsg(graph, fillers=(), frames=([("could", "you"), ("can", "we")], [("thank", "you")]))
    heard = _sentences(fsg)
    assert {"stop", "could you stop", "can we go back", "stop thank you", "could you go back thank you"} <= heard
    assert not {"could you", "thank you", "could you thank you", "can we"} & heard
    assert _sentences(to_fsg(graph, fillers=())) == {"stop", "go back"}


def test_polite_requests_are_heard(recognizer):
    # Before the frames, "could you repeat that" had no path through the grammar (the phrase files hold the
    # bare command, since the matcher strips the frame) and came out as another command or nothing.
    model = default_model()
    said = ["could you repeat that", "can you slow down please", "could you speak up",
            "can we go back", "will you stop"]
    intents = ["repeat", "slower", "louder", "back", "stop"]
    heard = [_decode(recognizer, speech(t, VOICES[i % 2], seed=i)) for i, t in enumerate(said)]
    got = [intent_heard(o, model) for o in heard]
    assert sum(g == want for g, want in zip(got, intents, strict=True)) >= 4, list(zip(said, heard, got, strict=True))


def test_emergency_behind_a_polite_opening_is_heard(recognizer):
    # An escalation behind an opening needs a clear fit (OPENING_ESCALATION_CONFIDENCE); rejecting every such
    # path, as first built, turned away "could you ring an ambulance" heard word for word.
    model = default_model()
    for i, said in enumerate(["could you ring an ambulance", "can you call an ambulance"]):
        out = _decode(recognizer, speech(said, VOICES[i % 2], seed=i))
        assert isinstance(out, Final) and match(out.text, model).intent == "emergency", (said, out)


def test_commands_exist_in_intents(intents):
    # The test set must be in-grammar, or the accuracy below would measure the intent files instead.
    assert all(_intent_of(intents, t) for t in COMMANDS)
    assert not any(_intent_of(intents, t) not in (None, "none") for t in OTHER_SPEECH)


def test_clean_commands_recognized(recognizer, intents):
    right, outcomes = _score(recognizer, intents, None, VOICES)
    assert right >= 9, outcomes  # measured 10 of 16 (espeak-ng speech is hard for this acoustic model)


def test_noisy_commands_mostly_recognized(recognizer, intents):
    right10, outcomes10 = _score(recognizer, intents, 10, VOICES[:2])
    right5, outcomes5 = _score(recognizer, intents, 5, VOICES[:2])
    assert right10 >= 5, outcomes10  # measured 7 of 16
    assert right5 >= 2, outcomes5
    assert right10 >= right5 - 1


def test_out_of_grammar_speech_leads_to_no_action(recognizer):
    # Speech that is no command must be rejected, or heard as one of the "none" phrases ("what is the capital
    # of france" is one), and must never escalate. espeak-ng's output varies with what it synthesized before
    # (its noise source is not reset), so the bar sits below the range measured over five synthesis histories:
    # 8-10 of 12 led to no action, and none escalated.
    model = default_model()
    outcomes = [_decode(recognizer, speech(t, VOICES[i % 4], seed=i)) for i, t in enumerate(OTHER_SPEECH)]
    heard = [(o, intent_heard(o, model)) for o in outcomes]
    assert sum(intent == "none" for _, intent in heard) >= 7, heard
    assert not any(intent in ("red_flag", "emergency") for _, intent in heard), heard


def test_silence_and_noise_are_not_commands(recognizer):
    assert isinstance(_decode(recognizer, np.zeros(16000, np.int16)), NoSpeech)
    rng = np.random.default_rng(3)
    faint = rng.normal(0, 30, 16000).astype(np.int16)
    assert isinstance(_decode(recognizer, faint), NoSpeech)
    assert isinstance(recognizer.finish(), NoSpeech)  # nothing fed since the last utterance


def test_partials_stream_and_respelled_numbers(recognizer):
    events = []
    for chunk in chunks(speech("call nine one one", VOICES[0]), 1600):
        events += recognizer.accept(chunk)
    out = recognizer.finish()
    assert events, "no partial hypotheses while streaming"
    if isinstance(out, Final) and "one" in out.text.split() or "911" in getattr(out, "text", ""):
        assert "nine one one" not in out.text  # spoken digits come back as the intent token "911"


def test_spoken_emergency_numbers_come_back_whole(recognizer):
    # Restoring digit by digit gave "call 9 1 1", which the matcher took for a pain score (diary_note).
    model = default_model()
    assert recognizer.grammar.restore("call nine one one now") == "call 911 now"
    for number in ("911", "999", "112"):
        spoken = " ".join(SPOKEN_FORMS[number])
        assert match(recognizer.grammar.restore(f"dial {spoken}"), model).intent == "emergency", spoken
    assert recognizer.grammar.restore("it is a seven") == "it is a seven"  # the matcher reads number words


def test_reset_drops_audio(recognizer):
    for chunk in chunks(speech("stop", VOICES[0]), 1600):
        recognizer.accept(chunk)
    recognizer.reset()
    assert isinstance(recognizer.finish(), NoSpeech)


def test_real_time_factor(recognizer):
    samples = speech("how do i get rid of my cramp", VOICES[0])
    _decode(recognizer, samples)  # warm up
    start = time.perf_counter()
    _decode(recognizer, samples)
    rtf = (time.perf_counter() - start) / (samples.size / 16000)
    assert rtf < 0.5  # target 0.2 on a 2-core machine (scripts/bench_asr.py); margin for a loaded CI


def test_vocabulary_warning_skips_typed_only_spellings():
    from voice_guide.asr.grammar import check_vocabulary

    typed = check_vocabulary(["stop", "nxt", "brb"], lambda w: w == "stop")
    assert typed.missing == {"nxt", "brb"} and typed.describe("the model") is None
    spoken = check_vocabulary(["stop", "nxt", "spasming"], lambda w: w == "stop")
    warning = spoken.describe("the model")
    assert warning is not None and "spasming" in warning


def test_every_spoken_word_of_the_intent_files_is_in_the_speech_dictionary(recognizer):
    # A word the dictionary lacks drops every phrase that uses it from the grammar, with only a warning at start-up
    # ("throbs" and "breathlessness" once took 11 escalation phrases with them). Typed-only spellings are the exception.
    from voice_guide.asr.grammar import TYPED_ONLY

    assert recognizer.grammar.report.missing <= TYPED_ONLY, sorted(recognizer.grammar.report.missing - TYPED_ONLY)


def test_escalating_phrases_need_more_of_the_utterance(recognizer):
    # The stricter filler rule applies to red-flag and emergency phrases only, found as spoken (respelled) forms.
    assert "my chest hurts" in recognizer._escalating
    assert "call nine one one" in recognizer._escalating
    assert "next" not in recognizer._escalating and "my calf is cramping" not in recognizer._escalating
    path = [("", 1), ("um", 8), ("my", 10), ("chest", 20), ("hurts", 25), ("please", 12), ("uh", 30), ("", 1)]
    assert recognizer._command(path) == "my chest hurts"
    assert recognizer._command([("uh", 40)]) == ""
    # ... and a clearly spoken escalation still gets through it.
    heard = recognize_samples(speech("my chest hurts", VOICES[0]), recognizer)
    assert isinstance(heard, Final) and match(heard.text, default_model()).intent == "emergency"


def test_second_pass_keeps_the_streamed_cepstral_mean(recognizer):
    # The live loop decodes a streamed NotUnderstood again whole; the stream's carried-over mean must survive it.
    for i, text in enumerate(("my calf is cramping", "what can you do")):
        for chunk in chunks(speech(text, VOICES[1], snr_db=10, seed=i), 1600):
            recognizer.accept(chunk)
        recognizer.finish()
    decoders = (recognizer._decoder, recognizer._phones)
    streamed = [d.get_cmn() for d in decoders]
    recognizer._decoder.reinit_feat()
    assert recognizer._decoder.get_cmn() != streamed[0]  # the stream did move the mean off its initial value
    recognizer._decoder.set_cmn(streamed[0])
    heard = recognizer.recognize_whole(speech("is this serious", VOICES[0]).tobytes())
    assert isinstance(heard, Final) and match(heard.text, default_model()).intent == "is_serious"
    assert [d.get_cmn() for d in decoders] == streamed


def test_an_escalation_the_grammar_lacks_is_spotted(recognizer, monkeypatch):
    # No phrase file holds "on the stairs": the grammar turns the sentence away, the keyphrase "she fainted" is spotted.
    said = speech("i think she fainted on the stairs just now", VOICES[0])
    heard = recognize_samples(said, recognizer)
    assert isinstance(heard, Final) and match(heard.text, default_model()).intent == "emergency"
    # An ambulance mentioned in passing holds no keyphrase, and the rules read it as an aside: not an escalation.
    aside = recognize_samples(speech("my sister drives an ambulance for work", VOICES[0]), recognizer)
    assert not (isinstance(aside, Final) and match(aside.text, default_model()).intent in ("emergency", "red_flag"))
    # Without the spotter (and the open-vocabulary search after it) the first sentence is no escalation: the grammar
    # turns it away, or (depending on espeak-ng's synthesis history) forces it onto "i think it is gone" at 0.16.
    # (Warped, the grammar hears "i think i fainted" in it: warping is off here, to show what the spotter does.)
    from voice_guide.asr import pocketsphinx_backend

    monkeypatch.setattr(pocketsphinx_backend, "WARP_PAIRS", ())
    # (The safety grammar, after them, hears "i think i fainted" in it too: off here as well.)
    monkeypatch.setattr(pocketsphinx_backend, "SAFETY_MIN_FIT", float("inf"))
    monkeypatch.setattr(recognizer, "_spot_escalation", lambda ready: "")
    monkeypatch.setattr(recognizer, "_open_escalation", lambda ready: "")
    without = recognize_samples(said, recognizer)
    assert not (isinstance(without, Final) and match(without.text, default_model()).intent in ("emergency", "red_flag"))


def test_an_escalation_no_keyphrase_covers_is_heard_with_open_vocabulary(recognizer, monkeypatch):
    # "hit the floor" is in no phrase file and no keyphrase: the grammar and the spotter turn it away; the open-
    # vocabulary search hears the words and the safety rules find a faint in them.
    assert recognizer.open_vocabulary
    said = speech("everything went black and i hit the floor", VOICES[0])
    heard = recognize_samples(said, recognizer)
    assert isinstance(heard, Final) and match(heard.text, default_model()).intent == "emergency"
    assert "floor" in heard.text.split()  # the open search's words, not a grammar phrase
    # Other speech the grammar turns away is still not understood: the open search is heard only for escalations.
    tap = recognize_samples(speech("the kitchen tap is dripping again tonight", VOICES[0]), recognizer)
    assert isinstance(tap, NotUnderstood)
    from voice_guide.asr import pocketsphinx_backend

    monkeypatch.setattr(pocketsphinx_backend, "SAFETY_MIN_FIT", float("inf"))  # the safety grammar after it: off
    monkeypatch.setattr(recognizer, "_open_escalation", lambda ready: "")
    without = recognize_samples(said, recognizer)
    assert not (isinstance(without, Final) and match(without.text, default_model()).intent in ("emergency", "red_flag"))


def test_contractions_and_casual_answers_are_heard(recognizer):
    # The intent files spell "it is" and "yes"; people say "it's" and "yep". Before the grammar listened for the
    # spoken forms (grammar.spoken_variants), "nope" came out as "no puffy" (not understood) and "it's easing"
    # as "it is seizing up" (a cramp).
    model = default_model()
    said = {"nope": "no", "yep": "yes", "it's easing off": "feeling_better", "i can't breathe": "emergency",
            "what's next": "next", "that's better": "feeling_better", "yeah it's swollen": "red_flag"}
    for i, (text, intent) in enumerate(said.items()):
        for voice in VOICES[:2]:
            out = _decode(recognizer, speech(text, voice, seed=i))
            assert isinstance(out, Final) and match(out.text, model).intent == intent, (text, voice.id, out)


def test_an_unsure_answer_is_no_answer(recognizer):
    # Asked "is your calf swollen?", "i'm not sure" must not become a "no": before the grammar held unsure
    # answers (intents/none.yaml), it was forced onto "i'm not swollen" in all 4 voices.
    model = default_model()
    for i, said in enumerate(["i'm not sure", "i can't really tell", "hard to say", "i have no idea"]):
        for voice in VOICES[:2]:
            out = _decode(recognizer, speech(said, voice, seed=i))
            heard = match(out.text, model).intent if isinstance(out, Final) else "none"
            assert heard == "none", (said, voice.id, out)


def test_a_sound_or_a_word_to_someone_else_is_no_command(recognizer):
    # A mumble, a sigh or a word to the partner had no path of its own in the grammar, so it was forced onto the
    # nearest short command: "um" -> "i'm" (a yes), "oh" -> "both", "wow" -> "why now", "honey" -> "done it"
    # (pocketsphinx_backend.SOUNDS_NOT_COMMANDS). The short commands that sound nearest must still be heard.
    model = default_model()
    for i, said in enumerate(["um", "oh", "wow", "oh dear", "honey"]):
        for voice in VOICES[:2]:
            out = _decode(recognizer, speech(said, voice, seed=i))
            heard = match(out.text, model).intent if isinstance(out, Final) else "none"
            assert heard == "none", (said, voice.id, out)
    for i, (said, intent) in enumerate({"no": "no", "next": "next", "yes": "yes", "stop": "stop"}.items()):
        for voice in VOICES[:2]:
            out = _decode(recognizer, speech(said, voice, seed=i))
            assert isinstance(out, Final) and match(out.text, model).intent == intent, (said, voice.id, out)


def test_a_weak_streamed_fit_is_searched_for_escalations(recognizer, monkeypatch):
    # The live loop's streamed pass can force a sentence the grammar lacks onto a weak phrase ("i did it", 0.13 in
    # a 10 dB room). second_look searches the utterance as recognize_whole searches a file's weak fit.
    fainted = speech("i think she fainted on the stairs just now", VOICES[0]).tobytes()
    looked = recognizer.second_look(Final("i did it", 0.13), fainted)
    assert match(looked.text, default_model()).intent == "emergency"
    # In a noisy room a confident streamed fit gives way too, to the safety grammar: the whole utterance fits "i
    # think i fainted" at least as well as any command. In a quiet room it stands (the stream hears warning signs
    # there, and the safety grammar's decodes would delay every reply).
    in_noise = speech("i think she fainted on the stairs just now", VOICES[0], snr_db=10.0).tobytes()
    sure = Final("i did it", 0.8)
    recognizer.set_room(noisy=True)
    try:
        looked = recognizer.second_look(sure, in_noise)
    finally:
        recognizer.set_room(noisy=False)
    assert match(looked.text, default_model()).intent == "emergency"
    assert recognizer.second_look(sure, fainted) is sure
    # One that already escalates is left as it is.
    escalating = Final("i feel faint", 0.13)
    assert recognizer.second_look(escalating, fainted) is escalating
    # Speech that holds no keyphrase and fits no escalation keeps its weak fit.
    aside = speech("my sister drives an ambulance for work", VOICES[0]).tobytes()
    assert recognizer.second_look(Final("i did it", 0.13), aside) == Final("i did it", 0.13)
    # Without the safety grammar, the spotter leaves a confident fit as it is in noise too.
    from voice_guide.asr import pocketsphinx_backend

    monkeypatch.setattr(pocketsphinx_backend, "SAFETY_MIN_FIT", float("inf"))
    recognizer.set_room(noisy=True)
    try:
        assert recognizer.second_look(sure, in_noise) is sure
    finally:
        recognizer.set_room(noisy=False)


def test_a_voice_with_shifted_formants_is_heard_through_a_warp(recognizer, monkeypatch):
    # espeak-ng's "Lee", "gustave", "david" and "anikaRobot" variants move the formants away from where the model
    # learned them: the grammar turns these commands away until the spectrum is warped (WARP_PAIRS), then hears them.
    from tests.speech_fixtures import Voice
    from voice_guide.asr import pocketsphinx_backend

    said = [("walk me through my bedtime stretches", "Lee", "stretch_routine"),
            ("how do i stop these happening", "gustave", "ask_prevention"),
            ("speed up", "david", "faster"), ("go back", "anikaRobot", "back")]
    recordings = [(speech(text, Voice(f"gmw/en-us+{variant}", 150, 1.0)), intent) for text, variant, intent in said]
    model = default_model()
    plain = speech("is this serious", VOICES[0])
    before = recognize_samples(plain, recognizer)
    for samples, intent in recordings:
        heard = recognize_samples(samples, recognizer)
        assert isinstance(heard, Final) and match(heard.text, model).intent == intent, (intent, heard)
    # Warping is undone: every decoder reads plain features again, and a plain recording decodes as before.
    assert all(d.config["warp_params"] is None for d in recognizer._decoders)
    assert recognize_samples(plain, recognizer) == before
    monkeypatch.setattr(pocketsphinx_backend, "WARP_PAIRS", ())
    for samples, intent in recordings:
        heard = recognize_samples(samples, recognizer)
        assert not (isinstance(heard, Final) and match(heard.text, model).intent == intent), (intent, heard)


def test_stop_over_noise_turned_away_by_the_floor_stands_when_the_quiet_room_agrees(recognizer, monkeypatch):
    # "stop" over white noise at 10 dB: the noisy room's grammar path is "stop", but under that room's floor (0.05).
    # The quiet room's model, decoding the same filtered recording, hears "stop" (or "halt") as well, so it stands.
    from voice_guide.asr import pocketsphinx_backend

    recordings = [speech("stop", voice, 10.0, seed=seed) for voice in VOICES for seed in range(6)]
    model = default_model()

    def stops(outcomes):
        return [isinstance(o, Final) and match(o.text, model).intent == "stop" for o in outcomes]

    quiet = (recognizer._rooms[pocketsphinx_backend.QUIET_ROOM].decoder,
             recognizer._rooms[pocketsphinx_backend.QUIET_ROOM].phones)
    means = [d.get_cmn() for d in quiet]
    confirmed = stops([recognize_samples(x, recognizer) for x in recordings])
    assert [d.get_cmn() for d in quiet] == means  # the live loop's quiet-room stream keeps its mean
    monkeypatch.setattr(pocketsphinx_backend, "CONFIRMED_BY_THE_QUIET_ROOM", frozenset())
    alone = stops([recognize_samples(x, recognizer) for x in recordings])
    # Measured (4 voices x 6 noise draws, this module's synthesis): 23 of 24 heard alone, 24 with the quiet room.
    assert all(c for c, a in zip(confirmed, alone, strict=True) if a)
    assert sum(confirmed) >= 23, (confirmed, alone)
    # At the models' own frame rate (as before noisy recordings were heard at 70 frames a second) the noisy room
    # heard 19 of 24 alone: the rule is what carries those stops there (it added 3). Since the grammar gained the
    # phrases of 2026-12-07 (f2a0dfb) the noisy room hears 20-21 alone there and 22-23 with the rule: it adds 2.
    monkeypatch.setattr(pocketsphinx_backend, "NOISY_FRAME_RATE", pocketsphinx_backend.MODEL_FRAME_RATE)
    alone_at_100 = stops([recognize_samples(x, recognizer) for x in recordings])
    monkeypatch.setattr(pocketsphinx_backend, "CONFIRMED_BY_THE_QUIET_ROOM", frozenset({"stop"}))
    confirmed_at_100 = stops([recognize_samples(x, recognizer) for x in recordings])
    assert all(c for c, a in zip(confirmed_at_100, alone_at_100, strict=True) if a)
    assert sum(confirmed_at_100) >= sum(alone_at_100) + 2, (confirmed_at_100, alone_at_100)


def test_a_warped_answer_gives_way_to_a_spotted_escalation(recognizer):
    # In m3's voice the grammar turned these away, and a pair of warps agreed on an answer that escalates nothing
    # ("is it bad", 0.11; "is it normal to get them while pregnant", 0.09 or 0.31), which stood without the escalation
    # searches being asked. They are asked first now, as before warping existed: the spotter hears the red leg.
    model = default_model()
    for text in ("is it bad that my leg is red", "is it normal that my leg is warm"):
        for voice in VOICES:
            heard = recognize_samples(speech(text, voice), recognizer)
            assert isinstance(heard, Final) and match(heard.text, model).intent == "red_flag", (text, voice.id, heard)


SLOW_AND_NOISY = ["let's do the stretches", "should i be worried", "what causes this", "next step", "hold on",
                  "one sec", "stop", "not so fast", "bye", "it hurts to touch", "i have a cramp", "it's easing"]


def test_slow_speech_in_noise_is_heard_in_longer_frames(recognizer, intents, monkeypatch):
    # A sleepy person at 80-90 words a minute over a fan: a noisy recording is decoded at 70 frames a second, where a
    # drawn-out phone spans the frames the models expect (at 100, as before, fewer are heard).
    from tests.speech_fixtures import Voice
    from voice_guide.asr import pocketsphinx_backend

    model = default_model()
    voices = [Voice("gmw/en-us", 85, 1.0), Voice("gmw/en-us+f3", 80, 0.8), Voice("gmw/en-us+m3", 90, 0.6)]
    recordings = [(text, speech(text, voices[i % 3], snr, seed=i)) for i, text in enumerate(SLOW_AND_NOISY)
                  for snr in (10.0, 5.0)]
    wanted = [match(text, model).intent for text, _ in recordings]

    def right() -> int:
        outcomes = [recognize_samples(x, recognizer) for _, x in recordings]
        got = [intent_heard(o, model) for o in outcomes]
        return sum(g == w for g, w in zip(got, wanted, strict=True))

    longer = right()
    monkeypatch.setattr(pocketsphinx_backend, "NOISY_FRAME_RATE", pocketsphinx_backend.MODEL_FRAME_RATE)
    before = right()
    assert longer >= before + 3, (longer, before)


def test_fast_speech_in_noise_is_told_from_slow_and_heard_in_the_models_frames(recognizer, monkeypatch):
    # Fast speech is too quick for 70 frames a second (a phone lasts at least 3 frames). The free phone loop's rate
    # tells it from slow speech, and a recording at or above FAST_PHONES_PER_SECOND is decoded again at 100 frames a
    # second, exactly as before. The rate is read at 70 frames a second, where fast phones merge: it separates 240
    # from 85 words a minute on average, but many fast sentences stay under the threshold and are heard at 70
    # (`scripts/eval_speech.py --rate-scale 1.6` measures the cost).
    from tests.speech_fixtures import Voice
    from voice_guide.asr import pocketsphinx_backend

    texts = [("what causes leg cramps at night", "gmw/en-us"), ("can you talk a bit slower please", "gmw/en"),
             ("my calf is swollen and red", "gmw/en-us+f3")]
    rates: list[float] = []
    original = pocketsphinx_backend.PocketSphinxRecognizer._phones_per_second

    def measured(self):
        rates.append(original(self))
        return rates[-1]

    monkeypatch.setattr(pocketsphinx_backend.PocketSphinxRecognizer, "_phones_per_second", measured)
    mean_rate = {}
    for wpm in (85, 240):
        rates.clear()
        for i, (text, voice) in enumerate(texts):
            recognize_samples(speech(text, Voice(voice, wpm, 1.0), 10.0, seed=i), recognizer)
        assert len(rates) == 3
        mean_rate[wpm] = sum(rates) / 3
    # Measured here: 5.6 and 8.8 phones a second (the threshold is 9).
    assert mean_rate[85] < pocketsphinx_backend.FAST_PHONES_PER_SECOND - 2 and mean_rate[240] > mean_rate[85] + 2, \
        mean_rate

    model = default_model()
    fast = [speech(text, Voice(voice, 240, 1.0), 10.0, seed=i) for i, (text, voice) in enumerate(texts)]

    def intents_heard():
        outcomes = [recognize_samples(x, recognizer) for x in fast]
        return [intent_heard(o, model) for o in outcomes]

    monkeypatch.setattr(pocketsphinx_backend, "FAST_PHONES_PER_SECOND", 0.0)  # every recording counts as fast
    sent_back = intents_heard()
    monkeypatch.setattr(pocketsphinx_backend, "NOISY_FRAME_RATE", pocketsphinx_backend.MODEL_FRAME_RATE)
    assert sent_back == intents_heard()


SWELLING_SIGNS = [
    "why is my leg red and swollen", "my leg is swelling", "my calf is swole and hot", "it hurts to touch",
    "calf is tender and a bit swollen", "my legs been swollen since yesterday", "my leg's all swollen up",
    "the skin feels hot over where it cramped",
]
"""Warning signs said as no phrase file says them (held-out phrasings), which noise pushes onto other commands."""


def _escalations_heard(recognizer, texts, snr_db):
    """How many of texts (4 voices in turn, white noise at snr_db) the file path hears as an escalation."""
    model = default_model()
    outcomes = [recognize_samples(speech(text, VOICES[i % 4], snr_db, seed=i), recognizer)
                for i, text in enumerate(texts)]
    return sum(intent_heard(o, model) in ("red_flag", "emergency") for o in outcomes)


def test_warning_signs_in_noise_are_heard_by_the_safety_grammar(recognizer, monkeypatch):
    # In noise the commands' grammar forces some warning signs onto commands ("my leg is swelling" -> "my leg is
    # letting go") or turns them away; the safety grammar (the escalation phrases alone) hears them, where its path
    # fits at least as well. Commands in the same noise are not taken for warning signs by it.
    from voice_guide.asr import pocketsphinx_backend

    with_safety = [_escalations_heard(recognizer, SWELLING_SIGNS, snr) for snr in (10.0, 5.0)]
    commands = [t for t in COMMANDS if _intent_of(load_intents(), t) not in ("red_flag", "emergency")]
    false_with = sum(_escalations_heard(recognizer, commands, snr) for snr in (10.0, 5.0))
    monkeypatch.setattr(pocketsphinx_backend, "SAFETY_MIN_FIT", float("inf"))  # the safety grammar never counts
    without = [_escalations_heard(recognizer, SWELLING_SIGNS, snr) for snr in (10.0, 5.0)]
    false_without = sum(_escalations_heard(recognizer, commands, snr) for snr in (10.0, 5.0))
    print("warning signs heard with / without the safety grammar:", with_safety, without,
          "commands escalated:", false_with, false_without)
    assert sum(with_safety) >= 9 and sum(with_safety) >= sum(without) + 2  # measured 10 (5 + 5) against 7 (5 + 2)
    assert false_with <= false_without
