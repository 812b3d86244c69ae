"""The error budget: for each answerable question, the stage of the pipeline where it was lost.

Stages in pipeline order; a question is charged to the first one it fails:

- ``not retrieved``: no passage holding an evidence span among the retrieved passages (the
  answering pipeline's top_k; in a retrieval-only run, the top 10);
- ``refused with evidence``: refused (by the relevance gate, before any prompt, or by the model)
  although the evidence was retrieved;
- ``not in prompt``: retrieved, but no passage shown to the model holds an evidence span (cut by
  the token budget, or focused down to other sentences);
- ``not cited``: the evidence was in the prompt, the answer misses key facts and cites no
  passage holding evidence;
- ``facts wrong or missing``: the evidence was cited, but key facts are wrong or missing;
- ``right``: every key fact present (whatever was cited).

A retrieval-only run has only ``not retrieved``, ``rank 6-10`` and ``top 5``. Errors are counted
apart. This is how the next change is chosen: the largest count, per slice, is where to work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.eval.metrics import PAIR_SLICES, PASS_K, QuestionOutcome

FULL_STAGES: tuple[str, ...] = (
    "not retrieved",
    "refused with evidence",
    "not in prompt",
    "not cited",
    "facts wrong or missing",
    "right",
)
RETRIEVAL_STAGES: tuple[str, ...] = ("not retrieved", "rank 6-10", "top 5")
ERROR = "error"


def loss_stage(outcome: QuestionOutcome) -> str | None:
    """The stage where an answerable question with evidence was lost (or "right"); ``None``
    for questions the budget does not cover (unanswerable, or no evidence spans)."""
    if not outcome.answerable or not outcome.has_evidence:
        return None
    if outcome.error is not None:
        return ERROR
    if outcome.evidence_rank is None:
        return "not retrieved"
    if outcome.retrieval_only:
        return "top 5" if outcome.evidence_rank <= PASS_K else "rank 6-10"
    if outcome.answered and not outcome.facts_missing:
        return "right"
    if outcome.refused:
        return "refused with evidence"
    if outcome.evidence_cited:  # a cited passage was in the prompt, whatever was recorded
        return "facts wrong or missing"
    if not outcome.evidence_in_prompt:
        return "not in prompt"
    return "not cited"


def _budget_slices(outcome: QuestionOutcome) -> list[str]:
    names = ["all", outcome.pair_slice]
    if outcome.followup:
        names.append("followup")
    return names


def _slice_key(name: str) -> tuple[int, str]:
    if name == "all":
        return (0, "")
    if name in PAIR_SLICES:
        return (1, str(PAIR_SLICES.index(name)))
    return (2 if "→" in name else 3, name)


def error_budget(outcomes: Sequence[QuestionOutcome]) -> dict[str, Any]:
    """Counts per stage for "all", each question × document slice and follow-ups."""
    retrieval_only = bool(outcomes) and all(o.retrieval_only for o in outcomes)
    stages = RETRIEVAL_STAGES if retrieval_only else FULL_STAGES
    counts: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        stage = loss_stage(outcome)
        if stage is None:
            continue
        for name in _budget_slices(outcome):
            row = counts.setdefault(name, dict.fromkeys((*stages, ERROR), 0))
            row[stage] = row.get(stage, 0) + 1
    ordered = {name: counts[name] for name in sorted(counts, key=_slice_key)}
    return {"stages": [*stages, ERROR], "slices": ordered}


def budget_of(summary: dict[str, Any], records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A run's budget: from its summary, or recounted from its records (older runs)."""
    if "error_budget" in summary:
        return summary["error_budget"]
    return error_budget([QuestionOutcome.from_dict(r["outcome"]) for r in records])


def budget_rows(
    budget: dict[str, Any], baseline: dict[str, Any] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the budget table: "count" or, with a baseline, "count (±delta)".

    The error column is shown only when some run had an error.
    """
    stages = list(budget.get("stages", []))
    base_slices = (baseline or {}).get("slices", {})
    slices = budget.get("slices", {})
    if not any(row.get(ERROR) for row in [*slices.values(), *base_slices.values()]):
        stages = [s for s in stages if s != ERROR]
    rows = []
    for name in dict.fromkeys([*slices, *base_slices]):
        now = slices.get(name, {})
        total = sum(now.values())
        cells = [name, str(total)]
        for stage in stages:
            value = now.get(stage, 0)
            cell = str(value)
            if baseline is not None:
                delta = value - base_slices.get(name, {}).get(stage, 0)
                cell += f" ({delta:+d})" if delta else ""
            cells.append(cell)
        rows.append(cells)
    return ["slice", "questions", *stages], rows
