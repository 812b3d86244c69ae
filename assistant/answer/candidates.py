"""The candidate sentences the model chooses from: the retrieved passages cut into sentences,
ranked by a cheap scorer, the best few kept.

The selection prompt must stay short (its prompt processing is the time to the first answer on
a CPU), so only a handful of sentences go to the model, each cut to a window around the
question's words when it is long. The scorer is what the typed-facts step used for one part,
applied to the whole question: the weighted share of the question's key terms a sentence holds
(in its own language, or through their glossary / term-bridge / dictionary translations), its
embedding cosine with the question, the share of the question's typed parts (a date, a count)
it holds a figure for, and its passage's rank, weighed as ``assistant calibrate`` fitted them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    term_weights,
    translated_coverage,
    weighted_coverage,
)
from assistant.schema import Passage
from assistant.text.cjk import has_han
from assistant.text.figures import extract_figures
from assistant.text.question import QuestionAnalysis
from assistant.text.sentences import passage_sentences
from assistant.text.words import content_tokens, content_words

Translate = Callable[[str], Sequence[str]]

_PER_PASSAGE = 3  # at most this many candidates from one passage: the choice needs variety
_ZH_WINDOW = 110  # characters of a long Chinese sentence shown to the model
_EN_WINDOW = 300  # ... of an English one
_HEADING_MAX_CHARS = 80
_SENTENCE_END = re.compile(r"[。！？.!?;；:：…）)”’\"'»]\s*$")


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, as shown to the model and as it stands."""

    sentence: str  # verbatim
    shown: str  # what the selection prompt shows: the sentence, or a window of a long one
    passage: Passage
    rank: int  # the passage's rank among the retrieved ones (0 = best)
    match: float  # weighted share of the question's key terms
    cosine: float
    score: float
    typed: float = 0.0  # share of the question's typed parts it holds a figure for


RANK_FEATURES = ("match", "cosine", "typed", "passage_rank")


@dataclass(frozen=True)
class RankWeights:
    """How the cheap scorer weighs a sentence's signals (``RANK_FEATURES``): fitted on the
    development set's tune half by ``assistant calibrate`` (which sentences hold the gold
    evidence), or these even defaults before that."""

    match: float = 1.0
    cosine: float = 1.0
    typed: float = 0.2
    passage_rank: float = 0.0

    def score(self, match: float, cosine: float, typed: float, rank: int) -> float:
        return (
            self.match * match
            + self.cosine * cosine
            + self.typed * typed
            + self.passage_rank / (1.0 + rank)
        )


def candidate_sentences(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    translate: Translate,
    vectors: SentenceVectors | None,
    limit: int,
    weights: RankWeights | None = None,
) -> list[Candidate]:
    """The ``limit`` best sentences of ``passages`` for the question, best first."""
    weights = weights or RankWeights()
    sentences = [
        (sentence, rank, passage)
        for rank, passage in enumerate(passages)
        for sentence in passage_sentences(passage.text)
        if not is_heading(sentence)
    ]
    if not sentences:
        return []
    key_terms = analysis.key_terms
    weight = term_weights([p.text for p in passages])
    surface = content_words(analysis.question)
    alternatives = {
        term: content_tokens(" ".join(translate(surface.get(term, term)))) - {term}
        for term in key_terms
    }
    texts = [s for s, _r, _p in sentences]
    cosines = (
        vectors.similarities([analysis.question], texts)[0].tolist()
        if vectors is not None
        else [0.0] * len(texts)
    )
    typed_parts = [set(part.figure_kinds) for part in analysis.parts if part.figure_kinds]
    terms = set(key_terms).union(*alternatives.values())
    scored = []
    for (sentence, rank, passage), cosine in zip(sentences, cosines, strict=True):
        words = cached_content_tokens(sentence)
        match = max(
            weighted_coverage(key_terms, words, weight),
            translated_coverage(alternatives, words, weight),
        )
        typed = _typed_share(sentence, typed_parts)
        score = weights.score(match, float(cosine), typed, rank)
        shown = _window(sentence, terms)
        scored.append(Candidate(sentence, shown, passage, rank, match, float(cosine), score, typed))
    scored.sort(key=lambda c: (-c.score, c.rank))
    return _diverse(scored, limit)


def is_heading(sentence: str) -> bool:
    """Whether a line of a passage is a heading ("B. 利用执行局的分析", "秘书长的报告",
    "III. Terrorist threat"): short and not ended as a sentence. A heading names a topic and
    answers nothing, yet it shares the question's words and sits first in its passage, so a
    position-biased model would choose it."""
    text = sentence.strip()
    return len(text) < _HEADING_MAX_CHARS and not _SENTENCE_END.search(text)


def _typed_share(sentence: str, typed_parts: list[set[str]]) -> float:
    """Share of the typed parts (each a set of figure kinds) the sentence holds a figure for."""
    if not typed_parts:
        return 0.0
    held = {figure.kind for figure in extract_figures(sentence)}
    return sum(1 for kinds in typed_parts if kinds & held) / len(typed_parts)


def _diverse(scored: list[Candidate], limit: int) -> list[Candidate]:
    """The best ``limit`` candidates with at most ``_PER_PASSAGE`` from one passage and no
    sentence twice (overlapping chunks repeat sentences)."""
    chosen: list[Candidate] = []
    per_passage: dict[str, int] = {}
    seen: set[str] = set()
    for candidate in scored:
        chunk = candidate.passage.chunk_id
        if candidate.sentence in seen or per_passage.get(chunk, 0) >= _PER_PASSAGE:
            continue
        seen.add(candidate.sentence)
        per_passage[chunk] = per_passage.get(chunk, 0) + 1
        chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen


def _window(sentence: str, terms: set[str]) -> str:
    """A long sentence cut to the stretch that holds most of the question's words."""
    size = _ZH_WINDOW if has_han(sentence) else _EN_WINDOW
    if len(sentence) <= size:
        return sentence
    lowered = sentence.lower()
    hits = sorted(
        position
        for term in terms
        if len(term) > 1
        for position in _positions(lowered, term.lower())
    )
    centre = hits[len(hits) // 2] if hits else 0
    start = max(0, min(centre - size // 2, len(sentence) - size))
    end = start + size
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def _positions(text: str, term: str) -> list[int]:
    positions, start = [], text.find(term)
    while start != -1:
        positions.append(start)
        start = text.find(term, start + 1)
    return positions
