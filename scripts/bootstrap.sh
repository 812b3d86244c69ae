#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment. Idempotent and quick when nothing changed:
# a stamp of pyproject.toml's hash skips pip entirely. Nothing is compiled: the model engine
# (xllamacpp) is a prebuilt, portable wheel, so a wheel cached on one machine runs on any other.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${1:-}"
SPEC="."; [[ -n "$EXTRAS" ]] && SPEC=".[$EXTRAS]"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV=".venv"

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "[bootstrap] creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

# requirements.lock pins every transitive dependency (as `pip freeze` saw them in a passing CI
# run), so an eval run can be reproduced with the same packages; pyproject.toml says what the
# project needs, the lock says which versions it was measured with.
LOCK="requirements.lock"
STAMP="$VENV/.installed-$(cat pyproject.toml "$LOCK" | sha256sum | cut -c1-16)-${EXTRAS:-base}"
if [[ ! -f "$STAMP" ]]; then
    echo "[bootstrap] installing the package and its dependencies (prebuilt wheels, ~2 min on 2 cores)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip wheel
    "$VENV/bin/python" -m pip install --progress-bar off -c "$LOCK" -e "$SPEC"
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
fi
echo "[bootstrap] environment ready: $VENV"
