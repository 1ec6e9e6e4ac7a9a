#!/usr/bin/env bash
# Set up (first run only; idempotent) and start Booking Desktop on the built-in
# local database, with the sample vendor files offered in File > Open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/booking-desktop --samples "$@"
