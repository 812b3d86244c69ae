"""The answer path's thresholds are settings: each one reaches the step that uses it."""

from __future__ import annotations

from dataclasses import fields

from assistant.answer.evidence import numbers_supported
from assistant.answer.support import SupportChecker, SupportThresholds
from assistant.config import AnswerSettings


def test_every_support_threshold_is_read_from_the_settings() -> None:
    defaults = SupportThresholds.from_settings(AnswerSettings())
    assert defaults == SupportThresholds()
    names = {
        "min_overlap": "support_min_overlap",
        "min_cosine": "support_min_cosine",
        "min_cosine_with_numbers": "support_min_cosine_with_numbers",
        "min_cosine_same_language": "support_min_cosine_same_language",
        "figure_overlap_factor": "support_figure_overlap_factor",
        "min_figure_share": "support_min_figure_share",
        "figure_weight": "support_figure_weight",
        "evidence_cutoff": "evidence_relative_cutoff",
    }
    assert set(names) == {f.name for f in fields(SupportThresholds)}
    for field_name, setting in names.items():
        changed = AnswerSettings(**{setting: 0.123})
        assert getattr(SupportThresholds.from_settings(changed), field_name) == 0.123


def test_the_figure_share_decides_how_many_figures_must_match() -> None:
    claim, passage = {"330", "2018", "19"}, {"330", "2018"}
    assert numbers_supported(claim, passage, min_share=0.5)
    assert not numbers_supported(claim, passage, min_share=1.0)


def test_the_evidence_cutoff_decides_whether_a_second_sentence_is_shown() -> None:
    passage = "委员会第330次会议审议了报告。委员会在会议上审议了报告。"
    claim = "委员会在第330次会议上审议了报告。"
    generous = SupportChecker(None, SupportThresholds(evidence_cutoff=0.0)).check(claim, passage)
    strict = SupportChecker(None, SupportThresholds(evidence_cutoff=1.0)).check(claim, passage)
    assert len(generous.sentences) == 2
    assert strict.sentences == ("委员会第330次会议审议了报告。",)
