"""Spoken guidance (voice_guide/data/guidance.yaml) checked against its medical source text.

Every relief step, warning sign, cause and fact of the source must be said somewhere, by an entry that names
the right source section; nothing else may carry medical content; sentences stay short for the ear; and a
broken guidance file fails loudly with a one-line ContentError.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from voice_guide.content import ContentError, Guidance, default_guidance_path, load_guidance

REPO = Path(__file__).resolve().parents[1]
SOURCE_FILE = REPO.parent / "shared" / "source" / "leg-cramps-during-pregnancy.txt"

INTRO = "Introduction"
CAUSES = "Causes of Leg Cramps During Pregnancy"
PREVENTION = "Prevention"
PROVIDER = "When to Talk to Your Healthcare Provider"
EMERGENCY_PATH = "emergency path"
ASSISTANT = "assistant"

G = load_guidance()


def entries(g: Guidance) -> list[tuple[str, str, str]]:
    """(key, source, spoken text) of everything in the guidance, as it is attributed when spoken."""
    out: list[tuple[str, str, str]] = []
    for st in (*g.relief_steps, *g.stretch_steps):
        out.append((st.key, st.source, " ".join(st.say)))
        if st.check_in:
            # The dialog speaks check-ins with source "assistant" (dialog.py, _present / _hold_done).
            out.append((st.key + ".check_in", ASSISTANT, st.check_in))
    for q in g.questions:
        out.append((q.key, q.source, q.ask))
    for p in g.prompts.values():
        out.append((p.key, p.source, p.spoken))
    return out


ENTRIES = entries(G)


def has_all(text: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """Every group has at least one alternative that starts a word in ``text`` (case-insensitive)."""
    return all(
        any(re.search(r"(?<![a-z])" + re.escape(alt.lower()), text.lower()) for alt in group) for group in groups
    )


# (section, fact, keyword groups): some entry whose source is `section` must contain every group.
FACTS: list[tuple[str, str, tuple[tuple[str, ...], ...]]] = [
    # --- Prevention: relief steps ---
    (PREVENTION, "stretch calves before bed", (("stretch",), ("calf", "calves"), ("before bed", "bedtime"))),
    (PREVENTION, "straighten the leg heel first", (("straighten",), ("heel",))),
    (PREVENTION, "straighten, heel first, and wiggle the toes", (("straighten",), ("heel",), ("wiggle",), ("toes",))),
    (PREVENTION, "don't point the toes", (("toes",), ("from pointing", "avoid pointing", "don't point",
                                                      "do not point", "not point", "never point"))),
    (PREVENTION, "don't stand or sit in one position long",
     (("stand",), ("sit",), ("one position", "same position"), ("long",))),
    (PREVENTION, "don't sit cross-legged for long: restricts blood flow",
     (("cross",), ("long",), ("restrict",), ("blood flow",))),
    (PREVENTION, "walk a few minutes if able to stand", (("able to stand", "can stand"), ("walk",), ("few minutes",))),
    (PREVENTION, "exercise with the provider's OK", (("exercise",), ("provider",), ("ok",))),
    (PREVENTION, "drink plenty of water", (("drink",), ("plenty",), ("water",))),
    (PREVENTION, "drink plenty of water to avoid dehydration", (("drink",), ("water",), ("dehydrat",))),
    (PREVENTION, "gentle massage", (("massage", "rub"), ("gentl",), ("muscle",))),
    (PREVENTION, "warm towel or hot water bottle", (("warm towel",), ("hot water bottle",))),
    (PREVENTION, "warm bath before bed", (("warm bath",), ("before bed", "bedtime"))),
    # --- When to talk to your provider: warning signs ---
    (PROVIDER, "pain frequent and severe", (("frequent",), ("severe",))),
    (PROVIDER, "redness", (("redness",),)),
    (PROVIDER, "warmth", (("warm",), ("leg",))),
    (PROVIDER, "swelling", (("swelling", "swollen"),)),
    (PROVIDER, "tenderness", (("tender",),)),
    (PROVIDER, "talk to the provider right away", (("provider",), ("right away",))),
    (PROVIDER, "cramps usually go away on their own", (("on their own",),)),
    (PROVIDER, "can be a sign of a more serious problem", (("more serious",),)),
    # --- Causes ---
    (CAUSES, "a cramp is a sudden tightening of muscles", (("sudden",), ("tighten",), ("muscle",))),
    (CAUSES, "the reason isn't clear", (("no one knows", "not clear", "isn't clear", "unclear"),)),
    (CAUSES, "lack of fluids", (("fluids",), ("not drinking enough", "lack"))),
    (CAUSES, "injury", (("injury",),)),
    (CAUSES, "muscle strain", (("strain",),)),
    (CAUSES, "staying in the same position for a long time", (("one position", "same position"), ("long",))),
    (CAUSES, "blood circulation problems", (("blood circulation", "circulation"),)),
    (CAUSES, "pressure on the nerves in the spine", (("pressure",), ("nerves",), ("spine",))),
    (CAUSES, "stress on leg muscles from the extra weight", (("weight",), ("leg muscles",), ("stress",))),
    (CAUSES, "growing baby presses on nerves and blood vessels",
     (("baby",), ("press",), ("nerves",), ("blood vessels",))),
    # --- Calcium (Causes section) ---
    (CAUSES, "calcium: once thought to be the cause", (("calcium",), ("once thought", "used to think"))),
    (CAUSES, "calcium: no longer thought to be the cause", (("calcium",), ("no longer",))),
    (CAUSES, "calcium matters for the baby's development", (("calcium",), ("baby",), ("develop",))),
    (CAUSES, "calcium keeps your bones strong and healthy", (("calcium",), ("bones",), ("strong",))),
    # --- When cramps happen (Introduction) ---
    (INTRO, "second and third trimesters", (("second",), ("third",), ("trimester",))),
    (INTRO, "particularly at night or while sleeping", (("night",), ("sleep",))),
    (INTRO, "more often in the last month", (("last month",),)),
    (INTRO, "jumpy feeling in the legs", (("jumpy",), ("legs",))),
]


@pytest.mark.parametrize("section,fact,groups", FACTS, ids=[f[1] for f in FACTS])
def test_source_fact_is_said_under_its_section(section: str, fact: str, groups: tuple[tuple[str, ...], ...]) -> None:
    hits = [key for key, source, text in ENTRIES if source == section and has_all(text, groups)]
    assert hits, f"no entry with source {section!r} says: {fact} (keywords {groups})"


def test_keyword_matcher_is_not_vacuous() -> None:
    # The table above is only meaningful if has_all can say no.
    assert not has_all("Straighten your leg.", (("straighten",), ("heel",)))
    assert not has_all("bored", (("red",),))
    assert has_all("Do you see any Redness?", (("red",),))


def test_relief_flow_starts_with_straighten_heel_first_and_wiggle() -> None:
    first = G.relief_steps[0]
    assert first.source == PREVENTION
    assert has_all(" ".join(first.say), (("straighten",), ("heel",), ("wiggle",), ("toes",)))
    assert first.hold, "the first relief step must be held (timed by the assistant)"


def test_warning_questions_cover_every_sign_and_escalate_at_the_right_level() -> None:
    qs = G.questions
    assert qs[0].source == EMERGENCY_PATH and qs[0].level == "emergency", "the emergency screen comes first"
    provider_qs = [q for q in qs if q.source == PROVIDER]
    assert all(q.level == "provider" for q in provider_qs)
    for sign in (("frequent", "severe"), ("redness",), ("warm",), ("swelling", "swollen"), ("tender",)):
        assert any(has_all(q.ask, (sign,)) for q in provider_qs), f"no warning question about {sign}"
    assert {q.level for q in qs} <= {"emergency", "provider"}
    assert len({q.key for q in qs}) == len(qs)


# ----- (b) sources -----
def source_headings() -> list[str]:
    """Section headings of the source text: short standalone lines that are not list items or sentences."""
    if not SOURCE_FILE.is_file():
        pytest.skip(f"medical source text not found at {SOURCE_FILE} (expected ../shared/source next to the repo)")
    lines = SOURCE_FILE.read_text(encoding="utf-8").splitlines()
    headings = []
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or line != s or s[0] in "-•" or re.match(r"\d+\.", s) or s[-1] in ".:;,":
            continue
        before = lines[i - 1].strip() if i > 0 else ""
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if not before and not after and len(s.split()) <= 10:
            headings.append(s)
    return headings


def test_source_headings_are_read_from_the_source_text() -> None:
    assert source_headings() == [INTRO, CAUSES, PREVENTION, PROVIDER]


def test_every_source_is_a_source_section_or_a_named_non_source_origin() -> None:
    allowed = set(source_headings()) | {EMERGENCY_PATH, ASSISTANT}
    bad = [(key, source) for key, source, _ in ENTRIES if source not in allowed]
    assert not bad, f"entries naming an unknown source: {bad}"
    # The file's own section list (what load_guidance validates against) must be the source's headings.
    assert set(G.sections) <= set(source_headings())


def test_every_source_section_is_used() -> None:
    used = {source for _, source, _ in ENTRIES}
    missing = set(source_headings()) - used
    assert not missing, f"source sections never spoken: {missing}"


# Medical words that must not appear in "assistant" entries (how to use the assistant only). Matched at the
# start of a word, so "gentle" or "breathe easy" style words are not caught by accident.
MEDICAL_DENY = (
    "calcium", "dehydrat", "blood", "swell", "swollen", "provider", "doctor", "trimester", "circulat",
    "nerve", "spine", "clot", "redness", "tender", "warmth", "fluid", "injur", "strain", "emergenc", "chest",
    "breath", "faint", "cough", "medic", "treatment", "massage", "stretch your", "straighten", "heel",
    "hot water", "warm towel", "warm bath", "severe", "serious problem",
)
# Naming a topic the assistant can talk about ("I can tell you about causes, prevention and calcium") is not
# medical content; drop such topic lists before scanning.
TOPIC_LIST = re.compile(r"tell you about [^.?!]*[.?!]", re.IGNORECASE)


def test_assistant_entries_carry_no_medical_content() -> None:
    found = []
    for key, source, text in ENTRIES:
        if source != ASSISTANT:
            continue
        scanned = TOPIC_LIST.sub(" ", text).lower()
        for word in MEDICAL_DENY:
            if re.search(r"(?<![a-z])" + re.escape(word), scanned):
                found.append((key, word))
    assert not found, f"'assistant' entries with medical words: {found}"


def test_deny_list_catches_medical_words_and_spares_plain_ones() -> None:
    def flagged(text: str) -> bool:
        scanned = TOPIC_LIST.sub(" ", text).lower()
        return any(re.search(r"(?<![a-z])" + re.escape(w), scanned) for w in MEDICAL_DENY)

    assert flagged("Drink water so you don't get dehydrated.")
    assert flagged("Call your provider.")
    assert not flagged("I can tell you about causes, prevention and calcium. Say next.")
    assert not flagged("Good. Keep going gently. Rest now.")


EMERGENCY_SIGNS = ("chest pain", "trouble breathing", "coughing up blood", "faint")


def test_emergency_path_names_the_signs_and_emergency_services() -> None:
    emergency = [(key, text) for key, source, text in ENTRIES if source == EMERGENCY_PATH]
    assert emergency, "no emergency path content"
    for key, text in emergency:
        low = text.lower()
        missing = [s for s in EMERGENCY_SIGNS if s not in low]
        assert not missing, f"{key} does not mention {missing}"
    advice = {key: text.lower() for key, text in emergency if key.startswith("escalate.")}
    assert set(advice) >= {"escalate.emergency", "escalate.emergency_conditional"}
    for key, low in advice.items():
        assert "emergency services" in low, f"{key} must send the user to emergency services"


# ----- (c) short sentences -----
MAX_WORDS = 25


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[.?!]+", text) if s.strip()]


def test_sentence_splitter() -> None:
    assert sentences("One two. Three? Four!") == ["One two", "Three", "Four"]


@pytest.mark.parametrize("key,source,text", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_sentences_are_short_for_the_ear(key: str, source: str, text: str) -> None:
    long = [s for s in sentences(text) if len(s.split()) > MAX_WORDS]
    assert not long, f"{key}: sentences over {MAX_WORDS} words: {long}"


# ----- (d) broken guidance files -----
BASE = yaml.safe_load(default_guidance_path().read_text(encoding="utf-8"))


def write_doc(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "guidance.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def mutated(change: str) -> dict:
    doc = copy.deepcopy(BASE)
    if change == "no prompts":
        del doc["prompts"]
    elif change == "no sections":
        del doc["sections"]
    elif change == "step without say":
        del doc["relief_steps"][0]["say"]
    elif change == "question without level":
        del doc["warning_questions"][0]["level"]
    elif change == "prompt without source":
        del doc["prompts"]["help"]["source"]
    elif change == "empty relief steps":
        doc["relief_steps"] = []
    elif change == "unknown source in prompt":
        doc["prompts"]["help"]["source"] = "Chapter 12"
    elif change == "unknown source in step":
        doc["stretch_steps"][1]["source"] = "prevention"  # wrong case: not the heading
    elif change == "unknown source in question":
        doc["warning_questions"][2]["source"] = "Common sense"
    else:  # pragma: no cover
        raise AssertionError(change)
    return doc


def test_unchanged_copy_loads(tmp_path: Path) -> None:
    # Control for the broken-file tests: the round-tripped real file is fine.
    g = load_guidance(write_doc(tmp_path, copy.deepcopy(BASE)))
    assert g == G


@pytest.mark.parametrize("change", [
    "no prompts", "no sections", "step without say", "question without level", "prompt without source",
    "empty relief steps",
    "unknown source in prompt", "unknown source in step", "unknown source in question",
])
def test_malformed_guidance_raises_one_line_content_error(tmp_path: Path, change: str) -> None:
    path = write_doc(tmp_path, mutated(change))
    with pytest.raises(ContentError) as info:
        load_guidance(path)
    msg = str(info.value)
    assert msg and "\n" not in msg
    assert str(path) in msg, "the message must say which file is broken"


@pytest.mark.parametrize("raw", [
    b"sections: [Introduction\nrelief_steps: {\n",       # not YAML
    b"\tsections:\n\t- x\n",                              # tabs: not YAML
    b"",                                                  # empty
    b"just a sentence\n",                                 # YAML, but not a mapping
    b"- a\n- b\n",                                        # a list
    b"sections: [\"Pr\xe9vention\"]\n",                   # Latin-1 byte: not UTF-8
    b"\xff\xfe\x00s\x00e\x00c\x00",                       # UTF-16 with BOM: not UTF-8
], ids=["unclosed", "tabs", "empty", "scalar", "list", "latin1", "utf16"])
def test_unreadable_guidance_raises_one_line_content_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "guidance.yaml"
    path.write_bytes(raw)
    with pytest.raises(ContentError) as info:
        load_guidance(path)
    msg = str(info.value)
    assert msg and "\n" not in msg


def test_missing_guidance_file_raises_content_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        load_guidance(tmp_path / "nope.yaml")
    assert "\n" not in str(info.value)


def test_prompts_as_a_list_raises_content_error(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE)
    doc["prompts"] = [{"key": "help", "source": ASSISTANT, "text": ["Hi."]}]
    with pytest.raises(ContentError):
        load_guidance(write_doc(tmp_path, doc))


def test_say_as_a_plain_string_is_rejected_or_kept_whole(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE)
    doc["relief_steps"][0]["say"] = "Straighten your leg."
    try:
        g = load_guidance(write_doc(tmp_path, doc))
    except ContentError:
        return
    assert g.relief_steps[0].say == ("Straighten your leg.",)
