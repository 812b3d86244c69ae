"""Typed facts per question part: extracted from the matching sentence, enforced on the reply."""

from __future__ import annotations

from assistant.answer.facts import PartEvidence, enforce_facts, gather_part_evidence
from assistant.answer.packing import PackedPassage
from assistant.text.question import QuestionPart, analyse_question
from tests.answer.conftest import make_passage

REPORT = (
    "The Committee will consider the joint report to be submitted by 30 March 2018. "
    "The Committee considered the joint report at its 330th meeting, on 19 April 2018. "
    "The Office has only 8 regular budget posts."
)
LABELS = {"date": "Date", "meeting": "Meeting", "amount": "Amount"}


def _packed(*texts: str) -> list[PackedPassage]:
    return [
        PackedPassage(n, make_passage(text, n - 1), text, "", 0)
        for n, text in enumerate(texts, start=1)
    ]


def _evidence(question: str, *texts: str):
    analysis = analyse_question(question)
    return gather_part_evidence(analysis, _packed(*texts), "en", lambda _t: [], None, 0.45)


def test_each_part_gets_the_figure_of_its_type_from_the_sentence_that_matches_it() -> None:
    question = "At which meeting, and on what date, did the Committee consider the joint report?"
    meeting, date = _evidence(question, REPORT)
    assert meeting.covered and [f.text for f in meeting.facts] == ["330th meeting"]
    assert date.facts[0].text == "19 April 2018"
    assert date.facts[0].sentence.startswith("The Committee considered")


def test_an_asked_type_no_matching_sentence_holds_is_not_covered() -> None:
    (amount,) = _evidence("What is the budget of the Office in dollars?", REPORT)
    assert not amount.covered and amount.facts == ()


def test_a_wrong_figure_is_replaced_and_a_missing_part_is_added() -> None:
    question = "At which meeting, and on what date, did the Committee consider the joint report?"
    evidence = _evidence(question, REPORT)
    reply = "The Committee considered the report on 30 March 2018 [1]."
    enforced = enforce_facts(reply, evidence, question, LABELS, lambda p: f"not: {p}")
    assert "19 April 2018" in enforced.text and "30 March" not in enforced.text
    assert enforced.text.endswith("Meeting: 330th meeting [1]")
    assert enforced.replaced == [("30 March 2018", "19 April 2018")]
    assert [line.text for line in enforced.attested][-1] == "Meeting: 330th meeting"


def test_a_reply_with_the_right_facts_is_left_alone() -> None:
    question = "At which meeting, and on what date, did the Committee consider the joint report?"
    reply = "It was considered at the 330th meeting on 19 April 2018 [1]."
    enforced = enforce_facts(reply, _evidence(question, REPORT), question, LABELS, str)
    assert enforced.text == reply and not enforced.replaced and not enforced.added


def test_a_typed_part_the_documents_do_not_cover_is_said_so() -> None:
    question = "How many posts does the Office have, and what is its budget in dollars?"
    evidence = _evidence(question, REPORT)
    enforced = enforce_facts(
        "The Office has 8 posts [1].", evidence, question, LABELS, lambda p: f"Not said: {p}."
    )
    assert enforced.text.splitlines()[-1].startswith("Not said: ")


def test_citation_markers_are_never_read_as_figures() -> None:
    question = "How many posts does the Office have?"
    evidence = _evidence(question, REPORT)
    enforced = enforce_facts("The Office has 8 posts [3].", evidence, question, LABELS, str)
    assert enforced.text == "The Office has 8 posts [3]." and not enforced.replaced


def test_a_reply_sentence_stating_the_extracted_fact_is_attested_by_its_sentence() -> None:
    question = "How many posts does the Office have?"
    enforced = enforce_facts("8 [1]", _evidence(question, REPORT), question, LABELS, str)
    assert [(a.text, a.passage_number) for a in enforced.attested] == [("8", 1)]
    assert enforced.attested[0].evidence == "The Office has only 8 regular budget posts."


def test_a_translated_key_term_counts_once_whatever_the_number_of_its_glosses() -> None:
    from assistant.answer.facts import translated_coverage

    def weight(word: str) -> float:
        return 1.0

    alternatives = {
        "绝对": {"absolute", "absolutely", "unconditional"},
        "贫困": {"poverty", "poor", "impoverished"},
        "中说": set(),  # no translation: not counted
    }
    words = {"lifted", "absolute", "poverty", "million"}
    assert translated_coverage(alternatives, words, weight) == 1.0
    assert translated_coverage(alternatives, {"poverty"}, weight) == 0.5
    assert translated_coverage(alternatives, {"debate"}, weight) == 0.0
    assert translated_coverage({"中说": set()}, words, weight) == 0.0


def test_of_two_figures_in_reach_the_one_the_asked_words_stand_beside_is_nearer() -> None:
    from assistant.answer.facts import _nearby
    from assistant.text.figures import extract_figures

    sentence = (
        "反恐中心正在执行39个项目，并于2018年在更多受惠国(总共61个会员国)开展了能力建设活动。"
    )
    figures = {f.surface: f for f in extract_figures(sentence)}
    projects, states = {"项目", "执行"}, {"会员国", "受惠国"}
    assert _nearby(sentence, figures["39"], projects) > _nearby(sentence, figures["61"], projects)
    assert _nearby(sentence, figures["61"], states) > _nearby(sentence, figures["39"], states)
    assert _nearby(sentence, figures["61"], set()) == 0.0


def test_a_reply_that_is_only_a_figure_gets_its_part_label() -> None:
    from assistant.answer.facts import _labelled_if_bare

    part = QuestionPart("有多少人", "number", frozenset({"人"}))
    evidence = [PartEvidence(part, None, (), True)]
    labels = {"number": "数目"}
    assert _labelled_if_bare("229 [1]", evidence, labels) == "数目：229 [1]"
    assert _labelled_if_bare("30% [1]", evidence, {"number": "Number"}) == "Number: 30% [1]"
    assert _labelled_if_bare("有229人[1]。", evidence, labels) == "有229人[1]。"
    uncovered = [PartEvidence(part, None, (), False)]
    assert _labelled_if_bare("229 [1]", uncovered, labels) == "229 [1]"


def test_key_terms_are_translated_from_the_words_not_their_stems() -> None:
    from assistant.text.words import content_tokens, content_words

    words = content_words("At which meeting did the Committee consider the joint report?")
    assert words["committe"] == "committee" and words["meet"] == "meeting"
    assert set(words) == content_tokens(
        "At which meeting did the Committee consider the joint report?"
    )
