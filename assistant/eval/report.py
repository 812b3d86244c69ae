"""Reports of a run directory: report.md (summary tables) and report.html (self-contained).

With a baseline run the reports put metrics side by side with their deltas and list the
questions that flipped between pass and fail, so a reviewer sees at a glance what a change did.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.eval.budget import budget_of, budget_rows
from assistant.eval.charts import latency_histogram, slice_bars
from assistant.eval.diff import (
    Flip,
    MetricDelta,
    flatten_settings,
    flipped_questions,
    metric_deltas,
    settings_diff,
)
from assistant.eval.metrics import METRICS
from assistant.eval.rundir import load_run
from assistant.eval.sections import extra_sections

SLICE_COLUMNS: tuple[str, ...] = (
    "n",
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr",
    "key_fact_accuracy",
    "refusal_precision",
    "refusal_recall",
    "citation_precision",
    "citation_recall",
    "language_accuracy",
    "retrieve_p95_s",
    "ttft_p50_s",
    "total_p50_s",
)
CHART_METRICS: tuple[str, ...] = (
    "hit@5",
    "mrr",
    "key_fact_accuracy",
    "citation_precision",
    "citation_recall",
    "language_accuracy",
)
SNIPPET = 400
# The settings groups that change what is measured; paths, app and server details do not.
MEASURED_SETTINGS: tuple[str, ...] = ("chunking", "embedder", "retrieval", "llm", "answer")


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    markdown: Path


def format_value(metric: str, value: Any) -> str:
    if value is None:
        return "—"
    kind = METRICS[metric].kind if metric in METRICS else "rate"
    if kind == "count":
        return str(int(value))
    if kind == "latency":
        return f"{value:.2f}"
    return f"{value:.3f}"


def format_delta(delta: MetricDelta) -> str:
    if delta.delta is None:
        return ""
    if METRICS[delta.metric].kind == "latency":
        return f"{delta.delta:+.2f}s"
    if METRICS[delta.metric].kind == "count":
        return f"{int(delta.delta):+d}"
    return f"{delta.delta:+.3f}"


def _columns(slices: dict[str, dict[str, Any]]) -> list[str]:
    """Slice-table columns that have a value somewhere (a retrieval run has no answer metrics)."""
    return [c for c in SLICE_COLUMNS if any(s.get(c) is not None for s in slices.values())]


def _stamp_lines(summary: dict[str, Any]) -> list[tuple[str, str]]:
    git = summary.get("git", {})
    pipeline = summary.get("pipeline", {})
    qset = summary.get("question_set", {})
    llm = summary.get("settings", {}).get("llm", {})
    commit = str(git.get("commit") or "none")[:12] + (" (dirty)" if git.get("dirty") else "")
    sha = pipeline.get("model_sha256") or "—"
    split = qset.get("split")
    return [
        ("mode", str(summary.get("mode"))),
        ("split", f"{split} half" if split else "whole set (no split)"),
        ("question set", f"{qset.get('path')} (sha256 {str(qset.get('sha256'))[:12]}, "
         f"{qset.get('n_run')} of {qset.get('n_questions')} questions)"),
        ("commit", commit),
        ("model", f"{pipeline.get('model') or '—'} (sha256 {str(sha)[:16]})"),
        ("generation", f"temperature {llm.get('temperature')}, seed {llm.get('seed')}"),
        ("embedder", str(pipeline.get("embedder") or "—")),
        ("index", str(pipeline.get("index_fingerprint") or "—")),
        ("started", str(summary.get("started_at"))),
        ("wall time", f"{summary.get('wall_time_s', 0):.1f} s"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- markdown


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def metrics_markdown(summary: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """The overall metric table (with baseline and delta columns when given)."""
    if baseline is None:
        overall = summary["slices"]["all"]
        rows = [
            [METRICS[m].label, format_value(m, overall[m])]
            for m in METRICS
            if overall.get(m) is not None
        ]
        return _md_table(["metric", "value"], rows)
    rows = [
        [
            METRICS[d.metric].label,
            format_value(d.metric, d.baseline),
            format_value(d.metric, d.current),
            format_delta(d),
        ]
        for d in metric_deltas(summary, baseline)
        if d.baseline is not None or d.current is not None
    ]
    return _md_table(["metric", "baseline", "this run", "Δ"], rows)


def slices_markdown(summary: dict[str, Any]) -> str:
    """One row per slice (all, question language, question × document language, ...)."""
    slices = summary["slices"]
    columns = _columns(slices)
    header = ["slice", *[METRICS[c].label for c in columns]]
    rows = [
        [name, *[format_value(c, values.get(c)) for c in columns]]
        for name, values in slices.items()
    ]
    return _md_table(header, rows)


def summary_markdown(summary: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """The text the CLI prints and report.md starts with."""
    parts = [
        metrics_markdown(summary, baseline),
        "",
        slices_markdown(summary),
    ]
    if summary.get("error_budget", {}).get("slices"):
        base = (baseline or {}).get("error_budget") if baseline is not None else None
        header, rows = budget_rows(summary["error_budget"], base)
        parts += ["", "Error budget (where answerable questions were lost):", ""]
        parts.append(_md_table(header, rows))
    for title, text in extra_sections(summary):
        parts += ["", f"{title}:", "", text]
    return "\n".join(parts)


def _measured_settings(summary: dict[str, Any]) -> dict[str, Any]:
    settings = summary.get("settings", {})
    return flatten_settings({k: settings[k] for k in MEASURED_SETTINGS if k in settings})


def settings_markdown(summary: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """The measured settings, or with a baseline only those that differ from it."""
    if baseline is not None:
        changed = settings_diff(summary.get("settings", {}), baseline.get("settings", {}))
        if not changed:
            return "Settings identical to the baseline."
        rows = [[f"`{k}`", f"`{before}`", f"`{after}`"] for k, before, after in changed]
        return _md_table(["setting", "baseline", "this run"], rows)
    rows = [[f"`{k}`", f"`{v}`"] for k, v in _measured_settings(summary).items()]
    return _md_table(["setting", "value"], rows)


def budget_markdown(
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    baseline: tuple[dict[str, Any], list[dict[str, Any]]] | None = None,
) -> str:
    """Where each answerable question was lost, per slice (with changes against a baseline)."""
    budget = budget_of(summary, records)
    if not budget.get("slices"):
        return "No answerable question with evidence in this run."
    base = budget_of(*baseline) if baseline is not None else None
    header, rows = budget_rows(budget, base)
    note = " Changes against the baseline in parentheses." if base is not None else ""
    return (
        ("Answerable questions by the stage where they were lost (evals/METRICS.md)." + note)
        + "\n\n"
        + _md_table(header, rows)
    )


def _flips_markdown(to_fail: list[Flip], to_pass: list[Flip]) -> str:
    lines = [f"### pass → fail ({len(to_fail)})", ""]
    lines += [f"- `{f.id}` {f.question}" for f in to_fail] or ["- none"]
    lines += ["", f"### fail → pass ({len(to_pass)})", ""]
    lines += [f"- `{f.id}` {f.question}" for f in to_pass] or ["- none"]
    return "\n".join(lines)


def report_markdown(
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    baseline: tuple[dict[str, Any], list[dict[str, Any]]] | None = None,
) -> str:
    lines = [f"# Evaluation run `{summary.get('label')}`", ""]
    lines += [f"- **{key}**: {value}" for key, value in _stamp_lines(summary)]
    if baseline is not None:
        lines.append(f"- **baseline**: `{baseline[0].get('run_dir')}`")
    lines += ["", "## Metrics", "", metrics_markdown(summary, baseline and baseline[0])]
    lines += ["", "## Slices", "", slices_markdown(summary)]
    lines += ["", "## Error budget", "", budget_markdown(summary, records, baseline)]
    for title, text in extra_sections(summary):
        lines += ["", f"## {title}", "", text]
    lines += ["", "## Settings", "", settings_markdown(summary, baseline and baseline[0])]
    if baseline is not None:
        lines += [
            "",
            "## Flipped questions",
            "",
            _flips_markdown(*flipped_questions(records, baseline[1])),
        ]
    failed = [r for r in records if r.get("passed") is False]
    lines += ["", f"## Failed questions ({len(failed)})", ""]
    lines += [f"- `{r['id']}` {r['question']}" + _failure_reason(r) for r in failed] or ["- none"]
    return "\n".join(lines) + "\n"


def _failure_reason(record: dict[str, Any]) -> str:
    outcome = record.get("outcome", {})
    if record.get("error"):
        return f" — error: {record['error']}"
    if outcome.get("retrieval_only"):
        return f" — evidence rank {outcome.get('evidence_rank') or 'not retrieved'}"
    if not record.get("answerable"):
        return " — answered instead of refusing"
    stage = f" — {record['stage']}" if record.get("stage") else ""
    if outcome.get("refused"):
        return stage or " — refused"
    return stage + " — missing: " + ", ".join(outcome.get("facts_missing") or [])


# --------------------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
.better{color:#170}.worse{color:#b00;font-weight:bold}
.q td,.q th{text-align:left;max-width:420px;white-space:pre-wrap}
.missing{color:#b00}.charts img{margin:4px;border:1px solid #eee}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], css: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><tr>{head}</tr>{body}</table>'


def _metrics_html(summary: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    if baseline is None:
        overall = summary["slices"]["all"]
        rows = [
            [_e(METRICS[m].label), format_value(m, overall[m])]
            for m in METRICS
            if overall.get(m) is not None
        ]
        return _html_table(["metric", "value"], rows)
    rows = []
    for d in metric_deltas(summary, baseline):
        if d.baseline is None and d.current is None:
            continue
        css = {True: "better", False: "worse", None: ""}[d.improved]
        rows.append(
            [
                _e(METRICS[d.metric].label),
                format_value(d.metric, d.baseline),
                format_value(d.metric, d.current),
                f'<span class="{css}">{_e(format_delta(d))}</span>',
            ]
        )
    return _html_table(["metric", "baseline", "this run", "Δ"], rows)


def _slices_html(summary: dict[str, Any]) -> str:
    slices = summary["slices"]
    columns = _columns(slices)
    rows = [[_e(name), *[format_value(c, v.get(c)) for c in columns]] for name, v in slices.items()]
    return _html_table(["slice", *[METRICS[c].label for c in columns]], rows)


def _budget_html(
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    baseline: tuple[dict[str, Any], list[dict[str, Any]]] | None,
) -> str:
    budget = budget_of(summary, records)
    if not budget.get("slices"):
        return "<p>No answerable question with evidence in this run.</p>"
    base = budget_of(*baseline) if baseline is not None else None
    header, rows = budget_rows(budget, base)
    note = " Changes against the baseline in parentheses." if base is not None else ""
    return (
        f"<p>Answerable questions by the stage where they were lost.{_e(note)}</p>"
        + _html_table(header, [[_e(cell) for cell in row] for row in rows])
    )


def _settings_html(summary: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    parts = []
    if baseline is not None:
        changed = settings_diff(summary.get("settings", {}), baseline.get("settings", {}))
        rows = [[_e(k), _e(before), _e(after)] for k, before, after in changed]
        parts.append(
            _html_table(["setting", "baseline", "this run"], rows, "q")
            if rows
            else "<p>Settings identical to the baseline.</p>"
        )
    rows = [[_e(k), _e(v)] for k, v in _measured_settings(summary).items()]
    parts.append(
        f"<details{'' if baseline else ' open'}><summary>measured settings</summary>"
        + _html_table(["setting", "value"], rows, "q")
        + "</details>"
    )
    return "".join(parts)


def _charts_html(
    summary: dict[str, Any], records: list[dict[str, Any]], baseline: dict[str, Any] | None
) -> str:
    images = [
        slice_bars(m, summary["slices"], baseline and baseline.get("slices")) for m in CHART_METRICS
    ]
    images.append(latency_histogram([r.get("timings", {}) for r in records if not r.get("error")]))
    return "".join(f'<img src="data:image/png;base64,{png}">' for png in images if png)


def _answer_cell(record: dict[str, Any]) -> str:
    outcome = record.get("outcome", {})
    if record.get("error"):
        return f'<span class="missing">{_e(record["error"])}</span>'
    if outcome.get("retrieval_only"):
        top = record.get("retrieved", [])[:3]
        shown = "\n\n".join(f"#{p['rank']} {p['label']}: {p['snippet'][:SNIPPET]}" for p in top)
        return _e(f"evidence rank: {outcome.get('evidence_rank') or 'not retrieved'}\n\n{shown}")
    cited = ", ".join(f"[{c['number']}] {c['label']}" for c in record.get("citations", []))
    refused = " (refused)" if record.get("refused") else ""
    return _e(f"{record.get('answer', '')}{refused}\n\ncited: {cited or 'nothing'}")


def _failed_html(records: list[dict[str, Any]]) -> str:
    failed = [r for r in records if r.get("passed") is False]
    if not failed:
        return "<p>none</p>"
    answers = not all(r.get("outcome", {}).get("retrieval_only") for r in failed)
    rows = []
    for r in failed:
        history = "".join(
            f"<br><small>after: {_e(t['question'])}</small>" for t in r.get("history", [])
        )
        reference = r["reference_answer"] or "(unanswerable: should refuse)"
        evidence = "\n".join(r.get("evidence", []))[:SNIPPET]
        row = [
            _e(r["id"])
            + f"<br><small>{_e(r['lang'])}→{_e(r.get('doc_lang'))}</small>"
            + (f"<br><small>{_e(r['stage'])}</small>" if r.get("stage") else ""),
            _e(r["question"]) + history,
            _answer_cell(r),
            _e(reference) + (f"<br><small>evidence: {_e(evidence)}</small>" if evidence else ""),
        ]
        if answers:
            missing = r.get("outcome", {}).get("facts_missing") or []
            row.append(f'<span class="missing">{_e(", ".join(missing))}</span>')
        rows.append(row)
    header = ["id", "question", "answer", "reference"] + (["missing facts"] if answers else [])
    return _html_table(header, rows, "q")


def _flips_html(to_fail: list[Flip], to_pass: list[Flip]) -> str:
    def items(flips: list[Flip]) -> str:
        return (
            "".join(f"<li><code>{_e(f.id)}</code> {_e(f.question)}</li>" for f in flips)
            or "<li>none</li>"
        )

    return (
        f"<h3>pass → fail ({len(to_fail)})</h3><ul>{items(to_fail)}</ul>"
        f"<h3>fail → pass ({len(to_pass)})</h3><ul>{items(to_pass)}</ul>"
    )


def report_html(
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    baseline: tuple[dict[str, Any], list[dict[str, Any]]] | None = None,
) -> str:
    base_summary = baseline[0] if baseline else None
    stamp = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _stamp_lines(summary))
    if base_summary is not None:
        stamp += f"<dt>baseline</dt><dd>{_e(base_summary.get('run_dir'))}</dd>"
    sections = [
        f"<h1>Evaluation run {_e(summary.get('label'))}</h1><dl>{stamp}</dl>",
        "<h2>Metrics</h2>" + _metrics_html(summary, base_summary),
        "<h2>Slices</h2>" + _slices_html(summary),
        "<h2>Error budget</h2>" + _budget_html(summary, records, baseline),
        *(f"<h2>{_e(t)}</h2><pre>{_e(text)}</pre>" for t, text in extra_sections(summary)),
        "<h2>Settings</h2>" + _settings_html(summary, base_summary),
        '<h2>Charts</h2><div class="charts">'
        + _charts_html(summary, records, base_summary)
        + "</div>",
    ]
    if baseline is not None:
        sections.append(
            "<h2>Flipped questions</h2>" + _flips_html(*flipped_questions(records, baseline[1]))
        )
    sections.append("<h2>Failed questions</h2>" + _failed_html(records))
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>eval {_e(summary.get('label'))}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def write_report(run_dir: Path, baseline_dir: Path | None = None) -> ReportPaths:
    """Write report.html and report.md into ``run_dir`` (diffed against ``baseline_dir``)."""
    summary, records = load_run(run_dir)
    baseline = load_run(baseline_dir) if baseline_dir is not None else None
    paths = ReportPaths(html=run_dir / "report.html", markdown=run_dir / "report.md")
    paths.html.write_text(report_html(summary, records, baseline), encoding="utf-8")
    paths.markdown.write_text(report_markdown(summary, records, baseline), encoding="utf-8")
    return paths
