"""A follow-up read as a standalone question, by rules, from the previous question and answer.

Two ways to resolve one, tried in order; when neither applies safely the follow-up is shown and
searched with the previous question beside it (``method="fallback"``), never rewritten by guess.

1. **References replaced by their antecedent.** Each reference the follow-up leaves open
   (``assistant.text.references``) gets the term of the previous turn that fits it:
   - a demonstrative with a noun takes a figure of the kind the noun names (那次会议 →
     第330次会议, "that meeting" → "the 330th meeting", 该决议 → 第71/291号决议, "that year"
     → 2018), else a term ending in the same noun (这份报告 → 联合报告, 该委员会 → 反恐委员会,
     "this report" → "the joint report …");
   - a pronoun or possessive takes a name or a document: first one that followed the same
     preposition in the previous question ("about it" ↔ "about Lake Chad"), else the previous
     question's first (its subject: 它 → 巴基斯坦); a plural English pronoun only a plural name
     ("they" → "Member States");
   - 当时 / 那时 take a date, "there" / 那里 a name;
   - a name the follow-up itself mentions is never its antecedent ("And what did Chad say about
     it?": "it" is Lake Chad, not Chad).
   Figures are written in the question's language (``figures.render``); a Chinese name is not
   put into an English question. 其中, "the same", 这样, plural pronouns without a plural
   name, and "that" / 这 without a noun (they point at what was said: "What does that mean?",
   "这是什么意思？") are left alone: the fallback is safer than a guess.
2. **A fragment put into the previous question's frame.** "And Chad?", "那执行局呢？",
   "明年呢？", "What about 2017?" name one term; it replaces the previous question's first term
   of the same kind (a name for a name, a year or relative time for a time, a meeting for a
   meeting): "反恐办公室有多少个经常预算员额？" + "那执行局呢？" → "执行局有多少个经常预算员额？".

A result that still depends on the conversation (another open reference, a bare "When?") is no
resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from assistant.text.cjk import HAN
from assistant.text.figures import render
from assistant.text.followup import detect_followup, fragment_of, without_opener
from assistant.text.question import analyse_question
from assistant.text.references import Reference
from assistant.text.script import script_language
from assistant.text.terms import TIME_FIGURE_KINDS, Term, text_terms
from assistant.text.words import STOPWORDS, stem

Method = Literal["standalone", "reference", "frame", "fallback"]


@dataclass(frozen=True)
class Resolution:
    """A follow-up as understood, and how: what its references meant, what it replaced."""

    text: str
    method: Method
    antecedents: tuple[str, ...] = ()  # what each reference was read as, in order
    replaced: tuple[str, ...] = ()  # terms of the previous question the follow-up swapped out

    @property
    def resolved(self) -> bool:
        """Whether the text is a standalone question of its own (not the fallback)."""
        return self.method in ("reference", "frame")


@dataclass(frozen=True)
class _Candidate:
    term: Term
    source: str  # the text it was found in
    from_answer: bool


_HAN_RE = re.compile(f"[{HAN}]")
# Nouns of a demonstrative and the figure kinds they name ("that meeting" → a meeting).
_NOUN_FIGURES_EN = {
    stem(noun): kinds
    for noun, kinds in {
        "meeting": ("meeting",),
        "session": ("meeting",),
        "resolution": ("resolution",),
        "date": ("date",),
        "day": ("date", "day_month"),
        "year": ("year", "date", "month_year"),
        "month": ("month_year",),
        "paragraph": ("paragraph",),
        "report": ("symbol",),
        "letter": ("symbol",),
        "document": ("symbol",),
    }.items()
}
_NOUN_FIGURES_ZH = {
    "会议": ("meeting",),
    "决议": ("resolution",),
    "日期": ("date",),
    "天": ("date", "day_month"),
    "日": ("date", "day_month"),
    "年": ("year", "date", "month_year"),
    "月": ("month_year",),
    "段": ("paragraph",),
    "报告": ("symbol",),
    "信": ("symbol",),
    "文件": ("symbol",),
}
_THING_KINDS = frozenset({"entity", "resolution", "symbol"})  # what "it" / 它 can stand for
# The answer types of a question that asks for a thing ("which resolution", "who", "哪个国家"),
# and the kinds of term the answer names it with.
_ASKED_KINDS = {
    "resolution": ("resolution", "symbol"),
    "person_or_body": ("entity",),
    "place": ("entity",),
}
_MODIFIED_NOUN = re.compile(
    r"\s+(?:resolutions?|reports?|meetings?|sessions?|letters?|documents?|decisions?|"
    r"statements?|programmes?|mandates?|members?|chair|presidency)\b",
    re.I,
)
_PREPOSITIONS_TEXT = "about on in of for to with from under by at during against between"
_PREPOSITIONS = frozenset(_PREPOSITIONS_TEXT.split())
_EN_FRAGMENT_EXTRA_TEXT = "the a an in for on at of about from during to with by"
_EN_FRAGMENT_EXTRA = frozenset([*_EN_FRAGMENT_EXTRA_TEXT.split(), "'s", "’s"])
_ZH_FRAGMENT_EXTRA = re.compile(r"^[的在于和及、\s，,]*$|^(?:关于|对于)$")
_SWAP_GROUPS = {
    "entity": ("entity",),
    "time": ("time", "year", "month_year", "date"),
    "year": ("year", "time", "month_year", "date"),
    "month_year": ("month_year", "date", "year"),
    "date": ("date", "day_month", "month_year"),
    "day_month": ("day_month", "date"),
    "resolution": ("resolution", "symbol"),
    "symbol": ("symbol", "resolution"),
}


def resolve_followup(
    question: str, previous_question: str, previous_answer: str = "", lang: str | None = None
) -> Resolution:
    """``question`` as a standalone question, given the previous question (its standalone form,
    when it had one) and answer; ``lang`` is the question's language ("zh"/"en")."""
    text = question.strip()
    decision = detect_followup(text)
    if not decision.depends or not previous_question.strip():
        return Resolution(text, "standalone")
    lang = lang if lang in ("zh", "en") else script_language(text)
    candidates = _candidates(previous_question, previous_answer)
    if decision.references:
        replaced = _replace_references(
            text, decision.references, candidates, lang, previous_question
        )
        if replaced is not None:
            resolved, antecedents = replaced
            resolved = without_opener(resolved)
            after = detect_followup(resolved)
            # "What else did the Committee decide at the 330th meeting?" still continues the
            # last answer ("else"), but it is a question of its own; an open reference or a
            # bare "When?" is not
            if not after.references and after.kind != "ellipsis":
                return Resolution(resolved, "reference", antecedents)
        return _fallback(text, previous_question, lang)
    swapped = _swap_into_frame(text, previous_question, lang)
    if swapped is not None:
        return swapped
    return _fallback(text, previous_question, lang)


def _fallback(question: str, previous_question: str, lang: str) -> Resolution:
    previous = previous_question.strip()
    if lang == "zh":
        return Resolution(f"{question}（{previous}）", "fallback")
    return Resolution(f"{question} ({previous})", "fallback")


def _candidates(previous_question: str, previous_answer: str) -> list[_Candidate]:
    found = [_Candidate(t, previous_question, False) for t in text_terms(previous_question)]
    found += [_Candidate(t, previous_answer, True) for t in text_terms(previous_answer)]
    return found


# --- references ------------------------------------------------------------------------


def _replace_references(
    text: str,
    references: tuple[Reference, ...],
    candidates: list[_Candidate],
    lang: str,
    previous: str,
) -> tuple[str, tuple[str, ...]] | None:
    """``text`` with every reference replaced, or None when one of them has no safe antecedent."""
    mentioned = text.lower()
    usable = [c for c in candidates if c.term.text.lower() not in mentioned]
    pieces: list[str] = []
    antecedents: list[str] = []
    cursor = 0
    for reference in references:
        replacement = _replacement(text, reference, usable, lang, previous)
        if replacement is None:
            return None
        pieces.append(text[cursor : reference.start])
        pieces.append(replacement[0])
        antecedents.append(replacement[1])
        cursor = reference.end
    pieces.append(text[cursor:])
    return "".join(pieces), tuple(antecedents)


def _replacement(
    text: str, reference: Reference, candidates: list[_Candidate], lang: str, previous: str
) -> tuple[str, str] | None:
    """(what to write instead of the reference, the antecedent's own words)."""
    chosen = _antecedent(text, reference, candidates, lang, previous)
    if chosen is None:
        return None
    candidate, surface = chosen
    if reference.role == "possessive":
        if lang == "zh":
            return f"{surface}的", candidate.term.text
        ending = "'" if surface.endswith("s") and reference.plural else "'s"
        return f"{surface}{ending}", candidate.term.text
    if reference.role == "place" and lang == "en":
        return f"in {surface}", candidate.term.text
    return surface, candidate.term.text


def _antecedent(
    text: str, reference: Reference, candidates: list[_Candidate], lang: str, previous: str
) -> tuple[_Candidate, str] | None:
    if reference.role in ("demonstrative", "other"):
        return _named_by_noun(reference, candidates, lang) if reference.noun else None
    if reference.role == "time":
        year_only = "年" in reference.surface  # 那一年: the year of a date
        for candidate in candidates:
            if candidate.term.kind in TIME_FIGURE_KINDS | {"time"}:
                written = _written(candidate, lang, year_only=year_only)
                if written:
                    return candidate, written
        return None
    if reference.surface in ("其中", "其余"):
        return None  # "among them": which set is rarely a term; the fallback is safer
    things = [c for c in candidates if c.term.kind in _THING_KINDS and _written(c, lang)]
    if reference.role == "place":
        things = [c for c in things if c.term.kind == "entity"]
    if reference.plural and lang == "en":
        things = [c for c in things if _plural(c.term.text)]
    preposition = _word_before(text, reference.start)
    if preposition in _PREPOSITIONS:
        for candidate in things:
            if not candidate.from_answer and (
                _word_before(candidate.source, candidate.term.start) == preposition
            ):
                return candidate, _written(candidate, lang) or candidate.term.text
    for candidate in _by_salience(things, previous):
        return candidate, _written(candidate, lang) or candidate.term.text
    return None


def _by_salience(things: list[_Candidate], previous_question: str) -> list[_Candidate]:
    """Candidates for "it" / 它, most likely first.

    When the previous question asked *which* body, country or resolution, the one the answer
    named is what the follow-up talks about ("Under which resolution was CTED established?" …
    "When was it adopted?" → the resolution); otherwise the previous question's own first name
    (its subject: "When was the Compact launched?" … "How many members does it have?"). A
    name used as a modifier ("Security Council resolution") is no candidate of its own.
    """
    kinds = _ASKED_KINDS.get(analyse_question(previous_question).parts[0].answer_type, ())
    answered = [c for c in things if c.from_answer and c.term.kind in kinds]
    asked = [c for c in things if not c.from_answer and not _modifier(c)]
    rest = [c for c in things if c not in answered and c not in asked]
    return answered + asked + rest


def _modifier(candidate: _Candidate) -> bool:
    after = candidate.source[candidate.term.end :]
    return bool(_MODIFIED_NOUN.match(after)) and not _HAN_RE.search(candidate.term.text)


def _named_by_noun(
    reference: Reference, candidates: list[_Candidate], lang: str
) -> tuple[_Candidate, str] | None:
    """The term a demonstrative's noun names: a figure of its kind, else a term with that noun."""
    noun = reference.noun
    if _HAN_RE.search(noun):
        kinds = next((k for key, k in _NOUN_FIGURES_ZH.items() if noun.endswith(key)), ())
    else:
        kinds = _NOUN_FIGURES_EN.get(stem(noun.lower()), ())
    for kind in kinds:
        for candidate in candidates:
            if candidate.term.kind == kind:
                written = _written(candidate, lang, year_only=kinds[0] == "year")
                if written:
                    return candidate, written
    for candidate in candidates:
        if candidate.term.kind in ("entity", "noun") and _ends_with_noun(candidate.term, noun):
            written = _written(candidate, lang)
            if written:
                return candidate, written
    if not _HAN_RE.search(noun) and lang == "en":
        return _english_noun_phrase(noun, candidates)
    return None


def _ends_with_noun(term: Term, noun: str) -> bool:
    if _HAN_RE.search(noun):
        return term.text.endswith(noun) or (len(noun) >= 2 and noun in term.text)
    words = term.text.split()
    return bool(words) and stem(words[-1].lower()) == stem(noun.lower())


def _english_noun_phrase(noun: str, candidates: list[_Candidate]) -> tuple[_Candidate, str] | None:
    """A lowercase noun phrase of the previous turn ending in ``noun``, with up to two words
    before it and a name after "of": "this report" → "the joint report of the Office of
    Counter-Terrorism" (English common nouns are no terms, so they are looked up here)."""
    wanted = stem(noun.lower())
    for source in dict.fromkeys(c.source for c in candidates if c.source):
        words = list(re.finditer(r"[A-Za-z][A-Za-z-]*", source))
        for index, word in enumerate(words):
            if stem(word.group().lower()) != wanted:
                continue
            first = index
            while (
                first > 0
                and index - first < 2
                and source[words[first - 1].end() : words[first].start()] == " "
                and words[first - 1].group().lower() not in STOPWORDS
                and words[first - 1].group().islower()
            ):
                first -= 1
            start, end = words[first].start(), word.end()
            follower = re.match(r"\s+of\s+(?:the\s+)?", source[end:])
            if follower:
                name = next(
                    (
                        c.term
                        for c in candidates
                        if c.source == source and c.term.start == end + follower.end()
                    ),
                    None,
                )
                end = name.end if name is not None and name.kind == "entity" else end
            phrase = source[start:end]
            return _Candidate(Term(phrase, "noun", start, end), source, False), f"the {phrase}"
    return None


def _written(candidate: _Candidate, lang: str, *, year_only: bool = False) -> str:
    """The candidate as it goes into a question in ``lang``: figures rendered in that language
    (only the year of a date, for "that year"), English names with their article; "" when it
    cannot be written there (a Chinese name in an English question)."""
    term = candidate.term
    if term.figure is not None and term.figure.kind not in ("symbol",):
        figure = term.figure
        if year_only and figure.kind in ("date", "month_year"):
            figure = replace(figure, kind="year", value=figure.value[:4])
        written = render(figure, lang)
        return f"the {written}" if lang == "en" and term.kind == "meeting" else written
    if lang == "en" and _HAN_RE.search(term.text):
        return ""
    if lang == "en" and re.search(r"\bthe\s+$", candidate.source[: term.start], re.I):
        return f"the {term.text}"
    return term.text


def _plural(name: str) -> bool:
    last = name.split()[-1] if name.split() else ""
    return last.endswith("s") and not last.endswith("ss") and not last.isupper()


def _word_before(text: str, position: int) -> str:
    match = re.search(r"([A-Za-z]+)\s+$", text[:position])
    return match.group(1).lower() if match else ""


# --- fragments into the previous frame -----------------------------------------------------


def _swap_into_frame(text: str, previous_question: str, lang: str) -> Resolution | None:
    """The previous question with its term of the fragment's kind replaced by the fragment."""
    fragment = fragment_of(text)
    new = _single_term(fragment)
    if new is None:
        return None
    previous = previous_question.strip()
    previous_lang = script_language(previous)
    if new.figure is None and script_language(new.text) != previous_lang:
        return None  # a name in the other language: the frame would mix the two
    for kind in _SWAP_GROUPS.get(new.kind, (new.kind,)):
        for old in text_terms(previous):
            if old.kind != kind or old.text.lower() == new.text.lower():
                continue
            start = old.start
            written = new.text
            if new.figure is not None and (script_language(fragment) != previous_lang):
                written = render(new.figure, previous_lang)
            if previous_lang == "en":
                article = re.search(r"\bthe\s+$", previous[:start], re.I)
                if article and not re.search(r"\bthe\s+$", fragment[: new.start], re.I):
                    start = article.start()
                if re.search(r"\bthe\s+$", fragment[: new.start], re.I) and not article:
                    written = f"the {written}"
            end = _with_head(previous, old)
            swapped = previous[:start] + written + previous[end:]
            if detect_followup(swapped).depends and not detect_followup(previous).depends:
                return None  # (a reference the previous question had stays: "该公约")
            return Resolution(swapped, "frame", replaced=(old.text,))
    return None


def _with_head(previous: str, old: Term) -> int:
    """Where the swapped words end: a Chinese body followed by 的 and another body is replaced
    with it ("秘书处的工作组由谁主持？" + "那咨询委员会呢？" → "咨询委员会由谁主持？"), since the
    follow-up names the body the question is about; "美国的军费" keeps 军费."""
    if old.kind != "entity" or previous[old.end : old.end + 1] != "的":
        return old.end
    for term in text_terms(previous):
        if term.start == old.end + 1 and term.kind == "entity":
            return term.end
    return old.end


def _single_term(fragment: str) -> Term | None:
    """The one term a fragment consists of ("in 2017" → 2017), or None."""
    if not fragment:
        return None
    terms = [t for t in text_terms(fragment) if t.kind != "noun"]
    if len(terms) != 1:
        return None
    term = terms[0]
    rest = fragment[: term.start] + " " + fragment[term.end :]
    if _HAN_RE.search(fragment):
        return term if _ZH_FRAGMENT_EXTRA.match(rest.strip()) else None
    words = re.findall(r"[A-Za-z'’]+", rest)
    return term if all(w.lower() in _EN_FRAGMENT_EXTRA for w in words) else None
