#!/usr/bin/env bash
# Rewrite requirements.lock: install the project with its test extras into a throwaway virtual
# environment, unconstrained, and record every package it resolved (pip freeze). Run after
# changing the dependencies in pyproject.toml, then run the tests and commit both files.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
"$PYTHON" -m venv "$SCRATCH/venv"
"$SCRATCH/venv/bin/python" -m pip install --quiet --upgrade pip wheel
"$SCRATCH/venv/bin/python" -m pip install --quiet ".[test]"
{
    echo "# Every package of the test environment at the versions CI passed with (pip freeze)."
    echo "# Regenerate after changing pyproject.toml: bash scripts/lock.sh"
    "$SCRATCH/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^assistant=='
} > requirements.lock
echo "[lock] wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"
