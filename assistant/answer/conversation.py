"""What a follow-up carries forward from the conversation: for its search, and for its display.

Only a message that depends on the conversation (``assistant.text.followup``) is combined with
it, and then with the previous turn only (its standalone form, when it had one, so a chain of
follow-ups keeps its subject), not with the whole history:

- ``followup_context`` collects the previous question, its answer and their **key terms**
  (``assistant.text.terms``: names, figures, symbols, dates, relative times; the question's
  first, then at most ``MAX_ANSWER_TERMS`` of the answer's), and the passages the answer cited.
- ``understood_as`` is the follow-up as a standalone question (``answer.resolution``): its
  references replaced ("那次会议" → "第330次会议"), or its fragment put into the previous
  question ("那执行局呢？" → "执行局有多少个经常预算员额？"), else the follow-up with the previous
  question beside it. Shown to the user ("Understood as: …"), so a wrong reading is visible.
- ``search_query`` is what retrieval searches: the understood question when it resolved (else
  the follow-up), with the previous turn's terms it does not already contain. A term the
  follow-up swapped out is not added back ("那执行局呢？" must not search for 反恐办公室 again),
  and the answer's terms only when the follow-up points at something ("that meeting"): after
  "明年呢？" the figure answered for this year would only mislead the search.

Everything here is rules over the text: no model call, so a follow-up costs milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.markers import strip_markers
from assistant.answer.resolution import Resolution, resolve_followup
from assistant.answer.types import Turn
from assistant.text.cjk import HAN
from assistant.text.followup import continuation_cues, detect_followup
from assistant.text.question import key_terms as question_key_terms
from assistant.text.script import script_language
from assistant.text.terms import text_terms
from assistant.text.words import content_words

MAX_ANSWER_TERMS = 6
MAX_EXTRA_TERMS = 10
_ANSWER_CHARS = 600  # the answer's opening: where it states what the follow-up may point at
_HAN_RE = re.compile(f"[{HAN}]")
# Continuations that set the follow-up against the last question ("And Chad?"), unlike those
# that add to it ("What else …", "还有哪些 …").
_CONTRAST_CUES = frozenset({"and", "but", "what about", "how about", "那", "那么"})


@dataclass(frozen=True)
class FollowupContext:
    """The previous turn, as much of it as a follow-up may need."""

    previous_question: str  # its standalone form when it had one
    key_terms: tuple[str, ...]  # names, figures, symbols, dates: the question's, then the answer's
    cited_chunk_ids: tuple[str, ...] = ()  # the passages the previous answer cited
    previous_answer: str = ""  # without citation markers


def followup_context(history: Sequence[Turn]) -> FollowupContext | None:
    """The carry-forward context of the last turn of ``history`` (None without history).

    When the last question was itself a follow-up that was never given a standalone form, the
    turn before it lends its key terms too, so "And in 2017?" after "What about Chad?" still
    knows the topic.
    """
    if not history:
        return None
    last = history[-1]
    previous_question = (last.standalone or last.question).strip()
    answer, _markers = strip_markers(last.answer)
    answer = " ".join(answer.split())
    terms = _key_terms(previous_question)
    if last.standalone is None and len(history) > 1 and detect_followup(last.question).depends:
        earlier = history[-2]
        terms += _key_terms(earlier.standalone or earlier.question)
    answer_terms = [t for t in _key_terms(answer[:_ANSWER_CHARS]) if not _among(t, terms)]
    terms += answer_terms[:MAX_ANSWER_TERMS]
    return FollowupContext(
        previous_question=previous_question,
        key_terms=tuple(_unique(terms)),
        cited_chunk_ids=tuple(last.cited_chunk_ids),
        previous_answer=answer,
    )


def resolve(question: str, context: FollowupContext, lang: str | None = None) -> Resolution:
    """How ``question`` is understood in ``context`` (``Resolution.resolved`` says whether it
    became a standalone question); a question that stands alone comes back unchanged."""
    return resolve_followup(question, context.previous_question, context.previous_answer, lang)


def understood_as(question: str, context: FollowupContext, lang: str) -> str:
    """The question as understood, for display; ``lang`` is the question's language ("zh" or
    "en"), which decides how substituted figures and the fallback's brackets are written."""
    return resolve(question, context, lang).text


def search_query(question: str, context: FollowupContext) -> str:
    """What retrieval should search for ``question`` in ``context`` (see the module docstring);
    a question that stands alone is searched as it is."""
    text = question.strip()
    decision = detect_followup(text)
    if not decision.depends:
        return text
    resolution = resolve(text, context, script_language(text))
    base = resolution.text if resolution.resolved else text
    extras: list[str] = []
    swapped = {t.lower() for t in resolution.replaced}
    for term in _unique(_carried_terms(text, context, resolution, decision.kind)):
        if term.lower() in swapped or _among(term, [base, *extras]):
            continue
        extras.append(term)
        if len(extras) == MAX_EXTRA_TERMS:
            break
    return " ".join([base, *extras])


def _carried_terms(
    question: str, context: FollowupContext, resolution: Resolution, kind: str
) -> list[str]:
    """The previous turn's terms worth searching with the follow-up, most useful first.

    The previous question's names, unless the follow-up sets a name of its own against them
    ("And what did Chad say about it?" is not about Nigeria any more; "当时谁是秘书长？" is still
    about 反恐办公室: without "And" / 那 a new name is no contrast); its other words of
    substance; and the answer's terms when the follow-up points into the answer ("that
    meeting" → the 330th meeting, whose date and body help to find it).
    """
    asked = [t for t in context.key_terms if t in context.previous_question]
    answered = [t for t in context.key_terms if t not in context.previous_question]
    own_names = [
        t.text
        for t in text_terms(question)
        if t.kind == "entity" and t.text not in resolution.antecedents
    ]
    contrast = any(cue.lower() in _CONTRAST_CUES for cue in continuation_cues(question))
    if resolution.resolved and own_names and contrast:
        entities = {t.text for t in text_terms(context.previous_question) if t.kind == "entity"}
        asked = [t for t in asked if t not in entities]
    points_into_answer = any(
        a not in context.previous_question and a in context.previous_answer
        for a in resolution.antecedents
    )
    use_answer = points_into_answer or (not resolution.resolved and kind == "reference")
    return asked + _topic_words(context.previous_question) + (answered if use_answer else [])


def _key_terms(text: str) -> list[str]:
    return [t.text for t in text_terms(text) if t.kind != "noun"]


def _topic_words(question: str) -> list[str]:
    """The previous question's other words of substance: Chinese noun compounds (联合报告,
    军费), English content words ("countries", "assessed"); they keep the search on topic."""
    if _HAN_RE.search(question):
        return [t.text for t in text_terms(question) if t.kind == "noun"]
    wanted = question_key_terms(question)
    named = " ".join(t.text.lower() for t in text_terms(question) if t.kind != "noun")
    return [
        word
        for stem_, word in content_words(question).items()
        if stem_ in wanted and word not in named
    ]


def _among(term: str, texts: Sequence[str]) -> bool:
    """Whether ``term`` is already in one of ``texts`` (case aside)."""
    lowered = term.lower()
    return any(lowered in text.lower() for text in texts)


def _unique(terms: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for term in terms:
        if term.lower() not in seen:
            seen.add(term.lower())
            kept.append(term)
    return kept
