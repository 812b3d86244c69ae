"""Long passages are cut to the sentences that match the question; short ones stay whole."""

from __future__ import annotations

from assistant.answer.assistant import Assistant
from assistant.answer.evidence import weighted_coverage
from assistant.answer.focus import (
    best_window,
    focus_text,
    sentence_scores,
    term_weights,
)
from assistant.answer.packing import pack_passages
from tests.answer.conftest import FixedRetriever, ScriptedModel, make_passage

ZH_LONG = (
    "执行局继续与会员国开展对话。"
    "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，建议将该文件作为安全理事会文件分发。"
    "报告还讨论了外国恐怖主义作战人员回返的问题。"
    "各会员国应加强边境管理。"
)


def count(text: str) -> int:
    return len(text)


def test_window_grows_towards_the_better_neighbour() -> None:
    sentences = ["aaaa", "bbbb", "cccc", "dddd"]
    start, end = best_window(sentences, [0.1, 0.2, 0.9, 0.5], 8, count)
    assert (start, end) == (2, 4)


def test_best_sentence_kept_even_when_over_the_limit() -> None:
    assert best_window(["short", "a much longer sentence"], [0.0, 1.0], 3, count) == (1, 2)


def test_figures_and_words_of_the_question_pick_the_sentence() -> None:
    sentences = list(ZH_LONG.replace("。", "。\n").split())
    scores = sentence_scores("委员会第几次会议审议了报告？330", sentences, None)
    assert max(range(len(scores)), key=scores.__getitem__) == 1


def test_focus_keeps_short_text_and_marks_cuts() -> None:
    assert focus_text("问题", "短文本。", 100, count, None) == "短文本。"
    focused = focus_text("第330次会议在哪一天举行？", ZH_LONG, 60, count, None)
    assert "2018年4月19日" in focused
    assert focused.startswith("…") and focused.endswith("…")
    assert len(focused) < len(ZH_LONG)


def test_packing_shows_the_focused_text_but_keeps_the_passage() -> None:
    passage = make_passage(ZH_LONG, 0)
    shown = {passage.chunk_id: focus_text("330次会议", passage.text, 70, count, None)}
    packed = pack_passages([passage], 500, count, shown_text=shown)
    assert "330" in packed[0].text and len(packed[0].text) < len(ZH_LONG)
    assert packed[0].passage.text == ZH_LONG


def test_words_every_passage_shares_weigh_almost_nothing() -> None:
    passages = ["委员会审议了报告。", "委员会通过了决议。", "委员会举行了会议。"]
    weight = term_weights(passages)
    assert weight("委员会") < 0.2 < weight("审议")
    assert weighted_coverage({"委员会", "审议"}, {"委员会"}, weight) < 0.2


def test_translated_terms_pick_the_sentence_for_an_english_question() -> None:
    sentences = [
        "我谨代表委员会提及反恐怖主义办公室和执行局的联合报告。",
        "委员会在2018年4月19日举行的第330次会议上审议该报告。",
    ]
    question = "At which meeting did the Committee consider the joint report?"
    weight = term_weights([*sentences, "委员会的联合报告。", "委员会的工作方案。"])
    without = sentence_scores(question, sentences, None, (), weight)
    assert without[0] == without[1] == 0.0
    scores = sentence_scores(
        question, sentences, None, ["委员会", "审议", "会议", "联合", "报告"], weight
    )
    assert scores[1] > scores[0]


def test_the_assistant_shows_the_sentence_its_retriever_translated_the_question_to(
    prompts, settings
) -> None:
    settings.answer.min_relevance = 0.0
    settings.answer.passage_focus_tokens = 20  # under one sentence of ZH_LONG (2 chars a token)
    settings.answer.typed_facts = False  # without an embedder no English part matches Chinese
    question = "At which meeting did the Committee consider the report?"
    shown = []
    for terms in ([], ["会议", "审议", "报告"]):
        model = ScriptedModel(["The Committee considered it at its 330th meeting [1]."])
        retriever = FixedRetriever([make_passage(ZH_LONG, 0)], terms=terms)
        Assistant(retriever, model, None, prompts, settings).ask(question)
        shown.append(model.calls[0][-1].content)
    assert "第330次会议" not in shown[0]
    assert "第330次会议" in shown[1]
