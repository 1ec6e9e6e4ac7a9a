#!/usr/bin/env bash
# Set up (first run only; idempotent) and run the whole test suite: offscreen Qt,
# the MongoDB stand-in started by the fixtures, or a real server when
# BOOKING_TEST_MONGODB_URI is set.  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
