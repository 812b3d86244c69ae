"""Decide "the documents do not say" from retrieval evidence, before any model call.

A small model refuses answerable questions and answers unanswerable ones; retrieval scores are
a steadier signal and cost nothing. The relevance of the best retrieved passages is measured
(see ``relevance``) by the signal ``settings.answer.relevance_signal`` and compared with
``settings.answer.min_relevance``, a threshold chosen by ``assistant calibrate`` on the
project's own evaluation set and recorded in ``evals/calibration.json``.

Retrieval evidence only tells an off-topic question ("who won the World Cup?") from an on-topic
one; it cannot see that an on-topic passage lacks the asked fact ("who is the *current*
Executive Director?"). So the gate is tuned to refuse only when nearly sure, and the calibrated
confidence in the model's choice of evidence (``confidence.py``) catches the rest.
``is_model_refusal`` reads a free-text reply as a refusal, for baselines that generate one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    coverage,
)
from assistant.schema import Passage
from assistant.text.sentences import passage_sentences
from assistant.text.words import content_tokens

RelevanceSignal = Literal["dense", "lexical", "sentence", "combined"]
SIGNALS: tuple[RelevanceSignal, ...] = ("dense", "lexical", "sentence", "combined")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Relevance:
    """How well the best retrieved passages match the question, by each signal."""

    dense: float  # best cosine of the question with a whole passage (from the retriever)
    lexical: float  # best share of the question's content words found in one passage
    sentence: float  # best cosine of the question with one passage sentence
    combined: float  # the larger of ``lexical`` and ``sentence``

    def score(self, signal: RelevanceSignal) -> float:
        return float(getattr(self, signal))

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def relevance(
    question: str,
    passages: Sequence[Passage],
    vectors: SentenceVectors | None = None,
    top_n: int = 3,
) -> Relevance:
    """Relevance evidence from the ``top_n`` best passages (rank order as retrieved).

    Words cover same-language matches precisely (an absent topic leaves its key words
    unmatched); sentence embeddings carry the cross-language case, where words cannot match.
    """
    top = list(passages[:top_n])
    if not top:
        return Relevance(0.0, 0.0, 0.0, 0.0)
    dense = max((p.dense_score or 0.0) for p in top)
    question_tokens = content_tokens(question)
    lexical = max(coverage(question_tokens, set(cached_content_tokens(p.text))) for p in top)
    sentence = 0.0
    if vectors is not None:
        sentences = [s for p in top for s in passage_sentences(p.text)]
        if sentences:
            sentence = float(vectors.similarities([question], sentences).max())
    return Relevance(dense, lexical, sentence, max(lexical, sentence))


def should_refuse(evidence: Relevance, signal: RelevanceSignal, threshold: float) -> bool:
    return evidence.score(signal) < threshold


def _fold(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def is_model_refusal(text: str, phrases: Sequence[str]) -> bool:
    """True when the model's reply *is* a refusal: a refusal phrase in its first sentence.

    Only the opening counts, so an answer that adds "the documents do not mention the exact
    date" after stating facts is still an answer.
    """
    folded = _fold(text)
    if not folded:
        return True
    opening = re.split(r"(?<=[。！？.!?])\s*", folded, maxsplit=1)[0]
    return any(_fold(phrase) in opening for phrase in phrases)
