"""Cut long passages down to the sentences that bear on the question, before packing.

On a CPU the prompt length sets the time to the first token (roughly 40 prompt tokens a second
for the 1.5B model on two cores), and a small model answers better from a few relevant
sentences than from a page of them. So each passage longer than ``max_tokens`` keeps its
best-matching sentence and the neighbours that fit beside it, in document order; a passage that
already fits is shown whole. The freed budget lets more of the retrieved passages reach the
model, which matters because the passage holding the answer is often not the first one.

A sentence's score adds three explainable signals (see ``evidence``): the cosine of its
multilingual embedding with the question's (the only signal that crosses languages), the share
of the question's content words it contains, and the share of the question's figures it
contains. The passage shown to the user and checked for citations stays the whole passage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    cached_numbers,
    content_tokens,
    coverage,
    numbers,
)
from assistant.answer.support import passage_sentences
from assistant.text.cjk import han_ratio

_ELLIPSIS = "…"


def sentence_scores(
    question: str, sentences: Sequence[str], vectors: SentenceVectors | None
) -> list[float]:
    """How strongly each sentence matches the question: cosine + word share + figure share."""
    if not sentences:
        return []
    question_words = content_tokens(question)
    question_figures = numbers(question)
    cosines = (
        vectors.similarities([question], list(sentences))[0].tolist()
        if vectors is not None
        else [0.0] * len(sentences)
    )
    scores = []
    for sentence, cosine in zip(sentences, cosines, strict=True):
        words = coverage(question_words, set(cached_content_tokens(sentence)))
        figures = coverage(question_figures, set(cached_numbers(sentence)))
        scores.append(float(cosine) + words + figures)
    return scores


def best_window(
    sentences: Sequence[str],
    scores: Sequence[float],
    max_tokens: int,
    count_tokens: Callable[[str], int],
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
    count_tokens: Callable[[str], int],
    vectors: SentenceVectors | None,
) -> str:
    """``text`` itself when it fits in ``max_tokens``, else its best window of sentences.

    Cut ends are marked with "…" so the model (and a reader of the prompt) sees an excerpt.
    """
    if count_tokens(text) <= max_tokens:
        return text
    sentences = passage_sentences(text)
    if len(sentences) < 2:
        return text
    start, end = best_window(
        sentences, sentence_scores(question, sentences, vectors), max_tokens, count_tokens
    )
    separator = "" if han_ratio(text) > 0.5 else " "
    excerpt = separator.join(sentences[start:end])
    prefix = _ELLIPSIS if start > 0 else ""
    suffix = _ELLIPSIS if end < len(sentences) else ""
    return f"{prefix}{excerpt}{suffix}"
