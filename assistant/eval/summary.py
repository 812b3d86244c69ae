"""Opening a run directory and writing its ``summary.json``, for every kind of run.

Question sets, conversation sets and the generated sets all write the same summary (metrics
overall and per slice, the error budget, the stamp), each adding its own sections, so that the
report, the diff and the gate read any run the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.eval.budget import error_budget
from assistant.eval.metrics import QuestionOutcome, summarize_slices
from assistant.eval.provenance import describe_pipeline, prompt_file_hashes, settings_dump
from assistant.eval.rundir import SUMMARY_FILE, new_run_dir


def slug(label: str) -> str:
    """A label as a safe directory-name suffix."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "run"


def open_run(settings: Settings, out_dir: Path | None, label: str) -> tuple[Path, datetime]:
    """A fresh run directory named ``<timestamp>_<label>`` and the run's start time."""
    started = datetime.now(UTC)
    name = f"{started.astimezone().strftime('%Y%m%d-%H%M%S')}_{slug(label)}"
    return new_run_dir(out_dir or settings.paths.runs_dir, name), started


def write_summary(
    run_dir: Path,
    records: Sequence[dict[str, Any]],
    *,
    label: str,
    mode: str,
    started: datetime,
    wall: float,
    set_stamp: dict[str, Any],
    code: dict[str, Any],
    target: Any,
    settings: Settings,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The run's ``summary.json``: metrics overall and per slice, the error budget, the English
    answers with Chinese outside quotations, the stamp, and ``extra`` sections."""
    answer_prompt_hashes: dict[str, str] = {}
    for record in records:
        answer_prompt_hashes.update(record.get("prompt_hashes") or {})
    outcomes = [QuestionOutcome.from_dict(r["outcome"]) for r in records]
    slices = summarize_slices(outcomes)
    summary: dict[str, Any] = {
        "label": label,
        "mode": mode,
        "run_dir": str(run_dir),
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "wall_time_s": round(wall, 3),
        "question_set": set_stamp,
        "git": code,
        "pipeline": describe_pipeline(target),
        "prompt_hashes": {
            "answers": answer_prompt_hashes,
            "files": prompt_file_hashes(settings.paths.prompts_dir),
        },
        "settings": settings_dump(settings),
        "metrics": slices["all"],
        "slices": slices,
        "error_budget": error_budget(outcomes),
        "english_cjk": {
            "count": sum(1 for o in outcomes if o.cjk_outside_quotes),
            "ids": [o.id for o in outcomes if o.cjk_outside_quotes],
        },
        **(extra or {}),
    }
    if summary["pipeline"]["model"] is None and records and mode != "retrieval":
        summary["pipeline"]["model"] = next(
            (r.get("model") for r in records if r.get("model")), None
        )
    (run_dir / SUMMARY_FILE).write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return summary
