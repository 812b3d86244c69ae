"""The guide after the question: parts with their facts, and glossary names for English."""

from __future__ import annotations

from assistant.answer.facts import gather_part_evidence
from assistant.answer.guide import build_guide, glossary_terms
from assistant.answer.packing import PackedPassage
from assistant.answer.prompts import PromptLibrary
from assistant.index.glossary import Glossary
from assistant.text.question import analyse_question
from tests.answer.conftest import make_passage

ZH = (
    "联合国反恐怖主义中心的项目完全由预算外捐助供资。"
    "委员会在2018年4月19日举行的第330次会议上审议该报告。"
)
GLOSSARY = Glossary([("extrabudgetary contributions", "预算外捐助"), ("joint report", "联合报告")])


def _packed(text: str) -> list[PackedPassage]:
    return [PackedPassage(1, make_passage(text, 0), text, "", 0)]


def test_glossary_names_come_from_the_chinese_passages_shown() -> None:
    assert glossary_terms(_packed(ZH), GLOSSARY) == [("预算外捐助", "extrabudgetary contributions")]
    assert glossary_terms(_packed("The fund is extrabudgetary."), GLOSSARY) == []


def test_a_question_of_several_parts_lists_them_with_their_facts(prompts: PromptLibrary) -> None:
    question = "At which meeting, and on what date, did the Committee consider the report?"
    packed = _packed(ZH)
    evidence = gather_part_evidence(
        analyse_question(question),
        packed,
        "en",
        lambda _t: ["委员会", "审议", "会议", "报告"],
        None,
        0.45,
    )
    guide, used = build_guide(evidence, packed, "en", prompts, GLOSSARY)
    lines = guide.splitlines()
    assert lines[0].startswith("This question has 2 parts.")
    assert lines[1] == "1. At which meeting: 330th meeting [1]"
    assert lines[2] == "2. on what date: 19 April 2018 [1]"
    assert lines[3].endswith("预算外捐助 = extrabudgetary contributions.")
    assert {p.name for p in used} >= {"parts_header", "part_line", "glossary_hint"}
