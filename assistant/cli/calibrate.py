"""``assistant calibrate SET.jsonl``: choose the refusal threshold from retrieval results.

Runs retrieval only (no model) for every question of the set, measures each relevance signal,
picks the threshold for the configured signal (by default the highest refusal recall that
keeps refusal precision ≥ 0.9; see ``assistant.answer.calibration``), and writes
``paths.calibration_file`` (``evals/calibration.json``) with the curve, the date and the index
fingerprint. The settings read ``answer.min_relevance`` from that file, so the new threshold is
in use from the next start, unless ``assistant.yaml`` or the environment pins one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from assistant.answer.calibration import Calibration, calibrate
from assistant.answer.evidence import SentenceVectors
from assistant.answer.refusal import SIGNALS, Relevance, relevance
from assistant.cli import app
from assistant.config import get_settings


def measure(question_set: Path) -> tuple[list[Relevance], list[bool], str]:
    """Relevance evidence and the answerable flag for every question, and the index fingerprint."""
    from assistant.container import Container
    from assistant.eval.dataset import load_question_set
    from assistant.eval.runner import retrieval_query

    settings = get_settings()
    questions = load_question_set(question_set)
    with Container(settings) as container:
        vectors = SentenceVectors(container.embedder)
        evidence: list[Relevance] = []
        for question in tqdm(questions, desc="retrieving", unit="q"):
            query = retrieval_query(question)
            passages = container.retriever.search(query, settings.retrieval.top_k)
            evidence.append(relevance(query, passages, vectors, settings.answer.relevance_top_n))
        return evidence, [q.answerable for q in questions], container.index.fingerprint


@app.command(name="calibrate")
def calibrate_command(
    question_set: Annotated[
        Path, typer.Argument(help="Question set (JSONL), e.g. evals/dev.jsonl.")
    ],
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
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the result.")] = None,
) -> None:
    """Pick the relevance threshold below which the assistant refuses without the model."""
    settings = get_settings()
    signal = signal or settings.answer.relevance_signal
    if signal not in SIGNALS:
        raise typer.BadParameter(f"choose one of {', '.join(SIGNALS)}", param_hint="--signal")
    if objective not in ("precision", "f1", "accuracy"):
        raise typer.BadParameter("choose precision, f1 or accuracy", param_hint="--objective")
    evidence, answerable, fingerprint = measure(question_set)
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
    chosen.question_set = str(question_set)
    chosen.alternatives = {
        name: {"threshold": r.threshold, "f1": r.f1, "accuracy": r.accuracy}
        for name, r in results.items()
    }
    target = out or settings.paths.calibration_file
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
