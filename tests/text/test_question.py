"""Question parts and answer types on a table of phrasings in both languages."""

from __future__ import annotations

import pytest

from assistant.text.question import analyse_question, answer_type

TYPES = [
    ("On what date did the Council adopt the resolution?", "date"),
    ("When was the Office established?", "date"),
    ("By what date must the Directorate submit its report?", "date"),
    ("What period does the programme of work cover?", "date"),
    ("In which month was the database launched?", "month_year"),
    ("In what year was the Strategy adopted?", "year"),
    ("At which meeting was the report considered?", "meeting"),
    ("Under which Security Council resolution was the Directorate set up?", "resolution"),
    ("Which paragraph of the resolution asks for the report?", "paragraph"),
    ("How much did Norway contribute to the trust fund?", "amount"),
    ("What is the annual budget of the Centre?", "amount"),
    ("What share of its income does the country spend on aid?", "percent"),
    ("How many visits did the Directorate carry out?", "number"),
    ("Who signed the letter?", "person_or_body"),
    ("Which country developed the software?", "person_or_body"),
    ("Where will the conference be held?", "place"),
    ("What are the main functions of the Office?", "list"),
    ("Is the Committee required to report every year?", "yes_no"),
    ("What did the Minister say about climate change?", "description"),
    ("How often does the Chair brief the Council?", "description"),
    ("委员会是在哪一天通过该决议的？", "date"),
    ("报告应在什么时候之前提交？", "date"),
    ("工作方案涵盖哪段时间？", "date"),
    ("该数据库是哪一年建立的？", "year"),
    ("委员会在第几次会议上审议了报告？", "meeting"),
    ("执行局是根据哪项决议设立的？", "resolution"),
    ("挪威向信托基金捐了多少钱？", "amount"),
    ("妇女在议会席位中占多大比例？", "percent"),
    ("美国最多承担维和预算的百分之多少？", "percent"),
    ("执行局进行了多少次评估访问？", "number"),
    ("这封信是谁签署的？", "person_or_body"),
    ("会议将在哪里举行？", "place"),
    ("办公室的核心职能有哪些？", "list"),
    ("中国提出应遵循哪几项原则？", "list"),
    ("部长对气候变化说了什么？", "description"),
]


@pytest.mark.parametrize(("question", "expected"), TYPES)
def test_answer_type(question: str, expected: str) -> None:
    assert answer_type(question) == expected


PARTS = [
    (
        "At which meeting, and on what date, did the Committee consider the report?",
        ["meeting", "date"],
    ),
    ("When, and by which resolution, was the Office established?", ["date", "resolution"]),
    ("How many projects does the Centre run, and in how many countries?", ["number", "number"]),
    ("Which resolution proclaimed the Day, and when was it adopted?", ["resolution", "date"]),
    ("Who signed the letter? When was it sent?", ["person_or_body", "date"]),
    ("Where and when will the conference be held?", ["place", "date"]),
    ("委员会是在哪一天、第几次会议上审议报告的？", ["date", "meeting"]),
    ("中心正在执行多少个项目？在多少个国家开展了活动？", ["number", "number"]),
    ("平台是和哪些公司一起启动的，以及是哪天启动的？", ["list", "date"]),
    ("方案将在哪一年之前推广到多少个省？", ["year", "number"]),
    ("What did the report recommend?", ["description"]),
]


@pytest.mark.parametrize(("question", "expected"), PARTS)
def test_parts(question: str, expected: list[str]) -> None:
    assert [p.answer_type for p in analyse_question(question).parts] == expected


def test_a_later_part_borrows_the_subject_of_the_first_for_its_key_terms() -> None:
    parts = analyse_question(
        "How many projects does the Counter-Terrorism Centre run, and in how many countries?"
    ).parts
    assert "centr" in parts[1].key_terms  # stemmed, as passages are
    assert "project" in parts[0].key_terms


def test_key_terms_leave_out_the_question_frame() -> None:
    terms = analyse_question("On what date did the Security Council adopt the resolution?")
    assert "date" not in terms.key_terms
    assert {"security", "council", "adopt"} <= terms.key_terms
