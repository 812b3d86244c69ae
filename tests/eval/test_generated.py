"""The generated sets: the documents each question is asked over, and how it is scored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.answer.types import Answer, Turn
from assistant.config import Settings
from assistant.eval.generated import (
    asked_figure_kinds,
    choose_distractors,
    evidence_removed_doc_ids,
    gold_doc_ids,
    run_generated,
)
from assistant.eval.generated_summary import evidence_removed_stage
from assistant.eval.report import write_report
from assistant.index.catalog import DocumentInfo
from assistant.schema import Passage
from tests.eval.evalfakes import ZH_EVIDENCE, ZH_PASSAGE, cite, make_answer, make_question

NAMES = [
    "000_b645ea8b0039a4ff.txt",
    "001_1e92452d4c4f6fdf.txt",
    "002_8cdbc4ed2a739b7c.txt",
    "003_77356fa80aad0891.txt",
    "004_64ff64efe628bbb7.txt",
    "CHN_73_2018.txt",
]
GOLD = NAMES[0]


def _doc_id(name: str) -> str:
    return ("en/" if name.isupper() or name[0].isalpha() else "zh/") + name


DOCUMENTS = [DocumentInfo(_doc_id(n), n, n, "zh", None, 3) for n in NAMES]


def passage(name: str, text: str, n: int = 0) -> Passage:
    return Passage(
        chunk_id=f"{name}#{n}",
        doc_id=_doc_id(name),
        source=name,
        title=name,
        text=text,
        lang="zh",
        score=1.0,
    )


@dataclass
class FakeSearch:
    results: list[Passage]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def search(
        self, query: str, top_k: int | None = None, *, doc_ids: Sequence[str] | None = None
    ) -> list[Passage]:
        self.calls.append({"query": query, "top_k": top_k, "doc_ids": list(doc_ids or [])})
        return list(self.results)


@dataclass
class FilteringAssistant:
    answers: dict[str, Answer]
    calls: list[tuple[str, list[Turn], dict[str, Any]]] = field(default_factory=list)

    def ask(self, question: str, history: Sequence[Turn] = (), **filters: Any) -> Answer:
        self.calls.append((question, list(history), filters))
        return self.answers[question]


def test_gold_and_evidence_removed_documents() -> None:
    question = make_question("zh-1")
    assert gold_doc_ids(question, DOCUMENTS) == [_doc_id(GOLD)]
    removed = evidence_removed_doc_ids(question, DOCUMENTS)
    assert _doc_id(GOLD) not in removed
    assert len(removed) == len(NAMES) - 1


def test_asked_figure_kinds() -> None:
    assert "date" in asked_figure_kinds("委员会哪天审议了报告？")
    assert "number" in asked_figure_kinds("How many projects is the Centre implementing?")
    assert asked_figure_kinds("What does the report say about human rights?") == set()


def test_distractors_hold_the_asked_figure_kind_first() -> None:
    question = make_question("zh-1", question="委员会哪天审议了报告？")
    search = FakeSearch(
        [
            passage(NAMES[1], "委员会将继续开展工作。"),  # best ranked, no date
            passage(GOLD, "2018年4月19日"),  # a search ignoring the filter: never chosen
            passage(NAMES[2], "会议于2018年6月28日举行。"),
            passage(NAMES[3], "执行局提出建议。"),
            passage(NAMES[4], "2017年10月12日提交委员会。"),
        ]
    )
    chosen = choose_distractors(question, DOCUMENTS, search)
    assert [(d.doc_id, d.reason) for d in chosen] == [
        (_doc_id(NAMES[2]), "figure"),
        (_doc_id(NAMES[4]), "figure"),
        (_doc_id(NAMES[1]), "rank"),
    ]
    assert _doc_id(GOLD) not in search.calls[0]["doc_ids"]
    assert chosen == choose_distractors(question, DOCUMENTS, search), "deterministic"


def test_distractors_fall_back_to_rank_then_order() -> None:
    question = make_question("zh-1", question="报告对人权说了什么？")
    search = FakeSearch([passage(NAMES[3], "2018年4月19日"), passage(NAMES[1], "文本")])
    chosen = choose_distractors(question, DOCUMENTS, search)
    assert [(d.doc_id, d.reason) for d in chosen] == [
        (_doc_id(NAMES[3]), "rank"),
        (_doc_id(NAMES[1]), "rank"),
        (_doc_id(NAMES[5]), "order"),  # the first remaining document id ("en/..." < "zh/...")
    ]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.paths.runs_dir = tmp_path / "runs"
    settings.paths.prompts_dir = tmp_path / "prompts"
    settings.paths.prompts_dir.mkdir()
    return settings


def _set(tmp_path: Path) -> Path:
    questions = [
        make_question("zh-1"),
        make_question("zh-2", question="第330次会议是哪天？", must_include=("2018年4月19日",)),
        make_question(
            "un-1",
            answerable=False,
            question="北京天气如何？",
            doc=(),
            evidence=(),
            must_include=(),
            answer="",
            tags=("unanswerable",),
        ),
        make_question("zh-3", question="这份不在索引里的文件说了什么？", doc=("missing.txt",)),
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(q.to_record(), ensure_ascii=False) for q in questions))
    return path


def test_evidence_removed_run(tmp_path: Path, settings: Settings) -> None:
    declined = make_answer("q", "文件中没有相关信息。", refused=True)
    declined.refusal_reason = "no_relevant_passages"
    made_up = make_answer("q", "2018年4月19日 [1]", citations=[cite(1, passage(NAMES[2], "x"))])
    assistant = FilteringAssistant(
        {"委员会哪天审议了报告？": declined, "第330次会议是哪天？": made_up}
    )
    result = run_generated(
        _set(tmp_path), assistant, settings, "evidence-removed", DOCUMENTS, progress=False
    )
    assert [c[0] for c in assistant.calls] == ["委员会哪天审议了报告？", "第330次会议是哪天？"]
    for _question, history, filters in assistant.calls:
        assert history == []
        assert _doc_id(GOLD) not in filters["doc_ids"] and len(filters["doc_ids"]) == 5
    first, second = result.records
    assert first["answerable"] is False and first["passed"] is True
    assert second["passed"] is False and second["key_facts_present"] is True
    assert evidence_removed_stage(first) == "declined by the relevance gate"
    assert evidence_removed_stage(second) == "answered with the key facts"
    section = result.summary["generated"]
    assert section["set"] == "evidence-removed"
    assert section["skipped"] == ["zh-3"]
    assert section["slices"]["zh→zh"] == {"n": 2, "right": 1, "rate": 0.5}
    assert section["error_budget"]["slices"]["zh→zh"]["answered with the key facts"] == 1
    assert result.summary["mode"] == "generated:evidence-removed"
    assert result.run_dir.name.endswith("_generated-evidence-removed")
    assert result.summary["metrics"]["unanswerable_declined_rate"] == 0.5
    report = write_report(result.run_dir).markdown.read_text("utf-8")
    assert "Generated set: evidence-removed" in report


def test_distractors_run(tmp_path: Path, settings: Settings) -> None:
    right = make_answer(
        "q", "2018年4月19日，第330次会议 [1]", citations=[cite(1, passage(GOLD, ZH_PASSAGE))]
    )
    wrong = make_answer(
        "q", "2018年6月28日 [1]", citations=[cite(1, passage(NAMES[2], "2018年6月28日"))]
    )
    assistant = FilteringAssistant({"委员会哪天审议了报告？": right, "第330次会议是哪天？": wrong})
    search = FakeSearch([passage(NAMES[2], "会议于2018年6月28日举行。"), passage(NAMES[1], "无")])
    result = run_generated(
        _set(tmp_path), assistant, settings, "distractors", DOCUMENTS, search, progress=False
    )
    doc_ids = assistant.calls[0][2]["doc_ids"]
    assert _doc_id(GOLD) in doc_ids and len(doc_ids) == 4
    assert result.records[0]["distractors"][0]["reason"] == "figure"
    assert result.records[0]["evidence"] == [ZH_EVIDENCE], "scored as the original question"
    section = result.summary["generated"]
    assert section["slices"]["all"]["right"] == 1
    assert section["slices"]["zh→zh"]["cited_distractor"] == 1
    assert sum(section["error_budget"]["slices"]["zh→zh"].values()) == 2
    assert section["distractor_reasons"]["figure"] == 2


def test_unknown_generated_set(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(ValueError, match="unknown generated set"):
        run_generated(_set(tmp_path), FilteringAssistant({}), settings, "nope", DOCUMENTS)
