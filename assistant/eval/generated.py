"""Generated test sets: the dev questions asked again over a changed set of documents.

Two things a question set cannot show by itself:

- **evidence removed**: every answerable question asked with its gold documents excluded (a
  ``doc_ids`` filter over every other indexed document). The documents no longer answer it, so
  the right answer is to decline; an answer here is made up from passages about something else.
- **distractors**: every answerable question asked over its gold documents plus three other
  documents whose best passages for the question hold figures of the kind it asks for (a date
  for "when", a count for "how many"), so the right figure has to be told from plausible
  wrong ones. A question that asks for no figure gets the other documents the search ranks
  highest. It is scored as the original question.

The distractors are chosen from a search restricted to the other documents, deterministically
(search order, then document id), and recorded with each result.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol

from tqdm import tqdm

from assistant.config import Settings
from assistant.eval.dataset import EvalQuestion
from assistant.eval.generated_summary import generated_section
from assistant.eval.metrics import missing_facts
from assistant.eval.provenance import git_state
from assistant.eval.rundir import RESULTS_FILE
from assistant.eval.runner import (
    RunResult,
    ask_and_record,
    prepare_questions,
    question_doc_lang,
    warn_if_not_reproducible,
)
from assistant.eval.summary import open_run, write_summary
from assistant.index.catalog import DocumentInfo
from assistant.schema import Passage
from assistant.text.figures import extract_figures
from assistant.text.question import analyse_question

logger = logging.getLogger(__name__)

GeneratedSet = Literal["evidence-removed", "distractors"]
GENERATED_SETS: tuple[str, ...] = ("evidence-removed", "distractors")
DESCRIPTIONS: dict[str, str] = {
    "evidence-removed": (
        "every answerable question asked with its gold documents excluded; declined = right"
    ),
    "distractors": (
        "every answerable question asked over its gold documents plus 3 other documents whose "
        "best passages hold figures of the asked kind; scored as the original question"
    ),
}
N_DISTRACTORS = 3
DISTRACTOR_SEARCH_K = 40  # passages searched among the other documents
PASSAGES_PER_DOC = 2  # a document's "best passages": its first ones in that search


class SearchesDocuments(Protocol):
    def search(
        self, query: str, top_k: int | None = None, *, doc_ids: Sequence[str] | None = None
    ) -> list[Passage]: ...


@dataclass(frozen=True)
class Distractor:
    """A document added to a question's gold documents, and why it was chosen."""

    doc_id: str
    reason: Literal["figure", "rank", "order"]  # asked figure kind / search rank / fill-up
    rank: int | None  # 1-based rank of its best passage in the restricted search


def document_name(document: DocumentInfo) -> str:
    """The corpus file name of an indexed document, as question sets name documents."""
    return document.source or PurePosixPath(document.doc_id).name


def gold_doc_ids(question: EvalQuestion, documents: Sequence[DocumentInfo]) -> list[str]:
    """The indexed documents a question was written from."""
    wanted = set(question.doc)
    return sorted(d.doc_id for d in documents if document_name(d) in wanted)


def evidence_removed_doc_ids(
    question: EvalQuestion, documents: Sequence[DocumentInfo]
) -> list[str]:
    """Every indexed document except the question's own."""
    gold = set(gold_doc_ids(question, documents))
    return sorted(d.doc_id for d in documents if d.doc_id not in gold)


def asked_figure_kinds(question: str) -> set[str]:
    """The figure kinds (``assistant.text.figures``) that answer any part of the question."""
    return {kind for part in analyse_question(question).parts for kind in part.figure_kinds}


def choose_distractors(
    question: EvalQuestion,
    documents: Sequence[DocumentInfo],
    search: SearchesDocuments,
    count: int = N_DISTRACTORS,
) -> list[Distractor]:
    """``count`` other documents: first those whose best passages hold a figure of an asked
    kind, by search rank; then (or when no figure is asked) the others the search ranks
    highest; then, if the search found too few, the remaining ones by id."""
    gold = set(gold_doc_ids(question, documents))
    others = sorted(d.doc_id for d in documents if d.doc_id not in gold)
    passages = search.search(question.question, top_k=DISTRACTOR_SEARCH_K, doc_ids=others)
    kinds = asked_figure_kinds(question.question)
    best_rank: dict[str, int] = {}
    seen: dict[str, int] = {}
    with_figure: set[str] = set()
    for rank, passage in enumerate(passages, start=1):
        if passage.doc_id not in others:
            continue  # a search that ignored the filter must not add a gold document
        best_rank.setdefault(passage.doc_id, rank)
        seen[passage.doc_id] = seen.get(passage.doc_id, 0) + 1
        among_best = seen[passage.doc_id] <= PASSAGES_PER_DOC
        if kinds and among_best and any(f.kind in kinds for f in extract_figures(passage.text)):
            with_figure.add(passage.doc_id)
    by_rank = sorted(best_rank, key=lambda doc_id: (best_rank[doc_id], doc_id))
    chosen = [Distractor(d, "figure", best_rank[d]) for d in by_rank if d in with_figure]
    chosen += [Distractor(d, "rank", best_rank[d]) for d in by_rank if d not in with_figure]
    chosen += [Distractor(d, "order", None) for d in others if d not in best_rank]
    return chosen[:count]


def plan_question(
    which: str,
    question: EvalQuestion,
    documents: Sequence[DocumentInfo],
    search: SearchesDocuments | None,
) -> tuple[EvalQuestion, list[str], dict[str, Any]]:
    """What to ask for one dev question: the question as scored, the documents to search, and
    what the record says about the choice."""
    gold = gold_doc_ids(question, documents)
    if which == "evidence-removed":
        scored = dataclasses.replace(
            question,
            answerable=False,
            evidence=(),
            must_include=(),
            answer="",
            tags=(*(t for t in question.tags if t != "unanswerable"), "unanswerable"),
        )
        return scored, evidence_removed_doc_ids(question, documents), {"gold_doc_ids": gold}
    if search is None:
        raise ValueError("the distractors set needs a retriever to choose distractors")
    distractors = choose_distractors(question, documents, search)
    info = {
        "gold_doc_ids": gold,
        "distractors": [dataclasses.asdict(d) for d in distractors],
    }
    return question, sorted(gold + [d.doc_id for d in distractors]), info


def _indexed(question: EvalQuestion, documents: Sequence[DocumentInfo]) -> bool:
    names = {document_name(d) for d in documents}
    return bool(question.doc) and all(name in names for name in question.doc)


def run_generated(
    question_set: str | Path,
    assistant: Any,
    settings: Settings,
    which: str,
    documents: Sequence[DocumentInfo],
    search: SearchesDocuments | None = None,
    out_dir: Path | None = None,
    *,
    label: str = "",
    limit: int | None = None,
    only: Sequence[str] = (),
    split: str | None = None,
    progress: bool = True,
) -> RunResult:
    """Run one generated set over a question set's answerable questions and write a run
    directory like any other run, with a ``generated`` section that names the set.

    ``documents`` are the indexed documents (the index's catalog); ``search`` is the retriever
    the distractors are chosen with. Questions whose gold documents are not all indexed are
    skipped (and listed): without them the set would not test what it says.
    """
    if which not in GENERATED_SETS:
        raise ValueError(f"unknown generated set {which!r}; expected one of {GENERATED_SETS}")
    code = git_state()
    questions, set_stamp, doc_langs = prepare_questions(
        question_set, settings, split=split, only=only, limit=None
    )
    answerable = [q for q in questions if q.answerable]
    skipped = [q.id for q in answerable if not _indexed(q, documents)]
    if skipped:
        logger.warning("%d question(s) skipped, gold documents not indexed", len(skipped))
    planned = [q for q in answerable if q.id not in skipped]
    if limit is not None:
        planned = planned[:limit]
    set_stamp.update({"generated": which, "n_run": len(planned), "limit": limit})
    warn_if_not_reproducible(settings)
    label = label or f"generated-{which}" + (f"-{split}" if split else "")
    run_dir, started = open_run(settings, out_dir, label)

    clock = time.perf_counter()
    records: list[dict[str, Any]] = []
    with (run_dir / RESULTS_FILE).open("w", encoding="utf-8") as out:
        for question in tqdm(planned, desc=f"eval {which}", unit="q", disable=not progress):
            scored, doc_ids, info = plan_question(which, question, documents, search)
            doc_lang = question_doc_lang(question, doc_langs)
            record, _answer = ask_and_record(scored, assistant, doc_lang, doc_ids=doc_ids)
            record.update(info)
            record.update({"generated": which, "slice": f"{question.lang}→{doc_lang}"})
            record["doc_ids"] = doc_ids
            if which == "evidence-removed":
                record["original_answer"] = question.answer
                record["original_must_include"] = list(question.must_include)
                record["key_facts_present"] = not record.get("error") and not missing_facts(
                    question.must_include, record.get("answer") or ""
                )
            records.append(record)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    wall = time.perf_counter() - clock
    section = generated_section(which, records, DESCRIPTIONS[which], skipped)
    summary = write_summary(
        run_dir,
        records,
        label=label,
        mode=f"generated:{which}",
        started=started,
        wall=wall,
        set_stamp=set_stamp,
        code=code,
        target=assistant,
        settings=settings,
        extra={"generated": section},
    )
    logger.info(
        "generated set %s: %d questions in %.1f s -> %s", which, len(records), wall, run_dir
    )
    return RunResult(run_dir=run_dir, summary=summary, records=records)
