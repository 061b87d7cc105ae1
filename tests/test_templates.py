import pytest

from voice_guide.templates import MAX_EXPANSIONS, TemplateError, expand


@pytest.mark.parametrize(
    "template,phrases",
    [
        ("turn on [the] light", ["turn on the light", "turn on light"]),
        ("(a|b) c", ["a c", "b c"]),
        ("x [(a|b)] y", ["x a y", "x b y", "x y"]),
        ("[(ow|ouch)] my (leg|calf)", ["ow my leg", "ow my calf", "ouch my leg", "ouch my calf", "my leg", "my calf"]),
        ("a ((b|c) d|e)", ["a b d", "a c d", "a e"]),
        ("same (a|a)", ["same a"]),
    ],
)
def test_expand(template: str, phrases: list[str]) -> None:
    assert expand(template) == phrases


@pytest.mark.parametrize("bad", ["(a|b", "a]", "[a", "a|b)", "((a)"])
def test_malformed_templates_are_rejected(bad: str) -> None:
    with pytest.raises(TemplateError):
        expand(bad)


def test_explosion_is_a_load_time_error() -> None:
    with pytest.raises(TemplateError):
        expand("(a|b|c|d|e|f|g|h|i|j) " * 4)
    assert len(expand("(a|b|c|d|e|f|g|h|i|j) " * 3)) == 1000 <= MAX_EXPANSIONS
