"""``assistant calibrate SET.jsonl``: fit the refusal filter and the evidence choice on one half.

Two fits on the chosen half (``--split tune`` by default; report on the other):

* the relevance filter: retrieval only, each relevance signal measured, the threshold for the
  configured signal picked (by default the highest refusal recall that keeps refusal precision
  ≥ 0.9; see ``assistant.eval.calibration``);
* the evidence choice (``--selection``, runs the model): the sentence scorer's weights and the
  calibrated confidence of the model's choice (``assistant.eval.selection_fit``).

Both are written to ``paths.calibration_file`` (``evals/calibration.json``) with the curve, the
date and the index fingerprint, and are in use from the next start (``answer.min_relevance``
unless ``assistant.yaml`` or the environment pins one).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from tqdm import tqdm

from assistant.answer.evidence import SentenceVectors
from assistant.answer.refusal import SIGNALS, Relevance, relevance
from assistant.cli import app
from assistant.config import get_settings, read_calibration
from assistant.eval.calibration import Calibration, calibrate

if TYPE_CHECKING:
    from assistant.container import Container


def _questions(question_set: Path, split: str) -> list:
    from assistant.eval.dataset import load_question_set
    from assistant.eval.split import load_split, select_split, split_path

    questions = load_question_set(question_set)
    if split == "all":
        return questions
    return select_split(questions, load_split(split_path(question_set), questions), split)


def measure(container: Container, questions: list) -> tuple[list[Relevance], list[bool]]:
    """Relevance evidence and the answerable flag for every question."""
    from assistant.eval.runner import retrieval_query

    settings = container.settings
    vectors = SentenceVectors(container.embedder)
    evidence: list[Relevance] = []
    for question in tqdm(questions, desc="retrieving", unit="q"):
        query = retrieval_query(question)
        passages = container.retriever.search(query, settings.retrieval.top_k)
        evidence.append(relevance(query, passages, vectors, settings.answer.relevance_top_n))
    return evidence, [q.answerable for q in questions]


def refit_selection(recorded: dict, wrong_answer_cost: float) -> dict[str, object]:
    """The confidence fitted again from the choices a previous run recorded (no model call):
    for a new ``answer.wrong_answer_cost``."""
    from assistant.eval import selection_fit

    records = selection_fit.records_from_dicts(recorded["records"])
    model = selection_fit.fit_confidence(records, wrong_answer_cost)
    return {**recorded, "confidence": model.to_dict()}


def fit_selection(container: Container, questions: list) -> dict[str, object]:
    """Rank weights, then the confidence of the model's choice (``eval.selection_fit``)."""
    from assistant.eval import selection_fit

    assistant = container.assistant
    rows, labels = selection_fit.rank_rows(assistant, questions)
    weights = selection_fit.fit_rank_weights(rows, labels)
    assistant.rank_weights = weights
    records = selection_fit.choice_records(assistant, questions, container.index.documents())
    model = selection_fit.fit_confidence(records, container.settings.answer.wrong_answer_cost)
    return {
        "rank_weights": asdict(weights),
        "confidence": model.to_dict(),
        "records": selection_fit.records_as_dicts(records),
    }


@app.command(name="calibrate")
def calibrate_command(
    question_set: Annotated[
        Path, typer.Argument(help="Question set (JSONL), e.g. evals/dev.jsonl.")
    ],
    split: Annotated[
        str,
        typer.Option("--split", help="Fit on this half: tune (default), test or all."),
    ] = "tune",
    signal: Annotated[
        str | None,
        typer.Option("--signal", help=f"One of {', '.join(SIGNALS)} (default: settings)."),
    ] = None,
    objective: Annotated[
        str, typer.Option("--objective", help="precision (default), f1 or accuracy.")
    ] = "precision",
    min_precision: Annotated[
        float, typer.Option("--min-precision", help="Refusal precision the gate must keep.")
    ] = 0.9,
    selection: Annotated[
        bool,
        typer.Option(
            "--selection/--no-selection",
            help="Also fit the evidence ranker and the choice confidence (runs the model).",
        ),
    ] = True,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit",
            help="Fit the choice confidence again from the recorded choices (no model run).",
        ),
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the result.")] = None,
) -> None:
    """Fit the relevance filter and the evidence choice's confidence on one half of a set."""
    from assistant.container import Container

    settings = get_settings()
    signal = signal or settings.answer.relevance_signal
    if signal not in SIGNALS:
        raise typer.BadParameter(f"choose one of {', '.join(SIGNALS)}", param_hint="--signal")
    if objective not in ("precision", "f1", "accuracy"):
        raise typer.BadParameter("choose precision, f1 or accuracy", param_hint="--objective")
    if split not in ("tune", "test", "all"):
        raise typer.BadParameter("choose tune, test or all", param_hint="--split")
    questions = _questions(question_set, split)
    target = out or settings.paths.calibration_file
    recorded = read_calibration(target).get("selection", {})
    if refit and not recorded.get("records"):
        raise typer.BadParameter(
            f"{target} holds no recorded choices to refit", param_hint="--refit"
        )
    with Container(settings) as container:
        evidence, answerable = measure(container, questions)
        fingerprint = container.index.fingerprint
        if refit:
            fitted_selection = refit_selection(recorded, settings.answer.wrong_answer_cost)
        else:
            fitted_selection = fit_selection(container, questions) if selection else {}
    results: dict[str, Calibration] = {
        name: calibrate(
            [e.score(name) for e in evidence],
            answerable,
            name,
            objective=objective,  # type: ignore[arg-type]
            min_precision=min_precision,
        )
        for name in SIGNALS
    }
    chosen = results[signal]
    chosen.created = datetime.now(UTC).isoformat(timespec="seconds")
    chosen.index_fingerprint = fingerprint
    chosen.question_set = f"{question_set} ({split})"
    chosen.alternatives = {
        name: {"threshold": r.threshold, "f1": r.f1, "accuracy": r.accuracy}
        for name, r in results.items()
    }
    chosen.selection = fitted_selection if fitted_selection else recorded
    chosen.save(target)
    typer.echo(f"{'signal':<10} {'threshold':>9} {'F1':>6} {'acc':>6} {'prec':>6} {'recall':>6}")
    for name, r in results.items():
        mark = " *" if name == signal else ""
        typer.echo(
            f"{name:<10} {r.threshold:>9.4f} {r.f1:>6.3f} {r.accuracy:>6.3f} "
            f"{r.precision:>6.3f} {r.recall:>6.3f}{mark}"
        )
    typer.echo(
        f"\n{chosen.n_answerable} answerable, {chosen.n_unanswerable} unanswerable; wrote {target}"
        f"\nanswer.min_relevance = {chosen.threshold} (signal {signal}) from the next start"
    )
    if fitted_selection:
        confidence = fitted_selection["confidence"]
        assert isinstance(confidence, dict)
        typer.echo(
            f"choice confidence threshold {confidence['threshold']:.4f}: {confidence['fitted']}"
        )
