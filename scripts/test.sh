#!/usr/bin/env bash
# Run the whole test suite (offscreen Qt; MongoDB stand-in started by the fixtures,
# or a real server when BOOKING_TEST_MONGODB_URI is set).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
