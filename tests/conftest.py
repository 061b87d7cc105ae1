"""Shared test set-up: each test module synthesizes its speech from a fresh espeak-ng (speech_fixtures)."""

from collections.abc import Iterator

import pytest

from tests.speech_fixtures import fresh_synthesis


@pytest.fixture(autouse=True, scope="module")
def _fresh_synthesis_per_module() -> Iterator[None]:
    fresh_synthesis()
    yield
    fresh_synthesis()
