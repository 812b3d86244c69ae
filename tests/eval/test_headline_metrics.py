"""Headline figures every run reports: declined rates apart for answerable and unanswerable
questions, and English answers with Chinese outside quotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.eval.metrics import cjk_outside_quotations, summarize
from assistant.eval.report import write_report
from assistant.eval.runner import run_eval
from tests.eval.evalfakes import FakeAssistant, make_answer, make_question, outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Committee met on 19 April 2018 [1].", False),
        ("The report says “委员会审议了报告” [1].", False),
        ('It quotes "第330次会议" [1].', False),
        ("It is called 「黑色通告」 [1].", False),
        ("The Committee met on 19 April 2018 [1].\nOriginal: “委员会在2018年4月19日…”", False),
        ("It met on 19 April 2018 [1].\n原文：委员会在2018年4月19日举行的会议", False),
        ("- Original: 委员会第330次会议", False),
        ("The 反恐委员会 met on 19 April 2018 [1].", True),
        ("It met [1].\nOriginal: “委员会”\nThe 执行局 agreed.", True),
        ("Note the quote “closed” and then 中文.", True),
    ],
)
def test_cjk_outside_quotations(text: str, expected: bool) -> None:
    assert cjk_outside_quotations(text) is expected


def test_declined_rates_are_separate_headline_figures() -> None:
    outcomes = [
        outcome("a1", question_lang="en", refused=True),
        outcome("a2", question_lang="en", cjk_outside_quotes=True),
        outcome("a3", cjk_outside_quotes=None),
        outcome("a4", error="boom", refused=None),
        outcome("u1", answerable=False, has_evidence=False, refused=True),
        outcome("u2", answerable=False, has_evidence=False, refused=False),
    ]
    summary = summarize(outcomes)
    assert summary["answerable_declined_rate"] == pytest.approx(1 / 3)
    assert summary["unanswerable_declined_rate"] == 0.5
    assert summary["en_answers_with_cjk"] == 1


def test_no_english_answers_means_no_cjk_count() -> None:
    assert summarize([outcome("a1")])["en_answers_with_cjk"] is None


_EN = {"answer": "At the 330th meeting.", "must_include": ("330",)}


def test_runs_report_english_answers_with_cjk(tmp_path: Path) -> None:
    settings = Settings()
    settings.paths.runs_dir = tmp_path / "runs"
    settings.paths.prompts_dir = tmp_path / "prompts"
    settings.paths.prompts_dir.mkdir()
    questions = [
        make_question("en-1", "en", question="When was it considered?", **_EN),
        make_question("en-2", "en", question="Which meeting?", **_EN),
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(q.to_record(), ensure_ascii=False) for q in questions))
    assistant = FakeAssistant(
        {
            "When was it considered?": make_answer("q", "At the 330th meeting of the 委员会."),
            "Which meeting?": make_answer("q", "The 330th meeting.\nOriginal: “第330次会议”"),
        }
    )
    result = run_eval(path, assistant, settings, progress=False)
    assert result.summary["english_cjk"] == {"count": 1, "ids": ["en-1"]}
    assert result.summary["metrics"]["en_answers_with_cjk"] == 1
    assert result.summary["metrics"]["answerable_declined_rate"] == 0.0
    report = write_report(result.run_dir).markdown.read_text("utf-8")
    assert "English answers with CJK outside quotations" in report
    assert "`en-1`" in report
