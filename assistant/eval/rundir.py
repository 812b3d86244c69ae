"""The layout of a run directory: ``results.jsonl`` and ``summary.json`` (plus the reports).

Kept apart from the runner so that reports, the gate and the CLI read runs without importing
the pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"


def new_run_dir(root: Path, name: str) -> Path:
    """A fresh directory: two runs started in the same second get "-2", "-3"... suffixes."""
    root.mkdir(parents=True, exist_ok=True)
    candidate, number = root / name, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1
            candidate = root / f"{name}-{number}"


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run directory's summary and its per-question records."""
    summary = json.loads((run_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    results = run_dir / RESULTS_FILE
    if not results.is_file():
        return summary, []
    lines = results.read_text(encoding="utf-8").splitlines()
    return summary, [json.loads(line) for line in lines if line.strip()]
