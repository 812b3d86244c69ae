"""Time to the evidence and to the answer's first text, per model, against an older pipeline.

For each model (default, small) the answering pipeline (``Container.assistant``: understand →
retrieve → candidate sentences → the model chooses one → calibrated confidence → compose)
answers a representative subset of the development set over the benchmark's corpus index.
Per question, as the user sees it:

* **first evidence**: the candidate sentences on screen (``timings["first_evidence"]``);
* **select**: the model's choice, one grammar-constrained token (``timings["select"]``);
* **TTFT**: the answer's first text (``timings["ttft"]``): the chosen sentence itself, or the
  first token of its translation; over the questions answered, not declined;
* **first text**: the first text of the answer or of the refusal; **total**.

From each model call, with the engine's own figures where the engine serves the model: the
choice's prompt tokens (evaluated, and reused from the KV cache) and prompt processing speed,
a translation's first token and decode speed.

``--baseline REF`` answers the same questions, with the same histories, model and corpus, with
the pipeline as it was at commit REF, in the same run (``baseline.py``), and reports its
figures beside the new ones with the ratios new/baseline: a same-run ratio survives a shared
machine's drifting load, which figures from another day do not.

    .venv/bin/python -m benchmarks.bench_answer --baseline cd04495
    .venv/bin/python -m benchmarks.bench_answer --quick      # small model, one question
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.container import Container, build_chat_model
from assistant.eval.dataset import EvalQuestion, doc_language
from assistant.eval.metrics import QuestionOutcome, summarize
from assistant.eval.runner import evaluate_question
from assistant.logging_setup import configure_logging
from benchmarks import baseline
from benchmarks.answering import (
    WARM_UP_QUERY,
    StreamingAsker,
    TimedChatModel,
    call_figures,
    latency_summary,
    prompt_throughput,
    question_subset,
    settings_for,
    stop_engine,
    warm_up,
)
from benchmarks.common import (
    DEFAULT_WORK_DIR,
    echo_targets,
    format_table,
    machine_description,
    ratio,
    save_results,
)
from benchmarks.corpora import corpus_specs, ensure_index

logger = logging.getLogger(__name__)

NAME = "answer"
TARGET_TTFT_P50_S = 4.0
TARGET_FIRST_EVIDENCE_P50_S = 1.0
# What the user sees, in the order it appears; every pipeline version reports these.
LATENCIES = ("first_shown", "first_evidence", "ttft", "first_text", "total")
COMPARED = ("first_evidence", "ttft", "first_text", "total")
# The old pipeline's own names for a short prompt and reply, for a --quick smoke test only.
BASELINE_QUICK_ANSWER = {"context_token_budget": 200, "max_answer_tokens": 16}


# --------------------------------------------------------------------------- the new pipeline


def run_model(
    model: str,
    index_dir: Path,
    questions: list[EvalQuestion],
    doc_langs: dict[str, str],
    quick: bool,
) -> dict[str, Any]:
    """Answer every question with ``model``; per-question records and their summary."""
    settings = settings_for(model, index_dir, quick)
    timed = TimedChatModel(build_chat_model(settings))
    container = Container(settings, chat_model=timed)
    assistant = container.assistant
    load_s = warm_up(timed, assistant)
    timed.take()
    engine = timed.engine()
    asker = StreamingAsker(assistant)
    records = []
    load_start = os.getloadavg()
    try:
        for question in questions:
            logger.info("%s: %s", model, question.id)
            record = evaluate_question(
                question, asker, doc_language(question, doc_langs), retrieval_only=False
            )
            record["calls"] = [call_figures(call) for call in timed.take()]
            records.append(record)
    finally:
        container.close()
        stop_engine(timed)  # the baseline's own engine should not share the memory with it
    return {
        "model": model,
        "model_name": timed.name,
        "load_and_warm_up_s": load_s,
        "n_threads": engine.supervisor.config.threads if engine else None,
        "engine_slots": engine.supervisor.config.slots if engine else None,
        "load_average": {"start": list(load_start), "end": list(os.getloadavg())},
        "summary": summarize_records(records),
        "questions": [_brief(r) for r in records],
    }


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "lang",
        "doc_lang",
        "answerable",
        "refused",
        "refusal_reason",
        "passed",
        "error",
        "timings",
        "calls",
        "answer",
    )
    return {k: record.get(k) for k in keep}


def latency_figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    """p50/p90/p95 of each of ``LATENCIES`` over the records without an error."""
    ok = [r for r in records if not r.get("error")]
    return {f"{k}_s": latency_summary([r["timings"].get(k) for r in ok]) for k in LATENCIES}


def summarize_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Latencies, the model calls' figures and the answers' quality over one model's run."""
    outcomes = [QuestionOutcome.from_dict(r["outcome"]) for r in records]
    quality = summarize(outcomes)
    ok = [r for r in records if not r.get("error")]
    calls = [c for r in ok for c in r.get("calls", [])]
    choices = [c for c in calls if c["kind"] == "choose"]
    streams = [c for c in calls if c["kind"] == "stream"]

    def timing(key: str) -> dict[str, Any]:
        return latency_summary([r["timings"].get(key) for r in ok])

    def of(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
        return latency_summary([c.get(key) for c in rows])

    return {
        "questions": len(records),
        "errors": len(records) - len(ok),
        "refused": sum(1 for r in ok if r.get("refused")),
        "answered": sum(1 for r in ok if r["timings"].get("ttft") is not None),
        "translated": sum(1 for r in ok if any(c["kind"] == "stream" for c in r["calls"])),
        **latency_figures(records),
        "retrieve_s": timing("retrieve"),
        "candidates_s": timing("candidates"),
        "select_s": timing("select"),
        "choice": {
            "calls": len(choices),
            "wall_s": of(choices, "wall_s"),
            "prompt_tokens": of(choices, "prompt_tokens"),
            "evaluated_tokens": of(choices, "evaluated_tokens"),
            "cached_tokens": of(choices, "cached_tokens"),
            "prompt_tok_s": of(choices, "prompt_tok_s"),
            "prompt_tok_s_pooled": prompt_throughput(choices),
        },
        "translation": {
            "calls": len(streams),
            "first_text_s": of(streams, "first_text_s"),
            "wall_s": of(streams, "wall_s"),
            "prompt_tokens": of(streams, "prompt_tokens"),
            "generated_tokens": of(streams, "generated_tokens"),
            "prompt_tok_s_pooled": prompt_throughput(streams),
            "decode_tok_s": of(streams, "decode_tok_s"),
        },
        "key_fact_accuracy": quality["key_fact_accuracy"],
        "answer_accuracy": quality["answer_accuracy"],
        "hit@5": quality["hit@5"],
    }


# --------------------------------------------------------------------------- the baseline


def summarize_baseline(result: dict[str, Any]) -> dict[str, Any]:
    """The older pipeline's latencies, read from its runner's records (timings only)."""
    records = result["questions"]
    ok = [r for r in records if not r.get("error")]
    return {
        "questions": len(records),
        "errors": len(records) - len(ok),
        "refused": sum(1 for r in ok if r.get("refused")),
        "answered": sum(1 for r in ok if r["timings"].get("ttft") is not None),
        **latency_figures(records),
    }


def compare(new: dict[str, Any], base: dict[str, Any]) -> dict[str, float | None]:
    """new/baseline for the p50 and p90 of each compared latency (below 1: the new is faster)."""
    return {
        f"{key}_{q}": ratio(new[f"{key}_s"][q], base[f"{key}_s"][q])
        for key in COMPARED
        for q in ("p50", "p90")
    }


def run_baseline(
    run: baseline.BaselineRun, model: str, questions: list[EvalQuestion], quick: bool
) -> dict[str, Any]:
    """The same questions on ``model`` through the older pipeline, summarised."""
    overrides = BASELINE_QUICK_ANSWER if quick else {}
    result = run.answer(model, questions, overrides, WARM_UP_QUERY)
    return {
        "ref": run.ref,
        "commit": run.commit,
        "model_name": result.get("model_name"),
        "index_dir": str(run.index),
        "ingest": result.get("ingest"),
        "load_and_warm_up_s": result.get("load_and_warm_up_s"),
        "answer_overrides": overrides,
        "ignored_overrides": result.get("ignored_overrides"),
        "evidence_events": result.get("evidence_events"),
        "load_average": {
            "start": result.get("load_average_at_start"),
            "end": result.get("load_average_at_end"),
        },
        "process_wall_s": result.get("process_wall_s"),
        "log": result.get("log"),
        "summary": summarize_baseline(result),
        "questions": result["questions"],
    }


# --------------------------------------------------------------------------- report


def _pair(summary: dict[str, Any], key: str) -> list[Any]:
    figures = summary[f"{key}_s"]
    return [figures["p50"], figures["p90"]]


def tables(runs: list[dict[str, Any]]) -> str:
    """The latency table (new and baseline rows), the ratios, and the model calls."""
    rows = []
    for r in runs:
        pipelines = [("new", r["summary"])]
        if r.get("baseline"):
            pipelines.append((f"baseline {r['baseline']['ref']}", r["baseline"]["summary"]))
        for label, s in pipelines:
            row = [r["model"], label, s["questions"], s["refused"], s["answered"]]
            for key in LATENCIES:
                row += _pair(s, key)
            rows.append(row)
    headers = ["model", "pipeline", "questions", "declined", "answered"]
    for name in ("first shown", "first evidence", "TTFT", "first text", "total"):
        headers += [f"{name} p50", f"{name} p90"]
    out = [
        format_table(
            headers,
            rows,
            title="Time to what the user sees, seconds (first shown: evidence or text, "
            "whichever came first; TTFT: the answer's first text, over the questions answered)",
        )
    ]
    compared = [r for r in runs if r.get("vs_baseline")]
    if compared:
        headers = ["model", "baseline"]
        for name in ("first evidence", "TTFT", "first text", "total"):
            headers += [f"{name} p50", f"{name} p90"]
        out.append(
            format_table(
                headers,
                [[r["model"], r["baseline"]["ref"], *r["vs_baseline"].values()] for r in compared],
                title="New / baseline, same run (below 1: the new pipeline is faster)",
            )
        )
    calls = []
    for r in runs:
        c, t, s = r["summary"]["choice"], r["summary"]["translation"], r["summary"]
        calls.append(
            [
                r["model"],
                r.get("n_threads"),
                c["calls"],
                s["select_s"]["p50"],
                s["select_s"]["p90"],
                c["prompt_tokens"]["p50"],
                c["evaluated_tokens"]["p50"],
                c["cached_tokens"]["p50"],
                c["prompt_tok_s_pooled"],
                t["calls"],
                t["first_text_s"]["p50"],
                t["decode_tok_s"]["p50"],
            ]
        )
    out.append(
        format_table(
            [
                "model",
                "threads",
                "choices",
                "select p50 s",
                "select p90 s",
                "prompt tok p50",
                "evaluated p50",
                "cached p50",
                "prompt tok/s",
                "translations",
                "transl. first text p50 s",
                "decode tok/s",
            ],
            calls,
            title="The new pipeline's model calls (engine figures; prompt tok/s pooled over "
            "the calls: evaluated tokens over prompt seconds)",
        )
    )
    return "\n\n".join(out)


def targets(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets, on the default model: TTFT p50 and the evidence's p50."""
    default = next((r for r in runs if r["model"] == "default"), None)
    if default is None:
        return {}
    s = default["summary"]
    out: dict[str, Any] = {}
    for name, value, target in (
        ("default_ttft_p50_s", s["ttft_s"]["p50"], TARGET_TTFT_P50_S),
        ("default_first_evidence_p50_s", s["first_evidence_s"]["p50"], TARGET_FIRST_EVIDENCE_P50_S),
    ):
        out[name] = {"value": value, "target": target, "met": value is not None and value <= target}
    return out


def main(
    quick: Annotated[
        bool, typer.Option(help="Small model, one question, tiny corpus (smoke test).")
    ] = False,
    models: Annotated[str, typer.Option(help="Comma-separated manifest names.")] = "default,small",
    limit: Annotated[
        int | None, typer.Option(help="Questions (a representative subset); default 20.")
    ] = None,
    baseline_ref: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="A commit (or any git ref) whose pipeline answers the same questions in the "
            "same run, from its own index of the same corpus (e.g. cd04495).",
        ),
    ] = None,
    work_dir: Annotated[Path, typer.Option(help="Where the bench indexes are.")] = (
        DEFAULT_WORK_DIR
    ),
    index_dir: Annotated[
        Path | None, typer.Option(help="Use this index instead of the bench corpus index.")
    ] = None,
    results_dir: Annotated[
        Path | None, typer.Option(help="Default: benchmarks/results (quick: WORK_DIR/results).")
    ] = None,
) -> None:
    """Time evidence and answers end to end on each model, beside an older pipeline."""
    configure_logging()
    started = time.perf_counter()
    machine = machine_description()
    names = ["small"] if quick else [m.strip() for m in models.split(",") if m.strip()]
    corpus = corpus_specs(work_dir, quick)[0]
    index_dir = index_dir or ensure_index(corpus, work_dir, quick)
    settings = settings_for(names[0], index_dir, quick)
    questions, doc_langs = question_subset(settings.paths.corpus_dir, limit, quick)
    commit = baseline.resolve_commit(baseline_ref) if baseline_ref else None
    runs = []
    # Per model the new pipeline and then the baseline, back to back: the pair the ratio is
    # taken over is measured minutes apart, under the same load.
    with baseline.worktree(commit, work_dir) if commit else nullcontext() as tree:
        older = (
            baseline.BaselineRun(
                ref=str(baseline_ref),
                commit=str(commit),
                worktree=tree,
                index=baseline.index_dir(work_dir, str(commit), quick),
                corpus_paths=corpus.paths,
                log_dir=baseline.baseline_dir(work_dir) / "logs",
            )
            if tree is not None
            else None
        )
        for name in names:
            entry = run_model(name, index_dir, questions, doc_langs, quick)
            if older is not None:
                entry["baseline"] = run_baseline(older, name, questions, quick)
                entry["vs_baseline"] = compare(entry["summary"], entry["baseline"]["summary"])
            runs.append(entry)
    typer.echo(tables(runs))
    goals = targets(runs)
    echo_targets(goals)
    save_results(
        NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "models": names,
            "limit": limit,
            "baseline": {"ref": baseline_ref, "commit": commit} if baseline_ref else None,
            "question_ids": [q.id for q in questions],
            "index_dir": str(index_dir),
            "llm_settings": settings.llm.model_dump(mode="json"),
            "answer_settings": settings.answer.model_dump(mode="json"),
        },
        results={"models": runs, "targets": goals},
        machine=machine,
        started=started,
    )


if __name__ == "__main__":
    typer.run(main)
