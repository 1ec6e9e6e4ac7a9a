#!/usr/bin/env bash
# Smoke test of the frozen bundle built by scripts/build-bundle.sh: the bundled local database
# starts (with and without a password), the frozen CLI imports a sample into it, the frozen GUI
# opens a sample offscreen and commits it, and no server is left running.  Temporary user
# folders only; exits non-zero with a one-line reason on the first failure.
#   scripts/smoke-bundle.sh [BUNDLE_DIR]   (default dist/booking-desktop)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}  # the build's venv: the checks speak to the server with its pymongo
if [ ! -x "$py" ]; then
  echo "smoke-bundle: $py not found; run scripts/build-bundle.sh first" >&2
  exit 1
fi
start=$(date +%s)
QT_QPA_PLATFORM=offscreen "$py" scripts/smoke_bundle.py "$@"
echo "smoke-bundle: passed in $(( $(date +%s) - start )) s"
