"""What a question asks: its parts, the type of answer each part wants, and its key terms.

"At which meeting, and on what date, did the Committee consider the report?" is two questions
(a meeting and a date); "联合国反恐怖主义中心正在执行多少个项目？2018年在多少个会员国开展了能力建设
活动？" is two counts. A small model answers the first part and forgets the second, and takes a
figure from a sentence that answers another question (a deadline as the meeting date). Knowing
the parts and their answer types lets the pipeline extract the asked figures from the evidence
(``facts.py``), list the parts in the prompt, and check each part on its own.

The rules are plain patterns over the question's wording in each language (interrogatives and
what they modify), so that a reader can see why a question got its type; they are tested on a
table of question phrasings (``tests/text/test_question.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from assistant.text.script import is_chinese_text
from assistant.text.words import content_tokens

AnswerType = Literal[
    "date",
    "month_year",
    "year",
    "meeting",
    "amount",
    "percent",
    "number",
    "resolution",
    "paragraph",
    "person_or_body",
    "place",
    "list",
    "yes_no",
    "description",
]

# The figure kinds (assistant.text.figures) that answer each typed part, best first.
FIGURE_KINDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day_month", "month_year"),
    "month_year": ("month_year", "date"),
    "year": ("year", "date", "month_year"),
    "meeting": ("meeting",),
    "amount": ("amount",),
    "percent": ("percent", "fraction"),
    "number": ("number", "amount", "percent"),
    "resolution": ("resolution", "symbol"),
    "paragraph": ("paragraph",),
}


@dataclass(frozen=True)
class QuestionPart:
    """One thing the question asks: the words that ask it, what kind of answer, about what."""

    text: str
    answer_type: AnswerType
    key_terms: frozenset[str] = field(default_factory=frozenset)
    terms_text: str = ""  # the wording the key terms come from (the clause and its subject)
    several: bool = False  # asks for more than one value: a period, "each", 分别

    @property
    def figure_kinds(self) -> tuple[str, ...]:
        return FIGURE_KINDS.get(self.answer_type, ())

    @property
    def typed(self) -> bool:
        """Whether the answer is a figure the pipeline can extract from evidence."""
        return bool(self.figure_kinds)


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    parts: tuple[QuestionPart, ...]

    @property
    def key_terms(self) -> frozenset[str]:
        return frozenset().union(*(p.key_terms for p in self.parts))


# --- answer-type cues: (pattern, type), first match wins within one clause ------------------

_EN_CUES: list[tuple[str, AnswerType]] = [
    (r"\b(?:which|what) (?:\w+ ){0,2}meeting\b|\bmeeting number\b", "meeting"),
    (r"\b(?:which|what) (?:\w+ ){0,3}paragraph\b", "paragraph"),
    (r"\b(?:which|what) (?:[\w-]+ ){0,4}resolutions?\b|\bresolution number\b", "resolution"),
    (r"\b(?:what|which) (?:\w+ )?(?:date|day)\b|\bby when\b", "date"),
    (r"\b(?:in )?(?:what|which) month\b", "month_year"),
    (r"\b(?:in )?(?:what|which) year\b|\bsince when\b|\bhow long ago\b", "year"),
    (
        r"\bwhat (?:share|percentage|proportion|fraction|per ?cent)\b|\bhow much of\b"
        r"|\bwhat (?:\w+ )?(?:share|percentage|proportion)\b|\bhow large a (?:share|proportion)",
        "percent",
    ),
    (r"\bhow often\b|\bhow frequently\b", "description"),
    (r"\b(?:what|which) (?:time )?period\b|\bfrom when to when\b", "date"),
    (
        r"\bhow much (?:money|funding)\b"
        r"|\bhow much (?:\w+ ){0,6}(?:contribut|donat|pledg|fund|cost|spend|spent|budget|pay"
        r"|paid|allocat|invest|insurance|financ|grant|provid)"
        r"|\bwhat (?:\w+ ){0,3}(?:budget|amount|sum|cost)\b|\bhow many (?:dollars|euros|rupees)",
        "amount",
    ),
    (r"\bhow (?:many|much|often|long|large|big|far|old)\b|\bwhat number\b", "number"),
    (r"\bwhen\b", "date"),
    (
        r"\bwho(?:m|se)?\b|\bwhich (?:country|body|organi[sz]ation|agency|office|entity|person|"
        r"official|state|member state|minister|committee|team|bodies|entities)\b",
        "person_or_body",
    ),
    (r"\bwhere\b|\bin which (?:city|country|region|place)\b", "place"),
    (
        r"\bwhat are\b|\bwhich (?:\w+ ){0,3}(?:\w+s)\b(?! (?:is|was|did|does)\b)"
        r"|\blist\b|\bname the\b"
        r"|\bwhat (?:\w+ ){0,2}(?:steps|principles|areas|functions|tools|measures|countries|"
        r"bodies|elements|priorities|initiatives|components|groups|activities)\b",
        "list",
    ),
    (r"^(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b", "yes_no"),
]
_ZH_CUES: list[tuple[str, AnswerType]] = [
    (r"第几次会议|哪一?次会议|什么会议上|哪一?次.{0,4}会议", "meeting"),
    (r"哪段时间|哪个?时期|什么期间|哪个期间|多长的?期间", "date"),
    (r"第几段|哪一?段(?!时间)", "paragraph"),
    (r"哪一?项决议|哪项.{0,6}决议|什么决议|第几号决议|哪一?号决议|哪个决议", "resolution"),
    (r"哪一?天|哪一日|什么日子|几月几日|几号|什么日期|哪一?日", "date"),
    (r"哪一?个?月|几月份?", "month_year"),
    (r"哪一?年(?!来)|什么年份|何年", "year"),
    (
        r"百分之多少|多大比例|多少比例|比例是多少|百分比|多大的?比例|多少份额|几成|多大比重",
        "percent",
    ),
    (r"哪几|多久|多长时间一次|每隔多久", "list"),
    (
        r"多少钱|多少美元|多少资金|多少经费|捐了?多少|捐助了?多少|出资多少|预算.{0,6}多少|"
        r"金额|多少.{0,3}(?:美元|欧元|卢比)|花了多少|投入了?多少|支付了?多少",
        "amount",
    ),
    (r"多少|几个|几项|几名|几次|几年|几家|几国|多大|多远|多长", "number"),
    (r"什么时候|何时|哪个时候|何日", "date"),
    (
        r"谁|哪位|哪个国家|哪一?个?机构|哪个组织|哪个部门|哪一方|哪国|哪个办公室|哪个实体",
        "person_or_body",
    ),
    (r"哪里|何处|在哪|哪个城市|哪个地区", "place"),
    (r"哪些|哪几|列出|有哪|包括什么|包括哪", "list"),
    (r"是否|吗[？?]?$|有没有|能否|是不是", "yes_no"),
]
_EN_CUE_RES = [(re.compile(p, re.I), t) for p, t in _EN_CUES]
_ZH_CUE_RES = [(re.compile(p), t) for p, t in _ZH_CUES]

# Where one sentence asks two things.
_EN_WH = r"(?:what|which|when|where|who|whom|whose|how|why)\b"
_EN_SPLIT = re.compile(
    rf"(?:,\s*|\s+)(?:and|or)\s+(?=(?:(?:on|in|at|by|from|for|since|under|with|to|of)\s+)?{_EN_WH})",
    re.I,
)
# "At which meeting, and on what date, did the Committee ..." / "When, and by which resolution, was"
_EN_FRONTED = re.compile(
    rf"^(?P<first>[^,]*?{_EN_WH}[^,]*?),\s*and\s+(?P<second>[^,]+?),\s*(?P<rest>.+)$", re.I
)
_EN_WHEN_AND_WHERE = re.compile(r"^(?P<a>when|where|who)\s+and\s+(?P<b>when|where|how|why)\b", re.I)
_ZH_CLAUSE_SPLIT = re.compile(r"[？?；;]|，(?=以及|并且|还有|另外|同时|和哪|又)")
_SEVERAL = re.compile(
    r"分别|各自|各是|哪段时间|期间|从.{0,20}到|\brespectively\b|\beach\b|\bboth\b|\bperiod\b"
    r"|\bfrom when\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[?？])\s*")
_ZH_RESPECTIVELY = "分别"

# Words of the question frame that are no key terms: they say how it asks, not about what.
_FRAME_WORDS_TEXT = """
date day year month time period meeting meetings resolution paragraph number many much long often
share percentage proportion first say says said mention mentioned according
几 哪一天 哪天 第几次 几次 日期 时候 什么时候 何时 多少 多大 比例 百分之 分别 各 都 说 提到 称
根据 按照 哪项 哪些 哪几 哪个 哪一 年份 会议 决议 一天 哪一年 一年 多 大 占 它 其
"""
_FRAME_WORDS = frozenset(_FRAME_WORDS_TEXT.split())


def answer_type(clause: str) -> AnswerType:
    """The answer type of one clause: the first cue (most specific first) that matches."""
    chinese = is_chinese_text(clause)
    for pattern, kind in _ZH_CUE_RES if chinese else _EN_CUE_RES:
        if pattern.search(clause):
            return kind
    if chinese and _ZH_RESPECTIVELY in clause:
        return "list"
    return "description"


def key_terms(text: str) -> frozenset[str]:
    """The content words of a part without the words of the question frame."""
    return frozenset(t for t in content_tokens(text) if t not in _FRAME_WORDS)


def _english_clauses(sentence: str) -> list[tuple[str, str]]:
    """(clause that carries the type cue, clause whose words are the key terms)."""
    fronted = _EN_FRONTED.match(sentence)
    if fronted:
        rest = fronted["rest"]
        return [
            (fronted["first"], f"{fronted['first']} {rest}"),
            (fronted["second"], f"{fronted['second']} {rest}"),
        ]
    paired = _EN_WHEN_AND_WHERE.match(sentence)
    pieces = [p.strip() for p in _EN_SPLIT.split(sentence[paired.end() if paired else 0 :])]
    pieces = [p for p in pieces if p]
    if not pieces:
        return [(sentence, sentence)]
    # The later pieces borrow the first piece's subject for their key terms.
    head = pieces[0]
    first = [(paired["a"], head), (paired["b"], head)] if paired else [(head, head)]
    return first + [(p, f"{p} {head}") for p in pieces[1:]]


def _chinese_clauses(sentence: str) -> list[tuple[str, str]]:
    pieces = [p.strip("，, ") for p in _ZH_CLAUSE_SPLIT.split(sentence) if p.strip("，, ")]
    pieces = [p for p in pieces if p not in ("以及", "并且")]
    if not pieces:
        return [(sentence, sentence)]
    head = pieces[0]
    clauses = [(head, head)] + [(p, f"{p} {head}") for p in pieces[1:]]
    return [split for cue, terms in clauses for split in _split_by_cues(cue, terms)]


def _split_by_cues(clause: str, terms: str) -> list[tuple[str, str]]:
    """One Chinese clause that asks two typed things ("在哪一天、第几次会议上", "在哪一年之前推广到
    多少个省") becomes one part per cue, each keeping the whole clause's words as key terms."""
    found: list[tuple[int, int, str]] = []
    for pattern, kind in _ZH_CUE_RES:
        for match in pattern.finditer(clause):
            start, end = match.span()
            if not any(s < end and start < e for s, e, _ in found):
                found.append((start, end, kind))
    found.sort()
    typed = [(s, e, k) for s, e, k in found if k in FIGURE_KINDS]
    if len(typed) < 2 or (len({k for _s, _e, k in typed}) < 2 and "分别" not in clause):
        return [(clause, terms)]
    parts = []
    previous = 0
    for index, (_start, end, _kind) in enumerate(typed):
        stop = len(clause) if index == len(typed) - 1 else end
        parts.append((clause[previous:stop].strip("、，和及 "), terms))
        previous = end
    return parts


@lru_cache(maxsize=1024)
def analyse_question(question: str) -> QuestionAnalysis:
    """Split ``question`` into parts and give each its answer type and key terms.

    Remembered (the analysis is frozen): the retriever's answer-type prior and the answer's
    fact extraction both ask for the same question's parts.

    A clause with no question cue of its own ("Give both dates.") does not become a part of
    its own when another part already asks something: it refines the part before it.
    """
    text = question.strip()
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()] or [text]
    parts: list[QuestionPart] = []
    for sentence in sentences:
        chinese = is_chinese_text(sentence)
        clauses = _chinese_clauses(sentence) if chinese else _english_clauses(sentence)
        for cue_text, term_text in clauses:
            kind = answer_type(cue_text)
            if kind == "description" and parts and not _asks(cue_text):
                continue
            parts.append(
                QuestionPart(
                    cue_text.strip(" ,，"),
                    kind,
                    key_terms(term_text),
                    term_text,
                    bool(_SEVERAL.search(sentence)),
                )
            )
    if not parts:
        parts.append(QuestionPart(text, answer_type(text), key_terms(text), text))
    merged = _drop_duplicates(parts)
    return QuestionAnalysis(text, tuple(merged))


def _asks(clause: str) -> bool:
    """Whether a clause is itself a question (an interrogative or a question mark)."""
    return bool(
        re.search(rf"\b{_EN_WH}|[?？]|什么|哪|谁|多少|几|如何|怎么|为什么|是否|吗", clause, re.I)
    )


def _drop_duplicates(parts: list[QuestionPart]) -> list[QuestionPart]:
    """Two parts with the same type and the same key terms are one part."""
    seen: set[tuple[str, frozenset[str]]] = set()
    kept = []
    for part in parts:
        key = (part.answer_type, part.key_terms)
        if key not in seen:
            seen.add(key)
            kept.append(part)
    return kept
