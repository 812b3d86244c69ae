#!/usr/bin/env bash
# One command from a fresh clone to a running app: environment, default model, index, app.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH"

assistant models pull "${ASSISTANT_LLM__MODEL:-default}"
assistant ingest
exec python app.py "$@"
