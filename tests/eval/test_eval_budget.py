"""The error budget: each answerable question charged to the stage where it was lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.types import PromptPassage
from assistant.config import Settings
from assistant.eval.budget import budget_rows, error_budget, loss_stage
from assistant.eval.report import report_html, report_markdown
from assistant.eval.rundir import load_run
from assistant.eval.runner import run_eval
from tests.eval.evalfakes import (
    OTHER_PASSAGE,
    ZH_PASSAGE,
    FakeAssistant,
    cite,
    make_answer,
    make_passage,
    make_question,
    outcome,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.paths.runs_dir = tmp_path / "runs"
    settings.paths.prompts_dir = tmp_path / "prompts"
    settings.paths.prompts_dir.mkdir()
    return settings


@pytest.mark.parametrize(
    ("fields", "stage"),
    [
        ({}, "right"),
        ({"evidence_rank": None, "refused": True}, "not retrieved"),
        ({"evidence_rank": None, "facts_missing": ["330"]}, "not retrieved"),
        ({"refused": True, "evidence_in_prompt": True}, "refused with evidence"),
        ({"refused": True, "evidence_in_prompt": False}, "refused with evidence"),
        (
            {"facts_missing": ["330"], "evidence_cited": False, "evidence_in_prompt": False},
            "not in prompt",
        ),
        (
            {"facts_missing": ["330"], "evidence_cited": False, "evidence_in_prompt": True},
            "not cited",
        ),
        ({"facts_missing": ["330"], "evidence_in_prompt": True}, "facts wrong or missing"),
        ({"error": "RuntimeError: boom"}, "error"),
        ({"answerable": False, "has_evidence": False}, None),
        ({"retrieval_only": True, "evidence_rank": 3, "refused": None}, "top 5"),
        ({"retrieval_only": True, "evidence_rank": 7, "refused": None}, "rank 6-10"),
        ({"retrieval_only": True, "evidence_rank": None, "refused": None}, "not retrieved"),
    ],
)
def test_each_question_is_charged_to_the_first_stage_it_fails(fields, stage) -> None:
    assert loss_stage(outcome("q", **fields)) == stage


def test_budget_counts_per_slice_and_diffs_against_a_baseline() -> None:
    now = [
        outcome("a"),
        outcome("b", question_lang="en", evidence_rank=None),
        outcome("c", question_lang="en", refused=True, followup=True),
        outcome("d", question_lang="en", doc_lang="en"),
        outcome("u", answerable=False, has_evidence=False),
    ]
    budget = error_budget(now)
    assert list(budget["slices"]) == ["all", "zh→zh", "en→zh", "en→en", "followup"]
    assert budget["slices"]["all"]["right"] == 2
    assert budget["slices"]["en→zh"] == {
        "not retrieved": 1,
        "refused with evidence": 1,
        "not in prompt": 0,
        "not cited": 0,
        "facts wrong or missing": 0,
        "right": 0,
        "error": 0,
    }
    before = error_budget([outcome("a"), outcome("b", question_lang="en"), outcome("c")])
    header, rows = budget_rows(budget, before)
    assert header[:3] == ["slice", "questions", "not retrieved"] and "error" not in header
    all_row = dict(zip(header, rows[0], strict=True))
    assert all_row["questions"] == "4"
    assert all_row["not retrieved"] == "1 (+1)"
    assert all_row["right"] == "2 (-1)"


def test_the_runner_records_the_prompt_and_the_reports_show_the_budget(
    tmp_path: Path, settings: Settings
) -> None:
    zh, other = make_passage(ZH_PASSAGE, 0), make_passage(OTHER_PASSAGE, 1)
    shown = [PromptPassage(1, other.chunk_id, other.text)]  # the evidence passage was cut
    questions = [make_question("zh-1"), make_question("zh-2", question="第几次会议？")]
    answers = {
        questions[0].question: make_answer(
            questions[0].question,
            "委员会在2018年4月19日举行的第330次会议上审议了报告[1]。",
            language="zh",
            citations=[cite(1, zh)],
            passages=[zh, other],
            prompt_passages=[PromptPassage(1, zh.chunk_id, zh.text)],
        ),
        questions[1].question: make_answer(
            questions[1].question,
            "委员会继续合作[1]。",
            language="zh",
            citations=[cite(1, other)],
            passages=[other, zh],
            prompt_passages=shown,
        ),
    }
    result = run_eval(questions, FakeAssistant(answers), settings, progress=False)
    summary, records = load_run(result.run_dir)
    assert [r["stage"] for r in records] == ["right", "not in prompt"]
    assert records[0]["prompt_passages"] == [
        {"number": 1, "chunk_id": zh.chunk_id, "has_evidence": True}
    ]
    assert summary["error_budget"]["slices"]["zh→zh"]["not in prompt"] == 1
    markdown = report_markdown(summary, records, (summary, records))
    assert "## Error budget" in markdown
    assert "| zh→zh | 2 | 0 | 0 | 1 | 0 | 0 | 1 |" in markdown
    page = report_html(summary, records)
    assert "<h2>Error budget</h2>" in page and "not in prompt" in page
