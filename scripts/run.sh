#!/usr/bin/env bash
# One command from a fresh clone to a running app: environment, default model, index, checks, app.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH"

assistant models pull "${ASSISTANT_LLM__MODEL:-default}"
assistant ingest
if ! assistant doctor; then
    echo "[run] a check above failed: do what its 'fix:' line says, then run scripts/run.sh again" >&2
    exit 1
fi
exec python app.py "$@"
