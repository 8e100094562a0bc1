#!/usr/bin/env bash
# Install everything and run SIMASN on the embedded default: SQLite + SQLite broker under instance/,
# web + Celery worker + beat in the foreground, with demo data and demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SIMASN_DEMO_MODE=${SIMASN_DEMO_MODE:-true}
.venv/bin/simasn setup --demo --count "${SIMASN_DEMO_COUNT:-2000}"
exec .venv/bin/simasn serve --host "${SIMASN_HOST:-127.0.0.1}" --port "${SIMASN_PORT:-5000}"
