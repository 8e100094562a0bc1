#!/usr/bin/env bash
# Install everything plus the test tools, then run the whole suite (unit, integration on SQLite and
# PostgreSQL, Celery against Redis, browser tests in Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
mkdir -p test-artifacts
set +e
.venv/bin/python -m pytest -p no:cacheprovider --junitxml=test-artifacts/junit.xml "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "Tidak ada uji yang dijalankan: itu dianggap gagal." >&2
  exit 1
fi
exit "$status"
