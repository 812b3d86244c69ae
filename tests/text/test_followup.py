"""Does a message depend on the conversation? Tables of real phrasings in both languages.

Most questions come from the development set (evals/dev.jsonl): its follow-ups must depend on
the conversation, and every one of its first questions must stand alone, including those whose
pronouns have their antecedent in the question itself. The rule behind each edge case is in
the docstrings of ``assistant.text.followup`` and ``assistant.text.references``.
"""

from __future__ import annotations

import pytest

from assistant.text.followup import (
    continuation_cues,
    detect_followup,
    fragment_of,
    without_opener,
)
from assistant.text.references import find_references, unresolved

EN_DEPENDS = [
    # references without an antecedent in the message
    ("How many members does it have?", "it"),
    ("What did Nigeria say about it?", "it"),  # Nigeria is the subject, not what "it" is
    ("And what did Chad say about it?", "it"),
    ("What are its main functions?", "its"),
    # a date, the object of a preposition or a common noun is no owner of "its" / "him"
    ("Where was its 2010 workshop on border security held?", "its"),
    ("How many delegates attended its March 2019 meeting?", "its"),
    ("What is its military operation in the north called?", "its"),
    ("Which countries does its joint project with UNESCO cover?", "its"),
    ("Which party won the election that brought him to power?", "him"),
    ("When was it adopted?", "it"),
    ("Did they sign it?", "they"),
    ("What does this report say about Lake Chad?", "this report"),
    ("What did the Committee decide at that meeting?", "that meeting"),  # subject named, not it
    ("What did that resolution say?", "that resolution"),
    ("How many of those were women?", "those"),
    ("How many of them?", "them"),
    ("What happened there?", "there"),
    ("What does that mean?", "that"),
    ("How does that compare with 2017?", "that"),
    ("Is that true?", "that"),
    ("What was the previous one?", "the previous one"),
    # continuations
    ("And Chad?", "And"),
    ("What about 2017?", "What about"),
    ("And what about the Security Council?", "And"),
    ("How about CTED?", "How about"),
    ("Same for the Executive Directorate?", "Same for"),
    ("The same question for India.", "The same question for"),
    ("Tell me more.", "Tell me more"),
    ("What else did the Committee decide?", "What else"),
    ("Which other countries mentioned climate change?", "Which other"),
    ("And how many schools have closed because of the terrorist threat?", "And"),
    ("But who chairs the working group?", "But"),
    # ellipsis: no subject of its own
    ("When?", "When"),
    ("Why?", "Why"),
    ("How many?", "How many"),
    ("In which year?", "In which year"),
    ("What happened?", "What happened"),
    ("Who signed?", "signed"),
    ("In 2017?", "In 2017"),
    ("Lake Chad?", "Lake Chad"),
    ("How much this year?", "How much this year"),  # a relative time is no subject
]

EN_STANDS_ALONE = [
    "What is CTED?",
    "Which countries mention climate change?",
    "What did Nigeria say about Lake Chad?",
    "What is terrorism?",  # a noun and no owner: may be general, so it stands alone
    "CTED mandate",  # keywords without a question mark: a search of its own
    "List the five core functions of the Office of Counter-Terrorism.",
    "Who is the current Executive Director of CTED?",
    "What is the population of Kazakhstan?",
    "Which team won the 2018 FIFA World Cup?",
    "How do I reset my email password?",
    # references the message resolves itself
    "How many troops did Pakistan deploy in its counter-terrorism campaign?",
    "What share of its gross national income does the United Kingdom spend on official "
    "development assistance?",  # a possessive may point forward to its clause's subject
    "Who signed the letter? When was it sent?",
    "Which General Assembly resolution proclaimed 21 August the International Day of "
    "Remembrance of and Tribute to the Victims of Terrorism, and when was it adopted?",
    "What code of conduct on terrorism did Kazakhstan promote at the seventy-third session, "
    "and how many Member States had endorsed it?",
    "How many technical assistance referrals did CTED make after adopting its revised "
    "strategy in 2008, and how many of them led to assistance?",
    "What is India's national health protection scheme called, how many people will it "
    "cover and how much insurance does each family get?",
    "How many assessment visits did CTED carry out in the 2016-2017 reporting period on "
    "resolution 2322, and how does that compare with the number of countries it visited "
    "after its 2008 reorganization?",
    "How do India and Pakistan each explain why the planned meeting of their foreign "
    "ministers in New York did not take place?",
    "According to India, what happened on 2 January after its Minister for External Affairs "
    "went to Islamabad in December 2016?",
    "Did India say that it would host the conference?",
    "What did the Committee decide at that meeting on 19 April 2018?",  # identified there
    # words that look like references and are not
    "What is the resolution that established CTED?",  # relative "that"
    "Did the Committee say that the report was late?",  # "that" joins a clause
    "How much did the United States spend on its military this year?",  # the present
    "How many people were killed by those who attacked the school?",  # generic "those who"
    "Is there a deadline for the joint report?",  # existential "there"
    "How long did it take CTED to visit 36 countries?",  # dummy "it"
    "Why was the 2010 letter on CTED's activities reissued, and when?",
    "When will the eighth review of the Global Counter-Terrorism Strategy take place?",
    "What happened on 11 September 2001?",  # a date is a subject of its own
]

ZH_DEPENDS = [
    # references
    ("其中有多少例最终获得了援助？", "其中"),
    ("这份报告应该在什么时候之前完成？", "这份报告"),
    ("它和恐怖主义斗争了多少年？", "它"),
    ("那次会议上还讨论了什么？", "那次会议"),
    ("在那次会议上，委员会决定了什么？", "那次会议"),  # 委员会 does not say which meeting
    ("该委员会的主席是谁？", "该委员会"),
    ("安理会要求该委员会提交什么？", "该委员会"),  # 安理会 is named, but no 委员会 before it
    ("该决议是哪一年通过的？", "该决议"),
    ("此次会议讨论了什么？", "此次会议"),
    ("上述报告提到了哪些国家？", "上述报告"),
    ("其预算是多少？", "其"),
    ("他们是怎么说的？", "他们"),
    ("因此他们怎么说？", "他们"),
    ("那时候发生了什么？", "那时候"),
    ("当时谁是秘书长？", "当时"),
    ("这是什么意思？", "这"),
    ("乍得也这么说吗？", "这么"),
    ("那些国家呢？", "那些国家"),
    ("这些项目在哪里执行？", "这些项目"),
    ("那里有多少难民？", "那里"),
    # continuations
    ("那执行局呢？", "那"),
    ("明年呢？", "呢"),
    ("2017年呢？", "呢"),
    ("那么秘书长呢？", "那么"),
    ("还有哪些国家提到了气候变化？", "还有"),
    ("详细说说", "详细说说"),
    ("再介绍一下这个项目", "这个项目"),
    # ellipsis
    ("哪一年？", "哪一年"),
    ("多少？", "多少"),
    ("为什么？", "为什么"),
    ("什么时候？", "什么时候"),
    ("是哪一年成立的？", "是哪一年成立的"),
    ("什么时候生效的？", "什么时候生效的"),  # jieba tags 生效 a noun; it is no subject
    ("现在有多少？", "现在有多少"),  # a relative time is no subject
    ("执行局？", "执行局"),
    ("2017年？", "2017年"),
]

ZH_STANDS_ALONE = [
    "反恐执行局有多少个员额？",
    "反恐办公室有多少个经常预算员额？",
    "执行局有多少员额呢？",  # 呢 after a question of its own only softens it
    "反恐怖主义委员会执行局现任执行主任是谁？",
    "CTED的执行主任是谁？",
    "哪些国家提到了气候变化？",
    "有多少个员额？",  # a noun and no owner: may be general, so it stands alone
    "反恐执行局",  # keywords without a question mark
    "北京明天的天气怎么样？",
    "红烧肉怎么做才好吃？",
    "2017年全世界有多少人死于恐怖袭击？",
    "德国在第七十三届联大一般性辩论中是怎么谈反恐问题的？",
    "安理会第2396(2017)号决议的草案是哪个国家提交的？",
    "联合报告里说，反恐办公室的标准项目周期包括哪七个步骤？",
    "毒品和犯罪问题办公室的反恐在线学习平台有多少用户？来自多少个国家？",
    "2017年7月7日反恐委员会特别会议的主题是什么？",
    "在第2322号决议报告所述期间，执行局代表委员会对会员国进行了多少次评估访问？",
    "印度说本国妇女可以享受多少周带薪产假？",
    "秘书长的报告说计划在哪些国家举办区域会议？",
    "执行局和哪些科技公司一起启动了知识共享平台？平台是哪天启动的？",
    "反恐执行局发现，哪四个关键领域对一国的反恐能力影响最大？",
    "中国说自己建成了多少公里高铁？占全球的多大比例？",
    "尼日利亚和乍得分别说乍得湖周围生活着多少人？",
    "联合国反恐怖主义中心的项目靠什么资金运作？",
    # references the message resolves itself
    "巴基斯坦说它部署了多少兵力开展反恐行动？",
    "美国说它今后最多承担联合国维和预算的百分之多少？",
    "俄罗斯说它是在多少年前首先在联合国提出国际信息安全问题的？",
    "反恐办公室成立以来，它和执行局采取了哪些做法来加强工作关系？",
    "2010年和2017年那两封反恐委员会主席的信，分别是谁签署的？",  # years identify the letters
    "反恐委员会主席说该委员会在2018年审议了多少份报告？",  # 该委员会: named before it
    "反恐委员会及其执行局的2018年工作方案涵盖哪段时间？",
    "反恐执行局进行了187例转介，其中有多少例获得了援助？",
    # words that look like references and are not
    "其他国家提到了气候变化吗？",
    "此外，反恐办公室还有哪些职能？",
]


@pytest.mark.parametrize(("question", "cue"), EN_DEPENDS + ZH_DEPENDS)
def test_depends_on_the_conversation(question: str, cue: str) -> None:
    decision = detect_followup(question)
    assert decision.depends, decision.reason
    assert cue in decision.cues
    assert decision.reason


@pytest.mark.parametrize("question", EN_STANDS_ALONE + ZH_STANDS_ALONE)
def test_stands_alone(question: str) -> None:
    decision = detect_followup(question)
    assert not decision.depends, decision
    assert decision.cues == ()
    assert decision.reason.startswith("stands alone")


def test_the_tables_cover_thirty_phrasings_per_language() -> None:
    assert len(EN_DEPENDS) + len(EN_STANDS_ALONE) >= 60
    assert len(ZH_DEPENDS) + len(ZH_STANDS_ALONE) >= 60


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("And what did Chad say about it?", "reference"),  # a reference outranks "And"
        ("And Chad?", "continuation"),
        ("那执行局呢？", "continuation"),
        ("When?", "ellipsis"),
        ("为什么？", "ellipsis"),
        ("What is CTED?", "standalone"),
    ],
)
def test_kind_is_the_strongest_cue(question: str, kind: str) -> None:
    assert detect_followup(question).kind == kind


def test_the_unresolved_references_come_with_the_decision() -> None:
    decision = detect_followup("What did the Committee decide at that meeting?")
    assert [(r.surface, r.noun) for r in decision.references] == [("that meeting", "meeting")]


def test_empty_message_stands_alone() -> None:
    assert not detect_followup("   ").depends


def test_standalone_reason_names_the_antecedent_found_in_the_question() -> None:
    reason = detect_followup("巴基斯坦说它部署了多少兵力？").reason
    assert "它" in reason and "巴基斯坦" in reason


# --- references and their antecedents in the question ----------------------------------

RESOLVED_BY = [
    ("How many troops did Pakistan deploy in its campaign?", "its", "Pakistan"),
    ("What share of its income does the United Kingdom spend?", "its", "United Kingdom"),
    ("In its 2018 report, what did CTED recommend?", "its", "CTED"),
    (
        "How did the Prime Minister of Malaysia describe his first year?",
        "his",
        "Prime Minister of Malaysia",
    ),
    ("Did India say that it would host the conference?", "it", "India"),
    ("Who signed the letter? When was it sent?", "it", "letter"),
    (
        "What did the Committee decide at that meeting on 19 April 2018?",
        "that meeting",
        "19 April 2018",
    ),
    ("美国说它今后最多承担多少？", "它", "美国"),
    ("反恐委员会主席说该委员会审议了什么？", "该委员会", "委员会"),
    ("2010年和2017年那两封反恐委员会主席的信是谁签署的？", "那两封反恐委员会主席", "2017年"),
    ("反恐委员会及其执行局的工作方案涵盖哪段时间？", "其", "反恐委员会"),
    ("反恐执行局进行了187例转介，其中有多少例获得了援助？", "其中", "反恐执行局"),
]


@pytest.mark.parametrize(("question", "surface", "antecedent"), RESOLVED_BY)
def test_reference_resolved_inside_the_question(
    question: str, surface: str, antecedent: str
) -> None:
    references = {r.surface: r for r in find_references(question)}
    assert references[surface].resolved_by == antecedent
    assert unresolved(tuple(references.values())) == ()


@pytest.mark.parametrize(
    "question",
    [
        "What is the resolution that established CTED?",
        "Did the Committee say that the report was late?",
        "How much did the United States spend this year?",
        "How many people were killed by those who attacked?",
        "Is there a deadline?",
        "How long did it take CTED to visit 36 countries?",
        "其他国家提到了气候变化吗？",
        "因此委员会决定推迟审议。",
        "此外，反恐办公室还有哪些职能？",
    ],
)
def test_words_that_only_look_like_references(question: str) -> None:
    assert find_references(question) == ()


def test_demonstrative_reads_its_noun_past_numbers() -> None:
    (reference,) = find_references("Who signed those two letters?")
    assert (reference.surface, reference.noun, reference.plural) == (
        "those two letters",
        "letters",
        True,
    )


def test_chinese_demonstrative_spans_its_classifier_and_noun() -> None:
    (reference,) = find_references("这份报告应该在什么时候之前完成？")
    assert (reference.surface, reference.noun, reference.start) == ("这份报告", "报告", 0)


# --- pieces of a continuation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("And Chad?", "Chad"),
        ("What about in 2017?", "in 2017"),
        ("And what about the Security Council?", "the Security Council"),
        ("Same for the Executive Directorate?", "the Executive Directorate"),
        ("那执行局呢？", "执行局"),
        ("那么秘书长呢？", "秘书长"),
        ("明年呢？", "明年"),
        ("2017年的呢？", "2017年"),
    ],
)
def test_fragment_of_a_continuation(question: str, fragment: str) -> None:
    assert fragment_of(question) == fragment


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("And what did Chad say about Lake Chad?", "What did Chad say about Lake Chad?"),
        ("So, when was it adopted?", "When was it adopted?"),
        ("那么执行局有多少员额？", "执行局有多少员额？"),
        ("还有哪些国家提到了气候变化？", "还有哪些国家提到了气候变化？"),  # 还有 adds "other"
        ("What is CTED?", "What is CTED?"),
        ("那次会议讨论了什么？", "那次会议讨论了什么？"),  # 那次 is "that", not "then"
    ],
)
def test_without_opener(question: str, expected: str) -> None:
    assert without_opener(question) == expected


def test_continuation_cues_keep_their_order_and_words() -> None:
    assert continuation_cues("And what about Chad?") == ("And", "what about")
    assert continuation_cues("What is CTED?") == ()
