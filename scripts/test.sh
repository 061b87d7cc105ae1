#!/usr/bin/env bash
# Set up if needed, start the virtual speaker and microphone, lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VA=../shared/audio/virtual-audio.sh
if [ -f "$VA" ]; then
  eval "$(bash "$VA")"
else
  echo "test: $VA not found; tests that need audio devices will be skipped" >&2
fi
.venv/bin/ruff check voice_guide tests scripts
.venv/bin/mypy voice_guide
exec .venv/bin/python -m pytest -q "$@"
