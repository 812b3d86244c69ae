"""Does a message depend on the conversation? Decided by rules, in both languages, at no cost.

Sending every message of a conversation to the model for rewriting cost 15-20 s a question on
two CPU cores, and when the rewrite was rejected the previous question was glued onto every new
one, so an unrelated question ("What is CTED?" after one about the 330th meeting) was searched
as part of the last topic. Most messages say plainly whether they need the conversation; this
module reads that off the wording, and only a message that depends on it is combined with the
previous turn (``assistant.answer.conversation``).

A message **depends** on the conversation when it has any of these cues:

1. **A reference without an antecedent in the message** (``assistant.text.references``): "it",
   "they", "that meeting", "this report", "the previous one"; 它, 他们, 其中, 那次会议, 这份报告,
   该委员会, 上述. A reference the message resolves itself ("How many troops did Pakistan deploy
   in its campaign?", "美国说它…", "反恐委员会主席说该委员会…") is no cue.
2. **A continuation**: "And …", "But …", "Also …", "What about …", "How about …", "Same for
   …", "What else …", "Which other …", "Tell me more"; a leading 那 / 那么 / 还有 / 以及 / 所以,
   a closing 呢 in a message with no question word of its own ("明年呢？", "那执行局呢？"; but
   "执行局有多少员额呢？" asks for itself), 详细说说 / 再介绍一下.
3. **Ellipsis**, a message with no subject of its own:
   - nothing but question words, and perhaps a relative time: "When?", "Why?", "How many?",
     "What happened?", "How much this year?", "哪一年？", "为什么？", "多少？", "什么意思？",
     "现在有多少？" (a date or a year is a subject: "What happened on 11 September 2001?");
   - a fragment asked as a question, with no question word: "In 2017?", "Lake Chad?",
     "执行局？", "2017年？" (without a question mark it is a keyword search and stands alone:
     "CTED mandate");
   - a verb with neither subject nor object: "Who signed?", "是哪一年成立的？", "什么时候生效的？".

Everything else **stands alone**: it names its own body, document, country or figure ("What is
CTED?", "Which countries mention climate change?", "反恐执行局有多少个员额？"), even when short or
when it opens a new topic in the middle of a conversation. A question with a noun but no named
owner ("有多少个员额？", "What is terrorism?") stands alone too: it may be general, and treating it
as a follow-up would pull the last topic into an unrelated search, the very fault this replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.text.cjk import HAN
from assistant.text.question import key_terms
from assistant.text.references import Reference, find_references, unresolved
from assistant.text.script import is_chinese_text
from assistant.text.terms import text_terms
from assistant.text.tokenize import tagged_words
from assistant.text.words import STOPWORDS

FollowupKind = Literal["standalone", "reference", "continuation", "ellipsis"]


@dataclass(frozen=True)
class FollowupDecision:
    """Whether a message depends on the conversation, what in it says so, and why."""

    depends: bool
    cues: tuple[str, ...]  # the words that make it depend, as written ("it", "那次会议", "呢")
    reason: str
    kind: FollowupKind = "standalone"  # the strongest cue: reference > continuation > ellipsis
    references: tuple[Reference, ...] = ()  # the references it leaves unresolved


# --- continuation cues -------------------------------------------------------------------

_EN_CONTINUATIONS = (
    re.compile(r"^\W*(and|but|also|plus|so|then)\b", re.I),
    re.compile(r"\b(?:what|how)\s+about\b", re.I),
    re.compile(
        r"^\W*(?:and\s+)?(?:the\s+)?same\s+(?:question\s+|thing\s+)?(?:for|about|with|in)\b", re.I
    ),
    re.compile(r"\b(?:what|anything|who|where|which)\s+else\b", re.I),
    re.compile(r"\b(?:which|what|any)\s+other\b", re.I),
    re.compile(
        r"\b(?:tell\s+me\s+more|more\s+details?|go\s+on|elaborate|in\s+more\s+detail)\b", re.I
    ),
)
_EN_OPENER = re.compile(r"^\W*(?:(?:and|but|also|plus|so|then|okay|ok|well)\b[\s,]*)+", re.I)
_EN_FRAGMENT_LEAD = re.compile(
    r"^(?:(?:what|how)\s+about|(?:the\s+)?same\s+(?:question\s+|thing\s+)?(?:for|about|with|in)"
    r"|as\s+for)\b\s*",
    re.I,
)
_ZH_OPENERS = ("那么", "那", "所以", "还有", "以及", "那还有")
_ZH_TAIL = re.compile(r"(?:的)?呢?\s*[？?。.!！]*\s*$")
_ZH_NE = re.compile(r"呢\s*[？?。.!！]*\s*$")
_ZH_MORE = re.compile(
    r"(?:再|继续|详细|具体|展开|进一步)地?(?:说说|说|讲讲|讲|介绍一下|介绍|解释一下|解释|谈谈|谈)"
)
_ZH_QUESTION_WORDS = re.compile(
    r"什么|哪|谁|多少|几|如何|怎么|怎样|为什么|为何|是否|吗|何时|何处|何地|有没有|是不是|能否"
    r"|多大|多久|多长|多高|多远"
)

# --- ellipsis ----------------------------------------------------------------------------

_EN_WH_OR_AUX_TEXT = """
    what which who whom whose when where why how is are was were do does did has have had
    can could will would should may might must shall
"""
_EN_WH_OR_AUX = frozenset(_EN_WH_OR_AUX_TEXT.split())
_EN_IMPERATIVES_TEXT = "tell list name give describe explain summarise summarize compare show find"
_EN_IMPERATIVES = frozenset(_EN_IMPERATIVES_TEXT.split())
_EN_QUESTION_FRAME = frozenset(
    {"happen", "mean", "exactly", "else", "more", "detail", "specific", "really", "further"}
)
_EN_PARTICIPLES_TEXT = (
    "held said made taken given done begun began won paid sent met spent left led set"
)
_EN_PARTICIPLES = frozenset(_EN_PARTICIPLES_TEXT.split())
_ZH_FRAME_NOUNS = frozenset({"意思", "原因", "结果", "情况", "时候", "时间", "回事", "怎么回事"})
# Verbs that jieba tags as nouns: a question made of them still has no subject.
_ZH_EVENT_WORDS_TEXT = """
    生效 部署 成立 设立 通过 签署 启动 举行 发生 开始 结束 提交 发布 召开 审议 批准 实施 执行 变化
"""
_ZH_EVENT_WORDS = frozenset(_ZH_EVENT_WORDS_TEXT.split())
_HAN_RE = re.compile(f"[{HAN}]")
_ZH_FRAGMENT_MAX_HAN = 12
_EN_FRAGMENT_MAX_WORDS = 5


def detect_followup(question: str) -> FollowupDecision:
    """Whether ``question`` depends on the conversation (see the module docstring)."""
    text = question.strip()
    if not text:
        return FollowupDecision(False, (), "empty message")
    chinese = is_chinese_text(text)
    pointing = unresolved(find_references(text))
    continuing = continuation_cues(text)
    elliptical = _ellipsis(text, chinese)
    cues = tuple(dict.fromkeys([*(r.surface for r in pointing), *continuing]))
    cues = cues or tuple(elliptical[:1])
    if pointing:
        names = ", ".join(f"'{r.surface}'" for r in pointing)
        return FollowupDecision(
            True, cues, f"{names} refers to something the message does not name", "reference",
            pointing,
        )  # fmt: skip
    if continuing:
        reason = f"'{continuing[0]}' continues the previous question"
        return FollowupDecision(True, cues, reason, "continuation")
    if elliptical:
        return FollowupDecision(True, cues, f"no subject of its own: {elliptical[1]}", "ellipsis")
    return FollowupDecision(False, (), _standalone_reason(text))


def continuation_cues(question: str) -> tuple[str, ...]:
    """The words of ``question`` that continue the previous one ("And", "what about", "呢")."""
    text = question.strip()
    cues: list[str] = []
    for pattern in _EN_CONTINUATIONS:
        match = pattern.search(text)
        if match:
            cues.append((match.group(1) if match.groups() else match.group()).strip())
    if _HAN_RE.search(text):
        opener = _zh_opener(text)
        if opener:
            cues.append(opener)
        if _ZH_NE.search(text) and not _ZH_QUESTION_WORDS.search(_ZH_NE.sub("", text)):
            cues.append("呢")
        more = _ZH_MORE.search(text)
        if more:
            cues.append(more.group())
    return tuple(dict.fromkeys(cues))


def fragment_of(question: str) -> str:
    """What is left of a continuation without its continuation words: "And Chad?" → "Chad",
    "What about in 2017?" → "in 2017", "那执行局呢？" → "执行局", "明年呢？" → "明年"."""
    text = question.strip()
    if _HAN_RE.search(text):
        opener = _zh_opener(text)
        rest = text[len(opener) :] if opener else text
        return _ZH_TAIL.sub("", rest.lstrip("，, ")).strip()
    rest = _EN_OPENER.sub("", text)
    rest = _EN_FRAGMENT_LEAD.sub("", rest)
    return rest.strip().rstrip("?？.!").strip()


def without_opener(question: str) -> str:
    """``question`` without a leading "And" / "So" / "Also" / 那 / 那么 / 所以, which only link it
    to the last question ("And what did Chad say about Lake Chad?" → "What did Chad say about
    Lake Chad?"); 还有 and 以及 stay, since they add "other" / "also" to the meaning."""
    text = question.strip()
    if _HAN_RE.search(text[:4]):
        opener = _zh_opener(text)
        if opener in ("那", "那么", "所以"):
            return text[len(opener) :].lstrip("，, ")
        return text
    rest = _EN_OPENER.sub("", text)
    return rest[:1].upper() + rest[1:] if rest != text else text


def _zh_opener(text: str) -> str:
    """A leading 那 / 那么 / 还有 … that links the message to the last one; 那 before a number
    or classifier is a demonstrative instead ("那次会议", "那两封信")."""
    stripped = text.lstrip()
    words = tagged_words(stripped[:8])
    if not words:
        return ""
    first = words[0][0]
    if first not in _ZH_OPENERS:
        return ""
    if first == "那":
        following = words[1][1] if len(words) > 1 else "x"
        if following in ("m", "q", "mq") or any(r.start == 0 for r in find_references(stripped)):
            return ""
    return first


def _ellipsis(text: str, chinese: bool) -> tuple[str, str] | tuple[()]:
    """(the cue, why) when the message has no subject of its own, else ()."""
    return _zh_ellipsis(text) if chinese else _en_ellipsis(text)


def _en_ellipsis(text: str) -> tuple[str, str] | tuple[()]:
    words = re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+", text)
    if not words:
        return ()
    terms = text_terms(text)
    names = [t for t in terms if t.kind != "time"]
    untimed = "".join(
        " " if any(t.start <= i < t.end for t in terms) else c for i, c in enumerate(text)
    )
    if not names and not (key_terms(untimed) - _EN_QUESTION_FRAME):
        return (text.rstrip("?？. "), "nothing but question words")
    first = words[0].lower()
    if (
        text.rstrip().endswith(("?", "？"))
        and first not in _EN_WH_OR_AUX
        and first not in _EN_IMPERATIVES
        and len(words) <= _EN_FRAGMENT_MAX_WORDS
    ):
        return (text.rstrip("?？. "), "a fragment, not a question of its own")
    rest = [w.lower() for w in words if w.lower() not in STOPWORDS]
    if not names and len(rest) == 1 and (rest[0].endswith("ed") or rest[0] in _EN_PARTICIPLES):
        return (rest[0], "a verb with no subject or object")
    return ()


def _zh_ellipsis(text: str) -> tuple[str, str] | tuple[()]:
    subjects = [
        t
        for t in text_terms(text)
        if t.kind not in ("noun", "time")
        or (t.kind == "noun" and t.text not in _ZH_FRAME_NOUNS and t.text not in _ZH_EVENT_WORDS)
    ]
    if not subjects:
        return (text.rstrip("？?。 "), "only question words and verbs")
    asks = _ZH_QUESTION_WORDS.search(text) or _ZH_NE.search(text)
    han = len(_HAN_RE.findall(text))
    if not asks and text.rstrip().endswith(("？", "?")) and han <= _ZH_FRAGMENT_MAX_HAN:
        return (text.rstrip("？?。 "), "a fragment, not a question of its own")
    return ()


def _standalone_reason(text: str) -> str:
    named = [t.text for t in text_terms(text) if t.kind != "time"][:3]
    resolved = [r for r in find_references(text) if r.resolved]
    if resolved:
        pairs = ", ".join(f"'{r.surface}' is {r.resolved_by}" for r in resolved)
        return f"stands alone: its references are named in it ({pairs})"
    if named:
        return "stands alone: names its own subject (" + ", ".join(named) + ")"
    return "stands alone: asks about its own words, with no reference or continuation"
