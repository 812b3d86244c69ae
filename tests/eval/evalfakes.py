"""Hand-made questions, passages, answers, pipelines and run dirs for the evaluation tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer.types import Answer, Citation, Turn
from assistant.eval.dataset import EvalQuestion
from assistant.eval.metrics import QuestionOutcome, summarize_slices
from assistant.schema import Passage

ZH_EVIDENCE = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定"
ZH_PASSAGE = (
    "我谨提及安全理事会第2395(2017)号决议。委员会在 2018 年 4 月 19 日举行的委员会\n"
    "第 330 次会议上审议该报告后商定¹，建议将该文件作为安全理事会文件分发。"
)
EN_EVIDENCE = "We pledged 12 million dollars to the new fund"
EN_PASSAGE = (
    "The United States supports the 2030 Agenda. We pledged 12 million\n dollars to the new "
    "fund in September 2018."
)
OTHER_PASSAGE = "反恐怖主义委员会执行局继续与会员国合作，评估其执行安全理事会决议的情况。"


def make_passage(text: str, n: int = 0, lang: str | None = None) -> Passage:
    lang = lang or ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en")
    return Passage(
        chunk_id=f"c{n}",
        doc_id=f"{lang}/doc{n}.txt",
        source=f"doc{n}.txt",
        title=f"Document {n}",
        text=text,
        lang=lang,  # type: ignore[arg-type]
        score=1.0 - n / 10,
    )


def make_question(qid: str, lang: str = "zh", **extra: Any) -> EvalQuestion:
    values: dict[str, Any] = {
        "id": qid,
        "lang": lang,
        "question": "委员会哪天审议了报告？" if lang == "zh" else "When was the report considered?",
        "answerable": True,
        "doc": ("000_b645ea8b0039a4ff.txt",),
        "evidence": (ZH_EVIDENCE,),
        "answer": "2018年4月19日，第330次会议。",
        "must_include": ("2018年4月19日", "330"),
        "history": (),
        "tags": ("factual",),
    }
    values.update(extra)
    return EvalQuestion(**values)


@dataclass
class FakeRetriever:
    """Returns fixed passages per query (or a default list) and records the queries."""

    by_query: dict[str, list[Passage]] = field(default_factory=dict)
    default: list[Passage] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    def search(self, query: str, top_k: int | None = None) -> list[Passage]:
        self.queries.append(query)
        return list(self.by_query.get(query, self.default))[: top_k or 10]


@dataclass
class FakeModel:
    name: str = "fake-model"
    fingerprint: str = "sha-fake"


@dataclass
class FakeAssistant:
    """Answers from a script keyed by question; an unknown question raises (an error record)."""

    answers: dict[str, Answer]
    retriever: FakeRetriever = field(default_factory=FakeRetriever)
    chat_model: FakeModel = field(default_factory=FakeModel)
    histories: list[Sequence[Turn]] = field(default_factory=list)

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        self.histories.append(history)
        return self.answers[question]


def cite(number: int, passage: Passage, supporting: Sequence[str] = ()) -> Citation:
    return Citation(number=number, passage=passage, supporting_sentences=list(supporting))


def make_answer(question: str, text: str, **extra: Any) -> Answer:
    values: dict[str, Any] = {
        "question": question,
        "text": text,
        "language": "en",
        "timings": {"retrieve": 0.05, "ttft": 1.0, "total": 2.0},
        "model": "fake-model",
        "prompt_hashes": {"answer": "abc123"},
    }
    values.update(extra)
    return Answer(**values)


def write_run(
    run_dir: Path,
    outcomes: list[QuestionOutcome],
    *,
    mode: str = "full",
    set_sha: str = "set-sha",
    answers: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
) -> Path:
    """A synthetic run directory whose summary is computed by the real metric code."""
    run_dir.mkdir(parents=True)
    records = []
    for o in outcomes:
        records.append(
            {
                "id": o.id,
                "lang": o.question_lang,
                "doc_lang": o.doc_lang,
                "question": f"question {o.id}",
                "answerable": o.answerable,
                "reference_answer": f"reference {o.id}",
                "evidence": ["gold span"],
                "answer": (answers or {}).get(o.id, f"answer {o.id}"),
                "refused": o.refused,
                "citations": [],
                "retrieved": [
                    {"rank": 1, "label": "S/2018/208", "snippet": "text", "has_evidence": True}
                ],
                "timings": o.timings,
                "outcome": o.to_dict(),
                "passed": o.passed,
                "error": o.error,
            }
        )
    slices = summarize_slices(outcomes)
    summary = {
        "label": run_dir.name,
        "mode": mode,
        "run_dir": str(run_dir),
        "started_at": "2025-01-01T00:00:00+00:00",
        "wall_time_s": 12.5,
        "question_set": {"path": "set.jsonl", "sha256": set_sha, "n_run": len(outcomes)},
        "git": {"commit": "0123456789abcdef", "dirty": False},
        "pipeline": {
            "model": "fake",
            "model_sha256": "abc",
            "embedder": "use",
            "index_fingerprint": "f",
        },
        "settings": settings or {"llm": {"temperature": 0.0, "seed": 42}},
        "metrics": slices["all"],
        "slices": slices,
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    with (run_dir / "results.jsonl").open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return run_dir


def outcome(qid: str, **extra: Any) -> QuestionOutcome:
    values: dict[str, Any] = {
        "id": qid,
        "question_lang": "zh",
        "doc_lang": "zh",
        "answerable": True,
        "has_evidence": True,
        "evidence_rank": 1,
        "refused": False,
        "facts_missing": [],
        "citations_total": 1,
        "citations_supporting": 1,
        "citations_with_evidence": 1,
        "evidence_cited": True,
        "answer_lang": "zh",
        "timings": {"retrieve": 0.05, "ttft": 1.0, "total": 2.0},
    }
    values.update(extra)
    return QuestionOutcome(**values)
