#!/usr/bin/env bash
# Set up if needed, then start the assistant (extra arguments go to voice-guide).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/voice-guide "$@"
