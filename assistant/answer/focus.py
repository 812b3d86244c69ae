"""Cut long passages down to the sentences that bear on the question, before packing.

On a CPU the prompt length sets the time to the first token (roughly 40 prompt tokens a second
for the 1.5B model on two cores), and a small model answers better from a few relevant
sentences than from a page of them. So each passage longer than ``max_tokens`` keeps its
best-matching sentence and the neighbours that fit beside it, in document order; a passage that
already fits is shown whole. The freed budget lets more of the retrieved passages reach the
model, which matters because the passage holding the answer is often not the first one.

A sentence's score adds three explainable signals (see ``evidence``), each times its weight in
``FocusWeights`` (``answer.focus_*_weight``, 1:1:1 by default): the cosine of its multilingual
embedding with the question's, the weighted share of the question's words it contains, and the
share of the question's figures it contains.

- For a question in the other language the words are the question's terms carried across by
  the retriever's glossary and term bridge ("meeting" → 会议, "consider" → 审议): sentence
  embeddings alone rank the sentences of a Chinese passage poorly for an English question.
- Words are weighted by how few of the retrieved passages contain them. Every passage retrieved
  for a question about the Counter-Terrorism Committee mentions 委员会; only the answer's
  sentence also has 审议 and 会议, and those are the words that tell the sentences apart.

The passage shown to the user and checked for citations stays the whole passage.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    cached_numbers,
    coverage,
    numbers,
    weighted_coverage,
)
from assistant.answer.support import passage_sentences
from assistant.config import AnswerSettings
from assistant.schema import Passage
from assistant.text.script import joins_without_spaces
from assistant.text.words import content_tokens

_ELLIPSIS = "…"

CountTokens = Callable[[str], int]
WordWeight = Callable[[str], float]


@dataclass(frozen=True)
class FocusWeights:
    """How much each signal counts in a sentence's score (``answer.focus_*_weight``)."""

    cosine: float
    words: float
    figures: float

    @classmethod
    def from_settings(cls, answer: AnswerSettings) -> FocusWeights:
        return cls(answer.focus_cosine_weight, answer.focus_word_weight, answer.focus_figure_weight)


DEFAULT_WEIGHTS = FocusWeights.from_settings(AnswerSettings())


def unweighted(_word: str) -> float:
    return 1.0


def term_weights(passages: Sequence[str]) -> WordWeight:
    """Inverse passage frequency over the retrieved passages, as BM25 weighs it.

    A word in nearly all of them weighs almost nothing; one in few of them weighs most. Words
    that occur in none cannot match, so their weight does not matter.
    """
    frequency = Counter(word for text in passages for word in cached_content_tokens(text))
    total = len(passages)
    return lambda word: math.log(1 + (total - frequency[word] + 0.5) / (frequency[word] + 0.5))


def sentence_scores(
    question: str,
    sentences: Sequence[str],
    vectors: SentenceVectors | None,
    translated_terms: Collection[str] = (),
    weight: WordWeight = unweighted,
    weights: FocusWeights = DEFAULT_WEIGHTS,
) -> list[float]:
    """How strongly each sentence matches the question: cosine + word share + figure share
    (each times its ``weights``).

    The word share is the better of the question's own words and ``translated_terms`` (its
    words in the other language), since a sentence is in one language or the other.
    """
    if not sentences:
        return []
    own_words = content_tokens(question)
    other_words = {term.lower() for term in translated_terms}
    figures = numbers(question)
    cosines = (
        vectors.similarities([question], list(sentences))[0].tolist()
        if vectors is not None
        else [0.0] * len(sentences)
    )
    scores = []
    for sentence, cosine in zip(sentences, cosines, strict=True):
        words = set(cached_content_tokens(sentence))
        word_share = max(
            weighted_coverage(own_words, words, weight),
            weighted_coverage(other_words, words, weight),
        )
        figure_share = coverage(figures, set(cached_numbers(sentence)))
        scores.append(
            weights.cosine * float(cosine)
            + weights.words * word_share
            + weights.figures * figure_share
        )
    return scores


def best_window(
    sentences: Sequence[str],
    scores: Sequence[float],
    max_tokens: int,
    count_tokens: CountTokens,
) -> tuple[int, int]:
    """The span ``[start, end)`` around the best sentence that fits in ``max_tokens``.

    Grows one sentence at a time towards the better-scoring neighbour, so that a sentence which
    continues the best one ("It also ...") is taken before an unrelated one. The best sentence
    is kept even when it alone is over the limit: the answer is more likely there than anywhere.
    """
    best = max(range(len(sentences)), key=lambda i: scores[i])
    start, end = best, best + 1
    used = count_tokens(sentences[best])
    while True:
        options = []
        if start > 0:
            options.append((scores[start - 1], start - 1))
        if end < len(sentences):
            options.append((scores[end], end))
        grown = False
        for _score, index in sorted(options, reverse=True):
            cost = count_tokens(sentences[index])
            if used + cost <= max_tokens:
                used += cost
                start, end = min(start, index), max(end, index + 1)
                grown = True
                break
        if not grown:
            return start, end


def focus_text(
    question: str,
    text: str,
    max_tokens: int,
    count_tokens: CountTokens,
    vectors: SentenceVectors | None,
    translated_terms: Collection[str] = (),
    weight: WordWeight = unweighted,
    weights: FocusWeights = DEFAULT_WEIGHTS,
) -> str:
    """``text`` itself when it fits in ``max_tokens``, else its best window of sentences.

    Cut ends are marked with "…" so the model (and a reader of the prompt) sees an excerpt.
    """
    if count_tokens(text) <= max_tokens:
        return text
    sentences = passage_sentences(text)
    if len(sentences) < 2:
        return text
    scores = sentence_scores(question, sentences, vectors, translated_terms, weight, weights)
    start, end = best_window(sentences, scores, max_tokens, count_tokens)
    separator = "" if joins_without_spaces(text) else " "
    excerpt = separator.join(sentences[start:end])
    prefix = _ELLIPSIS if start > 0 else ""
    suffix = _ELLIPSIS if end < len(sentences) else ""
    return f"{prefix}{excerpt}{suffix}"


def focus_passages(
    question: str,
    passages: Sequence[Passage],
    max_tokens: int,
    count_tokens: CountTokens,
    vectors: SentenceVectors | None,
    translated_terms: Collection[str] = (),
    *,
    weights: FocusWeights = DEFAULT_WEIGHTS,
) -> dict[str, str]:
    """What the model is shown of each retrieved passage, by chunk id (see ``focus_text``)."""
    weight = term_weights([p.text for p in passages])
    return {
        p.chunk_id: focus_text(
            question, p.text, max_tokens, count_tokens, vectors, translated_terms, weight, weights
        )
        for p in passages
    }
