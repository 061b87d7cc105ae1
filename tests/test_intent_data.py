"""The intent files test themselves: every expanded phrase must match its own intent."""

from collections import defaultdict
from pathlib import Path

import pytest

from voice_guide.asr.grammar import canonical, spoken_variants
from voice_guide.intents import ALL_LABELS, EXTRA_LABELS, LABELS, IntentDataError, load_intents
from voice_guide.matcher import default_model, match

INTENTS = load_intents()


def test_exactly_the_scored_labels() -> None:
    # The 24 scored labels are unchanged; the diary's labels come on top of them.
    assert len(LABELS) == 24 and len(set(LABELS)) == 24
    assert set(EXTRA_LABELS) == {"ask_history", "diary_note"} and not set(EXTRA_LABELS) & set(LABELS)
    assert set(INTENTS.labels) == set(ALL_LABELS) == set(LABELS) | set(EXTRA_LABELS)


def test_many_phrasings_each() -> None:
    for label, phrases in INTENTS.phrases.items():
        assert len(phrases) >= 20, label


def test_no_phrase_belongs_to_two_intents() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for label, phrases in INTENTS.phrases.items():
        for p in phrases:
            owners[p].add(label)
    clashes = {p: o for p, o in owners.items() if len(o) > 1}
    assert not clashes


@pytest.mark.parametrize("label", ALL_LABELS)
def test_every_expanded_phrase_matches_its_intent(label: str) -> None:
    model = default_model()
    wrong = [(p, match(p, model).intent) for p in INTENTS.phrases[label] if match(p, model).intent != label]
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("label", ALL_LABELS)
def test_every_spoken_variant_matches_its_intent(label: str) -> None:
    # The speech grammar also listens for "it's" / "yeah" forms of each phrase (grammar.spoken_variants); what a
    # recognizer writes for them must mean the same to the matcher, and canonical() must undo them exactly.
    model = default_model()
    variants = [(p, v) for p in INTENTS.phrases[label] for v in spoken_variants(p)]
    assert all(canonical(v.split()) == p.split() for p, v in variants)
    wrong = [(v, match(v, model).intent) for _, v in variants if match(v, model).intent != label]
    assert not wrong, wrong[:10]


def test_spoken_variants() -> None:
    assert spoken_variants("it is easing") == ["it's easing"]
    assert set(spoken_variants("no")) == {"nope", "nah"}
    assert "yeah it's" in spoken_variants("yes it is")
    assert spoken_variants("i can not breathe") == ["i can't breathe"]
    assert spoken_variants("it is not") == ["it's not"]  # overlapping pairs: the first one only
    assert spoken_variants("go back") == []


def test_bad_intent_files_give_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("intent: cramp_now\nphrases: ['(a|b']\n")
    with pytest.raises(IntentDataError, match="unclosed"):
        load_intents(tmp_path)
    (tmp_path / "x.yaml").write_text("intent: not_a_label\nphrases: [a]\n")
    with pytest.raises(IntentDataError, match="unknown intent label"):
        load_intents(tmp_path)
    (tmp_path / "x.yaml").write_bytes(b"intent: \xff\xfe\n")
    with pytest.raises(IntentDataError, match="cannot read"):
        load_intents(tmp_path)
    (tmp_path / "x.yaml").write_text("intent: cramp_now\nphrases: [ow]\n")
    with pytest.raises(IntentDataError, match="no phrases for intents"):
        load_intents(tmp_path)
