#!/usr/bin/env bash
# Create .venv and install the app with its test tools.  Idempotent and quick when
# nothing changed (a stamp of pyproject.toml's hash skips pip).
set -euo pipefail
cd "$(dirname "$0")/.."
# System libraries Qt needs on a bare Debian/Ubuntu: for any platform (GL, fonts, D-Bus, GLib), and for
# the xcb platform that shows windows on X11 -- the xcb/X11 libraries that Qt's libqxcb.so and
# libQt6XcbQpa.so link (objdump -p, Qt 6.11; Qt 6 no longer uses libxcb-xinerama0).  As root they are
# installed; otherwise the exact command is printed (nothing fails: offscreen Qt does not need xcb).
qt_pkgs="libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0"
xcb_pkgs="libxcb1 libx11-6 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
  libxkbcommon-x11-0"
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  # one dpkg-query for all (Ubuntu 24.04 renamed some libraries with a t64 suffix)
  have=$(dpkg-query -W -f='${Package} ${Status}\n' $(for p in $qt_pkgs $xcb_pkgs; do echo "$p ${p}t64"; done) \
    2>/dev/null | awk '/ ok installed$/ {sub(/t64$/, "", $1); printf " %s ", $1}' || true)
  missing=""
  for p in $qt_pkgs $xcb_pkgs; do
    case "$have" in *" $p "*) ;; *) missing="$missing $p" ;; esac
  done
  if [ -n "$missing" ] && [ "$(id -u)" = "0" ]; then
    echo "setup: installing system libraries Qt needs:$missing" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
      || echo "warning: could not apt-get install:$missing" >&2
  elif [ -n "$missing" ]; then
    echo "setup: Qt needs system libraries that are not installed (windows cannot open without them); run:" >&2
    echo "  sudo apt-get install -y$missing" >&2
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
