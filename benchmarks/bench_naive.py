"""Ours against the naive llama-index starter pipeline: same corpus, embedder, LLM and questions.

Both pipelines index the shipped corpus afresh (build time compared), then answer the same
representative subset of the development set, alternating which goes first per question so
that drift in machine load hits both alike. Both are scored by the evaluation harness's own
``evaluate_question``/``summarize``: retrieval hit@k, key-fact accuracy, refusal precision,
recall and accuracy, time to first text; the table gives each and the ratio ours/naive.

    .venv/bin/python -m benchmarks.bench_naive --limit 15
    .venv/bin/python -m benchmarks.bench_naive --quick     # small model, one short question
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.answer.prompts import PromptLibrary
from assistant.container import Container, build_chat_model
from assistant.eval.dataset import doc_language
from assistant.eval.metrics import QuestionOutcome, summarize
from assistant.eval.runner import evaluate_question
from assistant.logging_setup import configure_logging
from assistant.models.backends.base import GenerationParams
from benchmarks.answering import (
    StreamingAsker,
    TimedChatModel,
    generation_figures,
    latency_summary,
    question_subset,
    settings_for,
    warm_up,
)
from benchmarks.common import (
    DEFAULT_WORK_DIR,
    format_table,
    machine_description,
    ratio,
    save_results,
)
from benchmarks.corpora import build_fresh, corpus_specs, index_dir
from benchmarks.naive_pipeline import ChatModelAdapter, NaiveAsker, build_naive_index

logger = logging.getLogger(__name__)

NAME = "naive"
PIPELINES: tuple[str, ...] = ("ours", "naive")
NAIVE_MAX_TOKENS = 256  # the reply budget the generating pipeline had (ours now composes)
QUICK_NAIVE_CHUNK = 128  # tokens; the default 1,024 would make a smoke test's prompt huge
HIGHER_IS_BETTER = {
    "hit@1": True,
    "hit@5": True,
    "key_fact_accuracy": True,
    "answer_accuracy": True,
    "refusal_precision": True,
    "refusal_recall": True,
    "refusal_accuracy": True,
}


def refusal_accuracy(outcomes: list[QuestionOutcome]) -> float | None:
    """Share of questions where the refuse-or-answer decision was right."""
    judged = [o for o in outcomes if o.error is None and o.refused is not None]
    if not judged:
        return None
    return sum(1 for o in judged if o.refused == (not o.answerable)) / len(judged)


def summarize_pipeline(records: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = [QuestionOutcome.from_dict(r["outcome"]) for r in records]
    metrics = summarize(outcomes)
    gens = [r["generation"] for r in records if r.get("generation")]
    ok = [r for r in records if not r.get("error")]
    return {
        "questions": len(records),
        "errors": metrics["errors"],
        "refused": sum(1 for r in records if r.get("refused")),
        "hit@1": metrics["hit@1"],
        "hit@5": metrics["hit@5"],
        "mrr": metrics["mrr"],
        "key_fact_accuracy": metrics["key_fact_accuracy"],
        "answer_accuracy": metrics["answer_accuracy"],
        "refusal_precision": metrics["refusal_precision"],
        "refusal_recall": metrics["refusal_recall"],
        "refusal_accuracy": refusal_accuracy(outcomes),
        "citation_precision": metrics["citation_precision"],
        "first_text_s": latency_summary([r["timings"].get("first_text") for r in ok]),
        "total_s": latency_summary([r["timings"].get("total") for r in ok]),
        "prompt_tokens": latency_summary([g["prompt_tokens"] for g in gens]),
        "decode_tok_s": latency_summary([g["decode_tok_s"] for g in gens]),
    }


def side_by_side(summaries: dict[str, dict[str, Any]], builds: dict[str, float]) -> list[list]:
    ours, naive = summaries["ours"], summaries["naive"]
    rows: list[list] = []
    for key in HIGHER_IS_BETTER:
        rows.append([key.replace("_", " "), ours[key], naive[key], ratio(ours[key], naive[key])])
    for key, label in (("first_text_s", "first text (TTFT)"), ("total_s", "total")):
        for q in ("p50", "p95"):
            a, b = ours[key][q], naive[key][q]
            rows.append([f"{label} {q} s", a, b, ratio(a, b)])
    a, b = ours["prompt_tokens"]["p50"], naive["prompt_tokens"]["p50"]
    rows.append(["prompt tokens p50", a, b, ratio(a, b)])
    rows.append(
        [
            "index build s (corpus)",
            builds["ours"],
            builds["naive"],
            ratio(builds["ours"], builds["naive"]),
        ]
    )
    return rows


def main(
    quick: Annotated[bool, typer.Option(help="Small model, one question (smoke test).")] = False,
    model: Annotated[str, typer.Option(help="Manifest name of the LLM both pipelines use.")] = (
        "default"
    ),
    limit: Annotated[
        int | None, typer.Option(help="Questions (a representative subset); default 20.")
    ] = None,
    work_dir: Annotated[Path, typer.Option(help="Indexes go here.")] = DEFAULT_WORK_DIR,
    results_dir: Annotated[
        Path | None, typer.Option(help="Default: benchmarks/results (quick: WORK_DIR/results).")
    ] = None,
) -> None:
    """Run ours and the naive starter pipeline on the same questions and compare them."""
    configure_logging()
    started = time.perf_counter()
    machine = machine_description()
    model = "small" if quick else model
    corpus = corpus_specs(work_dir, quick)[0]

    ours_build = build_fresh(corpus, work_dir, quick)
    settings = settings_for(model, index_dir(work_dir, corpus, quick), quick)
    questions, doc_langs = question_subset(settings.paths.corpus_dir, limit, quick)
    model = build_chat_model(settings)  # one model, timed apart for each pipeline
    timed = {"ours": TimedChatModel(model), "naive": TimedChatModel(model)}
    container = Container(settings, chat_model=timed["ours"])
    assistant = container.assistant
    load_s = warm_up(timed["ours"], assistant)

    naive_dir = work_dir / ("naive-quick" if quick else "naive")
    shutil.rmtree(naive_dir, ignore_errors=True)
    embedder = container.embedder
    t0 = time.perf_counter()
    naive_index = build_naive_index(
        corpus.paths[0], naive_dir / "chroma", embedder, QUICK_NAIVE_CHUNK if quick else None
    )
    naive_build_s = time.perf_counter() - t0
    params = GenerationParams(
        max_tokens=NAIVE_MAX_TOKENS,
        temperature=settings.llm.temperature,
        seed=settings.llm.seed,
    )
    prompts = PromptLibrary(settings.paths.prompts_dir)
    phrases = [
        *prompts.get("model_refusal_phrases", "en").lines(),
        *prompts.get("model_refusal_phrases", "zh").lines(),
    ]
    askers = {
        "ours": StreamingAsker(assistant),
        "naive": NaiveAsker(
            naive_index, ChatModelAdapter(timed["naive"], params, settings.llm.n_ctx), phrases
        ),
    }
    for t in timed.values():
        t.take()

    records: dict[str, list[dict[str, Any]]] = {p: [] for p in PIPELINES}
    for n, question in enumerate(questions):
        order = PIPELINES if n % 2 == 0 else PIPELINES[::-1]
        for name in order:
            logger.info("%s: %s", name, question.id)
            record = evaluate_question(
                question, askers[name], doc_language(question, doc_langs), retrieval_only=False
            )
            calls = timed[name].take()
            reached = calls and "generate" in record["timings"]
            record["generation"] = generation_figures(calls[-1], timed[name]) if reached else None
            records[name].append(record)

    summaries = {name: summarize_pipeline(records[name]) for name in PIPELINES}
    builds = {"ours": ours_build.pipeline_s, "naive": naive_build_s}
    typer.echo(
        format_table(
            ["metric", "ours", "naive", "ours/naive"],
            side_by_side(summaries, builds),
            title=f"Ours vs the llama-index starter pipeline ({model} model, "
            f"{len(questions)} questions)",
            digits=3,
        )
    )
    save_results(
        NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "model": model,
            "limit": limit,
            "question_ids": [q.id for q in questions],
            "naive": {
                "reader": "SimpleDirectoryReader(recursive=True)",
                "splitter": f"SentenceSplitter({QUICK_NAIVE_CHUNK if quick else 'defaults'})",
                "query_engine": "as_query_engine(streaming=True): top-k 2, compact, "
                "DEFAULT_TEXT_QA_PROMPT",
                "hit@k passages": "as_retriever(similarity_top_k=5)",
            },
            "answer_settings": settings.answer.model_dump(mode="json"),
        },
        results={
            "summaries": summaries,
            "index_build_s": builds,
            "model_load_and_warm_up_s": load_s,
            "questions": {
                name: [
                    {
                        k: r.get(k)
                        for k in (
                            "id",
                            "refused",
                            "passed",
                            "error",
                            "timings",
                            "generation",
                            "answer",
                        )
                    }
                    for r in records[name]
                ]
                for name in PIPELINES
            },
        },
        machine=machine,
        started=started,
    )


if __name__ == "__main__":
    typer.run(main)
