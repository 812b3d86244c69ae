"""Follow-ups read against the previous turn: carried terms, the question as understood, and
what is searched. Tables of phrasings in both languages, most from evals/dev.jsonl."""

from __future__ import annotations

import pytest

from assistant.answer.conversation import (
    FollowupContext,
    followup_context,
    resolve,
    search_query,
    understood_as,
)
from assistant.answer.types import Turn

# (previous question, previous answer, follow-up, language, understood as)
UNDERSTOOD = [
    # references replaced by their antecedent
    (
        "What did Nigeria say about Lake Chad?",
        "Nigeria said the lake has shrunk by 90 per cent [1].",
        "And what did Chad say about it?",
        "en",
        "What did Chad say about Lake Chad?",
    ),
    (
        "反恐委员会在哪一次会议上审议了联合报告？",
        "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。",
        "那次会议上还讨论了什么？",
        "zh",
        "第330次会议上还讨论了什么？",
    ),
    (
        "反恐委员会在哪一次会议上审议了联合报告？",
        "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。",
        "At that meeting, what else was decided?",
        "en",
        "At the 330th meeting, what else was decided?",  # the figure in the question's language
    ),
    (
        "At which meeting did the Counter-Terrorism Committee consider the joint report?",
        "The Committee considered it at its 330th meeting on 19 April 2018 [1].",
        "What else did the Committee decide at that meeting?",
        "en",
        "What else did the Committee decide at the 330th meeting?",
    ),
    (
        "When was the UN Global Counter-Terrorism Coordination Compact launched?",
        "The Global Compact was launched in December 2018.",
        "How many members does it have?",
        "en",
        "How many members does the UN Global Counter-Terrorism Coordination Compact have?",
    ),
    (
        "巴基斯坦说它部署了多少兵力开展反恐行动？",
        "巴基斯坦表示，它部署了20万兵力。",
        "它和恐怖主义斗争了多少年？",
        "zh",
        "巴基斯坦和恐怖主义斗争了多少年？",
    ),
    (
        "反恐办公室和执行局的联合报告是根据安理会哪项决议编写的？",
        "联合报告是根据安全理事会第2395(2017)号决议第18段编写的。",
        "这份报告应该在什么时候之前完成？",
        "zh",
        "联合报告应该在什么时候之前完成？",
    ),
    (
        "Under which Security Council resolution was CTED established?",
        "CTED was established under resolution 1535 (2004) [1].",
        "When was it adopted?",
        "en",
        "When was resolution 1535 adopted?",  # asked "which resolution": "it" is the answer
    ),
    (
        "Which country submitted the draft of resolution 2396 (2017)?",
        "The United Kingdom submitted the draft [1].",
        "When did it join the Security Council?",
        "en",
        "When did the United Kingdom join the Security Council?",
    ),
    (
        "What are the functions of the Office of Counter-Terrorism?",
        "It has five functions [1].",
        "What are its main priorities?",
        "en",
        "What are the Office of Counter-Terrorism's main priorities?",
    ),
    (
        "反恐办公室有哪些职能？",
        "它有五项职能[1]。",
        "其预算是多少？",
        "zh",
        "反恐办公室的预算是多少？",
    ),
    (
        "When was the Office of Counter-Terrorism established?",
        "It was established on 15 June 2017 by resolution 71/291 [1].",
        "What happened in that year?",
        "en",
        "What happened in 2017?",  # "that year" takes the year of the date
    ),
    (
        "反恐委员会在哪一次会议上审议了联合报告？",
        "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。",
        "那一年还举行了哪些会议？",
        "zh",
        "2018年还举行了哪些会议？",
    ),
    (
        "反恐办公室是哪一天设立的？",
        "反恐办公室于2017年6月15日设立[1]。",
        "当时谁是秘书长？",
        "zh",
        "2017年6月15日谁是秘书长？",
    ),
    (
        "Under which resolution was the joint report of the Office of Counter-Terrorism and "
        "CTED prepared?",
        "It was prepared under resolution 2395 (2017).",
        "By when was this report due?",
        "en",
        "By when was the joint report of the Office of Counter-Terrorism due?",
    ),
    # fragments put into the previous question's frame
    (
        "What did Nigeria say about Lake Chad?",
        "Nigeria said the lake has shrunk [1].",
        "And Chad?",
        "en",
        "What did Chad say about Lake Chad?",
    ),
    (
        "反恐办公室有多少个经常预算员额？",
        "反恐办公室有12个经常预算员额[1]。",
        "那执行局呢？",
        "zh",
        "执行局有多少个经常预算员额？",
    ),
    (
        "反恐怖主义办公室是根据哪项决议设立的？",
        "反恐怖主义办公室是根据大会2017年6月15日通过的第71/291号决议设立的。",
        "那执行局呢？",
        "zh",
        "执行局是根据哪项决议设立的？",
    ),
    (
        "美国总统说美国今年的军费是多少？",
        "美国表示，今年为军队争取到了创纪录的7000亿美元经费。",
        "明年呢？",
        "zh",
        "美国总统说美国明年的军费是多少？",
    ),
    (
        "How many countries ratified the convention in 2016?",
        "25 countries ratified the convention in 2016.",
        "What about 2017?",
        "en",
        "How many countries ratified the convention in 2017?",
    ),
    (
        "2016年有多少个国家批准了该公约？",
        "2016年有25个国家批准了该公约。",
        "2017年呢？",
        "zh",
        "2017年有多少个国家批准了该公约？",
    ),
    (
        "How many countries ratified the convention in 2016?",
        "25 countries ratified the convention in 2016.",
        "2017年呢？",
        "zh",
        "How many countries ratified the convention in 2017?",  # a figure crosses languages
    ),
    (
        "What did the Counter-Terrorism Committee decide in 2018?",
        "It adopted a programme of work [1].",
        "And the Security Council?",
        "en",
        "What did the Security Council decide in 2018?",
    ),
    ("美国的军费是多少？", "7000亿美元。", "那中国呢？", "zh", "中国的军费是多少？"),
    (
        "秘书处的工作组由谁主持？",
        "工作组由副秘书长主持。",
        "那咨询委员会呢？",
        "zh",
        "咨询委员会由谁主持？",  # a body of a body: the follow-up names the one asked about
    ),
    # nothing safe to resolve: the follow-up beside the previous question
    (
        "2010年的报告中，反恐执行局进行了多少例技术援助转介？",
        "反恐执行局进行了187例转介。",
        "其中有多少例最终获得了援助？",
        "zh",
        "其中有多少例最终获得了援助？（2010年的报告中，反恐执行局进行了多少例技术援助转介？）",
    ),
    (
        "How many countries had CTED visited and assessed since 2005?",
        "59 countries had been visited and assessed since 2005.",
        "And how many of them did it visit after 2008?",
        "en",
        "And how many of them did it visit after 2008? "
        "(How many countries had CTED visited and assessed since 2005?)",  # "them": no name
    ),
    (
        "What economic growth rate did Burkina Faso report?",
        "Burkina Faso reported a growth rate of 6.7 per cent.",
        "And how many schools have closed because of the terrorist threat?",
        "en",
        "And how many schools have closed because of the terrorist threat? "
        "(What economic growth rate did Burkina Faso report?)",
    ),
    (
        "Who chairs the working group of the Secretariat?",
        "The Under-Secretary-General chairs the working group.",
        "And the advisory board?",
        "en",
        "And the advisory board? (Who chairs the working group of the Secretariat?)",
    ),
    (
        "反恐办公室和执行局的联合报告是根据安理会哪项决议编写的？",
        "联合报告是根据安全理事会第2395(2017)号决议第18段编写的。",
        "What does this report say about Lake Chad?",
        "en",  # the report is only named in Chinese: not put into an English question
        "What does this report say about Lake Chad? "
        "(反恐办公室和执行局的联合报告是根据安理会哪项决议编写的？)",
    ),
    (
        "What did the Committee consider at its 330th meeting?",
        "It considered the joint report [1].",
        "Why?",
        "en",
        "Why? (What did the Committee consider at its 330th meeting?)",
    ),
    # a question that stands alone is left as it is
    (
        "What did the Committee consider at its 330th meeting?",
        "It considered the joint report [1].",
        "What is CTED?",
        "en",
        "What is CTED?",
    ),
    (
        "反恐办公室有多少个经常预算员额？",
        "反恐办公室有12个经常预算员额[1]。",
        "反恐执行局有多少个员额？",
        "zh",
        "反恐执行局有多少个员额？",
    ),
]


def _context(question: str, answer: str) -> FollowupContext:
    context = followup_context([Turn(question, answer)])
    assert context is not None
    return context


@pytest.mark.parametrize(("previous", "answer", "question", "lang", "expected"), UNDERSTOOD)
def test_understood_as(previous: str, answer: str, question: str, lang: str, expected: str) -> None:
    assert understood_as(question, _context(previous, answer), lang) == expected


def test_resolution_says_how_it_was_understood() -> None:
    context = _context("反恐办公室有多少个经常预算员额？", "12个[1]。")
    frame = resolve("那执行局呢？", context, "zh")
    assert (frame.method, frame.replaced, frame.resolved) == ("frame", ("反恐办公室",), True)
    context = _context("What did Nigeria say about Lake Chad?", "It has shrunk [1].")
    reference = resolve("And what did Chad say about it?", context, "en")
    assert (reference.method, reference.antecedents) == ("reference", ("Lake Chad",))
    assert not resolve("Why?", context, "en").resolved
    assert resolve("What is CTED?", context, "en").method == "standalone"


# (previous question, previous answer, follow-up, search query)
SEARCHED = [
    # an unrelated question is searched as it is, whatever came before
    (
        "What did the Committee consider at its 330th meeting?",
        "It considered the joint report [1].",
        "What is CTED?",
        "What is CTED?",
    ),
    # a frame swap searches the understood question only: the swapped-out name is not added
    (
        "反恐办公室有多少个经常预算员额？",
        "12个[1]。",
        "那执行局呢？",
        "执行局有多少个经常预算员额？",
    ),
    (
        "美国总统说美国今年的军费是多少？",
        "美国表示，今年为军队争取到了创纪录的7000亿美元经费。",
        "明年呢？",
        "美国总统说美国明年的军费是多少？",  # not this year's 7000亿美元 either
    ),
    # a reference into the answer brings the answer's terms and the previous question's
    (
        "反恐委员会在哪一次会议上审议了联合报告？",
        "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。",
        "那次会议上还讨论了什么？",
        "第330次会议上还讨论了什么？ 反恐委员会 联合报告 2018年4月19日",
    ),
    # "And …" with a name of its own: the previous question's name is no longer the subject
    (
        "What did Nigeria say about Lake Chad?",
        "Nigeria said the lake has shrunk by 90 per cent [1].",
        "And what did Chad say about it?",
        "What did Chad say about Lake Chad?",
    ),
    # nothing resolved: the follow-up with the previous question's names and words
    (
        "What economic growth rate did Burkina Faso report?",
        "Burkina Faso reported a growth rate of 6.7 per cent.",
        "And how many schools have closed because of the terrorist threat?",
        "And how many schools have closed because of the terrorist threat? "
        "Burkina Faso economic growth rate",
    ),
    (
        "2010年的报告中，反恐执行局进行了多少例技术援助转介？",
        "反恐执行局进行了187例转介。",
        "其中有多少例最终获得了援助？",
        "其中有多少例最终获得了援助？ 2010年 反恐执行局 报告 技术援助",
    ),
]


@pytest.mark.parametrize(("previous", "answer", "question", "expected"), SEARCHED)
def test_search_query(previous: str, answer: str, question: str, expected: str) -> None:
    assert search_query(question, _context(previous, answer)) == expected


def test_search_query_keeps_chinese_terms_whole() -> None:
    query = search_query("那次会议上还讨论了什么？", _context(*SEARCHED[3][:2]))
    extras = query.split("？", 1)[1].split()
    assert extras == ["反恐委员会", "联合报告", "2018年4月19日"]  # never cut inside a word


def test_context_of_the_last_turn() -> None:
    history = [
        Turn("What is CTED?", "CTED is the Executive Directorate [1]."),
        Turn(
            "反恐委员会在哪一次会议上审议了联合报告？",
            "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。",
            cited_chunk_ids=("c7", "c9"),
        ),
    ]
    context = followup_context(history)
    assert context is not None
    assert context.previous_question == "反恐委员会在哪一次会议上审议了联合报告？"
    assert context.key_terms == ("反恐委员会", "2018年4月19日", "第330次会议")
    assert context.cited_chunk_ids == ("c7", "c9")
    assert "[1]" not in context.previous_answer


def test_context_uses_the_standalone_form_of_a_follow_up() -> None:
    history = [
        Turn("反恐办公室有多少个经常预算员额？", "12个[1]。"),
        Turn("那执行局呢？", "执行局有10个[1]。", standalone="执行局有多少个经常预算员额？"),
    ]
    context = followup_context(history)
    assert context is not None and context.previous_question == "执行局有多少个经常预算员额？"


def test_context_of_an_unresolved_follow_up_borrows_the_turn_before() -> None:
    history = [
        Turn("What did Nigeria say about Lake Chad?", "It has shrunk [1]."),
        Turn("Why?", "Because of climate change [1]."),
    ]
    context = followup_context(history)
    assert context is not None and "Lake Chad" in context.key_terms


def test_no_history_no_context() -> None:
    assert followup_context([]) is None


@pytest.mark.parametrize(
    ("question", "lang"),
    [("What does that mean?", "en"), ("Is that true?", "en"), ("这是什么意思？", "zh")],
)
def test_that_on_its_own_points_at_what_was_said_not_at_a_name(question: str, lang: str) -> None:
    context = _context("反恐办公室有多少个员额？", "反恐办公室有12个员额[1]。")
    assert not resolve(question, context, lang).resolved
