"""Report sections that only some runs have: a conversation set's turns by kind, a generated
set's slices, and the English answers that carry Chinese outside quotations.

Rendered as Markdown from ``summary.json`` alone, so ``assistant eval`` prints them, report.md
holds them and report.html shows them, for runs made now or re-rendered later.
"""

from __future__ import annotations

from typing import Any

from assistant.eval.budget import budget_rows

TIMINGS: tuple[str, ...] = ("first_evidence", "ttft", "total")
KIND_LABELS: dict[str, str] = {
    "first": "first turns",
    "followup": "follow-ups (alone: the standalone form)",
    "unrelated": "unrelated turns",
}


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


def _signed(value: Any) -> str:
    return "—" if value is None else f"{value:+.3f}"


def _seconds(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}"


def _p50_p95(values: dict[str, Any], timing: str) -> str:
    return f"{_seconds(values.get(f'{timing}_p50_s'))} / {_seconds(values.get(f'{timing}_p95_s'))}"


def _ids(ids: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids) if ids else "none"


def conversation_markdown(section: dict[str, Any]) -> str:
    """Turns right per kind against the same asked alone, mixed topics, per conversation
    language, timings and the error budget per kind."""
    kinds = section.get("kinds", {})
    rows = []
    for kind, label in KIND_LABELS.items():
        entry = kinds.get(kind, {})
        if not entry.get("n"):
            continue
        rows.append(
            [
                label,
                str(entry["n"]),
                f"{entry['right']} ({_rate(entry['rate'])})",
                f"{entry['alone_right']} ({_rate(entry['alone_rate'])})"
                if "alone_right" in entry
                else "—",
                _signed(entry.get("difference")),
            ]
        )
    header = ["turns", "n", "right in conversation", "right alone", "conversation − alone"]
    parts = [
        f"{section.get('n_conversations', 0)} conversations, {section.get('n_turns', 0)} turns, "
        f"history: the last {section.get('history_turns')} turns as the app sends them; "
        f"{section.get('conversations_all_right', 0)} conversations right in every turn.",
        "",
        _table(header, rows),
    ]
    unrelated = kinds.get("unrelated", {})
    if unrelated.get("n"):
        parts += [
            "",
            f"Mixed topics (an unrelated turn citing the previous turn's documents): "
            f"{unrelated.get('mixed_topics', 0)} in conversation "
            f"({_ids(unrelated.get('mixed_topics_ids', []))}), "
            f"{unrelated.get('alone_mixed_topics', '—')} alone.",
        ]
    for kind in ("followup", "unrelated"):
        entry = kinds.get(kind, {})
        if entry.get("right_only_alone"):
            parts += ["", f"Right alone but not in conversation ({kind}): "]
            parts[-1] += _ids(entry["right_only_alone"])
    lang_rows = [
        [lang]
        + [
            f"{cells[k]['right']}/{cells[k]['n']}" if k in cells else "—"
            for k in ("first", "followup", "unrelated")
        ]
        for lang, cells in section.get("by_conversation_lang", {}).items()
    ]
    if lang_rows:
        parts += [
            "",
            _table(["conversation language", "first", "follow-up", "unrelated"], lang_rows),
        ]
    timing_rows = []
    for kind in ("first", "followup", "unrelated"):
        for suffix, key in (("", "timings"), (" alone", "alone_timings")):
            values = kinds.get(kind, {}).get(key)
            if values and kinds[kind].get("n"):
                timing_rows.append([kind + suffix, *(_p50_p95(values, t) for t in TIMINGS)])
    if timing_rows:
        header = ["turns", "first evidence p50/p95 (s)", "ttft p50/p95 (s)", "total p50/p95 (s)"]
        parts += ["", _table(header, timing_rows)]
    budget = section.get("error_budget", {})
    if budget.get("slices"):
        header, rows = budget_rows(budget)
        header[0] = "turns"
        parts += ["", "Error budget per kind (answerable turns):", "", _table(header, rows)]
    return "\n".join(parts)


def generated_markdown(section: dict[str, Any]) -> str:
    """Which generated set, right per slice, and its error budget."""
    rows = []
    for name, cell in section.get("slices", {}).items():
        row = [name, str(cell["n"]), f"{cell['right']} ({_rate(cell['rate'])})"]
        if section.get("set") == "distractors":
            row.append(str(cell.get("cited_distractor", 0)))
        rows.append(row)
    right = "declined" if section.get("set") == "evidence-removed" else "answered right"
    header = ["slice", "questions", right]
    if section.get("set") == "distractors":
        header.append("cited a distractor")
    parts = [
        f"**Generated set: {section.get('set')}**: {section.get('description')}.",
        "",
        _table(header, rows),
    ]
    if section.get("skipped"):
        parts += ["", f"Skipped (gold documents not indexed): {_ids(section['skipped'])}"]
    if section.get("distractor_reasons"):
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(section["distractor_reasons"].items()))
        parts += ["", f"Distractors chosen by: {reasons}."]
    budget = section.get("error_budget", {})
    if budget.get("slices"):
        header, rows = budget_rows(budget)
        parts += ["", "Error budget per slice:", "", _table(header, rows)]
    return "\n".join(parts)


def extra_sections(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, markdown) for each optional section the run has."""
    sections = []
    if "generated" in summary:
        sections.append(("Generated set", generated_markdown(summary["generated"])))
    if "conversation" in summary:
        sections.append(("Conversations", conversation_markdown(summary["conversation"])))
    english = summary.get("english_cjk") or {}
    if english.get("count"):
        sections.append(
            (
                "English answers with CJK outside quotations",
                f"{english['count']}: {_ids(english.get('ids', []))}",
            )
        )
    return sections
