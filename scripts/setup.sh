#!/usr/bin/env bash
# Install everything SIMASN needs into this checkout (idempotent).
#   scripts/setup.sh          application packages
#   scripts/setup.sh --test   plus the test tools (pytest, Playwright's Python package, Debian's chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

step() { printf '\n==> %s\n' "$*"; }

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  step "Membuat virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
step "Memasang paket Python"
EXTRA=""; [ "$WITH_TEST" = 1 ] && EXTRA="[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRA}"

step "Memasang paket front-end (npm)"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
mkdir -p app/static/vendor
cp node_modules/htmx.org/dist/htmx.min.js app/static/vendor/htmx.min.js
mkdir -p app/static/vendor/bpmn-js
cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js node_modules/bpmn-js/dist/assets/diagram-js.css \
   node_modules/bpmn-js/dist/assets/bpmn-js.css app/static/vendor/bpmn-js/
# the studio's editor: the modeler bundle and the palette's icon font (CSS with the font embedded, and the font files)
cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js app/static/vendor/bpmn-js/
rm -rf app/static/vendor/bpmn-js/bpmn-font
cp -R node_modules/bpmn-js/dist/assets/bpmn-font app/static/vendor/bpmn-js/bpmn-font

if [ "$WITH_TEST" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  step "Memasang Chromium (Debian) untuk uji peramban"
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
