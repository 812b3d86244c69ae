"""Fitting the evidence choice: what counts as an answering candidate, and the threshold."""

from __future__ import annotations

import pytest

from assistant.answer.candidates import Candidate
from assistant.answer.confidence import CandidateSignals
from assistant.eval.dataset import EvalQuestion
from assistant.eval.selection_fit import (
    ChoiceRecord,
    answers,
    best_threshold,
    fit_confidence,
    records_as_dicts,
    records_from_dicts,
)
from tests.answer.conftest import make_passage


def _question(**values) -> EvalQuestion:
    base = {
        "id": "zh-zh-01",
        "lang": "zh",
        "question": "委员会在哪一次会议上审议了报告？",
        "answerable": True,
        "doc": "000_b645ea8b0039a4ff.txt",
        "evidence": ["委员会在2018年4月19日举行的委员会第330次会议上审议该报告"],
        "answer": "第330次会议。",
        "must_include": ["330"],
    }
    base.update(values)
    return EvalQuestion(**base)


def _candidate(sentence: str) -> Candidate:
    return Candidate(sentence, sentence, make_passage(sentence, 0), 0, 0.5, 0.5, 1.0)


def test_a_candidate_answers_when_it_holds_the_evidence_or_every_key_fact() -> None:
    question = _question()
    assert answers(
        question, _candidate("委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定。")
    )
    assert answers(question, _candidate("该报告已在第330次会议上审议。"))  # another wording
    assert not answers(question, _candidate("委员会在第331次会议上审议了其他报告。"))
    english = _question(lang="en", question="At which meeting?", must_include=["330"])
    assert not answers(english, _candidate("该报告已在第330次会议上审议。"))  # not its language


def _record(answerable: bool, p_option: float, right: bool, variant: str = "asked") -> ChoiceRecord:
    signals = CandidateSignals(p_option, 1.0 - p_option, 0.5, 0.5, 0.0)
    return ChoiceRecord("q", variant, answerable, (signals,), (right,), 1)


def test_the_threshold_weighs_a_wrong_answer_by_its_cost() -> None:
    records = [
        _record(True, 0.9, True),
        _record(True, 0.6, True),
        _record(False, 0.65, False, "evidence_removed"),
        _record(False, 0.2, False),
    ]
    outcomes = [(r.signals[0].p_option, r.answers[0]) for r in records]
    cheap, _ = best_threshold(records, outcomes, cost=0.1)
    dear, _ = best_threshold(records, outcomes, cost=5.0)
    assert cheap == pytest.approx(0.6)  # one wrong answer is worth a second right one
    assert dear == pytest.approx(0.9)  # it is not


def test_the_fitted_model_separates_and_records_its_rates() -> None:
    records = [_record(True, 0.8 + i / 100, True) for i in range(10)]
    records += [_record(False, 0.1 + i / 100, False, "evidence_removed") for i in range(10)]
    model = fit_confidence(records, wrong_answer_cost=2.0)
    assert model.fitted["answerable_declined"] == 0.0
    assert model.fitted["evidence_removed_declined"] == 1.0
    again = records_from_dicts(records_as_dicts(records))
    assert again[0].answers == records[0].answers and again[0].signals[0].p_option == pytest.approx(
        0.8
    )
