"""Does a passage support an answer sentence? And which of its sentences is the evidence?

The method (summarised in the README under "How citations are checked"):

1. **Figures must match.** The numbers in the answer sentence (digits, with English month
   names read as month numbers) must at least half occur in the passage. This is language-free
   — "330th meeting on 19 April 2018" and "2018年4月19日…第330次会议" share 330, 19, 4, 2018 —
   and it catches the commonest small-model error, a wrong figure.
2. **Words or meaning must match.** Either at least ``min_overlap`` of the sentence's content
   words occur in the passage (same language), or the multilingual embedding of the sentence is
   at least ``min_cosine`` similar to one of the passage's sentences (any language; the bar
   drops to ``min_cosine_with_numbers`` when the sentence has figures and all of them match).
3. The **supporting sentences** shown to the user are the passage sentences that score best on
   the same three signals, quoted verbatim from the passage text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    cached_numbers,
    content_tokens,
    coverage,
    numbers,
    numbers_supported,
)
from assistant.text.sentences import split_sentences

_MAX_EVIDENCE_SENTENCES = 2
_MIN_SENTENCE_CHARS = 2


@dataclass(frozen=True)
class SupportThresholds:
    min_overlap: float = 0.5
    min_cosine: float = 0.4
    min_cosine_with_numbers: float = 0.3


@dataclass(frozen=True)
class Support:
    supported: bool
    score: float  # for ranking candidate passages; higher is better
    overlap: float
    cosine: float
    numbers_match: bool
    sentences: tuple[str, ...]  # verbatim passage sentences, best first


@lru_cache(maxsize=4096)
def passage_sentences(text: str) -> tuple[str, ...]:
    """The passage's sentences, verbatim (trimmed), split per line and then by punctuation."""
    sentences: list[str] = []
    for line in text.splitlines():
        for start, end in split_sentences(line):
            sentence = line[start:end].strip()
            if len(sentence) >= _MIN_SENTENCE_CHARS:
                sentences.append(sentence)
    return tuple(sentences)


class SupportChecker:
    """Scores answer sentences against passages; embeddings are optional (lexical only)."""

    def __init__(
        self, vectors: SentenceVectors | None, thresholds: SupportThresholds | None = None
    ) -> None:
        self.vectors = vectors
        self.thresholds = thresholds or SupportThresholds()

    def check(self, claim: str, passage_text: str) -> Support:
        sentences = passage_sentences(passage_text)
        claim_tokens = content_tokens(claim)
        claim_numbers = numbers(claim)
        overlap = coverage(claim_tokens, set(cached_content_tokens(passage_text)))
        numbers_ok = numbers_supported(claim_numbers, set(cached_numbers(passage_text)))
        cosines = (
            self.vectors.similarities([claim], list(sentences))[0].tolist()
            if self.vectors is not None and sentences
            else [0.0] * len(sentences)
        )
        cosine = max(cosines, default=0.0)
        all_numbers = bool(claim_numbers) and claim_numbers <= cached_numbers(passage_text)
        t = self.thresholds
        supported = numbers_ok and (
            overlap >= t.min_overlap
            or cosine >= t.min_cosine
            or (all_numbers and cosine >= t.min_cosine_with_numbers)
        )
        number_share = (
            len(claim_numbers & cached_numbers(passage_text)) / len(claim_numbers)
            if claim_numbers
            else 0.0
        )
        score = max(overlap, cosine) + 0.5 * number_share
        evidence = self._evidence(claim_tokens, claim_numbers, sentences, cosines)
        return Support(supported, score, overlap, cosine, numbers_ok, evidence)

    @staticmethod
    def _evidence(
        claim_tokens: set[str],
        claim_numbers: set[str],
        sentences: tuple[str, ...],
        cosines: list[float],
    ) -> tuple[str, ...]:
        """The passage sentences that best back the claim (the one to highlight, maybe two)."""
        scored: list[tuple[float, int]] = []
        for index, sentence in enumerate(sentences):
            tokens = set(cached_content_tokens(sentence))
            found = cached_numbers(sentence)
            number_share = len(claim_numbers & found) / len(claim_numbers) if claim_numbers else 0
            score = coverage(claim_tokens, tokens) + cosines[index] + 0.5 * number_share
            scored.append((score, index))
        scored.sort(reverse=True)
        if not scored or scored[0][0] <= 0:
            return ()
        best = scored[0][0]
        chosen = [i for s, i in scored[:_MAX_EVIDENCE_SENTENCES] if s >= 0.8 * best]
        return tuple(sentences[i] for i in sorted(chosen))
