"""Words that point back ("it", "that meeting", 它, 那次会议), and whether the question itself
says what they point at.

A reference makes a question depend on the conversation only when its antecedent is not in the
question: "How many troops did Pakistan deploy in its campaign?" names whose campaign, "美国说它
今后最多承担…" names what 它 is, but "How many members does it have?" and "它和恐怖主义斗争了多少
年？" do not. The rules, per kind of reference (each tested in ``tests/text/test_followup.py``):

- **Pronouns** (it, they, them, he, she; 它, 他们, 其中 …), and demonstratives without a noun
  ("that", "those", 这), are resolved by a name or noun in an *earlier clause* of the question
  (after a comma, "and", "that", a question mark …; in Chinese a name anywhere before them).
  Not by the subject of their own clause: in "What did Nigeria say about it?" Nigeria cannot
  be what "it" is, so "it" points back.
- **Possessives** (its, their, his, her; 其, 及其) are resolved by a name anywhere in the
  question ("What share of its income does the United Kingdom spend…"), since a possessive may
  refer to its own clause's subject.
- **Demonstratives with a noun** (that meeting, this report, those countries; 那次会议, 这份报告,
  该委员会) point back unless the question names the same noun before them ("反恐委员会主席说
  该委员会…") or identifies it by a figure or a name right next to it ("that meeting on
  19 April 2018", "2010年和2017年那两封…信"). The question's own subject does not resolve them:
  in "What did the Committee decide at that meeting?" which meeting is still unsaid.
- **Always pointing back**: "the same", "the previous one", "the former", "上述", "前者",
  "刚才" …, and "there" / 这里 / 那里 without a place before them.
- **Not references at all**: "that" as a conjunction or relative ("say that", "the report that
  …"), "it" as a dummy subject ("how long did it take X to …"), "this year" / "this session"
  (the present, not the conversation), "those who …", "is there …", 其他, 因此, 此外.

English words are read with their neighbours, Chinese words as jieba cuts and tags them.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.text.cjk import HAN
from assistant.text.question import key_terms
from assistant.text.terms import TIME_FIGURE_KINDS, Term, text_terms
from assistant.text.tokenize import tagged_words
from assistant.text.words import stem

RefRole = Literal["pronoun", "possessive", "demonstrative", "place", "time", "other"]


@dataclass(frozen=True)
class Reference:
    """One word or phrase that points at something, as written in the question."""

    surface: str  # "that meeting", "那次会议", "it"
    start: int
    end: int
    role: RefRole
    noun: str = ""  # what a demonstrative names ("meeting", "会议"); "" for a bare pronoun
    plural: bool = False
    resolved_by: str = ""  # the words of the question that say what it is, when they do

    @property
    def resolved(self) -> bool:
        return bool(self.resolved_by)


# --- English -----------------------------------------------------------------------------

_EN_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[,./-]\d+)*|[,;:?!()\"“”]")
_EN_PRONOUNS = {"it": False, "they": True, "them": True, "he": False, "she": False, "him": False}
_EN_POSSESSIVES = {"its": False, "their": True, "his": False, "her": False}
_EN_PERSONAL = frozenset({"he", "him", "his", "she", "her"})
_EN_PREPOSITIONS_TEXT = """
    about on in of for to with from under by at during against between among into onto over
    through within without across behind beyond near toward towards upon via
"""
_EN_PREPOSITIONS = frozenset(_EN_PREPOSITIONS_TEXT.split())
_EN_BOUNDARY_WORDS_TEXT = """
    and or but because while whereas although though if whether after before since until
    which who whom whose so
"""
_EN_BOUNDARY_WORDS = frozenset(_EN_BOUNDARY_WORDS_TEXT.split())
_EN_PUNCT = frozenset(',;:?!()"“”')
# Before "that" when it points ("at that meeting", "what did that say", "after that").
_EN_BEFORE_POINTING_TEXT = """
    about at in on of for from with by to during after before under since than like through
    into is was are were did does do has have had will would can could should and or what which
    why how when where who
"""
_EN_BEFORE_POINTING = frozenset(_EN_BEFORE_POINTING_TEXT.split())
# After "that" when it joins a clause ("say that the …", "that it …", "that Nigeria …").
_EN_CLAUSE_STARTERS_TEXT = """
    the a an it they he she we you there its their his her this these those some all no
    any each every
"""
_EN_CLAUSE_STARTERS = frozenset(_EN_CLAUSE_STARTERS_TEXT.split())
# Words after a demonstrative that are not the noun it names ("is that true", "does this mean").
_EN_NOT_NOUNS_TEXT = """
    be been being say says said mean means meant happen happened true so right correct
    much many enough important possible one ones
"""
_EN_NOT_NOUNS = _EN_CLAUSE_STARTERS | _EN_BEFORE_POINTING | frozenset(_EN_NOT_NOUNS_TEXT.split())
_EN_AUXILIARIES_TEXT = "do does did will would can could should is was are were has have had"
_EN_AUXILIARIES = frozenset(_EN_AUXILIARIES_TEXT.split())
_EN_DEICTIC_TIME = frozenset({"year", "month", "week", "session", "decade", "time", "morning"})
_EN_GENERIC_AFTER = frozenset({"who", "whom", "whose", "which", "that", "of"})
_EN_EXISTENTIAL = frozenset({"is", "are", "was", "were", "be", "been", "'s", "has", "have"})
_EN_NUMBER_WORDS_TEXT = "two three four five six seven eight nine ten first second third last"
_EN_NUMBER_WORDS = frozenset(_EN_NUMBER_WORDS_TEXT.split())
# Words after a demonstrative's noun that lead to what identifies it ("that meeting on …").
_EN_IDENTIFIERS_TEXT = "of on in from dated held adopted issued signed by ( ,"
_EN_IDENTIFIERS = frozenset(_EN_IDENTIFIERS_TEXT.split())
# "it" as a dummy subject: "it is said that …", "how long did it take CTED to …".
_EN_DUMMY_IT = re.compile(
    r"it\s+(?:(?:is|was|will\s+be|would\s+be|has\s+been)\s+\w+|takes?|took)\b.*\b(?:to|that)\b"
    r"|it\s+(?:\w+\s+)?(?:true|possible|necessary|likely|important|take)\b.*\b(?:to|that|for)\b",
    re.I,
)
_EN_ALWAYS = re.compile(
    r"\bthe\s+(?:same(?!\s+(?:for|about|with|in|question|thing)\b)|former|latter|above"
    r"|aforementioned|above-mentioned)"
    r"(?:\s+(?P<noun1>[a-z]+))?"
    r"|\bthe\s+(?:previous|last|earlier)\s+(?P<noun2>one|ones|question|answer|report|meeting|"
    r"resolution|letter|document|year|statement|country|countries)\b"
    r"|\b(?:as|mentioned)\s+above\b|\baforementioned\b",
    re.I,
)
_EN_FRAME = frozenset({"happen", "mean", "exactly", "else", "more", "detail", "specific"})

# --- Chinese -----------------------------------------------------------------------------

_HAN_RE = re.compile(f"[{HAN}]")
_ZH_PRONOUNS = {"它": False, "它们": True, "他们": True, "她们": True, "他": False, "她": False}
_ZH_AMONG = {"其中": True, "其余": True}
_ZH_POSSESSIVES = ("其", "及其")
_ZH_TIMES = frozenset({"当时", "那时", "届时", "那时候", "彼时"})
_ZH_TIME_AFTER_NA = frozenset({"时", "时候", "年", "一年", "天", "一天", "日"})
_ZH_PLACES = frozenset({"这里", "那里", "这儿", "那儿", "此地", "该地", "当地"})
_ZH_ALWAYS = frozenset(
    {"上述", "前述", "上面", "前面", "以上", "前者", "后者", "上一个", "前一个", "刚才", "同一"}
)
_ZH_MANNER = frozenset({"这样", "那样", "这么", "如此", "这么样"})
_ZH_NOT_DEMONSTRATIVE = frozenset({"那么", "此外", "这时", "那样", "这样", "这么"})
_ZH_DEMONSTRATIVE_START = "这那该此"
_ZH_JOINERS = re.compile(r"^[的和与及、\s]*$")
_ZH_NUMBER_TAGS = frozenset({"m", "mq", "q"})


def find_references(question: str) -> tuple[Reference, ...]:
    """Every reference in ``question``, each with ``resolved_by`` set when the question itself
    says what it points at (see the module docstring)."""
    return _find(question)


def unresolved(references: tuple[Reference, ...]) -> tuple[Reference, ...]:
    return tuple(r for r in references if not r.resolved)


@lru_cache(maxsize=512)
def _find(question: str) -> tuple[Reference, ...]:
    terms = text_terms(question)
    found = _english(question, terms)
    if _HAN_RE.search(question):
        found += _chinese(question, terms)
    return tuple(sorted(found, key=lambda r: r.start))


# --- English rules -----------------------------------------------------------------------


def _english(text: str, terms: tuple[Term, ...]) -> list[Reference]:
    tokens = [(m.group(), m.group().lower(), m.start(), m.end()) for m in _EN_TOKEN.finditer(text)]
    words = [lower for _raw, lower, _s, _e in tokens]
    boundaries = _boundaries(tokens)
    found: list[Reference] = []
    taken: set[int] = set()
    for match in _EN_ALWAYS.finditer(text):
        noun = (match.group("noun1") or match.group("noun2") or "").lower()
        if noun in _EN_NOT_NOUNS:
            noun = ""
        found.append(Reference(match.group(), match.start(), match.end(), "other", noun))
        taken.update(range(match.start(), match.end()))
    for index, (raw, word, start, end) in enumerate(tokens):
        if start in taken:
            continue
        before = words[index - 1] if index else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        reference: Reference | None = None
        if word in _EN_PRONOUNS:
            if word == "it" and _EN_DUMMY_IT.match(text, start):
                continue
            reference = Reference(raw, start, end, "pronoun", plural=_EN_PRONOUNS[word])
        elif word in _EN_POSSESSIVES:
            reference = Reference(raw, start, end, "possessive", plural=_EN_POSSESSIVES[word])
        elif (word == "this" and after not in _EN_DEICTIC_TIME) or (
            word == "that" and _that_points(tokens, index)
        ):
            reference = _demonstrative(text, tokens, index, plural=False)
        elif word in ("these", "those") and after not in _EN_GENERIC_AFTER:
            reference = _demonstrative(text, tokens, index, plural=True)
        elif word == "there" and before not in _EN_EXISTENTIAL and after not in _EN_EXISTENTIAL:
            reference = Reference(raw, start, end, "place")
        if reference is not None:
            found.append(_resolve_english(text, reference, terms, boundaries))
    return found


def _boundaries(tokens: list[tuple[str, str, int, int]]) -> list[int]:
    """Offsets where a clause ends: punctuation, conjunctions, and "that" joining a clause."""
    points = []
    for index, (raw, word, start, _end) in enumerate(tokens):
        if index == 0:
            continue
        joins = word in ("when", "where") or (word == "that" and not _that_points(tokens, index))
        if raw in _EN_PUNCT or word in _EN_BOUNDARY_WORDS or joins:
            points.append(start)
    return points


def _that_points(tokens: list[tuple[str, str, int, int]], index: int) -> bool:
    """ "that" points at something ("at that meeting", "what does that mean", "after that")
    rather than joining a clause ("said that the …", "the report that …")."""
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if after is None or after[0] in _EN_PUNCT:
        return True
    before = tokens[index - 1][1] if index else ""
    if before and before not in _EN_BEFORE_POINTING:
        return False
    return after[1] not in _EN_CLAUSE_STARTERS and not after[0][:1].isupper()


def _demonstrative(
    text: str, tokens: list[tuple[str, str, int, int]], index: int, *, plural: bool
) -> Reference:
    """A demonstrative and the noun it names, skipping numbers ("those two letters")."""
    raw, _word, start, end = tokens[index]
    probe = index + 1
    while probe < len(tokens) and (
        tokens[probe][1] in _EN_NUMBER_WORDS or tokens[probe][0][:1].isdigit()
    ):
        probe += 1
    if probe < len(tokens):
        noun_raw, noun, _s, noun_end = tokens[probe]
        if (
            noun_raw not in _EN_PUNCT
            and noun not in _EN_NOT_NOUNS
            and noun.isalpha()
            and not _verb_after_auxiliary(tokens, index, probe)
        ):
            return Reference(text[start:noun_end], start, noun_end, "demonstrative", noun, plural)
    return Reference(raw, start, end, "demonstrative", plural=plural)  # "that" on its own


def _verb_after_auxiliary(tokens: list[tuple[str, str, int, int]], index: int, probe: int) -> bool:
    """ "how does that compare with …", "why did that change?": after an auxiliary, a word
    followed by a preposition or the end is the verb of a pronoun "that", not its noun ("what
    did that resolution say" has its verb after the noun)."""
    before = tokens[index - 1][1] if index else ""
    following = tokens[probe + 1] if probe + 1 < len(tokens) else None
    return before in _EN_AUXILIARIES and (
        following is None or following[0] in _EN_PUNCT or following[1] in _EN_BEFORE_POINTING
    )


def _resolve_english(
    text: str, reference: Reference, terms: tuple[Term, ...], boundaries: list[int]
) -> Reference:
    clause_start = max((b for b in boundaries if b < reference.start), default=0)
    earlier = text[:clause_start]
    # A date or a year owns nothing and does nothing: "its June 2010 workshop" is someone's.
    owners = [t for t in terms if t.is_name and t.kind not in TIME_FIGURE_KINDS]
    names_before = [t for t in owners if t.end <= clause_start]
    content_before = key_terms(earlier) - _EN_FRAME
    # "he", "his", "her" stand for a person or a body named as such, never a common noun
    # ("the election that brought him back": "him" is not the election).
    personal = reference.surface.lower() in _EN_PERSONAL
    by = ""
    bare = reference.role == "demonstrative" and not reference.noun
    if reference.role in ("pronoun", "place") or bare:
        if names_before:
            by = names_before[-1].text
        elif content_before and reference.role not in ("place",) and not personal:
            by = _last_word(earlier, content_before)
    elif reference.role == "possessive":
        before = [t for t in owners if t.end <= reference.start]
        after = [t for t in owners if t.start >= reference.end and _is_subject(text, t)]
        if before or after:
            by = (before or after)[0].text
        elif not personal:
            by = _last_word(earlier, content_before)
    elif reference.role == "demonstrative":
        by = _repeated_noun(text[: reference.start], reference.noun) or _identified_after(
            text, reference, terms
        )
    return _with(reference, by)


def _is_subject(text: str, term: Term) -> bool:
    """Whether a name after a possessive can be what it points forward to: the clause's subject
    ("What share of its income does the United Kingdom spend?"), not the object of a
    preposition ("its operation in Sinai", "its project with the Centre")."""
    words = re.findall(r"[A-Za-z]+", text[: term.start])
    while words and words[-1].lower() in ("the", "a", "an"):
        words.pop()
    return not words or words[-1].lower() not in _EN_PREPOSITIONS


def _last_word(text: str, stems: Set[str]) -> str:
    """The last word of ``text`` among ``stems``: the nearest candidate antecedent."""
    for word in reversed(re.findall(r"[A-Za-z]+", text)):
        if stem(word.lower()) in stems:
            return word
    return ""


def _repeated_noun(before: str, noun: str) -> str:
    """The same noun earlier in the question: "the Committee … that committee"."""
    if not noun:
        return ""
    wanted = stem(noun.lower())
    for word in re.findall(r"[A-Za-z]+", before):
        if stem(word.lower()) == wanted:
            return word
    return ""


def _identified_after(text: str, reference: Reference, terms: tuple[Term, ...]) -> str:
    """A figure or name right after the noun that says which one: "that meeting on 19 April"."""
    rest = text[reference.end :]
    lead = re.match(r"\s*(\(|,|[A-Za-z]+)", rest)
    if lead is None or lead.group(1).lower() not in _EN_IDENTIFIERS:
        return ""
    window_end = reference.end + lead.end() + 40
    for term in terms:
        if reference.end < term.start <= window_end and term.is_name:
            between = text[reference.end + lead.end() : term.start]
            if not re.search(r"[?;:!]|\b(?:and|or|but)\b", between) and len(between) < 30:
                return term.text
    return ""


def _with(reference: Reference, resolved_by: str) -> Reference:
    return Reference(
        reference.surface,
        reference.start,
        reference.end,
        reference.role,
        reference.noun,
        reference.plural,
        resolved_by,
    )


# --- Chinese rules -----------------------------------------------------------------------


def _chinese(text: str, terms: tuple[Term, ...]) -> list[Reference]:
    words: list[tuple[str, str, int]] = []
    offset = 0
    for word, tag in tagged_words(text):
        words.append((word, tag, offset))
        offset += len(word)
    found: list[Reference] = []
    skip_until = 0
    for index, (word, _tag, start) in enumerate(words):
        if start < skip_until or not _HAN_RE.search(word):
            continue
        end = start + len(word)
        following = words[index + 1][0] if index + 1 < len(words) else ""
        reference: Reference | None = None
        if word in _ZH_PRONOUNS:
            reference = Reference(word, start, end, "pronoun", plural=_ZH_PRONOUNS[word])
        elif word in _ZH_AMONG:
            reference = Reference(word, start, end, "pronoun", plural=True)
        elif word in _ZH_POSSESSIVES:
            at = start + len(word) - 1
            reference = Reference("其", at, end, "possessive")
        elif word in _ZH_TIMES:
            reference = Reference(word, start, end, "time")
        elif word == "那" and following in _ZH_TIME_AFTER_NA:
            end += len(following)
            reference = Reference(text[start:end], start, end, "time")
        elif word in _ZH_PLACES:
            reference = Reference(word, start, end, "place")
        elif word in _ZH_ALWAYS:
            reference = _chinese_demonstrative(text, words, index, terms, role="other")
        elif word in _ZH_MANNER:
            reference = Reference(word, start, end, "other")
        elif _is_demonstrative(words, index):
            reference = _chinese_demonstrative(text, words, index, terms, role="demonstrative")
        if reference is not None:
            skip_until = reference.end
            found.append(_resolve_chinese(text, reference, terms))
    return found


def _is_demonstrative(words: list[tuple[str, str, int]], index: int) -> bool:
    word, tag, _start = words[index]
    if word[0] not in _ZH_DEMONSTRATIVE_START or word in _ZH_NOT_DEMONSTRATIVE or len(word) > 3:
        return False
    if tag not in ("r", "mq", "m", "q", "rz", "b"):
        return False  # 此外, 该国 as one word …: jieba tags the words it knows
    following = words[index + 1][1] if index + 1 < len(words) else "x"
    # "那执行局呢？": a leading 那 before a noun is "then", not "that" (see followup.py)
    return not (index == 0 and word == "那" and following not in _ZH_NUMBER_TAGS)


def _chinese_demonstrative(
    text: str,
    words: list[tuple[str, str, int]],
    index: int,
    terms: tuple[Term, ...],
    *,
    role: RefRole,
) -> Reference:
    """A demonstrative with the noun after it, numbers and classifiers skipped (那两封…信)."""
    word, _tag, start = words[index]
    end = start + len(word)
    probe = index + 1
    while probe < len(words) and words[probe][1] in _ZH_NUMBER_TAGS:
        probe += 1
    noun_start = words[probe][2] if probe < len(words) else len(text)
    for term in terms:
        if term.start == noun_start and term.kind in ("entity", "noun"):
            plural = word in ("这些", "那些")
            return Reference(text[start : term.end], start, term.end, role, term.text, plural)
    return Reference(word, start, end, role, plural=word in ("这些", "那些"))


def _resolve_chinese(text: str, reference: Reference, terms: tuple[Term, ...]) -> Reference:
    before = [t for t in terms if t.end <= reference.start]
    by = ""
    bare = reference.role == "demonstrative" and not reference.noun
    if reference.role in ("pronoun", "possessive", "place") or bare:
        names = [t for t in before if t.kind == "entity"]
        if not names and reference.surface in _ZH_AMONG:
            names = [t for t in before if t.kind == "noun"]
        by = names[-1].text if names else ""
    elif reference.role == "time":
        times = [t for t in before if t.kind == "time" or t.kind in TIME_FIGURE_KINDS]
        by = times[-1].text if times else ""
    elif reference.role == "demonstrative":
        if reference.noun and reference.noun in text[: reference.start]:
            by = reference.noun
        else:
            by = _figure_in_front(text, reference, before)
    return _with(reference, by)


def _figure_in_front(text: str, reference: Reference, before: list[Term]) -> str:
    """A figure that names the thing right in front of the demonstrative: "2010年和2017年那两封
    信", "2018年的那份报告"."""
    for term in reversed(before):
        if term.figure is None:
            continue
        if _ZH_JOINERS.match(text[term.end : reference.start]):
            return term.text
        return ""
    return ""
