"""Candidates, the model's choice and its calibrated confidence, over fakes and small data."""

from __future__ import annotations

import math

import pytest

from assistant.answer.candidates import RankWeights, candidate_sentences, is_heading
from assistant.answer.confidence import (
    CandidateSignals,
    ConfidenceModel,
    candidate_signals,
    fit_logistic,
)
from assistant.answer.selection import select_evidence
from assistant.models.backends.choice import choice_grammar, option_probabilities
from assistant.text.question import analyse_question
from tests.answer.conftest import ZH_330, ZH_OTHER, ScriptedModel, make_passage


def _candidates(question: str, passages, limit: int = 6, weights: RankWeights | None = None):
    return candidate_sentences(
        analyse_question(question), passages, lambda _t: [], None, limit, weights
    )


def test_candidates_rank_the_sentence_holding_the_question_words_and_asked_figure_first() -> None:
    passages = [make_passage(ZH_OTHER, 0), make_passage(ZH_330, 1)]
    ranked = _candidates("委员会在第几次会议上审议该报告？", passages)
    assert ranked[0].sentence.startswith("委员会在2018年4月19日举行的委员会第330次会议上")
    assert ranked[0].typed == 1.0
    assert {c.passage.chunk_id for c in ranked} == {"c0", "c1"}


def test_candidates_skip_repeated_sentences_and_respect_the_limit() -> None:
    passages = [make_passage(ZH_330, 0), make_passage(ZH_330, 1, chunk_id="c1")]
    ranked = _candidates("委员会在第几次会议上审议该报告？", passages, limit=10)
    assert len(ranked) == len({c.sentence for c in ranked}) == 2


def test_headings_are_no_candidates() -> None:
    passage = make_passage(
        "C. 联合国反恐怖主义中心的项目\n"
        "21. 该中心正在执行39个项目，以应会员国的请求协助他们执行《战略》。",
        0,
    )
    ranked = _candidates("联合国反恐怖主义中心正在执行多少个项目？", [passage])
    assert [c.sentence[:3] for c in ranked] == ["21."]


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("B. 利用执行局的分析，制定和执行联合国反恐怖主义中心项目", True),
        ("秘书长的报告", True),
        ("III. Terrorist threat in the region", True),
        ("第七十三届会议", True),
        ("委员会在第330次会议上审议了该报告。", False),
        ("(c) 加强联合国向会员国交付联合国反恐怖主义能力建设援助；", False),
        ("The Committee met on 19 April 2018.", False),
        ("What did the Committee decide?", False),
    ],
)
def test_is_heading(line: str, heading: bool) -> None:
    assert is_heading(line) is heading


def test_a_long_sentence_is_shown_as_the_window_around_the_question_words() -> None:
    filler = "各国代表团讨论了许多其他问题，" * 20
    passage = make_passage(filler + "委员会审议了关于预算外资源的报告。", 0)
    (candidate,) = _candidates("委员会审议了关于预算外资源的什么报告？", [passage], limit=1)
    assert len(candidate.shown) < len(candidate.sentence)
    assert "预算外资源" in candidate.shown and candidate.shown.startswith("…")


def test_rank_weights_change_the_order() -> None:
    passages = [make_passage(ZH_OTHER, 0), make_passage(ZH_330, 1)]
    question = "反恐执行局与会员国合作做什么？"
    by_rank = _candidates(question, passages, weights=RankWeights(0, 0, 0, passage_rank=1.0))
    assert by_rank[0].passage.chunk_id == "c0"
    by_type = _candidates(question, passages, weights=RankWeights(0, 0, 0, 0))
    assert len(by_type) == len(by_rank)


def test_selection_reads_the_probabilities_of_every_option() -> None:
    from assistant.answer.prompts import PromptLibrary
    from assistant.config import PROJECT_ROOT

    passages = [make_passage(ZH_330, 0), make_passage(ZH_OTHER, 1)]
    candidates = _candidates("委员会在第几次会议上审议该报告？", passages)
    model = ScriptedModel(choices=[{"0": 0.1, "1": 0.2, "2": 0.7}])
    selection = select_evidence(
        "问题？", candidates, model, PromptLibrary(PROJECT_ROOT / "prompts"), "zh"
    )
    assert selection.choice == 2 and selection.chosen is candidates[1]
    assert selection.p_none == pytest.approx(0.1) and selection.p_chosen == pytest.approx(0.7)
    signals = candidate_signals(selection)
    assert [s.p_option for s in signals][:2] == pytest.approx([0.2, 0.7])
    assert all(s.p_none == pytest.approx(0.1) for s in signals)


def test_nothing_to_choose_from_is_a_choice_of_none_without_a_model_call() -> None:
    from assistant.answer.prompts import PromptLibrary
    from assistant.config import PROJECT_ROOT

    model = ScriptedModel()
    selection = select_evidence("问题？", [], model, PromptLibrary(PROJECT_ROOT / "prompts"), "zh")
    assert selection.chosen is None and selection.p_none == 1.0
    assert model.choice_calls == []


def test_option_probabilities_renormalise_over_the_options_and_ignore_other_tokens() -> None:
    top = [
        {"token": "1", "logprob": math.log(0.5)},
        {"token": "3", "logprob": math.log(0.3)},  # outside the options
        {"token": " 0", "logprob": math.log(0.1)},
    ]
    probabilities = option_probabilities(top, "012", chosen="1")
    assert probabilities["1"] == pytest.approx(0.5 / 0.6)
    assert probabilities["0"] == pytest.approx(0.1 / 0.6)
    assert probabilities["2"] == 0.0
    assert option_probabilities([], "01", chosen="1") == {"0": 0.0, "1": 1.0}
    assert choice_grammar("012") == 'root ::= "0" | "1" | "2"'


def test_logistic_fit_separates() -> None:
    rows = [[x / 10] for x in range(10)]
    labels = [x >= 5 for x in range(10)]
    weights, bias = fit_logistic(rows, labels, l2=0.01)
    assert weights[0] > 0 and bias < 0


def test_the_judgment_can_overrule_the_models_first_choice_and_decline() -> None:
    from assistant.answer.prompts import PromptLibrary
    from assistant.config import PROJECT_ROOT

    passages = [make_passage(ZH_OTHER, 0), make_passage(ZH_330, 1)]
    candidates = _candidates("委员会在第几次会议上审议该报告？", passages)
    model = ScriptedModel(choices=[{"0": 0.1, "1": 0.5, "2": 0.4}])
    library = PromptLibrary(PROJECT_ROOT / "prompts")
    selection = select_evidence("问题？", candidates, model, library, "zh")
    by_type = ConfidenceModel([1.0, 0.0, 0.0, 0.0, 6.0], bias=-3.0, threshold=0.5)
    judgment = by_type.judge(selection)
    typed = max(range(len(candidates)), key=lambda i: candidates[i].typed)
    assert judgment.index == typed and judgment.accepted
    strict = ConfidenceModel([1.0, 0.0, 0.0, 0.0, 6.0], bias=-3.0, threshold=0.99)
    assert not strict.judge(selection).accepted


def test_confidence_model_round_trips_and_refuses_a_stale_feature_list() -> None:
    model = ConfidenceModel([1.0, 2.0, 0.0, 0.5, 0.5], bias=-1.0, threshold=0.6)
    again = ConfidenceModel.from_dict(model.to_dict())
    signals = CandidateSignals(0.8, 0.1, 0.6, 0.4, 1.0)
    assert again.probability(signals) == pytest.approx(model.probability(signals))
    stale = {**model.to_dict(), "features": ["p_none"]}
    with pytest.raises(ValueError, match="assistant calibrate"):
        ConfidenceModel.from_dict(stale)
