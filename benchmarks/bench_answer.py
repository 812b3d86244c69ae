"""End-to-end answer latency per model, beside the engine's own figures from ``bench_llm.py``.

For each model (default, small) the full answering pipeline (``build_assistant``: condense →
retrieve → refuse-or-pack → generate → check citations) answers a representative subset of
the development set over the shipped corpus. Per question: the time until the user sees text
(``first text``: the first generated token, or the whole refusal when no model call is needed),
time to first token of questions that reached the model (TTFT), total time, and from the model
call itself the prompt size, prompt processing and decode speed. Decode speed is compared with
the same prompts sent straight to the engine in the same run, and with ``bench_llm.py``'s
figures (llm.json).

    .venv/bin/python -m benchmarks.bench_answer --limit 15
    .venv/bin/python -m benchmarks.bench_answer --quick      # small model, one short question
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.container import build_assistant
from assistant.eval.dataset import EvalQuestion, doc_language
from assistant.eval.metrics import QuestionOutcome, summarize
from assistant.eval.runner import evaluate_question
from assistant.logging_setup import configure_logging
from benchmarks.answering import (
    StreamingAsker,
    TimedChatModel,
    generation_figures,
    latency_summary,
    question_subset,
    raw_llm_figures,
    raw_replay,
    settings_for,
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
TARGET_TTFT_P50_S = 10.0
TARGET_DECODE_SHORTFALL = 0.10


def run_model(
    model: str,
    index_dir: Path,
    questions: list[EvalQuestion],
    doc_langs: dict[str, str],
    quick: bool,
    raw_replays: int,
) -> dict[str, Any]:
    """Answer every question with ``model``; per-question records and their summary."""
    settings = settings_for(model, index_dir, quick)
    assistant = build_assistant(settings)
    timed = TimedChatModel(assistant.chat_model)
    assistant.chat_model = timed
    load_s = warm_up(timed, assistant)
    timed.take()
    asker = StreamingAsker(assistant)
    records = []
    for question in questions:
        logger.info("%s: %s", model, question.id)
        record = evaluate_question(
            question, asker, doc_language(question, doc_langs), retrieval_only=False
        )
        calls = timed.take()
        generated = "generate" in record["timings"] and calls
        record["generation"] = generation_figures(calls[-1], timed) if generated else None
        record["model_calls"] = len(calls)
        replayed = sum(1 for r in records if r.get("raw_replay"))
        if generated and replayed < raw_replays:
            record["raw_replay"] = raw_replay(timed.inner, calls[-1])
        records.append(record)
    return {
        "model": model,
        "model_name": timed.name,
        "load_and_warm_up_s": load_s,
        "n_threads": getattr(getattr(timed.inner, "loaded", None), "n_threads", None),
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
        "generation",
        "raw_replay",
        "model_calls",
        "answer",
    )
    return {k: record.get(k) for k in keep}


def same_run_raw(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Decode and prompt speed on the replayed questions: the pipeline's call vs the engine's."""
    pairs = [(r["generation"], r["raw_replay"]) for r in records if r.get("raw_replay")]
    ours_decode = latency_summary([o["decode_tok_s"] for o, _ in pairs])["p50"]
    raw_decode = latency_summary([w["decode_tok_s"] for _, w in pairs])["p50"]
    ours_prompt = latency_summary([o["prompt_tok_s"] for o, _ in pairs])["p50"]
    raw_prompt = latency_summary([w["prompt_tok_s"] for _, w in pairs])["p50"]
    return {
        "questions": len(pairs),
        "decode_tok_s": {"ours": ours_decode, "raw": raw_decode},
        "decode_ratio": ratio(ours_decode, raw_decode),
        "prompt_tok_s": {"ours": ours_prompt, "raw_cold": raw_prompt},
        "prompt_speed_ratio": ratio(ours_prompt, raw_prompt),
    }


def summarize_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = [QuestionOutcome.from_dict(r["outcome"]) for r in records]
    quality = summarize(outcomes)
    gens = [r["generation"] for r in records if r.get("generation")]
    reached = [r for r in records if r.get("generation")]

    def values(key: str, rows: list[dict[str, Any]]) -> list[float | None]:
        return [r["timings"].get(key) for r in rows if not r.get("error")]

    return {
        "questions": len(records),
        "errors": sum(1 for r in records if r.get("error")),
        "refused": sum(1 for r in records if r.get("refused")),
        "reached_model": len(reached),
        "first_text_s": latency_summary(values("first_text", records)),
        "ttft_s": latency_summary(values("ttft", reached)),
        "total_s": latency_summary(values("total", records)),
        "retrieve_s": latency_summary(values("retrieve", records)),
        "prompt_tokens": latency_summary([g["prompt_tokens"] for g in gens]),
        "prompt_tok_s": latency_summary([g["prompt_tok_s"] for g in gens]),
        "decode_tok_s": latency_summary([g["decode_tok_s"] for g in gens]),
        "generated_tokens": latency_summary([g["generated_tokens"] for g in gens]),
        "same_run_raw": same_run_raw(records),
        "key_fact_accuracy": quality["key_fact_accuracy"],
        "answer_accuracy": quality["answer_accuracy"],
        "hit@5": quality["hit@5"],
    }


def compare_raw(runs: list[dict[str, Any]], raw: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Ours against raw llama.cpp per model, as ratios ours/raw: against the same-run replays,
    and against bench_llm.py's figures (llm.json, another run) when present."""
    out: dict[str, Any] = {}
    for run in runs:
        base = raw.get(run["model"]) or {}
        s = run["summary"]
        out[run["model"]] = {
            "same_run": s["same_run_raw"],
            "llm_json": base,
            "llm_json_decode_ratio": ratio(s["decode_tok_s"]["p50"], base.get("decode_tok_s")),
            "llm_json_prompt_speed_ratio": ratio(
                s["prompt_tok_s"]["p50"], base.get("prompt_tok_s")
            ),
        }
    return out


def tables(runs: list[dict[str, Any]], comparison: dict[str, Any]) -> str:
    latency = format_table(
        [
            "model",
            "questions",
            "refused",
            "to model",
            "first text p50",
            "first text p95",
            "TTFT p50",
            "TTFT p95",
            "total p50",
            "total p95",
            "retrieve p50",
        ],
        [
            [
                r["model"],
                r["summary"]["questions"],
                r["summary"]["refused"],
                r["summary"]["reached_model"],
                r["summary"]["first_text_s"]["p50"],
                r["summary"]["first_text_s"]["p95"],
                r["summary"]["ttft_s"]["p50"],
                r["summary"]["ttft_s"]["p95"],
                r["summary"]["total_s"]["p50"],
                r["summary"]["total_s"]["p95"],
                r["summary"]["retrieve_s"]["p50"],
            ]
            for r in runs
        ],
        title="End-to-end answer latency, seconds (TTFT over questions that reached the model)",
    )
    rows = []
    for r in runs:
        s, c = r["summary"], comparison[r["model"]]
        same = c["same_run"]
        rows.append(
            [
                r["model"],
                r.get("n_threads"),
                s["prompt_tokens"]["p50"],
                s["prompt_tok_s"]["p50"],
                s["decode_tok_s"]["p50"],
                same["questions"],
                same["decode_tok_s"]["ours"],
                same["decode_tok_s"]["raw"],
                same["decode_ratio"],
                same["prompt_tok_s"]["raw_cold"],
                c["llm_json"].get("n_threads"),
                c["llm_json"].get("decode_tok_s"),
                c["llm_json_decode_ratio"],
                c["llm_json"].get("prompt_tok_s"),
            ]
        )
    speed = format_table(
        [
            "model",
            "threads",
            "prompt tok p50",
            "prompt tok/s",
            "decode tok/s",
            "replayed",
            "decode (replayed q.)",
            "raw decode",
            "ratio",
            "raw cold prompt tok/s",
            "llm.json threads",
            "llm.json raw decode",
            "ratio",
            "llm.json raw prompt tok/s",
        ],
        rows,
        title="Model speed inside the pipeline vs the engine called directly: same-run replays "
        "of the same prompts, and bench_llm.py's llm.json (medians)",
    )
    return f"{latency}\n\n{speed}"


def targets(runs: list[dict[str, Any]], comparison: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    default = next((r for r in runs if r["model"] == "default"), None)
    if default is not None:
        ttft = default["summary"]["ttft_s"]["p50"]
        out["default_ttft_p50_s"] = {
            "value": ttft,
            "target": TARGET_TTFT_P50_S,
            "met": ttft is not None and ttft <= TARGET_TTFT_P50_S,
        }
    for name, entry in comparison.items():
        value = entry["same_run"]["decode_ratio"] or entry["llm_json_decode_ratio"]
        out[f"{name}_decode_vs_raw"] = {
            "value": value,
            "target": 1 - TARGET_DECODE_SHORTFALL,
            "met": value is not None and value >= 1 - TARGET_DECODE_SHORTFALL,
        }
    return out


def main(
    quick: Annotated[
        bool, typer.Option(help="Small model, one question, short prompt (smoke test).")
    ] = False,
    models: Annotated[str, typer.Option(help="Comma-separated manifest names.")] = "default,small",
    limit: Annotated[
        int | None, typer.Option(help="Questions (a representative subset); default 20.")
    ] = None,
    work_dir: Annotated[Path, typer.Option(help="Where the bench indexes are.")] = (
        DEFAULT_WORK_DIR
    ),
    index_dir: Annotated[
        Path | None, typer.Option(help="Use this index instead of the bench corpus index.")
    ] = None,
    raw_replays: Annotated[
        int, typer.Option(help="Questions replayed straight to the engine in the same run.")
    ] = 3,
    results_dir: Annotated[
        Path | None, typer.Option(help="Default: benchmarks/results (quick: WORK_DIR/results).")
    ] = None,
) -> None:
    """Time answers end to end on each model and compare with raw llama.cpp."""
    configure_logging()
    started = time.perf_counter()
    machine = machine_description()
    names = ["small"] if quick else [m.strip() for m in models.split(",") if m.strip()]
    corpus = corpus_specs(work_dir, quick)[0]
    index_dir = index_dir or ensure_index(corpus, work_dir, quick)
    settings = settings_for(names[0], index_dir, quick)
    questions, doc_langs = question_subset(settings.paths.corpus_dir, limit, quick)
    runs = [
        run_model(name, index_dir, questions, doc_langs, quick, 1 if quick else raw_replays)
        for name in names
    ]
    comparison = compare_raw(runs, raw_llm_figures())
    typer.echo(tables(runs, comparison))
    goals = targets(runs, comparison)
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
            "question_ids": [q.id for q in questions],
            "index_dir": str(index_dir),
            "llm_settings": settings.llm.model_dump(mode="json"),
            "answer_settings": settings.answer.model_dump(mode="json"),
        },
        results={"models": runs, "vs_engine_direct": comparison, "targets": goals},
        machine=machine,
        started=started,
    )


if __name__ == "__main__":
    typer.run(main)
