"""Does a passage support an answer sentence? And which of its sentences is the evidence?

The method (summarised in the README under "How citations are checked"). Only what the
sentence *adds* to the question is checked — its words and figures not already in the question —
because an answer restating the question shares most words with any on-topic passage.

1. **Figures must match.** The added numbers (digits, with English month names read as month
   numbers) must occur in the passage, at least ``min_figure_share`` (half) of them. This is
   language-free — "330th meeting on 19 April 2018" and "2018年4月19日…第330次会议" share 330,
   19, 4, 2018 — and it catches the commonest small-model error, a wrong figure.
2. **Words (same language) or meaning (across languages) must match.** In the same language at
   least ``min_overlap`` of the added content words must occur in the passage, or the sentence
   must be a near-verbatim paraphrase (embedding cosine ≥ ``min_cosine_same_language``); when
   it adds figures and all of them match, ``figure_overlap_factor`` (half) of ``min_overlap`` of
   the added words, or
   ``min_overlap`` of all its words, is enough (the wording around a right figure is often the
   model's own). Across languages, where words
   cannot match, the multilingual embedding of the sentence must be ``min_cosine`` similar to
   one of the passage's sentences (``min_cosine_with_numbers`` when all added figures match).
3. The **supporting sentences** shown to the user are the passage sentences that score best on
   the same signals (figures weighted by ``figure_weight``), quoted verbatim from the passage
   text: the best one and the next if it scores ``evidence_cutoff`` of the best.

Every threshold is a setting (``AnswerSettings.support_*``, ``evidence_relative_cutoff``);
``SupportThresholds`` defaults to the settings' defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    cached_numbers,
    coverage,
    numbers,
    numbers_supported,
)
from assistant.config import AnswerSettings
from assistant.text.script import is_chinese_text
from assistant.text.sentences import passage_sentences, without_list_marker
from assistant.text.words import content_tokens

_MAX_EVIDENCE_SENTENCES = 2


_DEFAULTS = AnswerSettings()


@dataclass(frozen=True)
class SupportThresholds:
    min_overlap: float = _DEFAULTS.support_min_overlap
    min_cosine: float = _DEFAULTS.support_min_cosine
    min_cosine_with_numbers: float = _DEFAULTS.support_min_cosine_with_numbers
    min_cosine_same_language: float = _DEFAULTS.support_min_cosine_same_language
    figure_overlap_factor: float = _DEFAULTS.support_figure_overlap_factor
    min_figure_share: float = _DEFAULTS.support_min_figure_share
    figure_weight: float = _DEFAULTS.support_figure_weight
    evidence_cutoff: float = _DEFAULTS.evidence_relative_cutoff

    @classmethod
    def from_settings(cls, answer: AnswerSettings) -> SupportThresholds:
        return cls(
            min_overlap=answer.support_min_overlap,
            min_cosine=answer.support_min_cosine,
            min_cosine_with_numbers=answer.support_min_cosine_with_numbers,
            min_cosine_same_language=answer.support_min_cosine_same_language,
            figure_overlap_factor=answer.support_figure_overlap_factor,
            min_figure_share=answer.support_min_figure_share,
            figure_weight=answer.support_figure_weight,
            evidence_cutoff=answer.evidence_relative_cutoff,
        )


@dataclass(frozen=True)
class Support:
    supported: bool
    score: float  # for ranking candidate passages; higher is better
    overlap: float
    cosine: float
    numbers_match: bool
    sentences: tuple[str, ...]  # verbatim passage sentences, best first


class SupportChecker:
    """Scores answer sentences against passages; embeddings are optional (lexical only)."""

    def __init__(
        self, vectors: SentenceVectors | None, thresholds: SupportThresholds | None = None
    ) -> None:
        self.vectors = vectors
        self.thresholds = thresholds or SupportThresholds()

    def check(self, claim: str, passage_text: str, question: str = "") -> Support:
        """How well ``passage_text`` supports ``claim``, an answer sentence to ``question``.

        Only what the claim adds to the question is checked: an answer that restates the
        question's words and adds an invented name ("…是俄罗斯提交的") shares most of its words
        with any on-topic passage, and only the added name shows that it is unsupported.
        """
        claim = without_list_marker(claim)
        sentences = passage_sentences(passage_text)
        passage_numbers = set(cached_numbers(passage_text))
        claim_tokens = content_tokens(claim)
        novel_tokens = (claim_tokens - content_tokens(question)) or claim_tokens
        novel_numbers = numbers(claim) - numbers(question)
        overlap = coverage(novel_tokens, set(cached_content_tokens(passage_text)))
        t = self.thresholds
        numbers_ok = numbers_supported(novel_numbers, passage_numbers, t.min_figure_share)
        all_numbers = bool(novel_numbers) and novel_numbers <= passage_numbers
        cosines = (
            self.vectors.similarities([claim], list(sentences))[0].tolist()
            if self.vectors is not None and sentences
            else [0.0] * len(sentences)
        )
        cosine = max(cosines, default=0.0)
        if is_chinese_text(claim) == is_chinese_text(passage_text):
            # same language: the words decide; embeddings only for near-verbatim paraphrase
            backed = overlap >= t.min_overlap or cosine >= t.min_cosine_same_language
            if all_numbers:  # the added figures are right; the wording may be the model's own
                whole = coverage(claim_tokens, set(cached_content_tokens(passage_text)))
                backed = (
                    backed
                    or overlap >= t.min_overlap * t.figure_overlap_factor
                    or whole >= t.min_overlap
                )
        else:
            # across languages only figures and meaning can match
            min_cosine = t.min_cosine_with_numbers if all_numbers else t.min_cosine
            backed = cosine >= min_cosine
        supported = numbers_ok and backed
        number_share = (
            len(novel_numbers & passage_numbers) / len(novel_numbers) if novel_numbers else 0.0
        )
        score = max(overlap, cosine) + t.figure_weight * number_share
        evidence = self._evidence(claim_tokens, numbers(claim), sentences, cosines)
        return Support(supported, score, overlap, cosine, numbers_ok, evidence)

    def _evidence(
        self,
        claim_tokens: set[str],
        claim_numbers: set[str],
        sentences: tuple[str, ...],
        cosines: list[float],
    ) -> tuple[str, ...]:
        """The passage sentences that best back the claim (the one to highlight, maybe two)."""
        t = self.thresholds
        scored: list[tuple[float, int]] = []
        for index, sentence in enumerate(sentences):
            tokens = set(cached_content_tokens(sentence))
            found = cached_numbers(sentence)
            number_share = len(claim_numbers & found) / len(claim_numbers) if claim_numbers else 0
            score = coverage(claim_tokens, tokens) + cosines[index] + t.figure_weight * number_share
            scored.append((score, index))
        scored.sort(reverse=True)
        if not scored or scored[0][0] <= 0:
            return ()
        best = scored[0][0]
        chosen = [i for s, i in scored[:_MAX_EVIDENCE_SENTENCES] if s >= t.evidence_cutoff * best]
        return tuple(sentences[i] for i in sorted(chosen))
