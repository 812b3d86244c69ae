"""The ``generated`` section of a generated set's summary: right per slice, and the budget.

Kept apart from :mod:`assistant.eval.generated` (which runs the pipeline) so that the section
is a pure function of the run's records. Definitions are in evals/METRICS.md ("Generated sets").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from assistant.eval.budget import ERROR, FULL_STAGES, loss_stage
from assistant.eval.metrics import PAIR_SLICES, QuestionOutcome

EVIDENCE_REMOVED_STAGES: tuple[str, ...] = (
    "declined by the relevance gate",
    "declined after retrieval",
    "answered without the key facts",
    "answered with the key facts",
)


def evidence_removed_stage(record: dict[str, Any]) -> str:
    """How a question without its documents ended: declined before the model (the relevance
    gate), declined later, or answered (the key facts present means another document states
    them too)."""
    if record.get("error"):
        return ERROR
    if record.get("refused"):
        if record.get("refusal_reason") == "no_relevant_passages":
            return EVIDENCE_REMOVED_STAGES[0]
        return EVIDENCE_REMOVED_STAGES[1]
    return EVIDENCE_REMOVED_STAGES[3 if record.get("key_facts_present") else 2]


def generated_right(which: str, record: dict[str, Any]) -> bool:
    """Declined for evidence removed; the original question's pass for distractors."""
    if record.get("error"):
        return False
    if which == "evidence-removed":
        return bool(record.get("refused"))
    return bool(record.get("passed"))


def _cited_distractor(record: dict[str, Any]) -> bool:
    names = {PurePosixPath(d["doc_id"]).name for d in record.get("distractors", [])}
    return bool(names & set(record.get("cited_docs", [])))


def _slice_order(name: str) -> tuple[int, str]:
    if name == "all":
        return (0, "")
    return (1, str(PAIR_SLICES.index(name))) if name in PAIR_SLICES else (2, name)


def generated_section(
    which: str, records: Sequence[dict[str, Any]], description: str, skipped: Sequence[str]
) -> dict[str, Any]:
    """Right per question × document slice (and "all"), with the error budget per slice: the
    declining stages for evidence removed, the answering stages for distractors."""
    stages = [*EVIDENCE_REMOVED_STAGES] if which == "evidence-removed" else [*FULL_STAGES]
    stages.append(ERROR)
    slices: dict[str, dict[str, Any]] = {}
    budget: dict[str, dict[str, int]] = {}
    for record in records:
        if which == "evidence-removed":
            stage: str | None = evidence_removed_stage(record)
        else:
            stage = loss_stage(QuestionOutcome.from_dict(record["outcome"]))
        for name in ("all", record["slice"]):
            cell = slices.setdefault(name, {"n": 0, "right": 0})
            cell["n"] += 1
            cell["right"] += int(generated_right(which, record))
            if which == "distractors":
                cell["cited_distractor"] = cell.get("cited_distractor", 0) + int(
                    _cited_distractor(record)
                )
            if stage is not None:
                row = budget.setdefault(name, dict.fromkeys(stages, 0))
                row[stage] += 1
    for cell in slices.values():
        cell["rate"] = cell["right"] / cell["n"] if cell["n"] else None
    section: dict[str, Any] = {
        "set": which,
        "description": description,
        "n": len(records),
        "skipped": list(skipped),
        "slices": {name: slices[name] for name in sorted(slices, key=_slice_order)},
        "error_budget": {
            "stages": stages,
            "slices": {name: budget[name] for name in sorted(budget, key=_slice_order)},
        },
    }
    if which == "distractors":
        reasons: dict[str, int] = {}
        for record in records:
            for distractor in record.get("distractors", []):
                reasons[distractor["reason"]] = reasons.get(distractor["reason"], 0) + 1
        section["distractor_reasons"] = reasons
    return section
