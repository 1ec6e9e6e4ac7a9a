#!/usr/bin/env bash
# Build the frozen app with PyInstaller: one folder, dist/booking-desktop/, with the desktop app
# (booking-desktop), the command line (booking-desktop-cli) and the bundled local database
# (build.spec says what is in it and why).  Idempotent: sets up .venv when needed (scripts/setup.sh),
# installs the packaging tools (.[package]) when they are missing, rebuilds dist/booking-desktop/.
# Check the result with scripts/smoke-bundle.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! .venv/bin/python -c "import PyInstaller" >/dev/null 2>&1; then
  echo "build-bundle: installing the packaging tools (.[package]) into .venv" >&2
  .venv/bin/python -m pip install -q -e ".[dev,package]" 2>&1 \
    | grep -vE "^WARNING: Location|BuildBackendWarning|^\s*(!!|\*+|with strategy|Please be careful|name as your package)|^\s*$" >&2 || true
  .venv/bin/python -c "import PyInstaller" # fail loudly if the install did not work
fi
mkdir -p build
log=build/pyinstaller.log
start=$(date +%s)
echo "build-bundle: PyInstaller $(.venv/bin/python -m PyInstaller --version) on build.spec (a few minutes; log in $log)" >&2
if ! .venv/bin/python -m PyInstaller --noconfirm build.spec >"$log" 2>&1; then
  tail -n 25 "$log" >&2
  echo "build-bundle: FAILED: PyInstaller stopped (the end of $log is above)" >&2
  exit 1
fi
bundle=dist/booking-desktop
# what must never be in it: the test server, test tools and our test helpers
unwanted=$(.venv/bin/pyi-archive_viewer --recursive --brief "$bundle/booking-desktop-cli" \
  | grep -E '^ *(nx_27017|pytest|_pytest|pytestqt|booking_desktop\.storage\.(testing|pytest_fixtures))(\.|$)' || true)
if [ -n "$unwanted" ]; then
  echo "build-bundle: FAILED: the bundle contains modules it must not ship:" $unwanted >&2
  exit 1
fi
for f in booking-desktop booking-desktop-cli _internal/booking_desktop/resources/schema/booking.schema.json; do
  [ -e "$bundle/$f" ] || { echo "build-bundle: FAILED: $bundle/$f is missing" >&2; exit 1; }
done
# libraries PyInstaller could not find are not in the bundle: the machine that runs it needs them
# (GTK is only for the optional GTK platform theme)
absent=$(grep -o "could not resolve '[^']*'" "$log" | cut -d"'" -f2 | sort -u | grep -vE '^lib(gtk|gdk)-3' | tr '\n' ' ' || true)
if [ -n "$absent" ]; then
  echo "build-bundle: warning: not installed here, so not bundled (scripts/setup.sh installs them): $absent" >&2
fi
echo "build-bundle: $bundle/ ($(du -sh "$bundle" | cut -f1)) built in $(( $(date +%s) - start )) s" >&2
echo "build-bundle: run it with $bundle/booking-desktop --samples; check it with scripts/smoke-bundle.sh" >&2
