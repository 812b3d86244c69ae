"""The named things of a text, in either language: bodies, places, people, figures, times.

A follow-up refers back to one of these ("that meeting" → "第330次会议", "it" → "Lake Chad")
or swaps one for another ("And Chad?" swaps the country, "明年呢？" swaps the year), so they are
found here as whole units with their place in the text, each with a kind that says what it may
stand for or be swapped with:

- a figure kind from ``assistant.text.figures`` ("meeting", "date", "year", "resolution",
  "symbol" …), read the same way in both languages;
- ``"entity"``: a name. In English a run of capitalised words ("Lake Chad", "Office of
  Counter-Terrorism", "CTED"); in Chinese a word jieba tags as a place, person, organisation or
  other proper noun (乍得, 联合国), or a compound ending in a body's name (反恐办公室, 执行局);
- ``"time"``: a relative time ("this year", "明年"), swapped by another time or a year;
- ``"noun"`` (Chinese only): another noun compound (联合报告, 军费): something a demonstrative
  can point at ("这份报告" → "联合报告"). English common nouns are not chunked: without a
  tagger the words around them cannot be told apart from verbs.

Plain counts ("36", "两个") are no terms: they are what answers say, not what questions are
about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.text.cjk import HAN
from assistant.text.figures import Figure, extract_figures
from assistant.text.tokenize import tagged_words
from assistant.text.words import STOPWORDS

# Figures a question can be about; plain numbers and fractions are values, not topics.
TERM_FIGURE_KINDS = frozenset(
    {
        "date",
        "month_year",
        "day_month",
        "year",
        "meeting",
        "resolution",
        "symbol",
        "paragraph",
        "amount",
        "percent",
    }
)
TIME_FIGURE_KINDS = frozenset({"date", "month_year", "day_month", "year"})

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
_EN_CONNECTORS = frozenset({"of", "the", "for", "on", "to", "de", "du", "la"})
# Capitalised at the start of a question without being a name ("What", "According"); the
# stopwords that are also words of names ("United Nations", "Report of …") stay names.
_EN_NOT_NAMES_TEXT = """
    according compare summarise summarize show find provide identify state outline among
    regarding concerning following since under i
    """
_EN_NOT_NAMES = (
    STOPWORDS - {"un", "united", "nations", "report", "document", "documents"}
) | frozenset(_EN_NOT_NAMES_TEXT.split())
_EN_TIME = re.compile(
    r"\b(?:(?:this|next|last|the following|the previous|the coming|the past)\s+"
    r"(?:year|month|week|session|decade)|today|tomorrow|yesterday)\b",
    re.I,
)
_ZH_TIME = re.compile(
    r"(?:今|明|去|前|后)年|本年度|(?:上|下)一?个?年度?|(?:今|明|昨)天|本月|(?:上|下)个?月"
    r"|本周|(?:上|下)周|目前|现在|当前"
)

# jieba tags of words that head a Chinese noun compound, and of proper nouns among them.
_ZH_NOUN_TAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "vn", "ng", "an", "b"})
_ZH_NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "j"})
# Words that modify a noun in front of it ("反恐" 办公室, "联合" 报告) though jieba tags them
# as verbs; a verb directly after a noun is the predicate instead ("美国 说 …").
_ZH_MODIFIER_TAGS = frozenset({"v", "zg", "a", "b"})
# Endings of the names of bodies, offices and posts: 反恐办公室 and 执行局 are names.
_ZH_BODY_ENDINGS = (
    "委员会", "办公室", "执行局", "理事会", "大会", "秘书处", "秘书长", "组织", "中心", "工作组",
    "工作队", "论坛", "机构", "实体", "联盟", "集团", "部队", "政府", "总统", "主席", "法院",
    "银行", "基金", "计划署", "署", "局", "处", "部", "院", "国",
)  # fmt: skip
# Question words, references and frame words that are never part of a term.
_ZH_NOT_TERMS_TEXT = """
    时候 时间 什么 哪些 哪个 多少 谁 问题 方面 情况 内容 意思 上述 前述 前者 后者 其他 其中
    它 它们 他们 她们 其 该 此 这 那 这些 那些 本 各 每 现任 有关 相关 主要
    """
_ZH_NOT_TERMS = frozenset(_ZH_NOT_TERMS_TEXT.split())
_ZH_QUESTION_CHARS = re.compile("[哪谁何几]|什么|多少")
_HAN_RE = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class Term:
    """A named thing in a text: its words as written, its kind and where it stands."""

    text: str
    kind: str  # "entity", "time", "noun" or a figure kind ("meeting", "date", …)
    start: int
    end: int
    figure: Figure | None = None

    @property
    def is_name(self) -> bool:
        """A name or a figure: something specific enough to be an antecedent."""
        return self.kind not in ("noun", "time")


def text_terms(text: str) -> tuple[Term, ...]:
    """Every term of ``text`` (figures, times, names, Chinese noun compounds), in order, none
    overlapping: figures first, so "第330次会议" is one meeting and not also a noun."""
    return _terms(text)


@lru_cache(maxsize=512)
def _terms(text: str) -> tuple[Term, ...]:
    found: list[Term] = []
    taken = [False] * len(text)

    def add(term: Term) -> None:
        if term.start >= term.end or any(taken[term.start : term.end]):
            return
        for i in range(term.start, term.end):
            taken[i] = True
        found.append(term)

    for figure in extract_figures(text):
        if figure.kind in TERM_FIGURE_KINDS:
            add(Term(figure.surface, figure.kind, figure.start, figure.end, figure))
    for pattern in (_EN_TIME, _ZH_TIME):
        for match in pattern.finditer(text):
            add(Term(match.group(), "time", match.start(), match.end()))
    masked = list(text)
    for term in found:  # figures are no part of a name ("21 August the International Day")
        masked[term.start : term.end] = " " * (term.end - term.start)
    for term in _english_names("".join(masked)):
        add(term)
    if _HAN_RE.search(text):
        for term in _chinese_terms(text):
            add(term)
    return tuple(sorted(found, key=lambda t: t.start))


def _english_names(text: str) -> list[Term]:
    """Runs of capitalised words, joined by "of", "the", "for" … when a capital follows."""
    words = list(_EN_WORD.finditer(text))
    names: list[Term] = []
    index = 0
    while index < len(words):
        if not _capitalised(words[index].group()):
            index += 1
            continue
        first = last = index
        probe = index + 1
        while (
            probe < len(words)
            and _joined(text, words[probe - 1], words[probe])
            and not _POSSESSIVE.search(words[probe - 1].group())  # "India's Minister": two
        ):
            word = words[probe].group()
            if _capitalised(word):
                last = probe
            elif word.lower() not in _EN_CONNECTORS:
                break
            probe += 1
        start, end = words[first].start(), words[last].end()
        surface = _POSSESSIVE.sub("", text[start:end])
        names.append(Term(surface, "entity", start, start + len(surface)))
        index = last + 1
    return names


def _capitalised(word: str) -> bool:
    bare = _POSSESSIVE.sub("", word)
    return bare[:1].isupper() and bare.lower() not in _EN_NOT_NAMES


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Whether two words stand next to each other, with one space or a hyphen between them."""
    return text[left.end() : right.start()] in (" ", "-")


def _chinese_terms(text: str) -> list[Term]:
    """Noun compounds of the Chinese parts of ``text``: names (entity) and other nouns."""
    terms: list[Term] = []
    chunk: list[tuple[str, str, int]] = []
    previous_tag = ""
    offset = 0

    def close() -> None:
        while chunk and chunk[-1][1] not in _ZH_NOUN_TAGS:
            chunk.pop()  # a compound ends in its noun
        if len(chunk) == 1 and chunk[0][1] == "vn":
            chunk.clear()  # a verb used as a noun on its own (生活, 运作) is no topic
        if chunk:
            start = chunk[0][2]
            end = chunk[-1][2] + len(chunk[-1][0])
            surface = text[start:end]
            if len(surface) >= 2 and surface not in _ZH_NOT_TERMS:
                terms.append(Term(surface, _chinese_kind(surface, chunk), start, end))
        chunk.clear()

    for word, tag in tagged_words(text):
        usable = (
            _HAN_RE.search(word) is not None
            and word not in _ZH_NOT_TERMS
            and not _ZH_QUESTION_CHARS.search(word)
        )
        if usable and tag in _ZH_NOUN_TAGS:
            chunk.append((word, tag, offset))
        elif usable and tag == "zg" and chunk:
            chunk.append((word, tag, offset))  # 联合国 反 恐怖主义中心: a bound prefix, no verb
        elif (
            usable
            and tag in _ZH_MODIFIER_TAGS
            and len(word) >= 2 - (tag == "zg")
            and previous_tag not in _ZH_NOUN_TAGS
        ):
            chunk.append((word, tag, offset))
        else:
            close()
        previous_tag = tag if usable else ""
        offset += len(word)
    close()
    return terms


def _chinese_kind(surface: str, chunk: list[tuple[str, str, int]]) -> str:
    if any(tag in _ZH_NAME_TAGS for _word, tag, _start in chunk):
        return "entity"
    body = any(surface.endswith(ending) for ending in _ZH_BODY_ENDINGS)
    return "entity" if body and len(surface) >= 3 else "noun"
