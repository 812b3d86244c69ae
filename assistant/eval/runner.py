"""Run a question set through the real pipeline and write a run directory.

``results.jsonl`` holds one record per question (the answer, its citations, the retrieved
passages, the per-question outcome and timings), written as each question finishes so an
interrupted run keeps what it measured; ``summary.json`` holds the metrics overall and per slice,
stamped with everything needed to reproduce or compare the run (see :mod:`provenance`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.answer.types import Answer, Turn
from assistant.answer.understanding import understand
from assistant.config import Settings
from assistant.eval.budget import loss_stage
from assistant.eval.dataset import (
    CorpusFiles,
    EvalQuestion,
    doc_language,
    load_question_set,
)
from assistant.eval.metrics import (
    HIT_KS,
    QuestionOutcome,
    cjk_outside_quotations,
    first_evidence_rank,
    missing_facts,
    passage_has_evidence,
    slice_names,
    text_language,
)
from assistant.eval.provenance import git_state, sha256_file, sha256_text
from assistant.eval.records import answer_fields, passage_record, question_record
from assistant.eval.rundir import RESULTS_FILE
from assistant.eval.split import load_split, select_split, split_path
from assistant.eval.summary import open_run, write_summary
from assistant.schema import Passage
from assistant.text.script import script_language

logger = logging.getLogger(__name__)

RETRIEVAL_TOP_K = max(HIT_KS)


@dataclass
class RunResult:
    run_dir: Path
    summary: dict[str, Any]
    records: list[dict[str, Any]]


def retrieval_query(question: EvalQuestion) -> str:
    """The query a retrieval-only run searches: what the answering pipeline would search
    (``answer.understanding``: a follow-up resolved against its history, a standalone question
    as it is)."""
    history = [Turn(t.question, t.answer) for t in question.history]
    return understand(question.question, history).query


def base_outcome(question: EvalQuestion, doc_lang: str, retrieval_only: bool) -> QuestionOutcome:
    return QuestionOutcome(
        id=question.id,
        question_lang=question.lang,
        doc_lang=doc_lang,
        answerable=question.answerable,
        followup=question.is_followup,
        tags=list(question.tags),
        has_evidence=question.answerable and bool(question.evidence),
        retrieval_only=retrieval_only,
    )


def _score_retrieval(
    outcome: QuestionOutcome, question: EvalQuestion, passages: Sequence[Passage]
) -> None:
    if outcome.has_evidence:
        outcome.evidence_rank = first_evidence_rank([p.text for p in passages], question.evidence)


def _score_answer(outcome: QuestionOutcome, question: EvalQuestion, answer: Answer) -> None:
    outcome.refused = answer.refused
    outcome.answer_lang = text_language(answer.text) if answer.text.strip() else None
    if question.lang == "en" and answer.text.strip():
        outcome.cjk_outside_quotes = cjk_outside_quotations(answer.text)
    if question.answerable:
        outcome.facts_missing = missing_facts(question.must_include, answer.text)
    numbered = {c.number: c for c in answer.citations}
    with_evidence = [
        bool(question.evidence) and passage_has_evidence(c.passage.text, question.evidence)
        for c in numbered.values()
    ]
    outcome.citations_total = len(numbered)
    outcome.citations_with_evidence = sum(with_evidence)
    outcome.citations_supporting = sum(
        1
        for c, has in zip(numbered.values(), with_evidence, strict=True)
        if has or c.supporting_sentences
    )
    outcome.evidence_cited = any(with_evidence) if outcome.has_evidence else None
    if outcome.has_evidence:
        outcome.evidence_in_prompt = any(
            passage_has_evidence(p.text, question.evidence) for p in answer.prompt_passages
        )


def _finish_record(
    record: dict[str, Any],
    outcome: QuestionOutcome,
    question: EvalQuestion,
    passages: Sequence[Passage],
) -> dict[str, Any]:
    record["retrieved"] = [
        passage_record(rank, p, question.evidence) for rank, p in enumerate(passages, start=1)
    ]
    record["timings"] = outcome.timings
    record["outcome"] = outcome.to_dict()
    record["stage"] = loss_stage(outcome)
    record["passed"] = outcome.passed
    record["error"] = outcome.error
    return record


def ask_and_record(
    question: EvalQuestion,
    target: Any,
    doc_lang: str,
    *,
    history: Sequence[Turn] | None = None,
    doc_ids: Sequence[str] | None = None,
) -> tuple[dict[str, Any], Answer | None]:
    """Ask one question through the full pipeline; its record and the answer (``None`` after an
    error, which is recorded, not raised).

    ``history`` replaces the question's own history turns (a conversation sends what the app
    would keep); ``doc_ids`` restricts the documents searched (the generated sets).
    """
    record = question_record(question, doc_lang)
    outcome = base_outcome(question, doc_lang, retrieval_only=False)
    if history is None:
        history = [Turn(t.question, t.answer) for t in question.history]
    filters: dict[str, Any] = {} if doc_ids is None else {"doc_ids": list(doc_ids)}
    answer: Answer | None = None
    passages: list[Passage] = []
    try:
        start = time.perf_counter()
        answer = target.ask(question.question, history=list(history), **filters)
        wall = time.perf_counter() - start
        passages = list(answer.passages)
        outcome.timings = {k: float(v) for k, v in answer.timings.items()}
        outcome.timings.setdefault("total", wall)
        _score_answer(outcome, question, answer)
        record.update(answer_fields(answer, question.evidence))
        _score_retrieval(outcome, question, passages)
    except Exception as exc:  # one broken question must not lose the whole run
        logger.exception("question %s failed", question.id)
        outcome.error = f"{type(exc).__name__}: {exc}"
        answer = None
    return _finish_record(record, outcome, question, passages), answer


def evaluate_question(
    question: EvalQuestion, target: Any, doc_lang: str, retrieval_only: bool
) -> dict[str, Any]:
    """Run one question and return its results record (errors are recorded, not raised)."""
    if not retrieval_only:
        return ask_and_record(question, target, doc_lang)[0]
    record = question_record(question, doc_lang)
    outcome = base_outcome(question, doc_lang, retrieval_only=True)
    passages: list[Passage] = []
    try:
        query = retrieval_query(question)
        start = time.perf_counter()
        passages = list(target.search(query, top_k=RETRIEVAL_TOP_K))
        outcome.timings = {"retrieve": time.perf_counter() - start}
        record["query"] = query
        _score_retrieval(outcome, question, passages)
    except Exception as exc:  # one broken question must not lose the whole run
        logger.exception("question %s failed", question.id)
        outcome.error = f"{type(exc).__name__}: {exc}"
    return _finish_record(record, outcome, question, passages)


def question_doc_lang(question: EvalQuestion, doc_langs: dict[str, str]) -> str:
    lang = doc_language(question, doc_langs)
    if lang == "unknown" and question.evidence:
        return script_language(" ".join(question.evidence))
    return lang


def select_questions(
    questions: Sequence[EvalQuestion], doc_langs: dict[str, str], only: Sequence[str]
) -> list[EvalQuestion]:
    """The questions that are in one of the ``only`` slices or have one of its ids.

    "en->zh" is accepted for "en→zh", which is awkward to type in a shell.
    """
    wanted = {name.replace("->", "→") for name in only}
    kept = []
    for question in questions:
        outcome = base_outcome(
            question, question_doc_lang(question, doc_langs), retrieval_only=True
        )
        if question.id in wanted or wanted & {"all", *slice_names(outcome)}:
            kept.append(question)
    return kept


def question_set_stamp(
    question_set: str | Path | Sequence[EvalQuestion],
) -> tuple[list[EvalQuestion], dict[str, Any]]:
    if isinstance(question_set, str | Path):
        path = Path(question_set)
        return load_question_set(path), {"path": str(path), "sha256": sha256_file(path)}
    questions = list(question_set)
    lines = "\n".join(json.dumps(q.to_record(), ensure_ascii=False) for q in questions)
    return questions, {"path": None, "sha256": sha256_text(lines)}


def _resolve_target(target: Any, retrieval_only: bool) -> Any:
    if retrieval_only:
        if hasattr(target, "search"):
            return target
        retriever = getattr(target, "retriever", None)
        if retriever is None or not hasattr(retriever, "search"):
            raise TypeError("retrieval-only evaluation needs a Retriever (an object with .search)")
        return retriever
    if not hasattr(target, "ask"):
        raise TypeError("full evaluation needs an AnswerPipeline (an object with .ask)")
    return target


def prepare_questions(
    question_set: str | Path | Sequence[EvalQuestion],
    settings: Settings,
    *,
    split: str | None = None,
    only: Sequence[str] = (),
    limit: int | None = None,
) -> tuple[list[EvalQuestion], dict[str, Any], dict[str, str]]:
    """The questions a run asks (one half, the ``only`` slices, the first ``limit``), the set's
    stamp and the corpus files' languages."""
    questions, set_stamp = question_set_stamp(question_set)
    set_stamp["n_questions"] = len(questions)
    set_stamp["split"] = split
    if split is not None:
        if not isinstance(question_set, str | Path):
            raise ValueError("a split needs the question set's path (its split file is beside it)")
        questions = select_split(questions, load_split(split_path(question_set), questions), split)
    doc_langs = CorpusFiles.scan(settings.paths.corpus_dir).langs
    if only:
        questions = select_questions(questions, doc_langs, only)
    if limit is not None:
        questions = questions[:limit]
    set_stamp.update({"limit": limit, "only": list(only), "n_run": len(questions)})
    return questions, set_stamp, doc_langs


def warn_if_not_reproducible(settings: Settings) -> None:
    if settings.llm.temperature != 0:
        logger.warning(
            "temperature is %s: answers will not be reproducible", settings.llm.temperature
        )


def run_eval(
    question_set: str | Path | Sequence[EvalQuestion],
    assistant_or_retriever: Any,
    settings: Settings,
    out_dir: Path | None = None,
    retrieval_only: bool = False,
    *,
    label: str = "",
    limit: int | None = None,
    only: Sequence[str] = (),
    split: str | None = None,
    progress: bool = True,
) -> RunResult:
    """Evaluate every question and write ``<out_dir>/<timestamp>_<label>/``.

    ``assistant_or_retriever`` is an ``AnswerPipeline`` (full mode) or a ``Retriever``
    (``retrieval_only``; an assistant's own retriever is used when given an assistant).
    ``only`` keeps the questions in any of the named slices ("en→zh", "q:en", "followup",
    "tag:list"...) or with any of the named ids; ``limit`` then keeps the first N. ``split``
    ("tune" or "test") first keeps one half of the set, as fixed in ``<set>_split.json``.
    """
    code = git_state()  # the code that answers is the code at the start, not after the run
    questions, set_stamp, doc_langs = prepare_questions(
        question_set, settings, split=split, only=only, limit=limit
    )
    target = _resolve_target(assistant_or_retriever, retrieval_only)
    if not retrieval_only:
        warn_if_not_reproducible(settings)
    mode = "retrieval" if retrieval_only else "full"
    label = label or (f"{mode}-{split}" if split else mode)
    run_dir, started = open_run(settings, out_dir, label)

    if retrieval_only and questions:
        target.search(questions[0].question, top_k=RETRIEVAL_TOP_K)  # warm-up, not timed

    clock = time.perf_counter()
    records: list[dict[str, Any]] = []
    with (run_dir / RESULTS_FILE).open("w", encoding="utf-8") as out:
        for question in tqdm(questions, desc=f"eval {mode}", unit="q", disable=not progress):
            record = evaluate_question(
                question, target, question_doc_lang(question, doc_langs), retrieval_only
            )
            records.append(record)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    wall = time.perf_counter() - clock
    summary = write_summary(
        run_dir,
        records,
        label=label,
        mode=mode,
        started=started,
        wall=wall,
        set_stamp=set_stamp,
        code=code,
        target=target,
        settings=settings,
    )
    logger.info("evaluated %d questions in %.1f s -> %s", len(records), wall, run_dir)
    return RunResult(run_dir=run_dir, summary=summary, records=records)
