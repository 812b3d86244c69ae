"""The terms a translation is given: figures, glossary names, then the renderings of the
sentence's other content terms in the senses UN English uses."""

from __future__ import annotations

import pytest

from assistant.answer.translation import sentence_terms
from assistant.config import Settings
from assistant.text.glossary import Glossary
from assistant.text.term_rendering import TermRenderer
from tests.answer.conftest import ZH_330, ScriptedModel, make_passage

ZH_330_SENTENCE = ZH_330.split("。")[0] + "。"
ZH_BUDGET = "例如，反恐办公室只有8个经常预算员额，委员会审议了该方案。"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(Settings().paths.glossary_file)


@pytest.fixture(scope="module")
def renderer(glossary: Glossary) -> TermRenderer:
    return TermRenderer(glossary)


def test_figures_then_glossary_names_then_renderings(
    glossary: Glossary, renderer: TermRenderer
) -> None:
    figures = [("第330次会议", "330th meeting"), ("2018年4月19日", "19 April 2018")]
    terms = sentence_terms(ZH_330_SENTENCE, glossary, figures, renderer)
    assert terms[:3] == [*figures, ("安全理事会", "Security Council")]
    assert ("报告", "report") in terms[3:] and ("委员会", "committee") in terms[3:]
    listed = [term for term, _ in terms]
    assert "审议" not in listed  # a verb: the model translates it well itself
    assert "会议" not in listed  # inside 第330次会议, which the parsers rendered
    assert len(terms) <= 8 and len(set(listed)) == len(listed)


def test_renderings_fill_the_list_longest_first_up_to_its_limit(
    glossary: Glossary, renderer: TermRenderer
) -> None:
    terms = sentence_terms(ZH_BUDGET, glossary, [], renderer)
    assert terms[0] == ("反恐办公室", "UNOCT")
    assert ("经常预算", "regular budget") in terms
    assert ("方案", "programme") in terms
    rendered = [term for term, _ in terms[1:]]
    assert len(rendered[0]) >= len(rendered[-1])
    longer = ZH_BUDGET + "反恐执行局继续与会员国合作，评估其执行安全理事会决议的情况。"
    assert len(sentence_terms(longer, glossary, [], renderer)) == 8


def test_without_a_renderer_only_figures_and_glossary_names(glossary: Glossary) -> None:
    assert sentence_terms(ZH_BUDGET, glossary, [], None) == [("反恐办公室", "UNOCT")]


def test_an_english_sentence_gets_no_chinese_renderings(
    glossary: Glossary, renderer: TermRenderer
) -> None:
    sentence = "The Security Council considered the regular budget."
    assert sentence_terms(sentence, glossary, [], renderer) == [("Security Council", "安全理事会")]


def test_an_english_answer_over_a_chinese_sentence_is_given_the_renderings(
    make_assistant,
) -> None:
    model = ScriptedModel(replies=["For example, UNOCT has only 8 regular budget posts."])
    answer = make_assistant(model, [make_passage(ZH_BUDGET, 0)], min_relevance=0.0).ask(
        "How many regular budget posts does the Office of Counter-Terrorism have?"
    )
    assert answer.language == "en"
    prompt = model.calls[0][-1].content
    assert "反恐办公室 = UNOCT" in prompt
    assert "经常预算 = regular budget" in prompt


def test_term_hints_off_leaves_the_renderings_out(make_assistant) -> None:
    model = ScriptedModel(replies=["For example, UNOCT has only 8 regular budget posts."])
    make_assistant(model, [make_passage(ZH_BUDGET, 0)], min_relevance=0.0, term_hints=False).ask(
        "How many regular budget posts does the Office of Counter-Terrorism have?"
    )
    prompt = model.calls[0][-1].content
    assert "反恐办公室 = UNOCT" in prompt
    assert "regular budget" not in prompt
