"""What a run writes for one question: the item, the answer, its citations and the passages.

Shared by the question-set runner, the conversation runner and the generated sets, so that
every ``results.jsonl`` record reads the same way (and the reports read any of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from assistant.answer.present import answer_to_dict
from assistant.answer.types import Answer
from assistant.eval.dataset import EvalQuestion
from assistant.eval.metrics import passage_has_evidence
from assistant.schema import Passage

SNIPPET_CHARS = 300

_RECORDED_ANSWER_FIELDS = (
    "refused",
    "refusal_reason",
    "standalone_question",
    "model",
    "prompt_hashes",
    "unsupported_sentences",
    "relevance",
    "warnings",
)


def passage_record(rank: int, passage: Passage, evidence: Sequence[str]) -> dict[str, Any]:
    return {
        "rank": rank,
        "chunk_id": passage.chunk_id,
        "doc_id": passage.doc_id,
        "source": passage.source,
        "label": passage.label,
        "lang": passage.lang,
        "score": passage.score,
        "dense_score": passage.dense_score,
        "lexical_score": passage.lexical_score,
        "has_evidence": passage_has_evidence(passage.text, evidence) if evidence else False,
        "snippet": passage.text[:SNIPPET_CHARS],
    }


def question_record(question: EvalQuestion, doc_lang: str) -> dict[str, Any]:
    return {
        "id": question.id,
        "lang": question.lang,
        "doc_lang": doc_lang,
        "question": question.question,
        "history": [{"question": t.question, "answer": t.answer} for t in question.history],
        "answerable": question.answerable,
        "doc": list(question.doc),
        "tags": list(question.tags),
        "reference_answer": question.answer,
        "must_include": list(question.must_include),
        "evidence": list(question.evidence),
    }


def answer_fields(answer: Answer, evidence: Sequence[str]) -> dict[str, Any]:
    """The answer as ``answer_to_dict`` writes it, under the run record's names, with whether
    each cited passage holds an evidence span (the retrieved passages are recorded apart)."""
    data = answer_to_dict(answer)
    citations = [
        {
            **citation,
            "has_evidence": bool(evidence) and passage_has_evidence(citation["passage"], evidence),
        }
        for citation in data["citations"]
    ]
    return {
        "answer": data["text"],
        "answer_language": data["language"],
        **{name: data[name] for name in _RECORDED_ANSWER_FIELDS},
        "raw_text": answer.raw_text,
        "prompt_passages": [
            {
                "number": p.number,
                "chunk_id": p.chunk_id,
                "has_evidence": bool(evidence) and passage_has_evidence(p.text, evidence),
            }
            for p in answer.prompt_passages
        ],
        "citations": citations,
        "cited_docs": sorted(cited_sources(answer)),
        # why it answered or declined: the candidates, the model's and the calibrated
        # probabilities, the threshold (what an evaluator reads to see where a choice went wrong)
        "selection": answer.selection,
    }


def source_name(passage: Passage) -> str:
    """The corpus file name a passage comes from, as question sets name documents."""
    return passage.source or PurePosixPath(passage.doc_id).name


def cited_sources(answer: Answer) -> set[str]:
    """The file names of the documents an answer cites."""
    return {source_name(c.passage) for c in answer.citations}


def cites_gold(cited: Iterable[str], gold: Iterable[str]) -> bool:
    """Whether an answer cites at least one of the documents its question was written from."""
    return bool(set(cited) & set(gold))
