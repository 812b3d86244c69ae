"""The conversation section of a run's summary: turns right by kind, against the same asked alone.

Pure functions over the run's records (``results.jsonl``), so the section can be recomputed
from an existing run and checked on hand-made records. Definitions are in evals/METRICS.md
("Conversations").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.eval.budget import ERROR, FULL_STAGES, loss_stage
from assistant.eval.metrics import QuestionOutcome, percentile

KINDS: tuple[str, ...] = ("first", "followup", "unrelated")
TURN_TIMINGS: tuple[str, ...] = ("first_evidence", "ttft", "total")


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def timing_percentiles(records: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """p50 and p95 of the first evidence shown, the first token and the whole answer."""
    values: dict[str, float | None] = {}
    for key in TURN_TIMINGS:
        seconds = [
            float(r["timings"][key])
            for r in records
            if not r.get("error") and key in (r.get("timings") or {})
        ]
        values[f"{key}_p50_s"] = percentile(seconds, 50)
        values[f"{key}_p95_s"] = percentile(seconds, 95)
    return values


def budget_row(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Where the answerable turns of a group were lost (unanswerable turns have no stage)."""
    row = dict.fromkeys((*FULL_STAGES, ERROR), 0)
    for record in records:
        stage = loss_stage(QuestionOutcome.from_dict(record["outcome"]))
        if stage is not None:
            row[stage] += 1
    return row


def _kind_entry(kind: str, group: list[dict[str, Any]], ask_alone: bool) -> dict[str, Any]:
    right = sum(1 for r in group if r["right"])
    entry: dict[str, Any] = {"n": len(group), "right": right, "rate": _rate(right, len(group))}
    entry["timings"] = timing_percentiles(group)
    alone = [r for r in group if "alone" in r]
    if kind != "first" and ask_alone and alone:
        alone_right = sum(1 for r in alone if r["alone"]["right"])
        entry["alone_n"] = len(alone)
        entry["alone_right"] = alone_right
        entry["alone_rate"] = _rate(alone_right, len(alone))
        if entry["rate"] is not None and entry["alone_rate"] is not None:
            entry["difference"] = entry["rate"] - entry["alone_rate"]
        entry["right_only_alone"] = [
            r["id"] for r in alone if r["alone"]["right"] and not r["right"]
        ]
        entry["right_only_in_conversation"] = [
            r["id"] for r in alone if r["right"] and not r["alone"]["right"]
        ]
        entry["alone_timings"] = timing_percentiles([r["alone"] for r in alone])
    if kind == "unrelated":
        mixed = [r["id"] for r in group if r.get("mixed_topics")]
        entry["mixed_topics"] = len(mixed)
        entry["mixed_topics_ids"] = mixed
        if alone:
            entry["alone_mixed_topics"] = sum(1 for r in alone if r["alone"].get("mixed_topics"))
    return entry


def conversation_section(
    records: Sequence[dict[str, Any]], *, history_turns: int, ask_alone: bool = True
) -> dict[str, Any]:
    """Turns right per kind (in the conversation and alone), per conversation language, mixed
    topics, timings, and the error budget per kind (each kind asked alone beside it)."""
    by_kind = {kind: [r for r in records if r.get("kind") == kind] for kind in KINDS}
    kinds = {kind: _kind_entry(kind, group, ask_alone) for kind, group in by_kind.items()}
    by_lang: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = by_lang.setdefault(record["conversation_lang"], {})
        cell = entry.setdefault(record["kind"], {"n": 0, "right": 0})
        cell["n"] += 1
        cell["right"] += int(record["right"])
    for entry in by_lang.values():
        for cell in entry.values():
            cell["rate"] = _rate(cell["right"], cell["n"])
    budget: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        alone = [r["alone"] for r in by_kind[kind] if "alone" in r]
        for name, group in ((kind, by_kind[kind]), (f"{kind} alone", alone)):
            row = budget_row(group)
            if any(row.values()):  # only kinds with answerable turns have a budget
                budget[name] = row
    all_right: dict[str, bool] = {}
    for record in records:
        conversation = record["conversation"]
        all_right[conversation] = all_right.get(conversation, True) and bool(record["right"])
    return {
        "history_turns": history_turns,
        "asked_alone": ask_alone,
        "n_conversations": len(all_right),
        "n_turns": len(records),
        "conversations_all_right": sum(all_right.values()),
        "kinds": kinds,
        "by_conversation_lang": dict(sorted(by_lang.items())),
        "error_budget": {"stages": [*FULL_STAGES, ERROR], "slices": budget},
    }
