#!/usr/bin/env bash
# Create .venv and install the app with its test tools.  Idempotent and quick when
# nothing changed (a stamp of pyproject.toml's hash skips pip).
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  # Qt's offscreen/xcb platforms need these shared libraries on a bare Debian.
  pkgs="libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0"
  missing=""
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    echo "setup: installing system libraries:$missing" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
      || echo "warning: could not apt-get install:$missing" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.booking-desktop-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages into .venv (first run takes a few minutes)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[dev]" 2>&1 | grep -vE "^WARNING: Location|BuildBackendWarning|^\s*(!!|\*+|with strategy|Please be careful|name as your package)|^\s*$" >&2 || true
  .venv/bin/python -c "import booking_desktop, PySide6, pymongo, pandas" # fail loudly if the install did not work
  echo "$want" > "$stamp"
fi
