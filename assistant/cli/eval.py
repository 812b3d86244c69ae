"""``assistant eval``: run a question set, write the report, and gate against a baseline.

The same command runs a conversation set (``evals/conversations.jsonl``, recognised by its
format: turn by turn with the app's history, each follow-up and unrelated turn also asked
alone) and the generated sets over a question set (``--generated evidence-removed`` or
``--generated distractors``).

``assistant eval-report RUN_DIR --baseline BASE`` re-renders the report and re-applies the gate
to runs that already exist (for CI, or after changing tolerances).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli import app
from assistant.config import Settings, get_settings
from assistant.eval.convset import is_conversation_set
from assistant.eval.gate import GateConfig, comparable, find_regressions
from assistant.eval.report import settings_markdown, summary_markdown, write_report
from assistant.eval.rundir import SUMMARY_FILE, load_run
from assistant.eval.runner import RunResult, run_eval
from assistant.eval.split import SPLITS, SplitError, load_split, split_path, stratified_split


def _gate_config(
    settings: Settings, tolerance: float | None, metric_tolerances: list[str], check_latency: bool
) -> GateConfig:
    per_metric = dict(settings.evaluation.gate_tolerances)
    for item in metric_tolerances:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(
                f"expected NAME=VALUE, got {item!r}", param_hint="--metric-tolerance"
            )
        per_metric[name.strip()] = float(value)
    return GateConfig(
        default_tolerance=settings.evaluation.gate_tolerance if tolerance is None else tolerance,
        tolerances=per_metric,
        check_latency=check_latency or settings.evaluation.gate_check_latency,
        latency_ratio=settings.evaluation.gate_latency_ratio,
    )


def _check_baseline(baseline: Path | None) -> None:
    if baseline is not None and not (baseline / SUMMARY_FILE).is_file():
        raise typer.BadParameter(f"{baseline} has no {SUMMARY_FILE}", param_hint="--baseline")


def _build_target(settings: Settings, retrieval_only: bool) -> Any:
    """The real pipeline from settings: the retriever alone, or the whole assistant."""
    from assistant.container import Container

    container = Container(settings)
    return container.retriever if retrieval_only else container.assistant


GENERATED_CHOICES = ("evidence-removed", "distractors")


def _run_generated(
    question_set: Path, settings: Settings, which: str, out: Path | None, **options: Any
) -> RunResult:
    """A generated set over the question set, with the index's documents and retriever."""
    from assistant.container import Container
    from assistant.eval.generated import run_generated

    container = Container(settings)
    documents = container.index.documents()
    return run_generated(
        question_set,
        container.assistant,
        settings,
        which,
        documents,
        container.retriever,
        out,
        **options,
    )


def _run_conversations(
    conversation_set: Path, settings: Settings, out: Path | None, **options: Any
) -> RunResult:
    from assistant.eval.conversations import run_conversations

    return run_conversations(
        conversation_set, _build_target(settings, retrieval_only=False), settings, out, **options
    )


def _report_and_gate(
    run_dir: Path, baseline: Path | None, config: GateConfig, fail_on_regression: bool
) -> None:
    paths = write_report(run_dir, baseline)
    summary, _ = load_run(run_dir)
    base_summary = load_run(baseline)[0] if baseline is not None else None
    typer.echo(summary_markdown(summary, base_summary))
    typer.echo(f"\nrun: {run_dir}\nreport: {paths.html}\nwall time: {summary['wall_time_s']:.1f} s")
    if base_summary is None:
        return
    typer.echo("\n" + settings_markdown(summary, base_summary))
    for warning in comparable(summary, base_summary):
        typer.echo(f"warning: {warning}", err=True)
    regressions = find_regressions(summary, base_summary, config)
    if not regressions:
        typer.echo("gate: no regression against the baseline")
        return
    typer.echo(f"gate: {len(regressions)} regression(s) against the baseline:")
    for regression in regressions:
        typer.echo(f"  {regression}")
    if fail_on_regression:
        raise typer.Exit(code=1)


Baseline = Annotated[
    Path | None, typer.Option("--baseline", help="A previous run directory to diff against.")
]
FailOnRegression = Annotated[
    bool, typer.Option("--fail-on-regression", help="Exit 1 when the gate finds a regression.")
]
Tolerance = Annotated[
    float | None,
    typer.Option("--tolerance", help="Allowed absolute drop of rate metrics (default: settings)."),
]
MetricTolerance = Annotated[
    list[str] | None,
    typer.Option("--metric-tolerance", help="NAME=VALUE per metric, e.g. hit@5=0.05 (repeat)."),
]
CheckLatency = Annotated[
    bool, typer.Option("--check-latency", help="Also gate latencies (ratio to the baseline).")
]


@app.command("eval")
def eval_command(
    question_set: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="e.g. evals/dev.jsonl")
    ],
    baseline: Baseline = None,
    fail_on_regression: FailOnRegression = False,
    retrieval_only: Annotated[
        bool, typer.Option("--retrieval-only", help="Retrieval metrics only, no LLM (fast).")
    ] = False,
    label: Annotated[str, typer.Option("--label", help="Suffix of the run directory.")] = "",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions.")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only", help='Only this slice or id, e.g. "en→zh", "q:en", "tag:list" (repeat).'
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            "--split", help="Only the 'tune' or 'test' half, as fixed in <set>_split.json."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Runs folder (default: evals/runs).")
    ] = None,
    tolerance: Tolerance = None,
    metric_tolerance: MetricTolerance = None,
    check_latency: CheckLatency = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
    generated: Annotated[
        str | None,
        typer.Option(
            "--generated",
            help="Ask the set's answerable questions again: 'evidence-removed' (gold documents "
            "excluded, must decline) or 'distractors' (gold + 3 look-alike documents).",
        ),
    ] = None,
    alone: Annotated[
        bool,
        typer.Option(
            "--alone/--no-alone",
            help="Conversation sets: also ask follow-ups (standalone) and unrelated turns alone.",
        ),
    ] = True,
) -> None:
    """Run a question set (or a conversation set) through the pipeline; write results, summary
    and report."""
    settings = get_settings()
    _check_baseline(baseline)
    if split is not None and split not in SPLITS:
        raise typer.BadParameter(f"expected one of {', '.join(SPLITS)}", param_hint="--split")
    if generated is not None and generated not in GENERATED_CHOICES:
        raise typer.BadParameter(
            f"expected one of {', '.join(GENERATED_CHOICES)}", param_hint="--generated"
        )
    conversations = is_conversation_set(question_set)
    if conversations and (generated or retrieval_only or only):
        raise typer.BadParameter(
            "a conversation set runs whole conversations through the full pipeline: "
            "--generated, --retrieval-only and --only do not apply"
        )
    if generated and retrieval_only:
        raise typer.BadParameter("--generated needs the full pipeline, not --retrieval-only")
    config = _gate_config(settings, tolerance, metric_tolerance or [], check_latency)
    try:
        load_split(split_path(question_set)) if split else None
    except SplitError as exc:
        raise typer.BadParameter(str(exc), param_hint="--split") from exc
    common: dict[str, Any] = {"label": label, "limit": limit, "split": split, "progress": progress}
    if conversations:
        result = _run_conversations(question_set, settings, out, ask_alone=alone, **common)
    elif generated is not None:
        result = _run_generated(question_set, settings, generated, out, only=only or (), **common)
    else:
        target = _build_target(settings, retrieval_only)
        result = run_eval(
            question_set, target, settings, out, retrieval_only, only=only or (), **common
        )
    _report_and_gate(result.run_dir, baseline, config, fail_on_regression)


@app.command("eval-report")
def eval_report_command(
    run_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A run directory.")],
    baseline: Baseline = None,
    fail_on_regression: FailOnRegression = False,
    tolerance: Tolerance = None,
    metric_tolerance: MetricTolerance = None,
    check_latency: CheckLatency = False,
) -> None:
    """Re-render the report of an existing run (and gate it against a baseline)."""
    settings = get_settings()
    _check_baseline(baseline)
    if not (run_dir / SUMMARY_FILE).is_file():
        raise typer.BadParameter(f"{run_dir} has no {SUMMARY_FILE}", param_hint="RUN_DIR")
    config = _gate_config(settings, tolerance, metric_tolerance or [], check_latency)
    _report_and_gate(run_dir, baseline, config, fail_on_regression)


@app.command("eval-split")
def eval_split_command(
    question_set: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="e.g. evals/dev.jsonl")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing split (reshuffles the halves).")
    ] = False,
) -> None:
    """Write the set's tune/test halves (stratified by slice) to <set>_split.json, once."""
    from assistant.eval.dataset import CorpusFiles, load_question_set, question_slice

    settings = get_settings()
    target = split_path(question_set)
    if target.exists() and not force:
        raise typer.BadParameter(f"{target} exists; the halves stay fixed (--force to redo)")
    if is_conversation_set(question_set):
        _split_conversations(question_set, target)
        return
    questions = load_question_set(question_set)
    doc_langs = CorpusFiles.scan(settings.paths.corpus_dir).langs
    split = stratified_split(questions, doc_langs)
    target.write_text(split.to_json(), encoding="utf-8")
    for name in SPLITS:
        ids = split.ids(name)
        counts: dict[str, int] = {}
        for q in questions:
            if q.id in ids:
                key = question_slice(q, doc_langs)
                counts[key] = counts.get(key, 0) + 1
        typer.echo(
            f"{name}: {len(ids)} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    typer.echo(f"written: {target}")


def _split_conversations(conversation_set: Path, target: Path) -> None:
    """Halves of a conversation set by conversation id, balanced per conversation language."""
    from assistant.eval.convset import conversation_split, load_conversation_set

    conversations = load_conversation_set(conversation_set)
    split = conversation_split(conversations)
    target.write_text(split.to_json(), encoding="utf-8")
    for name in SPLITS:
        ids = split.ids(name)
        counts: dict[str, int] = {}
        for conversation in conversations:
            if conversation.id in ids:
                counts[conversation.lang] = counts.get(conversation.lang, 0) + 1
        typer.echo(
            f"{name}: {len(ids)} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    typer.echo(f"written: {target}")
