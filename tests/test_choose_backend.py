from pathlib import Path

import pytest

from voice_guide.asr.base import choose_backend, find_vosk_model
from voice_guide.errors import UserError

M = Path("/models/vosk-en")

CASES = [
    # preferred, model, has_vosk, has_ps -> backend (None = UserError)
    (None, M, True, True, "vosk"),
    ("auto", M, True, False, "vosk"),
    (None, M, False, True, "pocketsphinx"),
    (None, None, True, True, "pocketsphinx"),
    (None, None, False, True, "pocketsphinx"),
    (None, None, False, False, None),
    (None, M, False, False, None),
    ("vosk", M, True, True, "vosk"),
    ("vosk", None, True, True, None),
    ("vosk", M, False, True, None),
    ("pocketsphinx", M, True, True, "pocketsphinx"),
    ("pocketsphinx", None, True, False, None),
    ("whisper", None, True, True, None),
]


@pytest.mark.parametrize(("preferred", "model", "has_vosk", "has_ps", "expected"), CASES)
def test_choose_backend_table(preferred, model, has_vosk, has_ps, expected):
    if expected is None:
        with pytest.raises(UserError):
            choose_backend(preferred, vosk_model=model, has_vosk=has_vosk, has_pocketsphinx=has_ps)
        return
    choice = choose_backend(preferred, vosk_model=model, has_vosk=has_vosk, has_pocketsphinx=has_ps)
    assert choice.name == expected
    assert choice.model_path == (model if expected == "vosk" else None)
    assert choice.reason


def test_reason_says_why_vosk_was_passed_over():
    choice = choose_backend(None, vosk_model=M, has_vosk=False, has_pocketsphinx=True)
    assert "pip install vosk" in choice.reason


def _model(path: Path) -> Path:
    (path / "am").mkdir(parents=True)
    (path / "am" / "final.mdl").write_bytes(b"x")
    return path


def test_find_vosk_model_search_order(tmp_path):
    flag = _model(tmp_path / "flag-model")
    env_model = _model(tmp_path / "env-model")
    models = tmp_path / "models"
    _model(models / "vosk-model-small-ko-0.22")
    english = _model(models / "vosk-model-small-en-us-0.15")
    cache = tmp_path / "cache"
    cached = _model(cache / "vosk-model-x")
    env = {"VOICE_GUIDE_VOSK_MODEL": str(env_model)}
    assert find_vosk_model(flag, env, models, cache) == flag
    assert find_vosk_model(None, env, models, cache) == env_model
    assert find_vosk_model(None, {}, models, cache) == english  # English-named model preferred
    assert find_vosk_model(None, {}, tmp_path / "none", cache) == cached
    assert find_vosk_model(None, {}, tmp_path / "none", tmp_path / "none2") is None


def test_explicit_wrong_model_path_is_an_error(tmp_path):
    with pytest.raises(UserError, match="not a Vosk model"):
        find_vosk_model(tmp_path, {}, None, None)
    with pytest.raises(UserError, match="VOICE_GUIDE_VOSK_MODEL"):
        find_vosk_model(None, {"VOICE_GUIDE_VOSK_MODEL": str(tmp_path / "nope")}, None, None)
